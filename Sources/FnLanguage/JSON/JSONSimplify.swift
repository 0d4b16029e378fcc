/// jsonlite's simplification of arrays that hold arrays or objects, applied as each array is read
/// (its elements are already simplified):
///
/// - Records: an array whose elements are all objects or `null` (at least one object) becomes a
///   data frame. Columns are the keys in first-seen order; a record's repeated key keeps its first
///   value. A column whose values are all scalars or missing is an atomic vector (missing and
///   `null` are `NA`); all objects or missing, a nested data frame (missing rows are `NA`);
///   anything else a list column (missing is `NULL`). With `flatten`, nested data frame columns
///   are spliced in as `parent.child` columns.
/// - Matrices: an array whose elements are all arrays of scalars of one length (at least 1)
///   becomes a matrix with one row per element, of the highest type present; an array of
///   matrices of one shape becomes a 3-dimensional array, and so on.
/// - Otherwise a list (with the `[]` rule of `list(_:)`).
///
/// What was an array and what a scalar is known from the representation: the reader keeps arrays
/// as `.vector` even when they have one element, and scalars inline.
extension JSONReader {
    static func simplifyArray(_ items: ArraySlice<Value>, _ options: Options) -> Value {
        if options.simplifyDataFrame, isRecordList(items) {
            return dataFrame(items, options)
        }
        if options.simplifyMatrix, let m = matrix(items) { return m }
        return list(items)
    }

    /// A JSON object as the reader makes it: a named list without attributes.
    @inline(__always) static func isRecord(_ v: Value) -> Bool {
        if case .list(let l) = v, l.names != nil, l.attributes == nil { return true }
        return false
    }

    private static func isRecordList(_ items: ArraySlice<Value>) -> Bool {
        var any = false
        for item in items {
            if case .null = item { continue }
            guard isRecord(item) else { return false }
            any = true
        }
        return any
    }

    /// Records (named lists) and `null`s as a data frame.
    static func dataFrame(_ records: ArraySlice<Value>, _ options: Options) -> Value {
        let n = records.count
        var keys: [String] = []
        var index: [String: Int] = [:]
        // Most record arrays repeat one key order: compare with the previous record's names first.
        var previous: [String]? = nil
        for record in records {
            guard case .list(let l) = record, let names = l.names else { continue }
            if let p = previous, p == names { continue }
            previous = names
            for name in names where index[name] == nil {
                index[name] = keys.count
                keys.append(name)
            }
        }
        var columns = [[Value]](repeating: [Value](repeating: .null, count: n), count: keys.count)
        for (row, record) in records.enumerated() {
            guard case .list(let l) = record, let names = l.names else { continue }
            // Keys are distinct, so a record that matches their prefix has no repeated key.
            let inOrder = names.count <= keys.count && names.indices.allSatisfy { keys[$0] == names[$0] }
            if inOrder {
                for (j, value) in l.elements.enumerated() { columns[j][row] = value }
            } else {
                // Backwards, so that the first of repeated keys wins.
                for (k, name) in names.enumerated().reversed() {
                    if let j = index[name] { columns[j][row] = l.elements[k] }
                }
            }
        }
        var built: [Value] = []
        var builtNames: [String] = []
        built.reserveCapacity(keys.count)
        for (j, column) in columns.enumerated() {
            let value = simplifyColumn(column[...], options)
            if options.flatten, DataFrame.isDataFrame(value), case .list(let inner) = value {
                for (k, child) in inner.elements.enumerated() {
                    built.append(child)
                    builtNames.append(keys[j] + "." + (inner.names?[k] ?? ""))
                }
            } else {
                built.append(value)
                builtNames.append(keys[j])
            }
        }
        var frame = DataFrame.make(built, names: builtNames)
        if case .list(var l) = frame {
            // The row count is the records', also when there are no columns (`[{}, {}]` has two rows)
            // or the first column is itself a data frame.
            setAttribute(&l.attributes, "row.names", DataFrame.rowNamesValue(nil, count: n))
            frame = .list(l)
        }
        return frame
    }

    /// One column's values (`.null` where missing) as jsonlite simplifies them.
    private static func simplifyColumn(_ values: ArraySlice<Value>, _ options: Options) -> Value {
        var allScalars = true
        var allRecords = true
        for v in values {
            switch v {
            case .null: continue
            case .logical, .integer, .double, .character: allRecords = false
            default:
                allScalars = false
                if !isRecord(v) { allRecords = false }
            }
            if !allScalars && !allRecords { break }
        }
        if allScalars { return atomic(values) }
        if allRecords { return dataFrame(values, options) }
        return list(values)
    }

    /// Arrays of scalars of one length (or arrays of one shape) as a matrix or array, row `i`
    /// being element `i`; nil when the elements do not qualify.
    private static func matrix(_ items: ArraySlice<Value>) -> Value? {
        guard let first = items.first, case .vector(let v0) = first, v0.names == nil, v0.count > 0 else {
            return nil
        }
        let shape = v0.dim
        guard shape != nil ? v0.attributes?.pairs.count == 1 : v0.attributes == nil else { return nil }
        let length = v0.count
        var type = v0.storage.type
        for item in items {
            guard case .vector(let v) = item, v.names == nil, v.count == length, v.dim == shape else { return nil }
            guard shape != nil ? v.attributes?.pairs.count == 1 : v.attributes == nil else { return nil }
            if v.storage.type > type { type = v.storage.type }
        }
        let n = items.count
        var parts: [Storage] = []
        parts.reserveCapacity(n)
        for item in items {
            if case .vector(let v) = item { parts.append(v.storage.converted(to: type)) }
        }
        // Element i's p-th value goes to [i + n * p] (column-major with the elements as rows).
        let storage: Storage
        switch type {
        case .logical: storage = .logical(interleave(parts, n, length) { $0.logicals() })
        case .integer: storage = .integer(interleave(parts, n, length) { $0.integers() })
        case .double: storage = .double(interleave(parts, n, length) { $0.doubles() })
        case .character: storage = .character(interleave(parts, n, length) { $0.strings() })
        }
        let dim = [n] + (shape ?? [length])
        var attributes = AttributeList()
        attributes["dim"] = Value(Vector(.integer(dim.map { Int32($0) })))
        return .vector(Vector(storage, names: nil, attributes: attributes))
    }

    private static func interleave<T>(_ parts: [Storage], _ n: Int, _ length: Int,
                                      _ elements: (Storage) -> [T]) -> [T] {
        var out: [T] = []
        out.reserveCapacity(n * length)
        let columns = parts.map(elements)
        for p in 0..<length {
            for i in 0..<n { out.append(columns[i][p]) }
        }
        return out
    }
}
