/// Helpers for R's `format` of character vectors: the width a string takes as R measures it.
enum FormatWidth {
    /// Columns `s` occupies when R formats it: East Asian wide characters and emoji take two
    /// columns, and control characters count as their escapes (`\t` is two columns), as in R.
    static func columns(_ s: String) -> Int {
        var n = 0
        for c in s.unicodeScalars {
            switch c.value {
            case 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D: n += 2
            case 0x00..<0x20, 0x7F: n += 4
            default: n += isWide(c.value) ? 2 : 1
            }
        }
        return n
    }

    private static func isWide(_ v: UInt32) -> Bool {
        switch v {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
             0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
             0xFFE0...0xFFE6, 0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x2FFFD, 0x30000...0x3FFFD:
            return true
        default:
            return false
        }
    }

    /// `s` padded with spaces to `width` columns: on the right (`left`), on the left, or both.
    static func pad(_ s: String, to width: Int, justify: String) -> String {
        let n = columns(s)
        guard n < width else { return s }
        let fill = width - n
        switch justify {
        case "right": return String(repeating: " ", count: fill) + s
        case "centre":
            return String(repeating: " ", count: fill / 2) + s + String(repeating: " ", count: fill - fill / 2)
        case "none": return s
        default: return s + String(repeating: " ", count: fill)
        }
    }
}
