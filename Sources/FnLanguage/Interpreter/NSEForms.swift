/// The data-frame idioms that read their arguments as code: `subset`, `transform`, and `table`'s
/// labels from its argument names. Each is resolved as a special form (see `resolveLanguageForm`)
/// and evaluates its expressions with the data frame's columns as variables, enclosed by the
/// calling environment, as R's methods for data frames do.

extension Resolver {
    /// `subset`, `transform` and `table` as special forms; nil leaves the call an ordinary one.
    mutating func resolveNSEForm(_ name: String, _ args: [Argument], _ e: Expr) -> Node? {
        let span = e.span
        switch name {
        case "subset":
            // subset(x, subset, select, drop = FALSE, ...): the first unnamed argument is x.
            var x: Expr?, condition: Expr?, select: Expr?, drop: Expr?
            var positional: [Expr] = []
            for a in args {
                guard let v = a.value else { continue }
                switch a.name {
                case "x": x = v
                case "subset": condition = v
                case "select": select = v
                case "drop": drop = v
                case nil: positional.append(v)
                default: return nil
                }
            }
            for v in positional {
                if x == nil { x = v } else if condition == nil { condition = v } else if select == nil { select = v } else { return nil }
            }
            guard let x else { return nil }
            return SubsetNode(x: resolve(x), condition: condition.map(Language.value(of:)),
                              select: select.map(Language.value(of:)), drop: drop.map { resolve($0) }, span: span)
        case "transform":
            // transform(`_data`, name = expr, ...): the first unnamed argument is the data.
            guard let k = args.firstIndex(where: { $0.name == nil || $0.name == "_data" }), let data = args[k].value
            else { return nil }
            var columns: [(String, Value)] = []
            for (i, a) in args.enumerated() where a.value != nil && i != k {
                guard let n = a.name, let v = a.value else { return nil }
                columns.append((n, Language.value(of: v)))
            }
            return TransformNode(data: resolve(data), columns: columns, span: span)
        case "table":
            // table(a, b) labels its dimensions "a" and "b" (R's deparse.level = 1): a bare name
            // passed unnamed becomes the argument's name, which table() uses as the label.
            let rewritten = args.map { a -> CallArgument in
                if a.name == nil, let v = a.value, case .identifier(let n) = v.kind, n != "..." {
                    return CallArgument(name: n, value: resolve(v), isDots: false, expression: v)
                }
                return CallArgument(name: a.name, value: a.value.map { resolve($0) }, isDots: false, expression: a.value)
            }
            guard !args.contains(where: { a in a.value.map { if case .identifier("...") = $0.kind { true } else { false } } ?? false })
            else { return nil }
            let callee = FunctionLookupNode(location: readLocation("table"), name: "table", span: span)
            return makeCall(callee, rewritten, e)
        default:
            return nil
        }
    }
}

/// `subset(x, subset, select, drop)`: for a data frame, the rows where `subset` (evaluated with the
/// columns as variables) is TRUE — NA counts as FALSE — and the columns `select` names, evaluated
/// with each column name bound to its position (so `c(a, b)`, `-c(a)`, `a:c` and `"a"` work); for
/// a vector, the elements where `subset` is TRUE.
final class SubsetNode: Node {
    let x: Node
    let condition: Value?
    let select: Value?
    let drop: Node?
    init(x: Node, condition: Value?, select: Value?, drop: Node?, span: Span) {
        self.x = x
        self.condition = condition
        self.select = select
        self.drop = drop
        super.init(span: span)
    }

    override func eval(_ ip: Interpreter) throws(Control) -> Value {
        let data = try x.eval(ip)
        let caller = ip.env
        var dropColumns = false
        if let drop {
            let d = try drop.eval(ip)
            guard case .logical(let b) = d, b != NA.logical else {
                throw ip.locate(FnError.runtime("'drop' must be TRUE or FALSE"), at: self).control
            }
            dropColumns = b == 1
        }
        if DataFrame.isDataFrame(data), case .list(let l) = data {
            let n = DataFrame.rowCount(data)
            var rows = Array(0..<n)
            if let condition {
                let e = NSE.dataEnvironment(l, parent: caller)
                let r = try ip.evaluate(language: condition, in: e, at: self)
                rows = try keep(r, n, ip)
            }
            var result = DataFrame.selectRows(data, rows)
            if let select {
                let names = l.names ?? []
                let scope = FunctionScope()
                let e = Environment(slotCount: 0, parent: caller, scope: scope, dynamic: true)
                for (i, name) in names.enumerated() where !name.isEmpty { _ = e.bind(name, .integer(Int32(i + 1))) }
                let chosen = try ip.evaluate(language: select, in: e, at: self)
                let columns: [Int]
                do throws(FnError) { columns = try NSE.columnPositions(chosen, names: names) } catch {
                    throw ip.locate(error, at: self).control
                }
                result = NSE.selectColumns(result, columns)
                if dropColumns, columns.count == 1, case .list(let r) = result { return r.elements[0] }
            }
            ip.visible = true
            return result
        }
        switch data {
        case .vector, .list, .null: break
        default: throw ip.locate(FnError.runtime("object of type '\(data.typeName)' is not subsettable"), at: self).control
        }
        guard let condition else { return data }
        let r = try ip.evaluate(language: condition, in: caller, at: self)
        let rows = try keep(r, data.length, ip)
        ip.visible = true
        return DataFrame.selectElements(data, rows)
    }

    /// The positions where the logical `r` (recycled to `n`) is TRUE.
    private func keep(_ r: Value, _ n: Int, _ ip: Interpreter) throws(Control) -> [Int] {
        guard r.atomicType == .logical, let s = r.storage else {
            throw ip.locate(FnError.runtime("'subset' must be logical"), at: self).control
        }
        let flags = s.logicals()
        if flags.isEmpty { return [] }
        return (0..<Swift.max(n, flags.count)).filter { i in i < n && flags[i % flags.count] == 1 }
    }
}

/// `transform(data, name = expr, ...)`: every `expr` evaluated with the original columns as
/// variables; a name that is a column replaces it, a new name is appended, in argument order.
final class TransformNode: Node {
    let data: Node
    let columns: [(String, Value)]
    init(data: Node, columns: [(String, Value)], span: Span) {
        self.data = data
        self.columns = columns
        super.init(span: span)
    }

    override func eval(_ ip: Interpreter) throws(Control) -> Value {
        let d = try data.eval(ip)
        guard DataFrame.isDataFrame(d), case .list(var l) = d else {
            throw ip.locate(FnError.runtime("transform(): 'data' must be a data frame"), at: self).control
        }
        let e = NSE.dataEnvironment(l, parent: ip.env)
        var values: [(String, Value)] = []
        for (name, expr) in columns { values.append((name, try ip.forced(try ip.evaluate(language: expr, in: e, at: self), at: self))) }
        var names = l.names ?? []
        for (name, v) in values {
            if let i = names.firstIndex(of: name) {
                l.elements[i] = v
            } else {
                l.elements.append(v)
                names.append(name)
            }
        }
        l.names = names
        ip.visible = true
        do throws(FnError) { return try NSE.fitColumns(.list(l)) } catch { throw ip.locate(error, at: self).control }
    }
}

/// Helpers shared by the data-frame special forms.
enum NSE {
    /// A fresh environment with the named elements of `l` as variables, enclosed by `parent`.
    static func dataEnvironment(_ l: List, parent: Environment) -> Environment {
        let e = Environment(slotCount: 0, parent: parent, scope: FunctionScope(), dynamic: true)
        for (i, v) in l.elements.enumerated() {
            if let n = l.names?[i], !n.isEmpty { _ = e.bind(n, v) }
        }
        return e
    }

    /// A data frame whose columns are each recycled to the number of rows, as `[<-.data.frame`
    /// does for a new column; a column whose length does not divide it is R's error.
    static func fitColumns(_ df: Value) throws(FnError) -> Value {
        guard case .list(var l) = df else { return df }
        let n = DataFrame.rowCount(df)
        for (i, column) in l.elements.enumerated() where column.length != n {
            let m = column.length
            guard m > 0, n % m == 0 else {
                throw FnError.runtime("replacement has \(m) row\(m == 1 ? "" : "s"), data has \(n)")
            }
            l.elements[i] = DataFrame.selectElements(column, (0..<n).map { $0 % m })
        }
        return .list(l)
    }

    /// The 0-based columns `select` names: positive positions, negative ones to leave out, names,
    /// or a logical mask.
    static func columnPositions(_ select: Value, names: [String]) throws(FnError) -> [Int] {
        guard let s = select.storage else {
            if select.isNull { return [] }
            throw FnError.runtime("invalid subscript type '\(select.typeName)'")
        }
        switch s.type {
        case .character:
            return try s.strings().map { (name: String?) throws(FnError) -> Int in
                guard let name, let i = names.firstIndex(of: name) else { throw FnError.runtime("undefined columns selected") }
                return i
            }
        case .logical:
            let flags = s.logicals()
            guard !flags.isEmpty else { return [] }
            return names.indices.filter { flags[$0 % flags.count] == 1 }
        default:
            let positions = s.doubles().map { Int($0) }.filter { $0 != 0 }
            if positions.allSatisfy({ $0 < 0 }) {
                let left = Set(positions.map { -$0 - 1 })
                return names.indices.filter { !left.contains($0) }
            }
            guard positions.allSatisfy({ $0 > 0 }) else {
                throw FnError.runtime("can't mix positive and negative subscripts")
            }
            guard positions.allSatisfy({ $0 <= names.count }) else { throw FnError.runtime("undefined columns selected") }
            return positions.map { $0 - 1 }
        }
    }

    /// The columns `columns` (0-based) of a data frame, keeping its class and row names.
    static func selectColumns(_ df: Value, _ columns: [Int]) -> Value {
        guard case .list(var l) = df else { return df }
        let names = l.names ?? []
        l.elements = columns.map { l.elements[$0] }
        l.names = columns.map { names.indices.contains($0) ? names[$0] : "" }
        return .list(l)
    }
}
