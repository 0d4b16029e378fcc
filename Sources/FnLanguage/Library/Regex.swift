/// Pattern matching: `grepl`, `grep`, `sub`, `gsub`, `regexpr`, `strsplit`, on fn's own regex engine
/// (Sources/FnLanguage/Regex); `fixed = TRUE` does literal search.
extension BuiltinRegistry {
    mutating func registerRegex() {
        define("grepl", ["pattern", "x", "ignore.case", "perl", "fixed", "useBytes"]) { args, ip throws(FnError) in
            let options = try RegexOptions(args, ignoreCase: 2, perl: 3, fixed: 4)
            let pattern = try Unpack.string(args[0], "pattern")
            let strings = characterElements(try args.required(1, "x"))
            let matcher = try Matcher(pattern, options, ip)
            let found = Value(.logical(strings.map { s in s.map { matcher.matches($0) ? 1 : 0 } ?? 0 }))
            try matcher.throwIfCancelled()
            return found
        }
        define("grep", ["pattern", "x", "ignore.case", "perl", "value", "fixed", "useBytes", "invert"]) { args, ip throws(FnError) in
            let options = try RegexOptions(args, ignoreCase: 2, perl: 3, fixed: 5)
            let value = try Unpack.flag(args[4], "value", default: false)
            let invert = try Unpack.flag(args[7], "invert", default: false)
            let pattern = try Unpack.string(args[0], "pattern")
            let x = try args.required(1, "x")
            let strings = characterElements(x)
            let matcher = try Matcher(pattern, options, ip)
            var hits: [Int] = []
            for (i, s) in strings.enumerated() {
                guard let s else { continue }
                if matcher.matches(s) != invert { hits.append(i) }
            }
            try matcher.throwIfCancelled()
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
            let matcher = try Matcher(try Unpack.string(args[0], "pattern"), options, ip)
            var starts: [Int32] = [], lengths: [Int32] = []
            let texts = characterElements(try args.required(1, "text"))
            for s in texts {
                guard let s else { starts.append(NA.integer); lengths.append(NA.integer); continue }
                if let m = matcher.firstMatch(in: s) {
                    starts.append(Int32(m.start + 1))
                    lengths.append(Int32(m.length))
                } else {
                    starts.append(-1)
                    lengths.append(-1)
                }
            }
            try matcher.throwIfCancelled()
            return regexMatches(starts, lengths, ascii: allASCII(try Unpack.string(args[0], "pattern"), texts))
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
                let split: String
                if splits.isEmpty { split = "" } else if let given = splits[i % splits.count] { split = given } else {
                    // An NA split leaves the string whole, as in R.
                    out.append(.character(s))
                    continue
                }
                if split.isEmpty {
                    out.append(Value(.character(s.unicodeScalars.map { String($0) })))
                    continue
                }
                let matcher: Matcher
                if let m = matchers[split] { matcher = m } else {
                    matcher = try Matcher(split, options, ip)
                    matchers[split] = matcher
                }
                out.append(Value(.character(matcher.split(s))))
                try matcher.throwIfCancelled()
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

/// A compiled pattern and a machine to run it, for one builtin call.
///
/// `fixed = TRUE` compiles to a literal program; everything else goes through fn's own engine
/// (Sources/FnLanguage/Regex): linear time, leftmost-longest by default, leftmost-first with `perl`.
/// Positions are UTF-8 byte offsets inside, Unicode scalars outside (what `regexpr` reports).
struct Matcher {
    let program: RegexProgram
    /// `fixed = TRUE` with an empty pattern, which R treats specially in each builtin.
    let emptyLiteral: Bool
    private let machine: RegexMachine

    /// Compiles (or finds in the cache) `pattern`; the positions of its first `groups` groups are
    /// kept, for `sub`/`gsub`. With `ip`, the interpreter's deadline stops the searches (see
    /// `throwIfCancelled`).
    init(_ pattern: String, _ options: RegexOptions, groups: Int = 0, _ ip: Interpreter? = nil) throws(FnError) {
        program = try RegexCache.shared.program(pattern, options)
        emptyLiteral = options.fixed && pattern.isEmpty
        machine = RegexMachine(program, groups: groups)
        machine.cancellation = ip?.cancellation
    }

    /// A matcher for a program compiled elsewhere (the fuzz target wraps a parsed pattern in a group).
    init(program: RegexProgram, groups: Int) {
        self.program = program
        emptyLiteral = false
        machine = RegexMachine(program, groups: groups)
    }

    /// The cancellation error when the deadline stopped a search (whose result is then meaningless).
    func throwIfCancelled() throws(FnError) {
        if machine.cancelled { throw FnError.cancelled() }
    }

    func matches(_ s: String) -> Bool {
        if emptyLiteral { return true }
        return withText(s) { machine.search($0, from: 0, mode: .exists) != nil }
    }

    /// The first match in `s` as a 0-based scalar offset and a length in scalars.
    func firstMatch(in s: String) -> (start: Int, length: Int)? {
        withText(s) { text in
            guard let r = machine.search(text, from: 0) else { return nil }
            let start = scalarCount(text, 0..<r.lowerBound)
            return (start, scalarCount(text, r))
        }
    }

    /// Every match in `s`, as R's `gregexpr` finds them, in scalars like `firstMatch`.
    func allMatches(in s: String) -> [(start: Int, length: Int)] {
        if emptyLiteral { return [] }
        return withText(s) { text in
            var ranges: [Range<Int>] = []
            forEachMatch(text) { ranges.append($0); return true }
            // R's engine does not report an empty match at the very end of a string, unless it is the
            // only match in a non-empty one (`gregexpr("$", "ab")` is 3).
            if let last = ranges.last, last.isEmpty, last.lowerBound == text.count, ranges.count > 1 || text.isEmpty {
                ranges.removeLast()
            }
            var out: [(start: Int, length: Int)] = []
            out.reserveCapacity(ranges.count)
            var scalars = 0, counted = 0
            for r in ranges {
                scalars += scalarCount(text, counted..<r.lowerBound)
                counted = r.lowerBound
                out.append((scalars, scalarCount(text, r)))
            }
            return out
        }
    }

    /// R's `strsplit` on one string: a match at the start gives a leading "", no trailing "".
    ///
    /// Each search sees only the rest of the string, so `^` matches at every piece, as in R
    /// (`strsplit("aaa", "^a")` is `c("", "", "")`).
    func split(_ s: String) -> [String?] {
        withText(s) { text in
            var out: [String?] = []
            var rest = 0
            let n = text.count
            while rest < n {
                let view = UnsafeBufferPointer(rebasing: text[rest...])
                guard let r = machine.search(view, from: 0) else { break }
                if r.isEmpty {
                    // An empty match splits off one character, as R does.
                    let length = scalarLength(view[0])
                    out.append(string(view, 0..<length))
                    rest += length
                    continue
                }
                out.append(string(view, 0..<r.lowerBound))
                rest += r.upperBound
            }
            if rest < n { out.append(string(text, rest..<n)) }
            return out
        }
    }

    /// Replaces the first (or every) match in `s` by `replacement`'s expansion; `s` when the result
    /// would not fit the memory budget (callers that can report that use `replacing`).
    func replace(_ s: String, _ replacement: Replacement, all: Bool) -> String {
        (try? replacing(s, replacement, all: all)) ?? s
    }

    /// Replaces the first (or every) match in `s` by `replacement`'s expansion; R's memory error when
    /// the result would not fit the memory budget.
    func replacing(_ s: String, _ replacement: Replacement, all: Bool) throws(FnError) -> String {
        if emptyLiteral { return s }
        // The memory budget is read each time the result doubles (see MemoryBudget).
        var budgetCheck = MemoryBudget.smallRequest, refused = 0
        let result: String? = withText(s) { text in
            var out: [UInt8] = []
            var last = 0
            var changed = false
            var previous: (end: Int, empty: Bool)? = nil
            forEachMatch(text) { r in
                let empty = r.isEmpty
                // R skips an empty match right after a non-empty one: gsub("x*", "-", "axb") is "-a-b-".
                if empty, let p = previous, !p.empty, p.end == r.lowerBound { return true }
                previous = (r.upperBound, empty)
                out.append(contentsOf: text[last..<r.lowerBound])
                replacement.expand(text, machine.slots, into: &out)
                if out.count >= budgetCheck {
                    budgetCheck = out.count * 2
                    if !MemoryBudget.allows(bytes: Double(out.count)) { refused = out.count; return false }
                }
                last = r.upperBound
                changed = true
                return all
            }
            guard changed else { return nil }
            out.append(contentsOf: text[last...])
            return String(decoding: out, as: UTF8.self)
        }
        if refused > 0 { throw MemoryBudget.refusal(bytes: Double(refused) * 2) }
        return result ?? s
    }

    /// Calls `body` with each match from the start until it returns false. After an empty match the
    /// search resumes one scalar later, so `gsub("", "-", "abc")` sees four empty matches.
    private func forEachMatch(_ text: UnsafeBufferPointer<UInt8>, _ body: (Range<Int>) -> Bool) {
        var pos = 0
        let n = text.count
        while pos <= n, let r = machine.search(text, from: pos) {
            if !body(r) { return }
            if r.isEmpty {
                if r.upperBound >= n { return }
                pos = r.upperBound + scalarLength(text[r.upperBound])
            } else {
                pos = r.upperBound
            }
        }
    }
}

/// A `sub`/`gsub` replacement, parsed once: `\\1`..`\\9` are groups (`\\0` is a plain "0", as in
/// R's default engine), and with `perl = TRUE` `\\U`, `\\L` and `\\E` change the case of what follows.
struct Replacement {
    private enum Piece {
        case text([UInt8])
        case group(Int)
        case upper, lower, asIs
    }

    private var pieces: [Piece] = []

    /// The highest group number the replacement names, 0 for none.
    var highestGroup: Int {
        pieces.reduce(0) { highest, piece in
            if case .group(let k) = piece { return max(highest, k) }
            return highest
        }
    }

    /// A replacement inserted as it is.
    init(verbatim: String) {
        pieces = [.text(Array(verbatim.utf8))]
    }

    init(_ replacement: String, perl: Bool) {
        var text = ""
        func flush(_ pieces: inout [Piece]) {
            if !text.isEmpty { pieces.append(.text(Array(text.utf8))); text = "" }
        }
        var chars = replacement.unicodeScalars.makeIterator()
        while let c = chars.next() {
            guard c == "\\" else { text.unicodeScalars.append(c); continue }
            guard let n = chars.next() else { break }
            if n.value >= 0x31 && n.value <= 0x39 {
                flush(&pieces)
                pieces.append(.group(Int(n.value - 0x30)))
            } else if perl && (n == "U" || n == "L" || n == "E") {
                flush(&pieces)
                pieces.append(n == "U" ? .upper : n == "L" ? .lower : .asIs)
            } else {
                text.unicodeScalars.append(n)
            }
        }
        flush(&pieces)
    }

    /// Appends the expansion for the match whose capture slots are `slots` (byte offsets into `text`).
    func expand(_ text: UnsafeBufferPointer<UInt8>, _ slots: UnsafeBufferPointer<Int>, into out: inout [UInt8]) {
        var mode = Piece.asIs
        func emit<C: Collection<UInt8>>(_ bytes: C) {
            switch mode {
            case .upper: out.append(contentsOf: String(decoding: bytes, as: UTF8.self).uppercased().utf8)
            case .lower: out.append(contentsOf: String(decoding: bytes, as: UTF8.self).lowercased().utf8)
            default: out.append(contentsOf: bytes)
            }
        }
        for piece in pieces {
            switch piece {
            case .text(let bytes): emit(bytes)
            case .group(let k):
                guard 2 * k + 1 < slots.count else { continue }
                let from = slots[2 * k], to = slots[2 * k + 1]
                if from >= 0 && to >= from { emit(text[from..<to]) }
            case .upper, .lower, .asIs: mode = piece
            }
        }
    }
}

/// Runs `body` on the UTF-8 of `s`.
private func withText<R>(_ s: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
    var s = s
    return s.withUTF8(body)
}

/// The number of scalars in `text[range]`: the bytes that are not UTF-8 continuation bytes.
private func scalarCount(_ text: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int {
    var count = 0
    for i in range where text[i] & 0xC0 != 0x80 { count += 1 }
    return count
}

/// The length in bytes of the UTF-8 sequence that starts with `lead`.
private func scalarLength(_ lead: UInt8) -> Int {
    lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4
}

private func string(_ text: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String {
    String(decoding: UnsafeBufferPointer(rebasing: text[range]), as: UTF8.self)
}

/// Compiled patterns by pattern and options, shared by all interpreters (patterns are usually
/// literals in handler code, so the set stays small; it is cleared when it grows past a bound).
final class RegexCache: @unchecked Sendable {
    static let shared = RegexCache()

    private struct Key: Hashable {
        var pattern: String
        var options: RegexOptions
    }

    private let lock = Lock()
    /// Guarded by `lock`.
    private var entries: [Key: RegexProgram] = [:]

    func program(_ pattern: String, _ options: RegexOptions) throws(FnError) -> RegexProgram {
        let key = Key(pattern: pattern, options: options)
        if let p = lock.withLock({ entries[key] }) { return p }
        let program = try RegexProgram(try Self.syntax(pattern, options), pattern: pattern, perl: options.perl)
        lock.withLock {
            if entries.count > 256 { entries.removeAll() }
            entries[key] = program
        }
        return program
    }

    /// The syntax tree of `pattern`: with `fixed`, its scalars in a row.
    static func syntax(_ pattern: String, _ options: RegexOptions) throws(FnError) -> RegexSyntax {
        if options.fixed {
            let scalars = pattern.unicodeScalars.map { RegexNode.scalar($0, foldCase: false) }
            return RegexSyntax(root: .concat(scalars), captureCount: 0, hasLazy: false)
        }
        return try RegexSyntax.parse(pattern, perl: options.perl, ignoreCase: options.ignoreCase)
    }
}

/// `sub`/`gsub` over a character vector; NA stays NA, names are dropped as in R.
func regexReplace(
    _ ip: Interpreter, _ pattern: String, _ replacement: String, _ x: Value, options: RegexOptions, all: Bool
) throws(FnError) -> Value {
    // With `fixed = TRUE` R inserts the replacement as it is, backslashes included.
    let replacement = options.fixed ? Replacement(verbatim: replacement) : Replacement(replacement, perl: options.perl)
    // Only the groups the replacement names are tracked: at most nine, however many the pattern has.
    let matcher = try Matcher(pattern, options, groups: replacement.highestGroup, ip)
    let result: Value
    if case .character(let s) = x {
        result = .character(try s.map { v throws(FnError) in try matcher.replacing(v, replacement, all: all) })
    } else {
        let strings = characterElements(x)
        result = Value(.character(try strings.map { s throws(FnError) in
            try s.map { v throws(FnError) in try matcher.replacing(v, replacement, all: all) }
        }))
    }
    try matcher.throwIfCancelled()
    return result
}
