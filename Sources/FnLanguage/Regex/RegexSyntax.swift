/// A zero-width test at a position of the text.
enum RegexAssertion: Sendable {
    /// `^`: the start of the text.
    case start
    /// `$` without `perl`, and `\\z`: the end of the text.
    case end
    /// `$` with `perl = TRUE`, and `\\Z`: the end, or just before a final newline (PCRE's rule).
    case endOrFinalNewline
    /// `\\b`, `\\B`.
    case wordBoundary, notWordBoundary
    /// `\\<`, `\\>` (R's default engine only).
    case wordStart, wordEnd
}

/// A parsed regular expression.
indirect enum RegexNode: Sendable {
    case empty
    /// One scalar; `foldCase` also matches its other case.
    case scalar(Unicode.Scalar, foldCase: Bool)
    /// `.`: any scalar, or any but a newline (`perl = TRUE`).
    case any(newline: Bool)
    case set(RegexScalarSet)
    case assertion(RegexAssertion)
    /// `( )`, with the capture number (from 1), or `(?: )` without one.
    case group(RegexNode, capture: Int?)
    case concat([RegexNode])
    case alternation([RegexNode])
    /// `max == nil` is unbounded; `greedy == false` for `*?`, `+?`, `??`, `{n,m}?`.
    case repetition(RegexNode, min: Int, max: Int?, greedy: Bool)
}

/// The result of parsing a pattern.
struct RegexSyntax {
    var root: RegexNode
    /// The number of capturing groups.
    var captureCount: Int
    /// Whether a lazy quantifier appears; such a pattern is matched leftmost-first even without `perl`
    /// (TRE honours lazy quantifiers too: `sub("a+?", "X", "aaa")` is `"Xaa"` in R).
    var hasLazy: Bool

    /// The largest repetition count in `{n}`, `{n,}`, `{n,m}`: bounds the size of the compiled program.
    static let maxRepeat = 1000
    /// Deep enough for any real pattern, shallow enough that the recursive parser and compiler cannot
    /// exhaust the stack.
    static let maxNesting = 200

    /// Parses `pattern` with R's default (TRE, POSIX extended) syntax, or PCRE's with `perl`.
    ///
    /// The syntax of the two engines differs in a few places, which this follows: inside brackets a
    /// backslash is a literal without `perl` (`[\\d]` is a backslash or a `d`) and an escape with it;
    /// an unmatched `)` is a literal without `perl`; `\\<`/`\\>` are word edges without `perl`, literal
    /// `<`/`>` with it; and with `perl` the classes are ASCII-only and `.` does not match a newline.
    static func parse(_ pattern: String, perl: Bool, ignoreCase: Bool) throws(FnError) -> RegexSyntax {
        var parser = RegexParser(pattern, perl: perl, ignoreCase: ignoreCase)
        let root = try parser.parseAll()
        return RegexSyntax(root: root, captureCount: parser.captureCount, hasLazy: parser.hasLazy)
    }
}

/// A recursive-descent parser over the pattern's scalars.
private struct RegexParser {
    let pattern: String
    let text: [Unicode.Scalar]
    let perl: Bool
    var ignoreCase: Bool
    var i = 0
    var depth = 0
    var captureCount = 0
    var hasLazy = false

    init(_ pattern: String, perl: Bool, ignoreCase: Bool) {
        self.pattern = pattern
        self.text = Array(pattern.unicodeScalars)
        self.perl = perl
        self.ignoreCase = ignoreCase
    }

    func error(_ reason: String) -> FnError {
        FnError.runtime("invalid regular expression '\(pattern)', reason '\(reason)'")
    }

    var atEnd: Bool { i >= text.count }
    func peek(_ offset: Int = 0) -> Unicode.Scalar? { i + offset < text.count ? text[i + offset] : nil }

    mutating func parseAll() throws(FnError) -> RegexNode {
        let node = try parseAlternation()
        if !atEnd {
            // Only an unmatched `)` stops the top level early.
            throw error("unmatched closing parenthesis")
        }
        return node
    }

    mutating func parseAlternation() throws(FnError) -> RegexNode {
        var branches = [try parseConcat()]
        while peek() == "|" {
            i += 1
            branches.append(try parseConcat())
        }
        return branches.count == 1 ? branches[0] : .alternation(branches)
    }

    mutating func parseConcat() throws(FnError) -> RegexNode {
        var items: [RegexNode] = []
        while let c = peek(), c != "|" {
            if c == ")" {
                // TRE reads a `)` with no open group as a literal; PCRE rejects it (parseAll).
                if depth > 0 || perl { break }
                i += 1
                items.append(literal(c))
                continue
            }
            if isQuantifierStart(c) {
                guard let last = items.popLast() else {
                    if perl { throw error("quantifier does not follow a repeatable item") }
                    // TRE ignores a repetition operator with nothing before it (`*a` finds `a`).
                    i += 1
                    if c == "{" { _ = try parseBound() }
                    continue
                }
                items.append(try parseQuantifiers(last))
                continue
            }
            if c == "\\" && perl && peek(1) == "Q" {
                // `\Q...\E` quotes everything up to `\E` (or the end); a quantifier after it takes the last scalar.
                i += 2
                while let q = peek() {
                    if q == "\\" && peek(1) == "E" { i += 2; break }
                    items.append(literal(q))
                    i += 1
                }
                continue
            }
            if let atom = try parseAtom() { items.append(atom) }
        }
        return items.count == 1 ? items[0] : (items.isEmpty ? .empty : .concat(items))
    }

    func isQuantifierStart(_ c: Unicode.Scalar) -> Bool {
        if c == "*" || c == "+" || c == "?" { return true }
        // With perl, a `{` that does not start a valid bound is a literal.
        return c == "{" && (!perl || boundAhead())
    }

    /// Whether `{n}`, `{n,}` or `{n,m}` starts at the current position (PCRE's test for a bound).
    func boundAhead() -> Bool {
        var j = i + 1
        var digits = 0
        while j < text.count, text[j].value >= 0x30, text[j].value <= 0x39 { j += 1; digits += 1 }
        guard digits > 0, j < text.count else { return false }
        if text[j] == "}" { return true }
        guard text[j] == "," else { return false }
        j += 1
        while j < text.count, text[j].value >= 0x30, text[j].value <= 0x39 { j += 1 }
        return j < text.count && text[j] == "}"
    }

    mutating func parseQuantifiers(_ atom: RegexNode) throws(FnError) -> RegexNode {
        var node = atom
        var quantified = false
        while let c = peek(), isQuantifierStart(c) {
            if quantified { throw error("invalid use of repetition operators") }
            i += 1
            var min = 0, max: Int? = nil
            switch c {
            case "*": break
            case "+": min = 1
            case "?": max = 1
            default: (min, max) = try parseBound()
            }
            var greedy = true
            if peek() == "?" {
                i += 1
                greedy = false
                hasLazy = true
            } else if peek() == "+" && perl {
                throw error("possessive quantifiers are not supported")
            }
            node = .repetition(node, min: min, max: max, greedy: greedy)
            quantified = true
        }
        return node
    }

    /// Reads `n}`, `n,}`, `n,m}` or (TRE) `,m}` after a `{`.
    mutating func parseBound() throws(FnError) -> (Int, Int?) {
        func number(_ p: inout RegexParser) throws(FnError) -> Int? {
            var value = 0, digits = 0
            while let c = p.peek(), c.value >= 0x30, c.value <= 0x39 {
                value = value * 10 + Int(c.value - 0x30)
                if value > RegexSyntax.maxRepeat {
                    throw p.error("repetition count is more than \(RegexSyntax.maxRepeat), fn's limit")
                }
                digits += 1
                p.i += 1
            }
            return digits > 0 ? value : nil
        }
        let low = try number(&self)
        var high = low
        if peek() == "," {
            i += 1
            high = try number(&self)
        }
        guard peek() == "}" else { throw error(atEnd ? "missing '}'" : "invalid contents of {}") }
        i += 1
        if low == nil && high == nil && !perl { throw error("invalid contents of {}") }
        let min = low ?? 0
        if let high, high < min { throw error("invalid contents of {}") }
        return (min, high)
    }

    mutating func parseAtom() throws(FnError) -> RegexNode? {
        guard let c = peek() else { return nil }
        i += 1
        switch c {
        case "(": return try parseGroup()
        case "[": return try parseBracket()
        case ".": return .any(newline: !perl)
        case "^": return .assertion(.start)
        case "$": return .assertion(perl ? .endOrFinalNewline : .end)
        case "\\": return try parseEscape()
        default: return literal(c)
        }
    }

    func literal(_ c: Unicode.Scalar) -> RegexNode {
        let lower = RegexCase.lower(c), upper = RegexCase.upper(c)
        let fold = ignoreCase && (lower != c || upper != c)
        // PCRE folds a letter to all of its forms, the titlecase one too (U+01C4, U+01C5, U+01C6 match
        // each other); TRE only to the lower and upper case of the pattern's letter, so in R
        // `grepl("\u01c5", "\u01c5", ignore.case = TRUE)` is FALSE and with `perl = TRUE` it is TRUE.
        if fold && perl {
            let forms = Set([c, lower, upper, RegexCase.title(c)])
            if forms.count > 2 {
                var set = RegexScalarSet()
                set.ranges = forms.map { $0.value...$0.value }
                set.seal()
                return .set(set)
            }
        }
        return .scalar(c, foldCase: fold)
    }

    func shorthand(_ kind: RegexClassName.Kind, negated: Bool) -> RegexNode {
        var set = RegexScalarSet()
        set.classes = [(RegexClassName(kind: kind, ascii: perl), false)]
        set.negated = negated
        set.seal()
        return .set(set)
    }

    mutating func parseGroup() throws(FnError) -> RegexNode? {
        if peek() == "?" && peek(1) == "i" && peek(2) == ")" {
            // `(?i)` turns on case folding for the rest of the enclosing group (or pattern).
            i += 3
            ignoreCase = true
            return nil
        }
        depth += 1
        defer { depth -= 1 }
        if depth > RegexSyntax.maxNesting { throw error("groups are nested more than \(RegexSyntax.maxNesting) deep") }
        let savedCase = ignoreCase
        defer { ignoreCase = savedCase }
        var capture: Int? = nil
        if peek() == "?" {
            i += 1
            switch peek() {
            case ":": i += 1
            case "=", "!": throw error("lookahead is not supported")
            case "<" where peek(1) == "=" || peek(1) == "!": throw error("lookbehind is not supported")
            case "i" where peek(1) == ":":
                i += 2
                ignoreCase = true
            default:
                let option = peek().map { String($0) } ?? ""
                throw error("unsupported group '(?\(option)': fn has (?:...), (?i) and (?i:...)")
            }
        } else {
            captureCount += 1
            capture = captureCount
        }
        let inner = try parseAlternation()
        guard peek() == ")" else { throw error("missing ')'") }
        i += 1
        return .group(inner, capture: capture)
    }

    mutating func parseEscape() throws(FnError) -> RegexNode {
        guard let c = peek() else { throw error("trailing backslash") }
        i += 1
        switch c {
        case "1"..."9": throw error("backreferences are not supported")
        case "d": return shorthand(.digit, negated: false)
        case "D": return shorthand(.digit, negated: true)
        case "w": return shorthand(.word, negated: false)
        case "W": return shorthand(.word, negated: true)
        case "s": return shorthand(.space, negated: false)
        case "S": return shorthand(.space, negated: true)
        case "b": return .assertion(.wordBoundary)
        case "B": return .assertion(.notWordBoundary)
        case "<" where !perl: return .assertion(.wordStart)
        case ">" where !perl: return .assertion(.wordEnd)
        case "A" where perl: return .assertion(.start)
        case "z" where perl: return .assertion(.end)
        case "Z" where perl: return .assertion(.endOrFinalNewline)
        case "k", "g": if perl { throw error("backreferences are not supported") }
        case "p", "P", "X", "R": if perl { throw error("\\\(c) is not supported") }
        case "E" where perl: return .empty
        default: break
        }
        if let s = try controlEscape(c) { return literal(s) }
        if perl && c.properties.isAlphabetic && c.value < 128 {
            throw error("unrecognized character follows \\")
        }
        return literal(c)
    }

    /// `\\n`, `\\t`, `\\xHH`, `\\x{H...}` and the other escapes for a single scalar.
    mutating func controlEscape(_ c: Unicode.Scalar) throws(FnError) -> Unicode.Scalar? {
        switch c {
        case "n": return "\n"
        case "t": return "\t"
        case "r": return "\r"
        case "f": return "\u{0C}"
        case "v": return "\u{0B}"
        case "a": return "\u{07}"
        case "e": return "\u{1B}"
        case "0" where perl: return "\u{00}"
        case "x":
            var digits = ""
            if peek() == "{" {
                i += 1
                while let h = peek(), h != "}" { digits.unicodeScalars.append(h); i += 1 }
                guard peek() == "}" else { throw error("missing '}' after \\x{") }
                i += 1
            } else {
                while digits.unicodeScalars.count < 2, let h = peek(), h.properties.isASCIIHexDigit {
                    digits.unicodeScalars.append(h)
                    i += 1
                }
            }
            if digits.isEmpty { return "\u{00}" }
            guard let v = UInt32(digits, radix: 16), let s = Unicode.Scalar(v) else {
                throw error("invalid \\x escape")
            }
            return s
        default: return nil
        }
    }

    mutating func parseBracket() throws(FnError) -> RegexNode {
        var set = RegexScalarSet()
        set.foldCase = ignoreCase
        if peek() == "^" { set.negated = true; i += 1 }
        var first = true
        while true {
            guard let c = peek() else { throw error("missing ']'") }
            if c == "]" && !first { i += 1; break }
            first = false
            if c == "[", let kind = peek(1), kind == ":" || kind == "=" || kind == "." {
                if kind != ":" { throw error("collating elements and equivalence classes are not supported") }
                i += 2
                var name = ""
                while let n = peek(), n != ":" { name.unicodeScalars.append(n); i += 1 }
                guard peek() == ":", peek(1) == "]" else { throw error("missing ']'") }
                i += 2
                guard let k = RegexClassName.Kind(rawValue: name), k != .word else {
                    throw error("unknown character class name")
                }
                set.classes.append((RegexClassName(kind: k, ascii: perl), false))
                continue
            }
            i += 1
            var low = c
            if c == "\\" && perl {
                guard let e = peek() else { throw error("missing ']'") }
                i += 1
                let shorthands: [Unicode.Scalar: (RegexClassName.Kind, Bool)] = [
                    "d": (.digit, false), "D": (.digit, true), "w": (.word, false),
                    "W": (.word, true), "s": (.space, false), "S": (.space, true),
                ]
                if let (k, negated) = shorthands[e] {
                    set.classes.append((RegexClassName(kind: k, ascii: true), negated))
                    continue
                }
                low = try controlEscape(e) ?? (e == "b" ? "\u{08}" : e)
            }
            // A range `a-z`; a `-` first, last, or after a range is a literal.
            if peek() == "-", let next = peek(1), next != "]" {
                i += 1
                var high = next
                i += 1
                if next == "\\" && perl {
                    guard let e = peek() else { throw error("missing ']'") }
                    i += 1
                    high = try controlEscape(e) ?? e
                } else if next == "[" && peek() == ":" {
                    throw error("invalid character range")
                }
                guard low.value <= high.value else { throw error("invalid character range") }
                set.ranges.append(low.value...high.value)
                continue
            }
            set.ranges.append(low.value...low.value)
        }
        set.seal()
        return .set(set)
    }
}
