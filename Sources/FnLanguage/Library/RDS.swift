/// R's serialization format (what `saveRDS` writes), versions 2 and 3, XDR binary ("X\n") and
/// ASCII ("A\n"), read into fn values.
///
/// Everything fn's value model holds comes back as R had it: atomic vectors, lists, attributes
/// (compact row names `c(NA, -n)` become `1:n`, as `DataFrame` keeps them), symbols, calls and
/// formulas, environments, ALTREP compact sequences and wrappers. R functions (closures,
/// byte code, builtins) are read and skipped: each becomes a stub builtin that stops with an error
/// when called, so an `lm` or `glm` object, whose `family` and `terms` carry functions and
/// environments, loads with all its data fields.
///
/// The input is untrusted: every length is checked against the bytes that remain (and fn's vector
/// limit) before anything is allocated, nesting is capped, and unknown types are errors.
struct RDSReader {
    /// Deeper nesting than this is refused (real objects nest a few dozen levels).
    static let maxDepth = 500
    /// The longest vector read (R's limit for a vector without long-vector support).
    static let maxLength = Int(Int32.max)

    enum Format { case xdr, ascii }

    private let bytes: [UInt8]
    private var pos: Int
    private let format: Format
    private var refs: [Value] = []
    private var depth = 0
    private let global: Environment
    private let empty: Environment

    /// Reads one serialized object; `bytes` may be gzip-compressed. Nesting is read recursively,
    /// so off fn's own large-stack threads (a test, a fuzzer) the reading hops onto one.
    static func read(_ input: [UInt8], global: Environment, empty: Environment) throws(FnError) -> Value {
        guard StackBounds.limitForCurrentThread() != 0 else {
            let outcome: Result<Value, FnError> = runWithLargeStack {
                do throws(FnError) {
                    return .success(try readOnThisStack(input, global: global, empty: empty))
                } catch {
                    return .failure(error)
                }
            }
            return try outcome.get()
        }
        return try readOnThisStack(input, global: global, empty: empty)
    }

    private static func readOnThisStack(_ input: [UInt8], global: Environment, empty: Environment) throws(FnError) -> Value {
        let data = Inflate.isGzip(input) ? try Inflate.gunzip(input) : input
        guard data.count >= 2 else { throw error("the file is empty or truncated") }
        let format: Format
        switch (data[0], data[1]) {
        case (UInt8(ascii: "X"), UInt8(ascii: "\n")): format = .xdr
        case (UInt8(ascii: "A"), UInt8(ascii: "\n")): format = .ascii
        case (UInt8(ascii: "B"), UInt8(ascii: "\n")):
            throw error("native binary serialization is not supported (save with the default xdr = TRUE)")
        case (0x42, 0x5a), (0xFD, 0x37):
            throw error("bzip2 and xz compression are not supported (save with compress = \"gzip\" or TRUE)")
        default:
            throw error("unknown input format (not a file written by saveRDS)")
        }
        var r = RDSReader(bytes: data, pos: 2, format: format, global: global, empty: empty)
        let version = try r.int()
        _ = try r.int()  // the R version that wrote it
        _ = try r.int()  // the oldest R that can read it
        switch version {
        case 2: break
        case 3:
            let n = try r.int()
            guard n >= 0, n <= 64 else { throw error("invalid native encoding length \(n)") }
            _ = try r.stringBytes(n)
        default:
            throw error("cannot read serialization format version \(version) (only 2 and 3)")
        }
        let value = try r.item()
        return value
    }

    private init(bytes: [UInt8], pos: Int, format: Format, global: Environment, empty: Environment) {
        self.bytes = bytes
        self.pos = pos
        self.format = format
        self.global = global
        self.empty = empty
    }

    static func error(_ why: String) -> FnError { FnError.runtime("readRDS(): \(why)") }

    private var remaining: Int { bytes.count - pos }

    // MARK: Primitive reads

    private mutating func int() throws(FnError) -> Int {
        switch format {
        case .xdr:
            guard remaining >= 4 else { throw Self.error("the file is truncated") }
            let v = UInt32(bytes[pos]) << 24 | UInt32(bytes[pos + 1]) << 16 | UInt32(bytes[pos + 2]) << 8 | UInt32(bytes[pos + 3])
            pos += 4
            return Int(Int32(bitPattern: v))
        case .ascii:
            let w = try word()
            if w == "NA" { return Int(NA.integer) }
            guard let v = Int32(w) else { throw Self.error("invalid integer '\(w.prefix(20))'") }
            return Int(v)
        }
    }

    private mutating func double() throws(FnError) -> Double {
        switch format {
        case .xdr:
            guard remaining >= 8 else { throw Self.error("the file is truncated") }
            var v: UInt64 = 0
            for i in 0..<8 { v = v << 8 | UInt64(bytes[pos + i]) }
            pos += 8
            return Double(bitPattern: v)
        case .ascii:
            let w = try word()
            switch w {
            case "NA": return NA.double
            case "NaN": return .nan
            case "Inf": return .infinity
            case "-Inf": return -.infinity
            default:
                guard let v = Double(w) else { throw Self.error("invalid number '\(w.prefix(20))'") }
                return v
            }
        }
    }

    /// The next whitespace-delimited word (ASCII format).
    private mutating func word() throws(FnError) -> String {
        while pos < bytes.count, isSpace(bytes[pos]) { pos += 1 }
        let start = pos
        while pos < bytes.count, !isSpace(bytes[pos]), pos - start < 64 { pos += 1 }
        guard pos > start else { throw Self.error("the file is truncated") }
        return String(decoding: bytes[start..<pos], as: UTF8.self)
    }

    private func isSpace(_ b: UInt8) -> Bool { b == 32 || (b >= 9 && b <= 13) }

    private mutating func rawBytes(_ n: Int) throws(FnError) -> ArraySlice<UInt8> {
        guard n >= 0, n <= remaining else { throw Self.error("the file is truncated") }
        defer { pos += n }
        return bytes[pos..<pos + n]
    }

    /// `n` characters of a string: raw bytes in XDR, escaped text in ASCII.
    private mutating func stringBytes(_ n: Int) throws(FnError) -> [UInt8] {
        if format == .xdr { return Array(try rawBytes(n)) }
        while pos < bytes.count, isSpace(bytes[pos]) { pos += 1 }
        var out: [UInt8] = []
        out.reserveCapacity(min(n, remaining))
        while out.count < n {
            guard pos < bytes.count else { throw Self.error("the file is truncated") }
            let c = bytes[pos]
            pos += 1
            guard c == UInt8(ascii: "\\") else {
                out.append(c)
                continue
            }
            guard pos < bytes.count else { throw Self.error("the file is truncated") }
            let e = bytes[pos]
            pos += 1
            switch e {
            case UInt8(ascii: "n"): out.append(10)
            case UInt8(ascii: "t"): out.append(9)
            case UInt8(ascii: "v"): out.append(11)
            case UInt8(ascii: "b"): out.append(8)
            case UInt8(ascii: "r"): out.append(13)
            case UInt8(ascii: "f"): out.append(12)
            case UInt8(ascii: "a"): out.append(7)
            case UInt8(ascii: "0")...UInt8(ascii: "7"):
                var d = Int(e - 48), k = 1
                while k < 3, pos < bytes.count, bytes[pos] >= 48, bytes[pos] < 56 {
                    d = d * 8 + Int(bytes[pos] - 48)
                    pos += 1
                    k += 1
                }
                out.append(UInt8(truncatingIfNeeded: d))
            default: out.append(e)  // \\ \? \' \"
            }
        }
        return out
    }

    /// A vector length, checked against what the remaining input can hold (`minBytes` per element).
    private mutating func length(_ minBytes: Int) throws(FnError) -> Int {
        var n = try int()
        if n == -1 {
            let upper = try int(), lower = try int()
            guard upper >= 0, lower >= 0 else { throw Self.error("invalid long vector length") }
            n = upper << 32 | (lower & 0xFFFF_FFFF)
        }
        guard n >= 0 else { throw Self.error("negative vector length \(n)") }
        guard n <= Self.maxLength else { throw FnError(.limit, "readRDS(): a vector of \(n) elements is too long") }
        let perElement = max(1, format == .ascii ? min(minBytes, 2) : minBytes)
        guard n <= remaining / perElement else {
            throw Self.error("a vector of length \(n) is longer than the rest of the file")
        }
        try MemoryBudget.check(bytes: Double(n) * 16)
        return n
    }

    // MARK: Items

    private static let refSXP = 255, nilValue = 254, globalEnv = 253, unboundValue = 252,
        missingArg = 251, baseNamespace = 250, namespaceSXP = 249, packageSXP = 248,
        persistSXP = 247, emptyEnv = 242, baseEnv = 241, attrLang = 240, attrList = 239,
        altrep = 238, bcRepDef = 244, bcRepRef = 243

    /// One level deeper; the caller undoes it with `defer { depth -= 1 }`.
    private mutating func descend() throws(FnError) {
        depth += 1
        guard depth <= Self.maxDepth else {
            throw FnError(.limit, "readRDS(): objects nested more than \(Self.maxDepth) deep")
        }
    }

    private mutating func item() throws(FnError) -> Value {
        try descend()
        defer { depth -= 1 }
        let flags = try int()
        let type = flags & 0xFF
        let hasAttributes = flags & (1 << 9) != 0
        let hasTag = flags & (1 << 10) != 0
        let levels = flags >> 12
        switch type {
        case Self.nilValue: return .null
        case Self.globalEnv, Self.baseEnv, Self.baseNamespace: return .environment(global)
        case Self.emptyEnv: return .environment(empty)
        case Self.unboundValue: return .null
        case Self.missingArg: return .symbol("")
        case Self.refSXP:
            var index = flags >> 8
            if index == 0 { index = try int() }
            guard index >= 1, index <= refs.count else { throw Self.error("invalid back-reference \(index)") }
            return refs[index - 1]
        case Self.namespaceSXP, Self.packageSXP, Self.persistSXP:
            // A namespace or package environment, named by a string vector: fn has none, so it
            // stands for the global environment (where fn's builtins are visible).
            guard try int() == 0 else { throw Self.error("invalid namespace reference") }
            let n = try length(4)
            for _ in 0..<n { _ = try item() }
            guard type != Self.persistSXP else { throw Self.error("persistent references are not supported") }
            refs.append(.environment(global))
            return .environment(global)
        case 1:  // SYMSXP
            let name = try item()
            let sym = Value.symbol(name.storage?.strings().first.flatMap { $0 } ?? "NA")
            refs.append(sym)
            return sym
        case 2, 6, 3, 5, 17, Self.attrLang, Self.attrList:  // pairlists, calls, closures, promises, ...
            return try pairlist(type: type, hasAttributes: hasAttributes, hasTag: hasTag)
        case 4:  // ENVSXP
            return try environment()
        case 7, 8:  // SPECIALSXP, BUILTINSXP
            let n = try length(1)
            let name = String(decoding: try stringBytes(n), as: UTF8.self)
            return Self.functionStub(name)
        case 9:  // CHARSXP
            return .character(try charsxp(levels))
        case 10, 13:  // LGLSXP, INTSXP
            let n = try length(4)
            var a = [Int32](repeating: 0, count: n)
            for i in 0..<n { a[i] = Int32(truncatingIfNeeded: try int()) }
            let storage: Storage = type == 13 ? .integer(a) : .logical(a.map { $0 == NA.integer ? NA.logical : ($0 != 0 ? 1 : 0) })
            return try withAttributes(Value(Vector(storage)), hasAttributes)
        case 14:  // REALSXP
            let n = try length(8)
            var a = [Double](repeating: 0, count: n)
            for i in 0..<n { a[i] = try double() }
            return try withAttributes(Value(Vector(.double(a))), hasAttributes)
        case 15:
            throw Self.error("complex vectors are not supported")
        case 16:  // STRSXP
            let n = try length(4)
            var a = [String?](repeating: nil, count: n)
            for i in 0..<n {
                let f = try int()
                guard f & 0xFF == 9 else { throw Self.error("a character vector holds a non-string element") }
                a[i] = try charsxp(f >> 12)
            }
            return try withAttributes(Value(Vector(.character(a))), hasAttributes)
        case 19, 20:  // VECSXP, EXPRSXP
            let n = try length(4)
            var a: [Value] = []
            a.reserveCapacity(n)
            for _ in 0..<n { a.append(try item()) }
            return try withAttributes(.list(List(a)), hasAttributes)
        case 24:  // RAWSXP: fn has no raw type, so bytes become integers 0-255
            let n = try length(1)
            var a: [Int32] = []
            a.reserveCapacity(n)
            if format == .xdr {
                for b in try rawBytes(n) { a.append(Int32(b)) }
            } else {
                for _ in 0..<n {
                    guard let b = UInt8(try word(), radix: 16) else { throw Self.error("invalid raw byte") }
                    a.append(Int32(b))
                }
            }
            return try withAttributes(Value(Vector(.integer(a))), hasAttributes)
        case 21:  // BCODESXP
            let reps = try int()
            guard reps >= 0, reps <= remaining else { throw Self.error("invalid byte code") }
            var table = [Value](repeating: .null, count: reps)
            try byteCode(&table)
            return try withAttributes(Self.functionStub("<bytecode>"), hasAttributes)
        case 22:  // EXTPTRSXP
            refs.append(.null)
            _ = try item()
            _ = try item()
            return try withAttributes(.null, hasAttributes)
        case 23:  // WEAKREFSXP
            refs.append(.null)
            return try withAttributes(.null, hasAttributes)
        case 25:  // S4SXP
            return try withAttributes(.null, hasAttributes)
        case Self.altrep:
            return try altrep()
        default:
            throw Self.error("unknown object type \(type) in the file")
        }
    }

    /// A CHARSXP's text (after its flags); nil is NA.
    private mutating func charsxp(_ levels: Int) throws(FnError) -> String? {
        let n = try int()
        if n == -1 { return nil }
        guard n >= 0 else { throw Self.error("invalid string length \(n)") }
        let b = try stringBytes(n)
        if levels & (1 << 2) != 0 {  // LATIN1
            var s = ""
            s.unicodeScalars.append(contentsOf: b.map { Unicode.Scalar($0) })
            return s
        }
        return String(decoding: b, as: UTF8.self)
    }

    /// Pairlist-shaped objects. The CDR chain is followed in a loop so long argument lists and
    /// attribute lists do not nest.
    private mutating func pairlist(type first: Int, hasAttributes: Bool, hasTag: Bool) throws(FnError) -> Value {
        var type = first, attributes = hasAttributes, tagged = hasTag
        var elements: [Value] = []
        var names: [String] = []
        var headAttributes: Value = .null
        var cells = 0
        while true {
            let attr: Value = attributes ? try item() : .null
            let tag: Value = tagged ? try item() : .null
            if cells == 0 { headAttributes = attr }
            cells += 1
            switch type {
            case 3:  // CLOSXP: environment, formals, body
                _ = try item()
                _ = try item()
                return Self.functionStub("<closure>")
            case 5:  // PROMSXP: environment, value, expression
                let value = try item()
                _ = try item()
                return value
            default:
                break
            }
            elements.append(try item())
            if case .symbol(let s) = tag { names.append(s) } else { names.append("") }
            // The CDR: another cell continues the chain; anything else ends it.
            let flags = try int()
            let next = flags & 0xFF
            if next == Self.nilValue { break }
            guard next == 2 || next == Self.attrList || next == 17 else {
                throw Self.error("a pairlist ends in an object of type \(next)")
            }
            type = next
            attributes = flags & (1 << 9) != 0
            tagged = flags & (1 << 10) != 0
            guard elements.count <= remaining else { throw Self.error("the file is truncated") }
        }
        let hasNames = names.contains { !$0.isEmpty }
        if first == 6 || first == Self.attrLang {
            var classes: [String]? = nil
            var environment: Environment? = nil
            if case .list(let a) = headAttributes {
                for (i, n) in (a.names ?? []).enumerated() {
                    if n == "class" { classes = a.elements[i].storage?.strings().map { $0 ?? "NA" } }
                    if n == ".Environment", case .environment(let e) = a.elements[i] { environment = e }
                }
            }
            return .language(Language(elements, names: hasNames ? names : nil, classes: classes, environment: environment))
        }
        return try attach(.list(List(elements, names: hasNames ? names : nil)), headAttributes)
    }

    private mutating func environment() throws(FnError) -> Value {
        _ = try int()  // locked
        let e = Environment(slotCount: 0, parent: global, scope: FunctionScope(), dynamic: true)
        refs.append(.environment(e))
        let parent = try item()
        let frame = try item()
        let table = try item()
        _ = try item()  // attributes
        // A file can make two environments each other's parent through back-references; such a
        // parent is refused (the global environment stays), so every parent chain ends.
        if case .environment(let p) = parent, !Self.chain(from: p, contains: e) {
            e.parent = p
            e.keep()
        }
        func bind(_ v: Value) {
            guard case .list(let l) = v, let names = l.names else { return }
            for (i, n) in names.enumerated() where !n.isEmpty { _ = e.bind(n, l.elements[i]) }
        }
        bind(frame)
        if case .list(let buckets) = table { buckets.elements.forEach(bind) }
        return .environment(e)
    }

    private static func chain(from start: Environment, contains e: Environment) -> Bool {
        var next: Environment? = start
        while let x = next {
            if x === e { return true }
            next = x.parent
        }
        return false
    }

    /// Byte code: the code vector and its constant pool, read and discarded.
    private mutating func byteCode(_ reps: inout [Value]) throws(FnError) {
        try descend()
        defer { depth -= 1 }
        _ = try item()  // the code (an integer vector)
        let n = try length(4)
        for _ in 0..<n {
            let type = try int()
            switch type {
            case 21: try byteCode(&reps)
            case 6, 2, Self.bcRepDef, Self.bcRepRef, Self.attrLang, Self.attrList:
                _ = try byteCodeLanguage(type, &reps)
            default: _ = try item()
            }
        }
    }

    private mutating func byteCodeLanguage(_ first: Int, _ reps: inout [Value]) throws(FnError) -> Value {
        try descend()
        defer { depth -= 1 }
        var type = first
        switch type {
        case Self.bcRepRef:
            let i = try int()
            guard i >= 0, i < reps.count else { throw Self.error("invalid byte code reference") }
            return reps[i]
        case Self.bcRepDef, 6, 2, Self.attrLang, Self.attrList:
            var position = -1
            if type == Self.bcRepDef {
                position = try int()
                type = try int()
                guard position >= 0, position < reps.count else { throw Self.error("invalid byte code reference") }
            }
            if type == Self.attrLang || type == Self.attrList { _ = try item() }
            _ = try item()  // tag
            let car = try byteCodeLanguage(try int(), &reps)
            _ = try byteCodeLanguage(try int(), &reps)
            if position >= 0 { reps[position] = car }
            return car
        default:
            return try item()
        }
    }

    /// ALTREP objects: compact sequences and wrappers are expanded to ordinary vectors.
    private mutating func altrep() throws(FnError) -> Value {
        let info = try item()
        let state = try item()
        let attr = try item()
        guard case .list(let i) = info, case .symbol(let cls)? = i.elements.first else {
            throw Self.error("invalid ALTREP class information")
        }
        var v: Value
        switch cls {
        case "compact_intseq", "compact_realseq":
            let s = state.storage?.doubles() ?? []
            guard s.count == 3, s[0].isFinite, s[0] >= 0, s[0] <= Double(Self.maxLength),
                  s[1].isFinite, s[2].isFinite else { throw Self.error("invalid compact sequence") }
            let n = Int(s[0])
            guard n <= 1 << 28 else { throw FnError(.limit, "readRDS(): a compact sequence of \(n) elements is too long") }
            try MemoryBudget.check(bytes: Double(n) * 8)
            if cls == "compact_intseq" {
                guard abs(s[1]) <= Double(Int32.max), abs(s[2]) <= Double(Int32.max),
                      abs(s[1] + s[2] * Double(max(n - 1, 0))) <= Double(Int32.max) else {
                    throw Self.error("invalid compact sequence")
                }
                let start = Int32(s[1]), by = Int32(s[2])
                v = Value(Vector(.integer((0..<n).map { start &+ Int32(truncatingIfNeeded: $0) &* by })))
            } else {
                v = Value(Vector(.double((0..<n).map { s[1] + Double($0) * s[2] })))
            }
        case _ where cls.hasPrefix("wrap_"):
            guard case .list(let l) = state, let x = l.elements.first else { throw Self.error("invalid ALTREP wrapper") }
            v = x
        case "deferred_string":
            guard case .list(let l) = state, let x = l.elements.first, let s = x.storage else {
                throw Self.error("invalid deferred string")
            }
            v = Value(Vector(.character(s.strings())))
        default:
            throw Self.error("unsupported ALTREP class '\(cls)'")
        }
        return try attach(v, attr)
    }

    private mutating func withAttributes(_ v: Value, _ has: Bool) throws(FnError) -> Value {
        guard has else { return v }
        return try attach(v, try item())
    }

    /// Sets the attributes read as a pairlist (a named list here) on `v`, with the checks `attr<-`
    /// makes (names and dimnames as long as the vector and its extents, dims that multiply to its
    /// length), and then the invariants fn's builtins rely on for factors and data frames.
    private func attach(_ v: Value, _ attributes: Value) throws(FnError) -> Value {
        guard case .list(let a) = attributes, !a.elements.isEmpty else { return v }
        switch v {
        case .list, .logical, .integer, .double, .character, .vector: break
        default: return v
        }
        var x = v
        for (i, value) in a.elements.enumerated() {
            let name = a.names?[i] ?? ""
            if name == "row.names", let s = value.storage, case .integer(let r) = s, r.count == 2, r[0] == NA.integer {
                let n = Int(r[1]).magnitude
                guard n <= Self.maxLength, n <= 1 << 28 else { throw Self.error("invalid row names") }
                try MemoryBudget.check(bytes: Double(n) * 4)
                try Attributes.set(&x, name, DataFrame.rowNamesValue(nil, count: Int(n)))
                continue
            }
            do throws(FnError) {
                try Attributes.set(&x, name, value)
            } catch {
                throw Self.error("invalid '\(name)' attribute: \(error.message)")
            }
        }
        let classes = x.classAttribute ?? []
        if classes.contains("factor") {
            guard x.atomicType == .integer, let codes = x.storage?.integers(),
                  let levels = x.attribute("levels"), levels.atomicType == .character || levels.isNull
            else { throw Self.error("a factor must be integer codes with character levels") }
            let n = Int32(clamping: levels.length)
            guard codes.allSatisfy({ $0 == NA.integer || (1...max(n, 1)).contains($0) && $0 <= n }) else {
                throw Self.error("a factor code is outside its levels")
            }
        }
        if classes.contains("data.frame"), case .list(let l) = x {
            let rows = DataFrame.rowCount(x)
            let fits = { (c: Value) -> Bool in
                c.length == rows || c.dim?.first == rows || (DataFrame.isDataFrame(c) && DataFrame.rowCount(c) == rows)
            }
            guard l.elements.allSatisfy(fits) else {
                throw Self.error("a data frame's columns and row names differ in length")
            }
        }
        return x
    }

    /// What an R function becomes: a builtin that says it cannot run R code.
    static func functionStub(_ name: String) -> Value {
        .builtin(Builtin(name, ["..."]) { _, _ throws(FnError) in
            throw FnError.runtime("this function was read by readRDS(): fn cannot run functions serialized by R")
        })
    }
}
