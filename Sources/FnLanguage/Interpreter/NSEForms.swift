/// The data-frame idioms that read their arguments as code: `subset`, `transform`, and `table`'s
/// labels from its argument names. Each is resolved as a special form (see `resolveLanguageForm`)
/// and evaluates its expressions with the data frame's columns as variables, enclosed by the
/// calling environment, as R's methods for data frames do.

extension BuiltinRegistry {
    /// `subset` and `transform` called with evaluated arguments (`do.call(subset, ...)`); a direct
    /// call is the special form above.
    mutating func registerNSE() {
        define("subset", ["x", "subset", "select", "drop", "..."]) { args, _ throws(FnError) in
            try NSE.subset(try args.required(0, "x"), rows: args[1], select: args[2], drop: args[3])
        }
        define("transform", ["_data", "..."]) { args, _ throws(FnError) in
            var values: [(String, Value)] = []
            for (i, v) in args.dots.enumerated() {
                guard let n = args.dotNames[i], !n.isEmpty else { throw FnError.runtime("transform(): every column must be named") }
                values.append((n, v))
            }
            return try NSE.transform(try args.required(0, "_data"), values)
        }
    }
}

extension Resolver {
    /// `subset`, `transform` and `table` as special forms; nil leaves the call an ordinary one.
    ///
    /// Each form runs only while `name` still finds fn's own builtin; a function of that name
    /// defined by the program gets an ordinary call.
    mutating func resolveNSEForm(_ name: String, _ args: [Argument], _ e: Expr) -> Node? {
        guard let form = resolveNSEFormBody(name, args, e) else { return nil }
        let lookup = FunctionLookupNode(location: readLocation(name), name: name, span: e.span)
        let fallback = makeCall(FunctionLookupNode(location: readLocation(name), name: name, span: e.span),
                                resolveArguments(args), e)
        return GuardedFormNode(lookup: lookup, builtinName: name, form: form, fallback: fallback, span: e.span)
    }

    private mutating func resolveNSEFormBody(_ name: String, _ args: [Argument], _ e: Expr) -> Node? {
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

/// A special form that stands in for a builtin: the form while `name` finds the builtin, else
/// an ordinary call of whatever function the program bound to `name`.
final class GuardedFormNode: Node {
    let lookup: Node
    let builtinName: String
    let form: Node
    let fallback: Node
    init(lookup: Node, builtinName: String, form: Node, fallback: Node, span: Span) {
        self.lookup = lookup
        self.builtinName = builtinName
        self.form = form
        self.fallback = fallback
        super.init(span: span)
    }
    override func eval(_ ip: Interpreter) throws(Control) -> Value {
        if case .builtin(let b) = try lookup.eval(ip), b.name == builtinName { return try form.eval(ip) }
        return try fallback.eval(ip)
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
        let dropValue = try drop?.eval(ip)
        var rows: Value?, columns: Value?
        if DataFrame.isDataFrame(data), case .list(let l) = data {
            if let condition {
                rows = try ip.evaluate(language: condition, in: NSE.dataEnvironment(l, parent: caller), at: self)
            }
            if let select {
                columns = try ip.evaluate(language: select, in: NSE.positionEnvironment(l.names ?? [], parent: caller), at: self)
            }
        } else {
            if let condition { rows = try ip.evaluate(language: condition, in: caller, at: self) }
            if let select, let d = data.dim, d.count == 2 {
                // A matrix's columns are selected by their names, as a data frame's are.
                columns = try ip.evaluate(language: select, in: NSE.positionEnvironment(NSE.columnNames(data), parent: caller),
                                          at: self)
            }
        }
        ip.visible = true
        do throws(FnError) {
            return try NSE.subset(data, rows: rows, select: columns, drop: dropValue)
        } catch {
            throw ip.locate(error, at: self).control
        }
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
        guard DataFrame.isDataFrame(d), case .list(let l) = d else {
            throw ip.locate(FnError.runtime("transform(): 'data' must be a data frame"), at: self).control
        }
        let e = NSE.dataEnvironment(l, parent: ip.env)
        var values: [(String, Value)] = []
        for (name, expr) in columns { values.append((name, try ip.forced(try ip.evaluate(language: expr, in: e, at: self), at: self))) }
        ip.visible = true
        do throws(FnError) { return try NSE.transform(.list(l), values) } catch { throw ip.locate(error, at: self).control }
    }
}

/// Helpers shared by the data-frame special forms.
enum NSE {
    /// `subset` on evaluated arguments: `rows` a logical vector (NA counts as FALSE), `select`
    /// column positions, names or a mask, `drop` TRUE/FALSE.
    static func subset(_ data: Value, rows: Value?, select: Value?, drop: Value?) throws(FnError) -> Value {
        var dropColumns = false
        if let drop {
            guard case .logical(let b) = drop, b != NA.logical else { throw FnError.runtime("'drop' must be TRUE or FALSE") }
            dropColumns = b == 1
        }
        if DataFrame.isDataFrame(data), case .list(let l) = data {
            let n = DataFrame.rowCount(data)
            var result = DataFrame.selectRows(data, try rows.map { (r: Value) throws(FnError) in try keep(r, n) } ?? Array(0..<n))
            if let select {
                let columns = try columnPositions(select, names: l.names ?? [])
                result = selectColumns(result, columns)
                if dropColumns, columns.count == 1, case .list(let r) = result { return r.elements[0] }
            }
            return result
        }
        if let d = data.dim, d.count == 2 {
            // subset(matrix): rows where the condition holds, columns by select; drop = FALSE keeps a matrix.
            let keptRows = try rows.map { (r: Value) throws(FnError) in try keep(r, d[0]) } ?? Array(0..<d[0])
            let keptColumns = try select.map { (c: Value) throws(FnError) in try columnPositions(c, names: columnNames(data)) }
                ?? Array(0..<d[1])
            let index: [Value?] = [Value(Vector(.integer(keptRows.map { Int32($0 + 1) }))),
                                   Value(Vector(.integer(keptColumns.map { Int32($0 + 1) })))]
            return try Indexing.get(data, index, double: false, drop: dropColumns)
        }
        switch data {
        case .vector, .list, .null, .logical, .integer, .double, .character: break
        default: throw FnError.runtime("object of type '\(data.typeName)' is not subsettable")
        }
        guard let rows else { return data }
        return DataFrame.selectElements(data, try keep(rows, data.length))
    }

    /// An environment where each column name stands for its position (for `select =`).
    static func positionEnvironment(_ names: [String], parent: Environment) -> Environment {
        let e = Environment(slotCount: 0, parent: parent, scope: FunctionScope(), dynamic: true)
        for (i, name) in names.enumerated() where !name.isEmpty { _ = e.bind(name, .integer(Int32(i + 1))) }
        return e
    }

    /// A matrix's column names ("" where it has none).
    static func columnNames(_ m: Value) -> [String] {
        let count = m.dim.map { $0.count == 2 ? $0[1] : 0 } ?? 0
        if case .list(let dn)? = m.attribute("dimnames"), dn.count == 2, let names = dn.elements[1].storage?.strings() {
            return names.map { $0 ?? "" }
        }
        return Array(repeating: "", count: count)
    }

    /// The positions where the logical `r` (recycled to `n`) is TRUE.
    static func keep(_ r: Value, _ n: Int) throws(FnError) -> [Int] {
        guard r.atomicType == .logical, let s = r.storage else { throw FnError.runtime("'subset' must be logical") }
        let flags = s.logicals()
        if flags.isEmpty { return [] }
        return (0..<n).filter { i in flags[i % flags.count] == 1 }
    }

    /// `transform` on evaluated columns: a name that is a column replaces it, a new one is
    /// appended, values recycled to the rows.
    static func transform(_ data: Value, _ values: [(String, Value)]) throws(FnError) -> Value {
        guard DataFrame.isDataFrame(data), case .list(var l) = data else {
            throw FnError.runtime("transform(): 'data' must be a data frame")
        }
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
        return try fitColumns(.list(l))
    }

    /// A fresh environment with the named elements of `l` as variables, enclosed by `parent`.
    static func dataEnvironment(_ l: List, parent: Environment) -> Environment {
        let e = Environment(slotCount: 0, parent: parent, scope: FunctionScope(), dynamic: true)
        for (i, v) in l.elements.enumerated() {
            if let n = l.names?[i], !n.isEmpty { _ = e.bind(n, v) }
        }
        return e
    }

    /// A data frame whose columns are each recycled to the number of rows, as `[<-.data.frame`
    /// does for a new column (a NULL column is dropped); a column whose length does not divide
    /// the number of rows is R's error.
    static func fitColumns(_ df: Value) throws(FnError) -> Value {
        guard case .list(var l) = df else { return df }
        let n = DataFrame.rowCount(df)
        // A variable set to NULL (within(df, b <- NULL)) removes the column.
        if l.elements.contains(where: \.isNull), let names = l.names {
            let kept = l.elements.indices.filter { !l.elements[$0].isNull }
            l.elements = kept.map { l.elements[$0] }
            l.names = kept.map { names[$0] }
        }
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
