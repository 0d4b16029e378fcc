import Testing
@testable import FnLanguage

/// The token kinds of `text`, without the final `.endOfInput`.
private func kinds(_ text: String) -> [TokenKind] {
    Array(Lexer.tokenize(Array(text.utf8)).tokens.map(\.kind).dropLast())
}

/// The value of the single numeric token in `text`.
private func number(_ text: String) -> Value? {
    let stream = Lexer.tokenize(Array(text.utf8))
    guard stream.tokens.count == 2, stream.tokens[0].kind == .number || stream.tokens[0].kind == .constant else {
        return nil
    }
    return stream.values[Int(stream.tokens[0].payload)]
}

/// The text of the single string (or name) token in `text`.
private func string(_ text: String) -> String? {
    let stream = Lexer.tokenize(Array(text.utf8))
    guard stream.tokens.count == 2, stream.tokens[0].kind == .string || stream.tokens[0].kind == .identifier else {
        return nil
    }
    return stream.strings[Int(stream.tokens[0].payload)]
}

private func isDouble(_ v: Value?, _ expected: Double) -> Bool {
    if case .double(let d)? = v { return d == expected || (d.isNaN && expected.isNaN) }
    return false
}

private func isInteger(_ v: Value?, _ expected: Int32) -> Bool {
    if case .integer(let i)? = v { return i == expected }
    return false
}

@Suite struct LexerTests {
    @Test func numbers() {
        #expect(isDouble(number("5"), 5))
        #expect(isInteger(number("5L"), 5))
        #expect(isDouble(number("1e3"), 1000))
        #expect(isDouble(number("1E-3"), 0.001))
        #expect(isDouble(number(".5"), 0.5))
        #expect(isDouble(number("5."), 5))
        #expect(isDouble(number("5.e2"), 500))
        #expect(isDouble(number("0.1"), 0.1))
        #expect(isDouble(number("0x10"), 16))
        #expect(isDouble(number("0XfF"), 255))
        #expect(isInteger(number("0x10L"), 16))
        #expect(isDouble(number("0x1p3"), 8))
        #expect(isDouble(number("0x1.8p1"), 3))
        #expect(isInteger(number("1e5L"), 100_000))
        #expect(isInteger(number("2147483647L"), Int32.max))
        #expect(isDouble(number("2147483648L"), 2_147_483_648))
        #expect(isDouble(number("1.5L"), 1.5))
        #expect(isDouble(number("1e-3L"), 0.001))
        #expect(isDouble(number("1e10L"), 1e10))
        #expect(isDouble(number("0xFFFFFFFFL"), 4_294_967_295))
        #expect(isDouble(number("1e400"), .infinity))
        #expect(isDouble(number("1e-400"), 0))
        #expect(isDouble(number("100000000000000000000"), 1e20))
        #expect(isDouble(number("123456789012345678"), 123_456_789_012_345_680))
        #expect(isDouble(number("999999999999999"), 999_999_999_999_999))
        #expect(isDouble(number("0xFFFFFFFFFFFFFFFFFFFF"), 1.2089258196146292e24))
        #expect(isDouble(number("0.30000000000000004"), 0.30000000000000004))
    }

    @Test func reservedConstants() {
        #expect(isDouble(number("Inf"), .infinity))
        #expect(isDouble(number("NaN"), .nan))
        if case .logical(1)? = number("TRUE") {} else { Issue.record("TRUE") }
        if case .integer(NA.integer)? = number("NA_integer_") {} else { Issue.record("NA_integer_") }
        #expect(kinds("NULL") == [.null])
        #expect(kinds("T F TRUEx NAN") == [.identifier, .identifier, .identifier, .identifier])
    }

    @Test func strings() {
        #expect(string("'abc'") == "abc")
        #expect(string("\"it's\"") == "it's")
        #expect(string(#""a\nb\tc\rd""#) == "a\nb\tc\rd")
        #expect(string(#"'\\ \" \' \` \a\b\f\v'"#) == "\\ \" ' ` \u{07}\u{08}\u{0C}\u{0B}")
        #expect(string(#"'\x41\x4a\101\7'"#) == "AJA\u{07}")
        #expect(string(#"'\u00e9\u{e9}\U0001F600\U{1F600}\u41'"#) == "éé😀😀A")
        #expect(string(#"'\xc3\xa9'"#) == "é")
        #expect(string("'multi\nline'") == "multi\nline")
        #expect(string("'é ✓'") == "é ✓")
        #expect(string("''") == "")
    }

    @Test func rawStrings() {
        #expect(string(#"r"(a\b)""#) == #"a\b"#)
        #expect(string(#"R'[x"y]'"#) == #"x"y"#)
        #expect(string(#"r"{a}""#) == "a")
        #expect(string(#"r"-(a)"b)-""#) == #"a)"b"#)
        #expect(string(#"r"---[x]--]---""#) == "x]--")
        #expect(string("r\"(line\nbreak)\"") == "line\nbreak")
        #expect(kinds("r + R") == [.identifier, .plus, .identifier])
    }

    @Test func identifiers() {
        #expect(string("x") == "x")
        #expect(string("a.b_c1") == "a.b_c1")
        #expect(string(".x") == ".x")
        #expect(string("...") == "...")
        #expect(string("..1") == "..1")
        #expect(string("é") == "é")
        #expect(string("naïve_λ") == "naïve_λ")
        #expect(string("`a b`") == "a b")
        #expect(string("`if`") == "if")
        #expect(string(#"`a\`b`"#) == "a`b")
        #expect(kinds("`if`") == [.identifier])
        #expect(kinds("if else repeat while function for in next break") ==
                [.kwIf, .kwElse, .kwRepeat, .kwWhile, .kwFunction, .kwFor, .kwIn, .kwNext, .kwBreak])
        #expect(kinds(".5x") == [.number, .identifier])
    }

    @Test func operators() {
        #expect(kinds("x<-1") == [.identifier, .leftAssign, .number])
        #expect(kinds("x < -1") == [.identifier, .less, .minus, .number])
        #expect(kinds("a<<-b->c->>d=e") ==
                [.identifier, .superLeftAssign, .identifier, .rightAssign, .identifier, .superRightAssign,
                 .identifier, .equalAssign, .identifier])
        #expect(kinds("== != <= >= < > !") ==
                [.equalEqual, .notEqual, .lessEqual, .greaterEqual, .less, .greater, .bang])
        #expect(kinds("& && | || |>") == [.and, .andAnd, .or, .orOr, .pipe])
        #expect(kinds("+ - * / ^ **") == [.plus, .minus, .star, .slash, .caret, .caret])
        #expect(kinds("%% %/% %in% %o%") == [.special, .special, .special, .special])
        #expect(kinds(": :: :::") == [.colon, .doubleColon, .tripleColon])
        #expect(kinds("$ @ ~ ? \\") == [.dollar, .at, .tilde, .question, .backslash])
        #expect(kinds("( ) { } [ [[ ] , ;") ==
                [.leftParen, .rightParen, .leftBrace, .rightBrace, .leftBracket, .doubleLeftBracket,
                 .rightBracket, .comma, .semicolon])
        #expect(kinds("x[[1]]") == [.identifier, .doubleLeftBracket, .number, .rightBracket, .rightBracket])
    }

    @Test func commentsAndNewlines() {
        #expect(kinds("a # comment ( ' \"\nb") == [.identifier, .newline, .identifier])
        #expect(kinds("a\r\nb") == [.identifier, .newline, .identifier])
        #expect(kinds("# only") == [])
        #expect(kinds("'#' # x") == [.string])
        #expect(kinds("\u{FEFF}x") == [.identifier])
    }

    @Test func tokensCarryByteOffsets() {
        let tokens = Lexer.tokenize(Array("é <- 'ü'".utf8)).tokens
        #expect(tokens.map(\.start) == [0, 3, 6, 10])
        #expect(tokens.map(\.end) == [2, 5, 10, 10])
    }

    @Test func malformedInputStopsLexing() {
        #expect(kinds("a 'b") == [.identifier, .incompleteString])
        #expect(kinds("a %b\n%") == [.identifier, .invalid])
        #expect(kinds("1 '\\q' 2") == [.number, .invalid])
        #expect(Lexer.checkEncoding([0x61, 0xC3]) != nil)
        #expect(Lexer.checkEncoding([0xF4, 0x90, 0x80, 0x80]) != nil)
        #expect(Lexer.checkEncoding([0xC0, 0x80]) != nil)
        #expect(Lexer.checkEncoding(Array("ok é 😀".utf8)) == nil)
    }
}
