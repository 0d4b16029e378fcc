import Glibc

/// Writes fn values as JSON bytes, the way `jsonlite::toJSON` does, under three sets of options:
///
/// - `Options.bridge` (handler results): `toJSON(x, auto_unbox = TRUE)` with jsonlite's defaults,
///   except that numbers are written in their shortest round-trip form (Swift's `description`
///   digits) instead of 4 decimals: `0.1 + 0.2` is `0.30000000000000004`. Whole numbers up to 2^53
///   are written as integers (`5`, `1000000000000000`); larger or smaller magnitudes keep Swift's
///   exponent form (`1e+16`, `1e-05`). `NULL` is `{}`, numeric `NA`/`NaN`/`Inf` are the strings
///   `"NA"`, `"NaN"`, `"Inf"`, logical and character `NA` are `null`, data frames are arrays of
///   row objects without their `NA` fields.
/// - `Options.comparison` (`JSON.serialize`, the R-agreement fixture's form): as the bridge but
///   with `null = "null", na = "null"`; non-finite numbers are an error.
/// - `toJSON()` in handler code: jsonlite's own defaults (`auto_unbox = FALSE`, `digits = 4`, ...),
///   see Library/JSONFunctions.swift.
///
/// In every mode, as in jsonlite: a length-1 atomic vector is a scalar when unboxed, and names of
/// atomic vectors are dropped; other atomic vectors are arrays (`[]` when empty); lists with names
/// are objects, where an empty name becomes the element's position and repeated names are made
/// unique as `make.unique` does (`a`, `a.1`); lists without names are arrays; a matrix or array
/// is nested arrays, row-major by default; a factor is its labels; a `Date` or `POSIXct` is its
/// text (`"2024-03-01"`, `"2024-03-01 10:00:00"`); a data frame is rows, columns or values
/// (jsonlite's `dataframe`). Strings escape `"`, `\` and control characters and keep other
/// characters as raw UTF-8.
///
/// The writer walks nested lists with an explicit stack, so deep values cannot exhaust the call
/// stack; values nested deeper than `maxDepth` are refused.
struct JSONWriter {
    static let maxDepth = 10_000

    /// How numbers are written: `digits` of `toJSON`.
    enum Digits: Equatable {
        /// Shortest text that reads back to the same double (the bridge).
        case shortest
        /// 15 significant digits (`digits = NA`).
        case max
        /// At most this many decimals (`digits = 4`).
        case decimals(Int)
        /// This many significant digits (`digits = I(3)`).
        case significant(Int)
    }

    /// jsonlite's `na`: `.byType` is its default (numbers as strings, others `null`, fields of
    /// data frame rows left out).
    enum NAForm { case null, string, byType }

    /// jsonlite's `dataframe`.
    enum DataFrameForm { case rows, columns, values }

    /// `toJSON`'s switches.
    struct Options {
        /// jsonlite's `auto_unbox`: length-1 atomic vectors are scalars rather than 1-element arrays.
        var autoUnbox = true
        /// jsonlite's `pretty = TRUE`: lists one element per line, indented by two spaces; atomic
        /// arrays stay on one line as `[1, 2]`.
        var pretty = false
        /// The invocation's deadline, for `toJSON` in handler code: checked every 4096 elements.
        var cancellation: CancellationFlag?
        var digits = Digits.shortest
        var na = NAForm.null
        /// jsonlite's `null = "list"` (`NULL` is `{}`) rather than `"null"`.
        var nullAsList = false
        var dataframe = DataFrameForm.rows
        /// jsonlite's `matrix = "columnmajor"`.
        var columnMajor = false
        /// jsonlite's `json_verbatim`: a value of class "json" is written as it is.
        var jsonVerbatim = false
        /// `NaN` and `±Inf` throw instead of following `na` (the comparison form).
        var nonFiniteIsError = false

        /// The form R-agreement compares: `toJSON(x, auto_unbox = TRUE, digits = NA, null = "null",
        /// na = "null")`, with shortest numbers.
        static var comparison: Options {
            var o = Options()
            o.nonFiniteIsError = true
            return o
        }

        /// The form of handler results: `toJSON(x, auto_unbox = TRUE)` with shortest numbers.
        static var bridge: Options {
            var o = Options()
            o.na = .byType
            o.nullAsList = true
            return o
        }
    }

    private var out: [UInt8] = []
    private var options = Options()
    /// The output size at which the memory budget is next consulted (at each doubling).
    private var budgetCheck = MemoryBudget.smallRequest

    /// An open list: its elements, object keys when it is written as an object, and the next index.
    private struct Frame {
        var elements: [Value]
        var keys: [String]?
        var next = 0
        /// Inline scalars inside are written unboxed (data frame rows, matrix rows).
        var unboxes = false
        /// Written on one line even when pretty (a matrix row, as jsonlite does).
        var oneLine = false
    }

    /// The private attribute marking the lists the writer builds for data frame rows (1) and the
    /// innermost rows of matrices (2). It never leaves the writer.
    private static let rowMark = "\u{1}json.row"

    static func write(_ value: Value, options: Options = Options()) throws(FnError) -> [UInt8] {
        var writer = JSONWriter()
        writer.options = options
        writer.out.reserveCapacity(256)
        try writer.write(value)
        return writer.out
    }

    private mutating func write(_ root: Value) throws(FnError) {
        var stack: [Frame] = []
        var current = root
        var unboxed = false
        while true {
            if current.attributes != nil {
                if current.classAttribute?.contains("scalar") == true { unboxed = true }
                current = try shaped(current)
            }
            if case .list(let list) = current, list.count > 0 {
                guard stack.count < JSONWriter.maxDepth else {
                    throw FnError(.json,
                                  "cannot serialise a value nested deeper than \(JSONWriter.maxDepth) levels as JSON")
                }
                let mark = list.attributes?[JSONWriter.rowMark]
                var frame = Frame(elements: list.elements, keys: nil)
                if let mark {
                    frame.unboxes = true
                    frame.oneLine = mark.length == 2
                }
                if let names = list.names {
                    out.append(UInt8(ascii: "{"))
                    frame.keys = JSONWriter.objectKeys(names)
                } else {
                    out.append(UInt8(ascii: "["))
                }
                stack.append(frame)
            } else if isVerbatim(current), let s = current.storage?.strings() {
                out.append(contentsOf: s.map { $0 ?? "" }.joined(separator: "\n").utf8)
            } else {
                try writeLeaf(current, unboxed: unboxed)
            }
            // Move to the next element, closing every list that is finished.
            while let top = stack.last, top.next == top.elements.count {
                stack.removeLast()
                if options.pretty && !top.oneLine { newline(indent: stack.count) }
                out.append(top.keys == nil ? UInt8(ascii: "]") : UInt8(ascii: "}"))
            }
            guard !stack.isEmpty else { return }
            let top = stack.count - 1
            let i = stack[top].next
            stack[top].next = i + 1
            if i & 0xFFF == 0 { try checkProgress() }
            if i > 0 { out.append(UInt8(ascii: ",")) }
            if options.pretty {
                if stack[top].oneLine {
                    if i > 0 { out.append(UInt8(ascii: " ")) }
                } else {
                    newline(indent: stack.count)
                }
            }
            if let keys = stack[top].keys {
                writeString(keys[i])
                out.append(UInt8(ascii: ":"))
                if options.pretty { out.append(UInt8(ascii: " ")) }
            }
            current = stack[top].elements[i]
            unboxed = stack[top].unboxes
        }
    }

    /// A classed or shaped value in the form the writer walks: data frames as rows (lists), arrays
    /// as nested lists, factors, Dates and POSIXct as strings.
    private func shaped(_ value: Value) throws(FnError) -> Value {
        if DataFrame.isDataFrame(value) { return try dataFrame(value) }
        if let d = value.dim, d.count >= 2, value.storage != nil || value.isListValue {
            return JSONWriter.nested(value, d, columnMajor: options.columnMajor)
        }
        if let classes = value.classAttribute {
            if classes.contains("factor") { return Value(Vector(.character(Factors.labels(value)))) }
            if classes.contains("Date") || classes.contains("POSIXct") { return JSONWriter.timeText(value) }
            if classes.contains("scalar"), let s = value.storage {
                guard s.count == 1 else {
                    throw FnError(.json, "Tried to unbox a vector of length \(s.count)")
                }
                return s.element(0)
            }
        }
        return value
    }

    private func isVerbatim(_ v: Value) -> Bool {
        options.jsonVerbatim && v.classAttribute?.contains("json") == true
    }

    /// The one place Dates and POSIXct become text: `"2024-03-01"`, `"2024-03-01 10:00:00"`
    /// (jsonlite's `Date = "ISO8601"`, `POSIXt = "string"`).
    static func timeText(_ value: Value) -> Value {
        var text = formatTimes(value, pattern: nil)
        if case .vector(var v) = text {
            v.names = nil
            text = .vector(v)
        }
        return text
    }

    /// A data frame in `options.dataframe` form, built of lists the main loop writes.
    private func dataFrame(_ df: Value) throws(FnError) -> Value {
        guard case .list(let l) = df else { return df }
        // A data frame read from a damaged file may lack names: its columns are then unnamed.
        var names = l.names ?? []
        if names.count != l.count { names = (0..<l.count).map { $0 < names.count ? names[$0] : "" } }
        let n = DataFrame.rowCount(df)
        // Columns as the writer shows them: factors and times as strings.
        var columns: [Value] = []
        columns.reserveCapacity(l.count)
        for column in l.elements {
            var c = column
            if DataFrame.isDataFrame(c) {
                // A nested data frame's rows, built once: row i of the parent holds its row i.
                if options.dataframe != .columns { c = try dataFrame(c) }
            } else if c.attributes != nil, c.dim == nil {
                c = try shaped(c)
            }
            columns.append(c)
        }
        let given = DataFrame.rowNames(df)
        switch options.dataframe {
        case .columns:
            var elements = columns
            var keys = names
            if let given {
                elements.append(Value(Vector(.character(given))))
                keys.append("_row")
            }
            return .list(List(elements, names: keys))
        case .values:
            var rows: [Value] = []
            rows.reserveCapacity(n)
            for i in 0..<n {
                rows.append(JSONWriter.marked(columns.map { cell($0, i, naForm: options.na) ?? .null }, names: nil))
            }
            return .list(List(rows))
        case .rows:
            var rows: [Value] = []
            rows.reserveCapacity(n)
            let allKeys = given == nil ? names : names + ["_row"]
            let naForm: NAForm? = options.na == .byType ? nil : options.na
            for i in 0..<n {
                var elements: [Value] = []
                elements.reserveCapacity(allKeys.count)
                var keys: [String]? = nil  // allKeys unless a field is left out
                for (j, column) in columns.enumerated() {
                    guard let v = cell(column, i, naForm: naForm) else {
                        if keys == nil { keys = Array(names[..<j]) }
                        continue
                    }
                    elements.append(v)
                    keys?.append(names[j])
                }
                if let given {
                    elements.append(.character(given[i]))
                    keys?.append("_row")
                }
                rows.append(JSONWriter.marked(elements, names: keys ?? allKeys))
            }
            return .list(List(rows))
        }
    }

    /// Row `i` of a column: an inline scalar (written unboxed in a marked row), a nested data
    /// frame's row (the column is then the list of its rows), or a list column's element. nil when the field is NA and `naForm` is nil
    /// (jsonlite leaves it out).
    private func cell(_ column: Value, _ i: Int, naForm: NAForm?) -> Value? {
        switch column {
        case .list(let l):
            guard i < l.count else { return nil }
            // A list column's element is written as it is, so a one-element vector stays an array
            // unless auto_unbox.
            if let s = l.elements[i].storage, l.elements[i].attributes == nil, s.count == 1 {
                return .vector(Vector(s))
            }
            return l.elements[i]
        default:
            guard let s = column.storage, i < s.count else { return nil }
            if s.isNA(i) {
                switch naForm {
                case nil: return nil
                case .string?: return .character("NA")
                default: break
                }
            }
            return s.element(i)
        }
    }

    private static let recordMark = AttributeList([(rowMark, .integer(1))])
    private static let matrixRowMark = AttributeList([(rowMark, Value(Vector(.integer([1, 1]))))])

    private static func marked(_ elements: [Value], names: [String]?, oneLine: Bool = false) -> Value {
        .list(List(elements, names: names, attributes: oneLine ? matrixRowMark : recordMark))
    }

    /// An array as nested arrays: the first dimension outermost (`matrix = "rowmajor"`) or the
    /// last (`"columnmajor"`); each innermost row an array even when it has one element.
    static func nested(_ x: Value, _ d: [Int], columnMajor: Bool = false) -> Value {
        var strides = [Int](repeating: 1, count: d.count)
        for k in 1..<d.count { strides[k] = strides[k - 1] * d[k - 1] }
        let order = columnMajor ? Array(d.indices.reversed()) : Array(d.indices)
        let plain: Value
        if case .list(var l) = x {
            l.attributes = nil
            plain = .list(l)
        } else {
            plain = x.storage.map { Value(Vector($0)) } ?? .null
        }
        let factorLabels = Factors.isFactor(x) ? Factors.labels(x) : nil
        func element(_ offset: Int) -> Value {
            if let factorLabels { return .character(factorLabels[offset]) }
            switch plain {
            case .list(let l):
                // jsonlite writes each cell of a list matrix as an array, even with auto_unbox.
                let e = l.elements[offset]
                return e.atomicType != nil && e.length == 1 ? .list(List([e])) : e
            default: return plain.storage?.element(offset) ?? .null
            }
        }
        func level(_ k: Int, _ offset: Int) -> Value {
            let dim = order[k]
            let items = (0..<d[dim]).map { j -> Value in
                let o = offset + j * strides[dim]
                return k == d.count - 1 ? element(o) : level(k + 1, o)
            }
            return k == d.count - 1 ? marked(items, names: nil, oneLine: true) : .list(List(items))
        }
        return level(0, 0)
    }

    /// A long write stops at the deadline, and before its output outgrows the memory budget.
    private mutating func checkProgress() throws(FnError) {
        if options.cancellation?.isCancelled == true { throw FnError.cancelled() }
        guard out.count >= budgetCheck else { return }
        budgetCheck = out.count * 2
        if !MemoryBudget.allows(bytes: Double(out.count)) { throw MemoryBudget.refusal(bytes: Double(out.count) * 2) }
    }

    private mutating func newline(indent: Int) {
        out.append(UInt8(ascii: "\n"))
        out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 2 * indent))
    }

    /// Everything except a non-empty list. `unboxed`: an inline scalar in a data frame or matrix
    /// row, written as a scalar whatever `autoUnbox` says.
    private mutating func writeLeaf(_ value: Value, unboxed: Bool = false) throws(FnError) {
        if !options.autoUnbox && !unboxed, let s = value.storage, s.count == 1 {
            out.append(UInt8(ascii: "["))
            try writeElement(s, 0)
            out.append(UInt8(ascii: "]"))
            return
        }
        switch value {
        case .null:
            if options.nullAsList {
                out.append(contentsOf: [UInt8(ascii: "{"), UInt8(ascii: "}")])
            } else {
                writeNull()
            }
        case .logical(let b): writeLogical(b)
        case .integer(let i): writeInteger(i)
        case .double(let d): try writeDouble(d)
        case .character(let s): if let s { writeString(s) } else { writeNA(number: false) }
        case .vector(let v):
            if v.count == 1 && options.autoUnbox {
                try writeElement(v.storage, 0)
                return
            }
            out.append(UInt8(ascii: "["))
            for i in 0..<v.count {
                if i & 0xFFF == 0 { try checkProgress() }
                if i > 0 { out.append(UInt8(ascii: ",")) }
                if i > 0 && options.pretty { out.append(UInt8(ascii: " ")) }
                try writeElement(v.storage, i)
            }
            out.append(UInt8(ascii: "]"))
        case .list(let l):
            // Only empty lists get here: `[]`, or `{}` when the list has (zero) names.
            out.append(contentsOf: l.names == nil ? [UInt8(ascii: "["), UInt8(ascii: "]")]
                : [UInt8(ascii: "{"), UInt8(ascii: "}")])
        case .closure, .builtin:
            throw FnError(.json, "cannot serialise a function as JSON")
        case .environment:
            throw FnError(.json, "cannot serialise an environment as JSON")
        case .symbol, .language:
            throw FnError(.json, "cannot serialise a \(value.typeName == "symbol" ? "name" : "call") as JSON")
        case .promise(let p):
            try writeLeaf(p.value ?? .null)
        }
    }

    private mutating func writeElement(_ storage: Storage, _ i: Int) throws(FnError) {
        switch storage {
        case .logical(let a): writeLogical(a[i])
        case .integer(let a): writeInteger(a[i])
        case .double(let a): try writeDouble(a[i])
        case .character(let a): if let s = a[i] { writeString(s) } else { writeNA(number: false) }
        }
    }

    private mutating func writeNull() {
        out.append(contentsOf: [UInt8(ascii: "n"), UInt8(ascii: "u"), UInt8(ascii: "l"), UInt8(ascii: "l")])
    }

    /// An NA as `na` says: `null`, or `"NA"` (numbers by default, everything with `na = "string"`).
    private mutating func writeNA(number: Bool) {
        switch options.na {
        case .null: writeNull()
        case .string: writeString("NA")
        case .byType: if number { writeString("NA") } else { writeNull() }
        }
    }

    private mutating func writeLogical(_ b: Int8) {
        if b == NA.logical {
            writeNA(number: false)
        } else if b != 0 {
            out.append(contentsOf: [UInt8(ascii: "t"), UInt8(ascii: "r"), UInt8(ascii: "u"), UInt8(ascii: "e")])
        } else {
            out.append(contentsOf: [UInt8(ascii: "f"), UInt8(ascii: "a"), UInt8(ascii: "l"), UInt8(ascii: "s"),
                                    UInt8(ascii: "e")])
        }
    }

    private mutating func writeInteger(_ i: Int32) {
        if i == NA.integer { writeNA(number: true) } else { writeDigits(Int64(i)) }
    }

    private mutating func writeDouble(_ d: Double) throws(FnError) {
        if NA.isNA(d) {
            writeNA(number: true)
            return
        }
        guard d.isFinite else {
            if options.nonFiniteIsError { throw FnError(.json, "cannot serialise non-finite number as JSON") }
            if options.na == .null {
                writeNull()
            } else {
                writeString(d.isNaN ? "NaN" : d > 0 ? "Inf" : "-Inf")
            }
            return
        }
        switch options.digits {
        case .shortest:
            if d == d.rounded(.towardZero) && abs(d) < 9_007_199_254_740_992 {
                if d == 0 && d.sign == .minus { out.append(UInt8(ascii: "-")) }
                writeDigits(Int64(d))
                return
            }
            // Shortest round-trip digits; 2^53 itself comes as "9007199254740992.0".
            var text = d.description.utf8[...]
            if text.count > 2 && text.suffix(2).elementsEqual(".0".utf8) { text = text.dropLast(2) }
            out.append(contentsOf: text)
        default:
            out.append(contentsOf: JSONWriter.rounded(d, options.digits).utf8)
        }
    }

    /// jsonlite's number text for `digits`: 15 significant digits for `NA`; `I(n)` significant
    /// digits; otherwise at most `n` decimals (and 15 significant digits in all), with magnitudes
    /// from 1e15 up or 1e-5 down in exponent form.
    static func rounded(_ d: Double, _ digits: Digits) -> String {
        switch digits {
        case .shortest, .max:
            return cFormat("%.15g", d)
        case .significant(let n):
            return cFormat("%.\(max(1, min(n, 15)))g", d)
        case .decimals(let n):
            let m = abs(d)
            if m != 0 && (m >= 1e15 || m <= 1e-5) { return cFormat("%.15g", d) }
            let wholeDigits = m < 1 ? 0 : Int(log10(m).rounded(.down)) + 1
            let decimals = max(0, min(n, 15 - wholeDigits, 9))
            // The integer part, then the fraction scaled to `decimals` digits, rounded up past a
            // half and to even at exactly a half of the scaled double (as jsonlite's writer does:
            // 1.00005 is 1.0001 but 5e-05 is 0).
            var whole = UInt64(m)
            let scale = NumberFormat.Significance.powerOf10(decimals)
            let scaled = (m - Double(whole)) * scale
            var fraction = UInt64(scaled)
            let rest = scaled - Double(fraction)
            if rest > 0.5 || (rest == 0.5 && (decimals == 0 ? whole & 1 == 1 : fraction & 1 == 1)) {
                if decimals == 0 { whole += 1 } else { fraction += 1 }
                if decimals > 0 && Double(fraction) >= scale {
                    fraction = 0
                    whole += 1
                }
            }
            var text = (d.sign == .minus ? "-" : "") + String(whole)
            if decimals > 0 && fraction > 0 {
                var digits = String(fraction)
                digits = String(repeating: "0", count: decimals - digits.count) + digits
                while digits.hasSuffix("0") { digits.removeLast() }
                text += "." + digits
            }
            return text
        }
    }

    private mutating func writeDigits(_ n: Int64) {
        var m = n.magnitude
        if n < 0 { out.append(UInt8(ascii: "-")) }
        if m < 10 {
            out.append(UInt8(ascii: "0") + UInt8(m))
            return
        }
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes of scratch, no allocation
        withUnsafeMutableBytes(of: &digits) { buf in
            var k = buf.count
            while m > 0 {
                k -= 1
                buf[k] = UInt8(ascii: "0") + UInt8(m % 10)
                m /= 10
            }
            out.append(contentsOf: buf[k...])
        }
    }

    private mutating func writeString(_ s: String) {
        out.append(UInt8(ascii: "\""))
        var s = s
        s.withUTF8 { bytes in
            var runStart = 0
            for i in 0..<bytes.count {
                let b = bytes[i]
                guard b < 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") else { continue }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<i]))
                runStart = i + 1
                out.append(UInt8(ascii: "\\"))
                switch b {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(b)
                case 0x0A: out.append(UInt8(ascii: "n"))
                case 0x0D: out.append(UInt8(ascii: "r"))
                case 0x09: out.append(UInt8(ascii: "t"))
                case 0x08: out.append(UInt8(ascii: "b"))
                case 0x0C: out.append(UInt8(ascii: "f"))
                default:
                    out.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                            JSONWriter.hexDigit(b >> 4), JSONWriter.hexDigit(b & 0xF)])
                }
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...]))
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Pairwise for the small objects handlers usually return; hashing only for big ones.
    private static func hasDuplicates(_ keys: [String]) -> Bool {
        if keys.count > 16 { return Set(keys).count != keys.count }
        for i in keys.indices.dropFirst() {
            for j in 0..<i where keys[i] == keys[j] { return true }
        }
        return false
    }

    private static func hexDigit(_ v: UInt8) -> UInt8 {
        v < 10 ? UInt8(ascii: "0") + v : UInt8(ascii: "a") + v - 10
    }

    /// Object keys as jsonlite writes them: an empty name is the element's 1-based position, and
    /// repeated names are made unique like R's `make.unique` (`a`, `a.1`, `a.2`).
    static func objectKeys(_ names: [String]) -> [String] {
        var keys = names
        for i in keys.indices where keys[i].isEmpty { keys[i] = String(i + 1) }
        if !hasDuplicates(keys) { return keys }
        var all = Set(keys)
        var seen = Set<String>()
        var counters: [String: Int] = [:]
        for i in keys.indices {
            let name = keys[i]
            if seen.insert(name).inserted { continue }
            var k = counters[name] ?? 1
            var candidate = "\(name).\(k)"
            while all.contains(candidate) {
                k += 1
                candidate = "\(name).\(k)"
            }
            counters[name] = k + 1
            all.insert(candidate)
            keys[i] = candidate
        }
        return keys
    }
}

extension Value {
    fileprivate var isListValue: Bool {
        if case .list = self { return true }
        return false
    }
}
