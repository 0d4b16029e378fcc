/// `[`, `[[`, `$` and their replacement forms, with R's index rules: positive, negative, zero,
/// logical (recycled), name and missing indices; out-of-range reads give NA (or NULL), writes extend.

final class IndexNode: Node {
    let target: Node
    let arguments: [CallArgument]
    let double: Bool
    init(target: Node, arguments: [CallArgument], double: Bool, span: Span) {
        self.target = target
        self.arguments = arguments
        self.double = double
        super.init(span: span)
    }

    override func eval(_ ip: Interpreter) throws(Control) -> Value {
        let x = try target.eval(ip)
        let idx = try ip.evaluateIndexArguments(arguments)
        ip.visible = true
        if idx.count > 1 || x.attributes != nil {
            // `m[i, j, drop = FALSE]`: the named argument is an option, not an index.
            let dropValue = try arguments.first(where: { $0.name == "drop" })?.value.map { n throws(Control) in try n.eval(ip) }
            if x.classAttribute != nil,
                let r = try Dispatch.index(ip, double ? "[[" : "[", x, idx, drop: dropValue, at: self)
            {
                return r
            }
            var drop = true
            if let dropValue { drop = try ip.truth(dropValue, at: self) }
            do {
                return try Indexing.get(x, idx, double: double, drop: drop)
            } catch {
                throw ip.locate(error, at: self, call: self).control
            }
        }
        // Fast path: `x[[i]]` / `x[i]` with a scalar positive integer index.
        if idx.count == 1, let i = idx[0], let k = Indexing.scalarPosition(i) {
            switch x {
            case .list(let l) where k < l.count && (double || l.names == nil):
                return double ? l.elements[k] : .list(List([l.elements[k]]))
            case .vector(let v) where k < v.count && (double || v.names == nil):
                return v.storage.element(k)
            default: break
            }
        }
        do {
            return try Indexing.get(x, idx, double: double)
        } catch {
            throw ip.locate(error, at: self, call: self).control
        }
    }
}

final class DollarNode: Node {
    let target: Node
    let name: String
    init(target: Node, name: String, span: Span) {
        self.target = target
        self.name = name
        super.init(span: span)
    }

    override func eval(_ ip: Interpreter) throws(Control) -> Value {
        let x = try target.eval(ip)
        ip.visible = true
        if x.classAttribute != nil, let r = try Dispatch.index(ip, "$", x, [.character(name)], at: self) { return r }
        do {
            return try Indexing.dollar(x, name, ip)
        } catch {
            throw ip.locate(error, at: self, call: self).control
        }
    }
}

extension Interpreter {
    /// Index arguments: nil for an empty one (`x[, 1]`, `x[]`).
    func evaluateIndexArguments(_ args: [CallArgument]) throws(Control) -> [Value?] {
        var out: [Value?] = []
        out.reserveCapacity(args.count)
        for a in args {
            if a.name == "drop" || a.name == "exact" { continue }
            if a.isDots {
                out.append(contentsOf: try currentDots(at: Node(span: .none)).elements.map { Optional($0) })
            } else if let v = a.value {
                out.append(try v.eval(self))
            } else {
                out.append(nil)
            }
        }
        return out
    }

    /// Applies replacement `steps` to `container`: the last step receives `value`, earlier steps
    /// extract an element, replace inside it, and put it back.
    func replace(
        _ container: inout Value, _ steps: ArraySlice<ReplacementStep>, _ indices: ArraySlice<[Value?]>,
        with value: Value, at node: Node
    ) throws(Control) {
        guard let step = steps.first, let idx = indices.first else { return }
        let last = steps.count == 1
        switch step {
        case .dollar(let name):
            if last, container.classAttribute != nil,
                let r = try Dispatch.index(ip: self, "$<-", container, [.character(name)], value: value, at: node)
            {
                container = r
            } else if last {
                try lifted(node) { () throws(FnError) in try Indexing.setDollar(&container, name, value) }
            } else {
                var inner = Indexing.takeNamed(&container, name)
                try replace(&inner, steps.dropFirst(), indices.dropFirst(), with: value, at: node)
                try lifted(node) { () throws(FnError) in try Indexing.setDollar(&container, name, inner) }
            }
        case .index(_, let double):
            if last, container.classAttribute != nil,
                let r = try Dispatch.index(ip: self, double ? "[[<-" : "[<-", container, idx, value: value, at: node)
            {
                container = r
            } else if last {
                try lifted(node) { () throws(FnError) in try Indexing.set(&container, idx, double: double, value) }
            } else {
                let current = container
                var inner = try lifted(node) { () throws(FnError) in try Indexing.get(current, idx, double: double) }
                try replace(&inner, steps.dropFirst(), indices.dropFirst(), with: value, at: node)
                try lifted(node) { () throws(FnError) in try Indexing.set(&container, idx, double: double, inner) }
            }
        case .call(let fname, let args):
            var newValue = value
            let extra = idx.compactMap { $0 }
            if !last {
                guard let getter = try lookupFunction(fname, from: env) else {
                    throw locate(FnError.runtime("could not find function \"\(fname)\""), at: node).control
                }
                var inner = try apply(getter, args: [container] + extra, names: [nil] + args.map(\.name),
                                      callNode: node)
                try replace(&inner, steps.dropFirst(), indices.dropFirst(), with: value, at: node)
                newValue = inner
            }
            guard let setter = try lookupFunction(fname + "<-", from: env) else {
                throw locate(FnError.runtime("could not find function \"\(fname)<-\""), at: node).control
            }
            let argValues = [container] + extra + [newValue]
            let argNames: [String?] = [nil] + args.map(\.name) + ["value"]
            container = .null
            container = try apply(setter, args: argValues, names: argNames, callNode: node)
        }
    }
}

/// The indexing operations on values.
enum Indexing {
    /// A scalar index that is a valid positive position, 0-based.
    @inline(__always) static func scalarPosition(_ v: Value) -> Int? {
        switch v {
        case .integer(let i) where i > 0: return Int(i) - 1
        case .double(let d) where d >= 1 && d < 4_294_967_296: return Int(d) - 1
        default: return nil
        }
    }

    // MARK: Reading

    static func get(_ x: Value, _ idx: [Value?], double: Bool, drop: Bool = true) throws(FnError) -> Value {
        if case .language(let l) = x { return try l.subset(idx, double: double) }
        if idx.count > 1 {
            guard let d = x.dim, d.count == idx.count else { throw FnError.runtime("incorrect number of dimensions") }
            if double {
                guard idx.allSatisfy({ $0?.length == 1 }) else { throw FnError.runtime("subscript out of bounds") }
                let r = try ArrayIndex.get(x, idx, d, drop: true)
                return try getElement(r, .integer(1))
            }
            return try ArrayIndex.get(x, idx, d, drop: drop)
        }
        let i = idx.first ?? nil
        if let i, let offsets = try ArrayIndex.matrixIndex(x, i) {
            return try getSubset(x, .vector(Vector(.double(offsets.map { Double($0 + 1) }))))
        }
        return double ? try getElement(x, i) : try getSubset(x, i)
    }

    /// `x[i]`.
    static func getSubset(_ x: Value, _ i: Value?) throws(FnError) -> Value {
        guard let i else { return x }
        switch x {
        case .null: return .null
        case .list(let l):
            let (pos, _) = try positions(i, count: l.count, names: l.names, assigning: false)
            var out: [Value] = []
            out.reserveCapacity(pos.count)
            for p in pos { out.append(p >= 0 && p < l.count ? l.elements[p] : .null) }
            // R names out-of-range elements NA; fn's names cannot be NA, so they are "".
            let names = l.names.map { n in pos.map { p in p >= 0 && p < n.count ? n[p] : "" } }
            return .list(List(out, names: names))
        default:
            guard let s = x.storage else { throw FnError.runtime("object of type '\(x.typeName)' is not subsettable") }
            let names = x.names
            let (pos, _) = try positions(i, count: s.count, names: names, assigning: false)
            let outNames = names.map { n in pos.map { p in p >= 0 && p < n.count ? n[p] : "<NA>" } }
            return Value(Vector(select(s, pos), names: outNames))
        }
    }

    /// The elements of `s` at `pos` (NA for out-of-range positions).
    static func select(_ s: Storage, _ pos: [Int]) -> Storage {
        let n = s.count
        switch s {
        case .logical(let a): return .logical(pos.map { $0 >= 0 && $0 < n ? a[$0] : NA.logical })
        case .integer(let a): return .integer(pos.map { $0 >= 0 && $0 < n ? a[$0] : NA.integer })
        case .double(let a): return .double(pos.map { $0 >= 0 && $0 < n ? a[$0] : NA.double })
        case .character(let a): return .character(pos.map { $0 >= 0 && $0 < n ? a[$0] : nil })
        }
    }

    /// `x[[i]]` (a vector `i` indexes recursively into nested lists).
    static func getElement(_ x: Value, _ i: Value?) throws(FnError) -> Value {
        guard let i else { throw FnError.runtime("invalid subscript") }
        if case .null = x { return .null }
        if case .environment(let e) = x {
            guard case .character(let name?) = i else {
                throw FnError.runtime("wrong arguments for subsetting an environment")
            }
            return e.ownBinding(name) ?? .null
        }
        guard let s = i.storage, s.count >= 1 else { throw FnError.runtime("subscript of length 0") }
        if s.count > 1 {
            guard case .list = x else { throw FnError.runtime("attempt to select more than one element") }
            var cur = x
            for k in 0..<s.count { cur = try getElement(cur, s.element(k)) }
            return cur
        }
        let names = x.names
        let count = x.length
        var pos: Int
        if case .character(let a) = s {
            guard let key = a[0], let p = names?.firstIndex(of: key) else {
                if case .list = x { return .null }
                throw FnError.runtime("subscript out of bounds")
            }
            pos = p
        } else {
            let d = s.doubles()[0]
            if d.isNaN {
                if case .list = x { return .null }
                throw FnError.runtime("subscript out of bounds")
            }
            if d <= -1 {
                // R allows a negative [[ ]] index that leaves exactly one element.
                guard count == 2, -d <= 2 else {
                    throw FnError.runtime("invalid negative subscript in get1index <real>")
                }
                let p = Int(-d) - 1
                guard p < 2 else {
                    throw FnError.runtime("invalid negative subscript in get1index <real>")
                }
                return try getElement(x, .integer(Int32(2 - p)))
            }
            if d < 1 { throw FnError.runtime("attempt to select less than one element in get1index <real>") }
            // A fraction is truncated first, as R does: `1[[1.9]]` is element 1.
            guard d < Double(count) + 1 else { throw FnError.runtime("subscript out of bounds") }
            pos = Int(d) - 1
        }
        guard pos < count else { throw FnError.runtime("subscript out of bounds") }
        switch x {
        case .list(let l): return l.elements[pos]
        case .environment: throw FnError.runtime("wrong arguments for subsetting an environment")
        default:
            guard let st = x.storage else {
                throw FnError.runtime("object of type '\(x.typeName)' is not subsettable")
            }
            return st.element(pos)
        }
    }

    /// `x$name`.
    static func dollar(_ x: Value, _ name: String, _ ip: Interpreter) throws(FnError) -> Value {
        switch x {
        case .list(let l): return l.element(named: name) ?? .null
        case .null: return .null
        case .environment(let e):
            // `e$x` looks in `e` only, as in R (get() is the one that inherits).
            return try e.ownBinding(name).map { v throws(FnError) in try ip.forcedValue(v) } ?? .null
        case .language(let l): return try l.subset([.character(name)], double: true)
        case .closure, .builtin: throw FnError.runtime("object of type 'closure' is not subsettable")
        default: throw FnError.runtime("$ operator is invalid for atomic vectors")
        }
    }

    // MARK: Positions

    /// 0-based positions selected by index `i` from a vector of `count` elements; -1 is NA.
    /// When `assigning`, names not found get new positions past the end, returned in `newNames`.
    static func positions(_ i: Value, count n: Int, names: [String]?, assigning: Bool)
        throws(FnError) -> ([Int], [String])
    {
        if case .null = i { return ([], []) }
        guard let s = i.storage else { throw FnError.runtime("invalid subscript type '\(i.typeName)'") }
        switch s {
        case .logical(let a):
            let m = max(n, a.count)
            var out: [Int] = []
            if a.isEmpty { return ([], []) }
            for k in 0..<m {
                let b = a[k % a.count]
                if b == NA.logical { out.append(-1) } else if b != 0 { out.append(k) }
            }
            return (out, [])
        case .character(let a):
            var out: [Int] = []
            var added: [String] = []
            out.reserveCapacity(a.count)
            for key in a {
                if let key, let p = names?.firstIndex(of: key) {
                    out.append(p)
                } else if assigning, let key {
                    if let q = added.firstIndex(of: key) {
                        out.append(n + q)
                    } else {
                        added.append(key)
                        out.append(n + added.count - 1)
                    }
                } else {
                    out.append(assigning ? n + added.count : -1)
                    if assigning { added.append("") }
                }
            }
            return (out, added)
        default:
            let d = s.doubles()
            var anyNegative = false, anyPositive = false
            for v in d where !v.isNaN {
                if v <= -1 { anyNegative = true } else if v >= 1 { anyPositive = true }
            }
            if anyNegative {
                if anyPositive || d.contains(where: { $0.isNaN }) {
                    throw FnError.runtime("can't mix positive and negative subscripts")
                }
                var keep = [Bool](repeating: true, count: n)
                for v in d where v <= -1 && -v <= Double(n) {
                    keep[Int(-v) - 1] = false
                }
                var out: [Int] = []
                out.reserveCapacity(n)
                for k in 0..<n where keep[k] { out.append(k) }
                return (out, [])
            }
            var out: [Int] = []
            out.reserveCapacity(d.count)
            for v in d {
                if v.isNaN {
                    out.append(-1)
                } else if v >= 1 {
                    // Positions past the vector limit are out of range for reads and rejected for writes.
                    if assigning { try Limits.checkLength(v) }
                    out.append(v <= Double(Limits.vectorLength) ? Int(v) - 1 : Limits.vectorLength)
                }
            }
            return (out, [])
        }
    }

    // MARK: Writing

    static func set(_ x: inout Value, _ idx: [Value?], double: Bool, _ v: Value) throws(FnError) {
        if case .language(let l) = x { return x = try l.replacing(idx, double: double, with: v) }
        if idx.count > 1 {
            guard let d = x.dim, d.count == idx.count else {
                throw FnError.runtime(double ? "[[ ]] improper number of subscripts" : "incorrect number of subscripts on matrix")
            }
            return try ArrayIndex.set(&x, idx, d, v)
        }
        var i = idx.first ?? nil
        if let index = i, let offsets = try ArrayIndex.matrixIndex(x, index) {
            i = .vector(Vector(.double(offsets.map { Double($0 + 1) })))
        }
        if double {
            guard let i else { throw FnError.runtime("[[ ]] with missing subscript") }
            try setElement(&x, i, v)
        } else {
            try setSubset(&x, i, v)
        }
    }

    /// Removes and returns the list element named `name` (NULL if absent), leaving a placeholder,
    /// so it can be modified without a copy and put back with `setDollar`.
    static func takeNamed(_ x: inout Value, _ name: String) -> Value {
        guard case .list(var l) = x, let p = l.names?.firstIndex(of: name) else {
            if case .list(let l) = x { return l.element(named: name) ?? .null }
            return .null
        }
        x = .null
        let e = l.elements[p]
        l.elements[p] = .null
        x = .list(l)
        return e
    }

    /// `x$name <- v`.
    static func setDollar(_ x: inout Value, _ name: String, _ v: Value) throws(FnError) {
        if case .language(let l) = x { return x = try l.replacing([.character(name)], double: true, with: v) }
        switch x {
        case .null:
            // `x$a <- v` on NULL always makes a list.
            x = .list(List([]))
            try setElement(&x, .character(name), v)
        case .list:
            try setElement(&x, .character(name), v)
        case .environment(let e):
            guard e.bind(name, v) else {
                throw FnError.runtime(
                    "cannot add '\(name)' to this environment: fn fixes a function's variables before it runs (use new.env())")
            }
        default:
            guard let s = x.storage else { throw FnError.runtime("invalid type for $ assignment") }
            // R coerces an atomic vector to a list here.
            var l = List((0..<s.count).map { s.element($0) }, names: x.names)
            x = .null
            var lv = Value.list(l)
            try setElement(&lv, .character(name), v)
            l = List([])
            x = lv
        }
    }

    /// `x[[i]] <- v`.
    static func setElement(_ x: inout Value, _ i: Value, _ v: Value) throws(FnError) {
        if case .environment = x {
            guard case .character(let name?) = i else {
                throw FnError.runtime("wrong args for environment subassignment")
            }
            return try setDollar(&x, name, v)
        }
        guard let s = i.storage, s.count == 1 else {
            throw FnError.runtime(i.length == 0 ? "[[ ]] with missing subscript" : "[[ ]] subscript out of bounds")
        }
        let isList: Bool
        switch x {
        case .list: isList = true
        case .null:
            isList = !(v.atomicType != nil && v.length == 1)
        default:
            isList = v.atomicType == nil || v.length != 1
        }
        if isList {
            var l: List
            switch x {
            case .list(let existing): l = existing
            case .null: l = List([])
            default:
                guard let st = x.storage else { throw FnError.runtime("invalid type for [[ assignment") }
                l = List((0..<st.count).map { st.element($0) }, names: x.names)
            }
            x = .null
            defer { x = .list(l) }
            let pos: Int
            if case .character(let a) = s {
                guard let key = a[0] else { throw FnError.runtime("subscript out of bounds") }
                if let p = l.names?.firstIndex(of: key) {
                    pos = p
                } else {
                    if case .null = v { return }
                    if l.names == nil { l.names = [String](repeating: "", count: l.count) }
                    l.elements.append(v)
                    l.names?.append(key)
                    return
                }
            } else {
                let d = s.doubles()[0]
                if d <= -1 && l.count == 2 && d > -3 {
                    // A negative index that leaves exactly one element names that one, as in R.
                    pos = 2 + Int(d)
                } else {
                    guard !d.isNaN, d >= 1 else { throw FnError.runtime("[[ ]] subscript out of bounds") }
                    try Limits.checkLength(d)
                    pos = Int(d) - 1
                }
            }
            if case .null = v {
                if pos < l.count {
                    l.elements.remove(at: pos)
                    l.names?.remove(at: pos)
                }
                return
            }
            if l.count <= pos { try extend(&l, to: pos + 1, added: []) }
            l.elements[pos] = v
            return
        }
        if v.length == 0 { throw FnError.runtime("replacement has length zero") }
        if s.type != .character {
            // `[[<-` names exactly one element: a zero or NA subscript, or a negative one that leaves
            // more than one, is an error in R, not an empty or multiple `[<-`.
            let d = s.doubles()[0]
            if d.isNaN || (d < 0 && x.length != 2) {
                throw FnError.runtime("attempt to select more than one element in OneIndex <real>")
            }
            if d > -1 && d < 1 { throw FnError.runtime("attempt to select less than one element in OneIndex <real>") }
        }
        try setSubset(&x, i, v)
    }

    /// `x[i] <- v`.
    static func setSubset(_ x: inout Value, _ i: Value?, _ v: Value) throws(FnError) {
        if case .list(var l) = x {
            let (pos, added) = try positions(i ?? .null, count: l.count, names: l.names, assigning: true)
            let all = i == nil ? Array(0..<l.count) : pos
            x = .null
            defer { x = .list(l) }
            if case .null = v {
                // Deleting elements.
                let drop = Set(all.filter { $0 >= 0 && $0 < l.count })
                var keptE: [Value] = [], keptN: [String] = []
                for k in 0..<l.count where !drop.contains(k) {
                    keptE.append(l.elements[k])
                    if let n = l.names { keptN.append(n[k]) }
                }
                l.elements = keptE
                if l.names != nil { l.names = keptN }
                return
            }
            let values: [Value]
            switch v {
            case .list(let vl): values = vl.elements
            default:
                guard let st = v.storage else { values = [v]; break }
                values = (0..<st.count).map { st.element($0) }
            }
            if values.isEmpty { throw FnError.runtime("replacement has length zero") }
            try extend(&l, to: (all.max() ?? -1) + 1, added: added)
            for (k, p) in all.enumerated() where p >= 0 { l.elements[p] = values[k % values.count] }
            return
        }
        if case .list = v, x.atomicType != nil || x.isNull {
            // Assigning a list into an atomic vector turns it into a list.
            let s = x.storage ?? .logical([])
            var asList = Value.list(List((0..<s.count).map { s.element($0) }, names: x.names))
            try setSubset(&asList, i, v)
            x = asList
            return
        }
        if case .null = v {
            if let i, i.length == 0 { return }
            throw FnError.runtime("replacement has length zero")
        }
        guard let vs = v.storage else { throw FnError.runtime("incompatible types (from \(v.typeName) to \(x.typeName)) in subassignment type fix") }
        var vec: Vector
        switch x {
        case .null: vec = Vector(.empty(vs.type))
        case .vector(let existing): vec = existing
        default:
            guard let s = x.storage else {
                throw FnError.runtime("object of type '\(x.typeName)' is not subsettable")
            }
            vec = Vector(s)
        }
        x = .null
        let n = vec.count
        let (pos, added) = try positions(i ?? .null, count: n, names: vec.names, assigning: true)
        let all = i == nil ? Array(0..<n) : pos
        if all.isEmpty {
            x = Value(vec)
            return
        }
        if vs.count == 0 {
            x = Value(vec)
            throw FnError.runtime("replacement has length zero")
        }
        if all.count % vs.count != 0 {
            // R warns; the assignment still happens with recycling.
        }
        let type = max(vec.storage.type, vs.type)
        var storage = vec.storage.converted(to: type)
        let src = vs.converted(to: type)
        let newCount = max(n, (all.max() ?? -1) + 1)
        vec.storage = .logical([])
        Indexing.write(&storage, positions: all, from: src, newCount: newCount)
        vec.storage = storage
        if newCount > n || !added.isEmpty {
            // A longer vector is no longer the array it was.
            if vec.attributes != nil {
                setAttribute(&vec.attributes, "dim", nil)
                setAttribute(&vec.attributes, "dimnames", nil)
            }
            if vec.names != nil || !added.isEmpty {
                var names = vec.names ?? [String](repeating: "", count: n)
                while names.count < newCount { names.append("") }
                for (k, name) in added.enumerated() where n + k < names.count { names[n + k] = name }
                vec.names = names
            }
        }
        x = Value(vec)
    }

    /// Writes `src` (recycled) into `storage` at `positions`, growing it to `newCount` with NA.
    static func write(_ storage: inout Storage, positions: [Int], from src: Storage, newCount: Int) {
        func apply<T>(_ a: inout [T], _ b: [T], _ na: T) {
            if a.count < newCount { a.append(contentsOf: repeatElement(na, count: newCount - a.count)) }
            for (k, p) in positions.enumerated() where p >= 0 { a[p] = b[k % b.count] }
        }
        switch (storage, src) {
        case (.logical(var a), .logical(let b)):
            storage = .logical([]); apply(&a, b, NA.logical); storage = .logical(a)
        case (.integer(var a), .integer(let b)):
            storage = .logical([]); apply(&a, b, NA.integer); storage = .integer(a)
        case (.double(var a), .double(let b)):
            storage = .logical([]); apply(&a, b, NA.double); storage = .double(a)
        case (.character(var a), .character(let b)):
            storage = .logical([]); apply(&a, b, nil); storage = .character(a)
        default: break
        }
    }

    /// Grows a list to `count` elements (NULL-filled), naming new elements from `added`.
    static func extend(_ l: inout List, to count: Int, added: [String]) throws(FnError) {
        let n = l.count
        guard count > n else { return }
        l.elements.append(contentsOf: repeatElement(.null, count: count - n))
        if l.attributes != nil {
            setAttribute(&l.attributes, "dim", nil)
            setAttribute(&l.attributes, "dimnames", nil)
        }
        if l.names != nil || !added.isEmpty {
            var names = l.names ?? [String](repeating: "", count: n)
            names.append(contentsOf: repeatElement("", count: count - n))
            for (k, name) in added.enumerated() where n + k < count { names[n + k] = name }
            l.names = names
        }
    }
}

/// `x[i, j, ...]` on arrays: one index per dimension, each selecting positions along it.
enum ArrayIndex {
    /// The positions each index selects along its dimension (an empty index selects all).
    static func positions(_ x: Value, _ idx: [Value?], _ d: [Int]) throws(FnError) -> [[Int]] {
        var out: [[Int]] = []
        for (k, i) in idx.enumerated() {
            guard let i else { out.append(Array(0..<d[k])); continue }
            let names = Matrix.names(x, k)
            let (pos, _) = try Indexing.positions(i, count: d[k], names: names, assigning: false)
            for p in pos where p >= d[k] || (p < 0 && i.atomicType == .character) {
                throw FnError.runtime("subscript out of bounds")
            }
            out.append(pos)
        }
        return out
    }

    /// The column-major offsets of every combination of `positions` (the first varying fastest);
    /// -1 where a position is NA.
    static func offsets(_ positions: [[Int]], _ d: [Int]) -> [Int] {
        var total = 1
        for p in positions { total *= p.count }
        var out: [Int] = []
        out.reserveCapacity(total)
        if total == 0 { return out }
        var counter = [Int](repeating: 0, count: positions.count)
        for _ in 0..<total {
            var off = 0, stride = 1, na = false
            for k in 0..<positions.count {
                let p = positions[k][counter[k]]
                if p < 0 { na = true }
                off += p * stride
                stride *= d[k]
            }
            out.append(na ? -1 : off)
            var k = 0
            while k < counter.count {
                counter[k] += 1
                if counter[k] < positions[k].count { break }
                counter[k] = 0
                k += 1
            }
        }
        return out
    }

    static func get(_ x: Value, _ idx: [Value?], _ d: [Int], drop: Bool) throws(FnError) -> Value {
        let pos = try positions(x, idx, d)
        let offs = offsets(pos, d)
        var dimnames: [Value]? = nil
        var dimnamesNames: [String]? = nil
        if case .list(let dn)? = x.attribute("dimnames") {
            dimnamesNames = dn.names
            dimnames = dn.elements.enumerated().map { k, e in
                guard let s = e.storage else { return .null }
                return Value(Vector(s.gathered(pos[k])))
            }
        }
        var data: Value
        switch x {
        case .list(let l):
            data = .list(List(offs.map { $0 < 0 ? .null : l.elements[$0] }))
        default:
            guard let s = x.storage else { throw FnError.runtime("object of type '\(x.typeName)' is not subsettable") }
            data = .vector(Vector(s.gathered(offs)))
        }
        var kept = Array(0..<d.count)
        if drop { kept = kept.filter { pos[$0].count != 1 } }
        if drop && kept.count <= 1 {
            if kept.count == 1, let dn = dimnames, case let n = dn[kept[0]], !n.isNull {
                try Attributes.set(&data, "names", n)
            }
            if case .vector(let v) = data { return Value(v) }
            return data
        }
        try Attributes.set(&data, "dim", Value(Vector(.integer(kept.map { Int32(pos[$0].count) }))))
        if let dn = dimnames, kept.contains(where: { !dn[$0].isNull }) || dimnamesNames != nil {
            try Attributes.set(&data, "dimnames", .list(List(kept.map { dn[$0] }, names: dimnamesNames.map { n in kept.map { n[$0] } })))
        }
        return data
    }

    static func set(_ x: inout Value, _ idx: [Value?], _ d: [Int], _ v: Value) throws(FnError) {
        let pos = try positions(x, idx, d)
        let offs = offsets(pos, d)
        if offs.isEmpty { return }
        if offs.contains(where: { $0 < 0 }) { throw FnError.runtime("NAs are not allowed in subscripted assignments") }
        if case .list(var l) = x {
            let values = Unpack.elements(v)
            if values.isEmpty { throw FnError.runtime("replacement has length zero") }
            x = .null
            for (k, p) in offs.enumerated() { l.elements[p] = values[k % values.count] }
            x = .list(l)
            return
        }
        guard let vs = v.storage, case .vector(var vec) = x else {
            throw FnError.runtime("incompatible types (from \(v.typeName) to \(x.typeName)) in subassignment type fix")
        }
        if vs.count == 0 { throw FnError.runtime("replacement has length zero") }
        if offs.count % vs.count != 0 {
            throw FnError.runtime("number of items to replace is not a multiple of replacement length")
        }
        let type = max(vec.storage.type, vs.type)
        var storage = vec.storage.converted(to: type)
        x = .null
        vec.storage = .logical([])
        Indexing.write(&storage, positions: offs, from: vs.converted(to: type), newCount: storage.count)
        vec.storage = storage
        x = .vector(vec)
    }

    /// The offsets a numeric matrix index with one column per dimension of `x` selects
    /// (`m[cbind(i, j)]`); nil when `i` is not such a matrix.
    static func matrixIndex(_ x: Value, _ i: Value) throws(FnError) -> [Int]? {
        guard case .vector(let iv) = i, iv.attributes != nil, let id = iv.dim, id.count == 2,
            let d = x.dim, id[1] == d.count, d.count >= 2, iv.storage.type == .integer || iv.storage.type == .double
        else { return nil }
        let values = iv.storage.doubles()
        let rows = id[0]
        var out: [Int] = []
        for r in 0..<rows {
            var off = 0, stride = 1
            for k in 0..<d.count {
                let p = values[k * rows + r]
                if p.isNaN { off = -1; break }
                guard p >= 1, p < Double(d[k]) + 1 else { throw FnError.runtime("subscript out of bounds") }
                off += (Int(p) - 1) * stride
                stride *= d[k]
            }
            out.append(off)
        }
        return out
    }
}
