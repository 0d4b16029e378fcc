/// Writes the small JSON documents the runtime produces itself (error objects, log lines)
/// without going through fn values, so reporting an error can never fail on its own.
public enum JSONText {
    /// `{"errorMessage": ..., "errorType": ..., "stackTrace": [...]}`: Lambda's error shape.
    public static func error(_ error: HandlerError) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(64 + error.errorMessage.utf8.count)
        out.append(contentsOf: #"{"errorMessage":"#.utf8)
        appendString(error.errorMessage, to: &out)
        out.append(contentsOf: #","errorType":"#.utf8)
        appendString(error.errorType, to: &out)
        out.append(contentsOf: #","stackTrace":["#.utf8)
        for (i, frame) in error.stackTrace.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            appendString(frame, to: &out)
        }
        out.append(contentsOf: "]}".utf8)
        return out
    }

    /// Appends `text` as a JSON string literal (quotes included), escaping what RFC 8259 requires.
    static func appendString(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: #"\""#.utf8)
            case UInt8(ascii: "\\"): out.append(contentsOf: #"\\"#.utf8)
            case 10: out.append(contentsOf: #"\n"#.utf8)
            case 13: out.append(contentsOf: #"\r"#.utf8)
            case 9: out.append(contentsOf: #"\t"#.utf8)
            case 0..<32, 127:
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                out.append(contentsOf: #"\u00"#.utf8)
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 15)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
