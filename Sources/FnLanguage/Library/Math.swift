#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Elementwise mathematical functions: `abs`, `sqrt`, `exp`, `log*`, rounding, trigonometry,
/// `choose`, `factorial`.
extension BuiltinRegistry {
    mutating func registerMath() {
        define("abs", ["x"]) { args, _ throws(FnError) in
            let x = try args.required(0, "x")
            switch x {
            case .double(let d): return .double(Swift.abs(d))
            case .integer(let i): return .integer(i == NA.integer ? i : Swift.abs(i))
            default: break
            }
            let v = try numericVector(x)
            switch v.storage {
            case .logical, .integer:
                let out = v.storage.integers().map { $0 == NA.integer ? $0 : Swift.abs($0) }
                return Value(Vector(.integer(out), names: v.names, attributes: v.attributes))
            default:
                let out = v.storage.doubles().map { Swift.abs($0) }
                return Value(Vector(.double(out), names: v.names, attributes: v.attributes))
            }
        }
        defineMath("sqrt", nanWarning: true) { sqrt($0) }
        defineMath("exp") { exp($0) }
        defineMath("expm1") { expm1($0) }
        defineMath("log2", nanWarning: true) { log2($0) }
        defineMath("log10", nanWarning: true) { log10($0) }
        defineMath("log1p", nanWarning: true) { log1p($0) }
        defineMath("floor") { floor($0) }
        defineMath("ceiling") { ceil($0) }
        // trunc(x, ...): the methods for dates take `units` (trunc(t, "hours")).
        define("trunc", ["x", "..."]) { args, ip throws(FnError) in
            try mapDoubles(try args.required(0, "x"), ip, nanWarning: false) { trunc($0) }
        }
        defineMath("sign") { $0.isNaN ? $0 : $0 > 0 ? 1 : $0 < 0 ? -1 : 0 }
        defineMath("sin") { sin($0) }
        defineMath("cos") { cos($0) }
        defineMath("tan") { tan($0) }
        defineMath("asin", nanWarning: true) { asin($0) }
        defineMath("acos", nanWarning: true) { acos($0) }
        defineMath("atan") { atan($0) }

        define("log", ["x", "base"]) { args, ip throws(FnError) in
            let x = try args.required(0, "x")
            let divisor: Double
            if let b = args[1] {
                guard let base = Unpack.firstDouble(b), b.atomicType != .character else {
                    throw FnError.runtime("non-numeric argument to mathematical function")
                }
                divisor = log(base)
            } else {
                divisor = 1
            }
            return try mapDoubles(x, ip, nanWarning: true) { divisor == 1 ? log($0) : log($0) / divisor }
        }
        define("round", ["x", "digits"]) { args, ip throws(FnError) in
            let digits = try Unpack.int(args[1], "digits", default: 0)
            return try mapDoubles(try args.required(0, "x"), ip) { roundDigits($0, digits) }
        }
        define("signif", ["x", "digits"]) { args, ip throws(FnError) in
            let digits = max(1, try Unpack.int(args[1], "digits", default: 6))
            return try mapDoubles(try args.required(0, "x"), ip) { signifDigits($0, digits) }
        }
        registerCombinatorics()
    }

    private mutating func registerCombinatorics() {
        define("choose", ["n", "k"]) { args, ip throws(FnError) in
            let n = try args.required(0, "n"), k = try args.required(1, "k")
            let nv = try numericVector(n), kv = try numericVector(k)
            let ns = nv.storage.doubles(), ks = kv.storage.doubles()
            let count = ns.isEmpty || ks.isEmpty ? 0 : max(ns.count, ks.count)
            var out = [Double](repeating: 0, count: count)
            for i in 0..<count { out[i] = chooseDouble(ns[i % ns.count], ks[i % ks.count], ip) }
            // R's two-argument math functions take attributes from the argument as long as the result.
            let names = count == ns.count ? nv.names : (count == ks.count ? kv.names : nil)
            return Value(Vector(.double(out), names: names))
        }
        define("factorial", ["x"]) { args, ip throws(FnError) in
            let x = try args.required(0, "x")
            // R computes gamma(x + 1), so a non-numeric x fails in the addition.
            guard x.isNull || (x.atomicType.map { $0 != .character } ?? false) else {
                throw FnError.runtime("non-numeric argument to binary operator")
            }
            if x.isNull { return Value(.double([])) }
            return try mapDoubles(x, ip, nanWarning: true) { d in
                let g = d + 1
                // tgamma has poles at 0 and the negative integers where R's gamma gives NaN.
                if g <= 0 && g == g.rounded() { return .nan }
                return tgamma(g)
            }
        }
    }

    /// A function of one double argument, applied elementwise; integers and logicals become doubles.
    private mutating func defineMath(_ name: String, nanWarning: Bool = false, _ f: @escaping (Double) -> Double) {
        define(name, ["x"]) { args, ip throws(FnError) in
            try mapDoubles(try args.required(0, "x"), ip, nanWarning: nanWarning, f)
        }
    }
}

/// The numeric vector in `x`, or R's error for non-numeric arguments to math functions.
private func numericVector(_ x: Value) throws(FnError) -> Vector {
    switch x {
    case .vector(let v) where v.storage.type != .character: return v
    case .logical, .integer, .double: return Vector(x.storage ?? .double([]))
    default: throw FnError.runtime("non-numeric argument to mathematical function")
    }
}

/// Applies `f` to each element as a double, keeping names and the other attributes (a matrix stays
/// a matrix, as R's Math group keeps them); warns "NaNs produced" when asked.
private func mapDoubles(
    _ x: Value, _ ip: Interpreter, nanWarning: Bool = false, _ f: (Double) -> Double
) throws(FnError) -> Value {
    if case .double(let d) = x {
        let r = f(d)
        if nanWarning && r.isNaN && !d.isNaN { ip.warn("NaNs produced") }
        return .double(r)
    }
    let v = try numericVector(x)
    let input = v.storage.doubles()
    var out = [Double](repeating: 0, count: input.count)
    var producedNaN = false
    for i in 0..<input.count {
        let d = input[i]
        // NA stays NA (not a plain NaN), as in R.
        if NA.isNA(d) { out[i] = d; continue }
        out[i] = f(d)
        if out[i].isNaN && !d.isNaN { producedNaN = true }
    }
    if nanWarning && producedNaN { ip.warn("NaNs produced") }
    return Value(Vector(.double(out), names: v.names, attributes: v.attributes))
}

/// R's `round(x, digits)`: of the two decimal neighbours of `x` picks the closer one, halves to
/// even, so `round(0.15, 1)` is 0.1 because 0.15 is stored slightly below the half.
func roundDigits(_ x: Double, _ digits: Int) -> Double {
    if !x.isFinite { return x }
    if digits == 0 { return x.rounded(.toNearestOrEven) }
    if digits > 308 { return x }
    if digits < -308 { return 0 }
    let p = pow(10.0, Double(Swift.abs(digits)))
    let scaled = digits > 0 ? x * p : x / p
    if !scaled.isFinite || scaled.magnitude >= 9.0e15 { return x }
    let lo = scaled.rounded(.down), hi = scaled.rounded(.up)
    if lo == hi { return x }
    let a = digits > 0 ? lo / p : lo * p
    let b = digits > 0 ? hi / p : hi * p
    let da = Swift.abs(x - a), db = Swift.abs(b - x)
    if da < db { return a }
    if db < da { return b }
    return lo.truncatingRemainder(dividingBy: 2) == 0 ? a : b
}

/// R's `signif(x, digits)`: rounds to `digits` significant digits.
func signifDigits(_ x: Double, _ digits: Int) -> Double {
    if !x.isFinite || x == 0 { return x }
    let e = Int(floor(log10(Swift.abs(x))))
    return roundDigits(x, digits - 1 - e)
}

/// R's `choose(n, k)`: a product for small `k`, through log-gamma beyond, with `k` rounded to an
/// integer (warning when it was not within 1e-7 of one).
func chooseDouble(_ n: Double, _ k0: Double, _ ip: Interpreter) -> Double {
    if n.isNaN || k0.isNaN { return NA.isNA(n) || NA.isNA(k0) ? NA.double : .nan }
    var k = k0.rounded(.toNearestOrEven)
    if Swift.abs(k - k0) > 1e-7 {
        ip.warn("'k' (\(cFormat("%.2f", k0))) must be integer, rounded to \(cFormat("%.0f", k))")
    }
    let nIsInt = Swift.abs(n - n.rounded(.toNearestOrEven)) <= 1e-7 * max(1, Swift.abs(n))
    if k < 30 {
        if n - k < k && n >= 0 && nIsInt { k = (n - k).rounded(.toNearestOrEven) }
        if k < 0 { return 0 }
        if k == 0 { return 1 }
        var r = n
        var j = 2.0
        while j <= k {
            r *= (n - j + 1) / j
            j += 1
        }
        return nIsInt ? r.rounded(.toNearestOrEven) : r
    }
    if n < 0 {
        let r = chooseDouble(-n + k - 1, k, ip)
        return k.truncatingRemainder(dividingBy: 2) != 0 ? -r : r
    }
    if nIsInt {
        let m = n.rounded(.toNearestOrEven)
        if m < k { return 0 }
        if m - k < 30 { return chooseDouble(m, m - k, ip) }
        // A product of k ratios stays within a few ulps; R's log-beta route loses the last digits
        // (differences.md). Beyond a million factors the log-gamma form is cheaper and as good.
        let small = min(k, m - k)
        if small <= 1_000_000 {
            var r = 1.0, j = 1.0
            while j <= small && r.isFinite {
                r *= (m - small + j) / j
                j += 1
            }
            return r.rounded(.toNearestOrEven)
        }
        return exp(logChoose(m, k)).rounded(.toNearestOrEven)
    }
    if n < k - 1 {
        // Non-integer n below k: gamma(n - k + 1) may be negative, so track the sign separately.
        var sign: Int32 = 1
        let lg = lgamma_r(n - k + 1, &sign)
        let value = exp(lgamma(n + 1) - lgamma(k + 1) - lg)
        return sign < 0 ? -value : value
    }
    return exp(logChoose(n, k))
}

private func logChoose(_ n: Double, _ k: Double) -> Double {
    lgamma(n + 1) - lgamma(k + 1) - lgamma(n - k + 1)
}

