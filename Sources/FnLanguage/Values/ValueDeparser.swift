/// R's `deparse()` for values: the source text that would rebuild them (`c(1, 2)`, `"a"`,
/// `list(a = 1L)`), used in messages and by `deparse()`.
public enum ValueDeparser {
    /// The deparsed text, cut with "..." after about `limit` characters. `simple` is R's
    /// SIMPLEDEPARSE, as `as.character(list(...))` uses it: integers without the `L` suffix.
    public static func deparse(_ v: Value, limit: Int = Int.max, keepInteger: Bool = true, simple: Bool = false) -> String {
        var s = ""
        write(v, into: &s, limit: limit, simple: simple)
        if !keepInteger, case .integer(let i) = v, i != NA.integer { s = String(i) }
        if s.count > limit { s = String(s.prefix(limit)) + "..." }
        return s
    }

    static func write(_ v: Value, into s: inout String, limit: Int, simple: Bool = false) {
        if let attributes = v.attributes {
            // `structure(1:4, dim = c(2L, 2L))`, as R writes a value with attributes.
            var plain = v
            switch v {
            case .vector(let vec): plain = .vector(Vector(vec.storage, names: vec.names, attributes: nil))
            case .list(let l): plain = .list(List(l.elements, names: l.names, attributes: nil))
            default: break
            }
            s += "structure("
            write(plain, into: &s, limit: limit, simple: simple)
            for (name, value) in attributes.pairs {
                s += ", " + quotedName(name) + " = "
                write(value, into: &s, limit: limit, simple: simple)
            }
            s += ")"
            return
        }
        switch v {
        case .null: s += "NULL"
        case .logical(let x): s += scalar(.logical([x]), 0)
        case .integer(let x): s += scalar(.integer([x]), 0, simple: simple)
        case .double(let x): s += scalar(.double([x]), 0)
        case .character(let x): s += scalar(.character([x]), 0)
        case .vector(let vec):
            writeAtomic(vec.storage, names: vec.names, into: &s, limit: limit, simple: simple)
        case .list(let l):
            s += "list("
            for i in l.elements.indices {
                if s.utf8.count > limit { s += "..."; break }
                if i > 0 { s += ", " }
                if let n = l.names?[i], !n.isEmpty { s += quotedName(n) + " = " }
                write(l.elements[i], into: &s, limit: limit, simple: simple)
            }
            s += ")"
        case .closure: s += "function(...)"
        case .builtin(let b): s += ".Primitive(\"\(b.name)\")"
        case .environment: s += "<environment>"
        case .symbol(let name): s += quotedName(name)
        case .language: s += Language.deparseLines(v).joined(separator: " ")
        case .promise(let p): write(p.value ?? .null, into: &s, limit: limit, simple: simple)
        }
    }

    static func writeAtomic(_ st: Storage, names: [String]?, into s: inout String, limit: Int, simple: Bool = false) {
        let n = st.count
        if n == 0 {
            switch st.type {
            case .logical: s += "logical(0)"
            case .integer: s += "integer(0)"
            case .double: s += "numeric(0)"
            case .character: s += "character(0)"
            }
            return
        }
        // An integer range, up or down, deparses as `1:3` or `3:1`.
        if names == nil, n > 1, case .integer(let a) = st, !a.contains(NA.integer),
            zip(a, a.dropFirst()).allSatisfy({ $1 &- $0 == 1 }) || zip(a, a.dropFirst()).allSatisfy({ $0 &- $1 == 1 })
        {
            s += "\(a[0]):\(a[n - 1])"
            return
        }
        if n == 1 && names == nil { s += scalar(st, 0, simple: simple); return }
        s += "c("
        for i in 0..<n {
            if s.utf8.count > limit { s += "..."; break }
            if i > 0 { s += ", " }
            if let nm = names?[i], !nm.isEmpty { s += quotedName(nm) + " = " }
            s += scalar(st, i, simple: simple)
        }
        s += ")"
    }

    static func scalar(_ st: Storage, _ i: Int, simple: Bool = false) -> String {
        switch st {
        case .logical(let a):
            return a[i] == NA.logical ? "NA" : (a[i] != 0 ? "TRUE" : "FALSE")
        case .integer(let a):
            return a[i] == NA.integer ? "NA" : simple ? "\(a[i])" : "\(a[i])L"
        case .double(let a):
            let d = a[i]
            if NA.isNA(d) { return "NA" }
            return NumberFormat.r15(d)
        case .character(let a):
            guard let str = a[i] else { return "NA" }
            return quotedString(str)
        }
    }
}
