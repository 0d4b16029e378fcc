/// `replace(x, list, values)`: `x` with `x[list] <- values` applied, by the `[<-` rules.
extension BuiltinRegistry {
    mutating func registerReplace() {
        define("replace", ["x", "list", "values"]) { args, ip throws(FnError) in
            let x = try args.required(0, "x")
            let index = try args.required(1, "list")
            let values = try args.required(2, "values")
            // The builtin itself, as R's replace calls base `[<-` whatever the caller's scope defines.
            guard let id = ip.symbolIDs["[<-"], let assign = ip.base[id] else {
                throw FnError.runtime("could not find function \"[<-\"")
            }
            return try ip.callFunction(assign, [x, index, values], names: [nil, nil, "value"])
        }
    }
}
