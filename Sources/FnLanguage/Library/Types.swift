/// Type tests, coercions and constructors: `as.*`, `is.*`, `mode`, `numeric()`, `vector()`, `isTRUE`, `xor`.
extension BuiltinRegistry {
    mutating func registerTypes() {
        defineCoercion("as.integer", to: .integer)
        defineCoercion("as.numeric", to: .double)
        defineCoercion("as.double", to: .double)
        defineCoercion("as.character", to: .character)
        defineCoercion("as.logical", to: .logical)

        define("as.list", ["x", "..."]) { args, ip throws(FnError) in
            let x = try args.required(0, "x")
            switch x {
            case .list: return x
            case .null: return .list(List([]))
            case .language(let l): return .list(l.list)
            case .environment(let e): return try ip.environmentList(e)
            default:
                guard x.atomicType != nil else { return .list(List([x])) }
                return .list(List(Unpack.elements(x), names: x.names))
            }
        }
        defineNumberTest("is.nan") { $0.isNaN && !NA.isNA($0) }
        defineNumberTest("is.finite") { $0.isFinite }
        defineNumberTest("is.infinite") { $0.isInfinite }
        define("ifelse", ["test", "yes", "no"]) { args, _ throws(FnError) in
            try ifelse(try args.required(0, "test"), try args.required(1, "yes"), try args.required(2, "no"))
        }
        define("mode", ["x"]) { args, _ throws(FnError) in
            .character(modeName(try args.required(0, "x")))
        }
        define("is.null", ["x"]) { args, _ throws(FnError) in
            .bool(try args.required(0, "x").isNull)
        }
        define("is.na", ["x"]) { args, _ throws(FnError) in
            try isNA(try args.required(0, "x"))
        }
        define("anyNA", ["x", "recursive"]) { args, _ throws(FnError) in
            let recursive = try Unpack.flag(args[1], "recursive", default: false)
            return .bool(anyNA(try args.required(0, "x"), recursive: recursive))
        }
        define("is.numeric", ["x"]) { args, _ throws(FnError) in
            let t = try args.required(0, "x").atomicType
            return .bool(t == .integer || t == .double)
        }
        defineTypeTest("is.character") { $0.atomicType == .character }
        defineTypeTest("is.logical") { $0.atomicType == .logical }
        defineTypeTest("is.integer") { $0.atomicType == .integer }
        defineTypeTest("is.double") { $0.atomicType == .double }
        defineTypeTest("is.function") { $0.isFunction }
        defineTypeTest("is.list") { if case .list = $0 { return true } else { return false } }
        // R 4.2: NULL is atomic (R 4.4 changed that).
        defineTypeTest("is.atomic") { $0.atomicType != nil || $0.isNull }
        define("is.vector", ["x", "mode"]) { args, _ throws(FnError) in
            let x = try args.required(0, "x")
            let mode = try Unpack.string(args[1], "mode", default: "any")
            guard x.atomicType != nil || { if case .list = x { return true } else { return false } }() else {
                return .false_
            }
            // Any attribute other than names makes it "not a vector".
            if x.classAttribute != nil { return .false_ }
            switch mode {
            case "any": return .true_
            case "list": if case .list = x { return .true_ } else { return .false_ }
            case "numeric": return .bool(x.atomicType == .integer || x.atomicType == .double)
            default: return .bool(x.typeName == mode)
            }
        }

        defineConstructor("numeric", .double)
        defineConstructor("double", .double)
        defineConstructor("integer", .integer)
        defineConstructor("character", .character)
        defineConstructor("logical", .logical)
        define("vector", ["mode", "length"]) { args, _ throws(FnError) in
            let mode = try Unpack.string(args[0], "mode", default: "logical")
            let n = try Unpack.int(args[1], "length", default: 0)
            guard n >= 0 else { throw FnError.runtime("vector: cannot make a vector of negative length") }
            try Limits.checkLength(Double(n))
            switch mode {
            case "logical": return Value(.logical(Array(repeating: 0, count: n)))
            case "integer": return Value(.integer(Array(repeating: 0, count: n)))
            case "numeric", "double": return Value(.double(Array(repeating: 0, count: n)))
            case "character": return Value(.character(Array(repeating: "", count: n)))
            case "list": return .list(List(Array(repeating: .null, count: n)))
            default: throw FnError.runtime("vector: cannot make a vector of mode '\(mode)'.")
            }
        }

        define("isTRUE", ["x"]) { args, _ throws(FnError) in
            let x = try args.required(0, "x")
            guard x.atomicType == .logical, x.length == 1, let s = x.storage else { return .false_ }
            return .bool(s.logicals()[0] == 1)
        }
        define("isFALSE", ["x"]) { args, _ throws(FnError) in
            let x = try args.required(0, "x")
            guard x.atomicType == .logical, x.length == 1, let s = x.storage else { return .false_ }
            return .bool(s.logicals()[0] == 0)
        }
        define("xor", ["x", "y"]) { args, _ throws(FnError) in
            let x = try Unpack.atomic(try args.required(0, "x"), "invalid 'x' type in 'x || y'").logicals()
            let y = try Unpack.atomic(try args.required(1, "y"), "invalid 'y' type in 'x || y'").logicals()
            if x.isEmpty || y.isEmpty { return Value(.logical([])) }
            let n = max(x.count, y.count)
            var out = [Int8](repeating: 0, count: n)
            for i in 0..<n {
                let a = x[i % x.count], b = y[i % y.count]
                out[i] = (a == NA.logical || b == NA.logical) ? NA.logical : ((a != 0) != (b != 0) ? 1 : 0)
            }
            return Value(.logical(out))
        }
        define("Negate", ["f"]) { args, ip throws(FnError) in
            let f = try Unpack.function(try args.required(0, "f"), ip, "f")
            return .builtin(Builtin("Negate", ["..."]) { inner, ip throws(FnError) in
                let r = try ip.callFunction(f, inner.dots, names: inner.dotNames)
                guard let s = r.storage else { throw FnError.runtime("invalid argument type") }
                return Value(.logical(s.logicals().map { $0 == NA.logical ? $0 : 1 - $0 }), names: r.names)
            })
        }
    }

    private mutating func defineTypeTest(_ name: String, _ test: @escaping (Value) -> Bool) {
        define(name, ["x"]) { args, _ throws(FnError) in .bool(test(try args.required(0, "x"))) }
    }

    /// `is.nan`, `is.finite`, `is.infinite`: elementwise on numbers, FALSE for other types, names kept.
    private mutating func defineNumberTest(_ name: String, _ test: @escaping (Double) -> Bool) {
        define(name, ["x"]) { args, _ throws(FnError) in
            let x = try args.required(0, "x")
            if case .double(let d) = x { return .bool(test(d)) }
            guard let s = x.storage else {
                if x.isNull { return Value(.logical([])) }
                throw FnError.runtime("default method not implemented for type '\(x.typeName)'")
            }
            switch s.type {
            case .double: return Value(.logical(s.doubles().map { test($0) ? 1 : 0 }), names: x.names)
            case .character where name == "is.nan":
                throw FnError.runtime("default method not implemented for type 'character'")
            case .integer, .logical:
                // Integers and logicals are never NaN or infinite; they are finite unless NA.
                let finite = name == "is.finite"
                return Value(.logical((0..<s.count).map { finite && !s.isNA($0) ? 1 : 0 }), names: x.names)
            default: return Value(.logical(Array(repeating: 0, count: s.count)), names: x.names)
            }
        }
    }

    private mutating func defineConstructor(_ name: String, _ type: AtomicType) {
        define(name, ["length"]) { args, _ throws(FnError) in
            let n = try Unpack.int(args[0], "length", default: 0)
            guard n >= 0 else { throw FnError.runtime("invalid 'length' argument") }
            try Limits.checkLength(Double(n))
            switch type {
            case .logical: return Value(.logical(Array(repeating: 0, count: n)))
            case .integer: return Value(.integer(Array(repeating: 0, count: n)))
            case .double: return Value(.double(Array(repeating: 0, count: n)))
            case .character: return Value(.character(Array(repeating: "", count: n)))
            }
        }
    }

    private mutating func defineCoercion(_ name: String, to type: AtomicType) {
        define(name, ["x", "..."]) { args, ip throws(FnError) in
            guard let x = args[0] else { return Value(Storage.empty(type)) }
            return try coerce(x, to: type, ip)
        }
    }
}

/// `as.<type>(x)`: names and other attributes are dropped; warns where R warns.
func coerce(_ x: Value, to type: AtomicType, _ ip: Interpreter) throws(FnError) -> Value {
    // Scalar fast paths: no arrays built.
    switch (x, type) {
    case (.double(let d), .double): return .double(d)
    case (.integer(let i), .integer): return .integer(i)
    case (.character(let s), .character): return .character(s)
    case (.logical(let b), .logical): return .logical(b)
    case (.integer(let i), .double): return .double(i == NA.integer ? NA.double : Double(i))
    case (.double(let d), .integer):
        let r = Coerce.integer(fromDouble: d)
        if r == NA.integer && !d.isNaN { ip.warn("NAs introduced by coercion to integer range") }
        return .integer(r)
    case (.double(let d), .character): return .character(Coerce.string(fromDouble: d))
    case (.integer(let i), .character): return .character(Coerce.string(fromInteger: i))
    default: break
    }
    let source: Storage
    switch x {
    case .null: return Value(Storage.empty(type))
    case .list(let l):
        // Each element on its own: as.character(list(TRUE, 1L)) is "TRUE" "1", not a common type.
        if type == .character { return Value(.character(l.elements.map { describeForCharacter($0) })) }
        var type0 = AtomicType.logical
        for e in l.elements {
            guard let t = e.atomicType, e.length == 1 else {
                throw FnError.runtime("'list' object cannot be coerced to type '\(type.name)'")
            }
            type0 = max(type0, t)
        }
        source = Unpack.combine(l.elements, as: type0)
    case .symbol where type == .character, .language where type == .character:
        return Value(.character(characterElements(x)))
    default:
        guard let s = x.storage else {
            throw FnError.runtime("cannot coerce type '\(x.typeName)' to vector of type '\(type.name)'")
        }
        source = s
    }
    let result = source.converted(to: type)
    warnOnCoercion(from: source, to: result, ip)
    return Value(result)
}

/// R warns when a string that is not "NA" becomes NA, or a double is out of integer range.
private func warnOnCoercion(from source: Storage, to result: Storage, _ ip: Interpreter) {
    switch (source, result) {
    case (.character(let a), .integer), (.character(let a), .double):
        for i in 0..<a.count where result.isNA(i) {
            // R does not warn for "NA" or for blank strings.
            if let s = a[i], case let t = s.trimmingWhitespace(), t != "NA", !t.isEmpty {
                ip.warn("NAs introduced by coercion")
                return
            }
        }
    case (.double(let a), .integer(let r)):
        for i in 0..<a.count where r[i] == NA.integer && !a[i].isNaN {
            ip.warn("NAs introduced by coercion to integer range")
            return
        }
    default: break
    }
}

/// `as.character` of one list element: scalars as usual, anything longer deparsed (`c(1, 2)`).
func describeForCharacter(_ v: Value) -> String? {
    // R (coerceVectorList) takes a single string as it is, names or not, and deparses anything
    // else without `L` suffixes: list(1L, c(a = 2L)) gives "1", "c(a = 2)".
    if v.length == 1, let s = v.storage, v.names == nil || s.type == .character {
        return s.type == .character ? s.strings()[0] : s.strings()[0] ?? "NA"
    }
    return ValueDeparser.deparse(v, simple: true)
}

/// `anyNA(x)`: whether any element is NA or NaN. A list counts its length-1 NA elements, or with
/// `recursive` every NA inside it, as R does.
private func anyNA(_ x: Value, recursive: Bool) -> Bool {
    if case .list(let l) = x {
        return l.elements.contains { e in
            recursive ? anyNA(e, recursive: true) : e.length == 1 && e.storage?.isNA(0) == true
        }
    }
    guard let s = x.storage else { return false }
    return (0..<s.count).contains { s.isNA($0) }
}

/// `is.na(x)`: elementwise, names kept; a list element is NA when it is a length-1 atomic NA.
private func isNA(_ x: Value) throws(FnError) -> Value {
    switch x {
    case .double(let d): return .bool(d.isNaN)
    case .integer(let i): return .bool(i == NA.integer)
    case .logical(let b): return .bool(b == NA.logical)
    case .character(let s): return .bool(s == nil)
    case .null: return Value(.logical([]))
    case .list(let l):
        let out: [Int8] = l.elements.map { e in
            guard e.length == 1, let s = e.storage else { return 0 }
            return s.isNA(0) ? 1 : 0
        }
        return Value(.logical(out), names: l.names)
    case .vector(let v):
        let s = v.storage
        var out = [Int8](repeating: 0, count: s.count)
        for i in 0..<s.count where s.isNA(i) { out[i] = 1 }
        // R keeps names, dim and dimnames (not the class).
        var kept: AttributeList? = nil
        for key in ["dim", "dimnames"] { setAttribute(&kept, key, v.attributes?[key]) }
        return Value(Vector(.logical(out), names: v.names, attributes: kept))
    default:
        return .false_
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs and newlines.
    func trimmingWhitespace() -> Substring {
        var t = Substring(self)
        while let f = t.first, f == " " || f == "\t" || f == "\n" || f == "\r" { t.removeFirst() }
        while let l = t.last, l == " " || l == "\t" || l == "\n" || l == "\r" { t.removeLast() }
        return t
    }
}

/// `ifelse(test, yes, no)`: the names and other attributes of `test` (its dim, dimnames); `yes`/`no` recycled; NA where test is NA.
/// The result type is the highest of logical and the types of the branches actually used.
private func ifelse(_ test: Value, _ yes: Value, _ no: Value) throws(FnError) -> Value {
    if case .logical(let b) = test, b != NA.logical, yes.length == 1, no.length == 1,
       yes.names == nil, no.names == nil, yes.atomicType != nil, no.atomicType != nil {
        return b != 0 ? yes : no
    }
    guard let ts = Unpack.flatStorage(test) else { throw FnError.runtime("argument is not interpretable as logical") }
    let t = ts.logicals()
    let anyYes = t.contains(1), anyNo = t.contains(0)
    var type = AtomicType.logical
    var isList = false
    for (used, branch) in [(anyYes, yes), (anyNo, no)] where used {
        if let bt = branch.atomicType { type = max(type, bt) } else { isList = true }
        if branch.length == 0 { throw FnError.runtime("replacement has length zero") }
    }
    var indices: [Int] = []
    let yesItems = anyYes ? Unpack.elements(yes) : [], noItems = anyNo ? Unpack.elements(no) : []
    if isList {
        let out: [Value] = t.enumerated().map { i, b in
            b == NA.logical ? .logical(NA.logical) : (b != 0 ? yesItems[i % yesItems.count] : noItems[i % noItems.count])
        }
        var l = List(out, names: test.names)
        l.attributes = test.attributes
        return .list(l)
    }
    let ys = anyYes ? (yes.storage ?? .logical([])).converted(to: type) : Storage.empty(type)
    let ns = anyNo ? (no.storage ?? .logical([])).converted(to: type) : Storage.empty(type)
    indices.reserveCapacity(t.count)
    var out: Storage
    switch type {
    case .logical:
        let a = ys.logicals(), b = ns.logicals()
        out = .logical(t.enumerated().map { i, c in c == NA.logical ? NA.logical : (c != 0 ? a[i % a.count] : b[i % b.count]) })
    case .integer:
        let a = ys.integers(), b = ns.integers()
        out = .integer(t.enumerated().map { i, c in c == NA.logical ? NA.integer : (c != 0 ? a[i % a.count] : b[i % b.count]) })
    case .double:
        let a = ys.doubles(), b = ns.doubles()
        out = .double(t.enumerated().map { i, c in c == NA.logical ? NA.double : (c != 0 ? a[i % a.count] : b[i % b.count]) })
    case .character:
        let a = ys.strings(), b = ns.strings()
        out = .character(t.enumerated().map { i, c in c == NA.logical ? nil : (c != 0 ? a[i % a.count] : b[i % b.count]) })
    }
    return Value(Vector(out, names: test.names, attributes: test.attributes))
}
