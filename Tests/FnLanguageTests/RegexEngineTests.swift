import Testing
@testable import FnLanguage

/// fn's regex engine on its own (Sources/FnLanguage/Regex): syntax and its errors, each construct,
/// captures, leftmost-longest against leftmost-first, and the linear bound on the machine's work.
/// The builtins on top of it are covered by the R-agreement cases (`=== regex-engine`).
@Suite struct RegexEngineTests {
    private func compile(_ pattern: String, perl: Bool = false, ignoreCase: Bool = false) throws -> RegexProgram {
        let syntax = try RegexSyntax.parse(pattern, perl: perl, ignoreCase: ignoreCase)
        return try RegexProgram(syntax, pattern: pattern, perl: perl)
    }

    /// The first match of `pattern` in `text`: the matched text, then each group ("-" if it took no part).
    private func find(
        _ pattern: String, _ text: String, perl: Bool = false, ignoreCase: Bool = false
    ) throws -> [String]? {
        let machine = RegexMachine(try compile(pattern, perl: perl, ignoreCase: ignoreCase), groups: .max)
        var text = text
        return text.withUTF8 { buffer -> [String]? in
            guard machine.search(buffer, from: 0) != nil else { return nil }
            return stride(from: 0, to: machine.slots.count, by: 2).map { k in
                let (from, to) = (machine.slots[k], machine.slots[k + 1])
                guard from >= 0, to >= from else { return "-" }
                return String(decoding: UnsafeBufferPointer(rebasing: buffer[from..<to]), as: UTF8.self)
            }
        }
    }

    /// The matched text only.
    private func match(
        _ pattern: String, _ text: String, perl: Bool = false, ignoreCase: Bool = false
    ) throws -> String? {
        try find(pattern, text, perl: perl, ignoreCase: ignoreCase)?[0]
    }

    /// The reason in the error that compiling `pattern` raises, or "no error".
    private func reason(_ pattern: String, perl: Bool = false) -> String {
        do {
            _ = try compile(pattern, perl: perl)
            return "no error"
        } catch {
            guard let error = error as? FnError else { return "not an FnError" }
            let prefix = "invalid regular expression '\(pattern)', reason '"
            guard error.message.hasPrefix(prefix) else { return error.message }
            return String(error.message.dropFirst(prefix.count).dropLast())
        }
    }

    @Test func rejectsWhatIsNotLinearWithAClearReason() {
        #expect(reason(#"(a)\1"#) == "backreferences are not supported")
        #expect(reason(#"(a)\1"#, perl: true) == "backreferences are not supported")
        #expect(reason("a(?=b)", perl: true) == "lookahead is not supported")
        #expect(reason("a(?!b)", perl: true) == "lookahead is not supported")
        #expect(reason("(?<=a)b", perl: true) == "lookbehind is not supported")
        #expect(reason("(?<!a)b", perl: true) == "lookbehind is not supported")
        #expect(reason("a++", perl: true) == "possessive quantifiers are not supported")
    }

    @Test func reportsSyntaxErrors() {
        #expect(reason("(") == "missing ')'")
        #expect(reason("[a") == "missing ']'")
        #expect(reason("[[:alpha:]") == "missing ']'")
        #expect(reason("[[:foo:]]") == "unknown character class name")
        #expect(reason("[z-a]") == "invalid character range")
        #expect(reason("a{2,1}") == "invalid contents of {}")
        #expect(reason("a{") == "missing '}'")
        #expect(reason("x**") == "invalid use of repetition operators")
        #expect(reason("\\") == "trailing backslash")
        #expect(reason(")", perl: true) == "unmatched closing parenthesis")
        #expect(reason(#"\y"#, perl: true) == #"unrecognized character follows \"#)
        #expect(reason("(?x)a", perl: true).hasPrefix("unsupported group '(?x'"))
    }

    @Test func boundsRepetitionNestingAndProgramSize() {
        #expect(reason("a{1000}") == "no error")
        #expect(reason("a{1001}") == "repetition count is more than 1000, fn's limit")
        #expect(reason("(a{1000}){30}").hasPrefix("pattern too large"))
        // A literal is searched directly, so only patterns with operators count against the program size.
        #expect(reason(String(repeating: "ab", count: 15_000)) == "no error")
        #expect(reason(String(repeating: "a.", count: 15_000)).hasPrefix("pattern too large"))
        let deep = String(repeating: "(", count: 300) + "a" + String(repeating: ")", count: 300)
        #expect(reason(deep) == "groups are nested more than 200 deep")
    }

    @Test func matchesLiteralsDotAndEscapes() throws {
        #expect(try match("b.d", "abcde") == "bcd")
        #expect(try match("a.c", "a\nc") == "a\nc")
        #expect(try match("a.c", "a\nc", perl: true) == nil)
        #expect(try match(#"a\.c"#, "abc a.c") == "a.c")
        #expect(try match(#"\t\x41\x{e9}"#, "\tAé") == "\tAé")
        #expect(try match(#"\Qa.b\E+"#, "a.bb", perl: true) == "a.bb")
        #expect(try match(")", "a)") == ")")
        #expect(try match("*a", "b*a") == "a")
        #expect(try match("é+", "aééb") == "éé")
    }

    @Test func anchorsAndWordBoundaries() throws {
        #expect(try match("^ab", "ab") == "ab")
        #expect(try match("^b", "ab") == nil)
        #expect(try match("b$", "ab") == "b")
        #expect(try match("b$", "ab\n") == nil)
        #expect(try match("b$", "ab\n", perl: true) == "b")
        #expect(try match(#"b\z"#, "ab\n", perl: true) == nil)
        #expect(try match(#"\bcd\b"#, "abcd cd") == "cd")
        #expect(try match(#"\Bc"#, "c ac") == "c")
        #expect(try find(#"\<\w+\>"#, "  héllo ") == ["héllo"])
        #expect(try match(#"\bé"#, "aé", perl: true) == "é")
        #expect(try match(#"\bé"#, "aé") == nil)
    }

    /// Threads that die at an assertion still mark the instructions they passed; when no thread is left
    /// and the search skips ahead to a scalar that can start a match, those marks are stale. Here the
    /// `y` thread dies at `\b` before "a", having marked the loop, and the skip to "z" must not
    /// find the loop already visited (R: 4 with either engine).
    @Test func skippingAheadForgetsWhereDeadThreadsWent() throws {
        #expect(try find(#"(?:\by)*\bz"#, "ya z", perl: true) == ["z"])
        #expect(try find(#"(\by)*\bz"#, "ya z") == ["z", "-"])
        #expect(try find(#"(\<y)*\<z"#, "ya yyz z") == ["z", "-"])
    }

    @Test func bracketsAndClasses() throws {
        #expect(try match("[a-c]+", "xxbcay") == "bca")
        #expect(try match("[^a-c]+", "abxyzc") == "xyz")
        #expect(try match("[]a]+", "x]a]") == "]a]")
        #expect(try match("[a-]+", "x-a-") == "-a-")
        #expect(try match(#"[\d]+"#, "5d\\d") == "d\\d")
        #expect(try match(#"[\d]+"#, "x55d", perl: true) == "55")
        #expect(try match("[[:alpha:]]+", "1héllo2") == "héllo")
        #expect(try match("[[:alpha:]]+", "1héllo2", perl: true) == "h")
        #expect(try match("[[:digit:][:space:]]+", "a1 2b") == "1 2")
        #expect(try match("[[:punct:]]+", "ab.,!c") == ".,!")
        #expect(try match("[[:upper:]]+", "abCDÉf") == "CDÉ")
        #expect(try match(#"\w+"#, "--é_1--") == "é_1")
        #expect(try match(#"\w+"#, "--é_1--", perl: true) == "_1")
        #expect(try match(#"\S+"#, "  ab  ") == "ab")
        #expect(try match(#"\D+"#, "12ab34") == "ab")
    }

    @Test func quantifiersAndBounds() throws {
        #expect(try match("ab*c", "ac") == "ac")
        #expect(try match("ab+c", "ac") == nil)
        #expect(try match("ab?c", "abbc") == nil)
        #expect(try match("a{3}", "aaaa") == "aaa")
        #expect(try match("a{2,}", "aaaa") == "aaaa")
        #expect(try match("a{1,2}", "aaaa") == "aa")
        #expect(try match("a{,2}", "aaaa") == "aa")
        #expect(try match("a{,2}", "a{,2}", perl: true) == "a{,2}")
        #expect(try match("(?:ab){2}", "abababa") == "abab")
    }

    @Test func caseFolding() throws {
        #expect(try match("abc", "xAbC", ignoreCase: true) == "AbC")
        #expect(try match("[a-c]+", "xABCd", ignoreCase: true) == "ABC")
        #expect(try match("[^a-z]", "ABC1", ignoreCase: true) == "1")
        #expect(try match("(?i)É", "é") == "é")
        #expect(try match("a(?i)b", "aB") == "aB")
        #expect(try match("a(?i)b", "AB") == nil)
        #expect(try match("(?i:a)b", "Ab") == "Ab")
        #expect(try match("(?i:a)b", "AB") == nil)
    }

    @Test func longestByDefaultFirstWithPerl() throws {
        #expect(try match("a|ab", "abc") == "ab")
        #expect(try match("a|ab", "abc", perl: true) == "a")
        #expect(try match("(a|ab)(c|bcd)", "abcd") == "abcd")
        #expect(try match("x*", "axb") == "")
        // A lazy quantifier asks for leftmost-first, with or without perl (as TRE does).
        #expect(try match("a+?", "aaa") == "a")
        #expect(try match("a{2,3}?", "aaaa", perl: true) == "aa")
        #expect(try match("<.+?>", "<a><b>", perl: true) == "<a>")
        #expect(try match("<.+>", "<a><b>", perl: true) == "<a><b>")
        // Leftmost wins over longest.
        #expect(try match("bcd|abc", "abcd") == "abc")
    }

    @Test func capturesByPriorityWithinTheMatch() throws {
        #expect(try find("(a*)(a)", "aaa") == ["aaa", "aa", "a"])
        #expect(try find("(a|ab)(c|bcd)(d*)", "abcd") == ["abcd", "a", "bcd", ""])
        #expect(try find("(a|b)*", "abab") == ["abab", "b"])
        #expect(try find("(a+|b+)*c", "aabbc") == ["aabbc", "bb"])
        #expect(try find("(a*)+", "aaa") == ["aaa", "aaa"])
        #expect(try find("(a)|b", "b") == ["b", "-"])
        #expect(try find("x(a*)?y", "xy") == ["xy", ""])
        #expect(try find("(?:(a)|(b))+", "ab") == ["ab", "a", "b"])
        #expect(try find("([a-z]+)@([a-z]+)", "mail user@host now") == ["user@host", "user", "host"])
    }

    /// The work a search does: thread steps against the bound, pattern size x (text length + 1) x 2.
    private func work(_ pattern: String, _ text: String, perl: Bool = false) throws -> (steps: Int, bound: Int) {
        let program = try compile(pattern, perl: perl)
        let machine = RegexMachine(program, groups: .max)
        var text = text
        _ = text.withUTF8 { machine.search($0, from: 0) }
        return (machine.steps, 2 * program.code.count * (text.utf8.count + 1))
    }

    @Test(arguments: [
        ("(a+)+b", "a"), ("(a|a)*c", "a"), ("(a*)*b", "a"), ("(x+x+)+y", "x"), ("(a|aa)+$", "a"),
        ("(.*a){12}", "a"), ("^(\\w+\\s?)*$", "a"),
    ])
    func takesLinearSteps(_ pattern: String, _ letter: String) throws {
        let text = String(repeating: letter, count: 10_000) + "!"
        for perl in [false, true] {
            let (steps, bound) = try work(pattern, text, perl: perl)
            #expect(steps > 10_000)
            #expect(steps <= bound)
        }
    }

    @Test func theBuiltinsAreLinearToo() throws {
        let ip = Interpreter()
        ip.output = { _, _ in }
        // These backtrack for hours on an exponential engine; here they are one pass each.
        let v = try ip.evaluate(#"c(grepl("(a+)+b", strrep("a", 10000)), grepl("(x+x+)+y", strrep("x", 10000)))"#)
        #expect(String(decoding: try JSON.serialize(v), as: UTF8.self) == "[false,false]")
    }

    // Found by the fuzz target (Tests/Fuzz/Targets/regex.swift): a titlecase letter did not match itself.
    @Test func perlFoldsATitlecaseLetterToAllItsForms() throws {
        #expect(try match("\u{1C5}", "\u{1C5}", perl: true, ignoreCase: true) == "\u{1C5}")
        #expect(try match("\u{1C4}+", "x\u{1C5}\u{1C6}\u{1C4}", perl: true, ignoreCase: true) == "\u{1C5}\u{1C6}\u{1C4}")
        // R's default engine folds only to the pattern letter's lower and upper case.
        #expect(try match("\u{1C5}", "\u{1C5}", ignoreCase: true) == nil)
        #expect(try match("\u{1C5}", "\u{1C6}", ignoreCase: true) == "\u{1C6}")
    }

    // Found while writing the fuzz target (the input timed out in it): repetitions of a group that
    // compiles to nothing were compiled copy by copy, so this pattern took 10^12 steps to compile.
    @Test func repeatingNothingCompilesAtOnce() throws {
        let nested = "(?:(?:(?:(?:a{0}){1000}){1000}){1000}){1000}"
        #expect(reason(nested) == "no error")
        #expect(try match(nested + "b", "ab") == "b")
        // Nodes that emit nothing still count against the compiler's work.
        let empties = "(?:(?:a" + String(repeating: "(?:)", count: 100) + "){100}){100}"
        #expect(reason(empties).hasPrefix("pattern too large"))
    }

    // Found by the differential test below, checked with Rscript: PCRE leaves a `*` loop after an
    // iteration that matched the empty string; the machine used to drop that path.
    @Test func perlLeavesALoopAfterAnEmptyIteration() throws {
        #expect(try match("(|a)*", "a", perl: true) == "")
        #expect(try match("(a|^|b)+", "b", perl: true) == "")
        #expect(try match("(a?|(.))*", "bba", perl: true) == "")
        #expect(try match("([^a]*?)*b{0}(a|a|b)", "bb", perl: true) == "b")
        #expect(try find("(a*)+", "aaa", perl: true) == ["aaa", ""])
        // Leftmost-longest keeps the longest match and TRE's groups.
        #expect(try match("(|a)*", "a") == "a")
        #expect(try find("x(a*)*y", "xaay") == ["xaay", "aa"])
    }

    // MARK: - Differential test against a backtracking reference

    /// A plain literal is searched with Knuth-Morris-Pratt (no step back in the text): every literal
    /// over {a, b} up to 5 letters, in every text up to 9 letters, from every start, is found where a
    /// naive search finds it.
    @Test func literalSearchAgreesWithANaiveOne() throws {
        func words(upTo n: Int) -> [[UInt8]] {
            var all: [[UInt8]] = [[]]
            var level: [[UInt8]] = [[]]
            for _ in 0..<n {
                level = level.flatMap { [$0 + [UInt8(ascii: "a")], $0 + [UInt8(ascii: "b")]] }
                all += level
            }
            return all
        }
        let texts = words(upTo: 9)
        var checked = 0
        for literal in words(upTo: 5) where !literal.isEmpty {
            let pattern = String(decoding: literal, as: UTF8.self)
            let program = try compile(pattern)
            #expect(program.literal == literal)
            let machine = RegexMachine(program, groups: 0)
            for text in texts {
                text.withUnsafeBufferPointer { buffer in
                    for start in 0...text.count {
                        let naive = (start...max(start, text.count - literal.count)).first { i in
                            i + literal.count <= text.count && Array(text[i..<(i + literal.count)]) == literal
                        }
                        let found = machine.search(buffer, from: start)
                        #expect(found?.lowerBound == naive, "\(pattern) in \(String(decoding: text, as: UTF8.self)) from \(start)")
                        checked += 1
                    }
                }
            }
        }
        #expect(checked > 100_000)
    }

    @Test func agreesWithABacktrackingReferenceOnRandomPatterns() throws {
        let run = try compareWithReference(seed: 0x5EED_F00D, alphabet: ["a", "b"], boundaries: false, modes: [false, true])
        #expect(run.disagreements.isEmpty, "\(run.disagreements.count) disagreements: \(run.disagreements.prefix(10))")
        // The generator must produce a real mix, not only failures or only trivial patterns.
        #expect(run.compared > 5000 && run.matched > run.compared / 4 && run.matched < run.compared * 9 / 10)
    }

    /// The same with `\\b` and `\\B` in the patterns and "-", a non-word scalar, in the texts.
    /// Leftmost-longest only: leftmost-first still differs from PCRE where an empty iteration ends a
    /// loop whose body the entering thread already passed (`(b?|a)*` on "ba" is "ba", PCRE says "b").
    @Test func agreesWithTheReferenceAroundWordBoundaries() throws {
        let run = try compareWithReference(seed: 0xB0B_D1E5, alphabet: ["a", "b", "-"], boundaries: true, modes: [false])
        #expect(run.disagreements.isEmpty, "\(run.disagreements.count) disagreements: \(run.disagreements.prefix(10))")
        #expect(run.compared > 2000 && run.matched > run.compared / 4 && run.matched < run.compared * 9 / 10)
    }

    /// Searches 3,000 random patterns (from `seed`) over random texts of up to eight scalars from
    /// `alphabet` with the machine and with the backtracking reference, in each of `modes` (`perl`);
    /// TRE's handling of lazy quantifiers is its own, so those patterns are compared in perl mode only.
    private func compareWithReference(
        seed: UInt64, alphabet: [String], boundaries: Bool, modes: [Bool]
    ) throws -> (compared: Int, matched: Int, disagreements: [String]) {
        var random = SplitMix(seed: seed)
        var compared = 0, matched = 0
        var disagreements: [String] = []
        for _ in 0..<3000 {
            let node = ReferenceNode.random(&random, depth: 3, boundaries: boundaries)
            let pattern = node.pattern
            let text = (0..<random.below(9)).map { _ in alphabet[random.below(alphabet.count)] }.joined()
            for perl in modes where perl || !node.hasLazy {
                let expected = node.firstMatch(Array(text.utf8), longest: !perl)
                let machine = RegexMachine(try compile(pattern, perl: perl), groups: 0)
                var bytes = text
                let actual = bytes.withUTF8 { machine.search($0, from: 0) }
                compared += 1
                if expected != nil { matched += 1 }
                if actual != expected {
                    disagreements.append("\(pattern) on \"\(text)\" perl=\(perl): \(String(describing: actual)), "
                        + "reference \(String(describing: expected))")
                }
            }
        }
        return (compared, matched, disagreements)
    }

    /// Tracking fewer groups changes neither the match nor the groups tracked: for random patterns and
    /// texts, each group count from 0 to 3 gives a prefix of the slots that tracking every group gives.
    @Test func fewerGroupsGiveAPrefixOfAllTheGroups() throws {
        var random = SplitMix(seed: 0x6_0095)
        var withGroups = 0
        var disagreements: [String] = []
        for _ in 0..<2000 {
            let node = ReferenceNode.random(&random, depth: 4, boundaries: true)
            let pattern = node.pattern
            let text = String((0..<random.below(9)).map { _ in ["a", "b", "-"][random.below(3)] })
            for perl in [false, true] {
                let program = try compile(pattern, perl: perl)
                let all = RegexMachine(program, groups: .max)
                var bytes = text
                let found = bytes.withUTF8 { all.search($0, from: 0) }
                if found != nil && program.slotCount > 2 { withGroups += 1 }
                for groups in 0...3 {
                    let some = RegexMachine(program, groups: groups)
                    let range = bytes.withUTF8 { some.search($0, from: 0) }
                    let expected = found == nil ? [] : Array(all.slots.prefix(some.slots.count))
                    let actual = range == nil ? [] : Array(some.slots)
                    if range != found || actual != expected {
                        disagreements.append("\(pattern) on \"\(text)\" perl=\(perl) groups=\(groups): \(actual), "
                            + "all groups \(expected)")
                    }
                }
            }
        }
        #expect(disagreements.isEmpty, "\(disagreements.count) disagreements: \(disagreements.prefix(10))")
        #expect(withGroups > 1000)
    }

    /// A machine keeps the positions of only the groups asked for: `sub` asks for those its replacement
    /// names (nine at most), so a pattern with thousands of groups costs no more memory or work per
    /// thread than one with nine. Tracking them all took 43 s and 860 MB for this pattern.
    @Test func aMachineTracksOnlyTheGroupsAskedFor() throws {
        let program = try compile(String(repeating: "(a)", count: 3000) + "(b)")
        #expect(RegexMachine(program, groups: 0).slots.count == 2)
        #expect(RegexMachine(program, groups: .max).slots.count == 2 * 3002)
        let machine = RegexMachine(program, groups: 9)
        #expect(machine.slots.count == 20)
        var text = "x" + String(repeating: "a", count: 3000) + "bc"
        let found = text.withUTF8 { machine.search($0, from: 0) }
        #expect(found == 1..<3002)
        #expect(Array(machine.slots) == [1, 3002] + (1...9).flatMap { [$0, $0 + 1] })
    }

    /// Interpreters on eight threads compile and run the same patterns through the shared cache of
    /// compiled patterns, with more keys than it holds so it also empties while others read it.
    /// CI runs this under ThreadSanitizer too (Tests/scripts/sanitizers.sh).
    @Test func interpretersOnSeveralThreadsShareCompiledPatterns() throws {
        let code = """
        out <- character(0)
        for (i in 1:300) {
          out <- c(out, gsub(paste0("a(", i %% 150, ")+"), "-", "ba1a1a7", perl = i > 150))
          out <- c(out, sub("b+", "B", "abbbc"), grepl("^a.c$", "abc", fixed = i %% 2 == 0))
        }
        paste(unique(out), collapse = "|")
        """
        let answers = Lock()
        var results: [String?] = []
        let threads = (0..<8).map { _ in
            Thread {
                let value: String?
                do {
                    guard case .character(let s) = try Interpreter().evaluate(code) else { return }
                    value = s
                } catch {
                    value = "error: \(error)"
                }
                answers.withLock { results.append(value) }
            }
        }
        threads.forEach { $0.join() }
        #expect(results.count == 8)
        for r in results {
            #expect(r == "b--a7|aBc|TRUE|ba1a1a7|FALSE|ba1a1-")
        }
    }
}

/// A deterministic pseudo-random generator (SplitMix64), so the differential test is reproducible.
private struct SplitMix {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in 0..<n.
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}

/// A small regex syntax tree over the alphabet {a, b}, with a backtracking matcher that is slow and
/// obviously right: it lists every end of a match from a position, in priority order.
private indirect enum ReferenceNode {
    case char(UInt8)
    case any
    case set([UInt8], negated: Bool)
    case start, end
    /// `\\b` when true, `\\B` when false; the word characters are "a" and "b".
    case wordBoundary(Bool)
    case concat([ReferenceNode])
    case alternation([ReferenceNode])
    case group(ReferenceNode)
    case repetition(ReferenceNode, min: Int, max: Int?, greedy: Bool)

    /// A random tree; with `boundaries`, some leaves are `\\b` or `\\B`.
    static func random(_ r: inout SplitMix, depth: Int, boundaries: Bool = false) -> ReferenceNode {
        if depth == 0 || r.below(10) < 3 {
            if boundaries && r.below(4) == 0 { return .wordBoundary(r.below(2) == 0) }
            switch r.below(9) {
            case 0, 1: return .char(UInt8(ascii: "a"))
            case 2, 3: return .char(UInt8(ascii: "b"))
            case 4: return .any
            case 5: return .set([UInt8(ascii: "a"), UInt8(ascii: "b")], negated: false)
            case 6: return .set([UInt8(ascii: "a")], negated: true)
            case 7: return .start
            default: return .end
            }
        }
        let child = { (r: inout SplitMix) in random(&r, depth: depth - 1, boundaries: boundaries) }
        switch r.below(4) {
        case 0: return .concat((0..<(2 + r.below(2))).map { _ in child(&r) })
        case 1: return .alternation((0..<(2 + r.below(2))).map { _ in child(&r) })
        case 2: return .group(child(&r))
        default:
            let inner = child(&r)
            let greedy = r.below(5) != 0
            switch r.below(6) {
            case 0: return .repetition(inner, min: 0, max: nil, greedy: greedy)
            case 1: return .repetition(inner, min: 1, max: nil, greedy: greedy)
            case 2: return .repetition(inner, min: 0, max: 1, greedy: greedy)
            case 3: let n = r.below(3); return .repetition(inner, min: n, max: n, greedy: greedy)
            case 4: return .repetition(inner, min: r.below(3), max: nil, greedy: greedy)
            default: let n = r.below(3); return .repetition(inner, min: n, max: n + 1 + r.below(2), greedy: greedy)
            }
        }
    }

    /// The pattern in R's syntax (valid for both engines); every grouping is a capturing group.
    var pattern: String {
        switch self {
        case .char(let c): return String(UnicodeScalar(c))
        case .any: return "."
        case .set(let cs, let negated): return "[" + (negated ? "^" : "") + String(decoding: cs, as: UTF8.self) + "]"
        case .start: return "^"
        case .end: return "$"
        case .wordBoundary(let b): return b ? #"\b"# : #"\B"#
        case .concat(let items):
            return items.map { if case .alternation = $0 { return "(\($0.pattern))" } else { return $0.pattern } }.joined()
        case .alternation(let branches): return branches.map(\.pattern).joined(separator: "|")
        case .group(let inner): return "(\(inner.pattern))"
        case .repetition(let inner, let min, let max, let greedy):
            let operand: String
            switch inner {
            case .char, .any, .set, .group: operand = inner.pattern
            default: operand = "(\(inner.pattern))"
            }
            let quantifier: String
            switch (min, max) {
            case (0, nil): quantifier = "*"
            case (1, nil): quantifier = "+"
            case (0, 1): quantifier = "?"
            case (_, nil): quantifier = "{\(min),}"
            case (_, let max?) where max == min: quantifier = "{\(min)}"
            case (_, let max?): quantifier = "{\(min),\(max)}"
            }
            return operand + quantifier + (greedy ? "" : "?")
        }
    }

    var hasLazy: Bool {
        switch self {
        case .char, .any, .set, .start, .end, .wordBoundary: return false
        case .concat(let items), .alternation(let items): return items.contains { $0.hasLazy }
        case .group(let inner): return inner.hasLazy
        case .repetition(let inner, _, _, let greedy): return !greedy || inner.hasLazy
        }
    }

    /// The leftmost match: of the ends from the first start that has one, the longest or the first.
    func firstMatch(_ text: [UInt8], longest: Bool) -> Range<Int>? {
        for start in 0...text.count {
            let ends = self.ends(text, start)
            guard let first = ends.first else { continue }
            return start..<(longest ? ends.max() ?? first : first)
        }
        return nil
    }

    /// Every end of a match of this node from `pos`, in backtracking priority order, without repeats.
    func ends(_ text: [UInt8], _ pos: Int) -> [Int] {
        switch self {
        case .char(let c): return pos < text.count && text[pos] == c ? [pos + 1] : []
        case .any: return pos < text.count ? [pos + 1] : []
        case .set(let cs, let negated): return pos < text.count && cs.contains(text[pos]) != negated ? [pos + 1] : []
        case .start: return pos == 0 ? [pos] : []
        case .end: return pos == text.count ? [pos] : []
        case .wordBoundary(let b):
            let isWord = { (c: UInt8) in c == UInt8(ascii: "a") || c == UInt8(ascii: "b") }
            let before = pos > 0 && isWord(text[pos - 1]), after = pos < text.count && isWord(text[pos])
            return (before != after) == b ? [pos] : []
        case .group(let inner): return inner.ends(text, pos)
        case .alternation(let branches): return unique(branches.flatMap { $0.ends(text, pos) })
        case .concat(let items):
            var ends = [pos]
            for item in items { ends = unique(ends.flatMap { item.ends(text, $0) }) }
            return ends
        case .repetition(let inner, let min, let max, let greedy):
            return unique(Self.repeatEnds(inner, text, pos, count: 0, min: min, max: max, greedy: greedy))
        }
    }

    /// PCRE's rule for an unbounded loop: an iteration that matches the empty string ends the loop
    /// (`regexpr("(|a)*", "a", perl = TRUE)` has length 0 in R). Bounded copies have no such rule.
    private static func repeatEnds(
        _ inner: ReferenceNode, _ text: [UInt8], _ pos: Int, count: Int, min: Int, max: Int?, greedy: Bool
    ) -> [Int] {
        let more = { (from: Int) -> [Int] in
            inner.ends(text, from).flatMap { e -> [Int] in
                if max == nil && count >= min && e == from { return [e] }
                return repeatEnds(inner, text, e, count: count + 1, min: min, max: max, greedy: greedy)
            }
        }
        if count < min { return more(pos) }
        if let max, count >= max { return [pos] }
        return greedy ? more(pos) + [pos] : [pos] + more(pos)
    }
}

/// `xs` without repeats, keeping each first occurrence (the priority order).
private func unique(_ xs: [Int]) -> [Int] {
    var seen = Set<Int>()
    return xs.filter { seen.insert($0).inserted }
}
