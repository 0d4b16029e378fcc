import Glibc

/// Reads JSON bytes straight into fn values, following `jsonlite::fromJSON()` with its defaults
/// (`simplifyVector`, `simplifyDataFrame` and `simplifyMatrix` all TRUE, `flatten = FALSE`).
///
/// The mapping, checked against jsonlite 1.8.4:
/// - Objects become named lists in key order; duplicate keys are kept; `{}` is an empty named list.
/// - An array whose elements are all scalars or `null` becomes an atomic vector of the highest
///   type present (logical < integer < double < character); `null` is `NA`. When the only strings
///   are `"NA"`, `"NaN"`, `"Inf"` or `"-Inf"` they are read as those values (jsonlite writes them
///   that way), so `["NA", 1]` is `c(NA, 1L)`. Numbers joined with strings are converted as
///   `as.character` does (`[0.1, "a"]` is `c("0.1", "a")`).
/// - An array of objects (and `null`s) becomes a data frame; an array of equal-length arrays of
///   scalars becomes a matrix (see JSONSimplify.swift).
/// - Any other array becomes an unnamed list; `null` elements there are `NULL`. `[]` is `list()`;
///   in a list whose other elements are all atomic vectors, `[]` becomes an empty vector of the
///   type of the first of them (jsonlite's `homoList` rule: `[[1], []]` is `list(1L, integer(0))`).
/// - A number written without fraction or exponent within ±2147483647 is an integer (`-0` too);
///   any other number is a double (`1.0`, `1e2`, `3000000000`), rounded correctly; out of range
///   magnitudes become `Inf` or 0.
///
/// Differences from jsonlite, by choice: `\u0000` is an error (R strings cannot hold NUL and
/// jsonlite silently truncates); an unpaired UTF-16 surrogate in a `\u` escape becomes U+FFFD;
/// `{"$date": n}` is not turned into a date; a UTF-8 byte order mark at the start is skipped.
///
/// Errors read `invalid JSON at line L, column C: <what>`, columns counting characters.
/// Nesting is limited to `maxDepth` arrays and objects so deep input cannot exhaust the stack.
struct JSONReader {
    static let maxDepth = 512

    private let bytes: UnsafeBufferPointer<UInt8>
    private var pos = 0
    private var depth = 0
    /// Elements of the arrays and objects being read, innermost last. One shared stack means that
    /// reading an array allocates only its result.
    private var stack: [Value] = []
    private var keys: [String] = []
    /// Decoded bytes of a string that contains escapes.
    private var scratch: [UInt8] = []
    /// jsonlite's simplification switches.
    private let options: Options

    /// `fromJSON`'s switches; the defaults are jsonlite's.
    struct Options {
        /// When false every array is a list and `null` is `NULL`.
        var simplifyVector = true
        /// Arrays of objects become data frames.
        var simplifyDataFrame = true
        /// Arrays of equal-length arrays of scalars become matrices (and arrays of matrices arrays).
        var simplifyMatrix = true
        /// Nested data frame columns are spliced into their parent as `a.b` columns.
        var flatten = false
    }

    private init(_ bytes: UnsafeBufferPointer<UInt8>, options: Options) {
        self.bytes = bytes
        self.options = options
    }

    static func read(_ input: [UInt8], options: Options = Options()) throws(FnError) -> Value {
        try input.withUnsafeBufferPointer { (buffer) throws(FnError) -> Value in
            var reader = JSONReader(buffer, options: options)
            return try reader.readDocument()
        }
    }

    private mutating func readDocument() throws(FnError) -> Value {
        if bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF { pos = 3 }
        let value = try readValue()
        skipWhitespace()
        if pos < bytes.count {
            throw error(at: pos, "\(describe(at: pos)) after the JSON value")
        }
        return value
    }

    // MARK: - Values

    private mutating func readValue() throws(FnError) -> Value {
        skipWhitespace()
        guard pos < bytes.count else { throw error(at: pos, "unexpected end of input") }
        switch bytes[pos] {
        case UInt8(ascii: "{"): return try readObject()
        case UInt8(ascii: "["): return try readArray()
        case UInt8(ascii: "\""): return .character(try readString())
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try readNumber()
        case UInt8(ascii: "t"): try readLiteral("true"); return .logical(1)
        case UInt8(ascii: "f"): try readLiteral("false"); return .logical(0)
        case UInt8(ascii: "n"): try readLiteral("null"); return .null
        default: throw error(at: pos, describe(at: pos))
        }
    }

    private mutating func readLiteral(_ word: StaticString) throws(FnError) {
        let n = word.utf8CodeUnitCount
        let w = word.utf8Start
        for i in 0..<n where pos + i >= bytes.count || bytes[pos + i] != w[i] {
            throw error(at: pos, "invalid literal (expected '\(word)')")
        }
        pos += n
    }

    private mutating func enter() throws(FnError) {
        depth += 1
        if depth > JSONReader.maxDepth {
            throw error(at: pos, "nesting deeper than \(JSONReader.maxDepth) levels")
        }
    }

    private mutating func readObject() throws(FnError) -> Value {
        try enter()
        pos += 1
        let start = stack.count
        let keyStart = keys.count
        skipWhitespace()
        if pos < bytes.count && bytes[pos] == UInt8(ascii: "}") {
            pos += 1
            depth -= 1
            return .list(List([], names: []))
        }
        while true {
            skipWhitespace()
            guard pos < bytes.count else { throw error(at: pos, "unexpected end of input") }
            guard bytes[pos] == UInt8(ascii: "\"") else {
                throw error(at: pos, "expected a string key in object, found \(shown(at: pos))")
            }
            keys.append(try readString())
            skipWhitespace()
            guard pos < bytes.count else { throw error(at: pos, "unexpected end of input") }
            guard bytes[pos] == UInt8(ascii: ":") else {
                throw error(at: pos, "expected ':' after object key, found \(shown(at: pos))")
            }
            pos += 1
            stack.append(try readValue())
            if try ends(at: UInt8(ascii: "}"), after: "object member") { break }
        }
        depth -= 1
        let list = List(Array(stack[start...]), names: Array(keys[keyStart...]))
        keys.removeSubrange(keyStart...)
        stack.removeSubrange(start...)
        return .list(list)
    }

    /// Reads what follows a member or element: `,` (false: another one follows) or `close` (true:
    /// the container ends).
    @inline(__always) private mutating func ends(at close: UInt8, after what: String) throws(FnError) -> Bool {
        skipWhitespace()
        guard pos < bytes.count else { throw error(at: pos, "unexpected end of input") }
        if bytes[pos] == UInt8(ascii: ",") {
            pos += 1
            return false
        }
        guard bytes[pos] == close else {
            throw error(at: pos, "expected ',' or '\(Character(Unicode.Scalar(close)))' after \(what), found \(shown(at: pos))")
        }
        pos += 1
        return true
    }

    private mutating func readArray() throws(FnError) -> Value {
        try enter()
        pos += 1
        let start = stack.count
        var allScalars = true
        skipWhitespace()
        if pos < bytes.count && bytes[pos] == UInt8(ascii: "]") {
            pos += 1
            depth -= 1
            return .list(List([]))
        }
        while true {
            skipWhitespace()
            if pos < bytes.count && (bytes[pos] == UInt8(ascii: "[") || bytes[pos] == UInt8(ascii: "{")) {
                allScalars = false
            }
            stack.append(try readValue())
            if try ends(at: UInt8(ascii: "]"), after: "array element") { break }
        }
        depth -= 1
        let result: Value
        if !options.simplifyVector {
            result = .list(List(Array(stack[start...])))
        } else if allScalars {
            // Never the inline scalar form, even for one element: `[5]` stays marked as an array,
            // which decides how an enclosing array simplifies (`[[5], [6]]` is a matrix, `[5, [6]]`
            // a list).
            result = .vector(Vector(JSONReader.atomicStorage(stack[start...])))
        } else {
            result = JSONReader.simplifyArray(stack[start...], options)
        }
        stack.removeSubrange(start...)
        return result
    }

    // MARK: - Simplification (jsonlite's list_to_vec and homoList)

    /// An array of scalars and nulls as one atomic vector.
    static func atomic(_ items: ArraySlice<Value>) -> Value {
        Value(Vector(atomicStorage(items)))
    }

    /// The elements of `atomic(_:)`.
    static func atomicStorage(_ items: ArraySlice<Value>) -> Storage {
        // jsonlite's null_to_na: strings "NA", "NaN", "Inf", "-Inf" are values unless some other
        // string makes this a character vector anyway.
        var type = AtomicType.logical
        for item in items {
            switch item {
            case .integer: if type < .integer { type = .integer }
            case .double: if type < .double { type = .double }
            case .character(let s?):
                switch s {
                case "NA": break
                case "NaN", "Inf", "-Inf": if type < .double { type = .double }
                default: type = .character
                }
            default: break
            }
            if type == .character { break }
        }
        switch type {
        case .logical:
            var out = [Int8]()
            out.reserveCapacity(items.count)
            for item in items {
                if case .logical(let b) = item { out.append(b) } else { out.append(NA.logical) }
            }
            return .logical(out)
        case .integer:
            var out = [Int32]()
            out.reserveCapacity(items.count)
            for item in items {
                switch item {
                case .integer(let i): out.append(i)
                case .logical(let b): out.append(b == NA.logical ? NA.integer : Int32(b))
                default: out.append(NA.integer)
                }
            }
            return .integer(out)
        case .double:
            var out = [Double]()
            out.reserveCapacity(items.count)
            for item in items {
                switch item {
                case .double(let d): out.append(d)
                case .integer(let i): out.append(Double(i))
                case .logical(let b): out.append(b == NA.logical ? NA.double : Double(b))
                case .character(let s?):
                    out.append(s == "NaN" ? .nan : s == "Inf" ? .infinity : s == "-Inf" ? -.infinity : NA.double)
                default: out.append(NA.double)
                }
            }
            return .double(out)
        case .character:
            var out = [String?]()
            out.reserveCapacity(items.count)
            for item in items {
                switch item {
                case .character(let s): out.append(s)
                case .integer(let i): out.append(String(i))
                case .double(let d): out.append(NumberFormat.r15(d))
                case .logical(let b): out.append(b != 0 ? "TRUE" : "FALSE")
                default: out.append(nil)
                }
            }
            return .character(out)
        }
    }

    /// An array holding arrays or objects as a list, applying jsonlite's `homoList` rule to `[]`.
    static func list(_ items: ArraySlice<Value>) -> Value {
        var elements = Array(items)
        var emptyLists = 0
        var otherType: AtomicType?
        var othersAtomic = true
        for element in elements {
            if case .list(let l) = element, l.count == 0, l.names == nil {
                emptyLists += 1
            } else if let t = element.atomicType {
                if otherType == nil { otherType = t }
            } else {
                othersAtomic = false
            }
        }
        if emptyLists > 0 && emptyLists < elements.count && othersAtomic, let type = otherType {
            for i in elements.indices {
                if case .list(let l) = elements[i], l.count == 0, l.names == nil {
                    elements[i] = .vector(Vector(.empty(type)))
                }
            }
        }
        return .list(List(elements))
    }

    // MARK: - Numbers

    private mutating func readNumber() throws(FnError) -> Value {
        let start = pos
        var negative = false
        if bytes[pos] == UInt8(ascii: "-") {
            negative = true
            pos += 1
        }
        guard pos < bytes.count, isDigit(bytes[pos]) else {
            throw error(at: pos, "invalid number: expected a digit after '-'")
        }
        // Up to 19 significant digits go into the mantissa; the value is mantissa * 10^exponent.
        var mantissa: UInt64 = 0
        var significant = 0
        var exponent = 0
        var truncated = false
        var integral = true
        if bytes[pos] == UInt8(ascii: "0") {
            pos += 1
            if pos < bytes.count && isDigit(bytes[pos]) {
                throw error(at: start, "invalid number: leading zeros are not allowed")
            }
        } else {
            while pos < bytes.count, isDigit(bytes[pos]) {
                if significant < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(bytes[pos] &- 48)
                    significant += 1
                } else {
                    exponent += 1
                    truncated = true
                }
                pos += 1
            }
        }
        if pos < bytes.count && bytes[pos] == UInt8(ascii: ".") {
            integral = false
            pos += 1
            guard pos < bytes.count, isDigit(bytes[pos]) else {
                throw error(at: pos, "invalid number: expected a digit after the decimal point")
            }
            while pos < bytes.count, isDigit(bytes[pos]) {
                let d = bytes[pos] &- 48
                if significant < 19 {
                    if mantissa != 0 || d != 0 {
                        mantissa = mantissa &* 10 &+ UInt64(d)
                        significant += 1
                    }
                    exponent -= 1
                } else {
                    truncated = true
                }
                pos += 1
            }
        }
        if pos < bytes.count && (bytes[pos] == UInt8(ascii: "e") || bytes[pos] == UInt8(ascii: "E")) {
            integral = false
            pos += 1
            var expNegative = false
            if pos < bytes.count && (bytes[pos] == UInt8(ascii: "+") || bytes[pos] == UInt8(ascii: "-")) {
                expNegative = bytes[pos] == UInt8(ascii: "-")
                pos += 1
            }
            guard pos < bytes.count, isDigit(bytes[pos]) else {
                throw error(at: pos, "invalid number: expected a digit in the exponent")
            }
            var e = 0
            while pos < bytes.count, isDigit(bytes[pos]) {
                // Beyond a million the value is 0 or Inf whatever the mantissa; avoid overflow.
                if e < 1_000_000 { e = e * 10 + Int(bytes[pos] &- 48) }
                pos += 1
            }
            exponent += expNegative ? -e : e
        }
        if integral && !truncated && mantissa <= 2_147_483_647 {
            let i = Int32(mantissa)
            return .integer(negative ? -i : i)
        }
        // Exact when both the mantissa and the power of ten are exact doubles (Clinger's fast path).
        if !truncated && mantissa <= (1 << 53) && exponent >= -22 && exponent <= 22 {
            var d = Double(mantissa)
            let p = NumberFormat.Significance.powerOf10(abs(exponent))
            d = exponent < 0 ? d / p : d * p
            return .double(negative ? -d : d)
        }
        return .double(JSONReader.strtod(UnsafeBufferPointer(rebasing: bytes[start..<pos])))
    }

    /// Correctly rounded conversion of validated JSON number text by the C library.
    private static func strtod(_ text: UnsafeBufferPointer<UInt8>) -> Double {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: text.count + 1) { buf -> Double in
            for i in 0..<text.count { buf[i] = CChar(bitPattern: text[i]) }
            buf[text.count] = 0
            return Glibc.strtod(buf.baseAddress!, nil)
        }
    }

    // MARK: - Strings

    /// Reads a string starting at its opening quote, validating UTF-8 and decoding escapes.
    private mutating func readString() throws(FnError) -> String {
        pos += 1
        let start = pos
        // Fast path: no escapes, the string is the bytes as they are.
        while pos < bytes.count {
            let b = bytes[pos]
            if b == UInt8(ascii: "\"") {
                let s = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<pos]), as: UTF8.self)
                pos += 1
                return s
            }
            if b == UInt8(ascii: "\\") { break }
            if b < 0x20 { throw controlCharacterError() }
            if b < 0x80 { pos += 1 } else { try skipUTF8Sequence() }
        }
        guard pos < bytes.count else { throw error(at: start - 1, "unterminated string") }
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<pos]))
        while pos < bytes.count {
            let b = bytes[pos]
            if b == UInt8(ascii: "\"") {
                pos += 1
                return String(decoding: scratch, as: UTF8.self)
            }
            if b == UInt8(ascii: "\\") {
                try readEscape()
            } else if b < 0x20 {
                throw controlCharacterError()
            } else if b < 0x80 {
                scratch.append(b)
                pos += 1
            } else {
                let s = pos
                try skipUTF8Sequence()
                scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[s..<pos]))
            }
        }
        throw error(at: start - 1, "unterminated string")
    }

    private func controlCharacterError() -> FnError {
        error(at: pos, "unescaped control character U+\(hex4(UInt32(bytes[pos]))) in string")
    }

    private func hex4(_ code: UInt32) -> String {
        let hex = String(code, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }

    /// Decodes one escape sequence at `pos` into `scratch`.
    private mutating func readEscape() throws(FnError) {
        let escapeStart = pos
        pos += 1
        guard pos < bytes.count else { throw error(at: escapeStart, "unterminated string") }
        let c = bytes[pos]
        pos += 1
        switch c {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scratch.append(c)
        case UInt8(ascii: "b"): scratch.append(0x08)
        case UInt8(ascii: "f"): scratch.append(0x0C)
        case UInt8(ascii: "n"): scratch.append(0x0A)
        case UInt8(ascii: "r"): scratch.append(0x0D)
        case UInt8(ascii: "t"): scratch.append(0x09)
        case UInt8(ascii: "u"):
            var code = try readHex4(escapeStart)
            if code == 0 {
                throw error(at: escapeStart, "NUL character (\\u0000) in string is not supported")
            }
            if code >= 0xD800 && code <= 0xDBFF {
                // A high surrogate must be followed by an escaped low surrogate to form one character.
                if pos + 1 < bytes.count && bytes[pos] == UInt8(ascii: "\\") && bytes[pos + 1] == UInt8(ascii: "u") {
                    let save = pos
                    pos += 2
                    let low = try readHex4(save)
                    if low >= 0xDC00 && low <= 0xDFFF {
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    } else {
                        code = 0xFFFD
                        pos = save
                    }
                } else {
                    code = 0xFFFD
                }
            } else if code >= 0xDC00 && code <= 0xDFFF {
                code = 0xFFFD
            }
            appendUTF8(code)
        default:
            let shown = c >= 0x20 && c < 0x7F ? String(Character(Unicode.Scalar(c))) : "U+" + hex4(UInt32(c))
            throw error(at: escapeStart, "invalid escape '\\\(shown)' in string")
        }
    }

    private mutating func readHex4(_ escapeStart: Int) throws(FnError) -> UInt32 {
        var code: UInt32 = 0
        for _ in 0..<4 {
            guard pos < bytes.count else { throw error(at: escapeStart, "unterminated string") }
            let b = bytes[pos]
            let v: UInt8
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = b - 48
            case UInt8(ascii: "a")...UInt8(ascii: "f"): v = b - 87
            case UInt8(ascii: "A")...UInt8(ascii: "F"): v = b - 55
            default: throw error(at: escapeStart, "invalid \\u escape: expected 4 hexadecimal digits")
            }
            code = code << 4 | UInt32(v)
            pos += 1
        }
        return code
    }

    private mutating func appendUTF8(_ code: UInt32) {
        if code < 0x80 {
            scratch.append(UInt8(code))
        } else if code < 0x800 {
            scratch.append(UInt8(0xC0 | code >> 6))
            scratch.append(UInt8(0x80 | code & 0x3F))
        } else if code < 0x10000 {
            scratch.append(UInt8(0xE0 | code >> 12))
            scratch.append(UInt8(0x80 | code >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | code & 0x3F))
        } else {
            scratch.append(UInt8(0xF0 | code >> 18))
            scratch.append(UInt8(0x80 | code >> 12 & 0x3F))
            scratch.append(UInt8(0x80 | code >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | code & 0x3F))
        }
    }

    /// Steps over one well-formed multi-byte UTF-8 sequence at `pos` (Unicode table 3-7).
    private mutating func skipUTF8Sequence() throws(FnError) {
        guard let n = JSONReader.utf8SequenceLength(bytes, at: pos) else {
            throw error(at: pos, "invalid UTF-8 byte 0x\(String(bytes[pos], radix: 16, uppercase: true)) "
                + "at byte offset \(pos)")
        }
        pos += n
    }

    /// The length of the well-formed UTF-8 sequence starting at `i`, or nil when it is malformed.
    static func utf8SequenceLength(_ bytes: UnsafeBufferPointer<UInt8>, at i: Int) -> Int? {
        let b0 = bytes[i]
        if b0 < 0x80 { return 1 }
        @inline(__always) func cont(_ k: Int, _ lo: UInt8 = 0x80, _ hi: UInt8 = 0xBF) -> Bool {
            i + k < bytes.count && bytes[i + k] >= lo && bytes[i + k] <= hi
        }
        switch b0 {
        case 0xC2...0xDF: return cont(1) ? 2 : nil
        case 0xE0: return cont(1, 0xA0) && cont(2) ? 3 : nil
        case 0xE1...0xEC, 0xEE, 0xEF: return cont(1) && cont(2) ? 3 : nil
        case 0xED: return cont(1, 0x80, 0x9F) && cont(2) ? 3 : nil
        case 0xF0: return cont(1, 0x90) && cont(2) && cont(3) ? 4 : nil
        case 0xF1...0xF3: return cont(1) && cont(2) && cont(3) ? 4 : nil
        case 0xF4: return cont(1, 0x80, 0x8F) && cont(2) && cont(3) ? 4 : nil
        default: return nil
        }
    }

    // MARK: - Lexical helpers and errors

    @inline(__always) private func isDigit(_ b: UInt8) -> Bool { b >= 48 && b <= 57 }

    private mutating func skipWhitespace() {
        while pos < bytes.count {
            switch bytes[pos] {
            case 0x20, 0x0A, 0x0D, 0x09: pos += 1
            default: return
            }
        }
    }

    /// "unexpected character 'x'" for the byte at `i`, or the UTF-8 error when it starts no character.
    private func describe(at i: Int) -> String {
        let text = shown(at: i)
        return text.hasPrefix("'") || text.hasPrefix("U+") ? "unexpected character " + text : text
    }

    /// The character at `i` as an error message shows it: `'x'`, `U+0009` for control characters.
    private func shown(at i: Int) -> String {
        guard i < bytes.count else { return "end of input" }
        let b = bytes[i]
        if b >= 0x20 && b < 0x7F { return "'\(Character(Unicode.Scalar(b)))'" }
        if b < 0x80 { return "U+" + hex4(UInt32(b)) }
        guard let n = JSONReader.utf8SequenceLength(bytes, at: i) else {
            return "invalid UTF-8 byte 0x\(String(b, radix: 16, uppercase: true)) at byte offset \(i)"
        }
        return "'" + String(decoding: UnsafeBufferPointer(rebasing: bytes[i..<i + n]), as: UTF8.self) + "'"
    }

    /// An error at byte offset `offset`, located by line and column (columns count characters).
    private func error(at offset: Int, _ what: String) -> FnError {
        var line = 1
        var lineStart = 0
        for i in 0..<min(offset, bytes.count) where bytes[i] == 0x0A {
            line += 1
            lineStart = i + 1
        }
        var column = 1
        if lineStart < offset {
            for i in lineStart..<min(offset, bytes.count) where bytes[i] & 0xC0 != 0x80 { column += 1 }
        }
        return FnError(.json, "invalid JSON at line \(line), column \(column): \(what)")
    }
}
