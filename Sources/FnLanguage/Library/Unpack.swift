/// Helpers that turn builtin arguments into Swift values with R's checks and messages.
enum Unpack {
    /// The first element as a double, or NA. Non-numeric values are `nil`.
    static func firstDouble(_ v: Value) -> Double? {
        switch v {
        case .double(let d): return d
        case .integer(let i): return i == NA.integer ? NA.double : Double(i)
        case .logical(let b): return b == NA.logical ? NA.double : Double(b)
        case .character(let s): return Coerce.double(fromString: s)
        case .vector(let vec):
            guard vec.count > 0 else { return nil }
            switch vec.storage {
            case .double(let a): return a[0]
            case .integer(let a): return a[0] == NA.integer ? NA.double : Double(a[0])
            case .logical(let a): return a[0] == NA.logical ? NA.double : Double(a[0])
            case .character(let a): return Coerce.double(fromString: a[0])
            }
        default: return nil
        }
    }

    /// A count-like argument (`n`, `length.out`, `times`): one non-NA number, truncated.
    static func int(_ v: Value?, _ name: String, default d: Int) throws(FnError) -> Int {
        guard let v, !v.isNull else { return d }
        guard let x = firstDouble(v), !x.isNaN else { throw FnError.runtime("invalid '\(name)' argument") }
        guard x.magnitude < 9.0e15 else { throw FnError.runtime("invalid '\(name)' argument") }
        return Int(x.rounded(.towardZero))
    }

    /// A `TRUE`/`FALSE` flag such as `na.rm`; NA and non-logical-like values are R's error.
    static func flag(_ v: Value?, _ name: String, default d: Bool) throws(FnError) -> Bool {
        guard let v else { return d }
        switch v {
        case .logical(let b) where b != NA.logical: return b != 0
        case .integer(let i) where i != NA.integer: return i != 0
        case .double(let x) where !x.isNaN: return x != 0
        default:
            if let s = v.storage, s.count >= 1 {
                let b = s.logicals()[0]
                if b != NA.logical { return b != 0 }
            }
            throw FnError.runtime("invalid '\(name)' argument")
        }
    }

    /// A single string argument (`sep`, `collapse`, `pattern`).
    static func string(_ v: Value?, _ name: String, default d: String? = nil) throws(FnError) -> String {
        guard let v, !v.isNull else {
            if let d { return d }
            throw FnError.runtime("argument \"\(name)\" is missing, with no default")
        }
        if case .character(let s?) = v { return s }
        guard let s = v.storage, s.count >= 1, s.type == .character, let first = s.strings()[0] else {
            throw FnError.runtime("invalid '\(name)' argument")
        }
        return first
    }

    /// The elements of a vector or list as values: what `lapply` and friends iterate over.
    static func elements(_ v: Value) -> [Value] {
        switch v {
        case .null: return []
        case .logical, .integer, .double, .character: return [v]
        case .vector(let vec):
            var out: [Value] = []
            out.reserveCapacity(vec.count)
            for i in 0..<vec.count { out.append(vec.storage.element(i)) }
            return out
        case .list(let l): return l.elements
        default: return [v]
        }
    }

    /// Atomic storage of a value, or R's error naming the function's expectation.
    static func atomic(_ v: Value, _ message: String) throws(FnError) -> Storage {
        if case .null = v { return .logical([]) }
        guard let s = v.storage else { throw FnError.runtime(message) }
        return s
    }

    /// The storage of `v` when it is atomic, or of a list whose elements are all atomic scalars
    /// (R's coercion of such a list by `as.character`, `paste`, `cat` ...). nil otherwise.
    static func flatStorage(_ v: Value) -> Storage? {
        if let s = v.storage { return s }
        switch v {
        case .null: return .logical([])
        case .list(let l):
            var type = AtomicType.logical
            for e in l.elements {
                guard let t = e.atomicType, e.length == 1 else { return nil }
                type = max(type, t)
            }
            return combine(l.elements, as: type)
        default: return nil
        }
    }

    /// Concatenates the atomic values in `parts` as one storage of `type` (names dropped).
    static func combine(_ parts: [Value], as type: AtomicType) -> Storage {
        switch type {
        case .logical:
            var out: [Int8] = []
            for p in parts { if let s = p.storage { out += s.logicals() } }
            return .logical(out)
        case .integer:
            var out: [Int32] = []
            for p in parts { if let s = p.storage { out += s.integers() } }
            return .integer(out)
        case .double:
            var out: [Double] = []
            for p in parts { if let s = p.storage { out += s.doubles() } }
            return .double(out)
        case .character:
            var out: [String?] = []
            for p in parts { if let s = p.storage { out += s.strings() } }
            return .character(out)
        }
    }

    /// A function argument given as a function or as the name of one (R's `match.fun`).
    static func function(_ v: Value, _ ip: Interpreter, _ name: String = "FUN") throws(FnError) -> Value {
        if v.isFunction { return v }
        if case .character(let s?) = v {
            let found: Value?
            do { found = try ip.lookupFunction(s, from: ip.env) } catch { throw ip.asError(error) }
            guard let found else { throw FnError.runtime("object '\(s)' of mode 'function' was not found") }
            return found
        }
        throw FnError.runtime("'\(name)' is not a function, character or symbol")
    }
}

extension Value {
    /// Element names, or `count` empty strings when there are none.
    func namesOrEmpty() -> [String] {
        names ?? Array(repeating: "", count: length)
    }
}

extension Storage {
    /// The elements at `indices` (0-based; a negative index gives NA), in that order.
    func gathered(_ indices: [Int]) -> Storage {
        switch self {
        case .logical(let a): return .logical(indices.map { $0 < 0 ? NA.logical : a[$0] })
        case .integer(let a): return .integer(indices.map { $0 < 0 ? NA.integer : a[$0] })
        case .double(let a): return .double(indices.map { $0 < 0 ? NA.double : a[$0] })
        case .character(let a): return .character(indices.map { $0 < 0 ? nil : a[$0] })
        }
    }
}

extension Value {
    /// The elements at `indices` (0-based), keeping names; what `x[i]` gives for in-range `i`.
    func gathered(_ indices: [Int]) -> Value {
        switch self {
        case .null: return .null
        case .list(let l):
            let names = l.names.map { n in indices.map { $0 < 0 ? "" : n[$0] } }
            return .list(List(indices.map { $0 < 0 ? .null : l.elements[$0] }, names: names))
        default:
            guard let s = storage else { return self }
            let names = self.names.map { n in indices.map { $0 < 0 ? "NA" : n[$0] } }
            return Value(Vector(s.gathered(indices), names: names))
        }
    }
}
