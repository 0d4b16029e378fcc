/// One instruction of a Thompson NFA, as the Pike VM (RegexMachine) runs it.
enum RegexInstruction: Sendable {
    /// Consume this scalar.
    case scalar(UInt32)
    /// Consume either scalar (a case-folded literal).
    case either(UInt32, UInt32)
    /// Consume any scalar; `anyButNewline` is `.` with `perl = TRUE`.
    case any
    case anyButNewline
    /// Consume a scalar in `program.sets[index]`.
    case set(Int)
    /// Continue at both targets, the first with priority.
    case split(Int, Int)
    case jump(Int)
    /// Record the position in capture slot n (2k and 2k+1 are group k's start and end).
    case save(Int)
    case assert(RegexAssertion)
    case match
}

/// A compiled pattern: the instructions, the class tables, and what the machine needs to search fast.
///
/// Compiling is linear in the size of the syntax tree except for counted repetition, which copies its
/// operand; `maxInstructions` bounds the result so `(a{1000}){1000}` is an error, not a huge program.
final class RegexProgram: Sendable {
    let code: [RegexInstruction]
    let sets: [RegexScalarSet]
    /// Capture slots, two per group plus two for the whole match.
    let slotCount: Int
    /// Leftmost-longest (POSIX) rather than leftmost-first (PCRE) overall matches.
    let longest: Bool
    /// The pattern can only match at the start of the text (it begins with `^` in every branch).
    let anchored: Bool
    /// When the pattern cannot match the empty string: the ASCII bytes that can start a match
    /// (`firstASCII`) and whether a non-ASCII scalar can (`firstNonASCII`). Lets the machine skip ahead.
    let firstASCII: (UInt64, UInt64)?
    let firstNonASCII: Bool
    /// The UTF-8 of the pattern when it is a plain literal: searched without the machine.
    let literal: [UInt8]?
    /// For `literal`, Knuth-Morris-Pratt's table: entry k is the length of the longest proper prefix
    /// of `literal[0...k]` that is also its suffix, so a literal search never steps back in the text.
    let literalFallback: [Int]
    /// What `\\b`, `\\<` and `\\>` take for a word character (ASCII-only with `perl = TRUE`).
    let word: RegexClassName

    static let maxInstructions = 20_000
    /// The most syntax nodes compiled for one pattern: nodes that emit nothing (`(?:)`, `a{0}`) are
    /// not counted by `maxInstructions`, and repetition copies them too.
    static let maxCompileSteps = 1_000_000

    /// Compiles `syntax`: leftmost-longest unless `perl` or a lazy quantifier asks for leftmost-first.
    init(_ syntax: RegexSyntax, pattern: String, perl: Bool) throws(FnError) {
        literal = Self.literalBytes(syntax.root)
        literalFallback = literal.map(Self.fallback) ?? []
        var compiler = RegexCompiler(pattern: pattern)
        compiler.emit(.save(0))
        // A literal is searched without the machine, so its length is not limited by the program's size.
        if literal == nil { try compiler.compile(syntax.root) }
        compiler.emit(.save(1))
        compiler.emit(.match)
        code = compiler.code
        sets = compiler.sets
        slotCount = 2 * (syntax.captureCount + 1)
        longest = !perl && !syntax.hasLazy
        word = RegexClassName(kind: .word, ascii: perl)
        anchored = Self.isAnchored(syntax.root)
        let first = Self.first(syntax.root)
        firstASCII = first.nullable ? nil : (first.low, first.high)
        firstNonASCII = first.nonASCII
    }

    private static func isAnchored(_ node: RegexNode) -> Bool {
        switch node {
        case .assertion(.start): return true
        case .group(let inner, _): return isAnchored(inner)
        case .concat(let items): return items.first.map(isAnchored) ?? false
        case .alternation(let branches): return branches.allSatisfy(isAnchored)
        default: return false
        }
    }

    private static func fallback(_ literal: [UInt8]) -> [Int] {
        var table = [Int](repeating: 0, count: literal.count)
        var k = 0
        for i in literal.indices.dropFirst() {
            while k > 0 && literal[i] != literal[k] { k = table[k - 1] }
            if literal[i] == literal[k] { k += 1 }
            table[i] = k
        }
        return table
    }

    private static func literalBytes(_ node: RegexNode) -> [UInt8]? {
        func scalars(_ node: RegexNode, _ out: inout String) -> Bool {
            switch node {
            case .scalar(let c, foldCase: false): out.unicodeScalars.append(c); return true
            case .concat(let items): return items.allSatisfy { scalars($0, &out) }
            default: return false
            }
        }
        var s = ""
        guard scalars(node, &s), !s.isEmpty else { return nil }
        return Array(s.utf8)
    }

    private struct First {
        var low: UInt64 = 0, high: UInt64 = 0
        var nonASCII = false
        var nullable = true

        mutating func add(_ b: UInt32) {
            if b < 64 { low |= 1 << UInt64(b) } else if b < 128 { high |= 1 << UInt64(b - 64) } else { nonASCII = true }
        }

        mutating func union(_ o: First) {
            low |= o.low
            high |= o.high
            nonASCII = nonASCII || o.nonASCII
        }
    }

    /// The scalars that can begin a match of `node`, and whether it can match the empty string.
    private static func first(_ node: RegexNode) -> First {
        var f = First()
        switch node {
        case .empty, .assertion: break
        case .scalar(let c, let fold):
            f.nullable = false
            f.add(c.value)
            if fold { f.add(RegexCase.lower(c).value); f.add(RegexCase.upper(c).value) }
        case .any(let newline):
            f.nullable = false
            f.low = newline ? ~0 : ~(1 << 10)
            f.high = ~0
            f.nonASCII = true
        case .set(let set):
            f.nullable = false
            for b in 0..<UInt8(128) where set.containsASCII(b) { f.add(UInt32(b)) }
            f.nonASCII = set.mayContainNonASCII
        case .group(let inner, _): f = first(inner)
        case .concat(let items):
            for item in items {
                let g = first(item)
                f.union(g)
                if !g.nullable { f.nullable = false; break }
            }
        case .alternation(let branches):
            f.nullable = false
            for b in branches {
                let g = first(b)
                f.union(g)
                if g.nullable { f.nullable = true }
            }
        case .repetition(let inner, let min, _, _):
            f = first(inner)
            if min == 0 { f.nullable = true }
        }
        return f
    }
}

/// Turns a syntax tree into instructions (Thompson's construction, with priorities for the Pike VM).
private struct RegexCompiler {
    let pattern: String
    var code: [RegexInstruction] = []
    var sets: [RegexScalarSet] = []
    var steps = 0

    init(pattern: String) { self.pattern = pattern }

    mutating func emit(_ i: RegexInstruction) { code.append(i) }

    mutating func check() throws(FnError) {
        steps += 1
        if code.count > RegexProgram.maxInstructions || steps > RegexProgram.maxCompileSteps {
            throw FnError.runtime(
                "invalid regular expression '\(pattern)', reason 'pattern too large: it compiles to more than "
                    + "\(RegexProgram.maxInstructions) instructions (fn's limit)'")
        }
    }

    /// Whether `node` compiles to no instruction at all: repeating it is pointless, and without this
    /// `(?:(?:(?:){1000}){1000}){1000}` would compile the empty group 10^9 times.
    static func emitsNothing(_ node: RegexNode) -> Bool {
        switch node {
        case .empty: return true
        case .group(let inner, let capture): return capture == nil && emitsNothing(inner)
        case .concat(let items): return items.allSatisfy(emitsNothing)
        case .repetition(let inner, _, let max, _): return max == 0 || emitsNothing(inner)
        default: return false
        }
    }

    mutating func compile(_ node: RegexNode) throws(FnError) {
        try check()
        switch node {
        case .empty: break
        case .scalar(let c, let fold):
            let lo = RegexCase.lower(c), up = RegexCase.upper(c)
            if fold && lo != up {
                emit(.either(lo.value, up.value))
            } else if fold && lo != c {
                emit(.either(c.value, lo.value))
            } else {
                emit(.scalar(c.value))
            }
        case .any(let newline): emit(newline ? .any : .anyButNewline)
        case .set(let set):
            sets.append(set)
            emit(.set(sets.count - 1))
        case .assertion(let a): emit(.assert(a))
        case .group(let inner, let capture):
            if let capture { emit(.save(2 * capture)) }
            try compile(inner)
            if let capture { emit(.save(2 * capture + 1)) }
        case .concat(let items):
            for item in items { try compile(item) }
        case .alternation(let branches):
            // split L1, next; L1: a; jump end; next: split L2, ...; last: z; end:
            var jumps: [Int] = []
            for (k, branch) in branches.enumerated() {
                if k < branches.count - 1 {
                    let split = code.count
                    emit(.split(split + 1, -1))
                    try compile(branch)
                    jumps.append(code.count)
                    emit(.jump(-1))
                    code[split] = .split(split + 1, code.count)
                } else {
                    try compile(branch)
                }
            }
            for j in jumps { code[j] = .jump(code.count) }
        case .repetition(let inner, let min, let max, let greedy):
            if Self.emitsNothing(node) { break }
            for _ in 0..<min { try compile(inner) }
            if let max {
                // (x(x(x)?)?)? for the optional copies: each split skips all the rest.
                var splits: [Int] = []
                for _ in min..<max {
                    splits.append(code.count)
                    emit(.split(-1, -1))
                    try compile(inner)
                }
                let end = code.count
                for s in splits { code[s] = greedy ? .split(s + 1, end) : .split(end, s + 1) }
            } else {
                // L: split body, end; body: x; jump L; end:
                let loop = code.count
                emit(.split(-1, -1))
                try compile(inner)
                emit(.jump(loop))
                let end = code.count
                code[loop] = greedy ? .split(loop + 1, end) : .split(end, loop + 1)
            }
        }
    }
}
