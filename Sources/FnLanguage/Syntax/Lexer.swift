/// The tokens of a source text, with the payloads (names, strings, numbers) kept in side tables so a
/// `Token` stays four words.
struct TokenStream {
    var tokens: [Token] = []
    /// Identifier names, string literals, `%op%` spellings and error messages.
    var strings: [String] = []
    /// Numeric and logical constants.
    var values: [Value] = []
}

/// Splits UTF-8 source bytes into tokens following R's lexical rules.
///
/// The whole text is lexed up front: the parser needs lookahead across newlines (`else` on a new
/// line inside braces, `name =` in argument lists) and an array makes that trivial. Lexing stops at
/// the first malformed token, which becomes an `.invalid` (or `.incompleteString`) token followed by
/// `.endOfInput`; the parser reports it when it gets there, so earlier syntax errors win, as in R.
struct Lexer {
    private let p: UnsafeBufferPointer<UInt8>
    private var i = 0
    private var out = TokenStream()

    private init(_ p: UnsafeBufferPointer<UInt8>) {
        self.p = p
        out.tokens.reserveCapacity(p.count / 4 + 16)
    }

    /// Lexes `bytes`, which must already be valid UTF-8 without NUL bytes (see `checkEncoding`).
    static func tokenize(_ bytes: [UInt8]) -> TokenStream {
        bytes.withUnsafeBufferPointer { buffer in
            var lexer = Lexer(buffer)
            lexer.run()
            return lexer.out
        }
    }

    /// The offset and message of the first NUL byte or invalid UTF-8 sequence, if any.
    static func checkEncoding(_ bytes: [UInt8]) -> (offset: Int, message: String)? {
        bytes.withUnsafeBufferPointer { p in
            var i = 0
            let n = p.count
            while i < n {
                let b = p[i]
                if b < 0x80 {
                    if b == 0 { return (i, "nul character not allowed") }
                    i += 1
                    continue
                }
                let len = utf8SequenceLength(p, i)
                if len == 0 { return (i, "invalid UTF-8 byte 0x\(hexByte(b)) in source") }
                i += len
            }
            return nil
        }
    }

    // MARK: - Main loop

    private mutating func run() {
        let n = p.count
        // Editors on Windows may start the file with a byte order mark; it is not part of the program.
        if n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF { i = 3 }
        while i < n {
            let c = p[i]
            switch c {
            case 0x20, 0x09, 0x0D, 0x0C: // space, tab, CR, form feed
                i += 1
            case 0x0A:
                emit(.newline, i, i + 1)
                i += 1
            case UInt8(ascii: "#"):
                while i < n && p[i] != 0x0A { i += 1 }
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                if !lexNumber() { return }
            case UInt8(ascii: "."):
                if i + 1 < n && isDigit(p[i + 1]) {
                    if !lexNumber() { return }
                } else {
                    lexIdentifier()
                }
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                if !lexString(quote: c, isName: false) { return }
            case UInt8(ascii: "`"):
                if !lexString(quote: c, isName: true) { return }
            case UInt8(ascii: "r"), UInt8(ascii: "R"):
                if i + 1 < n && (p[i + 1] == UInt8(ascii: "\"") || p[i + 1] == UInt8(ascii: "'")) {
                    if !lexRawString() { return }
                } else {
                    lexIdentifier()
                }
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"):
                lexIdentifier()
            case 0x80...0xFF:
                let (scalar, _) = decodeScalar(p, i)
                if scalar.properties.isAlphabetic {
                    lexIdentifier()
                } else {
                    fail("unexpected input", at: i)
                    return
                }
            default:
                if !lexOperator(c) { return }
            }
        }
        emit(.endOfInput, n, n)
    }

    private mutating func emit(_ kind: TokenKind, _ start: Int, _ end: Int, payload: Int = 0) {
        out.tokens.append(Token(kind: kind, start: Int32(truncatingIfNeeded: start),
                                end: Int32(truncatingIfNeeded: end), payload: Int32(truncatingIfNeeded: payload)))
    }

    private mutating func emit(_ kind: TokenKind, _ start: Int, _ end: Int, string: String) {
        out.strings.append(string)
        emit(kind, start, end, payload: out.strings.count - 1)
    }

    private mutating func emit(_ kind: TokenKind, _ start: Int, _ end: Int, value: Value) {
        out.values.append(value)
        emit(kind, start, end, payload: out.values.count - 1)
    }

    /// Ends lexing with an error token at `offset`.
    private mutating func fail(_ message: String, at offset: Int, end: Int? = nil) {
        emit(.invalid, offset, end ?? min(offset + 1, p.count), string: message)
        emit(.endOfInput, p.count, p.count)
    }

    // MARK: - Identifiers and keywords

    private mutating func lexIdentifier() {
        let start = i
        let n = p.count
        while i < n {
            let c = p[i]
            if c < 0x80 {
                guard isIdentifierByte(c) else { break }
                i += 1
            } else {
                let (scalar, len) = decodeScalar(p, i)
                guard isIdentifierContinuation(scalar) else { break }
                i += len
            }
        }
        if let keyword = keyword(start, i) {
            switch keyword {
            case .constant(let value): emit(.constant, start, i, value: value)
            case .token(let kind): emit(kind, start, i)
            }
        } else {
            emit(.identifier, start, i, string: String(decoding: UnsafeBufferPointer(rebasing: p[start..<i]),
                                                       as: UTF8.self))
        }
    }

    private enum Keyword {
        case token(TokenKind)
        case constant(Value)
    }

    private func keyword(_ start: Int, _ end: Int) -> Keyword? {
        let len = end - start
        guard len >= 2 && len <= 13 else { return nil }
        func equals(_ word: StaticString) -> Bool {
            guard word.utf8CodeUnitCount == len else { return false }
            let w = word.utf8Start
            for k in 0..<len where p[start + k] != w[k] { return false }
            return true
        }
        switch p[start] {
        case UInt8(ascii: "i"):
            if equals("if") { return .token(.kwIf) }
            if equals("in") { return .token(.kwIn) }
        case UInt8(ascii: "e"):
            if equals("else") { return .token(.kwElse) }
        case UInt8(ascii: "r"):
            if equals("repeat") { return .token(.kwRepeat) }
        case UInt8(ascii: "w"):
            if equals("while") { return .token(.kwWhile) }
        case UInt8(ascii: "f"):
            if equals("function") { return .token(.kwFunction) }
            if equals("for") { return .token(.kwFor) }
        case UInt8(ascii: "n"):
            if equals("next") { return .token(.kwNext) }
        case UInt8(ascii: "b"):
            if equals("break") { return .token(.kwBreak) }
        case UInt8(ascii: "T"):
            if equals("TRUE") { return .constant(.logical(1)) }
        case UInt8(ascii: "F"):
            if equals("FALSE") { return .constant(.logical(0)) }
        case UInt8(ascii: "I"):
            if equals("Inf") { return .constant(.double(.infinity)) }
        case UInt8(ascii: "N"):
            if equals("NULL") { return .token(.null) }
            if equals("NaN") { return .constant(.double(.nan)) }
            if equals("NA") { return .constant(.logical(NA.logical)) }
            if equals("NA_integer_") { return .constant(.integer(NA.integer)) }
            if equals("NA_real_") { return .constant(.double(NA.double)) }
            if equals("NA_character_") { return .constant(.character(nil)) }
        default:
            break
        }
        return nil
    }

    // MARK: - Numbers

    /// Lexes a numeric literal at `i`; false when it is malformed (an error token was emitted).
    private mutating func lexNumber() -> Bool {
        let start = i
        let n = p.count
        var simpleDigits = true // only decimal digits: exact in an Int64 when short
        if p[i] == UInt8(ascii: "0") && i + 1 < n && (p[i + 1] | 0x20) == UInt8(ascii: "x") {
            simpleDigits = false
            i += 2
            let digitsStart = i
            while i < n && isHexDigit(p[i]) { i += 1 }
            var sawDigits = i > digitsStart
            if i < n && p[i] == UInt8(ascii: ".") {
                i += 1
                let fractionStart = i
                while i < n && isHexDigit(p[i]) { i += 1 }
                sawDigits = sawDigits || i > fractionStart
            }
            guard sawDigits else { fail("unexpected input", at: start, end: i); return false }
            if i < n && (p[i] | 0x20) == UInt8(ascii: "p") {
                guard exponent() else { fail("unexpected input", at: start, end: i); return false }
            }
        } else {
            while i < n && isDigit(p[i]) { i += 1 }
            if i < n && p[i] == UInt8(ascii: ".") {
                simpleDigits = false
                i += 1
                while i < n && isDigit(p[i]) { i += 1 }
            }
            if i < n && (p[i] | 0x20) == UInt8(ascii: "e") {
                simpleDigits = false
                guard exponent() else { fail("unexpected input", at: start, end: i); return false }
            }
        }
        let textEnd = i
        var value: Double
        if simpleDigits && textEnd - start <= 15 {
            var v: Int64 = 0
            for k in start..<textEnd { v = v &* 10 &+ Int64(p[k] &- UInt8(ascii: "0")) }
            value = Double(v)
        } else {
            let text = String(decoding: UnsafeBufferPointer(rebasing: p[start..<textEnd]), as: UTF8.self)
            guard let parsed = Double(text) else { fail("unexpected input", at: start, end: textEnd); return false }
            value = parsed
        }
        if i < n && p[i] == UInt8(ascii: "L") {
            i += 1
            // R warns and keeps a double when the value is not a 32-bit integer; we keep the double silently.
            if value == value.rounded(.towardZero) && abs(value) <= Double(Int32.max) {
                emit(.number, start, i, value: .integer(Int32(value)))
                return true
            }
        } else if i < n && p[i] == UInt8(ascii: "i") {
            fail("complex numbers are not supported", at: start, end: i + 1)
            return false
        }
        emit(.number, start, i, value: .double(value))
        return true
    }

    /// Consumes `e[+-]digits` (or `p[+-]digits`) at `i`; false when no digits follow.
    private mutating func exponent() -> Bool {
        let n = p.count
        i += 1
        if i < n && (p[i] == UInt8(ascii: "+") || p[i] == UInt8(ascii: "-")) { i += 1 }
        let digitsStart = i
        while i < n && isDigit(p[i]) { i += 1 }
        return i > digitsStart
    }

    // MARK: - Strings

    /// Lexes a quoted string (or a backtick name when `isName`); false on error.
    private mutating func lexString(quote: UInt8, isName: Bool) -> Bool {
        let start = i
        let n = p.count
        i += 1
        var segmentStart = i
        var buffer: [UInt8]? = nil
        while true {
            guard i < n else {
                emit(.incompleteString, start, n)
                emit(.endOfInput, n, n)
                return false
            }
            let c = p[i]
            if c == quote { break }
            if c != UInt8(ascii: "\\") {
                i += 1
                continue
            }
            if buffer == nil { buffer = [] }
            buffer?.append(contentsOf: UnsafeBufferPointer(rebasing: p[segmentStart..<i]))
            guard readEscape(into: &buffer, stringStart: start) else { return false }
            segmentStart = i
        }
        let text: String
        if var bytes = buffer {
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: p[segmentStart..<i]))
            guard let decoded = String(validating: bytes, as: UTF8.self) else {
                fail("string contains invalid UTF-8 (from \\x or octal escapes)", at: start, end: i + 1)
                return false
            }
            text = decoded
        } else {
            text = String(decoding: UnsafeBufferPointer(rebasing: p[segmentStart..<i]), as: UTF8.self)
        }
        i += 1
        if isName {
            guard !text.isEmpty else {
                fail("attempt to use zero-length variable name", at: start, end: i)
                return false
            }
            emit(.identifier, start, i, string: text)
        } else {
            emit(.string, start, i, string: text)
        }
        return true
    }

    /// Decodes the escape sequence whose backslash is at `i`, appending its bytes; false on error.
    private mutating func readEscape(into buffer: inout [UInt8]?, stringStart: Int) -> Bool {
        let n = p.count
        let backslash = i
        i += 1
        guard i < n else {
            emit(.incompleteString, stringStart, n)
            emit(.endOfInput, n, n)
            return false
        }
        let e = p[i]
        i += 1
        var simple: UInt8? = nil
        switch e {
        case UInt8(ascii: "n"): simple = 0x0A
        case UInt8(ascii: "t"): simple = 0x09
        case UInt8(ascii: "r"): simple = 0x0D
        case UInt8(ascii: "a"): simple = 0x07
        case UInt8(ascii: "b"): simple = 0x08
        case UInt8(ascii: "f"): simple = 0x0C
        case UInt8(ascii: "v"): simple = 0x0B
        case UInt8(ascii: "\\"), UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "`"), UInt8(ascii: " "), 0x0A:
            simple = e
        case UInt8(ascii: "0")...UInt8(ascii: "7"):
            var v = Int(e - UInt8(ascii: "0"))
            var k = 1
            while k < 3 && i < n && p[i] >= UInt8(ascii: "0") && p[i] <= UInt8(ascii: "7") {
                v = v * 8 + Int(p[i] - UInt8(ascii: "0"))
                i += 1
                k += 1
            }
            guard v <= 0xFF else {
                fail("exceeded maximum allowed octal value \\377", at: backslash, end: i)
                return false
            }
            guard v != 0 else { fail("nul character not allowed", at: backslash, end: i); return false }
            simple = UInt8(v)
        case UInt8(ascii: "x"):
            var v = 0
            var k = 0
            while k < 2 && i < n && isHexDigit(p[i]) {
                v = v * 16 + hexValue(p[i])
                i += 1
                k += 1
            }
            guard k > 0 else {
                fail("'\\x' used without hex digits in character string", at: backslash, end: i)
                return false
            }
            guard v != 0 else { fail("nul character not allowed", at: backslash, end: i); return false }
            simple = UInt8(v)
        case UInt8(ascii: "u"), UInt8(ascii: "U"):
            let maxDigits = e == UInt8(ascii: "u") ? 4 : 8
            let braced = i < n && p[i] == UInt8(ascii: "{")
            if braced { i += 1 }
            var v: UInt32 = 0
            var k = 0
            while k < maxDigits && i < n && isHexDigit(p[i]) {
                v = v * 16 + UInt32(hexValue(p[i]))
                i += 1
                k += 1
            }
            let name = e == UInt8(ascii: "u") ? "\\u" : "\\U"
            guard k > 0 else {
                fail("'\(name)' used without hex digits in character string", at: backslash, end: i)
                return false
            }
            if braced {
                guard i < n && p[i] == UInt8(ascii: "}") else {
                    fail("invalid \(name){xxxx} sequence (missing '}')", at: backslash, end: i)
                    return false
                }
                i += 1
            }
            guard v != 0 else { fail("nul character not allowed", at: backslash, end: i); return false }
            guard let scalar = Unicode.Scalar(v) else {
                fail("invalid Unicode code point \(name)\(String(v, radix: 16)) in character string",
                     at: backslash, end: i)
                return false
            }
            buffer?.append(contentsOf: Array(String(Character(scalar)).utf8))
            return true
        default:
            // Show the whole character after the backslash, even when it is not ASCII.
            var end = i
            if e >= 0x80 { end = backslash + 1 + max(1, utf8SequenceLength(p, backslash + 1)) }
            let shown = String(decoding: UnsafeBufferPointer(rebasing: p[backslash..<end]), as: UTF8.self)
            fail("'\(shown)' is an unrecognized escape in character string", at: backslash, end: end)
            return false
        }
        if let simple { buffer?.append(simple) }
        return true
    }

    /// Lexes `r"(...)"`, `R'[...]'`, `r"{...}"`, with optional dashes between quote and bracket.
    private mutating func lexRawString() -> Bool {
        let start = i
        let n = p.count
        let quote = p[i + 1]
        var j = i + 2
        var dashes = 0
        while j < n && p[j] == UInt8(ascii: "-") {
            j += 1
            dashes += 1
        }
        let close: UInt8
        switch j < n ? p[j] : 0 {
        case UInt8(ascii: "("): close = UInt8(ascii: ")")
        case UInt8(ascii: "["): close = UInt8(ascii: "]")
        case UInt8(ascii: "{"): close = UInt8(ascii: "}")
        default:
            if j >= n {
                emit(.incompleteString, start, n)
                emit(.endOfInput, n, n)
            } else {
                fail("malformed raw string literal", at: start, end: j + 1)
            }
            return false
        }
        let bodyStart = j + 1
        var k = bodyStart
        while k < n {
            if p[k] == close && k + 1 + dashes < n {
                var ok = true
                for d in 0..<dashes where p[k + 1 + d] != UInt8(ascii: "-") {
                    ok = false
                    break
                }
                if ok && p[k + 1 + dashes] == quote {
                    let text = String(decoding: UnsafeBufferPointer(rebasing: p[bodyStart..<k]), as: UTF8.self)
                    i = k + 2 + dashes
                    emit(.string, start, i, string: text)
                    return true
                }
            }
            k += 1
        }
        emit(.incompleteString, start, n)
        emit(.endOfInput, n, n)
        return false
    }

    // MARK: - Operators

    private func byte(at k: Int) -> UInt8 { k < p.count ? p[k] : 0 }

    /// Lexes punctuation and operators at `i`; false on an unexpected character.
    private mutating func lexOperator(_ c: UInt8) -> Bool {
        let start = i
        let next = byte(at: i + 1)
        var kind: TokenKind
        var length = 1
        switch c {
        case UInt8(ascii: "("): kind = .leftParen
        case UInt8(ascii: ")"): kind = .rightParen
        case UInt8(ascii: "{"): kind = .leftBrace
        case UInt8(ascii: "}"): kind = .rightBrace
        case UInt8(ascii: "["):
            if next == UInt8(ascii: "[") { kind = .doubleLeftBracket; length = 2 } else { kind = .leftBracket }
        case UInt8(ascii: "]"): kind = .rightBracket
        case UInt8(ascii: ","): kind = .comma
        case UInt8(ascii: ";"): kind = .semicolon
        case UInt8(ascii: "+"): kind = .plus
        case UInt8(ascii: "-"):
            if next == UInt8(ascii: ">") {
                if byte(at: i + 2) == UInt8(ascii: ">") { kind = .superRightAssign; length = 3 } else {
                    kind = .rightAssign
                    length = 2
                }
            } else {
                kind = .minus
            }
        case UInt8(ascii: "*"):
            if next == UInt8(ascii: "*") { kind = .caret; length = 2 } else { kind = .star }
        case UInt8(ascii: "/"): kind = .slash
        case UInt8(ascii: "^"): kind = .caret
        case UInt8(ascii: "<"):
            if next == UInt8(ascii: "=") {
                kind = .lessEqual
                length = 2
            } else if next == UInt8(ascii: "-") {
                kind = .leftAssign
                length = 2
            } else if next == UInt8(ascii: "<") && byte(at: i + 2) == UInt8(ascii: "-") {
                kind = .superLeftAssign
                length = 3
            } else {
                kind = .less
            }
        case UInt8(ascii: ">"):
            if next == UInt8(ascii: "=") { kind = .greaterEqual; length = 2 } else { kind = .greater }
        case UInt8(ascii: "="):
            if next == UInt8(ascii: "=") { kind = .equalEqual; length = 2 } else { kind = .equalAssign }
        case UInt8(ascii: "!"):
            if next == UInt8(ascii: "=") { kind = .notEqual; length = 2 } else { kind = .bang }
        case UInt8(ascii: "&"):
            if next == UInt8(ascii: "&") { kind = .andAnd; length = 2 } else { kind = .and }
        case UInt8(ascii: "|"):
            if next == UInt8(ascii: "|") {
                kind = .orOr
                length = 2
            } else if next == UInt8(ascii: ">") {
                kind = .pipe
                length = 2
            } else {
                kind = .or
            }
        case UInt8(ascii: ":"):
            if next == UInt8(ascii: ":") {
                if byte(at: i + 2) == UInt8(ascii: ":") { kind = .tripleColon; length = 3 } else {
                    kind = .doubleColon
                    length = 2
                }
            } else {
                kind = .colon
            }
        case UInt8(ascii: "$"): kind = .dollar
        case UInt8(ascii: "@"): kind = .at
        case UInt8(ascii: "~"): kind = .tilde
        case UInt8(ascii: "?"): kind = .question
        case UInt8(ascii: "\\"): kind = .backslash
        case UInt8(ascii: "%"):
            var k = i + 1
            while k < p.count && p[k] != UInt8(ascii: "%") && p[k] != 0x0A { k += 1 }
            guard k < p.count && p[k] == UInt8(ascii: "%") else {
                fail("unexpected input", at: start)
                return false
            }
            i = k + 1
            emit(.special, start, i,
                 string: String(decoding: UnsafeBufferPointer(rebasing: p[start..<i]), as: UTF8.self))
            return true
        default:
            fail("unexpected input", at: start)
            return false
        }
        i += length
        emit(kind, start, i)
        return true
    }
}

// MARK: - Byte classes

@inline(__always) private func isDigit(_ c: UInt8) -> Bool { c &- UInt8(ascii: "0") < 10 }

@inline(__always) private func isHexDigit(_ c: UInt8) -> Bool {
    isDigit(c) || (c | 0x20) &- UInt8(ascii: "a") < 6
}

@inline(__always) private func hexValue(_ c: UInt8) -> Int {
    isDigit(c) ? Int(c - UInt8(ascii: "0")) : Int((c | 0x20) - UInt8(ascii: "a")) + 10
}

@inline(__always) private func isIdentifierByte(_ c: UInt8) -> Bool {
    isDigit(c) || (c | 0x20) &- UInt8(ascii: "a") < 26 || c == UInt8(ascii: ".") || c == UInt8(ascii: "_")
}

private func isIdentifierContinuation(_ s: Unicode.Scalar) -> Bool {
    let props = s.properties
    if props.isAlphabetic { return true }
    switch props.generalCategory {
    case .decimalNumber, .nonspacingMark, .spacingMark: return true
    default: return false
    }
}

private func hexByte(_ b: UInt8) -> String {
    let digits = Array("0123456789ABCDEF")
    return String([digits[Int(b >> 4)], digits[Int(b & 15)]])
}

/// The length of the valid UTF-8 sequence starting at `i`, or 0 when it is invalid.
private func utf8SequenceLength(_ p: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int {
    let n = p.count
    let b0 = p[i]
    func cont(_ k: Int) -> Bool { k < n && p[k] & 0xC0 == 0x80 }
    switch b0 {
    case 0x00...0x7F:
        return 1
    case 0xC2...0xDF:
        return cont(i + 1) ? 2 : 0
    case 0xE0...0xEF:
        guard cont(i + 1) && cont(i + 2) else { return 0 }
        let b1 = p[i + 1]
        if b0 == 0xE0 && b1 < 0xA0 { return 0 } // overlong
        if b0 == 0xED && b1 > 0x9F { return 0 } // surrogate
        return 3
    case 0xF0...0xF4:
        guard cont(i + 1) && cont(i + 2) && cont(i + 3) else { return 0 }
        let b1 = p[i + 1]
        if b0 == 0xF0 && b1 < 0x90 { return 0 } // overlong
        if b0 == 0xF4 && b1 > 0x8F { return 0 } // above U+10FFFF
        return 4
    default:
        return 0
    }
}

/// Decodes the scalar at `i` of text already checked by `Lexer.checkEncoding`.
private func decodeScalar(_ p: UnsafeBufferPointer<UInt8>, _ i: Int) -> (Unicode.Scalar, Int) {
    let len = utf8SequenceLength(p, i)
    var v: UInt32
    switch len {
    case 2: v = UInt32(p[i] & 0x1F)
    case 3: v = UInt32(p[i] & 0x0F)
    case 4: v = UInt32(p[i] & 0x07)
    default: return (Unicode.Scalar(p[i]), 1)
    }
    for k in 1..<len { v = v << 6 | UInt32(p[i + k] & 0x3F) }
    return (Unicode.Scalar(v) ?? "\u{FFFD}", len)
}
