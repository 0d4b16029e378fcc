/// `merge` of two data frames on key columns, and `rbind`/`cbind` of data frames.
///
/// `merge` pairs every row of `x` with every row of `y` whose keys are equal (NA keys match each
/// other, as in R), in the order of `x`'s rows; unmatched rows follow when `all.x`/`all.y` ask for
/// them. With `sort = TRUE` the result is ordered by the key: by its value for one key column, by
/// the keys pasted together as strings for several (R's order), stably.
extension BuiltinRegistry {
    mutating func registerMerge() {
        define("merge", ["x", "y", "by", "by.x", "by.y", "all", "all.x", "all.y", "sort", "suffixes"]) { args, _ throws(FnError) in
            let x = try args.required(0, "x"), y = try args.required(1, "y")
            guard DataFrame.isDataFrame(x), DataFrame.isDataFrame(y) else {
                throw FnError.runtime("merge in fn takes two data frames")
            }
            let xNames = x.names ?? [], yNames = y.names ?? []
            let by = try args[2].map { v throws(FnError) in try DataFrame.keyNames(v, xNames) }
                ?? xNames.filter { yNames.contains($0) }
            let byX = try args[3].map { v throws(FnError) in try DataFrame.keyNames(v, xNames) } ?? by
            let byY = try args[4].map { v throws(FnError) in try DataFrame.keyNames(v, yNames) } ?? by
            guard byX.count == byY.count else { throw FnError.runtime("'by.x' and 'by.y' specify different numbers of columns") }
            let all = try Unpack.flag(args[5], "all", default: false)
            let allX = try Unpack.flag(args[6], "all.x", default: all)
            let allY = try Unpack.flag(args[7], "all.y", default: all)
            let sort = try Unpack.flag(args[8], "sort", default: true)
            let suffixes = args[9]?.storage?.strings().map { $0 ?? "NA" } ?? [".x", ".y"]
            guard suffixes.count == 2 else { throw FnError.runtime("'suffixes' must be a character vector of length 2") }
            return try DataFrame.merge(x, y, byX, byY, allX: allX, allY: allY, sort: sort, suffixes: suffixes)
        }
        for (name, byColumn) in [("cbind.data.frame", true), ("rbind.data.frame", false)] {
            define(name, ["...", "deparse.level", "stringsAsFactors"]) { args, ip throws(FnError) in
                try DataFrame.bind(args, byColumn: byColumn, ip)
            }
        }
    }
}

extension DataFrame {
    /// `cbind`/`rbind` when an argument is a data frame: `cbind` is `data.frame(..., check.names =
    /// FALSE)`, `rbind` binds rows.
    static func bind(_ args: Arguments, byColumn: Bool, _ ip: Interpreter) throws(FnError) -> Value {
        if byColumn {
            let exprs = argumentExpressions(ip, args.dots.count, formals: ["deparse.level", "stringsAsFactors"],
                                            callee: ["cbind", "cbind.data.frame"])
            let parts = args.dots.enumerated().map { k, v in Part(value: v, name: args.dotNames[k], expression: exprs[k]) }
            return try build(parts, rowNames: nil, checkNames: false, stringsAsFactors: false)
        }
        return try bindRows(args.dots, names: args.dotNames)
    }

    /// Key columns given by name or position.
    static func keyNames(_ v: Value, _ names: [String]) throws(FnError) -> [String] {
        guard let s = v.storage else { return [] }
        if s.type == .character {
            let keys = s.strings().map { $0 ?? "NA" }
            for k in keys where !names.contains(k) { throw FnError.runtime("'by' must specify a uniquely valid column") }
            return keys
        }
        return try s.doubles().map { d throws(FnError) in
            guard d >= 1, Int(d) <= names.count else { throw FnError.runtime("'by' must match numbers of columns") }
            return names[Int(d) - 1]
        }
    }

    static func column(_ x: Value, named name: String) -> Value {
        guard case .list(let l) = x, let k = l.names?.firstIndex(of: name) else { return .null }
        return l.elements[k]
    }

    /// The key of each row: its key columns' values as one string.
    static func mergeKeys(_ x: Value, _ by: [String]) -> [String] {
        let n = rowCount(x)
        var keys = [String](repeating: "", count: n)
        for (k, b) in by.enumerated() {
            let c = column(x, named: b)
            let cells: [String?] = Factors.isFactor(c) ? Factors.labels(c) : (c.storage?.strings() ?? [])
            for i in 0..<n { keys[i] += (k > 0 ? "\r" : "") + (cells[i] ?? "NA") }
        }
        return keys
    }

    static func merge(_ x: Value, _ y: Value, _ byX: [String], _ byY: [String], allX: Bool, allY: Bool, sort: Bool,
                      suffixes: [String]) throws(FnError) -> Value
    {
        let kx = mergeKeys(x, byX), ky = mergeKeys(y, byY)
        var yRows: [String: [Int]] = [:]
        for (j, k) in ky.enumerated() { yRows[k, default: []].append(j) }
        var pairs: [(Int, Int)] = []
        var matchedY = Set<Int>()
        var unmatchedX: [Int] = []
        for (i, k) in kx.enumerated() {
            if let js = yRows[k] {
                for j in js { pairs.append((i, j)); matchedY.insert(j) }
            } else {
                unmatchedX.append(i)
            }
        }
        if byX.isEmpty {
            // No key: the cross product with x varying fastest, as R's merge gives it.
            pairs = ky.indices.flatMap { j in kx.indices.map { ($0, j) } }
        } else if sort && !(allX || allY) {
            let keyValues = byX.count == 1 ? column(x, named: byX[0]) : Value(Vector(.character(kx.map { Optional($0) })))
            let order = sortOrder([selectElements(plainKey(keyValues), pairs.map { $0.0 })])
            pairs = order.map { pairs[$0] }
        }
        var rows = pairs.map { (Optional($0.0), Optional($0.1)) }
        if allX { rows += unmatchedX.map { (Optional($0), nil) } }
        if allY { rows += ky.indices.filter { !matchedY.contains($0) }.map { (nil, Optional($0)) } }
        // Columns: the keys (from x, or y for y-only rows), the rest of x, the rest of y.
        let xi = rows.map { $0.0 ?? -1 }, yi = rows.map { $0.1 ?? -1 }
        var columns: [Value] = [], names: [String] = []
        for (k, b) in byX.enumerated() {
            var c = gatherRows(column(x, named: b), xi)
            let fromY = gatherRows(column(y, named: byY[k]), yi)
            let missing = rows.indices.filter { rows[$0].0 == nil }
            if !missing.isEmpty {
                c = try fill(c, missing, from: fromY)
            }
            columns.append(c)
            names.append(b)
        }
        let restX = (x.names ?? []).filter { !byX.contains($0) }, restY = (y.names ?? []).filter { !byY.contains($0) }
        for n in restX {
            columns.append(gatherRows(column(x, named: n), xi))
            names.append(restY.contains(n) ? n + suffixes[0] : n)
        }
        for n in restY {
            columns.append(gatherRows(column(y, named: n), yi))
            names.append(restX.contains(n) ? n + suffixes[1] : n)
        }
        if sort && (allX || allY) && !byX.isEmpty {
            let keyColumns = Array(columns.prefix(byX.count))
            let pasted = mergeKeys(make(keyColumns, names: byX), byX)
            let order = sortOrder(byX.count == 1 ? keyColumns.map(plainKey) : [Value(Vector(.character(pasted)))])
            columns = columns.map { selectElements($0, order) }
        }
        // R's sorted merge leaves row.names before class (it reorders the rows).
        let result = make(columns, names: names)
        return sort ? classLast(result) : result
    }

    /// Factors compare by their labels as keys.
    private static func plainKey(_ v: Value) -> Value {
        Factors.isFactor(v) ? Value(Vector(.character(Factors.labels(v)))) : v
    }

    /// Elements at `rows`, -1 giving NA (a factor stays a factor).
    static func gatherRows(_ c: Value, _ rows: [Int]) -> Value {
        guard let s = c.storage, case .vector(var vec) = c else {
            if case .list(let l) = c { return .list(List(rows.map { $0 < 0 ? .null : l.elements[$0] })) }
            return c
        }
        vec.storage = s.gathered(rows)
        vec.names = nil
        return .vector(vec)
    }

    /// `c` with the elements at `positions` taken from `other`.
    private static func fill(_ c: Value, _ positions: [Int], from other: Value) throws(FnError) -> Value {
        var out = Factors.isFactor(c) ? Value(Vector(.character(Factors.labels(c)))) : c
        let source = Factors.isFactor(other) ? Value(Vector(.character(Factors.labels(other)))) : other
        try Indexing.set(&out, [Value(Vector(.integer(positions.map { Int32($0 + 1) })))], double: false,
                         selectElements(source, positions))
        if Factors.isFactor(c) {
            let levels = Factors.levels(c) + Factors.levels(other).filter { !Factors.levels(c).contains($0) }
            let codes = (out.storage?.strings() ?? []).map { s in
                s.flatMap { levels.firstIndex(of: $0) }.map { Int32($0 + 1) } ?? NA.integer
            }
            return Factors.make(codes, levels, names: nil, ordered: false)
        }
        return out
    }

    /// A stable order of rows by the given key columns, NA last (R's `order`); strings in code
    /// point order.
    static func sortOrder(_ keys: [Value]) -> [Int] {
        order(keys.compactMap(\.storage), decreasing: false, naLast: true) { p, q in
            p == q ? 0 : (p.unicodeScalars.lexicographicallyPrecedes(q.unicodeScalars, by: { $0.value < $1.value }) ? -1 : 1)
        }
    }

    /// Row names `1:n` (not a subset's numbers or strings).
    static func hasAutomaticRowNames(_ x: Value) -> Bool {
        guard let r = x.attribute("row.names"), r.atomicType == .integer, let s = r.storage else { return false }
        return s.integers().elementsEqual((0..<s.count).map { Int32($0 + 1) })
    }

    /// `rbind` of data frames, lists and vectors: columns matched by name when the pieces are
    /// named frames, factors keep (and extend) their levels, row names as R gives them.
    static func bindRows(_ pieces: [Value], names argNames: [String?]?) throws(FnError) -> Value {
        let frames = pieces.filter { !$0.isNull && !(isDataFrame($0) && $0.length == 0) }
        guard let template = frames.first(where: isDataFrame) ?? frames.first else { return .null }
        let columnNames = template.names ?? (0..<template.length).map { "V" + String($0 + 1) }
        let nc = columnNames.count
        var columnParts = [[Value]](repeating: [], count: nc)
        var labels: [String] = []
        var automatic = true
        for (index, p) in pieces.enumerated() where !p.isNull && !(isDataFrame(p) && p.length == 0) {
            let argName = argNames.flatMap { index < $0.count ? $0[index] : nil }.flatMap { $0.isEmpty ? nil : $0 }
            if isDataFrame(p) {
                guard p.length == nc else {
                    throw FnError.runtime("numbers of columns of arguments do not match")
                }
                let pn = p.names ?? []
                guard case .list(let l) = p else { continue }
                guard Set(pn) == Set(columnNames) else { throw FnError.runtime("names do not match previous names") }
                for (k, n) in columnNames.enumerated() {
                    columnParts[k].append(l.elements[pn.firstIndex(of: n) ?? k])
                }
                if !hasAutomaticRowNames(p) || argName != nil { automatic = false }
                let own = rowLabels(p)
                // A named argument names its rows: "a" for one row, "a.1", "a.2" for several.
                labels += argName.map { n in own.count == 1 ? [n] : own.map { n + "." + $0 } } ?? own
            } else {
                let values: [Value]
                if case .list(let l) = p { values = l.elements } else { values = (0..<p.length).map { p.storage?.element($0) ?? .null } }
                guard !values.isEmpty else { continue }
                for k in 0..<nc { columnParts[k].append(values[k % values.count]) }
                labels.append(argName ?? String(labels.count + 1))
                if argName != nil { automatic = false }
            }
        }
        var columns: [Value] = []
        for parts in columnParts {
            if let first = parts.first, Factors.isFactor(first) {
                var levels: [String] = []
                for p in parts {
                    for l in (Factors.isFactor(p) ? Factors.levels(p) : Factors.strings(p).compactMap { $0 })
                    where !levels.contains(l) { levels.append(l) }
                }
                let codes = parts.flatMap { Factors.strings($0) }.map { s in
                    s.flatMap { levels.firstIndex(of: $0) }.map { Int32($0 + 1) } ?? NA.integer
                }
                columns.append(Factors.make(codes, levels, names: nil, ordered: Factors.isOrdered(first)))
                continue
            }
            let plain = parts.map { p -> Value in
                if Factors.isFactor(p) { return Value(Vector(.character(Factors.labels(p)))) }
                if case .vector(var vec) = p { vec.names = nil; return .vector(vec) }
                return p
            }
            var c = try Combine.values(plain, names: plain.map { _ in nil })
            if let first = parts.first, first.classAttribute != nil, !Factors.isFactor(first) {
                try Attributes.set(&c, "class", first.attribute("class") ?? .null)
            }
            columns.append(c)
        }
        let result = make(columns, names: columnNames, rowNames: automatic ? nil : uniqueRowNames(labels))
        // R's binding of data frames leaves row.names before class; of lists alone, after.
        return frames.contains(where: isDataFrame) ? classLast(result) : result
    }
}
