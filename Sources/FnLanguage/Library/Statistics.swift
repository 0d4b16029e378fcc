/// Descriptive statistics and counting: `median`, `weighted.mean`, `tabulate`, `findInterval`,
/// `table` (one vector, as a named integer vector) and `diff`.
extension BuiltinRegistry {
    mutating func registerStatistics() {
        define("median", ["x", "na.rm", "..."]) { args, ip throws(FnError) in
            let x = try args.required(0, "x")
            let naRm = try Unpack.flag(args[1], "na.rm", default: false)
            if x.isNull { return .null }
            guard let s = x.storage, x.classAttribute?.contains("factor") != true else {
                throw FnError.runtime("need numeric data")
            }
            // As R's median.default: an NA (unless removed) or no values give NA of x's type; an odd
            // count gives the middle element itself (a logical stays logical, a string a string).
            let missing = Value(s.gathered([-1]))
            let sorted = order([s], decreasing: false, naLast: true).filter { !s.isNA($0) }
            if sorted.isEmpty || (sorted.count < s.count && !naRm) { return missing }
            let n = sorted.count
            if n % 2 == 1 { return Value(s.gathered([sorted[n / 2]])) }
            if s.type == .character {
                ip.warn("argument is not numeric or logical: returning NA")
                return .double(NA.double)
            }
            let a = s.doubles()
            return .double(twoPassMean([a[sorted[n / 2 - 1]], a[sorted[n / 2]]]))
        }
        define("tabulate", ["bin", "nbins"]) { args, _ throws(FnError) in
            let bin = try args.required(0, "bin")
            guard let s = bin.storage, s.type == .integer || s.type == .double else {
                throw FnError.runtime("'bin' must be numeric or a factor")
            }
            let bins = s.integers()
            let nbins: Int
            if let v = args[1] {
                guard let d = Unpack.firstDouble(v), v.atomicType != .character else {
                    throw FnError.runtime("invalid 'nbin' argument")
                }
                if d.isNaN { throw FnError.runtime("missing value where TRUE/FALSE needed") }
                guard d >= 0, d < 2147483648 else { throw FnError.runtime("invalid 'nbin' argument") }
                nbins = Int(d)
            } else {
                nbins = max(1, bins.filter { $0 != NA.integer }.max().map { Int($0) } ?? 0)
            }
            try Limits.checkLength(Double(nbins))
            var counts = [Int32](repeating: 0, count: nbins)
            for b in bins where b != NA.integer && b >= 1 && Int(b) <= nbins { counts[Int(b) - 1] += 1 }
            return Value(.integer(counts))
        }
        define("findInterval", ["x", "vec", "rightmost.closed", "all.inside", "left.open"]) { args, _ throws(FnError) in
            let x = try args.required(0, "x"), vec = try args.required(1, "vec")
            let rightmostClosed = try Unpack.flag(args[2], "rightmost.closed", default: false)
            let allInside = try Unpack.flag(args[3], "all.inside", default: false)
            let leftOpen = try Unpack.flag(args[4], "left.open", default: false)
            let v = Unpack.flatStorage(vec)?.doubles() ?? []
            guard !v.contains(where: \.isNaN), zip(v, v.dropFirst()).allSatisfy({ $0 <= $1 }) else {
                throw FnError.runtime("'vec' must be sorted non-decreasingly and not contain NAs")
            }
            guard let xs = Unpack.flatStorage(x) else { throw FnError.runtime("'x' must be numeric") }
            let n = v.count
            let out: [Int32] = xs.doubles().map { d in
                if d.isNaN { return NA.integer }
                // How many breakpoints lie at or below d (strictly below, with left.open).
                var lo = 0, hi = n
                while lo < hi {
                    let mid = (lo + hi) / 2
                    if leftOpen ? v[mid] < d : v[mid] <= d { lo = mid + 1 } else { hi = mid }
                }
                var i = lo
                if rightmostClosed && n > 0 {
                    if !leftOpen && i == n && d == v[n - 1] { i = n - 1 }
                    if leftOpen && i == 0 && d == v[0] { i = 1 }
                }
                if allInside { i = min(max(i, 1), n - 1) }
                return Int32(i)
            }
            return Value(.integer(out))
        }
        define("weighted.mean", ["x", "w", "...", "na.rm"]) { args, _ throws(FnError) in
            let x = try args.required(0, "x")
            let naRm = try Unpack.flag(args[3], "na.rm", default: false)
            guard let xs = Unpack.flatStorage(x), xs.type != .character else {
                throw FnError.runtime("non-numeric argument to binary operator")
            }
            var values = xs.doubles()
            guard let wv = args[1] else {
                if naRm { values.removeAll { $0.isNaN } }
                return .double(values.isEmpty ? .nan : twoPassMean(values))
            }
            guard let ws = Unpack.flatStorage(wv), ws.type != .character else {
                throw FnError.runtime("non-numeric argument to binary operator")
            }
            var weights = ws.doubles()
            guard weights.count == values.count else { throw FnError.runtime("'x' and 'w' must have the same length") }
            if naRm {
                let keep = values.indices.filter { !values[$0].isNaN }
                values = keep.map { values[$0] }
                weights = keep.map { weights[$0] }
            }
            // sum((x * w)[w != 0]) / sum(w): a zero weight drops its value even when it is Inf.
            var total: Accumulator = 0, weight: Accumulator = 0
            for (v, w) in zip(values, weights) {
                if w != 0 { total += Accumulator(w.isNaN ? w : v * w) }
                weight += Accumulator(w)
            }
            return .double(Double(total / weight))
        }
        define("diff", ["x", "lag", "differences", "..."]) { args, _ throws(FnError) in
            var x = try args.required(0, "x")
            let lag = try Unpack.int(args[1], "lag", default: 1)
            let differences = try Unpack.int(args[2], "differences", default: 1)
            guard lag >= 1, differences >= 1 else { throw FnError.runtime("'lag' and 'differences' must be integers >= 1") }
            for _ in 0..<differences {
                guard let s = x.storage, s.type != .character else {
                    throw FnError.runtime("non-numeric argument to binary operator")
                }
                let n = s.count
                if n <= lag { return Value(.empty(s.type == .double ? .double : .integer)) }
                if s.type == .double {
                    let a = s.doubles()
                    x = Value(.double((lag..<n).map { a[$0] - a[$0 - lag] }))
                } else {
                    let a = s.integers()
                    x = Value(.integer((lag..<n).map { i in
                        guard a[i] != NA.integer, a[i - lag] != NA.integer else { return NA.integer }
                        let d = Int64(a[i]) - Int64(a[i - lag])
                        return abs(d) > Int64(Int32.max) ? NA.integer : Int32(d)
                    }))
                }
            }
            return x
        }
    }
}

