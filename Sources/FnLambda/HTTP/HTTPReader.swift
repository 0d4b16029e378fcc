#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Where an `HTTPReader` gets its bytes: a socket in production, scripted chunks in tests.
public protocol ByteSource {
    /// Reads up to `buffer.count` bytes into `buffer`; returns 0 at the end of the stream.
    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(HTTPError) -> Int
}

/// Bounds on what a peer may send, so a broken or hostile peer costs an error, not the process.
public struct HTTPLimits: Sendable {
    /// The start line plus all header lines, in bytes.
    public var maxHeadBytes: Int
    public var maxHeaderCount: Int
    public var maxBodyBytes: Int

    public init(maxHeadBytes: Int = 64 * 1024, maxHeaderCount: Int = 128, maxBodyBytes: Int = 64 * 1024 * 1024) {
        self.maxHeadBytes = maxHeadBytes
        self.maxHeaderCount = maxHeaderCount
        self.maxBodyBytes = maxBodyBytes
    }
}

/// Why a message could not be read or written.
public enum HTTPError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The peer closed the connection mid-message (or before answering).
    case truncated
    /// The bytes are not HTTP/1.x; the text says what was wrong.
    case malformed(String)
    case headTooLarge(limit: Int)
    case tooManyHeaders(limit: Int)
    case bodyTooLarge(limit: Int)
    /// A socket call failed; `errno` and the call's name.
    case io(Int32, String)
    /// A receive timeout expired.
    case timedOut
    /// A host name that does not resolve.
    case address(String)

    public var description: String {
        switch self {
        case .truncated: "connection closed before the message was complete"
        case .malformed(let why): "malformed HTTP message: \(why)"
        case .headTooLarge(let limit): "HTTP header section larger than \(limit) bytes"
        case .tooManyHeaders(let limit): "more than \(limit) HTTP header fields"
        case .bodyTooLarge(let limit): "HTTP body larger than \(limit) bytes"
        case .io(let code, let call): "\(call) failed: \(Errno.describe(code))"
        case .timedOut: "timed out waiting for the peer"
        case .address(let why): why
        }
    }
}

/// Reads HTTP/1.1 requests and responses from a byte stream: one parser for both directions.
///
/// It handles `Content-Length` and chunked bodies, tolerates bare LF line ends, rejects obsolete
/// line folding and conflicting lengths, and enforces `HTTPLimits`. Bytes after a message stay
/// buffered for the next one (keep-alive, pipelining).
public struct HTTPReader<Source: ByteSource> {
    public var source: Source
    public var limits: HTTPLimits
    private var buffer: [UInt8]
    private var start = 0
    private var end = 0

    public init(source: Source, limits: HTTPLimits = HTTPLimits(), bufferSize: Int = 16 * 1024) {
        self.source = source
        self.limits = limits
        self.buffer = [UInt8](repeating: 0, count: bufferSize)
    }

    /// True when bytes of a next message are already buffered.
    public var hasBufferedBytes: Bool { start < end }

    /// Reads the next request; nil when the peer closed the connection between messages.
    /// `beforeBody` sees the headers before the body is read: a server answers
    /// `Expect: 100-continue` there, or throws to refuse the body.
    public mutating func readRequest(
        beforeBody: (HTTPHeaders) throws(HTTPError) -> Void = { _ throws(HTTPError) in }
    ) throws(HTTPError) -> HTTPRequest? {
        guard let lines = try readHead(skipLeadingBlankLines: true) else { return nil }
        let parts = split(lines[0], on: 32, maxParts: 4)
        guard parts.count == 3, !parts[0].isEmpty, bytes(parts[0]).allSatisfy(Self.isTokenByte),
              !parts[1].isEmpty else {
            throw .malformed("bad request line")
        }
        let version = text(parts[2])
        guard version == "HTTP/1.1" || version == "HTTP/1.0" else {
            throw .malformed("unsupported version \(version.prefix(16))")
        }
        let method = text(parts[0]), target = text(parts[1])
        let headers = try parseHeaders(lines.dropFirst())
        try beforeBody(headers)
        let body: [UInt8]
        if let coding = headers["Transfer-Encoding"] {
            // A request with both framings is a request-smuggling vector (RFC 9112 §6.3).
            guard headers["Content-Length"] == nil else { throw .malformed("both Transfer-Encoding and Content-Length") }
            guard Self.isChunked(coding) else { throw .malformed("unsupported transfer coding \(coding.prefix(32))") }
            body = try readChunkedBody()
        } else if let length = try contentLength(headers) {
            body = try readBody(count: length)
        } else {
            body = []
        }
        return HTTPRequest(method: method, target: target, version: version, headers: headers, body: body)
    }

    /// Reads the next response; nil when the peer closed the connection before sending a byte.
    /// `method` is the request's, since a response to HEAD has no body.
    public mutating func readResponse(method: String = "GET") throws(HTTPError) -> HTTPResponse? {
        guard let lines = try readHead(skipLeadingBlankLines: false) else { return nil }
        let parts = split(lines[0], on: 32, maxParts: 3)
        guard parts.count >= 2, bytes(parts[0]).starts(with: "HTTP/1.".utf8), parts[1].count == 3,
              bytes(parts[1]).allSatisfy({ $0 >= 48 && $0 <= 57 }), let status = Int(text(parts[1])), status >= 100 else {
            throw .malformed("bad status line")
        }
        let version = text(parts[0]), reason = parts.count > 2 ? text(parts[2]) : ""
        let headers = try parseHeaders(lines.dropFirst())
        let body: [UInt8]
        if method == "HEAD" || status < 200 || status == 204 || status == 304 {
            body = []
        } else if let coding = headers["Transfer-Encoding"] {
            body = Self.isChunked(coding) ? try readChunkedBody() : try readUntilClose()
        } else if let length = try contentLength(headers) {
            body = try readBody(count: length)
        } else {
            body = try readUntilClose()
        }
        return HTTPResponse(status: status, reason: reason, version: version, headers: headers, body: body)
    }

    // MARK: Head

    /// Reads up to the blank line ending the header section and splits it into lines: ranges of
    /// `buffer`, CR stripped, valid until the next `fill()`. Nil on a clean end of stream before
    /// the first byte. The head is parsed as bytes; only the parts kept become strings.
    private mutating func readHead(skipLeadingBlankLines: Bool) throws(HTTPError) -> [Range<Int>]? {
        var scanned = start
        var sawByte = false
        while true {
            if skipLeadingBlankLines {
                // RFC 9112 §2.2: a server should ignore empty lines received before a request line.
                while start < end, buffer[start] == 13 || buffer[start] == 10 { start += 1 }
                scanned = max(scanned, start)
            }
            if let headEnd = findHeadEnd(from: scanned) {
                var lines: [Range<Int>] = []
                lines.reserveCapacity(16)
                buffer.withUnsafeBufferPointer { buf in
                    var lineStart = start
                    while true {
                        // buf[headEnd.lineEnd] is LF, so there is always one to find.
                        let i = Self.nextLF(buf, from: lineStart, to: headEnd.lineEnd + 1) ?? headEnd.lineEnd
                        lines.append(lineStart..<(i > lineStart && buf[i - 1] == 13 ? i - 1 : i))
                        if i >= headEnd.lineEnd { break }
                        lineStart = i + 1
                    }
                }
                start = headEnd.next
                return lines
            }
            scanned = max(start, end - 3)
            if end - start >= limits.maxHeadBytes { throw .headTooLarge(limit: limits.maxHeadBytes) }
            if start < end { sawByte = true }
            let before = start
            if try fill() == 0 {
                if !sawByte && start == end { return nil }
                throw .truncated
            }
            scanned -= before - start
        }
    }

    /// The bytes of a line or part of one.
    private func bytes(_ range: Range<Int>) -> ArraySlice<UInt8> { buffer[range] }

    /// A line or part of one as a string (invalid UTF-8 becomes U+FFFD).
    private func text(_ range: Range<Int>) -> String { String(decoding: buffer[range], as: UTF8.self) }

    /// Splits `range` at each `separator` byte into at most `maxParts` parts (the last keeps the rest).
    private func split(_ range: Range<Int>, on separator: UInt8, maxParts: Int) -> [Range<Int>] {
        var parts: [Range<Int>] = []
        var partStart = range.lowerBound
        var i = range.lowerBound
        while i < range.upperBound, parts.count < maxParts - 1 {
            if buffer[i] == separator {
                parts.append(partStart..<i)
                partStart = i + 1
            }
            i += 1
        }
        parts.append(partStart..<range.upperBound)
        return parts
    }

    /// Finds the blank line: `lineEnd` is the end of the last header line, `next` the first body byte.
    private func findHeadEnd(from: Int) -> (lineEnd: Int, next: Int)? {
        buffer.withUnsafeBufferPointer { buf in
            var i = max(from, start)
            while let lf = Self.nextLF(buf, from: i, to: end) {
                // LF followed by LF or by CR LF ends the head.
                if lf + 1 < end, buf[lf + 1] == 10 { return (lf, lf + 2) }
                if lf + 2 < end, buf[lf + 1] == 13, buf[lf + 2] == 10 { return (lf, lf + 3) }
                i = lf + 1
            }
            return nil
        }
    }

    /// The offset of the first LF in `buf[from..<to]` (memchr), or nil.
    private static func nextLF(_ buf: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> Int? {
        guard from < to, let base = buf.baseAddress, let p = memchr(base + from, 10, to - from) else { return nil }
        return base.distance(to: p.assumingMemoryBound(to: UInt8.self))
    }

    private func parseHeaders(_ lines: ArraySlice<Range<Int>>) throws(HTTPError) -> HTTPHeaders {
        guard lines.count <= limits.maxHeaderCount else { throw .tooManyHeaders(limit: limits.maxHeaderCount) }
        guard let firstLine = lines.first, let lastLine = lines.last else { return HTTPHeaders() }
        // Ranges of the head counted from its first byte, as HTTPHeaders keeps them.
        let origin = firstLine.lowerBound
        var spans: [HTTPHeaders.Span] = []
        spans.reserveCapacity(lines.count)
        try buffer.withUnsafeBufferPointer { buf throws(HTTPError) in
            for line in lines {
                guard let first = line.first else { throw .malformed("header line without a colon") }
                if isOptionalWhitespace(buf[first]) { throw .malformed("obsolete header line folding") }
                var colon = first
                while colon < line.upperBound, buf[colon] != UInt8(ascii: ":") { colon += 1 }
                guard colon < line.upperBound else { throw .malformed("header line without a colon") }
                guard colon > first, buf[first..<colon].allSatisfy(Self.isTokenByte) else {
                    throw .malformed("bad header name")
                }
                let value = trimmingOptionalWhitespace(buf, (colon + 1)..<line.upperBound)
                for i in value where buf[i] == 0 || buf[i] == 13 { throw .malformed("bad header value") }
                spans.append(HTTPHeaders.Span(name: (first - origin)..<(colon - origin),
                                              value: (value.lowerBound - origin)..<(value.upperBound - origin)))
            }
        }
        return HTTPHeaders(head: buffer[origin..<lastLine.upperBound], spans: spans)
    }

    private func contentLength(_ headers: HTTPHeaders) throws(HTTPError) -> Int? {
        var length: Int?
        var failure: HTTPError?
        headers.forEachValue(named: "Content-Length") { field in
            do throws(HTTPError) {
                try Self.readContentLength(field, into: &length)
            } catch {
                failure = failure ?? error
            }
        }
        if let failure { throw failure }
        return length
    }

    /// One Content-Length field: "5, 5" is allowed when the values agree (RFC 9110 §8.6); anything
    /// else that is not one number is an error.
    private static func readContentLength(_ field: UnsafeBufferPointer<UInt8>, into length: inout Int?) throws(HTTPError) {
        for part in field.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false) {
            let digits = trimmingOptionalWhitespace(field, part.startIndex..<part.endIndex)
            guard !digits.isEmpty, digits.count <= 18 else { throw .malformed("bad Content-Length") }
            var value = 0
            for byte in field[digits] {
                guard byte >= 48 && byte <= 57 else { throw .malformed("bad Content-Length") }
                value = value * 10 + Int(byte - 48)
            }
            if let length, length != value { throw .malformed("conflicting Content-Length values") }
            length = value
        }
    }

    private static func isChunked(_ coding: String) -> Bool {
        let last = coding.split(separator: ",").last.map { String($0.trimmingSpaces()) } ?? ""
        return HTTPHeaders.sameName(last, "chunked")
    }

    /// RFC 9110 token characters.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case 48...57, 65...90, 97...122: true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
             UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
             UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"): true
        default: false
        }
    }

    // MARK: Body

    private mutating func readBody(count: Int) throws(HTTPError) -> [UInt8] {
        guard count <= limits.maxBodyBytes else { throw .bodyTooLarge(limit: limits.maxBodyBytes) }
        var body: [UInt8] = []
        try append(count, to: &body)
        return body
    }

    /// Appends exactly `count` bytes of the stream to `body`, reading large bodies straight into it.
    private mutating func append(_ count: Int, to body: inout [UInt8]) throws(HTTPError) {
        let buffered = min(count, end - start)
        body.append(contentsOf: buffer[start..<start + buffered])
        start += buffered
        var missing = count - buffered
        guard missing > 0 else { return }
        let base = body.count
        body.reserveCapacity(base + missing)
        var failure: HTTPError?
        body.append(contentsOf: repeatElement(0, count: missing))
        body.withUnsafeMutableBytes { bytes in
            var offset = base
            while missing > 0 {
                do throws(HTTPError) {
                    let n = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: bytes[offset..<offset + missing]))
                    if n == 0 { failure = .truncated; return }
                    offset += n
                    missing -= n
                } catch {
                    failure = error
                    return
                }
            }
        }
        if let failure { throw failure }
    }

    private mutating func readChunkedBody() throws(HTTPError) -> [UInt8] {
        var body: [UInt8] = []
        while true {
            let line = try readLine(limit: 1024)
            let sizeText = line.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false)[0].trimmingSpaces()
            guard !sizeText.isEmpty, sizeText.utf8.count <= 15, let size = Int(sizeText, radix: 16), size >= 0 else {
                throw .malformed("bad chunk size")
            }
            if size == 0 { break }
            guard body.count + size <= limits.maxBodyBytes else { throw .bodyTooLarge(limit: limits.maxBodyBytes) }
            try append(size, to: &body)
            guard try readLine(limit: 2).isEmpty else { throw .malformed("chunk data longer than its size") }
        }
        // Trailer fields are read and dropped: nothing in the Runtime API or Lambda's invoke uses them.
        var trailerBytes = 0
        while true {
            let line = try readLine(limit: limits.maxHeadBytes)
            if line.isEmpty { break }
            trailerBytes += line.utf8.count
            if trailerBytes > limits.maxHeadBytes { throw .headTooLarge(limit: limits.maxHeadBytes) }
        }
        return body
    }

    /// One line without its CRLF (or bare LF).
    private mutating func readLine(limit: Int) throws(HTTPError) -> Substring {
        var scanned = start
        while true {
            if let lf = buffer[scanned..<end].firstIndex(of: 10) {
                var lineEnd = lf
                if lineEnd > start, buffer[lineEnd - 1] == 13 { lineEnd -= 1 }
                let text = String(decoding: buffer[start..<lineEnd], as: UTF8.self)
                start = lf + 1
                return Substring(text)
            }
            scanned = end
            if end - start > limit { throw .malformed("line too long") }
            let before = start
            if try fill() == 0 { throw .truncated }
            scanned -= before - start
        }
    }

    private mutating func readUntilClose() throws(HTTPError) -> [UInt8] {
        var body = Array(buffer[start..<end])
        start = end
        while true {
            if body.count > limits.maxBodyBytes { throw .bodyTooLarge(limit: limits.maxBodyBytes) }
            let n = try fill()
            if n == 0 { return body }
            body.append(contentsOf: buffer[start..<end])
            start = end
        }
    }

    /// Reads more bytes into the buffer, first moving unread bytes to its front (or growing it when a
    /// head is longer than the buffer). Returns how many bytes arrived; 0 at the end of the stream.
    private mutating func fill() throws(HTTPError) -> Int {
        if start > 0 {
            if start < end {
                buffer.withUnsafeMutableBytes { bytes in
                    guard let base = bytes.baseAddress else { return }
                    (base + 0).copyMemory(from: base + start, byteCount: end - start)
                }
            }
            end -= start
            start = 0
        }
        if end == buffer.count {
            buffer.append(contentsOf: repeatElement(0, count: buffer.count))
        }
        let filled = end
        var failure: HTTPError?
        let n = buffer.withUnsafeMutableBytes { bytes -> Int in
            do throws(HTTPError) {
                return try source.read(into: UnsafeMutableRawBufferPointer(rebasing: bytes[filled...]))
            } catch {
                failure = error
                return 0
            }
        }
        if let failure { throw failure }
        end += n
        return n
    }
}
