/// Text encodings handlers need for HTTP: `base64_enc`/`base64_dec` (jsonlite's names) and R's
/// `URLencode`/`URLdecode`. fn has no raw vectors, so `base64_dec` returns a string and fails on
/// bytes that are not UTF-8.
extension BuiltinRegistry {
    mutating func registerEncoding() {
        define("base64_enc", ["input"]) { args, _ throws(FnError) in
            let input = try args.required(0, "input")
            guard input.atomicType == .character || input.isNull else {
                throw FnError.runtime("base64_enc(): 'input' must be a character vector")
            }
            let text = characterElements(input).map { $0 ?? "NA" }.joined(separator: "\n")
            return .character(Base64.encode(Array(text.utf8)))
        }
        define("base64_dec", ["input"]) { args, _ throws(FnError) in
            let text = try Unpack.string(args[0], "input")
            guard let bytes = Base64.decode(text) else {
                throw FnError.runtime("base64_dec(): 'input' is not valid base64")
            }
            guard let s = String(validating: bytes, as: UTF8.self), !bytes.contains(0) else {
                throw FnError.runtime("base64_dec(): the decoded bytes are not UTF-8 text")
            }
            return .character(s)
        }
        define("URLencode", ["URL", "reserved", "repeated"]) { args, _ throws(FnError) in
            let url = try args.required(0, "URL")
            let reserved = try Unpack.flag(args[1], "reserved", default: false)
            let repeated = try Unpack.flag(args[2], "repeated", default: false)
            let out = characterElements(url).map { s in s.map { URLCoding.encode($0, reserved: reserved, repeated: repeated) } }
            return Value(.character(out))
        }
        define("URLdecode", ["URL"]) { args, _ throws(FnError) in
            let url = try args.required(0, "URL")
            var out: [String?] = []
            for s in characterElements(url) {
                guard let s else { out.append(nil); continue }
                out.append(try URLCoding.decode(s))
            }
            return Value(.character(out))
        }
    }
}

/// RFC 4648 base64 with padding.
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i < bytes.count {
            let b0 = UInt32(bytes[i])
            let b1 = i + 1 < bytes.count ? UInt32(bytes[i + 1]) : 0
            let b2 = i + 2 < bytes.count ? UInt32(bytes[i + 2]) : 0
            let n = b0 << 16 | b1 << 8 | b2
            out.append(alphabet[Int(n >> 18 & 63)])
            out.append(alphabet[Int(n >> 12 & 63)])
            out.append(i + 1 < bytes.count ? alphabet[Int(n >> 6 & 63)] : UInt8(ascii: "="))
            out.append(i + 2 < bytes.count ? alphabet[Int(n & 63)] : UInt8(ascii: "="))
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes, or nil for text that is not base64. White space is skipped, padding optional,
    /// and the URL-safe alphabet (`-`, `_`) is accepted too.
    static func decode(_ text: String) -> [UInt8]? {
        var out: [UInt8] = []
        var acc: UInt32 = 0, bits = 0
        var padding = false
        for c in text.utf8 {
            let v: UInt32
            switch c {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): v = UInt32(c - UInt8(ascii: "A"))
            case UInt8(ascii: "a")...UInt8(ascii: "z"): v = UInt32(c - UInt8(ascii: "a")) + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = UInt32(c - UInt8(ascii: "0")) + 52
            case UInt8(ascii: "+"), UInt8(ascii: "-"): v = 62
            case UInt8(ascii: "/"), UInt8(ascii: "_"): v = 63
            case UInt8(ascii: "="): padding = true; continue
            case 0x20, 0x0A, 0x0D, 0x09: continue
            default: return nil
            }
            if padding { return nil }
            acc = acc << 6 | v
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(acc >> UInt32(bits) & 0xFF))
            }
        }
        return bits >= 6 ? nil : out
    }
}

/// Percent-encoding as R's `URLencode`/`URLdecode` do it.
enum URLCoding {
    static func encode(_ s: String, reserved: Bool, repeated: Bool) -> String {
        // R leaves text that already holds an escape alone unless `repeated = TRUE`.
        if !repeated && containsEscape(s) { return s }
        var out = ""
        for b in s.utf8 {
            if isUnreserved(b) || (!reserved && isReserved(b)) {
                out.unicodeScalars.append(Unicode.Scalar(b))
            } else {
                out += "%" + hex(b >> 4) + hex(b & 15)
            }
        }
        return out
    }

    static func decode(_ s: String) throws(FnError) -> String {
        let bytes = Array(s.utf8)
        var out: [UInt8] = []
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "%"), i + 2 < bytes.count, let hi = hexValue(bytes[i + 1]),
               let lo = hexValue(bytes[i + 2]) {
                out.append(hi << 4 | lo)
                i += 3
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        guard let text = String(validating: out, as: UTF8.self), !out.contains(0) else {
            throw FnError.runtime("URLdecode(): '\(s)' does not decode to UTF-8 text")
        }
        return text
    }

    private static func containsEscape(_ s: String) -> Bool {
        let b = Array(s.utf8)
        guard b.count >= 3 else { return false }
        for i in 0..<(b.count - 2) where b[i] == UInt8(ascii: "%") && hexValue(b[i + 1]) != nil
            && hexValue(b[i + 2]) != nil {
            return true
        }
        return false
    }

    private static func isUnreserved(_ b: UInt8) -> Bool {
        (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39)
            || b == UInt8(ascii: "-") || b == UInt8(ascii: ".") || b == UInt8(ascii: "_") || b == UInt8(ascii: "~")
    }

    private static func isReserved(_ b: UInt8) -> Bool {
        ":/?#[]@!$&'()*+,;=".utf8.contains(b)
    }

    private static func hex(_ v: UInt8) -> String {
        String(UnicodeScalar(v < 10 ? 48 + v : 55 + v))
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - 48
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - 87
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - 55
        default: return nil
        }
    }
}
