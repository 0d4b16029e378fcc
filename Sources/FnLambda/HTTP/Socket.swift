#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// `strerror` text for an `errno` value.
enum Errno {
    static func describe(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "errno \(code)" }
        return String(cString: text)
    }
}

/// A TCP socket (POSIX): connect, listen, accept, send and receive, closed when released.
public final class Socket {
    public let fd: Int32

    init(fd: Int32) {
        self.fd = fd
    }

    deinit {
        close(fd)
    }

    /// Connects to `host:port` (a name or an address; IPv4 or IPv6).
    public static func connect(host: String, port: Int) throws(HTTPError) -> Socket {
        var last = HTTPError.io(EHOSTUNREACH, "connect")
        for var address in try resolve(host: host, port: port, passive: false) {
            let fd = socket(Int32(address.family), Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { last = .io(errno, "socket"); continue }
            let sock = Socket(fd: fd)
            let rc = withUnsafePointer(to: &address.storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, address.length) }
            }
            if rc == 0 {
                sock.setOption(Int32(IPPROTO_TCP), TCP_NODELAY, 1)
                return sock
            }
            last = .io(errno, "connect to \(host):\(port)")
        }
        throw last
    }

    /// A listening socket on `host:port`; port 0 picks a free port (see `localPort`).
    public static func listen(host: String, port: Int, backlog: Int32 = 128) throws(HTTPError) -> Socket {
        var last = HTTPError.io(EADDRNOTAVAIL, "bind")
        for var address in try resolve(host: host, port: port, passive: true) {
            let fd = socket(Int32(address.family), Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { last = .io(errno, "socket"); continue }
            let sock = Socket(fd: fd)
            sock.setOption(SOL_SOCKET, SO_REUSEADDR, 1)
            let rc = withUnsafePointer(to: &address.storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, address.length) }
            }
            guard rc == 0 else { last = .io(errno, "bind to \(host):\(port)"); continue }
            guard Glibc.listen(fd, backlog) == 0 else { last = .io(errno, "listen"); continue }
            return sock
        }
        throw last
    }

    /// Waits for a connection. Retries on EINTR unless `interrupted()` says to stop.
    public func accept(interrupted: () -> Bool = { false }) throws(HTTPError) -> Socket {
        while true {
            let client = Glibc.accept(fd, nil, nil)
            if client >= 0 {
                let sock = Socket(fd: client)
                sock.setOption(Int32(IPPROTO_TCP), TCP_NODELAY, 1)
                return sock
            }
            let code = errno
            if code == EINTR && !interrupted() { continue }
            // A connection reset before we accepted it is the client's problem, not the server's.
            if code == ECONNABORTED || code == EPROTO { continue }
            throw .io(code, "accept")
        }
    }

    /// The port the socket is bound to.
    public var localPort: Int {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let rc = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard rc == 0 else { return 0 }
        let family = storage.ss_family
        return withUnsafePointer(to: &storage) { pointer -> Int in
            if family == sa_family_t(AF_INET6) {
                return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin6_port)) }
            }
            return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) }
        }
    }

    /// Sends all of `parts` gathered in one `sendmsg`, so a head and a small body leave together.
    public func send(_ parts: [UInt8]...) throws(HTTPError) {
        try send(parts)
    }

    public func send(_ parts: [[UInt8]]) throws(HTTPError) {
        var index = 0
        var offset = 0
        while true {
            while index < parts.count, offset == parts[index].count {
                index += 1
                offset = 0
            }
            guard index < parts.count else { return }
            let next = index + 1 < parts.count ? parts[index + 1] : []
            let n = sendGathered(parts[index], from: offset, then: next)
            if n < 0 {
                if errno == EINTR { continue }
                throw .io(errno, "send")
            }
            let here = min(n, parts[index].count - offset)
            offset += here
            if n > here {
                index += 1
                offset = n - here
            }
        }
    }

    private func sendGathered(_ first: [UInt8], from offset: Int, then second: [UInt8]) -> Int {
        first.withUnsafeBytes { a in
            second.withUnsafeBytes { b in
                var vectors = [
                    iovec(iov_base: UnsafeMutableRawPointer(mutating: a.baseAddress.map { $0 + offset }),
                          iov_len: a.count - offset),
                    iovec(iov_base: UnsafeMutableRawPointer(mutating: b.baseAddress), iov_len: b.count),
                ]
                return vectors.withUnsafeMutableBufferPointer { iov in
                    var message = msghdr()
                    message.msg_iov = iov.baseAddress
                    message.msg_iovlen = second.isEmpty ? 1 : 2
                    // MSG_NOSIGNAL: a peer that went away is an error to handle, not a SIGPIPE that kills us.
                    return Glibc.sendmsg(fd, &message, Int32(MSG_NOSIGNAL))
                }
            }
        }
    }

    /// Receives up to `buffer.count` bytes; 0 when the peer closed its side.
    public func receive(into buffer: UnsafeMutableRawBufferPointer) throws(HTTPError) -> Int {
        while true {
            let n = recv(fd, buffer.baseAddress, buffer.count, 0)
            if n >= 0 { return n }
            let code = errno
            if code == EINTR { continue }
            if code == EAGAIN || code == EWOULDBLOCK { throw .timedOut }
            // A reset is the peer closing abruptly; callers treat it like a close mid-message.
            if code == ECONNRESET { return 0 }
            throw .io(code, "recv")
        }
    }

    /// Sets `SO_RCVTIMEO`; nil means wait forever.
    public func setReceiveTimeout(seconds: Double?) {
        var tv = timeval()
        if let seconds {
            tv.tv_sec = Int(seconds)
            tv.tv_usec = Int((seconds - Double(Int(seconds))) * 1_000_000)
        }
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Stops sending (FIN) while still reading what the peer sends.
    public func shutdownWrite() {
        _ = Glibc.shutdown(fd, Int32(SHUT_WR))
    }

    /// Wakes a thread blocked in `accept` or `recv` on this socket.
    public func shutdownBoth() {
        _ = Glibc.shutdown(fd, Int32(SHUT_RDWR))
    }

    private func setOption(_ level: Int32, _ name: Int32, _ value: Int32) {
        var value = value
        _ = setsockopt(fd, level, name, &value, socklen_t(MemoryLayout<Int32>.size))
    }

    private struct Address {
        var family: Int32
        var storage: sockaddr_storage
        var length: socklen_t
    }

    private static func resolve(host: String, port: Int, passive: Bool) throws(HTTPError) -> [Address] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = passive ? AI_PASSIVE : 0
        var result: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host.isEmpty ? nil : host, String(port), &hints, &result)
        guard rc == 0, let first = result else {
            let why = rc == 0 ? "no address" : String(cString: gai_strerror(rc))
            throw .address("cannot resolve \(host): \(why)")
        }
        defer { freeaddrinfo(first) }
        var addresses: [Address] = []
        var node: UnsafeMutablePointer<addrinfo>? = first
        while let info = node {
            var storage = sockaddr_storage()
            let length = info.pointee.ai_addrlen
            withUnsafeMutableBytes(of: &storage) { dest in
                dest.copyMemory(from: UnsafeRawBufferPointer(start: info.pointee.ai_addr, count: Int(length)))
            }
            addresses.append(Address(family: info.pointee.ai_family, storage: storage, length: length))
            node = info.pointee.ai_next
        }
        return addresses
    }
}

/// Reads a `Socket` for an `HTTPReader`.
public struct SocketSource: ByteSource {
    public let socket: Socket

    public init(_ socket: Socket) {
        self.socket = socket
    }

    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(HTTPError) -> Int {
        try socket.receive(into: buffer)
    }
}
