/// A named class of scalars: the POSIX bracket classes (`[:alpha:]`) and the word class behind `\\w`.
///
/// R's default engine (TRE) classifies by Unicode, as glibc's `iswalpha` and friends do in a UTF-8
/// locale; R's PCRE is compiled without Unicode properties, so with `perl = TRUE` every class is
/// ASCII-only (`gsub("\\w", "_", "aé", perl = TRUE)` is `"_é"`). `ascii` selects the latter.
struct RegexClassName: Hashable, Sendable {
    enum Kind: String, CaseIterable, Sendable {
        case alpha, digit, alnum, upper, lower, space, blank, punct, print, graph, cntrl, xdigit, word
    }

    var kind: Kind
    var ascii: Bool

    /// Whether `c` is in the class.
    func contains(_ c: Unicode.Scalar) -> Bool {
        let v = c.value
        if v < 128 { return Self.asciiContains(kind, UInt8(v)) }
        if ascii { return false }
        let p = c.properties
        switch kind {
        case .alpha: return p.isAlphabetic
        case .digit, .xdigit: return false
        case .alnum: return p.isAlphabetic
        case .word: return p.isAlphabetic || p.generalCategory == .decimalNumber
        case .upper: return p.isUppercase
        case .lower: return p.isLowercase
        case .space: return Self.isUnicodeSpace(c)
        case .blank: return p.generalCategory == .spaceSeparator && !Self.isNoBreakSpace(v)
        case .cntrl: return p.generalCategory == .control || v == 0x2028 || v == 0x2029
        case .graph, .print:
            if Self.isUnicodeSpace(c) { return kind == .print && p.generalCategory == .spaceSeparator }
            return Self.isGraphic(p.generalCategory)
        case .punct: return Self.isGraphic(p.generalCategory) && !p.isAlphabetic && p.numericType == nil
        }
    }

    private static func asciiContains(_ kind: Kind, _ b: UInt8) -> Bool {
        let letter = (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
        let digit = b >= 0x30 && b <= 0x39
        let graph = b > 0x20 && b < 0x7F
        switch kind {
        case .alpha: return letter
        case .digit: return digit
        case .alnum: return letter || digit
        case .word: return letter || digit || b == 0x5F
        case .upper: return b >= 0x41 && b <= 0x5A
        case .lower: return b >= 0x61 && b <= 0x7A
        case .space: return b == 0x20 || (b >= 0x09 && b <= 0x0D)
        case .blank: return b == 0x20 || b == 0x09
        case .punct: return graph && !letter && !digit
        case .print: return graph || b == 0x20
        case .graph: return graph
        case .cntrl: return b < 0x20 || b == 0x7F
        case .xdigit: return digit || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66)
        }
    }

    /// glibc's `iswspace` outside ASCII: the Unicode spaces except the no-break ones.
    private static func isUnicodeSpace(_ c: Unicode.Scalar) -> Bool {
        c.properties.isWhitespace && !isNoBreakSpace(c.value)
    }

    private static func isNoBreakSpace(_ v: UInt32) -> Bool { v == 0xA0 || v == 0x2007 || v == 0x202F }

    private static func isGraphic(_ category: Unicode.GeneralCategory) -> Bool {
        switch category {
        case .control, .unassigned, .surrogate, .lineSeparator, .paragraphSeparator, .spaceSeparator: return false
        default: return true
        }
    }
}

/// Simple one-scalar case mappings, for `ignore.case` and `(?i)`.
enum RegexCase {
    static func lower(_ c: Unicode.Scalar) -> Unicode.Scalar {
        let v = c.value
        if v < 128 { return v >= 0x41 && v <= 0x5A ? Unicode.Scalar(UInt8(v + 32)) : c }
        return single(c.properties.lowercaseMapping) ?? c
    }

    static func upper(_ c: Unicode.Scalar) -> Unicode.Scalar {
        let v = c.value
        if v < 128 { return v >= 0x61 && v <= 0x7A ? Unicode.Scalar(UInt8(v - 32)) : c }
        return single(c.properties.uppercaseMapping) ?? c
    }

    /// The titlecase form, which differs from the upper case only for digraphs (U+01C4 -> U+01C5).
    static func title(_ c: Unicode.Scalar) -> Unicode.Scalar {
        c.value < 128 ? upper(c) : single(c.properties.titlecaseMapping) ?? c
    }

    // A mapping to several scalars (ß -> SS) has no one-scalar counterpart; such scalars match only themselves.
    private static func single(_ s: String) -> Unicode.Scalar? {
        var it = s.unicodeScalars.makeIterator()
        guard let first = it.next(), it.next() == nil else { return nil }
        return first
    }
}

/// The scalars a bracket expression (or `\\d`, `\\w`, `\\s` and their negations) matches.
struct RegexScalarSet: Sendable {
    /// Inclusive scalar ranges; a single scalar is a range of one.
    var ranges: [ClosedRange<UInt32>] = []
    /// Named classes; `negated` is for `\\D`, `\\W`, `\\S` inside brackets.
    var classes: [(name: RegexClassName, negated: Bool)] = []
    /// `[^...]`.
    var negated = false
    /// Match either case of a scalar.
    var foldCase = false
    // Membership of the 128 ASCII scalars, after negation and case folding: the common case is one bit test.
    private var asciiLow: UInt64 = 0
    private var asciiHigh: UInt64 = 0

    /// Fills the ASCII table; call once after the ranges, classes and flags are final.
    mutating func seal() {
        asciiLow = 0
        asciiHigh = 0
        for v in 0..<UInt32(128) where slowContains(Unicode.Scalar(UInt8(v))) {
            if v < 64 { asciiLow |= 1 << UInt64(v) } else { asciiHigh |= 1 << UInt64(v - 64) }
        }
    }

    /// Whether the set matches `c`.
    @inline(__always)
    func contains(_ c: Unicode.Scalar) -> Bool {
        let v = c.value
        if v < 64 { return asciiLow & (1 << UInt64(v)) != 0 }
        if v < 128 { return asciiHigh & (1 << UInt64(v - 64)) != 0 }
        return slowContains(c)
    }

    /// Whether the set matches the ASCII scalar `b` (for the machine's first-byte filter).
    func containsASCII(_ b: UInt8) -> Bool {
        b < 64 ? asciiLow & (1 << UInt64(b)) != 0 : asciiHigh & (1 << UInt64(b - 64)) != 0
    }

    /// Whether some scalar outside ASCII may be in the set (conservative).
    var mayContainNonASCII: Bool {
        negated || foldCase || classes.contains { !$0.name.ascii || $0.negated }
            || ranges.contains { $0.upperBound >= 128 }
    }

    private func slowContains(_ c: Unicode.Scalar) -> Bool {
        var hit = rawContains(c)
        if !hit && foldCase {
            let lo = RegexCase.lower(c), up = RegexCase.upper(c)
            hit = (lo != c && rawContains(lo)) || (up != c && rawContains(up))
        }
        return hit != negated
    }

    private func rawContains(_ c: Unicode.Scalar) -> Bool {
        let v = c.value
        for r in ranges where r.contains(v) { return true }
        for (name, negated) in classes where name.contains(c) != negated { return true }
        return false
    }
}
