/// R's data frame as fn holds it: a list of equal-length columns with `names`, the attribute
/// `class = "data.frame"` and then `row.names`, in that order (R's `attributes()` order).
///
/// Automatic row names are the integers `1:n` (R stores them compactly as `c(NA, -n)` but shows
/// them as `1:n` everywhere a program can look); given row names are a character vector.
/// Every piece of fn that makes or reads data frames goes through here, so the representation is
/// decided in one place.
public enum DataFrame {
    /// A data frame of `columns` named `names`; `rowNames` nil gives automatic row names.
    public static func make(_ columns: [Value], names: [String], rowNames: [String]? = nil,
                            classes: [String] = ["data.frame"]) -> Value {
        let n = columns.first?.length ?? (rowNames?.count ?? 0)
        var list = List(columns, names: names)
        var attributes = AttributeList()
        attributes["class"] = Value(Vector(.character(classes)))
        attributes["row.names"] = rowNamesValue(rowNames, count: n)
        list.attributes = attributes
        return .list(list)
    }

    /// The `row.names` attribute for `names`, or automatic `1:n`.
    public static func rowNamesValue(_ names: [String]?, count n: Int) -> Value {
        if let names { return .vector(Vector(.character(names))) }
        return .vector(Vector(.integer((0..<n).map { Int32($0 + 1) })))
    }

    /// True for a value whose class includes "data.frame".
    public static func isDataFrame(_ v: Value) -> Bool {
        v.classAttribute?.contains("data.frame") ?? false
    }

    /// The number of rows: the length of `row.names` (a data frame may have no columns).
    public static func rowCount(_ v: Value) -> Int {
        guard case .list(let l) = v else { return 0 }
        if let r = l.attributes?["row.names"] { return r.length }
        return l.elements.first?.length ?? 0
    }

    /// Given row names, or nil when they are automatic (integers).
    public static func rowNames(_ v: Value) -> [String]? {
        guard case .list(let l) = v, let r = l.attributes?["row.names"], r.atomicType == .character,
            let s = r.storage
        else { return nil }
        return s.strings().map { $0 ?? "NA" }
    }

    /// Row names as R shows them: the given ones, or "1", "2", ... .
    public static func rowLabels(_ v: Value) -> [String] {
        if let names = rowNames(v) { return names }
        // Integer row names kept from a subset (rows 3 and 5 are "3", "5").
        if case .list(let l) = v, let r = l.attributes?["row.names"], r.atomicType == .integer, let s = r.storage {
            return s.integers().map { String($0) }
        }
        return (0..<rowCount(v)).map { String($0 + 1) }
    }

    /// `v` with its `class` attribute moved after `row.names`: the order R's `[.data.frame`,
    /// `$<-.data.frame` and `rbind` leave (a fresh `data.frame()` has class first).
    public static func classLast(_ v: Value) -> Value {
        guard case .list(var l) = v, let c = l.attributes?["class"] else { return v }
        setAttribute(&l.attributes, "class", nil)
        setAttribute(&l.attributes, "class", c)
        return .list(l)
    }

    /// The rows at `rows` (0-based, in order, repeats allowed) of every column, keeping the
    /// columns' attributes (factors stay factors) and the row names (automatic ones renumbered
    /// by position as R's `[.data.frame` keeps the original numbers: rows 3 and 5 are "3", "5").
    public static func selectRows(_ df: Value, _ rows: [Int]) -> Value {
        guard case .list(var l) = df else { return df }
        l.elements = l.elements.map { selectElements($0, rows) }
        if let numbers = integerRowNames(df, rows) {
            let isIdentity = numbers.enumerated().allSatisfy { $0.element == Int32($0.offset + 1) }
            setAttribute(&l.attributes, "row.names", isIdentity ? rowNamesValue(nil, count: rows.count)
                         : Value(Vector(.integer(numbers))))
            return .list(l)
        }
        let labels = rowLabels(df)
        let automatic = rowNames(df) == nil
        var picked = rows.map { labels[$0] }
        if automatic {
            // Repeated rows get R's ".1", ".2" suffixes; otherwise the original numbers stay.
            var seen: [String: Int] = [:]
            for (k, label) in picked.enumerated() {
                let count = seen[label, default: 0]
                if count > 0 { picked[k] = "\(label).\(count)" }
                seen[label] = count + 1
            }
            // Rows 1..k of a frame numbered 1..n stay automatic; a subset keeps its numbers.
            let isIdentity = picked.elementsEqual((0..<rows.count).map { String($0 + 1) })
            setAttribute(&l.attributes, "row.names", isIdentity ? rowNamesValue(nil, count: rows.count)
                         : Value(Vector(.integer(picked.map { Int32($0) ?? 0 }))).withRowNameStrings(picked))
        } else {
            setAttribute(&l.attributes, "row.names", .vector(Vector(.character(uniqueRowNames(picked)))))
        }
        return .list(l)
    }

    /// The integer row names of `rows` when `df`'s row names are integers and no row repeats (the
    /// common subset, which needs no ".1" suffixes and no strings); nil otherwise.
    private static func integerRowNames(_ df: Value, _ rows: [Int]) -> [Int32]? {
        guard case .list(let l) = df, let r = l.attributes?["row.names"], case .integer(let numbers)? = r.storage
        else { return nil }
        var seen = [Bool](repeating: false, count: numbers.count)
        var out = [Int32]()
        out.reserveCapacity(rows.count)
        for i in rows {
            if seen[i] || numbers[i] == NA.integer { return nil }
            seen[i] = true
            out.append(numbers[i])
        }
        return out
    }

    /// Row names made unique as R's `make.unique` does for repeated rows ("a", "a.1", ...).
    static func uniqueRowNames(_ names: [String]) -> [String] {
        var seen: [String: Int] = [:]
        return names.map { n in
            let count = seen[n, default: 0]
            seen[n] = count + 1
            return count == 0 ? n : "\(n).\(count)"
        }
    }

    /// Elements `rows` (0-based) of a vector or list, keeping its attributes other than names
    /// (names are subset with it).
    public static func selectElements(_ v: Value, _ rows: [Int]) -> Value {
        switch v {
        case .list(var l):
            l.elements = rows.map { l.elements[$0] }
            if let names = l.names { l.names = rows.map { names[$0] } }
            return .list(l)
        case .null:
            return .null
        default:
            guard let s = v.storage else { return v }
            var vec: Vector
            if case .vector(let existing) = v { vec = existing } else { vec = Vector(s) }
            vec.storage = s.gathered(rows)
            if let names = vec.names { vec.names = rows.map { names[$0] } }
            return Value(vec)
        }
    }
}

extension Value {
    /// Integer row names whose labels are not all plain numbers ("3.1") must be kept as strings.
    fileprivate func withRowNameStrings(_ labels: [String]) -> Value {
        if labels.allSatisfy({ Int32($0) != nil }) { return self }
        return .vector(Vector(.character(labels)))
    }
}
