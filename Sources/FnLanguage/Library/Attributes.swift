/// Attributes: `attr`, `attr<-`, `attributes`, `attributes<-`, `structure`, `class`, `oldClass`,
/// `inherits`, `dim`, `dimnames` and their replacement forms, with R's checks for the attributes
/// R gives a meaning (`names`, `dim`, `dimnames`, `class`, `levels`).
extension BuiltinRegistry {
    mutating func registerAttributes() {
        define("class", ["x"]) { args, _ throws(FnError) in
            Value(Vector(.character(Attributes.implicitClass(try args.required(0, "x")))))
        }
        define("oldClass", ["x"]) { args, _ throws(FnError) in
            (try args.required(0, "x")).classAttribute.map { Value(Vector(.character($0))) } ?? .null
        }
        for name in ["class<-", "oldClass<-"] {
            define(name, ["x", "value"]) { args, _ throws(FnError) in
                var x = try args.required(0, "x")
                try Attributes.set(&x, "class", args[1] ?? .null)
                return x
            }
        }
        define("inherits", ["x", "what", "which"]) { args, _ throws(FnError) in
            let cls = Attributes.implicitClass(try args.required(0, "x"))
            guard let what = (try args.required(1, "what")).storage, what.type == .character else {
                throw FnError.runtime("'what' must be a character vector or an object with a nameOfClass() method")
            }
            let names = what.strings()
            if try Unpack.flag(args[2], "which", default: false) {
                return Value(Vector(.integer(names.map { w in
                    Int32(w.flatMap { cls.firstIndex(of: $0) }.map { $0 + 1 } ?? 0)
                })))
            }
            return .bool(names.contains { w in w.map { cls.contains($0) } ?? false })
        }
        define("structure", [".Data", "..."]) { args, _ throws(FnError) in
            guard var x = args[0] else { throw FnError.runtime("argument \".Data\" is missing, with no default") }
            for (i, name) in args.dotNames.enumerated() {
                guard let name else { throw FnError.runtime("attributes must be named") }
                try Attributes.set(&x, name == ".Names" ? "names" : name, args.dots[i])
            }
            return x
        }
        define("attr", ["x", "which", "exact"]) { args, _ throws(FnError) in
            let x = try args.required(0, "x")
            let which = try attributeName(args[1])
            let exact = try Unpack.flag(args[2], "exact", default: false)
            if let v = Attributes.get(x, which) { return v }
            if exact { return .null }
            // R completes a unique partial name.
            let all = Attributes.all(x).map(\.name).filter { $0.hasPrefix(which) }
            return all.count == 1 ? Attributes.get(x, all[0]) ?? .null : .null
        }
        define("attr<-", ["x", "which", "value"]) { args, _ throws(FnError) in
            var x = try args.required(0, "x")
            try Attributes.set(&x, try attributeName(args[1]), args[2] ?? .null)
            return x
        }
        define("attributes", ["x"]) { args, _ throws(FnError) in
            let pairs = Attributes.all(try args.required(0, "x"))
            if pairs.isEmpty { return .null }
            return .list(List(pairs.map(\.value), names: pairs.map(\.name)))
        }
        define("attributes<-", ["x", "value"]) { args, _ throws(FnError) in
            var x = try args.required(0, "x")
            let v = args[1] ?? .null
            var pairs: [(String, Value)] = []
            switch v {
            case .null: break
            case .list(let l):
                guard let names = l.names, !names.contains("") || l.count == 0 else {
                    throw FnError.runtime("attributes must be named")
                }
                pairs = Array(zip(names, l.elements))
            default: throw FnError.runtime("attributes must be a list or NULL")
            }
            Attributes.clear(&x)
            // R sets dim first, so dimnames given before it still apply.
            if let d = pairs.first(where: { $0.0 == "dim" }) { try Attributes.set(&x, "dim", d.1) }
            for (name, value) in pairs where name != "dim" { try Attributes.set(&x, name, value) }
            return x
        }
        define("dim", ["x"]) { args, _ throws(FnError) in
            (try args.required(0, "x")).attribute("dim") ?? .null
        }
        define("dim<-", ["x", "value"]) { args, _ throws(FnError) in
            var x = try args.required(0, "x")
            let v = args[1] ?? .null
            if !v.isNull {
                // dim<- drops names and dimnames (attr(x, "dim") <- keeps them).
                try Attributes.setNames(&x, nil)
                try Attributes.set(&x, "dimnames", .null)
            }
            try Attributes.set(&x, "dim", v)
            return x
        }
        define("dimnames", ["x"]) { args, _ throws(FnError) in
            (try args.required(0, "x")).attribute("dimnames") ?? .null
        }
        define("dimnames<-", ["x", "value"]) { args, _ throws(FnError) in
            var x = try args.required(0, "x")
            try Attributes.set(&x, "dimnames", args[1] ?? .null)
            return x
        }
        define("levels", ["x"]) { args, _ throws(FnError) in
            (try args.required(0, "x")).attribute("levels") ?? .null
        }
    }
}

/// The `which` of `attr(x, which)`: one string.
private func attributeName(_ v: Value?) throws(FnError) -> String {
    guard case .character(let s?)? = v else {
        throw FnError.runtime("exactly one attribute 'which' must be given")
    }
    return s
}

/// Reading and setting attributes with R's checks.
enum Attributes {
    /// Every attribute, as `attributes(x)` lists them: names first, then in the order set. A
    /// one-dimensional array's names are its dimnames (fn keeps both), so they are not listed.
    static func all(_ x: Value) -> [(name: String, value: Value)] {
        var out: [(name: String, value: Value)] = []
        if let n = x.names, !isOneDimensionalWithDimnames(x) { out.append(("names", Value(Vector(.character(n))))) }
        if let a = x.attributes { out += a.pairs }
        return out
    }

    static func isOneDimensionalWithDimnames(_ x: Value) -> Bool {
        x.dim?.count == 1 && x.attribute("dimnames") != nil
    }

    static func get(_ x: Value, _ name: String) -> Value? {
        if name == "names" { return x.names.map { Value(Vector(.character($0))) } }
        return x.attribute(name)
    }

    /// Removes every attribute, names included.
    static func clear(_ x: inout Value) {
        switch x {
        case .vector(let v): x = Value(Vector(v.storage))
        case .list(let l): x = .list(List(l.elements))
        default: break
        }
    }

    /// `attr(x, name) <- value` (NULL removes), with R's checks and coercions.
    static func set(_ x: inout Value, _ name: String, _ value: Value) throws(FnError) {
        if case .null = x {
            if value.isNull { return }
            throw FnError.runtime("attempt to set an attribute on NULL")
        }
        switch name {
        case "names":
            if value.isNull { return try setNames(&x, nil) }
            guard let s = value.storage else { throw FnError.runtime("invalid 'names' attribute") }
            let strs = s.strings()
            let n = x.length
            if strs.count > n {
                throw FnError.runtime("'names' attribute [\(strs.count)] must be the same length as the vector [\(n)]")
            }
            try setNames(&x, (0..<n).map { $0 < strs.count ? (strs[$0] ?? "NA") : "NA" })
            try namesToDimnames(&x)
        case "dim":
            if value.isNull {
                if isOneDimensionalWithDimnames(x) { try setNames(&x, nil) }
                try setRaw(&x, "dim", nil)
                try setRaw(&x, "dimnames", nil)
                return
            }
            guard let s = value.storage, s.type != .character else {
                throw FnError.runtime("invalid second argument, must be vector or NULL")
            }
            if s.count == 0 { throw FnError.runtime("length-0 dimension vector is invalid") }
            let dims = s.doubles()
            if dims.contains(where: { $0.isNaN }) { throw FnError.runtime("the dims contain missing or negative values") }
            if dims.contains(where: { $0 < 0 }) { throw FnError.runtime("the dims contain negative values") }
            if dims.contains(where: { $0 > 2147483647 }) { throw FnError.runtime("the dims contain missing or negative values") }
            let product = dims.reduce(1, *)
            if product != Double(x.length) {
                throw FnError.runtime("dims [product \(Int(product))] do not match the length of object [\(x.length)]")
            }
            try setRaw(&x, "dim", Value(Vector(.integer(dims.map { Int32($0) }))))
        case "dimnames":
            if value.isNull {
                if isOneDimensionalWithDimnames(x) { try setNames(&x, nil) }
                return try setRaw(&x, "dimnames", nil)
            }
            guard let dims = x.dim else { throw FnError.runtime("'dimnames' applied to non-array") }
            guard case .list(var l) = value else { throw FnError.runtime("'dimnames' must be a list") }
            // A shorter list names the first dimensions only, as in R.
            if l.count < dims.count && l.names == nil {
                l.elements += [Value](repeating: .null, count: dims.count - l.count)
            }
            if l.count != dims.count {
                throw FnError.runtime("length of 'dimnames' [\(l.count)] must match that of 'dims' [\(dims.count)]")
            }
            var parts: [Value] = []
            for (k, e) in l.elements.enumerated() {
                if e.isNull { parts.append(.null); continue }
                guard let s = e.storage else { throw FnError.runtime("invalid 'dimnames' given for data frame") }
                if s.count != dims[k] {
                    throw FnError.runtime("length of 'dimnames' [\(k + 1)] not equal to array extent")
                }
                parts.append(s.type == .character && e.attributes == nil ? e : Value(Vector(.character(s.strings()))))
            }
            if parts.allSatisfy({ $0.isNull }) && l.names == nil { return try setRaw(&x, "dimnames", nil) }
            try setRaw(&x, "dimnames", .list(List(parts, names: l.names)))
            // fn keeps a one-dimensional array's dimnames as its names too (see `all`).
            if dims.count == 1 { try setNames(&x, parts[0].storage.map { $0.strings().map { $0 ?? "NA" } }) }
        case "class":
            if value.isNull { return try setRaw(&x, "class", nil) }
            guard let s = value.storage, s.type == .character else {
                throw FnError.runtime("attempt to set invalid 'class' attribute")
            }
            try setRaw(&x, "class", s.count == 0 ? nil : Value(Vector(s)))
        default:
            try setRaw(&x, name, value.isNull ? nil : value)
        }
    }

    /// Sets or removes an attribute other than `names`, without checks.
    static func setRaw(_ x: inout Value, _ name: String, _ value: Value?) throws(FnError) {
        switch x {
        case .list(var l):
            x = .null
            setAttribute(&l.attributes, name, value)
            x = .list(l)
        case .null:
            if value != nil { throw FnError.runtime("attempt to set an attribute on NULL") }
        default:
            guard let s = x.storage else {
                if value == nil { return }
                throw FnError.runtime("cannot set attribute '\(name)' on a \(x.typeName) in fn")
            }
            var v: Vector
            if case .vector(let existing) = x { v = existing } else { v = Vector(s) }
            x = .null
            setAttribute(&v.attributes, name, value)
            x = Value(v)
        }
    }

    static func setNames(_ x: inout Value, _ names: [String]?) throws(FnError) {
        switch x {
        case .list(var l):
            x = .null
            l.names = names
            x = .list(l)
        case .null:
            if let names, !names.isEmpty {
                throw FnError.runtime("attempt to set an attribute on NULL")
            }
        default:
            guard let s = x.storage else { throw FnError.runtime("names() applied to a non-vector") }
            var v: Vector
            if case .vector(let existing) = x { v = existing } else { v = Vector(s) }
            x = .null
            v.names = names
            x = Value(v)
        }
    }

    /// After `names(x) <- v` on a one-dimensional array: its dimnames become the names (without a
    /// name of their own), as in R.
    static func namesToDimnames(_ x: inout Value) throws(FnError) {
        guard x.dim?.count == 1 else { return }
        guard let names = x.names else { return try setRaw(&x, "dimnames", nil) }
        try setRaw(&x, "dimnames", .list(List([Value(Vector(.character(names)))])))
    }

    static func setClass(_ x: inout Value, _ classes: [String]?) throws(FnError) {
        try setRaw(&x, "class", classes.map { Value(Vector(.character($0))) })
    }

    /// R's `class(x)`: the class attribute, else the implicit class.
    static func implicitClass(_ x: Value) -> [String] {
        if let c = x.classAttribute { return c }
        if let d = x.dim { return d.count == 2 ? ["matrix", "array"] : ["array"] }
        switch x {
        case .null: return ["NULL"]
        case .closure, .builtin: return ["function"]
        case .environment: return ["environment"]
        case .list: return ["list"]
        case .symbol: return ["name"]
        case .language(let l):
            // R's class of a call is the syntax it stands for: `if`, `for`, `<-`, `(`, `{` ...
            switch l.functionName {
            case "if"?: return ["if"]
            case "for"?: return ["for"]
            case "while"?: return ["while"]
            case "<-"?, "="?: return ["<-"]
            case "("?: return ["("]
            case "{"?: return ["{"]
            default: return ["call"]
            }
        default:
            switch x.atomicType {
            case .double?: return ["numeric"]
            case .integer?: return ["integer"]
            case .logical?: return ["logical"]
            default: return ["character"]
            }
        }
    }

    /// The classes S3 dispatch tries, in order: the class attribute, else the implicit class
    /// with the type's own name (`matrix`, `array`, `integer`/`double`, `numeric`, `function`).
    static func dispatchClass(_ x: Value) -> [String] {
        if let c = x.classAttribute { return c }
        var out: [String] = []
        if let d = x.dim { out += d.count == 2 ? ["matrix", "array"] : ["array"] }
        switch x {
        case .null: out.append("NULL")
        case .closure, .builtin: out.append("function")
        case .environment: out.append("environment")
        case .list: out.append("list")
        default:
            switch x.atomicType {
            case .double?: out += ["double", "numeric"]
            case .integer?: out += ["integer", "numeric"]
            case .logical?: out.append("logical")
            default: out.append("character")
            }
        }
        return out
    }

    /// Attributes two attribute lists have equally, order aside (R's `identical`).
    static func sameAttributes(_ a: AttributeList?, _ b: AttributeList?) -> Bool {
        let x = a?.pairs ?? [], y = b?.pairs ?? []
        guard x.count == y.count else { return false }
        for p in x {
            guard let q = b?[p.name], Value.identical(p.value, q) else { return false }
        }
        return true
    }
}
