/// Higher-order functions: `lapply`, `sapply`, `vapply`, `mapply`, `Map`, `Filter`, `Reduce`,
/// `Find`, `Position`, `do.call`.
extension BuiltinRegistry {
    mutating func registerFunctional() {
        define("lapply", ["X", "FUN", "..."]) { args, ip throws(FnError) in
            let x = try args.required(0, "X")
            let f = try Unpack.function(try args.required(1, "FUN"), ip)
            let results = try applyEach(x, f, args, ip)
            return .list(List(results, names: x.names))
        }
        define("sapply", ["X", "FUN", "...", "simplify", "USE.NAMES"]) { args, ip throws(FnError) in
            let x = try args.required(0, "X")
            let f = try Unpack.function(try args.required(1, "FUN"), ip)
            let simplify = try Unpack.flag(args[3], "simplify", default: true)
            let useNames = try Unpack.flag(args[4], "USE.NAMES", default: true)
            let results = try applyEach(x, f, args, ip)
            let names = resultNames(x, useNames: useNames)
            return simplify ? simplified(results, names: names) : .list(List(results, names: names))
        }
        define("vapply", ["X", "FUN", "FUN.VALUE", "...", "USE.NAMES"]) { args, ip throws(FnError) in
            let x = try args.required(0, "X")
            let f = try Unpack.function(try args.required(1, "FUN"), ip)
            let template = try args.required(2, "FUN.VALUE")
            let useNames = try Unpack.flag(args[4], "USE.NAMES", default: true)
            let results = try applyEach(x, f, args, ip)
            return try vapplyResult(results, template: template, names: resultNames(x, useNames: useNames))
        }
        define("mapply", ["FUN", "...", "MoreArgs", "SIMPLIFY", "USE.NAMES"]) { args, ip throws(FnError) in
            let f = try Unpack.function(try args.required(0, "FUN"), ip)
            let simplify = try Unpack.flag(args[3], "SIMPLIFY", default: true)
            let useNames = try Unpack.flag(args[4], "USE.NAMES", default: true)
            let (results, names) = try mapply(f, args.dots, args.dotNames, moreArgs: args[2], useNames: useNames, ip)
            return simplify ? simplified(results, names: names) : .list(List(results, names: names))
        }
        define("Map", ["f", "..."]) { args, ip throws(FnError) in
            let f = try Unpack.function(try args.required(0, "f"), ip, "f")
            let (results, names) = try mapply(f, args.dots, args.dotNames, moreArgs: nil, useNames: true, ip)
            return .list(List(results, names: names))
        }
        define("Filter", ["f", "x"]) { args, ip throws(FnError) in
            let f = try Unpack.function(try args.required(0, "f"), ip, "f")
            let x = try args.required(1, "x")
            var keep: [Int] = []
            for (i, e) in Unpack.elements(x).enumerated() where try truthy(try ip.callFunction(f, [e], names: [nil])) {
                keep.append(i)
            }
            return x.gathered(keep)
        }
        define("Find", ["f", "x", "right", "nomatch"]) { args, ip throws(FnError) in
            let f = try Unpack.function(try args.required(0, "f"), ip, "f")
            let right = try Unpack.flag(args[2], "right", default: false)
            let items = Unpack.elements(try args.required(1, "x"))
            for e in right ? Array(items.reversed()) : items where try truthy(try ip.callFunction(f, [e], names: [nil])) {
                return e
            }
            return args[3] ?? .null
        }
        define("Position", ["f", "x", "right", "nomatch"]) { args, ip throws(FnError) in
            let f = try Unpack.function(try args.required(0, "f"), ip, "f")
            let right = try Unpack.flag(args[2], "right", default: false)
            let items = Unpack.elements(try args.required(1, "x"))
            let order = right ? Array(items.indices.reversed()) : Array(items.indices)
            for i in order where try truthy(try ip.callFunction(f, [items[i]], names: [nil])) {
                return .integer(Int32(i + 1))
            }
            return args[3] ?? .integer(NA.integer)
        }
        define("Reduce", ["f", "x", "init", "right", "accumulate", "simplify"]) { args, ip throws(FnError) in
            try reduce(args, ip)
        }
        define("do.call", ["what", "args", "quote", "envir"]) { args, ip throws(FnError) in
            let f = try Unpack.function(try args.required(0, "what"), ip, "what")
            let list = args[1] ?? .list(List([]))
            let values: [Value]
            let names: [String?]
            switch list {
            case .list(let l):
                values = l.elements
                names = (l.names ?? Array(repeating: "", count: l.count)).map { $0.isEmpty ? nil : $0 }
            case .null:
                values = []
                names = []
            default:
                guard list.atomicType != nil else { throw FnError.runtime("second argument must be a list") }
                values = Unpack.elements(list)
                names = list.names.map { $0.map { $0.isEmpty ? nil : $0 } } ?? Array(repeating: nil, count: values.count)
            }
            // Without `quote = TRUE`, R builds the call and evaluates it, so names and calls among
            // the arguments are evaluated in `envir`.
            var arguments = values
            if !(try Unpack.flag(args[2], "quote", default: false)) {
                var target = ip.env
                if case .environment(let e)? = args[3] { target = e }
                for i in arguments.indices {
                    switch arguments[i] {
                    case .language(let l) where l.classes != nil:
                        break  // a formula stays itself, as R's `~` returns a classed call unchanged
                    case .symbol, .language:
                        do throws(Control) {
                            arguments[i] = try ip.evaluate(language: arguments[i], in: target, at: nil)
                        } catch {
                            throw ip.asError(error)
                        }
                    default: break
                    }
                }
            }
            return try ip.callFunction(f, arguments, names: names)
        }
    }
}

/// Calls `f(element, ...)` for each element of `x`, passing the builtin's `...` through.
private func applyEach(_ x: Value, _ f: Value, _ args: Arguments, _ ip: Interpreter) throws(FnError) -> [Value] {
    // A call is applied over as the list of its parts, as R's as.list() gives them.
    if case .language(let l) = x { return try applyEach(.list(l.list), f, args, ip) }
    var callArgs: [Value] = [.null] + args.dots
    let names: [String?] = [nil] + args.dotNames
    var results: [Value] = []
    results.reserveCapacity(x.length)
    if case .list(let l) = x {
        for e in l.elements {
            callArgs[0] = e
            results.append(try ip.callFunction(f, callArgs, names: names))
        }
        return results
    }
    if Time.isTimed(x) {
        // Dates and date-times are applied over as R's as.list() gives them: each keeps its class.
        for e in Time.elements(x) {
            callArgs[0] = e
            results.append(try ip.callFunction(f, callArgs, names: names))
        }
        return results
    }
    if let s = x.storage {
        for i in 0..<s.count {
            callArgs[0] = s.element(i)
            results.append(try ip.callFunction(f, callArgs, names: names))
        }
        return results
    }
    if x.isNull { return [] }
    throw FnError.runtime("'X' must be a vector or list")
}

/// Names for `sapply`/`vapply` results: X's names, or X itself when it is an unnamed character vector.
private func resultNames(_ x: Value, useNames: Bool) -> [String]? {
    guard useNames else { return nil }
    if let n = x.names { return n }
    if x.atomicType == .character, let s = x.storage { return s.strings().map { $0 ?? "NA" } }
    return nil
}

/// sapply's simplification (R's `simplify2array`): all results length 1 become one vector, all
/// of one length k > 1 a k-row matrix; otherwise the list is kept.
func simplified(_ results: [Value], names: [String]?) -> Value {
    if results.isEmpty { return .list(List([])) }
    for r in results where r.length != 1 {
        let k = r.length
        if k > 1, results.allSatisfy({ $0.length == k }),
            let m = try? Matrix.simplifyToMatrix(results, names: names)
        {
            return m
        }
        return .list(List(results, names: names))
    }
    if results.allSatisfy({ $0.atomicType != nil }) {
        return unlist(List(results, names: names), useNames: true)
    }
    // Length-1 lists: drop one level, as unlist(recursive = FALSE) does.
    let inner: [Value] = results.map { r in
        if case .list(let l) = r { return l.elements[0] }
        return r
    }
    return .list(List(inner, names: names))
}

private func vapplyResult(_ results: [Value], template: Value, names: [String]?) throws(FnError) -> Value {
    let n = template.length
    let templateType = template.atomicType
    for (i, r) in results.enumerated() {
        if r.length != n {
            throw FnError.runtime("values must be length \(n),\n but FUN(X[[\(i + 1)]]) result is length \(r.length)")
        }
        let ok: Bool
        switch (templateType, r.atomicType) {
        case (nil, _): ok = { if case .list = r { return true } else { return false } }()
        case (let t?, let u?): ok = u <= t && !(t == .character && u != .character)
        default: ok = false
        }
        if !ok {
            throw FnError.runtime("values must be type '\(template.typeName)',\n but FUN(X[[\(i + 1)]]) result is type '\(r.typeName)'")
        }
    }
    guard let type = templateType else { return .list(List(results, names: names)) }
    if n != 1 {
        if n == 0 || results.isEmpty { return .list(List(results, names: names)) }
        let rows = template.names ?? results[0].names
        let storage = Unpack.combine(results, as: type)
        var attributes = AttributeList([("dim", Value(Vector(.integer([Int32(n), Int32(results.count)]))))])
        if rows != nil || names != nil {
            attributes["dimnames"] = .list(List([rows.map { Value(Vector(.character($0))) } ?? .null,
                                                 names.map { Value(Vector(.character($0))) } ?? .null]))
        }
        return .vector(Vector(storage, names: nil, attributes: attributes))
    }
    let storage = Unpack.combine(results, as: type)
    if results.isEmpty { return Value(Vector(Storage.empty(type), names: names == nil ? nil : [])) }
    // Inner names are used only when X gives none, as R does.
    let resultNames = names ?? {
        guard results.contains(where: { $0.names != nil }) else { return nil }
        return results.map { $0.names?.first ?? "" }
    }()
    return Value(storage, names: resultNames)
}

private func mapply(
    _ f: Value, _ dots: [Value], _ dotNames: [String?], moreArgs: Value?, useNames: Bool, _ ip: Interpreter
) throws(FnError) -> ([Value], [String]?) {
    let columns = dots.map { Time.isTimed($0) ? Time.elements($0) : Unpack.elements($0) }
    let n = columns.contains { $0.isEmpty } ? 0 : (columns.map(\.count).max() ?? 0)
    var extra: [Value] = [], extraNames: [String?] = []
    if let moreArgs, case .list(let l) = moreArgs {
        extra = l.elements
        extraNames = (l.names ?? Array(repeating: "", count: l.count)).map { $0.isEmpty ? nil : $0 }
    }
    var results: [Value] = []
    results.reserveCapacity(n)
    for i in 0..<n {
        let callArgs = columns.map { $0[i % $0.count] } + extra
        results.append(try ip.callFunction(f, callArgs, names: dotNames + extraNames))
    }
    var names: [String]? = nil
    if useNames, let first = dots.first {
        if let nm = first.names {
            names = nm
        } else if first.atomicType == .character, let s = first.storage {
            names = s.strings().map { $0 ?? "NA" }
        }
        if let nm = names, nm.count != n { names = nil }
    }
    return (results, names)
}

/// A predicate's result as R's `Filter` reads it: TRUE counts, FALSE and NA do not.
private func truthy(_ v: Value) throws(FnError) -> Bool {
    if case .logical(let b) = v { return b == 1 }
    guard let s = v.storage, s.count >= 1 else { return false }
    return s.logicals()[0] == 1
}

private func reduce(_ args: Arguments, _ ip: Interpreter) throws(FnError) -> Value {
    let f = try Unpack.function(try args.required(0, "f"), ip, "f")
    let right = try Unpack.flag(args[3], "right", default: false)
    let accumulate = try Unpack.flag(args[4], "accumulate", default: false)
    let simplify = try Unpack.flag(args[5], "simplify", default: true)
    var items = Unpack.elements(try args.required(1, "x"))
    if let initial = args[2] {
        if right { items.append(initial) } else { items.insert(initial, at: 0) }
    }
    if items.isEmpty { return accumulate ? .list(List([])) : .null }
    var steps: [Value] = []
    if right {
        var acc = items[items.count - 1]
        if accumulate { steps.append(acc) }
        for i in stride(from: items.count - 2, through: 0, by: -1) {
            acc = try ip.callFunction(f, [items[i], acc], names: [nil, nil])
            if accumulate { steps.append(acc) }
        }
        if !accumulate { return acc }
        steps.reverse()
    } else {
        var acc = items[0]
        if accumulate { steps.append(acc) }
        for i in 1..<items.count {
            acc = try ip.callFunction(f, [acc, items[i]], names: [nil, nil])
            if accumulate { steps.append(acc) }
        }
        if !accumulate { return acc }
    }
    return simplify ? simplified(steps, names: nil) : .list(List(steps))
}
