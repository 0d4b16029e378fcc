/// Header fields in the order they arrived; names compare case-insensitively (RFC 9110 §5.1).
///
/// A list, not a dictionary: messages carry a handful of fields, order is kept for writing,
/// and repeated fields stay distinct.
public struct HTTPHeaders: Sendable, Equatable {
    public private(set) var fields: [(name: String, value: String)] = []

    public init() {}

    public init(_ fields: [(String, String)]) {
        for (name, value) in fields { add(name, value) }
    }

    public mutating func add(_ name: String, _ value: String) {
        fields.append((name, value))
    }

    mutating func reserveCapacity(_ n: Int) { fields.reserveCapacity(n) }

    /// Replaces every field called `name` with one field.
    public mutating func set(_ name: String, _ value: String) {
        remove(name)
        add(name, value)
    }

    public mutating func remove(_ name: String) {
        fields.removeAll { Self.sameName($0.name, name) }
    }

    /// The first field called `name`, if any.
    public subscript(_ name: String) -> String? {
        for field in fields where Self.sameName(field.name, name) { return field.value }
        return nil
    }

    public var count: Int { fields.count }

    /// ASCII case-insensitive comparison without allocating lowercased copies.
    static func sameName(_ a: String, _ b: String) -> Bool {
        // Not `a == b` as a shortcut: Swift compares strings by canonical equivalence, not bytes.
        guard a.utf8.count == b.utf8.count else { return false }
        var a = a, b = b
        return a.withUTF8 { x in
            b.withUTF8 { y in
                for i in 0..<x.count where x[i] != y[i] {
                    guard asciiLower(x[i]) == asciiLower(y[i]) else { return false }
                }
                return true
            }
        }
    }

    static func asciiLower(_ byte: UInt8) -> UInt8 {
        byte >= 65 && byte <= 90 ? byte | 0x20 : byte
    }

    public static func == (lhs: HTTPHeaders, rhs: HTTPHeaders) -> Bool {
        lhs.fields.count == rhs.fields.count
            && zip(lhs.fields, rhs.fields).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }

    /// True when a comma-separated field (such as `Connection`) lists `token`.
    func contains(_ name: String, token: String) -> Bool {
        for field in fields where Self.sameName(field.name, name) {
            for part in field.value.split(separator: ",") {
                if Self.sameName(String(part.trimmingSpaces()), token) { return true }
            }
        }
        return false
    }
}

/// An HTTP/1.1 request: start line, headers and the whole body.
public struct HTTPRequest: Sendable, Equatable {
    public var method: String
    /// The request target as sent (origin form: path and query).
    public var target: String
    public var version: String
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(method: String, target: String, version: String = "HTTP/1.1",
                headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers
        self.body = body
    }

    /// The target without its query string.
    public var path: Substring {
        target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
    }

    /// Whether the connection stays open after this exchange (HTTP/1.1 default; 1.0 opts in).
    public var keepAlive: Bool {
        if headers.contains("Connection", token: "close") { return false }
        if version == "HTTP/1.0" { return headers.contains("Connection", token: "keep-alive") }
        return true
    }
}

/// An HTTP/1.1 response: status line, headers and the whole body.
public struct HTTPResponse: Sendable, Equatable {
    public var status: Int
    public var reason: String
    public var version: String
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(status: Int, reason: String? = nil, version: String = "HTTP/1.1",
                headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.status = status
        self.reason = reason ?? HTTPResponse.reasonPhrase(status)
        self.version = version
        self.headers = headers
        self.body = body
    }

    /// Whether the server keeps the connection open after this response.
    public var keepAlive: Bool {
        if headers.contains("Connection", token: "close") { return false }
        if version == "HTTP/1.0" { return headers.contains("Connection", token: "keep-alive") }
        return true
    }

    public static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 202: "Accepted"
        case 204: "No Content"
        case 400: "Bad Request"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 408: "Request Timeout"
        case 410: "Gone"
        case 411: "Length Required"
        case 413: "Payload Too Large"
        case 415: "Unsupported Media Type"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 502: "Bad Gateway"
        case 505: "HTTP Version Not Supported"
        default: "Status \(status)"
        }
    }
}

extension Substring {
    /// The substring without leading and trailing spaces and tabs (HTTP's optional whitespace).
    func trimmingSpaces() -> Substring {
        // Over UTF-8 bytes: both are ASCII, so the cut points are character boundaries.
        let bytes = utf8
        var lower = bytes.startIndex, upper = bytes.endIndex
        while lower < upper, bytes[lower] == 32 || bytes[lower] == 9 { lower = bytes.index(after: lower) }
        while lower < upper {
            let last = bytes.index(before: upper)
            guard bytes[last] == 32 || bytes[last] == 9 else { break }
            upper = last
        }
        return self[lower..<upper]
    }
}
