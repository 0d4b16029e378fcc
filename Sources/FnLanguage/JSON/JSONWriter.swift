/// Writes fn values as JSON bytes, following `jsonlite::toJSON(x, auto_unbox = TRUE, null = "null",
/// na = "null", digits = NA)` with three deliberate differences:
///
/// - Numbers are written in their shortest round-trip form (Swift's `description` digits) instead
///   of R's 15 significant digits: `0.1 + 0.2` is `0.30000000000000004`. Whole numbers up to 2^53
///   are written as integers (`5`, `1000000000000000`); larger or smaller magnitudes keep Swift's
///   exponent form (`1e+16`, `9.007199254740994e+15`, `1e-05`), which is valid JSON. `-0` stays `-0`.
/// - `NaN` and `±Inf` have no JSON form and are an error (jsonlite writes `null`); `NA` is `null`.
/// - `NULL` at the top level is `null` (jsonlite writes `{}`).
///
/// As in jsonlite: a length-1 atomic vector is a scalar and its names are dropped; other atomic
/// vectors are arrays (`[]` when empty, names dropped); lists with names are objects, where an
/// empty name becomes the element's position and repeated names are made unique as
/// `make.unique` does (`a`, `a.1`); lists without names are arrays; `NULL` inside a list is
/// `null`; a matrix or array is nested arrays, row-major (jsonlite's `matrix = "rowmajor"`); a
/// factor is its levels as strings;
/// classes are ignored (a `POSIXct` is its number). Strings escape `"`, `\` and control
/// characters and keep other characters as raw UTF-8.
///
/// The writer walks nested lists with an explicit stack, so deep values cannot exhaust the call
/// stack; values nested deeper than `maxDepth` are refused.
struct JSONWriter {
    static let maxDepth = 10_000

    /// `toJSON`'s layout switches; the bridge uses the defaults.
    struct Options {
        /// jsonlite's `auto_unbox`: length-1 atomic vectors are scalars rather than 1-element arrays.
        var autoUnbox = true
        /// jsonlite's `pretty = TRUE`: lists one element per line, indented by two spaces; atomic
        /// arrays stay on one line as `[1, 2]`.
        var pretty = false
        /// The invocation's deadline, for `toJSON` in handler code: checked every 4096 elements.
        var cancellation: CancellationFlag?
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
    }

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
        while true {
            if current.attributes != nil {
                if let d = current.dim, d.count >= 2 { current = JSONWriter.rowMajor(current, d) }
                if Factors.isFactor(current) { current = Value(Vector(.character(Factors.labels(current)))) }
            }
            if case .list(let list) = current, list.count > 0 {
                guard stack.count < JSONWriter.maxDepth else {
                    throw FnError(.json,
                                  "cannot serialise a value nested deeper than \(JSONWriter.maxDepth) levels as JSON")
                }
                if let names = list.names {
                    out.append(UInt8(ascii: "{"))
                    stack.append(Frame(elements: list.elements, keys: JSONWriter.objectKeys(names)))
                } else {
                    out.append(UInt8(ascii: "["))
                    stack.append(Frame(elements: list.elements, keys: nil))
                }
            } else {
                try writeLeaf(current)
            }
            // Move to the next element, closing every list that is finished.
            while let top = stack.last, top.next == top.elements.count {
                stack.removeLast()
                if options.pretty { newline(indent: stack.count) }
                out.append(top.keys == nil ? UInt8(ascii: "]") : UInt8(ascii: "}"))
            }
            guard !stack.isEmpty else { return }
            let i = stack[stack.count - 1].next
            stack[stack.count - 1].next = i + 1
            if i & 0xFFF == 0 { try checkProgress() }
            if i > 0 { out.append(UInt8(ascii: ",")) }
            if options.pretty { newline(indent: stack.count) }
            if let keys = stack[stack.count - 1].keys {
                writeString(keys[i])
                out.append(UInt8(ascii: ":"))
                if options.pretty { out.append(UInt8(ascii: " ")) }
            }
            current = stack[stack.count - 1].elements[i]
        }
    }

    /// An array as jsonlite writes it (`matrix = "rowmajor"`): nested arrays, the first dimension
    /// outermost, each innermost row an array even when it has one element.
    static func rowMajor(_ x: Value, _ d: [Int]) -> Value {
        var strides = [Int](repeating: 1, count: d.count)
        for k in 1..<d.count { strides[k] = strides[k - 1] * d[k - 1] }
        func element(_ offset: Int) -> Value {
            switch x {
            case .list(let l):
                // jsonlite writes each cell of a list matrix as an array, even with auto_unbox.
                let e = l.elements[offset]
                return e.atomicType != nil && e.length == 1 ? .list(List([e])) : e
            default: return x.storage?.element(offset) ?? .null
            }
        }
        func level(_ k: Int, _ offset: Int) -> Value {
            if k == d.count { return element(offset) }
            return .list(List((0..<d[k]).map { level(k + 1, offset + $0 * strides[k]) }))
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

    /// Everything except a non-empty list.
    private mutating func writeLeaf(_ value: Value) throws(FnError) {
        if !options.autoUnbox, let s = value.storage, s.count == 1 {
            out.append(UInt8(ascii: "["))
            try writeElement(s, 0)
            out.append(UInt8(ascii: "]"))
            return
        }
        switch value {
        case .null: writeNull()
        case .logical(let b): writeLogical(b)
        case .integer(let i): writeInteger(i)
        case .double(let d): try writeDouble(d)
        case .character(let s): if let s { writeString(s) } else { writeNull() }
        case .vector(let v):
            if v.count == 1 {
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
        case .character(let a): if let s = a[i] { writeString(s) } else { writeNull() }
        }
    }

    private mutating func writeNull() {
        out.append(contentsOf: [UInt8(ascii: "n"), UInt8(ascii: "u"), UInt8(ascii: "l"), UInt8(ascii: "l")])
    }

    private mutating func writeLogical(_ b: Int8) {
        if b == NA.logical {
            writeNull()
        } else if b != 0 {
            out.append(contentsOf: [UInt8(ascii: "t"), UInt8(ascii: "r"), UInt8(ascii: "u"), UInt8(ascii: "e")])
        } else {
            out.append(contentsOf: [UInt8(ascii: "f"), UInt8(ascii: "a"), UInt8(ascii: "l"), UInt8(ascii: "s"),
                                    UInt8(ascii: "e")])
        }
    }

    private mutating func writeInteger(_ i: Int32) {
        if i == NA.integer { writeNull() } else { writeDigits(Int64(i)) }
    }

    private mutating func writeDouble(_ d: Double) throws(FnError) {
        if NA.isNA(d) {
            writeNull()
            return
        }
        guard d.isFinite else { throw FnError(.json, "cannot serialise non-finite number as JSON") }
        if d == d.rounded(.towardZero) && abs(d) < 9_007_199_254_740_992 {
            if d == 0 && d.sign == .minus { out.append(UInt8(ascii: "-")) }
            writeDigits(Int64(d))
            return
        }
        // Shortest round-trip digits; 2^53 itself comes as "9007199254740992.0".
        var text = d.description.utf8[...]
        if text.count > 2 && text.suffix(2).elementsEqual(".0".utf8) { text = text.dropLast(2) }
        out.append(contentsOf: text)
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
