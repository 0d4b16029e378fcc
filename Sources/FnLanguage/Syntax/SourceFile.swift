/// Source text with its name; turns byte offsets into line and column on demand.
public final class SourceFile: Sendable {
    /// The name shown in messages (`functions.fn`, `<eval>`).
    public let name: String
    /// The text as UTF-8 bytes.
    public let bytes: [UInt8]
    /// Byte offsets where each line starts.
    private let lineStarts: [Int]

    public convenience init(name: String, text: String) {
        self.init(name: name, bytes: Array(text.utf8))
    }

    public init(name: String, bytes: [UInt8]) {
        self.name = name
        self.bytes = bytes
        var starts = [0]
        for (i, b) in bytes.enumerated() where b == UInt8(ascii: "\n") { starts.append(i + 1) }
        self.lineStarts = starts
    }

    /// 1-based line and column (in characters, counting UTF-8 scalars) of a byte offset.
    public func location(of offset: Int32) -> (line: Int, column: Int) {
        let off = max(0, min(Int(offset), bytes.count))
        var lo = 0, hi = lineStarts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if lineStarts[mid] <= off { lo = mid } else { hi = mid - 1 }
        }
        var column = 1
        var i = lineStarts[lo]
        while i < off {
            if bytes[i] & 0xC0 != 0x80 { column += 1 }
            i += 1
        }
        if off < bytes.count, bytes[off] & 0xC0 == 0x80 { column -= 1 }
        return (lo + 1, column)
    }

    /// `name:line:col` for a byte offset.
    public func describe(_ offset: Int32) -> String {
        let (l, c) = location(of: offset)
        return "\(name):\(l):\(c)"
    }

    /// The text of the given 1-based line, without its newline.
    public func lineText(_ line: Int) -> String {
        guard line >= 1 && line <= lineStarts.count else { return "" }
        let start = lineStarts[line - 1]
        var end = line < lineStarts.count ? lineStarts[line] - 1 : bytes.count
        if end > start && bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        return String(decoding: bytes[start..<max(start, end)], as: UTF8.self)
    }

    /// The source text of a span.
    public func text(_ span: Span) -> String {
        let s = max(0, min(Int(span.start), bytes.count))
        let e = max(s, min(Int(span.end), bytes.count))
        return String(decoding: bytes[s..<e], as: UTF8.self)
    }
}
