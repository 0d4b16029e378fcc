#if canImport(Glibc)
import Glibc
#endif

/// Matrices and arrays: atomic vectors with a `dim` attribute (column-major, as R stores them)
/// and optional `dimnames`. Construction, shape, linear algebra, margins, binding.
extension BuiltinRegistry {
    mutating func registerMatrix() {
        define("matrix", ["data", "nrow", "ncol", "byrow", "dimnames"]) { args, ip throws(FnError) in
            let data = args[0] ?? .logical(NA.logical)
            var elements: [Value]? = nil
            if case .list(let l) = data { elements = l.elements }
            guard let s = data.storage ?? (data.isNull || elements != nil ? Storage.logical([]) : nil) else {
                throw FnError.runtime("'data' must be of a vector type, was '\(data.typeName)'")
            }
            let len = elements?.count ?? s.count
            var nrow = try args[1].map { v throws(FnError) in try Unpack.int(v, "nrow", default: 1) }
            var ncol = try args[2].map { v throws(FnError) in try Unpack.int(v, "ncol", default: 1) }
            if let r = nrow, r < 0 { throw FnError.runtime("invalid 'nrow' value (< 0)") }
            if let c = ncol, c < 0 { throw FnError.runtime("invalid 'ncol' value (< 0)") }
            switch (nrow, ncol) {
            case (nil, nil): nrow = len; ncol = 1
            case (let r?, nil): ncol = r == 0 ? 0 : Int((Double(len) / Double(r)).rounded(.up))
            case (nil, let c?): nrow = c == 0 ? 0 : Int((Double(len) / Double(c)).rounded(.up))
            default: break
            }
            let r = nrow ?? 1, c = ncol ?? 1
            try Limits.checkLength(Double(r) * Double(c))
            if len > 0 && r * c > 0 {
                if len > 1 && (r * c) % len != 0 {
                    if (len > r && (len / r) * r != len) || (len < r && (r / len) * len != r) {
                        ip.warn("data length [\(len)] is not a sub-multiple or multiple of the number of rows [\(r)]")
                    } else if (len > c && (len / c) * c != len) || (len < c && (c / len) * len != c) {
                        ip.warn("data length [\(len)] is not a sub-multiple or multiple of the number of columns [\(c)]")
                    } else {
                        ip.warn("data length differs from size of matrix: [\(len) != \(r) x \(c)]")
                    }
                } else if len > r * c {
                    ip.warn("data length differs from size of matrix: [\(len) != \(r) x \(c)]")
                }
            } else if len == 0 && r * c > 0 {
                throw FnError.runtime("'data' must be of a vector type, was 'NULL'")
            }
            let byrow = try Unpack.flag(args[3], "byrow", default: false)
            var index = [Int](repeating: 0, count: r * c)
            for j in 0..<c {
                for i in 0..<r { index[j * r + i] = (byrow ? i * c + j : j * r + i) % max(len, 1) }
            }
            var x = elements.map { e in Value.list(List(index.map { e[$0] })) } ?? Value(Vector(s.gathered(index)))
            try Attributes.set(&x, "dim", Value(Vector(.integer([Int32(r), Int32(c)]))))
            if let dn = args[4], !dn.isNull { try Attributes.set(&x, "dimnames", dn) }
            return x
        }
        define("array", ["data", "dim", "dimnames"]) { args, _ throws(FnError) in
            let data = args[0] ?? .logical(NA.logical)
            let s = data.storage ?? .logical([])
            let given = args[1].map { v in v.storage?.doubles() ?? [] } ?? [Double(s.count)]
            if given.isEmpty || given.contains(where: { !($0 >= 0) }) {
                throw FnError.runtime("negative length vectors are not allowed")
            }
            if given.contains(where: { $0 > 2147483647 }) { throw FnError.runtime("'dim' specifies too large an array") }
            let dims = given.map { Int($0) }
            try Limits.checkLength(dims.reduce(1.0) { $0 * Double($1) })
            let total = dims.reduce(1, *)
            let n = s.count
            let index = (0..<total).map { n == 0 ? -1 : $0 % n }
            var x = Value(Vector(s.gathered(index)))
            try Attributes.set(&x, "dim", Value(Vector(.integer(dims.map { Int32($0) }))))
            if let dn = args[2], !dn.isNull { try Attributes.set(&x, "dimnames", dn) }
            return x
        }
        define("as.matrix", ["x", "..."]) { args, _ throws(FnError) in
            let x = try args.required(0, "x")
            if let d = x.dim, d.count == 2 { return x }
            // A vector becomes one column, its names the row names.
            let rows = x.names.map { Value(Vector(.character($0))) } ?? .null
            var out: Value
            switch x {
            case .list(let l): out = .list(List(l.elements))
            default:
                guard let s = x.storage else { throw FnError.runtime("cannot make a matrix of a \(x.typeName)") }
                out = Value(Vector(s))
            }
            try Attributes.set(&out, "dim", Value(Vector(.integer([Int32(x.length), 1]))))
            if !rows.isNull { try Attributes.set(&out, "dimnames", .list(List([rows, .null]))) }
            return out
        }
        define("is.matrix", ["x"]) { args, _ throws(FnError) in .bool((try args.required(0, "x")).dim?.count == 2) }
        define("is.array", ["x"]) { args, _ throws(FnError) in .bool((try args.required(0, "x")).dim != nil) }
        define("nrow", ["x"]) { args, _ throws(FnError) in
            let x = try args.required(0, "x")
            if DataFrame.isDataFrame(x) { return .integer(Int32(DataFrame.rowCount(x))) }
            return x.dim.map { .integer(Int32($0[0])) } ?? .null
        }
        define("ncol", ["x"]) { args, _ throws(FnError) in
            let x = try args.required(0, "x")
            if DataFrame.isDataFrame(x) { return .integer(Int32(x.length)) }
            return x.dim.map { $0.count > 1 ? .integer(Int32($0[1])) : .integer(NA.integer) } ?? .null
        }
        define("NROW", ["x"]) { args, _ throws(FnError) in
            let x = try args.required(0, "x")
            return .integer(Int32(x.dim?[0] ?? x.length))
        }
        define("NCOL", ["x"]) { args, _ throws(FnError) in
            let x = try args.required(0, "x")
            if let d = x.dim { return .integer(Int32(d.count > 1 ? d[1] : 1)) }
            return .integer(1)
        }
        define("rownames", ["x"]) { args, _ throws(FnError) in
            Matrix.dimnames(try args.required(0, "x"), 0)
        }
        define("colnames", ["x"]) { args, _ throws(FnError) in
            Matrix.dimnames(try args.required(0, "x"), 1)
        }
        define("rownames<-", ["x", "value"]) { args, _ throws(FnError) in
            var x = try args.required(0, "x")
            try Matrix.setDimnames(&x, 0, args[1] ?? .null)
            return x
        }
        define("colnames<-", ["x", "value"]) { args, _ throws(FnError) in
            var x = try args.required(0, "x")
            try Matrix.setDimnames(&x, 1, args[1] ?? .null)
            return x
        }
        define("t", ["x"]) { args, _ throws(FnError) in try Matrix.transpose(try args.required(0, "x")) }
        define("%*%", ["x", "y"]) { args, _ throws(FnError) in
            try Matrix.product(try args.required(0, "x"), try args.required(1, "y"))
        }
        define("crossprod", ["x", "y"]) { args, _ throws(FnError) in
            let x = try args.required(0, "x")
            return try Matrix.product(try Matrix.transpose(x), args[1] ?? x)
        }
        define("tcrossprod", ["x", "y"]) { args, _ throws(FnError) in
            let x = try args.required(0, "x")
            return try Matrix.product(x, try Matrix.transpose(args[1] ?? x))
        }
        define("outer", ["X", "Y", "FUN", "..."]) { args, ip throws(FnError) in
            let x = try args.required(0, "X"), y = try args.required(1, "Y")
            let f = try Unpack.function(args[2] ?? .character("*"), ip, "FUN")
            let nx = x.length, ny = y.length
            try Limits.checkLength(Double(nx) * Double(ny))
            let xs = x.storage ?? .logical([]), ys = y.storage ?? .logical([])
            let xi = Value(Vector(xs.gathered((0..<(nx * ny)).map { $0 % nx })))
            let yi = Value(Vector(ys.gathered((0..<(nx * ny)).map { $0 / max(nx, 1) })))
            var result = try ip.callFunction(f, [xi, yi] + args.dots, names: [nil, nil] + args.dotNames)
            guard result.length == nx * ny else {
                throw FnError.runtime("dims [product \(nx * ny)] do not match the length of object [\(result.length)]")
            }
            let dims = (x.dim ?? [nx]) + (y.dim ?? [ny])
            try Attributes.setNames(&result, nil)
            try Attributes.set(&result, "dim", Value(Vector(.integer(dims.map { Int32($0) }))))
            if x.dim == nil && y.dim == nil && (x.names != nil || y.names != nil) {
                let dn: [Value] = [x.names.map { Value(Vector(.character($0))) } ?? .null,
                                   y.names.map { Value(Vector(.character($0))) } ?? .null]
                try Attributes.set(&result, "dimnames", .list(List(dn)))
            }
            return result
        }
        define("diag", ["x", "nrow", "ncol", "names"]) { args, _ throws(FnError) in
            let x = args[0] ?? .double(1)
            if let d = x.dim, d.count == 2 {
                let s = x.storage ?? .logical([])
                let k = min(d[0], d[1])
                var out = Value(Vector(s.gathered((0..<k).map { $0 * d[0] + $0 })))
                if let rn = Matrix.names(x, 0), let cn = Matrix.names(x, 1), Array(rn.prefix(k)) == Array(cn.prefix(k)),
                    try Unpack.flag(args[3], "names", default: true)
                {
                    try Attributes.setNames(&out, Array(rn.prefix(k)))
                }
                return out
            }
            guard let s = x.storage else { throw FnError.runtime("'x' must be numeric or a matrix") }
            var values: [Double]
            var n: Int
            if s.count == 1 && args[1] == nil && args[2] == nil && s.type != .logical {
                let size = s.doubles()[0]
                guard !size.isNaN, size >= 0, size < 1e9 else { throw FnError.runtime("invalid 'nrow' value (< 0)") }
                n = Int(size)
                values = [1]
            } else {
                values = s.doubles()
                n = try Unpack.int(args[1], "nrow", default: values.count)
            }
            let m = try Unpack.int(args[2], "ncol", default: n)
            if n < 0 { throw FnError.runtime("invalid 'nrow' value (< 0)") }
            if m < 0 { throw FnError.runtime("invalid 'ncol' value (< 0)") }
            try Limits.checkLength(Double(n) * Double(m))
            var out = [Double](repeating: 0, count: n * m)
            if !values.isEmpty { for i in 0..<min(n, m) { out[i * n + i] = values[i % values.count] } }
            return Matrix.make(.double(out), n, m)
        }
        define("diag<-", ["x", "value"]) { args, _ throws(FnError) in
            var x = try args.required(0, "x")
            guard let d = x.dim, d.count == 2 else { throw FnError.runtime("only matrix diagonals can be replaced") }
            let v = try args.required(1, "value")
            let k = min(d[0], d[1])
            guard v.length == 1 || v.length == k else { throw FnError.runtime("replacement diagonal has wrong length") }
            let positions = Value(Vector(.double((0..<k).map { Double($0 * d[0] + $0 + 1) })))
            try Indexing.setSubset(&x, positions, v)
            return x
        }
        define("solve", ["a", "b", "..."]) { args, _ throws(FnError) in
            try Matrix.solve(try args.required(0, "a"), args[1])
        }
        define("det", ["x", "..."]) { args, _ throws(FnError) in
            let a = try args.required(0, "x")
            guard let d = a.dim, d.count == 2, d[0] == d[1] else { throw FnError.runtime("'a' must be a square matrix") }
            var m = Matrix.doubles(a)
            return .double(Matrix.luDeterminant(&m, d[0]))
        }
        define("row", ["x"]) { args, _ throws(FnError) in
            let x = try args.required(0, "x")
            guard let d = x.dim, d.count == 2 else { throw FnError.runtime("a matrix-like object is required as argument to 'row'") }
            return Matrix.make(.integer((0..<(d[0] * d[1])).map { Int32($0 % d[0] + 1) }), d[0], d[1])
        }
        define("col", ["x"]) { args, _ throws(FnError) in
            let x = try args.required(0, "x")
            guard let d = x.dim, d.count == 2 else { throw FnError.runtime("a matrix-like object is required as argument to 'col'") }
            return Matrix.make(.integer((0..<(d[0] * d[1])).map { Int32($0 / max(d[0], 1) + 1) }), d[0], d[1])
        }
        for (name, upper) in [("upper.tri", true), ("lower.tri", false)] {
            define(name, ["x", "diag"]) { args, _ throws(FnError) in
                let x = try args.required(0, "x")
                let d = x.dim ?? [x.length, 1]
                let withDiag = try Unpack.flag(args[1], "diag", default: false)
                let r = d[0], c = d.count > 1 ? d[1] : 1
                var out = [Int8](repeating: 0, count: r * c)
                for j in 0..<c {
                    for i in 0..<r where (upper ? i < j : i > j) || (withDiag && i == j) { out[j * r + i] = 1 }
                }
                return Matrix.make(.logical(out), r, c)
            }
        }
        for (name, byRow, mean) in [("rowSums", true, false), ("colSums", false, false),
                                    ("rowMeans", true, true), ("colMeans", false, true)] {
            define(name, ["x", "na.rm", "dims"]) { args, _ throws(FnError) in
                let x = try args.required(0, "x")
                guard let d = x.dim, d.count >= 2 else {
                    throw FnError.runtime("'x' must be an array of at least two dimensions")
                }
                guard let s = x.storage, s.type != .character else { throw FnError.runtime("'x' must be numeric") }
                let naRm = try Unpack.flag(args[1], "na.rm", default: false)
                let v = s.doubles()
                let r = d[0], c = v.count / max(r, 1)
                let n = byRow ? r : c
                var out = [Double](repeating: 0, count: n)
                for k in 0..<n {
                    var sum = 0.0, count = 0
                    for m in 0..<(byRow ? c : r) {
                        let e = byRow ? v[m * r + k] : v[k * r + m]
                        if naRm && e.isNaN { continue }
                        sum += e
                        count += 1
                    }
                    out[k] = mean ? (count == 0 ? .nan : sum / Double(count)) : sum
                }
                return Value(Vector(.double(out), names: Matrix.names(x, byRow ? 0 : 1)))
            }
        }
        define("apply", ["X", "MARGIN", "FUN", "...", "simplify"]) { args, ip throws(FnError) in
            try Matrix.apply(args, ip)
        }
        define("sweep", ["x", "MARGIN", "STATS", "FUN", "check.margin", "..."]) { args, ip throws(FnError) in
            let x = try args.required(0, "x")
            guard let d = x.dim, d.count == 2 else { throw FnError.runtime("sweep() needs a matrix in fn") }
            let margin = try Unpack.int(args[1], "MARGIN", default: 1)
            let stats = try args.required(2, "STATS")
            let f = try Unpack.function(args[3] ?? .character("-"), ip, "FUN")
            guard let ss = stats.storage, ss.count > 0 else { throw FnError.runtime("'STATS' must not be empty") }
            let n = ss.count
            let index = (0..<(d[0] * d[1])).map { margin == 1 ? ($0 % d[0]) % n : ($0 / max(d[0], 1)) % n }
            var expanded = Value(Vector(ss.gathered(index)))
            try Attributes.set(&expanded, "dim", x.attribute("dim") ?? .null)
            return try ip.callFunction(f, [x, expanded] + args.dots, names: [nil, nil] + args.dotNames)
        }
        define("aperm", ["a", "perm"]) { args, _ throws(FnError) in
            let a = try args.required(0, "a")
            guard let d = a.dim, let s = a.storage else { throw FnError.runtime("invalid first argument, must be an array") }
            let perm = args[1].map { v in
                (v.storage?.doubles() ?? []).map { $0 >= 1 && $0 <= Double(d.count) ? Int($0) - 1 : -1 }
            } ?? Array((0..<d.count).reversed())
            guard perm.count == d.count, Set(perm) == Set(0..<d.count) else { throw FnError.runtime("'perm' is of wrong length \(perm.count) (!= \(d.count))") }
            let nd = perm.map { d[$0] }
            let total = d.reduce(1, *)
            var strides = [Int](repeating: 1, count: d.count)
            for k in 1..<max(d.count, 1) { strides[k] = strides[k - 1] * d[k - 1] }
            var index = [Int](repeating: 0, count: total)
            var counter = [Int](repeating: 0, count: nd.count)
            for p in 0..<total {
                var off = 0
                for k in 0..<nd.count { off += counter[k] * strides[perm[k]] }
                index[p] = off
                var k = 0
                while k < nd.count {
                    counter[k] += 1
                    if counter[k] < nd[k] { break }
                    counter[k] = 0
                    k += 1
                }
            }
            var out = Value(Vector(s.gathered(index)))
            try Attributes.set(&out, "dim", Value(Vector(.integer(nd.map { Int32($0) }))))
            if case .list(let dn)? = a.attribute("dimnames") {
                try Attributes.set(&out, "dimnames", .list(List(perm.map { dn.elements[$0] },
                                                                names: dn.names.map { n in perm.map { n[$0] } })))
            }
            return out
        }
        define("scale", ["x", "center", "scale"]) { args, _ throws(FnError) in
            let x = try args.required(0, "x")
            guard let s = x.storage, s.type != .character else { throw FnError.runtime("'x' must be numeric") }
            let d = x.dim ?? [s.count, 1]
            guard d.count == 2 else { throw FnError.runtime("'x' must be a matrix") }
            var v = s.doubles()
            let r = d[0], c = d[1]
            func column(_ j: Int) -> [Double] { (0..<r).map { v[j * r + $0] }.filter { !$0.isNaN } }
            // center/scale: TRUE computes them per column, FALSE skips, numbers give them.
            func option(_ value: Value?, _ name: String, _ compute: (Int) -> Double) throws(FnError) -> [Double]? {
                guard let value else { return (0..<c).map(compute) }
                if case .logical(let b) = value { return b == 1 ? (0..<c).map(compute) : nil }
                guard let given = value.storage?.doubles(), given.count == c else {
                    throw FnError.runtime("length of '\(name)' must equal the number of columns of 'x'")
                }
                return given
            }
            let centers = try option(args[1], "center") { j in
                let col = column(j)
                return col.reduce(0, +) / Double(col.count)
            }
            if let centers { for j in 0..<c { for i in 0..<r { v[j * r + i] -= centers[j] } } }
            let scales = try option(args[2], "scale") { j in
                let col = column(j)
                return (col.reduce(0) { $0 + $1 * $1 } / Double(max(col.count - 1, 1))).squareRoot()
            }
            if let scales { for j in 0..<c { for i in 0..<r { v[j * r + i] /= scales[j] } } }
            var out = Matrix.make(.double(v), r, c)
            try Attributes.set(&out, "dimnames", x.attribute("dimnames") ?? .null)
            if let centers { try Attributes.set(&out, "scaled:center", Value(Vector(.double(centers), names: Matrix.names(x, 1)))) }
            if let scales { try Attributes.set(&out, "scaled:scale", Value(Vector(.double(scales), names: Matrix.names(x, 1)))) }
            return out
        }
        for name in ["prop.table", "proportions"] {
            define(name, ["x", "margin"]) { args, ip throws(FnError) in
                let x = try args.required(0, "x")
                guard let s = x.storage, s.type != .character else { throw FnError.runtime("'x' is not an array") }
                let v = s.doubles()
                guard let marginValue = args[1], !marginValue.isNull else {
                    let total = v.reduce(0, +)
                    return try Operators.binary(.divide, x, .double(total), ip)
                }
                guard let d = x.dim, d.count == 2 else { throw FnError.runtime("'x' is not an array") }
                let margin = try Unpack.int(marginValue, "margin", default: 1)
                var out = v
                for k in 0..<(margin == 1 ? d[0] : d[1]) {
                    let cells = margin == 1 ? (0..<d[1]).map { $0 * d[0] + k } : (0..<d[0]).map { k * d[0] + $0 }
                    let total = cells.reduce(0.0) { $0 + v[$1] }
                    for p in cells { out[p] = v[p] / total }
                }
                var result = Matrix.make(.double(out), d[0], d[1])
                try Attributes.set(&result, "dimnames", x.attribute("dimnames") ?? .null)
                return result
            }
        }
        for (name, byColumn) in [("cbind", true), ("rbind", false)] {
            define(name, ["...", "deparse.level"]) { args, ip throws(FnError) in
                if args.dots.contains(where: DataFrame.isDataFrame) { return try DataFrame.bind(args, byColumn: byColumn, ip) }
                return try Matrix.bind(args, byColumn: byColumn, symbols: Matrix.argumentSymbols(ip, name, args.dots.count))
            }
        }
    }
}

/// Helpers on column-major matrices.
enum Matrix {
    /// A matrix of `storage` with `r` rows and `c` columns.
    static func make(_ storage: Storage, _ r: Int, _ c: Int, dimnames: [Value]? = nil) -> Value {
        var attributes = AttributeList([("dim", Value(Vector(.integer([Int32(r), Int32(c)]))))])
        if let dimnames, dimnames.contains(where: { !$0.isNull }) { attributes["dimnames"] = .list(List(dimnames)) }
        return .vector(Vector(storage, names: nil, attributes: attributes))
    }

    /// `dimnames(x)[[k]]` as strings.
    static func names(_ x: Value, _ k: Int) -> [String]? {
        guard case .list(let dn)? = x.attribute("dimnames"), k < dn.count, let s = dn.elements[k].storage else { return nil }
        return s.strings().map { $0 ?? "NA" }
    }

    static func dimnames(_ x: Value, _ k: Int) -> Value {
        guard case .list(let dn)? = x.attribute("dimnames"), k < dn.count else { return .null }
        return dn.elements[k]
    }

    static func setDimnames(_ x: inout Value, _ k: Int, _ v: Value) throws(FnError) {
        guard let d = x.dim else { throw FnError.runtime("attempt to set '\(k == 0 ? "rownames" : "colnames")' on an object with no dimensions") }
        var parts: [Value]
        var partNames: [String]? = nil
        if case .list(let dn)? = x.attribute("dimnames") {
            parts = dn.elements
            partNames = dn.names
        } else {
            parts = [Value](repeating: .null, count: d.count)
        }
        guard k < parts.count else { throw FnError.runtime("attempt to set 'colnames' on an object with less than two dimensions") }
        parts[k] = v
        try Attributes.set(&x, "dimnames", parts.allSatisfy(\.isNull) ? .null : .list(List(parts, names: partNames)))
    }

    static func doubles(_ x: Value) -> [Double] { x.storage?.doubles() ?? [] }

    /// `t(x)`: a vector becomes one row.
    static func transpose(_ x: Value) throws(FnError) -> Value {
        guard let s = x.storage else { throw FnError.runtime("argument is not a matrix") }
        guard let d = x.dim else {
            return make(s, 1, s.count, dimnames: x.names.map { [.null, Value(Vector(.character($0)))] })
        }
        guard d.count <= 2 else { throw FnError.runtime("argument is not a matrix") }
        let r = d[0], c = d.count > 1 ? d[1] : 1
        let index = (0..<(r * c)).map { p in (p % c) * r + p / c }
        var dn: [Value]? = nil
        if case .list(let l)? = x.attribute("dimnames") { dn = l.count == 2 ? [l.elements[1], l.elements[0]] : [.null, l.elements[0]] }
        var out = make(s.gathered(index), c, r, dimnames: dn)
        if case .list(let l)? = x.attribute("dimnames"), let n = l.names, n.count == 2 {
            try Attributes.set(&out, "dimnames", .list(List(dn ?? [], names: [n[1], n[0]])))
        }
        return out
    }

    /// `x %*% y`, with R's promotion of vectors to a row or a column.
    static func product(_ x: Value, _ y: Value) throws(FnError) -> Value {
        guard let sx = x.storage, let sy = y.storage, sx.type != .character, sy.type != .character else {
            throw FnError.runtime("requires numeric/complex matrix/vector arguments")
        }
        var dx = x.dim ?? [], dy = y.dim ?? []
        if dx.count > 2 || dy.count > 2 { throw FnError.runtime("non-conformable arguments") }
        if dx.isEmpty && dy.isEmpty {
            if sx.count == sy.count { dx = [1, sx.count]; dy = [sy.count, 1] } else if sx.count == 1 {
                dx = [1, 1]; dy = [1, sy.count]
            } else { dx = [sx.count, 1]; dy = [1, sy.count] }
        } else if dx.isEmpty {
            dx = sx.count == dy[0] ? [1, sx.count] : [sx.count, 1]
        } else if dy.isEmpty {
            dy = sy.count == dx[1] ? [sy.count, 1] : [1, sy.count]
        }
        if dx.count == 1 { dx = [dx[0], 1] }
        if dy.count == 1 { dy = [dy[0], 1] }
        guard dx[1] == dy[0] else { throw FnError.runtime("non-conformable arguments") }
        let a = sx.doubles(), b = sy.doubles()
        let n = dx[0], k = dx[1], m = dy[1]
        var out = [Double](repeating: 0, count: n * m)
        for j in 0..<m {
            for i in 0..<n {
                var sum = 0.0
                for p in 0..<k { sum += a[p * n + i] * b[j * k + p] }
                out[j * n + i] = sum
            }
        }
        let rn = x.dim != nil ? dimnames(x, 0) : .null
        let cn = y.dim != nil && (y.dim?.count ?? 0) > 1 ? dimnames(y, 1) : .null
        return make(.double(out), n, m, dimnames: [rn, cn])
    }

    /// LU decomposition in place with partial pivoting; the determinant.
    static func luDeterminant(_ m: inout [Double], _ n: Int) -> Double {
        var det = 1.0
        for k in 0..<n {
            var p = k
            for i in (k + 1)..<max(n, k + 1) where abs(m[k * n + i]) > abs(m[k * n + p]) { p = i }
            if m[k * n + p] == 0 { return 0 }
            if p != k {
                for j in 0..<n { m.swapAt(j * n + k, j * n + p) }
                det = -det
            }
            let pivot = m[k * n + k]
            det *= pivot
            for i in (k + 1)..<max(n, k + 1) {
                let f = m[k * n + i] / pivot
                if f == 0 { continue }
                for j in (k + 1)..<n { m[j * n + i] -= f * m[j * n + k] }
                m[k * n + i] = f
            }
        }
        return det
    }

    /// `solve(a, b)`: Gaussian elimination with partial pivoting; `b` missing gives the inverse.
    static func solve(_ a: Value, _ bv: Value?) throws(FnError) -> Value {
        guard let d = a.dim ?? (a.length == 1 ? [1, 1] : nil), d.count == 2 else {
            throw FnError.runtime("'a' must be a numeric matrix")
        }
        guard d[0] == d[1] else { throw FnError.runtime("'a' (\(d[0]) x \(d[1])) must be square") }
        guard let sa = a.storage, sa.type != .character else { throw FnError.runtime("'a' must be a numeric matrix") }
        let n = d[0]
        var m = sa.doubles()
        var rhs: [Double]
        var nrhs: Int
        var vectorResult = false
        if let bv {
            guard let sb = bv.storage, sb.type != .character else { throw FnError.runtime("'b' must be a numeric matrix") }
            rhs = sb.doubles()
            if let bd = bv.dim {
                guard bd[0] == n else { throw FnError.runtime("'b' (\(bd[0]) x \(bd.count > 1 ? bd[1] : 1)) must be compatible with 'a' (\(n) x \(n))") }
                nrhs = bd.count > 1 ? bd[1] : 1
            } else {
                guard rhs.count == n else { throw FnError.runtime("'b' (\(rhs.count) x 1) must be compatible with 'a' (\(n) x \(n))") }
                nrhs = 1
                vectorResult = true
            }
        } else {
            nrhs = n
            rhs = [Double](repeating: 0, count: n * n)
            for i in 0..<n { rhs[i * n + i] = 1 }
        }
        var singular: Int? = nil
        for k in 0..<n {
            var p = k
            for i in k..<n where abs(m[k * n + i]) > abs(m[k * n + p]) { p = i }
            if m[k * n + p] == 0 {
                if singular == nil { singular = k + 1 }
                continue
            }
            if p != k {
                for j in 0..<n { m.swapAt(j * n + k, j * n + p) }
                for j in 0..<nrhs { rhs.swapAt(j * n + k, j * n + p) }
            }
            for i in (k + 1)..<max(n, k + 1) {
                let f = m[k * n + i] / m[k * n + k]
                if f == 0 { continue }
                for j in k..<n { m[j * n + i] -= f * m[j * n + k] }
                for j in 0..<nrhs { rhs[j * n + i] -= f * rhs[j * n + k] }
            }
        }
        if let s = singular {
            throw FnError.runtime("Lapack routine dgesv: system is exactly singular: U[\(s),\(s)] = 0")
        }
        for j in 0..<nrhs {
            for i in stride(from: n - 1, through: 0, by: -1) {
                var sum = rhs[j * n + i]
                for k in (i + 1)..<max(n, i + 1) { sum -= m[k * n + i] * rhs[j * n + k] }
                rhs[j * n + i] = sum / m[i * n + i]
            }
        }
        if vectorResult { return Value(Vector(.double(rhs), names: names(a, 1))) }
        if bv == nil { return make(.double(rhs), n, n, dimnames: [dimnames(a, 1), dimnames(a, 0)]) }
        return make(.double(rhs), n, nrhs, dimnames: [dimnames(a, 1), bv.map { dimnames($0, 1) } ?? .null])
    }

    /// `apply(X, MARGIN, FUN, ...)` over the rows (1) or columns (2) of a matrix.
    static func apply(_ args: Arguments, _ ip: Interpreter) throws(FnError) -> Value {
        let x = try args.required(0, "X")
        guard let d = x.dim, d.count == 2, let s = x.storage else {
            throw FnError.runtime("dim(X) must have a positive length")
        }
        let marginValue = try args.required(1, "MARGIN")
        let margins = (marginValue.storage?.doubles() ?? []).map { Int($0) }
        let f = try Unpack.function(try args.required(2, "FUN"), ip)
        let r = d[0], c = d[1]
        if margins.sorted() == [1, 2] {
            var results: [Value] = []
            for j in 0..<c { for i in 0..<r { results.append(try ip.callFunction(f, [s.element(j * r + i)] + args.dots, names: [nil] + args.dotNames)) } }
            var out = simplified(results, names: nil)
            if results.allSatisfy({ $0.length == 1 && $0.atomicType != nil }) {
                try Attributes.set(&out, "dim", x.attribute("dim") ?? .null)
                try Attributes.set(&out, "dimnames", x.attribute("dimnames") ?? .null)
            }
            return out
        }
        guard margins.count == 1, margins[0] == 1 || margins[0] == 2 else {
            throw FnError.runtime("'MARGIN' does not match dim(X)")
        }
        let byRow = margins[0] == 1
        let n = byRow ? r : c
        let sliceNames = names(x, byRow ? 1 : 0)
        var results: [Value] = []
        for k in 0..<n {
            let index = byRow ? (0..<c).map { $0 * r + k } : (0..<r).map { k * r + $0 }
            let slice = Value(Vector(s.gathered(index), names: sliceNames))
            results.append(try ip.callFunction(f, [slice] + args.dots, names: [nil] + args.dotNames))
        }
        let outerNames = names(x, byRow ? 0 : 1)
        if try !Unpack.flag(args[4], "simplify", default: true) {
            return .list(List(results, names: outerNames))
        }
        return try simplifyToMatrix(results, names: outerNames)
    }

    /// `sapply`'s simplification: all length 1 gives a vector, all the same length k > 1 a
    /// k-row matrix (rows named by the first result's names, columns by `names`), else a list.
    static func simplifyToMatrix(_ results: [Value], names: [String]?) throws(FnError) -> Value {
        guard let first = results.first else { return .list(List([])) }
        let k = first.length
        guard k > 1, results.allSatisfy({ $0.length == k && ($0.atomicType != nil || isList($0)) }) else {
            return simplified(results, names: names)
        }
        if results.contains(where: isList) {
            var elements: [Value] = []
            for r in results { elements += Unpack.elements(r) }
            return .list(List(elements, names: nil, attributes: matrixAttributes(k, results.count, first.names, names)))
        }
        guard case .vector(let combined) = try Combine.values(results, names: results.map { _ in nil }) else {
            return simplified(results, names: names)
        }
        return .vector(Vector(combined.storage, names: nil,
                              attributes: matrixAttributes(k, results.count, first.names, names)))
    }

    private static func isList(_ v: Value) -> Bool {
        if case .list = v { return true }
        return false
    }

    private static func matrixAttributes(_ r: Int, _ c: Int, _ rn: [String]?, _ cn: [String]?) -> AttributeList {
        var a = AttributeList([("dim", Value(Vector(.integer([Int32(r), Int32(c)]))))])
        if rn != nil || cn != nil {
            a["dimnames"] = .list(List([rn.map { Value(Vector(.character($0))) } ?? .null,
                                        cn.map { Value(Vector(.character($0))) } ?? .null]))
        }
        return a
    }

    /// The names of the symbols passed as the arguments of the builtin call being run (`cbind(a, b)`
    /// names its columns `a` and `b`), nil for arguments that are not plain symbols.
    static func argumentSymbols(_ ip: Interpreter, _ function: String, _ count: Int) -> [String?] {
        let site = (ip.activeBuiltinCall as? DispatchedCall)?.original ?? ip.activeBuiltinCall
        // Only a call written as `function(...)`: not `do.call(rbind, ...)` or `sapply(x, cbind)`.
        guard let call = site as? CallNode, (call.callee as? FunctionLookupNode)?.name == function, !call.splicesDots,
            call.arguments.count == count
        else {
            return [String?](repeating: nil, count: count)
        }
        return call.arguments.map { a in
            if a.name != nil { return nil }
            switch a.value {
            case let v as LocalVariableNode: return v.name
            case let v as OuterVariableNode: return v.name
            case let v as GlobalVariableNode: return v.name
            default: return nil
            }
        }
    }

    /// `cbind`/`rbind` of vectors and matrices.
    static func bind(_ args: Arguments, byColumn: Bool, symbols: [String?]) throws(FnError) -> Value {
        let deparseLevel = try Unpack.int(args[1], "deparse.level", default: 1)
        var parts: [(value: Value, name: String?)] = []
        for (i, v) in args.dots.enumerated() where !v.isNull {
            parts.append((v, args.dotNames[i] ?? (deparseLevel >= 1 ? symbols[i] : nil)))
        }
        if parts.isEmpty { return .null }
        // The length along the binding direction: a matrix's extent, else the longest vector.
        var extent = -1
        for p in parts {
            if let d = p.value.dim, d.count == 2 {
                let e = byColumn ? d[0] : d[1]
                if extent >= 0 && extent != e {
                    throw FnError.runtime("number of \(byColumn ? "rows" : "columns") of matrices must match (see arg \(1))")
                }
                extent = e
            }
        }
        if extent < 0 { extent = parts.map { $0.value.length }.max() ?? 0 }
        // Each slice along the bound dimension is a part and its elements' offsets in that part.
        var slices: [(part: Int, offsets: [Int])] = []
        var sliceNames: [String] = []
        var anySliceName = false
        var otherNames: [String]? = nil
        for (k, p) in parts.enumerated() {
            if let d = p.value.dim, d.count == 2 {
                let r = d[0], c = d[1]
                let names = Matrix.names(p.value, byColumn ? 1 : 0)
                if otherNames == nil { otherNames = Matrix.names(p.value, byColumn ? 0 : 1) }
                for m in 0..<(byColumn ? c : r) {
                    slices.append((k, byColumn ? (0..<r).map { m * r + $0 } : (0..<c).map { $0 * r + m }))
                    sliceNames.append(names?[m] ?? "")
                    if names != nil { anySliceName = true }
                }
            } else {
                let n = p.value.length
                if n == 0 { continue }
                slices.append((k, (0..<extent).map { $0 % n }))
                sliceNames.append(p.name ?? "")
                if p.name != nil { anySliceName = true }
                if otherNames == nil, let names = p.value.names, names.count == extent { otherNames = names }
            }
        }
        let count = slices.count
        // The result's cells in column-major order: a cbind's slices end to end, an rbind's
        // interleaved.
        var cells: [(part: Int, offset: Int)] = []
        cells.reserveCapacity(count * extent)
        if byColumn {
            for slice in slices { for o in slice.offsets { cells.append((slice.part, o)) } }
        } else {
            for j in 0..<extent { for slice in slices { cells.append((slice.part, slice.offsets[j])) } }
        }
        let bound: Value = anySliceName ? Value(Vector(.character(sliceNames))) : .null
        let other: Value = otherNames.map { Value(Vector(.character($0))) } ?? .null
        let dimnames = byColumn ? [other, bound] : [bound, other]
        let (rows, columns) = byColumn ? (extent, count) : (count, extent)
        if parts.contains(where: { if case .list = $0.value { return true } else { return false } }) {
            // A list among the parts makes a list matrix.
            let elements = parts.map { Unpack.elements($0.value) }
            var out = Value.list(List(cells.map { elements[$0.part][$0.offset] }))
            try Attributes.set(&out, "dim", Value(Vector(.integer([Int32(rows), Int32(columns)]))))
            if !dimnames.allSatisfy(\.isNull) { try Attributes.set(&out, "dimnames", .list(List(dimnames))) }
            return out
        }
        var type = AtomicType.logical
        for p in parts {
            guard let t = p.value.atomicType else { throw FnError.runtime("cannot bind a \(p.value.typeName)") }
            type = max(type, t)
        }
        var base: [Int] = []
        var total = 0
        for p in parts {
            base.append(total)
            total += p.value.length
        }
        let flat = Unpack.combine(parts.map(\.value), as: type)
        let data = flat.gathered(cells.map { base[$0.part] + $0.offset })
        return make(data, rows, columns, dimnames: dimnames)
    }
}
