/// Descriptive statistics and counting: `median`, `var`, `sd`, `quantile` (type 7), `tabulate`,
/// `table` (one vector, as a named integer vector) and `diff`.
extension BuiltinRegistry {
    mutating func registerStatistics() {
        define("median", ["x", "na.rm", "..."]) { args, _ throws(FnError) in
            let x = try args.required(0, "x")
            guard var values = try numbers(x, "median", naRm: try Unpack.flag(args[1], "na.rm", default: false)) else {
                return x.atomicType == .integer ? .integer(NA.integer) : .double(NA.double)
            }
            if values.isEmpty { return x.atomicType == .integer ? .integer(NA.integer) : .double(NA.double) }
            values.sort()
            let n = values.count
            if n % 2 == 1 {
                return x.atomicType == .integer || x.atomicType == .logical
                    ? .integer(Int32(values[n / 2])) : .double(values[n / 2])
            }
            return .double((values[n / 2 - 1] + values[n / 2]) / 2)
        }
        define("var", ["x", "y", "na.rm", "use"]) { args, _ throws(FnError) in
            let naRm = try Unpack.flag(args[2], "na.rm", default: false)
            let x = try args.required(0, "x")
            let y = args[1].flatMap { $0.isNull ? nil : $0 }
            return .double(try covariance(x, y ?? x, naRm: naRm))
        }
        define("sd", ["x", "na.rm"]) { args, _ throws(FnError) in
            let x = try args.required(0, "x")
            return .double(try covariance(x, x, naRm: try Unpack.flag(args[1], "na.rm", default: false)).squareRoot())
        }
        define("quantile", ["x", "probs", "na.rm", "names", "type", "..."]) { args, _ throws(FnError) in
            let x = try args.required(0, "x")
            let naRm = try Unpack.flag(args[2], "na.rm", default: false)
            let type = try Unpack.int(args[4], "type", default: 7)
            guard type == 7 else { throw FnError.runtime("quantile(): only type = 7 is supported") }
            let probs = try args[1].map { v throws(FnError) -> [Double] in
                guard let s = v.storage, s.type != .character else { throw FnError.runtime("'probs' must be numeric") }
                return s.doubles()
            } ?? [0, 0.25, 0.5, 0.75, 1]
            for p in probs where !p.isNaN && (p < -1e-12 || p > 1 + 1e-12) {
                throw FnError.runtime("'probs' outside [0,1]")
            }
            guard var values = try numbers(x, "quantile", naRm: naRm) else {
                throw FnError.runtime("missing values and NaN's not allowed if 'na.rm' is FALSE")
            }
            values.sort()
            let n = values.count
            let out: [Double] = probs.map { p in
                guard !p.isNaN, n > 0 else { return NA.double }
                let h = Double(n - 1) * p
                let lo = Int(h.rounded(.down) + 4 * Double.ulpOfOne), hi = min(lo + 1, n - 1)
                let frac = h - Double(lo)
                let a = values[min(lo, n - 1)]
                return frac <= 0 ? a : a + frac * (values[hi] - a)
            }
            let names = try Unpack.flag(args[3], "names", default: true)
                ? probs.map { $0.isNaN ? "" : cFormat("%.7g", 100 * $0) + "%" } : nil
            return Value(Vector(.double(out), names: names))
        }
        define("tabulate", ["bin", "nbins"]) { args, _ throws(FnError) in
            let bin = try args.required(0, "bin")
            guard let s = bin.storage, s.type != .character else { throw FnError.runtime("'bin' must be numeric or a factor") }
            let bins = s.integers()
            let top = bins.filter { $0 != NA.integer }.max().map { Int($0) } ?? 0
            let nbins = try Unpack.int(args[1], "nbins", default: max(1, top))
            guard nbins >= 0 else { throw FnError.runtime("invalid 'nbins' argument") }
            var counts = [Int32](repeating: 0, count: nbins)
            for b in bins where b != NA.integer && b >= 1 && Int(b) <= nbins { counts[Int(b) - 1] += 1 }
            return Value(.integer(counts))
        }
        define("table", ["...", "useNA"]) { args, _ throws(FnError) in
            guard args.dots.count == 1 else {
                throw FnError.runtime("table(): only one vector is supported (fn has no matrices)")
            }
            let useNA = try Unpack.string(args[1], "useNA", default: "no")
            return try table(args.dots[0], useNA: useNA)
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

/// The numbers of `x` as doubles; nil when an NA is present and `naRm` is false.
private func numbers(_ x: Value, _ function: String, naRm: Bool) throws(FnError) -> [Double]? {
    if x.isNull { return [] }
    guard let s = x.storage, s.type != .character else {
        throw FnError.runtime("need numeric data")
    }
    let all = s.doubles()
    if naRm { return all.filter { !$0.isNaN } }
    return all.contains { $0.isNaN } ? nil : all
}

/// Sample covariance (n - 1 denominator), R's `var(x, y)` for vectors.
private func covariance(_ x: Value, _ y: Value, naRm: Bool) throws(FnError) -> Double {
    guard let sx = x.storage, sx.type != .character, let sy = y.storage, sy.type != .character else {
        throw FnError.runtime("is.atomic(x) is not TRUE")
    }
    var a = sx.doubles(), b = sy.doubles()
    guard a.count == b.count else { throw FnError.runtime("incompatible dimensions") }
    if naRm {
        let keep = a.indices.filter { !a[$0].isNaN && !b[$0].isNaN }
        a = keep.map { a[$0] }
        b = keep.map { b[$0] }
    }
    guard a.count >= 2 else { return NA.double }
    let ma = a.reduce(0, +) / Double(a.count), mb = b.reduce(0, +) / Double(b.count)
    var total = 0.0
    for i in a.indices { total += (a[i] - ma) * (b[i] - mb) }
    return total / Double(a.count - 1)
}

/// Counts of each distinct value, named by the value, sorted as R sorts factor levels.
private func table(_ x: Value, useNA: String) throws(FnError) -> Value {
    guard let s = Unpack.flatStorage(x) else { throw FnError.runtime("all arguments must have the same length") }
    let groups = FactorGroups(s)
    var names = groups.levels
    var values = [Int32](repeating: 0, count: names.count)
    var naCount: Int32 = 0
    for code in groups.codes {
        if code < 0 { naCount += 1 } else { values[code] += 1 }
    }
    if useNA == "always" || (useNA == "ifany" && naCount > 0) {
        names.append("NA")
        values.append(naCount)
    }
    return Value(Vector(.integer(values), names: names))
}
