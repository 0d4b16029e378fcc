import Testing
@testable import FnLanguage

/// The JSON bridge against jsonlite 1.8.4 (GNU R 4.2.2): reader tables recorded with the script at the
/// end of this file, writer answers from `toJSON(x, auto_unbox = TRUE, digits = NA, null = "null",
/// na = "null")` noted beside each case.
@Suite struct JSONReaderTests {
    /// The table below was recorded with `simplifyDataFrame = FALSE, simplifyMatrix = FALSE` (see
    /// the script at the end); data frames and matrices are covered by the R-agreement cases.
    static func parse(_ text: String) throws(FnError) -> Value {
        var options = JSONReader.Options()
        options.simplifyDataFrame = false
        options.simplifyMatrix = false
        return try JSONReader.read(Array(text.utf8), options: options)
    }

    /// A type-exact rendering that R's `canon()` (in the script below) produces for the same value.
    static func canon(_ v: Value) -> String {
        switch v {
        case .null: return "NULL"
        case .list(let l):
            let names = l.names
            let inner = l.elements.indices.map { i in (names.map { "\($0[i])=" } ?? "") + canon(l.elements[i]) }
            return (names == nil ? "list[" : "obj{") + inner.joined(separator: ",") + (names == nil ? "]" : "}")
        default:
            guard let storage = v.storage else { return "<function>" }
            switch storage {
            case .logical(let a):
                return "log[" + a.map { $0 == NA.logical ? "NA" : $0 != 0 ? "T" : "F" }.joined(separator: ",") + "]"
            case .integer(let a):
                return "int[" + a.map { $0 == NA.integer ? "NA" : String($0) }.joined(separator: ",") + "]"
            case .double(let a):
                return "dou[" + a.map(canonDouble).joined(separator: ",") + "]"
            case .character(let a):
                return "cha[" + a.map { $0.map { "\"\($0)\"" } ?? "NA" }.joined(separator: ",") + "]"
            }
        }
    }

    static func canonDouble(_ d: Double) -> String {
        if NA.isNA(d) { return "NA" }
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d > 0 ? "Inf" : "-Inf" }
        return NumberFormat.formatC(d, "%.17g")
    }

    @Test func readsLikeJsonlite() throws {
        for (input, expected) in JSONReaderTests.cases {
            let got = try JSONReaderTests.parse(input)
            #expect(JSONReaderTests.canon(got) == expected, "fromJSON('\(input)')")
        }
        #expect(JSONReaderTests.cases.count > 100)
    }

    @Test func scalarsAreInline() throws {
        if case .integer(5) = try JSONReaderTests.parse("5") {} else { Issue.record("5 is not an inline integer") }
        if case .double(5.5) = try JSONReaderTests.parse("5.5") {} else { Issue.record("5.5 is not an inline double") }
        if case .null = try JSONReaderTests.parse(" null ") {} else { Issue.record("null is not NULL") }
        if case .character("x") = try JSONReaderTests.parse("\"x\"") {} else { Issue.record("not a string") }
    }

    @Test func objectKeepsKeyOrderAndDuplicates() throws {
        guard case .list(let l) = try JSONReaderTests.parse(#"{"z":1,"a":2,"z":3,"m":null}"#) else {
            Issue.record("not a list")
            return
        }
        #expect(l.names == ["z", "a", "z", "m"])
        #expect(l.element(named: "z").map(JSONReaderTests.canon) == "int[1]")
        #expect(l.elements[3].isNull)
    }

    @Test func stringEscapes() throws {
        let v = try JSONReaderTests.parse(#""a\"b\\c\/d\be\ff\ng\rh\ti\u0041\u00e9\u4E2D\ud83d\ude00""#)
        #expect(JSONReaderTests.canon(v) == "cha[\"a\"b\\c/d\u{8}e\u{C}f\ng\rh\ti" + "Aé中😀\"]")
    }

    @Test func loneSurrogatesBecomeReplacementCharacter() throws {
        #expect(JSONReaderTests.canon(try JSONReaderTests.parse(#""\ud83d""#)) == "cha[\"\u{FFFD}\"]")
        #expect(JSONReaderTests.canon(try JSONReaderTests.parse(#""x\ude00y""#)) == "cha[\"x\u{FFFD}y\"]")
        // A high surrogate followed by an escape that is not a low surrogate keeps that escape.
        #expect(JSONReaderTests.canon(try JSONReaderTests.parse(#""\ud83d\u0041""#)) == "cha[\"\u{FFFD}A\"]")
    }

    @Test func rawUTF8IsKept() throws {
        let text = "[\"Zoë\", \"中文\", \"😀\"]"
        #expect(JSONReaderTests.canon(try JSONReaderTests.parse(text)) == "cha[\"Zoë\",\"中文\",\"😀\"]")
    }

    @Test func byteOrderMarkIsSkipped() throws {
        let v = try JSON.parse([0xEF, 0xBB, 0xBF] + Array("[1]".utf8))
        #expect(JSONReaderTests.canon(v) == "int[1]")
    }

    static func message(_ bytes: [UInt8]) -> String? {
        do {
            _ = try JSON.parse(bytes)
            return nil
        } catch {
            #expect(error.kind == .json)
            return error.message
        }
    }

    static func message(_ text: String) -> String? { message(Array(text.utf8)) }

    @Test func syntaxErrorsGiveLineAndColumn() {
        let cases: [(String, String)] = [
            ("", "invalid JSON at line 1, column 1: unexpected end of input"),
            ("   ", "invalid JSON at line 1, column 4: unexpected end of input"),
            ("[1,2] x", "invalid JSON at line 1, column 7: unexpected character 'x' after the JSON value"),
            ("01", "invalid JSON at line 1, column 1: invalid number: leading zeros are not allowed"),
            ("[1,]", "invalid JSON at line 1, column 4: unexpected character ']'"),
            ("{\"a\":1,}", "invalid JSON at line 1, column 8: expected a string key in object, found '}'"),
            ("{\"a\" 1}", "invalid JSON at line 1, column 6: expected ':' after object key, found '1'"),
            ("{\"a\":1 \"b\":2}",
             "invalid JSON at line 1, column 8: expected ',' or '}' after object member, found '\"'"),
            ("[1 2]", "invalid JSON at line 1, column 4: expected ',' or ']' after array element, found '2'"),
            (".5", "invalid JSON at line 1, column 1: unexpected character '.'"),
            ("1.", "invalid JSON at line 1, column 3: invalid number: expected a digit after the decimal point"),
            ("-", "invalid JSON at line 1, column 2: invalid number: expected a digit after '-'"),
            ("1e", "invalid JSON at line 1, column 3: invalid number: expected a digit in the exponent"),
            ("+1", "invalid JSON at line 1, column 1: unexpected character '+'"),
            ("NaN", "invalid JSON at line 1, column 1: unexpected character 'N'"),
            ("tru", "invalid JSON at line 1, column 1: invalid literal (expected 'true')"),
            ("nul", "invalid JSON at line 1, column 1: invalid literal (expected 'null')"),
            ("[1,\n 2,\n é]", "invalid JSON at line 3, column 2: unexpected character 'é'"),
            ("{\"é\": 1,\n\"ü\": x}", "invalid JSON at line 2, column 6: unexpected character 'x'"),
            ("[1", "invalid JSON at line 1, column 3: unexpected end of input"),
            ("{\"a\":", "invalid JSON at line 1, column 6: unexpected end of input"),
            ("\"abc", "invalid JSON at line 1, column 1: unterminated string"),
            ("[\"a\\", "invalid JSON at line 1, column 4: unterminated string"),
            ("\"a\\qb\"", "invalid JSON at line 1, column 3: invalid escape '\\q' in string"),
            ("\"\\u12G4\"", "invalid JSON at line 1, column 2: invalid \\u escape: expected 4 hexadecimal digits"),
            ("\"a\\u0000b\"", "invalid JSON at line 1, column 3: NUL character (\\u0000) in string is not supported"),
            ("\"a\tb\"", "invalid JSON at line 1, column 3: unescaped control character U+0009 in string"),
            ("[\"a\nb\"]", "invalid JSON at line 1, column 4: unescaped control character U+000A in string"),
            ("[1]\u{0}", "invalid JSON at line 1, column 4: unexpected character U+0000 after the JSON value"),
        ]
        for (input, expected) in cases {
            #expect(JSONReaderTests.message(input) == expected, "input: \(input.debugDescription)")
        }
    }

    @Test func invalidUTF8IsReportedWithByteOffset() {
        // A lone continuation byte inside a string.
        #expect(JSONReaderTests.message([0x22, 0x61, 0x80, 0x22])
            == "invalid JSON at line 1, column 3: invalid UTF-8 byte 0x80 at byte offset 2")
        // A truncated two-byte sequence, an overlong encoding, an encoded surrogate, and a byte past U+10FFFF.
        #expect(JSONReaderTests.message([0x5B, 0x22, 0xC3, 0x22, 0x5D])
            == "invalid JSON at line 1, column 3: invalid UTF-8 byte 0xC3 at byte offset 2")
        #expect(JSONReaderTests.message([0x22, 0xC0, 0xAF, 0x22])?
            .hasSuffix("invalid UTF-8 byte 0xC0 at byte offset 1") == true)
        #expect(JSONReaderTests.message([0x22, 0xED, 0xA0, 0x80, 0x22])?.hasSuffix("at byte offset 1") == true)
        #expect(JSONReaderTests.message([0x22, 0xF4, 0x90, 0x80, 0x80, 0x22])?.hasSuffix("at byte offset 1") == true)
        // Outside strings, and inside a string that has escapes before the bad byte.
        #expect(JSONReaderTests.message([0x5B, 0x31, 0x2C, 0xFF, 0x5D])
            == "invalid JSON at line 1, column 4: invalid UTF-8 byte 0xFF at byte offset 3")
        #expect(JSONReaderTests.message(Array(#""\n"#.utf8) + [0xE2, 0x82, 0x22])?
            .hasSuffix("invalid UTF-8 byte 0xE2 at byte offset 3") == true)
    }

    @Test func nestingIsLimited() throws {
        let ok = String(repeating: "[", count: 512) + "1" + String(repeating: "]", count: 512)
        var v = try JSONReaderTests.parse(ok)
        for _ in 0..<511 {
            guard case .list(let l) = v, l.count == 1 else {
                Issue.record("expected a one-element list")
                return
            }
            v = l.elements[0]
        }
        #expect(JSONReaderTests.canon(v) == "int[1]")
        let tooDeep = String(repeating: "[", count: 513) + String(repeating: "]", count: 513)
        #expect(JSONReaderTests.message(tooDeep)
            == "invalid JSON at line 1, column 513: nesting deeper than 512 levels")
        let objects = String(repeating: "{\"a\":", count: 600)
        #expect(JSONReaderTests.message(objects)?.hasSuffix("nesting deeper than 512 levels") == true)
        #expect(JSONReaderTests.message(String(repeating: "[", count: 100_000))
            == "invalid JSON at line 1, column 513: nesting deeper than 512 levels")
    }

    @Test func largeStringsAndArrays() throws {
        let big = String(repeating: "abcdé", count: 1_000_000)  // 6 MB
        guard case .character(let s?) = try JSONReaderTests.parse("\"" + big + "\"") else {
            Issue.record("not a string")
            return
        }
        #expect(s.utf8.count == 6_000_000)
        #expect(s == big)
        let escaped = String(repeating: "a\\n", count: 2_000_000)
        guard case .character(let t?) = try JSONReaderTests.parse("\"" + escaped + "\"") else {
            Issue.record("not a string")
            return
        }
        #expect(t.utf8.count == 4_000_000)
        let numbers = "[" + (0..<100_000).map(String.init).joined(separator: ",") + "]"
        guard case .vector(let vec) = try JSONReaderTests.parse(numbers), case .integer(let ints) = vec.storage else {
            Issue.record("not an integer vector")
            return
        }
        #expect(ints.count == 100_000 && ints[99_999] == 99_999)
    }

    @Test func numbersRoundCorrectly() throws {
        let cases: [(String, Double)] = [
            ("0.1", 0.1), ("2.2250738585072014e-308", 2.2250738585072014e-308), ("1e23", 1e23),
            ("8.98846567431158e307", 8.98846567431158e307), ("0.30000000000000004", 0.30000000000000004),
            ("123456789012345678901234567890", 1.2345678901234568e29), ("9007199254740993", 9007199254740992),
            // Exactly halfway between 1 and the next double: ties go to even.
            ("1.00000000000000011102230246251565404236316680908203125", 1),
            ("1.00000000000000011102230246251565404236316680908203126", 1.0000000000000002),
            ("-1e-400", -0.0), ("5e-324", 5e-324), ("1e400", .infinity), ("-1e400", -.infinity),
            ("1" + String(repeating: "0", count: 400) + "e-400", 1),
            ("0." + String(repeating: "0", count: 30) + "1e31", 1),
            ("3.0e5", 300000), ("12345678901234567890e-10", 1234567890.123456789),
        ]
        for (text, expected) in cases {
            guard case .double(let d) = try JSONReaderTests.parse(text) else {
                Issue.record("\(text) is not a double")
                continue
            }
            #expect(d == expected && d.sign == expected.sign, "\(text)")
        }
        if case .integer(0) = try JSONReaderTests.parse("-0") {} else { Issue.record("-0 is not integer 0") }
        if case .double(let z) = try JSONReaderTests.parse("-0.0") { #expect(z == 0 && z.sign == .minus) }
    }

    /// fromJSON(txt) for each txt, written by `canon()` in the script at the end of this file.
    static let cases: [(String, String)] = [
        (#"[1,null]"#, #"int[1,NA]"#),
        (#"[1.0]"#, #"dou[1]"#),
        (#"1e2"#, #"dou[100]"#),
        (#"[1e2]"#, #"dou[100]"#),
        (#"[1,2.5]"#, #"dou[1,2.5]"#),
        (#"2147483647"#, #"int[2147483647]"#),
        (#"2147483648"#, #"dou[2147483648]"#),
        (#"-2147483647"#, #"int[-2147483647]"#),
        (#"-2147483648"#, #"dou[-2147483648]"#),
        (#"[1, "a"]"#, #"cha["1","a"]"#),
        (#"[true, 1]"#, #"int[1,1]"#),
        (#"[null,null]"#, #"log[NA,NA]"#),
        (#"[]"#, #"list[]"#),
        (#"{}"#, #"obj{}"#),
        (#"{"a":1,"a":2}"#, #"obj{a=int[1],a=int[2]}"#),
        (#"[true,"a"]"#, #"cha["TRUE","a"]"#),
        (#"[true,null]"#, #"log[T,NA]"#),
        (#"["a",null]"#, #"cha["a",NA]"#),
        (#"[1.5,null]"#, #"dou[1.5,NA]"#),
        (#"5"#, #"int[5]"#),
        (#"5.5"#, #"dou[5.5]"#),
        (#""x""#, #"cha["x"]"#),
        (#"true"#, #"log[T]"#),
        (#"false"#, #"log[F]"#),
        (#"null"#, #"NULL"#),
        (#"1e400"#, #"dou[Inf]"#),
        (#"-1e400"#, #"dou[-Inf]"#),
        (#"-0"#, #"int[0]"#),
        (#"-0.0"#, #"dou[-0]"#),
        (#"123456789012345678901234567890"#, #"dou[1.2345678901234568e+29]"#),
        (#"[1,[2]]"#, #"list[int[1],int[2]]"#),
        (#"[1,{"a":1}]"#, #"list[int[1],obj{a=int[1]}]"#),
        (#"[[1,2],[3,4]]"#, #"list[int[1,2],int[3,4]]"#),
        (#"[{"a":1},{"a":2}]"#, #"list[obj{a=int[1]},obj{a=int[2]}]"#),
        (#"{"a":[]}"#, #"obj{a=list[]}"#),
        (#"{"a":{}}"#, #"obj{a=obj{}}"#),
        (#"{"a":null}"#, #"obj{a=NULL}"#),
        (#"[null]"#, #"log[NA]"#),
        (#"[1,true,"a"]"#, #"cha["1","TRUE","a"]"#),
        (#""\u00e9""#, #"cha["é"]"#),
        (#""\ud83d\ude00""#, #"cha["😀"]"#),
        (#"[1E2]"#, #"dou[100]"#),
        (#"1.0"#, #"dou[1]"#),
        (#"[1,1e2]"#, #"dou[1,100]"#),
        (#"[-0]"#, #"int[0]"#),
        (#"[0.0]"#, #"dou[0]"#),
        (#"1e-400"#, #"dou[0]"#),
        (#"[1, 1.5e300]"#, #"dou[1,1.5000000000000001e+300]"#),
        (#"{"":1}"#, #"obj{=int[1]}"#),
        (#"[[]]"#, #"list[list[]]"#),
        (#"[{}]"#, #"list[obj{}]"#),
        (#"[1,[]]"#, #"list[int[1],int[]]"#),
        (#"[null,[]]"#, #"list[NULL,list[]]"#),
        (#"3000000000"#, #"dou[3000000000]"#),
        (#"[3000000000,1]"#, #"dou[3000000000,1]"#),
        (#"["NA"]"#, #"log[NA]"#),
        (#"["NA", 1]"#, #"int[NA,1]"#),
        (#"["Inf"]"#, #"dou[Inf]"#),
        (#"["NaN", 1.5]"#, #"dou[NaN,1.5]"#),
        (#"["-Inf", true]"#, #"dou[-Inf,1]"#),
        (#"["NA","a"]"#, #"cha["NA","a"]"#),
        (#"["a","NA"]"#, #"cha["a","NA"]"#),
        (#"["NA", null]"#, #"log[NA,NA]"#),
        (#"{"a":"NA"}"#, #"obj{a=cha["NA"]}"#),
        (#""NA""#, #"cha["NA"]"#),
        (#"[1.5,"a"]"#, #"cha["1.5","a"]"#),
        (#"[0.1,"a"]"#, #"cha["0.1","a"]"#),
        (#"[1e2,"a"]"#, #"cha["100","a"]"#),
        (#"[1e20,"a"]"#, #"cha["1e+20","a"]"#),
        (#"[123456789.123,"a"]"#, #"cha["123456789.123","a"]"#),
        (#"[0.30000000000000004,"a"]"#, #"cha["0.3","a"]"#),
        (#"[1e-300,"a"]"#, #"cha["1e-300","a"]"#),
        (#"[true,1.5]"#, #"dou[1,1.5]"#),
        (#"[false,null,2]"#, #"int[0,NA,2]"#),
        (#"[1,[],2]"#, #"list[int[1],int[],int[2]]"#),
        (#"["a",[]]"#, #"list[cha["a"],cha[]]"#),
        (#"[[1],[]]"#, #"list[int[1],int[]]"#),
        (#"[[],[1.5]]"#, #"list[dou[],dou[1.5]]"#),
        (#"[[],"a"]"#, #"list[cha[],cha["a"]]"#),
        (#"[[],null]"#, #"list[list[],NULL]"#),
        (#"[[],[]]"#, #"list[list[],list[]]"#),
        (#"[{},[1]]"#, #"list[obj{},int[1]]"#),
        (#"[[1],{}]"#, #"list[int[1],obj{}]"#),
        (#"[[],{"a":1}]"#, #"list[list[],obj{a=int[1]}]"#),
        (#"[1,null,[2]]"#, #"list[int[1],NULL,int[2]]"#),
        (#"[[true],[],[1]]"#, #"list[log[T],log[],int[1]]"#),
        (#"[[null],[]]"#, #"list[log[NA],log[]]"#),
        (#"{"a":[[1],[]]}"#, #"obj{a=list[int[1],int[]]}"#),
        (#"[[1,2],[]]"#, #"list[int[1,2],int[]]"#),
        (#"[["x"],[], [1]]"#, #"list[cha["x"],cha[],int[1]]"#),
        (#"[2147483647, -2147483647]"#, #"int[2147483647,-2147483647]"#),
        (#"1E+2"#, #"dou[100]"#),
        (#"1e-2"#, #"dou[0.01]"#),
        (#"0"#, #"int[0]"#),
        (#"-1"#, #"int[-1]"#),
        (#"1.5e3"#, #"dou[1500]"#),
        (#"[9007199254740993]"#, #"dou[9007199254740992]"#),
        (#"10000000000000000000000"#, #"dou[1e+22]"#),
        (#"4.9e-324"#, #"dou[4.9406564584124654e-324]"#),
        (#"2.5e-324"#, #"dou[4.9406564584124654e-324]"#),
        (#"1.7976931348623157e308"#, #"dou[1.7976931348623157e+308]"#),
        (#"1.7976931348623159e308"#, #"dou[Inf]"#),
        (#"0.1"#, #"dou[0.10000000000000001]"#),
        (#"123456789123"#, #"dou[123456789123]"#),
        (#"-2147483649"#, #"dou[-2147483649]"#),
        (#"0.000123456789012345678901234"#, #"dou[0.00012345678901234567]"#),
        (#"1234567890123456789.5"#, #"dou[1.2345678901234568e+18]"#),
        (#"12345678901234567890123e-10"#, #"dou[1234567890123.4568]"#),
        (#"2.2250738585072011e-308"#, #"dou[2.2250738585072009e-308]"#),
        (#"[0.1, 0.2, 0.30000000000000004, 1e-7, 3.14159]"#,
         #"dou[0.10000000000000001,0.20000000000000001,0.30000000000000004,"#
             + #"9.9999999999999995e-08,3.1415899999999999]"#),
        (#"{"number": 5}"#, #"obj{number=int[5]}"#),
        (#"{"a": {"b": {"c": [1, 2, 3]}}, "d": "x"}"#, #"obj{a=obj{b=obj{c=int[1,2,3]}},d=cha["x"]}"#),
        (#"{"name":"Zoë","tags":["a","b"],"n":null,"ok":true}"#,
         #"obj{name=cha["Zoë"],tags=cha["a","b"],n=NULL,ok=log[T]}"#),
        (#""\u0041\u00DF\u4e2d\uFFFF""#, #"cha["Aß中￿"]"#),
        (#""中文 ✓ 😀""#, #"cha["中文 ✓ 😀"]"#),
        (#"[ 1 , 2 ]  "#, #"int[1,2]"#),
        (#"{"a" : [true, false, null] }"#, #"obj{a=log[T,F,NA]}"#),
        (#"[true, false]"#, #"log[T,F]"#),
        (#"[[true, false], [null]]"#, #"list[log[T,F],log[NA]]"#),
        (#"["", ""]"#, #"cha["",""]"#),
        (#"{"x": [1.5, 2, 3]}"#, #"obj{x=dou[1.5,2,3]}"#),
        (#"[{"a": null}, null]"#, #"list[obj{a=NULL},NULL]"#),
        (#"[1, [1, 2], {"b": []}]"#, #"list[int[1],int[1,2],obj{b=list[]}]"#),
        (#"{"a": [[]]}"#, #"obj{a=list[list[]]}"#),
        (#"[true, "NA"]"#, #"log[T,NA]"#),
        (#"[null, "NaN"]"#, #"dou[NA,NaN]"#),
        (#"["Inf", "-Inf", "x"]"#, #"cha["Inf","-Inf","x"]"#),
    ]
}

@Suite struct JSONWriterTests {
    static func json(_ v: Value) throws(FnError) -> String {
        String(decoding: try JSON.serialize(v), as: UTF8.self)
    }

    static func dbl(_ xs: [Double], names: [String]? = nil) -> Value { Value(.double(xs), names: names) }
    static func list(_ xs: [Value], names: [String]? = nil) -> Value { .list(List(xs, names: names)) }

    @Test func writesLikeJsonlite() throws {
        func d(_ xs: [Double], names: [String]? = nil) -> Value { JSONWriterTests.dbl(xs, names: names) }
        func l(_ xs: [Value], names: [String]? = nil) -> Value { JSONWriterTests.list(xs, names: names) }
        // (value, toJSON(value) as written by jsonlite) with the R expression in the comment.
        let cases: [(Value, String)] = [
            (d([1, 2], names: ["a", "b"]), "[1,2]"),                      // c(a=1,b=2)
            (d([1], names: ["a"]), "1"),                                   // c(a=1)
            (.double(1), "1"),                                             // 1
            (d([1, NA.double]), "[1,null]"),                               // c(1,NA)
            (.logical(NA.logical), "null"),                                // NA
            (.character(nil), "null"),                                     // NA_character_
            (.integer(NA.integer), "null"),                                // NA_integer_
            (.double(NA.double), "null"),                                  // NA_real_
            (Value(.logical([1, NA.logical])), "[true,null]"),             // c(TRUE,NA)
            (Value(.character([])), "[]"),                                 // character(0)
            (Value(.integer([])), "[]"),                                   // integer(0)
            (l([]), "[]"),                                                 // list()
            (l([], names: []), "{}"),                                      // setNames(list(),character(0))
            (l([.null], names: ["a"]), "{\"a\":null}"),                    // list(a=NULL)
            (l([.null]), "[null]"),                                        // list(NULL)
            (l([.double(1), .null]), "[1,null]"),                          // list(1,NULL)
            (l([.double(1), .double(2)], names: ["a", ""]), "{\"a\":1,\"2\":2}"),  // list(a=1,2)
            (l([.double(1), .double(2)], names: ["a", "a"]), "{\"a\":1,\"a.1\":2}"),  // list(a=1,a=2)
            (l([.double(1), .double(2)], names: ["", ""]), "{\"1\":1,\"2\":2}"),
            (l([1, 2, 3].map(Value.double), names: ["a", "a", "a.1"]), "{\"a\":1,\"a.2\":2,\"a.1\":3}"),
            (l([1, 2, 3, 4, 5].map(Value.double), names: ["a", "a", "a", "a.1", "a.2"]),
             "{\"a\":1,\"a.3\":2,\"a.4\":3,\"a.1\":4,\"a.2\":5}"),
            (l([1, 2, 3, 4].map(Value.double), names: ["1", "1", "1.1", "1"]),
             "{\"1\":1,\"1.2\":2,\"1.1\":3,\"1.3\":4}"),
            (l([1, 2, 3].map(Value.double), names: ["a.1", "a", "a"]), "{\"a.1\":1,\"a\":2,\"a.2\":3}"),
            (l([1, 2, 3, 4].map(Value.double), names: ["a", "a", "a.1", "a.1"]),
             "{\"a\":1,\"a.2\":2,\"a.1\":3,\"a.1.1\":4}"),
            (l([1, 2].map(Value.double), names: ["2", ""]), "{\"2\":1,\"2.1\":2}"),
            (.double(5), "5"),
            (.double(2147483648), "2147483648"),                           // 2^31
            (.double(-0.0), "-0"),
            (.double(0.5), "0.5"),
            (.double(1e-20), "1e-20"),
            (.double(1e20), "1e+20"),
            (.double(123456789012), "123456789012"),
            (.character("a\"b\\c\n\r\t\u{8}\u{C}\u{1}\u{1F}/\u{7F}"),
             "\"a\\\"b\\\\c\\n\\r\\t\\b\\f\\u0001\\u001f/\u{7F}\""),
            (.character("é😀\u{2028}"), "\"é😀\u{2028}\""),
            (l([l([])], names: ["a"]), "{\"a\":[]}"),                      // list(a=list())
            (l([d([1, 2], names: ["x", "y"])], names: ["a"]), "{\"a\":[1,2]}"),
            (Value(.integer([1]), names: ["a"]), "1"),                     // c(a=1L)
            (.logical(1), "true"),
            (Value(.logical([1, 0])), "[true,false]"),
            (l([.logical(NA.logical)], names: ["a"]), "{\"a\":null}"),
            (l([.logical(NA.logical)]), "[null]"),
            (l([d([1, 2]), .character("a")]), "[[1,2],\"a\"]"),
            (l([.double(1)], names: [""]), "{\"1\":1}"),
            (Value(.integer([1, NA.integer, 3])), "[1,null,3]"),
            (Value(.character(["a", nil])), "[\"a\",null]"),
            (l([.character("odd")], names: ["parity"]), "{\"parity\":\"odd\"}"),
            (l([l([l([Value(.integer([1, 2, 3]))], names: ["c"])], names: ["b"]), .character("x")], names: ["a", "d"]),
             "{\"a\":{\"b\":{\"c\":[1,2,3]}},\"d\":\"x\"}"),
            (.integer(-2147483647), "-2147483647"),
            (d([-1.5, 2.25]), "[-1.5,2.25]"),
            (l([l([l([])])]), "[[[]]]"),
            (.null, "null"),                                               // jsonlite: {}
        ]
        for (value, expected) in cases {
            #expect(try JSONWriterTests.json(value) == expected)
        }
    }

    @Test func numbersAreShortestRoundTrip() throws {
        let cases: [(Double, String)] = [
            (0.1 + 0.2, "0.30000000000000004"), (1.0 / 3, "0.3333333333333333"), (1e15, "1000000000000000"),
            (9007199254740991, "9007199254740991"), (9007199254740992, "9007199254740992"),
            (9007199254740994, "9.007199254740994e+15"), (1e16, "1e+16"), (1e-5, "1e-05"), (1e-4, "0.0001"),
            (-123.456, "-123.456"), (5e-324, "5e-324"), (.greatestFiniteMagnitude, "1.7976931348623157e+308"),
            (-2.5e-10, "-2.5e-10"), (1234567.125, "1234567.125"),
        ]
        for (x, expected) in cases {
            #expect(try JSONWriterTests.json(.double(x)) == expected, "\(x)")
        }
    }

    @Test func classesAreIgnored() throws {
        // As jsonlite: a POSIXct is its text in UTC (whole seconds), other classes are ignored.
        let time = Value.vector(Vector(.double([1_700_000_000.5]), classes: ["POSIXct", "POSIXt"]))
        #expect(try JSONWriterTests.json(time) == "\"2023-11-14 22:13:20\"")
        let cond = Value.list(List([.character("boom")], names: ["message"], classes: ["simpleError"]))
        #expect(try JSONWriterTests.json(cond) == "{\"message\":\"boom\"}")
    }

    static func message(_ v: Value) -> String? {
        do {
            _ = try JSON.serialize(v)
            return nil
        } catch {
            #expect(error.kind == .json)
            return error.message
        }
    }

    @Test func valuesWithoutJSONFormAreErrors() {
        let nonFinite = "cannot serialise non-finite number as JSON"
        #expect(JSONWriterTests.message(.double(.nan)) == nonFinite)
        #expect(JSONWriterTests.message(.double(.infinity)) == nonFinite)
        #expect(JSONWriterTests.message(JSONWriterTests.dbl([1, -.infinity])) == nonFinite)
        #expect(JSONWriterTests.message(JSONWriterTests.list([.double(.nan)], names: ["a"])) == nonFinite)
        let f = Builtin("f", []) { (_, _) throws(FnError) -> Value in .null }
        #expect(JSONWriterTests.message(.builtin(f)) == "cannot serialise a function as JSON")
        #expect(JSONWriterTests.message(JSONWriterTests.list([.double(1), .builtin(f)]))
            == "cannot serialise a function as JSON")
        let env = Environment(slotCount: 0, parent: nil, scope: nil)
        #expect(JSONWriterTests.message(.environment(env)) == "cannot serialise an environment as JSON")
    }

    @Test func deepValuesAreWrittenWithoutRecursionAndLimited() throws {
        var v = Value.integer(1)
        for _ in 0..<JSONWriter.maxDepth { v = .list(List([v])) }
        let text = try JSONWriterTests.json(v)
        #expect(text.utf8.count == 2 * JSONWriter.maxDepth + 1)
        #expect(text.hasPrefix("[[[") && text.contains("[1]") && text.hasSuffix("]]]"))
        v = .list(List([v], names: ["a"]))
        #expect(JSONWriterTests.message(v) == "cannot serialise a value nested deeper than 10000 levels as JSON")
    }
}

@Suite struct JSONRoundTripTests {
    @Test func textRoundTrips() throws {
        // Documents already in the writer's canonical form come back byte for byte.
        let documents = [
            "{\"parity\":\"odd\"}", "[1,2,3]", "[1.5,null,3]", "{\"a\":{\"b\":[true,false,null]},\"c\":[]}",
            "[[1,2],\"x\",{}]", "\"é\\n\\u0001\\\"\"", "{\"n\":null,\"x\":0.30000000000000004}",
            "[1e+20,1e-05,0,2147483648]", "{\"a\":1,\"b\":[\"x\",null]}", "[\"NA\",\"b\"]", "[]", "{}", "null",
        ]
        for doc in documents {
            let value = try JSON.parse(Array(doc.utf8))
            #expect(String(decoding: try JSON.serialize(value), as: UTF8.self) == doc, "\(doc)")
        }
        // Not identities, as in jsonlite: duplicate keys are made unique, arrays of one-element arrays a one-column matrix,
        // `-0` read as the integer 0, "NA" alone among strings read as NA.
        let changed = [("{\"a\":1,\"a\":2}", "{\"a\":1,\"a.1\":2}"), ("[[\"x\"],[1]]", "[[\"x\"],[\"1\"]]"), ("[-0]", "0"),
                       ("[\"NA\",null]", "[null,null]")]
        for (doc, expected) in changed {
            #expect(String(decoding: try JSON.serialize(try JSON.parse(Array(doc.utf8))), as: UTF8.self) == expected)
        }
    }

    @Test func valuesRoundTrip() throws {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let xs = (0..<5).map { _ in Double(bitPattern: rng.next()) }.filter(\.isFinite)
            let back = try JSON.parse(try JSON.serialize(Value(.double(xs + [0.5, 1.5]))))
            guard case .vector(let v) = back, case .double(let ys) = v.storage else {
                Issue.record("not a double vector")
                continue
            }
            #expect(ys.map(\.bitPattern) == (xs + [0.5, 1.5]).map(\.bitPattern))
        }
        let strings: [String?] = ["", "a\"b", "\\", "\u{1}\u{1F}\u{7F}", "Zoë 中文 😀", "\u{2028}\u{FFFD}", nil]
        let back = try JSON.parse(try JSON.serialize(Value(.character(strings))))
        #expect(JSONReaderTests.canon(back) == JSONReaderTests.canon(Value(.character(strings))))
        let ints = Value(.integer([Int32.max, -Int32.max, 0, NA.integer]))
        #expect(JSONReaderTests.canon(try JSON.parse(try JSON.serialize(ints))) == "int[2147483647,-2147483647,0,NA]")
    }
}

/*
The R script that recorded JSONReaderTests.cases (reader-inputs.txt holds one JSON text per line):

library(jsonlite)
canon <- function(x) {
  if (is.null(x)) return("NULL")
  if (is.list(x)) {
    n <- names(x)
    inner <- vapply(seq_along(x), function(i) {
      v <- canon(x[[i]]); if (!is.null(n)) paste0(n[i], "=", v) else v }, "")
    return(paste0(if (is.null(n)) "list[" else "obj{", paste(inner, collapse = ","), if (is.null(n)) "]" else "}"))
  }
  el <- function(v) {
    if (is.na(v) && !is.nan(v)) return("NA")
    switch(typeof(x),
           double = if (is.nan(v)) "NaN" else if (is.infinite(v)) (if (v > 0) "Inf" else "-Inf")
                    else sprintf("%.17g", v),
           integer = as.character(v), logical = if (v) "T" else "F", character = paste0("\"", v, "\""))
  }
  paste0(substr(typeof(x), 1, 3), "[", paste(vapply(x, el, ""), collapse = ","), "]")
}
inputs <- readLines("reader-inputs.txt", encoding = "UTF-8")
for (s in inputs) {
  x <- fromJSON(s, simplifyVector = TRUE, simplifyDataFrame = FALSE, simplifyMatrix = FALSE)
  cat(sprintf("        (#\"%s\"#, #\"%s\"#),\n", s, canon(x)))
}
*/
