/// `Vectorize(FUN, vectorize.args, SIMPLIFY, USE.NAMES)`: a function that calls `FUN` once per
/// element of the arguments named in `vectorize.args` (all of FUN's formals but `...` by
/// default), through `mapply`, the other arguments passed whole.
extension Interpreter {
    static func vectorizeBuiltins() -> [Builtin] {
        [
            Builtin("Vectorize", ["FUN", "vectorize.args", "SIMPLIFY", "USE.NAMES"]) { args, ip throws(FnError) in
                let f = try args.required(0, "FUN")
                let formals: [String]
                switch f {
                case .closure(let c): formals = c.parameterNames
                case .builtin(let b): formals = b.formals
                default: throw FnError.runtime("'FUN' must be a function")
                }
                let vectorized = try args[1].map { v throws(FnError) in (v.storage?.strings() ?? []).map { $0 ?? "NA" } }
                    ?? formals.filter { $0 != "..." }
                for name in vectorized where !formals.contains(name) {
                    throw FnError.runtime("must specify names of formal arguments for 'vectorize'")
                }
                let simplify = args[2] ?? .true_
                let useNames = args[3] ?? .true_
                if vectorized.isEmpty { return f }
                return .builtin(Builtin("vectorized", ["..."]) { callArgs, ip throws(FnError) in
                    try ip.callVectorized(f, formals, vectorized, callArgs, simplify: simplify, useNames: useNames)
                })
            },
        ]
    }

    /// One call of a `Vectorize`d function: its arguments matched to FUN's formals, the vectorized
    /// ones given to `mapply` element by element, the rest as `MoreArgs`.
    func callVectorized(
        _ f: Value, _ formals: [String], _ vectorized: [String], _ args: Arguments, simplify: Value, useNames: Value
    ) throws(FnError) -> Value {
        // Match as R would: exact names first, then positions in formal order.
        var matched: [String: Value] = [:]
        var order: [String] = []
        var positional: [Value] = []
        for (i, v) in args.dots.enumerated() {
            if let n = args.dotNames[i], formals.contains(n) {
                matched[n] = v
                order.append(n)
            } else {
                positional.append(v)
            }
        }
        var rest: [(String?, Value)] = []
        for name in formals where matched[name] == nil && name != "..." {
            guard !positional.isEmpty else { break }
            matched[name] = positional.removeFirst()
            order.append(name)
        }
        rest = positional.map { (nil, $0) }
        var mapArgs: [Value] = [f]
        var mapNames: [String?] = [nil]
        var more: [Value] = []
        var moreNames: [String] = []
        for name in order {
            guard let v = matched[name] else { continue }
            if vectorized.contains(name) {
                mapArgs.append(v)
                mapNames.append(name)
            } else {
                more.append(v)
                moreNames.append(name)
            }
        }
        for (n, v) in rest {
            more.append(v)
            moreNames.append(n ?? "")
        }
        // No vectorized argument given: a plain call.
        if mapArgs.count == 1 {
            return try callFunction(f, more, names: moreNames.map { $0.isEmpty ? nil : $0 })
        }
        guard case .builtin(let mapply)? = global("mapply") else { throw FnError.runtime("could not find function \"mapply\"") }
        mapArgs += [.list(List(more, names: moreNames.isEmpty ? nil : moreNames)), simplify, useNames]
        mapNames += ["MoreArgs", "SIMPLIFY", "USE.NAMES"]
        return try callFunction(.builtin(mapply), mapArgs, names: mapNames)
    }
}
