/// The group generics on data frames, as R's `Ops.data.frame`, `Math.data.frame` and
/// `Summary.data.frame`: arithmetic column by column giving a data frame (`df * 2`, `df + df`,
/// `-df`), comparisons giving a logical matrix (`df == 0`), `round(df, 1)` and the other math
/// functions on numeric columns, and `sum(df)`, `max(df)`, `range(df)` over every cell.
extension BuiltinRegistry {
    mutating func registerDataFrameOps() {
        define("Ops.data.frame", ["e1", "e2"]) { args, ip throws(FnError) in
            let generic = try DataFrame.currentGeneric(ip)
            let e1 = try args.required(0, "e1")
            guard let op = Dispatch.internalDefault(ip, generic) else { throw FnError.runtime("could not find \(generic)") }
            let frame = DataFrame.isDataFrame(e1) ? e1 : (args[1] ?? e1)
            guard case .list(var l) = frame else { return .null }
            let nr = DataFrame.rowCount(frame)
            var results: [Value] = []
            for j in l.elements.indices {
                var operands = [DataFrame.operand(e1, column: j, rows: nr)]
                if let e2 = args[1] { operands.append(DataFrame.operand(e2, column: j, rows: nr)) }
                results.append(try ip.callFunction(.builtin(op), operands, names: operands.map { _ in nil }))
            }
            if ["==", "!=", "<", ">", "<=", ">=", "&", "|", "!"].contains(generic) {
                let cells = results.flatMap { $0.storage?.logicals() ?? [] }
                let rn = DataFrame.hasAutomaticRowNames(frame) ? Value.null
                    : Value(Vector(.character(DataFrame.rowLabels(frame))))
                return Matrix.make(.logical(cells), nr, l.count, dimnames: [rn, Value(Vector(.character(l.names ?? [])))])
            }
            l.elements = results
            return .list(l)
        }
        define("Math.data.frame", ["x", "..."]) { args, ip throws(FnError) in
            let generic = try DataFrame.currentGeneric(ip)
            guard case .list(var l) = try args.required(0, "x"), let f = Dispatch.internalDefault(ip, generic) else {
                return .null
            }
            let bad = l.elements.indices.filter { k in
                Factors.isFactor(l.elements[k]) || !(l.elements[k].atomicType.map { $0 != .character } ?? false)
            }
            if !bad.isEmpty {
                let names = l.names ?? []
                throw FnError.runtime("non-numeric-alike variable(s) in data frame: "
                                      + bad.map { names[$0] }.joined(separator: ", "))
            }
            l.elements = try l.elements.map { c throws(FnError) in
                try ip.callFunction(.builtin(f), [c] + args.dots, names: [nil] + args.dotNames)
            }
            // R's Math method rebuilds the frame: row.names before class.
            return DataFrame.classLast(.list(l))
        }
        define("Summary.data.frame", ["...", "na.rm"]) { args, ip throws(FnError) in
            let generic = try DataFrame.currentGeneric(ip)
            guard let f = Dispatch.internalDefault(ip, generic) else { throw FnError.runtime("could not find \(generic)") }
            var values = args.dots.map { DataFrame.isDataFrame($0) ? DataFrame.matrix($0) : $0 }
            var names = args.dotNames
            if let naRm = args[1] { values.append(naRm); names.append("na.rm") }
            return try ip.callFunction(.builtin(f), values, names: names)
        }
    }
}

extension DataFrame {
    /// The generic a group method was called for (`.Generic`).
    static func currentGeneric(_ ip: Interpreter) throws(FnError) -> String {
        let id = ip.symbol(".Generic")
        guard id < ip.base.count, case .character(let name?)? = ip.base[id] else {
            throw FnError.runtime("group method called without a generic")
        }
        return name
    }

    /// Column `j` of a data frame operand, or the cells of an atomic operand that fall in that
    /// column when it is recycled over the whole frame (R's column-major recycling).
    static func operand(_ v: Value, column j: Int, rows nr: Int) -> Value {
        if isDataFrame(v), case .list(let l) = v { return j < l.count ? l.elements[j] : .null }
        let n = v.length
        if n <= 1 || nr == 0 { return v }
        return selectElements(v, (0..<nr).map { (j * nr + $0) % n })
    }
}
