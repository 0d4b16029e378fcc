#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The gamma family as builtins: `gamma`, `lgamma`, `beta`, `lbeta`, `digamma`, `trigamma`,
/// `lfactorial`, `lchoose`.
extension BuiltinRegistry {
    mutating func registerSpecialFunctions() {
        defineSpecial("gamma") { x, ip in
            let g = Special.gamma(x)
            // R warns when 1/x overflows, not when a large x does.
            if g.isInfinite && abs(x) < 1 && x != 0 {
                ip.warn("value out of range in 'gammafn'")
            }
            return g
        }
        defineSpecial("lgamma") { x, _ in Special.lgamma(x) }
        defineSpecial("digamma") { x, _ in Special.digamma(x) }
        defineSpecial("trigamma") { x, _ in Special.trigamma(x) }
        define("beta", ["a", "b"]) { args, ip throws(FnError) in
            try Recycled.map2(args, "a", "b", ip) { Special.beta($0, $1) }
        }
        define("lbeta", ["a", "b"]) { args, ip throws(FnError) in
            try Recycled.map2(args, "a", "b", ip) { Special.lbeta($0, $1) }
        }
        defineSpecial("lfactorial") { x, _ in Special.lgamma(x + 1) }
        define("lchoose", ["n", "k"]) { args, ip throws(FnError) in
            try Recycled.map2(args, "n", "k", ip) { n, k in
                let r = k.rounded(.toNearestOrEven)
                if abs(k - r) > 1e-7 * max(1, abs(k)) {
                    ip.warn("'k' (\(cFormat("%.2f", k))) must be integer, rounded to \(cFormat("%.0f", r))")
                }
                return Special.lchoose(n, r)
            }
        }
    }

    /// A one-argument special function, elementwise with names kept and R's "NaNs produced".
    private mutating func defineSpecial(_ name: String, _ f: @escaping (Double, Interpreter) -> Double) {
        define(name, ["x"]) { args, ip throws(FnError) in
            let x = try args.required(0, "x")
            guard let s = x.storage, s.type != .character else {
                throw FnError.runtime("non-numeric argument to mathematical function")
            }
            var nan = false
            let out = s.doubles().map { d -> Double in
                let r = f(d, ip)
                if r.isNaN && !d.isNaN { nan = true }
                return r
            }
            if nan { ip.warn("NaNs produced") }
            return Value(Vector(.double(out), names: x.names))
        }
    }
}

/// Special functions the distributions are built from, following the published algorithms:
/// Stirling's series for the gamma correction terms, Loader (2000) for `stirlerr` and `bd0`,
/// the SLATEC construction of `lbeta`, asymptotic series with recurrence for the polygammas.
enum Special {
    static let lnSqrt2Pi = 0.918938533204672741780329736406
    static let lnSqrtPiOver2 = 0.225791352644727432363097614947
    static let ln2Pi = 1.837877066409345483560659472811
    static let invSqrt2Pi = 0.398942280401432677939946059934

    /// Γ(x), NaN at zero and the negative integers.
    static func gamma(_ x: Double) -> Double {
        if x.isNaN { return x }
        if x == 0 || (x < 0 && x == x.rounded()) { return .nan }
        // R gives up where 1/x would come close to overflowing.
        if abs(x) < 2.2474362225598545e-308 { return x > 0 ? .infinity : -.infinity }
        if x > 10 && x < 171.61447887182298 {
            // Stirling's formula with its correction term, as R evaluates large arguments.
            return exp((x - 0.5) * Glibc.log(x) - x + lnSqrt2Pi + lgammaCorrection(x))
        }
        return tgamma(x)
    }

    /// log|Γ(x)|, +Inf at zero and the negative integers.
    static func lgamma(_ x: Double) -> Double {
        if x.isNaN { return x }
        if x <= 0 && x == x.rounded() { return .infinity }
        var sign: Int32 = 0
        return lgamma_r(x, &sign)
    }

    /// The remainder of Stirling's formula, log Γ(x) - ((x - 1/2) log x - x + log √(2π)), for x ≥ 10.
    static func lgammaCorrection(_ x: Double) -> Double {
        // Series in 1/x with the coefficients B(2k) / (2k (2k - 1)).
        let z = 1 / (x * x)
        let c: [Double] = [1.0 / 12, -1.0 / 360, 1.0 / 1260, -1.0 / 1680, 1.0 / 1188,
                           -691.0 / 360360, 1.0 / 156, -3617.0 / 122400]
        return polynomial(c, z) / x
    }

    /// Loader's stirlerr(n) = log(n!) - log(√(2π n) (n/e)^n).
    static func stirlerr(_ n: Double) -> Double {
        if n <= 15 {
            let twice = n + n
            if twice == twice.rounded(), twice >= 0 { return stirlerrHalves[Int(twice)] }
            return lgamma(n + 1) - (n + 0.5) * log(n) + n - lnSqrt2Pi
        }
        let s0 = 1.0 / 12, s1 = 1.0 / 360, s2 = 1.0 / 1260, s3 = 1.0 / 1680, s4 = 1.0 / 1188
        let nn = n * n
        if n > 500 { return (s0 - s1 / nn) / n }
        if n > 80 { return (s0 - (s1 - s2 / nn) / nn) / n }
        if n > 35 { return (s0 - (s1 - (s2 - s3 / nn) / nn) / nn) / n }
        return (s0 - (s1 - (s2 - (s3 - s4 / nn) / nn) / nn) / nn) / n
    }

    /// stirlerr at 0, 0.5, 1, ..., 15 (the value at 0 is a placeholder).
    static let stirlerrHalves: [Double] = [
        0.0, 0.15342640972002736, 0.08106146679532726, 0.05481412105191765, 0.0413406959554093,
        0.03316287351993629, 0.02767792568499834, 0.023746163656297496, 0.020790672103765093,
        0.018488450532673187, 0.016644691189821193, 0.015134973221917378, 0.013876128823070748,
        0.012810465242920227, 0.01189670994589177, 0.011104559758206917, 0.010411265261972096,
        0.009799416126158804, 0.009255462182712733, 0.008768700134139386, 0.00833056343336287,
        0.00793411456431402, 0.007573675487951841, 0.007244554301320383, 0.00694284010720953,
        0.006665247032707682, 0.006408994188004207, 0.006171712263039458, 0.0059513701127588475,
        0.0057462165130101155, 0.005554733551962801,
    ]

    /// Loader's deviance term bd0(x, np) = x log(x / np) + np - x, without cancellation.
    /// `difference` is x - np when the caller knows it more precisely than by subtraction.
    static func bd0(_ x: Double, _ np: Double, difference: Double? = nil) -> Double {
        if !x.isFinite || !np.isFinite || np == 0 { return .nan }
        let diff = difference ?? x - np
        if abs(diff) < 0.1 * (x + np) {
            var v = diff / (x + np)
            var s = diff * v
            if abs(s) < Double.leastNormalMagnitude { return s }
            var ej = 2 * x * v
            v *= v
            for j in 1..<1000 {
                ej *= v
                let next = s + ej / Double(2 * j + 1)
                if next == s { return next }
                s = next
            }
        }
        return x * log(x / np) + np - x
    }

    /// log B(a, b), built to avoid the cancellation of three large log-gammas.
    static func lbeta(_ a: Double, _ b: Double) -> Double {
        if a.isNaN || b.isNaN { return a + b }
        let p = min(a, b), q = max(a, b)
        if p < 0 { return .nan }
        if p == 0 { return .infinity }
        if !q.isFinite { return -.infinity }
        if p >= 10 {
            let corr = lgammaCorrection(p) + lgammaCorrection(q) - lgammaCorrection(p + q)
            return log(q) * -0.5 + lnSqrt2Pi + corr + (p - 0.5) * log(p / (p + q)) + q * log1p(-p / (p + q))
        }
        if q >= 10 {
            let corr = lgammaCorrection(q) - lgammaCorrection(p + q)
            return lgamma(p) + corr + p - p * log(p + q) + (q - 0.5) * log1p(-p / (p + q))
        }
        if p + q < 171.61447887182298 { return log(tgamma(p) * (tgamma(q) / tgamma(p + q))) }
        return lgamma(p) + (lgamma(q) - lgamma(p + q))
    }

    /// log |choose(n, k)| for an integer k, as R computes it (through lbeta for integer n).
    static func lchoose(_ n: Double, _ k: Double) -> Double {
        if k < 2 {
            if k < 0 { return -.infinity }
            if k == 0 { return 0 }
            return log(abs(n))
        }
        if n < 0 { return lchoose(-n + k - 1, k) }
        if n == n.rounded() {
            if n < k { return -.infinity }
            if n - k < 2 { return lchoose(n, n - k) }
            return -log(n + 1) - lbeta(n - k + 1, k + 1)
        }
        return lgamma(n + 1) - lgamma(k + 1) - lgamma(n - k + 1)
    }

    /// B(a, b).
    static func beta(_ a: Double, _ b: Double) -> Double {
        if a.isNaN || b.isNaN { return a + b }
        if a < 0 || b < 0 { return .nan }
        if a == 0 || b == 0 { return .infinity }
        if !a.isFinite || !b.isFinite { return 0 }
        if a + b < 171.61447887182298 { return tgamma(a) * tgamma(b) / tgamma(a + b) }
        return exp(lbeta(a, b))
    }

    /// ψ(x) = d/dx log Γ(x).
    static func digamma(_ x: Double) -> Double {
        if x.isNaN { return x }
        if x <= 0 && x == x.rounded() { return .nan }
        if x == .infinity { return x }
        if x < 0 {
            // Reflection: ψ(1 - x) - ψ(x) = π cot(πx).
            let t = tanPi(x)
            return digamma(1 - x) - (t.isNaN ? 0 : Double.pi / t)
        }
        var v = x, shift = 0.0
        while v < 10 {
            shift -= 1 / v
            v += 1
        }
        let z = 1 / (v * v)
        // ψ(v) ~ log v - 1/(2v) - Σ B(2k) / (2k v^2k)
        let c: [Double] = [1.0 / 12, -1.0 / 120, 1.0 / 252, -1.0 / 240, 1.0 / 132,
                           -691.0 / 32760, 1.0 / 12, -3617.0 / 8160]
        return shift + (log(v) - 0.5 / v - polynomial(c, z) * z)
    }

    /// ψ'(x).
    static func trigamma(_ x: Double) -> Double {
        if x.isNaN { return x }
        if x <= 0 && x == x.rounded() { return .infinity }
        if x < 0 {
            // Reflection: ψ'(1 - x) + ψ'(x) = π² / sin²(πx).
            let s = sinPi(x)
            return -trigamma(1 - x) + Double.pi * Double.pi / (s * s)
        }
        var v = x, shift = 0.0
        while v < 10 {
            shift += 1 / (v * v)
            v += 1
        }
        let z = 1 / (v * v)
        // ψ'(v) ~ 1/v + 1/(2v²) + Σ B(2k) / v^(2k+1)
        let c: [Double] = [1.0 / 6, -1.0 / 30, 1.0 / 42, -1.0 / 30, 5.0 / 66,
                           -691.0 / 2730, 7.0 / 6, -3617.0 / 510]
        return shift + (1 / v + 0.5 * z + polynomial(c, z) * z / v)
    }

    /// c[0] + c[1] z + c[2] z² + ... by Horner's rule.
    static func polynomial(_ c: [Double], _ z: Double) -> Double {
        var s = 0.0
        for coefficient in c.reversed() { s = s * z + coefficient }
        return s
    }

    /// sin(πx), exact at the integers and half-integers.
    static func sinPi(_ x: Double) -> Double {
        var r = x.truncatingRemainder(dividingBy: 2)
        if r <= -1 { r += 2 } else if r > 1 { r -= 2 }
        if r == 0 || r == 1 { return 0 }
        if r == 0.5 { return 1 }
        if r == -0.5 { return -1 }
        return sin(Double.pi * r)
    }

    /// tan(πx), exact at the integers and half-integers.
    static func tanPi(_ x: Double) -> Double {
        var r = x.truncatingRemainder(dividingBy: 1)
        if r <= -0.5 { r += 1 } else if r > 0.5 { r -= 1 }
        if r == 0 { return 0 }
        if r == 0.5 { return .nan }
        if r == 0.25 { return 1 }
        if r == -0.25 { return -1 }
        return tan(Double.pi * r)
    }
}

/// Elementwise evaluation of numeric builtins over recycled arguments, as R's math2/math3 do:
/// the result is as long as the longest argument (empty if any is empty), takes the names of
/// the first argument when as long, gives NA for an NA argument and warns "NaNs produced" when
/// a computation (not an input) produced NaN.
enum Recycled {
    /// The numbers of a numeric (or logical) argument; R's error for anything else.
    static func numbers(_ v: Value?, _ name: String) throws(FnError) -> [Double] {
        guard let v else { throw FnError.runtime("argument \"\(name)\" is missing, with no default") }
        if v.isNull { return [] }
        guard let s = v.storage, s.type != .character else {
            throw FnError.runtime("Non-numeric argument to mathematical function")
        }
        return s.doubles()
    }

    /// Applies `f` over the recycled columns; `columns[0]` gives the names. Warnings `f` collects
    /// are given before "NaNs produced", in R's order.
    static func apply(
        _ columns: [[Double]], names: [String]?, _ ip: Interpreter, _ f: ([Double], inout [String]) -> Double
    ) -> Value {
        var warnings: [String] = []
        let n = columns.contains { $0.isEmpty } ? 0 : columns.map(\.count).max() ?? 0
        var out = [Double](repeating: 0, count: n)
        var row = [Double](repeating: 0, count: columns.count)
        var nan = false
        for i in 0..<n {
            var na = false, anyNaN = false
            for c in columns.indices {
                let d = columns[c][i % columns[c].count]
                row[c] = d
                if d.isNaN { anyNaN = true; if NA.isNA(d) { na = true } }
            }
            if anyNaN {
                out[i] = na ? NA.double : .nan
                continue
            }
            let r = f(row, &warnings)
            if r.isNaN { nan = true }
            out[i] = r
        }
        for w in warnings { ip.warn(w) }
        if nan { ip.warn("NaNs produced") }
        let keepNames = names != nil && columns[0].count == n ? names : nil
        return Value(Vector(.double(out), names: keepNames))
    }

    /// Two required numeric arguments, formals 0 and 1.
    static func map2(
        _ args: Arguments, _ a: String, _ b: String, _ ip: Interpreter, _ f: (Double, Double) -> Double
    ) throws(FnError) -> Value {
        let x = try numbers(args[0], a), y = try numbers(args[1], b)
        return apply([x, y], names: args[0]?.names, ip) { row, _ in f(row[0], row[1]) }
    }
}
