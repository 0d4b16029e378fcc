/// `[`, `[[`, `$<-` and the other replacement forms on data frames, as R's `[.data.frame` and
/// friends: rows by position, negative position, name, logical (recycled) or NA; columns by
/// position or name; one column drops to a vector unless `drop = FALSE`.
extension BuiltinRegistry {
    mutating func registerDataFrameIndexing() {
        define("[.data.frame", ["x", "...", "drop"]) { args, _ throws(FnError) in
            let x = try args.required(0, "x")
            let idx = args.dots
            switch idx.count {
            case 0: return x
            case 1:
                if DataFrame.isEmptyIndex(idx[0]) { return x }
                if let m = DataFrame.logicalMatrixIndex(x, idx[0]) {
                    // `df[is.na(df)]`: the selected cells, column by column.
                    guard case .list(let l) = x else { return .null }
                    var parts: [Value] = []
                    for (j, c) in l.elements.enumerated() {
                        parts.append(DataFrame.selectElements(Factors.isFactor(c) ? Value(Vector(.character(Factors.labels(c)))) : c,
                                                              m[j].indices.filter { m[j][$0] }))
                    }
                    return try Combine.values(parts, names: parts.map { _ in nil })
                }
                return DataFrame.classLast(try DataFrame.selectColumns(x, try DataFrame.columnPositions(x, idx[0])))
            case 2:
                let nr = DataFrame.rowCount(x)
                let columnsMissing = DataFrame.isEmptyIndex(idx[1])
                var out = x
                if !columnsMissing { out = try DataFrame.selectColumns(x, try DataFrame.columnPositions(x, idx[1])) }
                let rowsMissing = DataFrame.isEmptyIndex(idx[0])
                if !rowsMissing {
                    out = DataFrame.classLast(DataFrame.selectRowsOrNA(out, try DataFrame.rowPositions(x, idx[0], count: nr)))
                }
                let ncol = out.length
                let drop = try Unpack.flag(args[2], "drop", default: ncol == 1)
                if drop && ncol == 1, case .list(let l) = out { return l.elements[0] }
                if drop && args[2] != nil && DataFrame.rowCount(out) == 1, case .list(let l) = out {
                    return .list(List(l.elements, names: l.names))
                }
                return out
            default:
                throw FnError.runtime("unused argument")
            }
        }
        define("[[.data.frame", ["x", "...", "exact"]) { args, _ throws(FnError) in
            let x = try args.required(0, "x")
            guard case .list(let l) = x else { return .null }
            let idx = args.dots
            if idx.count == 2 {
                let j = try DataFrame.columnPositions(x, idx[1])
                guard j.count == 1 else { throw FnError.runtime("subscript out of bounds") }
                let i = try DataFrame.rowPositions(x, idx[0], count: DataFrame.rowCount(x))
                guard i.count == 1, i[0] >= 0 else { throw FnError.runtime("subscript out of bounds") }
                var cell = DataFrame.selectElements(l.elements[j[0]], i)
                if case .vector(var v) = cell, !Factors.isFactor(cell) { v.names = nil; cell = Value(v) }
                return cell
            }
            guard idx.count == 1 else { throw FnError.runtime("incorrect number of subscripts") }
            return try Indexing.get(.list(List(l.elements, names: l.names)), [idx[0]], double: true)
        }
        define("$<-.data.frame", ["x", "name", "value"]) { args, _ throws(FnError) in
            let x = try args.required(0, "x")
            let name = try Unpack.string(args[1], "name")
            return DataFrame.classLast(try DataFrame.settingColumn(x, name, args[2] ?? .null))
        }
        define("[[<-.data.frame", ["x", "...", "value"]) { args, ip throws(FnError) in
            let x = DataFrame.classLast(try args.required(0, "x"))
            let value = args[2] ?? .null
            let idx = args.dots
            if idx.count == 2 {
                return try DataFrame.assign(x, rows: idx[0], columns: idx[1], value, ip)
            }
            guard idx.count == 1 else { throw FnError.runtime("incorrect number of subscripts") }
            if idx[0].atomicType == .character, case .character(let name?) = idx[0] {
                return try DataFrame.settingColumn(x, name, value)
            }
            let j = try DataFrame.columnPositions(x, idx[0], assigning: true)
            guard j.count == 1 else { throw FnError.runtime("subscript out of bounds") }
            let names = x.names ?? []
            return try DataFrame.settingColumn(x, j[0] < names.count ? names[j[0]] : "V" + String(j[0] + 1), value)
        }
        define("[<-.data.frame", ["x", "...", "value"]) { args, ip throws(FnError) in
            let original = try args.required(0, "x")
            let x = DataFrame.classLast(original)
            let value = args[2] ?? .null
            let idx = args.dots
            switch idx.count {
            case 1:
                if DataFrame.isEmptyIndex(idx[0]) {
                    return try DataFrame.assign(x, rows: DataFrame.emptyIndex, columns: DataFrame.emptyIndex, value, ip)
                }
                if let m = DataFrame.logicalMatrixIndex(x, idx[0]) {
                    // R leaves the attributes in place when no cell is selected.
                    return try DataFrame.assignCells(m.joined().contains(true) ? x : original, m, value, ip)
                }
                return try DataFrame.assign(x, rows: DataFrame.emptyIndex, columns: idx[0], value, ip)
            case 2:
                return try DataFrame.assign(x, rows: idx[0], columns: idx[1], value, ip)
            default:
                throw FnError.runtime("unused argument")
            }
        }
    }
}

extension DataFrame {
    /// The 0-based columns an index selects; "undefined columns selected" for any outside.
    static func columnPositions(_ x: Value, _ j: Value, assigning: Bool = false) throws(FnError) -> [Int] {
        let names = x.names ?? []
        if isEmptyIndex(j) { return Array(names.indices) }
        let index = Factors.isFactor(j) ? Value(Vector(.character(Factors.labels(j)))) : j
        let (pos, _) = try Indexing.positions(index, count: names.count, names: names, assigning: assigning)
        if !assigning, pos.contains(where: { $0 < 0 || $0 >= names.count }) {
            throw FnError.runtime("undefined columns selected")
        }
        return pos
    }

    /// The 0-based rows an index selects: -1 for NA or an unknown name, `count` or more past the end.
    static func rowPositions(_ x: Value, _ i: Value, count n: Int) throws(FnError) -> [Int] {
        if isEmptyIndex(i) { return Array(0..<n) }
        if Factors.isFactor(i) || i.atomicType == .character {
            let labels = rowLabels(x)
            return Factors.strings(i).map { s in s.flatMap { labels.firstIndex(of: $0) } ?? -1 }
        }
        let (pos, _) = try Indexing.positions(i, count: n, names: nil, assigning: false)
        return pos
    }

    /// The columns at `positions`, names made unique as R's `[.data.frame` does.
    static func selectColumns(_ x: Value, _ positions: [Int]) throws(FnError) -> Value {
        guard case .list(var l) = x else { return x }
        let names = l.names ?? []
        l.elements = positions.map { l.elements[$0] }
        l.names = makeUnique(positions.map { names[$0] }, sep: ".")
        return .list(l)
    }

    /// Rows by 0-based position, where -1 or a position past the end gives a row of NA named "NA".
    static func selectRowsOrNA(_ x: Value, _ rows: [Int]) -> Value {
        let n = rowCount(x)
        if rows.allSatisfy({ $0 >= 0 && $0 < n }) { return selectRows(x, rows) }
        guard case .list(var l) = x else { return x }
        let safe = rows.map { $0 >= 0 && $0 < n ? $0 : -1 }
        l.elements = l.elements.map { c in
            if case .list(var inner) = c {
                inner.elements = safe.map { $0 < 0 ? .null : inner.elements[$0] }
                return .list(inner)
            }
            guard let s = c.storage, case .vector(var vec) = c else { return c }
            vec.storage = s.gathered(safe)
            vec.names = nil
            return .vector(vec)
        }
        let labels = rowLabels(x)
        let picked = safe.map { $0 < 0 ? "NA" : labels[$0] }
        setAttribute(&l.attributes, "row.names", .vector(Vector(.character(uniqueRowNames(picked)))))
        return .list(l)
    }

    /// A logical matrix or data frame of the frame's shape used as one index (`df[is.na(df)]`),
    /// as one selection per column.
    static func logicalMatrixIndex(_ x: Value, _ i: Value) -> [[Bool]]? {
        let nr = rowCount(x), nc = x.length
        if isDataFrame(i), case .list(let l) = i, l.count == nc, rowCount(i) == nr {
            var out: [[Bool]] = []
            for c in l.elements {
                guard let s = c.storage, s.type == .logical else { return nil }
                out.append(s.logicals().map { $0 == 1 })
            }
            return out
        }
        guard let d = i.dim, d == [nr, nc], let s = i.storage, s.type == .logical else { return nil }
        let b = s.logicals()
        return (0..<nc).map { j in (0..<nr).map { b[j * nr + $0] == 1 } }
    }

    /// `df$name <- value`: a column recycled to the rows, or removed by NULL.
    static func settingColumn(_ x: Value, _ name: String, _ value: Value) throws(FnError) -> Value {
        guard case .list(var l) = x else { return x }
        var names = l.names ?? []
        let k = names.firstIndex(of: name)
        if value.isNull {
            if let k {
                l.elements.remove(at: k)
                names.remove(at: k)
                l.names = names
            }
            return .list(l)
        }
        let nr = rowCount(x)
        var column = value
        if isDataFrame(value), case .list(let v) = value, v.count >= 1 { column = v.elements[0] }
        let n = column.length
        if n != nr {
            guard n > 0, n < nr, nr % n == 0 else {
                throw FnError.runtime("replacement has \(n) row\(n == 1 ? "" : "s"), data has \(nr)")
            }
            column = selectElements(column, (0..<nr).map { $0 % n })
        }
        if case .vector(var vec) = column, vec.names != nil, !Factors.isFactor(column) {
            vec.names = nil
            column = .vector(vec)
        }
        if let k {
            l.elements[k] = column
        } else {
            l.elements.append(column)
            names.append(name)
            l.names = names
        }
        return .list(l)
    }

    /// `df[i, j] <- value`: cells of existing or new rows and columns; a list or data frame value
    /// gives one column each, an atomic value fills the cells column by column.
    static func assign(_ x: Value, rows i: Value, columns j: Value, _ value: Value, _ ip: Interpreter)
        throws(FnError) -> Value
    {
        guard case .list(var l) = x else { return x }
        var names = l.names ?? []
        let nr = rowCount(x)
        let cols = try columnPositions(x, j, assigning: true)
        if value.isNull {
            guard isEmptyIndex(i) else { throw FnError.runtime("replacement has length zero") }
            let drop = Set(cols)
            l.elements = l.elements.indices.filter { !drop.contains($0) }.map { l.elements[$0] }
            l.names = names.indices.filter { !drop.contains($0) }.map { names[$0] }
            return .list(l)
        }
        // Rows: names not among the row names add rows with those names.
        var rows: [Int]
        var newLabels: [String] = []
        var labels = rowLabels(x)
        var automatic = rowNames(x) == nil
        if !isEmptyIndex(i), i.atomicType == .character {
            rows = []
            for s in Factors.strings(i) {
                let key = s ?? "NA"
                if let p = labels.firstIndex(of: key) { rows.append(p); continue }
                if let q = newLabels.firstIndex(of: key) { rows.append(nr + q); continue }
                newLabels.append(key)
                rows.append(nr + newLabels.count - 1)
            }
            if !newLabels.isEmpty { automatic = false }
            labels += newLabels
        } else {
            rows = try rowPositions(x, i, count: nr)
            rows = rows.filter { $0 >= 0 }
        }
        let newCount = max(nr, (rows.max() ?? -1) + 1)
        if newCount > labels.count {
            labels += (labels.count..<newCount).map { String($0 + 1) }
        }
        // The value's columns.
        let m = rows.count
        var pieces: [Value] = []
        if case .list(let v) = value {
            guard v.count > 0 else { throw FnError.runtime("replacement has length zero") }
            pieces = (0..<cols.count).map { v.elements[$0 % v.count] }
        } else {
            let n = value.length
            guard n > 0 else { throw FnError.runtime("replacement has length zero") }
            let total = m * cols.count
            if total > 0 && (total % n != 0 || n > total) {
                throw FnError.runtime("replacement has \(n) items, need \(total)")
            }
            pieces = (0..<cols.count).map { k in
                n == 1 ? value : selectElements(value, (0..<m).map { (k * m + $0) % n })
            }
        }
        for (k, c) in cols.enumerated() {
            var column: Value
            if c < l.elements.count {
                column = l.elements[c]
            } else {
                let type = pieces[k].atomicType ?? .logical
                column = Value(Vector(Storage.empty(type).gathered([Int](repeating: -1, count: nr))))
                if c >= names.count {
                    names.append(j.atomicType == .character ? (Factors.strings(j)[k] ?? "NA") : "V" + String(c + 1))
                }
                l.elements.append(column)
            }
            var piece = pieces[k]
            if Factors.isFactor(piece) && !Factors.isFactor(column) {
                piece = Value(Vector(.character(Factors.labels(piece))))
            }
            if case .vector(var vec) = piece, vec.names != nil { vec.names = nil; piece = .vector(vec) }
            let position = Value(Vector(.integer(rows.map { Int32($0 + 1) })))
            if isEmptyIndex(i) && nr > 0 && (piece.length == nr || nr % max(piece.length, 1) == 0) {
                // `df[, j] <- v` and `df[] <- list(...)` replace whole columns, as in R.
                column = piece.length == nr ? piece : selectElements(piece, (0..<nr).map { $0 % piece.length })
            } else if Factors.isFactor(column), let setter = Dispatch.internalDefault(ip, "[<-.factor") {
                column = try ip.callFunction(.builtin(setter), [column, position, piece], names: [nil, nil, "value"])
            } else {
                try Indexing.set(&column, [position], double: false, piece)
            }
            if column.length < newCount {
                try Indexing.set(&column, [Value(Vector(.integer([Int32(newCount)])))], double: false,
                                 selectElements(column, [-1]))
            }
            l.elements[c] = column
        }
        // Columns not assigned are padded with NA to the new rows.
        if newCount > nr {
            for c in l.elements.indices where l.elements[c].length < newCount {
                var column = l.elements[c]
                try Indexing.set(&column, [Value(Vector(.integer([Int32(newCount)])))], double: false,
                                 selectElements(column, [-1]))
                l.elements[c] = column
            }
            if automatic, case .integer? = x.attribute("row.names")?.atomicType, rowNames(x) == nil,
                x.attribute("row.names")?.storage?.integers() == (0..<nr).map({ Int32($0 + 1) })
            {
                setAttribute(&l.attributes, "row.names", rowNamesValue(nil, count: newCount))
            } else {
                setAttribute(&l.attributes, "row.names", .vector(Vector(.character(labels))))
            }
        }
        l.names = names
        return .list(l)
    }

    /// `df[m] <- value` for a logical matrix `m`: the selected cells, column by column.
    static func assignCells(_ x: Value, _ m: [[Bool]], _ value: Value, _ ip: Interpreter) throws(FnError) -> Value {
        guard case .list(var l) = x else { return x }
        let n = value.length
        guard n > 0 else { throw FnError.runtime("replacement has length zero") }
        var used = 0
        for (j, selected) in m.enumerated() {
            let rows = selected.indices.filter { selected[$0] }
            if rows.isEmpty { continue }
            let piece = selectElements(value, rows.indices.map { (used + $0) % n })
            used += rows.count
            var column = l.elements[j]
            let position = Value(Vector(.integer(rows.map { Int32($0 + 1) })))
            if Factors.isFactor(column), let setter = Dispatch.internalDefault(ip, "[<-.factor") {
                column = try ip.callFunction(.builtin(setter), [column, position, piece], names: [nil, nil, "value"])
            } else {
                try Indexing.set(&column, [position], double: false, piece)
            }
            l.elements[j] = column
        }
        return .list(l)
    }
}
