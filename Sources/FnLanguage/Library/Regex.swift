import Synchronization

/// Pattern matching: `grepl`, `grep`, `sub`, `gsub`, `regexpr`, `strsplit`, on Swift's native regex
/// engine. R's POSIX syntax (`[[:alpha:]]`, `\\<`) is translated; `fixed = TRUE` does literal search.
extension BuiltinRegistry {
    mutating func registerRegex() {
        define("grepl", ["pattern", "x", "ignore.case", "perl", "fixed", "useBytes"]) { args, ip throws(FnError) in
            let options = try RegexOptions(args, ignoreCase: 2, perl: 3, fixed: 4)
            let pattern = try Unpack.string(args[0], "pattern")
            let strings = characterElements(try args.required(1, "x"))
            let matcher = try Matcher(pattern, options)
            return Value(.logical(strings.map { s in s.map { matcher.matches($0) ? 1 : 0 } ?? 0 }))
        }
        define("grep", ["pattern", "x", "ignore.case", "perl", "value", "fixed", "useBytes", "invert"]) { args, ip throws(FnError) in
            let options = try RegexOptions(args, ignoreCase: 2, perl: 3, fixed: 5)
            let value = try Unpack.flag(args[4], "value", default: false)
            let invert = try Unpack.flag(args[7], "invert", default: false)
            let pattern = try Unpack.string(args[0], "pattern")
            let x = try args.required(1, "x")
            let strings = characterElements(x)
            let matcher = try Matcher(pattern, options)
            var hits: [Int] = []
            for (i, s) in strings.enumerated() {
                guard let s else { continue }
                if matcher.matches(s) != invert { hits.append(i) }
            }
            if value {
                let names = x.names.map { n in hits.map { n[$0] } }
                return Value(.character(hits.map { strings[$0] }), names: names)
            }
            let names = x.names.map { n in hits.map { n[$0] } }
            return Value(.integer(hits.map { Int32($0 + 1) }), names: names)
        }
        define("sub", ["pattern", "replacement", "x", "ignore.case", "perl", "fixed", "useBytes"]) { args, ip throws(FnError) in
            let options = try RegexOptions(args, ignoreCase: 3, perl: 4, fixed: 5)
            return try regexReplace(ip, try Unpack.string(args[0], "pattern"),
                                    try Unpack.string(args[1], "replacement"),
                                    try args.required(2, "x"), options: options, all: false)
        }
        define("gsub", ["pattern", "replacement", "x", "ignore.case", "perl", "fixed", "useBytes"]) { args, ip throws(FnError) in
            let options = try RegexOptions(args, ignoreCase: 3, perl: 4, fixed: 5)
            return try regexReplace(ip, try Unpack.string(args[0], "pattern"),
                                    try Unpack.string(args[1], "replacement"),
                                    try args.required(2, "x"), options: options, all: true)
        }
        define("regexpr", ["pattern", "text", "ignore.case", "perl", "fixed", "useBytes"]) { args, ip throws(FnError) in
            let options = try RegexOptions(args, ignoreCase: 2, perl: 3, fixed: 4)
            let matcher = try Matcher(try Unpack.string(args[0], "pattern"), options)
            var starts: [Int32] = [], lengths: [Int32] = []
            for s in characterElements(try args.required(1, "text")) {
                guard let s else { starts.append(NA.integer); lengths.append(NA.integer); continue }
                if let r = matcher.firstRange(in: s[...]) {
                    let scalars = s.unicodeScalars
                    starts.append(Int32(scalars.distance(from: scalars.startIndex, to: r.lowerBound) + 1))
                    lengths.append(Int32(scalars.distance(from: r.lowerBound, to: r.upperBound)))
                } else {
                    starts.append(-1)
                    lengths.append(-1)
                }
            }
            // The lengths ride in the names, since fn has no `match.length` attribute (see regmatches).
            return Value(.integer(starts), names: lengths.map { $0 == NA.integer ? "NA" : String($0) })
        }
        define("strsplit", ["x", "split", "fixed", "perl", "useBytes"]) { args, ip throws(FnError) in
            let x = try args.required(0, "x")
            guard x.atomicType == .character else { throw FnError.runtime("non-character argument") }
            var options = RegexOptions()
            options.fixed = try Unpack.flag(args[2], "fixed", default: false)
            options.perl = try Unpack.flag(args[3], "perl", default: false)
            let splits = characterElements(try args.required(1, "split"))
            let strings = characterElements(x)
            var matchers: [String: Matcher] = [:]
            var out: [Value] = []
            out.reserveCapacity(strings.count)
            for (i, s) in strings.enumerated() {
                guard let s else { out.append(.character(nil)); continue }
                let split = splits.isEmpty ? "" : (splits[i % splits.count] ?? "")
                if split.isEmpty {
                    out.append(Value(.character(s.unicodeScalars.map { String($0) })))
                    continue
                }
                let matcher: Matcher
                if let m = matchers[split] { matcher = m } else {
                    matcher = try Matcher(split, options)
                    matchers[split] = matcher
                }
                out.append(Value(.character(matcher.split(s))))
            }
            return .list(List(out, names: x.names))
        }
    }
}

/// The `ignore.case`, `perl` and `fixed` flags of a pattern function.
struct RegexOptions: Hashable {
    var ignoreCase = false
    var perl = false
    var fixed = false

    init() {}

    init(_ args: Arguments, ignoreCase: Int, perl: Int, fixed: Int) throws(FnError) {
        self.ignoreCase = try Unpack.flag(args[ignoreCase], "ignore.case", default: false)
        self.perl = try Unpack.flag(args[perl], "perl", default: false)
        self.fixed = try Unpack.flag(args[fixed], "fixed", default: false)
    }
}

/// A compiled pattern: a literal for `fixed = TRUE`, otherwise a cached Swift regex.
struct Matcher {
    let literal: String?
    let regex: Regex<AnyRegexOutput>?

    init(_ pattern: String, _ options: RegexOptions) throws(FnError) {
        if options.fixed {
            literal = pattern
            regex = nil
        } else {
            literal = nil
            regex = try RegexCache.shared.regex(pattern, options)
        }
    }

    func matches(_ s: String) -> Bool {
        if let literal { return literal.isEmpty || s.unicodeScalars.firstRange(of: literal.unicodeScalars) != nil }
        guard let regex else { return false }
        return (try? regex.firstMatch(in: s)) != nil
    }

    /// The range of the first match in `s`, in unicode scalar indices.
    func firstRange(in s: Substring) -> Range<String.Index>? {
        if let literal {
            return s.unicodeScalars.firstRange(of: literal.unicodeScalars)
        }
        guard let regex, let m = try? regex.firstMatch(in: s) else { return nil }
        return m.range
    }

    /// R's `strsplit` on one string: a match at the start gives a leading "", no trailing "".
    func split(_ s: String) -> [String?] {
        var out: [String?] = []
        var rest = s[...]
        while !rest.isEmpty {
            guard let r = firstRange(in: rest) else { break }
            if r.isEmpty {
                // An empty match splits off one character, as R does.
                let next = rest.unicodeScalars.index(after: rest.startIndex)
                out.append(String(rest[rest.startIndex..<next]))
                rest = rest[next...]
                continue
            }
            out.append(String(rest[rest.startIndex..<r.lowerBound]))
            rest = rest[r.upperBound...]
        }
        if !rest.isEmpty { out.append(String(rest)) }
        return out
    }

    /// Replaces the first (or every) match in `s`; `\\1`..`\\9` in `replacement` are groups (`\\0` is
    /// a plain "0", as in R's default engine).
    func replace(_ s: String, _ replacement: String, all: Bool, perl: Bool) -> String {
        if let literal {
            guard !literal.isEmpty else { return s }
            var out = ""
            var rest = s[...]
            while let r = rest.unicodeScalars.firstRange(of: literal.unicodeScalars) {
                out += rest[rest.startIndex..<r.lowerBound]
                out += replacement
                rest = rest[r.upperBound...]
                if !all { break }
            }
            return out + rest
        }
        guard let regex else { return s }
        var out = ""
        var last = s.startIndex
        var changed = false
        var previous: (end: String.Index, empty: Bool)? = nil
        for m in s.matches(of: regex) {
            let empty = m.range.isEmpty
            // R skips an empty match right after a non-empty one: gsub("x*", "-", "axb") is "-a-b-".
            if empty, let p = previous, !p.empty, p.end == m.range.lowerBound { continue }
            previous = (m.range.upperBound, empty)
            out += s[last..<m.range.lowerBound]
            out += expand(replacement, m, perl: perl)
            last = m.range.upperBound
            changed = true
            if !all { break }
        }
        if !changed { return s }
        return out + s[last...]
    }

    private func expand(_ replacement: String, _ m: Regex<AnyRegexOutput>.Match, perl: Bool) -> String {
        guard replacement.contains("\\") else { return replacement }
        var out = ""
        var caseMode: Character? = nil
        var chars = replacement.makeIterator()
        func emit(_ text: Substring) {
            switch caseMode {
            case "U": out += text.uppercased()
            case "L": out += text.lowercased()
            default: out += text
            }
        }
        while let c = chars.next() {
            guard c == "\\" else { emit(Substring(String(c))); continue }
            guard let n = chars.next() else { break }
            if let d = n.wholeNumberValue, d >= 1 {
                if d < m.output.count, let sub = m.output[d].substring { emit(sub) }
            } else if perl && (n == "U" || n == "L") {
                caseMode = n
            } else if perl && n == "E" {
                caseMode = nil
            } else {
                emit(Substring(String(n)))
            }
        }
        return out
    }
}

/// Compiled regexes by pattern and options, shared by all interpreters (patterns are usually
/// literals in handler code, so the set stays small; it is cleared when it grows past a bound).
final class RegexCache: Sendable {
    static let shared = RegexCache()

    private struct Key: Hashable {
        var pattern: String
        var options: RegexOptions
    }

    private let entries = Mutex<[Key: Regex<AnyRegexOutput>]>([:])

    func regex(_ pattern: String, _ options: RegexOptions) throws(FnError) -> Regex<AnyRegexOutput> {
        let key = Key(pattern: pattern, options: options)
        if let r = entries.withLock({ $0[key] }) { return r }
        var regex: Regex<AnyRegexOutput>
        do {
            regex = try Regex(translate(pattern, options))
        } catch {
            throw FnError.runtime("invalid regular expression '\(pattern)', reason '\(error)'")
        }
        regex = regex.matchingSemantics(.unicodeScalar)
        if options.ignoreCase { regex = regex.ignoresCase() }
        let compiled = regex
        entries.withLock { table in
            if table.count > 256 { table.removeAll() }
            table[key] = compiled
        }
        return compiled
    }

    /// Rewrites R's POSIX (TRE) spellings that Swift's regex syntax reads differently.
    private func translate(_ pattern: String, _ options: RegexOptions) -> String {
        guard pattern.contains("\\") else { return pattern }
        var out = ""
        var it = pattern.makeIterator()
        while let c = it.next() {
            guard c == "\\" else { out.append(c); continue }
            guard let n = it.next() else { out.append(c); break }
            switch n {
            case "<", ">": out += options.perl ? "\\" + String(n) : "\\b"
            default: out.append(c); out.append(n)
            }
        }
        return out
    }
}

/// `sub`/`gsub` over a character vector; NA stays NA, names are dropped as in R.
func regexReplace(
    _ ip: Interpreter, _ pattern: String, _ replacement: String, _ x: Value, options: RegexOptions, all: Bool
) throws(FnError) -> Value {
    let matcher = try Matcher(pattern, options)
    if case .character(let s) = x {
        return .character(s.map { matcher.replace($0, replacement, all: all, perl: options.perl) })
    }
    let strings = characterElements(x)
    return Value(.character(strings.map { s in s.map { matcher.replace($0, replacement, all: all, perl: options.perl) } }))
}
