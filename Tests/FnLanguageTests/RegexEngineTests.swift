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
        let machine = RegexMachine(try compile(pattern, perl: perl, ignoreCase: ignoreCase), captures: true)
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
        let machine = RegexMachine(program, captures: true)
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
}
