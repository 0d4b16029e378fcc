/// Lookups and reshaping of vectors and lists: `match`, `is.element`, set operations, `unlist`,
/// `append`.
extension BuiltinRegistry {
    mutating func registerCollections() {
        define("match", ["x", "table", "nomatch", "incomparables"]) { args, _ throws(FnError) in
            let nomatch: Int32
            if let nm = args[2], let d = Unpack.firstDouble(nm) { nomatch = Coerce.integer(fromDouble: d) } else {
                nomatch = NA.integer
            }
            let positions = try matchPositions(try args.required(0, "x"), try args.required(1, "table"))
            return Value(.integer(positions.map { $0 < 0 ? nomatch : Int32($0 + 1) }))
        }
        define("is.element", ["el", "table"]) { args, _ throws(FnError) in
            let positions = try matchPositions(try args.required(0, "el"), try args.required(1, "table"))
            return Value(.logical(positions.map { $0 < 0 ? 0 : 1 }))
        }
        define("union", ["x", "y"]) { args, _ throws(FnError) in
            let both = try concatenate([try args.required(0, "x"), try args.required(1, "y")])
            return both.gathered(firstOccurrences(both))
        }
        define("intersect", ["x", "y"]) { args, _ throws(FnError) in
            let x = try concatenate([try args.required(0, "x")]), y = try args.required(1, "y")
            let unique = x.gathered(firstOccurrences(x))
            let found = try matchPositions(unique, y)
            let kept = try concatenate([unique.gathered(found.indices.filter { found[$0] >= 0 }), y.gathered([])])
            return kept
        }
        define("setdiff", ["x", "y"]) { args, _ throws(FnError) in
            let x = try concatenate([try args.required(0, "x")]), y = try args.required(1, "y")
            let unique = x.gathered(firstOccurrences(x))
            let found = try matchPositions(unique, y)
            return unique.gathered(found.indices.filter { found[$0] < 0 })
        }
        define("unlist", ["x", "recursive", "use.names"]) { args, _ throws(FnError) in
            let x = try args.required(0, "x")
            let useNames = try Unpack.flag(args[2], "use.names", default: true)
            guard case .list(let l) = x else { return x }
            // Lists may share one large vector many times over: count before building.
            try Limits.checkLength(leafCount(x))
            return unlist(l, useNames: useNames)
        }
        define("append", ["x", "values", "after"]) { args, _ throws(FnError) in
            let x = try args.required(0, "x"), values = try args.required(1, "values")
            let count = x.length
            let after = try Unpack.int(args[2], "after", default: count)
            if after >= count { return try concatenate([x, values]) }
            let head = x.gathered(Array(0..<max(0, after))), tail = x.gathered(Array(max(0, after)..<count))
            return try concatenate([head, values, tail])
        }
    }
}

/// For each element of `x`, the 0-based position of its first equal in `table`, or -1.
/// Both sides are compared as strings when either is character, otherwise as numbers.
func matchPositions(_ x: Value, _ table: Value) throws(FnError) -> [Int] {
    guard let xs = Unpack.flatStorage(x) else { throw FnError.runtime("'match' requires vector arguments") }
    guard let ts = Unpack.flatStorage(table) else { throw FnError.runtime("'match' requires vector arguments") }
    if xs.count == 0 { return [] }
    if xs.type == .character || ts.type == .character {
        let a = xs.strings(), t = ts.strings()
        if a.count == 1 { return [t.firstIndex(of: a[0]) ?? -1] }
        var first: [String?: Int] = [:]
        for (i, s) in t.enumerated() where first[s] == nil { first[s] = i }
        return a.map { first[$0] ?? -1 }
    }
    let a = xs.doubles(), t = ts.doubles()
    if a.count == 1 {
        let k = doubleKey(a[0])
        return [t.firstIndex { doubleKey($0) == k } ?? -1]
    }
    var first: [UInt64: Int] = [:]
    for (i, d) in t.enumerated() where first[doubleKey(d)] == nil { first[doubleKey(d)] = i }
    return a.map { first[doubleKey($0)] ?? -1 }
}

/// `c(...)` of already evaluated values.
func concatenate(_ parts: [Value]) throws(FnError) -> Value {
    try Combine.values(parts, names: Array(repeating: nil, count: parts.count))
}

/// `unlist(x)`: flattens recursively to the highest atomic type, naming like R (`a1`, `a.b`).
func unlist(_ list: List, useNames: Bool) -> Value {
    var leaves: [Value] = []
    var type = AtomicType.logical
    var atomic = true
    var anyNames = false
    func scan(_ l: List) {
        if let n = l.names, n.contains(where: { !$0.isEmpty }) { anyNames = true }
        for e in l.elements {
            switch e {
            case .null: continue
            case .list(let inner): scan(inner)
            default:
                if let t = e.atomicType { type = max(type, t) } else { atomic = false }
                if e.names != nil { anyNames = true }
                leaves.append(e)
            }
        }
    }
    scan(list)
    if leaves.isEmpty { return .null }
    var names: [String]? = nil
    if useNames && anyNames {
        var namer = UnlistNamer()
        namer.walk(.list(list), base: "", tag: nil)
        names = namer.names
    }
    if !atomic {
        var elements: [Value] = []
        for leaf in leaves {
            if leaf.atomicType != nil { elements += Unpack.elements(leaf) } else { elements.append(leaf) }
        }
        return .list(List(elements, names: names))
    }
    return Value(Unpack.combine(leaves, as: type), names: names)
}

/// R's naming rule for `unlist`/`c` results (bind.c): each name opens a scope; unnamed leaves in a
/// scope are numbered (`a1`, `a2`), except that a scope with a single leaf uses the bare name.
private struct UnlistNamer {
    var names: [String] = []
    var seqno = 0
    var count = 0
    var firstPosition = -1

    mutating func walk(_ v: Value, base: String, tag: String?) {
        var base = base
        var saved: (seqno: Int, count: Int, first: Int)? = nil
        if let tag {
            base = base.isEmpty ? tag : base + "." + tag
            saved = (seqno, count, firstPosition)
            seqno = 0
            count = 0
            firstPosition = -1
        }
        switch v {
        case .null: break
        case .list(let l):
            for (i, e) in l.elements.enumerated() {
                let n = l.names?[i] ?? ""
                walk(e, base: base, tag: n.isEmpty ? nil : n)
            }
        default:
            let inner = v.names
            if v.atomicType != nil {
                for i in 0..<v.length { leaf(base: base, tag: inner?[i] ?? "") }
            } else {
                leaf(base: base, tag: "")
            }
        }
        if let saved {
            if firstPosition >= 0 && count == 1 { names[firstPosition] = base }
            seqno += saved.seqno
            count = saved.count
            firstPosition = saved.first
        }
    }

    private mutating func leaf(base: String, tag: String) {
        seqno += 1
        count += 1
        if !base.isEmpty && !tag.isEmpty {
            names.append(base + "." + tag)
        } else if !base.isEmpty {
            if firstPosition < 0 { firstPosition = names.count }
            names.append(base + String(seqno))
        } else {
            names.append(tag)
        }
    }
}

/// The number of atomic elements `unlist` would produce (nested lists flattened).
private func leafCount(_ v: Value) -> Double {
    guard case .list(let l) = v else { return Double(v.length) }
    var n = 0.0
    for e in l.elements { n += leafCount(e) }
    return n
}
