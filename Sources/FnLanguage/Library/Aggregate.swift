/// `aggregate`: a summary of columns per group, as a data frame sorted by the groups (the first
/// grouping variable varying fastest), in both of R's forms:
///
///     aggregate(y ~ g1 + g2, data = df, FUN = mean)   # also cbind(y1, y2) ~ g and . ~ g
///     aggregate(df$y, by = list(g = df$g), FUN = sum)
extension BuiltinRegistry {
    mutating func registerAggregate() {
        define("aggregate", ["x", "data", "FUN", "...", "by", "subset", "na.action", "simplify", "drop"]) {
            args, ip throws(FnError) in
            let x = try args.required(0, "x")
            guard let funArg = args[2] else { throw FnError.runtime("argument \"FUN\" is missing, with no default") }
            let f = try Unpack.function(funArg, ip)
            if case .language(let formula) = x, formula.classes?.contains("formula") == true {
                guard let data = args[1] else { throw FnError.runtime("'data' missing") }
                return try Aggregate.formula(formula, data: data, f, args, ip)
            }
            guard let by = args[4] ?? args[1] else { throw FnError.runtime("'by' must be a list") }
            guard case .list(let groups) = by else { throw FnError.runtime("'by' must be a list") }
            var values: [(String, Value)]
            if DataFrame.isDataFrame(x), case .list(let l) = x {
                values = Array(zip(l.names ?? [], l.elements))
            } else if case .list(let l) = x {
                values = l.elements.enumerated().map { (i, v) in (l.names?[i] ?? "V\(i + 1)", v) }
            } else {
                values = [("x", x)]
            }
            let groupNames = groups.elements.indices.map { i in
                let n = groups.names?[i] ?? ""
                return n.isEmpty ? "Group.\(i + 1)" : n
            }
            return try Aggregate.frame(values, groups: Array(zip(groupNames, groups.elements)), f, args, ip)
        }
    }
}

enum Aggregate {
    /// `aggregate(lhs ~ rhs, data, FUN)`: the variables named by the formula, rows with an NA in
    /// any of them left out (R's `na.omit`), then the `by` form.
    static func formula(_ formula: Language, data: Value, _ f: Value, _ args: Arguments, _ ip: Interpreter) throws(FnError) -> Value {
        guard formula.elements.count == 3 else { throw FnError.runtime("'formula' missing or incorrect") }
        guard case .list(let l) = data else { throw FnError.runtime("'data' must be a data.frame") }
        let columns = l.names ?? []
        let lhsTerms = leftTerms(formula.elements[1])
        let rhsTerms = rightTerms(formula.elements[2])
        let lhsNames = lhsTerms.map(name(of:)), rhsNames = rhsTerms.map(name(of:))
        func expand(_ terms: [Value], other: [String]) -> [Value] {
            terms.flatMap { t -> [Value] in
                if case .symbol(".") = t { return columns.filter { !other.contains($0) }.map { Value.symbol($0) } }
                return [t]
            }
        }
        let lhs = expand(lhsTerms, other: rhsNames), rhs = expand(rhsTerms, other: lhsNames)
        let e = NSE.dataEnvironment(l, parent: formula.environment ?? ip.env)
        func evaluate(_ t: Value) throws(FnError) -> (String, Value) {
            do {
                return (name(of: t), try ip.forced(try ip.evaluate(language: t, in: e, at: nil), at: nil))
            } catch {
                throw ip.asError(error)
            }
        }
        var values = try lhs.map { (t: Value) throws(FnError) -> (String, Value) in try evaluate(t) }
        var groups = try rhs.map { (t: Value) throws(FnError) -> (String, Value) in try evaluate(t) }
        let n = values.first?.1.length ?? 0
        var isComplete = [Bool](repeating: true, count: n)
        for (_, v) in values + groups {
            guard let s = v.storage else { continue }
            for i in 0..<min(n, s.count) where s.isNA(i) { isComplete[i] = false }
        }
        let complete = (0..<n).filter { isComplete[$0] }
        if complete.count < n {
            values = values.map { ($0.0, DataFrame.selectElements($0.1, complete)) }
            groups = groups.map { ($0.0, DataFrame.selectElements($0.1, complete)) }
        }
        return try frame(values, groups: groups, f, args, ip)
    }

    /// The parts of `cbind(a, b)`, or the one term.
    static func leftTerms(_ v: Value) -> [Value] {
        if case .language(let l) = v, l.functionName == "cbind" { return Array(l.elements.dropFirst()) }
        return [v]
    }

    /// The terms of `a + b + c`.
    static func rightTerms(_ v: Value) -> [Value] {
        if case .language(let l) = v, l.functionName == "+", l.elements.count == 3 {
            return rightTerms(l.elements[1]) + rightTerms(l.elements[2])
        }
        return [v]
    }

    static func name(of v: Value) -> String {
        if case .symbol(let s) = v { return s }
        return Language.deparseLines(v).joined()
    }

    /// The `by` form: one row per combination of groups that occurs, sorted with the first group
    /// varying fastest; the group columns hold the groups' own values, each value column `FUN` of
    /// its rows (one vector when every result is a single value, otherwise a list column).
    static func frame(_ values: [(String, Value)], groups: [(String, Value)], _ f: Value, _ args: Arguments,
                      _ ip: Interpreter) throws(FnError) -> Value {
        let n = values.first?.1.length ?? 0
        guard !groups.isEmpty else { throw FnError.runtime("'by' must be a list") }
        guard groups.allSatisfy({ $0.1.length == n }) else { throw FnError.runtime("arguments must have same length") }
        let factors = try groups.map { (g: (String, Value)) throws(FnError) -> FactorGroups in try Grouping.groups(g.1, drop: false) }
        var members: [Int: [Int]] = [:]
        for (i, key) in Grouping.cells(factors, rows: n).enumerated() where key >= 0 { members[key, default: []].append(i) }
        let cells = members.keys.sorted().map { members[$0]! }
        var columns: [Value] = groups.map { DataFrame.selectElements($0.1, cells.map { $0[0] }) }
        var names = groups.map(\.0)
        for (name, v) in values {
            var results: [Value] = []
            for rows in cells {
                results.append(try ip.callFunction(f, [DataFrame.selectElements(v, rows)] + args.dots, names: [nil] + args.dotNames))
            }
            if results.allSatisfy({ $0.length == 1 && $0.atomicType != nil }) {
                let type = results.compactMap(\.atomicType).max() ?? .logical
                columns.append(Value(Vector(Unpack.combine(results, as: type))))
            } else if let k = results.first?.length, k > 1,
                      results.allSatisfy({ $0.length == k && $0.atomicType != nil }) {
                // Several values per group: a matrix column, one row per group (R's simplify).
                columns.append(matrixColumn(results, width: k))
            } else {
                columns.append(.list(List(results)))
            }
            names.append(name)
        }
        return DataFrame.make(columns, names: names)
    }

    /// The results as the rows of a matrix (column names from the first result's names).
    static func matrixColumn(_ results: [Value], width k: Int) -> Value {
        let type = results.compactMap(\.atomicType).max() ?? .logical
        let byRow = Unpack.combine(results, as: type)
        let n = results.count
        let storage = byRow.gathered((0..<(n * k)).map { j in (j % n) * k + j / n })
        var pairs: [(name: String, value: Value)] = [("dim", Value(Vector(.integer([Int32(n), Int32(k)]))))]
        if let names = results[0].names {
            pairs.append(("dimnames", .list(List([.null, Value(Vector(.character(names)))]))))
        }
        return .vector(Vector(storage, names: nil, attributes: AttributeList(pairs)))
    }
}
