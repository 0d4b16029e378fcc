/// Builtins tied to the evaluator's own machinery: `c`, `list`, `length`, `names`, `class`,
/// `identical`, `invisible`, the operators as functions, indexing as functions, environments.
extension Interpreter {
    static func coreBuiltins() -> [Builtin] {
        var out: [Builtin] = conditionBuiltins() + environmentBuiltins() + languageBuiltins() + optionBuiltins() + vectorizeBuiltins()
        func define(_ name: String, _ formals: [String], _ body: @escaping BuiltinBody) {
            out.append(Builtin(name, formals, body))
        }

        define("c", ["..."]) { args, _ throws(FnError) in
            try Combine.values(args.dots, names: args.dotNames)
        }
        define("list", ["..."]) { args, _ throws(FnError) in
            let named = args.dotNames.contains { $0 != nil }
            return .list(List(args.dots, names: named ? args.dotNames.map { $0 ?? "" } : nil))
        }
        define("length", ["x"]) { args, ip throws(FnError) in
            let x = try args.required(0, "x")
            if case .environment(let e) = x {
                return .integer(Int32(clamping: e.isGlobal ? ip.globalNames.count : e.boundCount))
            }
            return .integer(Int32(clamping: x.length))
        }
        define("names", ["x"]) { args, ip throws(FnError) in
            let x = try args.required(0, "x")
            if case .environment(let e) = x {
                return Value(Vector(.character(e.isGlobal ? ip.globalNames : e.scope?.names.sorted() ?? [])))
            }
            guard let n = x.names else { return .null }
            return Value(Vector(.character(n)))
        }
        define("names<-", ["x", "value"]) { args, _ throws(FnError) in
            var x = try args.required(0, "x")
            let v = args[1] ?? .null
            let names: [String]?
            if case .null = v {
                names = nil
            } else {
                guard let s = v.storage else { throw FnError.runtime("invalid 'names' attribute") }
                let strs = s.strings()
                let n = x.length
                if strs.count > n {
                    throw FnError.runtime("'names' attribute [\(strs.count)] must be the same length as the vector [\(n)]")
                }
                names = (0..<n).map { $0 < strs.count ? (strs[$0] ?? "NA") : "NA" }
            }
            try Attributes.setNames(&x, names)
            try Attributes.namesToDimnames(&x)
            return x
        }
        define("setNames", ["object", "nm"]) { args, _ throws(FnError) in
            var x = args[0] ?? .null
            let v = args[1] ?? .null
            if case .null = v {
                try Attributes.setNames(&x, nil)
            } else {
                let strs = v.storage?.strings() ?? []
                try Attributes.setNames(&x, (0..<x.length).map { $0 < strs.count ? (strs[$0] ?? "NA") : "NA" })
            }
            return x
        }
        define("unname", ["obj"]) { args, _ throws(FnError) in
            var x = try args.required(0, "obj")
            try Attributes.setNames(&x, nil)
            return x
        }
        define("identical", ["x", "y"]) { args, _ throws(FnError) in
            .bool(Value.identical(try args.required(0, "x"), try args.required(1, "y")))
        }
        define("invisible", ["x"]) { args, ip throws(FnError) in
            ip.visible = false
            return args[0] ?? .null
        }
        define("%in%", ["x", "table"]) { args, _ throws(FnError) in
            var x = try args.required(0, "x"), table = try args.required(1, "table")
            // A factor matches by its levels.
            if Factors.isFactor(x) { x = Value(Vector(.character(Factors.labels(x)))) }
            if Factors.isFactor(table) { table = Value(Vector(.character(Factors.labels(table)))) }
            // R's definition: match(x, table, nomatch = 0) > 0.
            return Value(Vector(.logical(try matchPositions(x, table).map { $0 >= 0 ? 1 : 0 })))
        }
        for op in [BinaryOperator.plus, .minus, .times, .divide, .power, .modulo, .intDivide,
                   .less, .greater, .lessEqual, .greaterEqual, .equal, .notEqual, .and, .or, .range] {
            define(op.symbol, ["e1", "e2"]) { args, ip throws(FnError) in
                let a = try args.required(0, "e1")
                guard let b = args[1] else {
                    switch op {
                    case .minus: return try Operators.unary(.minus, a)
                    case .plus: return try Operators.unary(.plus, a)
                    default: throw FnError.runtime("argument \"e2\" is missing, with no default")
                    }
                }
                if let fast = Operators.scalar(op, a, b) { return fast }
                return try Operators.binary(op, a, b, ip)
            }
        }
        define("!", ["x"]) { args, _ throws(FnError) in try Operators.unary(.not, try args.required(0, "x")) }
        define("&&", ["x", "y"]) { args, _ throws(FnError) in
            let a = try args.required(0, "x").storage?.logicals().first ?? NA.logical
            let b = try args.required(1, "y").storage?.logicals().first ?? NA.logical
            if a == 0 || b == 0 { return .logical(0) }
            return .logical(a == NA.logical || b == NA.logical ? NA.logical : 1)
        }
        define("||", ["x", "y"]) { args, _ throws(FnError) in
            let a = try args.required(0, "x").storage?.logicals().first ?? NA.logical
            let b = try args.required(1, "y").storage?.logicals().first ?? NA.logical
            if a == 1 || b == 1 { return .logical(1) }
            return .logical(a == NA.logical || b == NA.logical ? NA.logical : 0)
        }
        define("[", ["x", "...", "drop"]) { args, _ throws(FnError) in
            try Indexing.get(try args.required(0, "x"), args.dots.map { Optional($0) }, double: false,
                             drop: try Unpack.flag(args[2], "drop", default: true))
        }
        define("[[", ["x", "...", "exact"]) { args, _ throws(FnError) in
            try Indexing.get(try args.required(0, "x"), args.dots.map { Optional($0) }, double: true)
        }
        define("$", ["x", "name"]) { args, ip throws(FnError) in
            guard case .character(let n?)? = args[1] else { throw FnError.runtime("invalid subscript type") }
            return try Indexing.dollar(try args.required(0, "x"), n, ip)
        }
        define("[<-", ["x", "...", "value"]) { args, _ throws(FnError) in
            var x = try args.required(0, "x")
            try Indexing.set(&x, args.dots.map { Optional($0) }, double: false, try args.required(2, "value"))
            return x
        }
        define("[[<-", ["x", "...", "value"]) { args, _ throws(FnError) in
            var x = try args.required(0, "x")
            try Indexing.set(&x, args.dots.map { Optional($0) }, double: true, try args.required(2, "value"))
            return x
        }
        define("$<-", ["x", "name", "value"]) { args, _ throws(FnError) in
            var x = try args.required(0, "x")
            guard case .character(let n?)? = args[1] else { throw FnError.runtime("invalid subscript type") }
            try Indexing.setDollar(&x, n, try args.required(2, "value"))
            return x
        }
        define("force", ["x"]) { args, _ throws(FnError) in try args.required(0, "x") }
        define("identity", ["x"]) { args, _ throws(FnError) in try args.required(0, "x") }
        define("typeof", ["x"]) { args, _ throws(FnError) in .character(try args.required(0, "x").typeName) }
        define("remaining_time_ms", []) { _, ip throws(FnError) in
            guard case .double(let deadline)? = ip.invocation["deadline_ms"] else { return .double(NA.double) }
            return .double(max(0, (deadline - Clock.nowMilliseconds()).rounded()))
        }
        return out
    }
}

/// `c()`: R's combination rules (types promoted, lists absorb everything, names composed;
/// every other attribute dropped).
enum Combine {
    static func values(_ parts: [Value], names argNames: [String?]) throws(FnError) -> Value {
        var anyList = false
        var type = AtomicType.logical
        var anyNames = false
        var total = 0
        for (i, p) in parts.enumerated() {
            switch p {
            case .null: continue
            case .list: anyList = true
            case .closure, .builtin, .environment, .symbol, .language: anyList = true
            default: if let t = p.atomicType, t > type { type = t }
            }
            if argNames[i] != nil || p.names != nil { anyNames = true }
            total += p.length
        }
        // Only NULLs make NULL: c(numeric(0)) is numeric(0). An empty result has no names.
        if total == 0 && !anyList && parts.allSatisfy({ $0.isNull }) { return .null }
        if total == 0 { anyNames = false }
        try Limits.checkLength(Double(total))
        var names: [String] = []
        if anyNames {
            names.reserveCapacity(total)
            for (i, p) in parts.enumerated() {
                if case .null = p { continue }
                let n = p.length
                let inner = p.names
                let outer = argNames[i]
                if case .closure = p { names.append(outer ?? ""); continue }
                if case .builtin = p { names.append(outer ?? ""); continue }
                for k in 0..<n {
                    let e = inner?[k] ?? ""
                    if let outer, !outer.isEmpty {
                        if n == 1 && e.isEmpty { names.append(outer) }
                        else if e.isEmpty { names.append("\(outer)\(k + 1)") }
                        else { names.append("\(outer).\(e)") }
                    } else {
                        names.append(e)
                    }
                }
            }
        }
        if anyList {
            var elements: [Value] = []
            elements.reserveCapacity(total)
            for p in parts {
                switch p {
                case .null: continue
                case .list(let l): elements.append(contentsOf: l.elements)
                case .closure, .builtin, .environment, .symbol, .language: elements.append(p)
                default:
                    if let s = p.storage { for k in 0..<s.count { elements.append(s.element(k)) } }
                }
            }
            return .list(List(elements, names: anyNames ? names : nil))
        }
        var storage = Storage.empty(type)
        switch type {
        case .logical:
            var a: [Int8] = []; a.reserveCapacity(total)
            for p in parts { if let s = p.storage { a.append(contentsOf: s.logicals()) } }
            storage = .logical(a)
        case .integer:
            var a: [Int32] = []; a.reserveCapacity(total)
            for p in parts { if let s = p.storage { a.append(contentsOf: s.integers()) } }
            storage = .integer(a)
        case .double:
            var a: [Double] = []; a.reserveCapacity(total)
            for p in parts {
                switch p {
                case .double(let d): a.append(d)
                default: if let s = p.storage { a.append(contentsOf: s.doubles()) }
                }
            }
            storage = .double(a)
        case .character:
            var a: [String?] = []; a.reserveCapacity(total)
            for p in parts { if let s = p.storage { a.append(contentsOf: s.strings()) } }
            storage = .character(a)
        }
        return Value(Vector(storage, names: anyNames ? names : nil))
    }
}

extension Value {
    /// R's `identical()`: same type, same elements (NA equal to NA), same attributes in any order.
    public static func identical(_ a: Value, _ b: Value) -> Bool {
        if a.names != b.names || !Attributes.sameAttributes(a.attributes, b.attributes) { return false }
        switch (a, b) {
        case (.null, .null): return true
        case (.symbol(let x), .symbol(let y)): return x == y
        case (.language(let x), .language(let y)):
            guard x.elements.count == y.elements.count, x.names == y.names, x.classes == y.classes else { return false }
            for i in x.elements.indices where !identical(x.elements[i], y.elements[i]) { return false }
            return true
        case (.list(let x), .list(let y)):
            guard x.count == y.count else { return false }
            for i in 0..<x.count where !identical(x.elements[i], y.elements[i]) { return false }
            return true
        case (.closure(let x), .closure(let y)): return x === y
        case (.builtin(let x), .builtin(let y)): return x === y
        case (.environment(let x), .environment(let y)): return x === y
        default:
            guard let s = a.storage, let t = b.storage, s.type == t.type, s.count == t.count else { return false }
            switch (s, t) {
            case (.double(let x), .double(let y)):
                for i in 0..<x.count {
                    if x[i].isNaN || y[i].isNaN {
                        if NA.isNA(x[i]) != NA.isNA(y[i]) || x[i].isNaN != y[i].isNaN { return false }
                    } else if x[i] != y[i] { return false }
                }
                return true
            case (.logical(let x), .logical(let y)): return x == y
            case (.integer(let x), .integer(let y)): return x == y
            case (.character(let x), .character(let y)): return x == y
            default: return false
            }
        }
    }
}
