/// Header fields in the order they arrived; names compare case-insensitively (RFC 9110 §5.1).
///
/// A list, not a dictionary: messages carry a handful of fields, order is kept for writing,
/// and repeated fields stay distinct. The fields are kept as bytes, one buffer for all of them,
/// because most are never looked at: a field becomes a `String` only when it is asked for.
public struct HTTPHeaders: Sendable, Equatable {
    /// The bytes the fields' names and values are ranges of.
    private var text: [UInt8] = []
    private var spans: [Span] = []

    /// One field: its name and its value as ranges of `text`.
    struct Span: Sendable {
        var name: Range<Int>
        var value: Range<Int>
    }

    public init() {}

    /// Leaves room for a few more fields: each array allocation costs more than the bytes it
    /// holds here (a generic-metadata lookup in the Swift runtime), so adding one should not move them.
    public init(_ fields: [(String, String)]) {
        spans.reserveCapacity(fields.count + 4)
        text.reserveCapacity(fields.reduce(128) { $0 + $1.0.utf8.count + $1.1.utf8.count })
        for (name, value) in fields { add(name, value) }
    }

    /// Fields found in a message's head: `spans` are ranges of `head` counted from its start, so
    /// reading a head copies its bytes once, in one piece.
    init(head: ArraySlice<UInt8>, spans: [Span]) {
        text = Array(head)
        self.spans = spans
    }

    public mutating func add(_ name: String, _ value: String) {
        var name = name, value = value
        name.withUTF8 { n in value.withUTF8 { v in add(name: n, value: v) } }
    }

    private mutating func add(name: UnsafeBufferPointer<UInt8>, value: UnsafeBufferPointer<UInt8>) {
        let start = text.count
        text.append(contentsOf: name)
        let valueStart = text.count
        text.append(contentsOf: value)
        spans.append(Span(name: start..<valueStart, value: valueStart..<text.count))
    }

    /// Replaces every field called `name` with one field.
    public mutating func set(_ name: String, _ value: String) {
        remove(name)
        add(name, value)
    }

    public mutating func remove(_ name: String) {
        guard spans.contains(where: { isNamed($0, name) }) else { return }
        var kept = HTTPHeaders()
        forEachField { fieldName, value in
            if !Self.sameName(fieldName, name) { kept.add(name: fieldName, value: value) }
        }
        self = kept
    }

    /// The first field called `name`, if any.
    public subscript(_ name: String) -> String? {
        guard let span = spans.first(where: { isNamed($0, name) }) else { return nil }
        return string(span.value)
    }

    public var count: Int { spans.count }

    /// Calls `body` with the value of each field called `name`, as bytes, in order.
    func forEachValue(named name: String, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        var name = name
        name.withUTF8 { wanted in
            text.withUnsafeBufferPointer { t in
                for span in spans where Self.sameName(UnsafeBufferPointer(rebasing: t[span.name]), wanted) {
                    body(UnsafeBufferPointer(rebasing: t[span.value]))
                }
            }
        }
    }

    /// Calls `body` with each field's name and value as bytes, in order.
    func forEachField(_ body: (_ name: UnsafeBufferPointer<UInt8>, _ value: UnsafeBufferPointer<UInt8>) -> Void) {
        text.withUnsafeBufferPointer { t in
            for span in spans { body(UnsafeBufferPointer(rebasing: t[span.name]), UnsafeBufferPointer(rebasing: t[span.value])) }
        }
    }

    /// True when a comma-separated field (such as `Connection`) lists `token`.
    func contains(_ name: String, token: String) -> Bool {
        var found = false
        forEachValue(named: name) { value in
            for part in value.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false) {
                let listed = trimmingOptionalWhitespace(value, part.startIndex..<part.endIndex)
                if Self.sameName(UnsafeBufferPointer(rebasing: value[listed]), token) { found = true }
            }
        }
        return found
    }

    private func isNamed(_ span: Span, _ name: String) -> Bool {
        guard name.utf8.count == span.name.count else { return false }
        return text.withUnsafeBufferPointer { Self.sameName(UnsafeBufferPointer(rebasing: $0[span.name]), name) }
    }

    private func string(_ range: Range<Int>) -> String { String(decoding: text[range], as: UTF8.self) }

    /// ASCII case-insensitive comparison without allocating lowercased copies.
    static func sameName(_ a: String, _ b: String) -> Bool {
        // Not `a == b`: Swift compares strings by canonical equivalence, not bytes.
        var a = a
        return a.withUTF8 { sameName($0, b) }
    }

    static func sameName(_ a: UnsafeBufferPointer<UInt8>, _ b: String) -> Bool {
        var b = b
        return b.withUTF8 { sameName(a, $0) }
    }

    static func sameName(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        for i in 0..<a.count where a[i] != b[i] {
            guard asciiLower(a[i]) == asciiLower(b[i]) else { return false }
        }
        return true
    }

    static func asciiLower(_ byte: UInt8) -> UInt8 {
        byte >= 65 && byte <= 90 ? byte | 0x20 : byte
    }

    /// Same fields, same bytes, same order.
    public static func == (lhs: HTTPHeaders, rhs: HTTPHeaders) -> Bool {
        guard lhs.spans.count == rhs.spans.count else { return false }
        for (l, r) in zip(lhs.spans, rhs.spans) {
            guard lhs.text[l.name] == rhs.text[r.name], lhs.text[l.value] == rhs.text[r.value] else { return false }
        }
        return true
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
        self[trimmingOptionalWhitespace(utf8, utf8.startIndex..<utf8.endIndex)]
    }
}

/// Whether `byte` is HTTP's optional whitespace: a space or a tab (RFC 9110 §5.6.3).
@inline(__always) func isOptionalWhitespace(_ byte: UInt8) -> Bool { byte == 32 || byte == 9 }

/// `range` of `bytes` without the optional whitespace at either end.
@inline(__always) func trimmingOptionalWhitespace<Bytes: BidirectionalCollection<UInt8>>(
    _ bytes: Bytes, _ range: Range<Bytes.Index>
) -> Range<Bytes.Index> {
    var lower = range.lowerBound, upper = range.upperBound
    while lower < upper, isOptionalWhitespace(bytes[lower]) { lower = bytes.index(after: lower) }
    while lower < upper {
        let last = bytes.index(before: upper)
        guard isOptionalWhitespace(bytes[last]) else { break }
        upper = last
    }
    return lower..<upper
}
