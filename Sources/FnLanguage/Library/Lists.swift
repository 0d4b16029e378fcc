/// Reshaping lists and vectors: `modifyList`, `as.vector`, `lengths`, `anyDuplicated`.
extension BuiltinRegistry {
    mutating func registerLists() {
        define("modifyList", ["x", "val", "keep.null"]) { args, _ throws(FnError) in
            let x = try args.required(0, "x"), val = try args.required(1, "val")
            guard case .list(let base) = x else { throw FnError.runtime("is.list(x) is not TRUE") }
            guard case .list(let changes) = val else { throw FnError.runtime("is.list(val) is not TRUE") }
            return .list(modify(base, changes, keepNull: try Unpack.flag(args[2], "keep.null", default: false)))
        }
        define("as.vector", ["x", "mode"]) { args, _ throws(FnError) in
            let x = try args.required(0, "x")
            let mode = try Unpack.string(args[1], "mode", default: "any")
            switch mode {
            case "any":
                // Atomic vectors lose names and class; lists keep their names.
                if case .vector(let v) = x { return Value(Vector(v.storage)) }
                if case .list(var l) = x {
                    l.classes = nil
                    return .list(l)
                }
                return x
            case "list":
                if case .list = x { return x }
                return .list(List(Unpack.elements(x), names: x.names))
            case "character", "numeric", "double", "integer", "logical":
                guard let s = Unpack.flatStorage(x) else {
                    throw FnError.runtime("'x' cannot be coerced to a vector of mode '\(mode)'")
                }
                let type: AtomicType = mode == "character" ? .character : mode == "integer" ? .integer
                    : mode == "logical" ? .logical : .double
                return Value(Vector(Unpack.combine([Value(Vector(s))], as: type)))
            default:
                throw FnError.runtime("vector: cannot make a vector of mode '\(mode)'.")
            }
        }
        define("lengths", ["x", "use.names"]) { args, _ throws(FnError) in
            let x = try args.required(0, "x")
            let counts = Unpack.elements(x).map { Int32($0.length) }
            let useNames = try Unpack.flag(args[1], "use.names", default: true)
            return Value(Vector(.integer(counts), names: useNames ? x.names : nil))
        }
        define("anyDuplicated", ["x", "..."]) { args, _ throws(FnError) in
            let x = try args.required(0, "x")
            if let s = x.storage {
                var seen = Set<String>()
                for (i, e) in s.strings().enumerated() where !seen.insert(e ?? "\u{0}NA").inserted {
                    return .integer(Int32(i + 1))
                }
                return .integer(0)
            }
            let elements = Unpack.elements(x)
            for i in elements.indices {
                for j in 0..<i where identicalValues(elements[i], elements[j]) { return .integer(Int32(i + 1)) }
            }
            return .integer(0)
        }
    }
}

/// R's `modifyList`: named elements of `changes` replace or extend `base`, recursing into lists
/// that are lists on both sides; `NULL` removes unless `keepNull`.
private func modify(_ base: List, _ changes: List, keepNull: Bool) -> List {
    var out = base
    guard let changeNames = changes.names else { return out }
    for (k, name) in changeNames.enumerated() where !name.isEmpty {
        let value = changes.elements[k]
        let index = out.names?.firstIndex(of: name)
        if value.isNull && !keepNull {
            if let index {
                out.elements.remove(at: index)
                out.names?.remove(at: index)
            }
            continue
        }
        if let index {
            if case .list(let inner) = out.elements[index], inner.names != nil, case .list(let change) = value,
               change.names != nil {
                out.elements[index] = .list(modify(inner, change, keepNull: keepNull))
            } else {
                out.elements[index] = value
            }
        } else {
            out.elements.append(value)
            if out.names == nil { out.names = Array(repeating: "", count: out.elements.count - 1) }
            out.names?.append(name)
        }
    }
    return out
}

/// Elementwise equality for `anyDuplicated` on lists: same JSON-visible content.
private func identicalValues(_ a: Value, _ b: Value) -> Bool {
    guard a.typeName == b.typeName, a.length == b.length, a.names == b.names else { return false }
    if let sa = a.storage, let sb = b.storage { return sa.strings() == sb.strings() }
    if case .list(let la) = a, case .list(let lb) = b {
        return zip(la.elements, lb.elements).allSatisfy { identicalValues($0, $1) }
    }
    return a.isNull && b.isNull
}
