#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// 1/(b0 + a1/(b1 + a2/(b2 + ...))) by the modified Lentz method, one term at a time.
struct ContinuedFraction {
    private static let tiny = 1e-300
    private var c: Double
    private var d: Double
    private(set) var value: Double

    init(first b0: Double) {
        c = 1 / ContinuedFraction.tiny
        d = abs(b0) < ContinuedFraction.tiny ? 1 / ContinuedFraction.tiny : 1 / b0
        value = d
    }

    /// 1/(1 + a1/(1 + a2/(...))) after its first term: `leading` is 1 + a1.
    init(afterLeading leading: Double) {
        c = 1
        d = abs(leading) < ContinuedFraction.tiny ? 1 / ContinuedFraction.tiny : 1 / leading
        value = d
    }

    /// Takes the next partial numerator and denominator; true once the value has converged.
    mutating func add(_ a: Double, _ b: Double) -> Bool {
        d = b + a * d
        if abs(d) < ContinuedFraction.tiny { d = ContinuedFraction.tiny }
        c = b + a / c
        if abs(c) < ContinuedFraction.tiny { c = ContinuedFraction.tiny }
        d = 1 / d
        let delta = d * c
        value *= delta
        return abs(delta - 1) < 1e-16
    }
}

/// Where a probability lives: which tail, and whether on the log scale. The helpers turn a
/// lower-tail probability into the requested form and back, as R's d/p/q functions do.
struct Tail {
    var lower: Bool
    var log: Bool

    /// 0 and 1 in the requested scale.
    var zero: Double { log ? -.infinity : 0 }
    var one: Double { log ? 0 : 1 }
    /// Probability 0 and 1 of the requested tail (`R_DT_0`, `R_DT_1`).
    var tailZero: Double { lower ? zero : one }
    var tailOne: Double { lower ? one : zero }

    /// The requested probability `p` as a lower-tail probability, not logged (`R_DT_qIv`).
    func lowerProbability(_ p: Double) -> Double {
        log ? (lower ? exp(p) : -expm1(p)) : (lower ? p : 0.5 - p + 0.5)
    }

    /// The requested probability `p` as an upper-tail probability, not logged (`R_DT_CIv`).
    func upperProbability(_ p: Double) -> Double {
        log ? (lower ? -expm1(p) : exp(p)) : (lower ? 0.5 - p + 0.5 : p)
    }

    /// The quantile at the boundaries of the probability scale, NaN for an invalid `p`, or nil
    /// when `p` is strictly inside.
    func boundary(_ p: Double, left: Double, right: Double) -> Double? {
        if log {
            if p > 0 { return .nan }
            if p == 0 { return lower ? right : left }
            if p == -.infinity { return lower ? left : right }
        } else {
            if p < 0 || p > 1 { return .nan }
            if p == 0 { return lower ? left : right }
            if p == 1 { return lower ? right : left }
        }
        return nil
    }

    /// log(1 - exp(x)) for x ≤ 0, accurately (Mächler's log1mexp).
    static func log1mexp(_ x: Double) -> Double {
        x > -0.693147180559945309417232121458 ? Glibc.log(-expm1(x)) : log1p(-exp(x))
    }
}

/// The distributions' numerical kernels: Cody's pnorm, Wichura's AS 241 qnorm, Loader's saddle
/// point densities, the incomplete gamma and beta integrals by series and continued fractions,
/// and quantiles by safeguarded Newton iteration or discrete search.
enum Distribution {
    // MARK: Normal

    static func dnorm(_ x: Double, _ mu: Double, _ sigma: Double, log: Bool) -> Double {
        if sigma < 0 { return .nan }
        if !sigma.isFinite { return log ? -.infinity : 0 }
        if !x.isFinite && mu == x { return .nan }
        if sigma == 0 { return x == mu ? .infinity : (log ? -.infinity : 0) }
        var z = (x - mu) / sigma
        if !z.isFinite { return log ? -.infinity : 0 }
        z = abs(z)
        if z >= 2 * Double.greatestFiniteMagnitude.squareRoot() { return log ? -.infinity : 0 }
        if log { return -(Special.lnSqrt2Pi + 0.5 * z * z + Glibc.log(sigma)) }
        if z < 5 { return Special.invSqrt2Pi * exp(-0.5 * z * z) / sigma }
        // Beyond 5, split z so that exp(-z²/2) keeps its relative accuracy.
        if z > 38.58 { return 0 }
        let z1 = scalbn(scalbn(z, 16).rounded(), -16)
        let z2 = z - z1
        return Special.invSqrt2Pi / sigma * (exp(-0.5 * z1 * z1) * exp((-0.5 * z2 - z1) * z2))
    }

    static func pnorm(_ x: Double, _ mu: Double, _ sigma: Double, _ tail: Tail) -> Double {
        if !x.isFinite && mu == x { return .nan }
        if sigma <= 0 {
            if sigma < 0 { return .nan }
            return x < mu ? tail.tailZero : tail.tailOne
        }
        let z = (x - mu) / sigma
        if !z.isFinite { return z < 0 ? tail.tailZero : tail.tailOne }
        let (lower, upper) = normalTails(z, log: tail.log, needLower: tail.lower, needUpper: !tail.lower)
        return tail.lower ? lower : upper
    }

    /// Both tails of the standard normal at `x` by Cody's rational Chebyshev approximations (ANORM).
    static func normalTails(_ x: Double, log: Bool, needLower: Bool, needUpper: Bool) -> (Double, Double) {
        let a = [2.2352520354606839287, 161.02823106855587881, 1067.6894854603709582,
                 18154.981253343561249, 0.065682337918207449113]
        let b = [47.20258190468824187, 976.09855173777669322, 10260.932208618978205, 45507.789335026729956]
        let c = [0.39894151208813466764, 8.8831497943883759412, 93.506656132177855979,
                 597.27027639480026226, 2494.5375852903726711, 6848.1904505362823326,
                 11602.651437647350124, 9842.7148383839780218, 1.0765576773720192317e-8]
        let d = [22.266688044328115691, 235.38790178262499861, 1519.377599407554805,
                 6485.558298266760755, 18615.571640885098091, 34900.952721145977266,
                 38912.003286093271411, 19685.429676859990727]
        let p = [0.21589853405795699, 0.1274011611602473639, 0.022235277870649807,
                 0.001421619193227893466, 2.9112874951168792e-5, 0.02307344176494017303]
        let q = [1.28426009614491121, 0.468238212480865118, 0.0659881378689285515,
                 0.00378239633202758244, 7.29751555083966205e-5]
        var cum = 0.0, ccum = 0.0
        let y = abs(x)

        // exp(-y²/2) * temp with y split at a multiple of 1/16 to keep the square exact.
        func tails(_ t: Double, _ v: Double) {
            let vsq = (v * 16).rounded(.towardZero) / 16
            let del = (v - vsq) * (v + vsq)
            if log {
                cum = (-vsq * vsq * 0.5) + (-del * 0.5) + Glibc.log(t)
                if (needLower && x > 0) || (needUpper && x <= 0) {
                    ccum = log1p(-exp(-vsq * vsq * 0.5) * exp(-del * 0.5) * t)
                }
            } else {
                cum = exp(-vsq * vsq * 0.5) * exp(-del * 0.5) * t
                ccum = 1 - cum
            }
            if x > 0 { swap(&cum, &ccum) }
        }

        if y <= 0.67448975 {
            var xnum = 0.0, xden = 0.0
            if y > Double.ulpOfOne * 0.5 {
                let xsq = x * x
                xnum = a[4] * xsq
                xden = xsq
                for i in 0..<3 {
                    xnum = (xnum + a[i]) * xsq
                    xden = (xden + b[i]) * xsq
                }
            }
            let t = x * (xnum + a[3]) / (xden + b[3])
            cum = 0.5 + t
            ccum = 0.5 - t
            if log {
                cum = Glibc.log(cum)
                ccum = Glibc.log(ccum)
            }
        } else if y <= 5.656854249492380195206754896838 {
            var xnum = c[8] * y, xden = y
            for i in 0..<7 {
                xnum = (xnum + c[i]) * y
                xden = (xden + d[i]) * y
            }
            tails((xnum + c[7]) / (xden + d[7]), y)
        } else if (log && y < 1e170) || (needLower && -37.5193 < x && x < 8.2924)
                    || (needUpper && -8.2924 < x && x < 37.5193) {
            let xsq = 1 / (x * x)
            var xnum = p[5] * xsq, xden = xsq
            for i in 0..<4 {
                xnum = (xnum + p[i]) * xsq
                xden = (xden + q[i]) * xsq
            }
            var t = xsq * (xnum + p[4]) / (xden + q[4])
            t = (Special.invSqrt2Pi - t) / y
            tails(t, x)
        } else if x > 0 {
            cum = log ? 0 : 1
            ccum = log ? -.infinity : 0
        } else {
            cum = log ? -.infinity : 0
            ccum = log ? 0 : 1
        }
        return (cum, ccum)
    }

    /// The standard normal quantile by Wichura's AS 241 (PPND16), then scaled.
    static func qnorm(_ p: Double, _ mu: Double, _ sigma: Double, _ tail: Tail) -> Double {
        if let b = tail.boundary(p, left: -.infinity, right: .infinity) { return b }
        if sigma < 0 { return .nan }
        if sigma == 0 { return mu }
        let pLower = tail.lowerProbability(p)
        let q = pLower - 0.5
        var value: Double
        if abs(q) <= 0.425 {
            let r = 0.180625 - q * q
            value = q * (((((((r * 2509.0809287301226727 + 33430.575583588128105) * r + 67265.770927008700853) * r
                + 45921.953931549871457) * r + 13731.693765509461125) * r + 1971.5909503065514427) * r
                + 133.14166789178437745) * r + 3.387132872796366608)
                / (((((((r * 5226.495278852854561 + 28729.085735721942674) * r + 39307.89580009271061) * r
                    + 21213.794301586595867) * r + 5394.1960214247511077) * r + 687.1870074920579083) * r
                    + 42.313330701600911252) * r + 1)
            return mu + sigma * value
        }
        var r: Double
        if tail.log && ((tail.lower && q <= 0) || (!tail.lower && q > 0)) {
            r = p
        } else {
            r = Glibc.log(q > 0 ? tail.upperProbability(p) : pLower)
        }
        r = (-r).squareRoot()
        if r <= 5 {
            r -= 1.6
            value = (((((((r * 7.7454501427834140764e-4 + 0.0227238449892691845833) * r + 0.24178072517745061177) * r
                + 1.27045825245236838258) * r + 3.64784832476320460504) * r + 5.7694972214606914055) * r
                + 4.6303378461565452959) * r + 1.42343711074968357734)
                / (((((((r * 1.05075007164441684324e-9 + 5.475938084995344946e-4) * r + 0.0151986665636164571966) * r
                    + 0.14810397642748007459) * r + 0.68976733498510000455) * r + 1.6763848301838038494) * r
                    + 2.05319162663775882187) * r + 1)
        } else {
            r -= 5
            value = (((((((r * 2.01033439929228813265e-7 + 2.71155556874348757815e-5) * r + 0.0012426609473880784386) * r
                + 0.026532189526576123093) * r + 0.29656057182850489123) * r + 1.7848265399172913358) * r
                + 5.4637849111641143699) * r + 6.6579046435011037772)
                / (((((((r * 2.04426310338993978564e-15 + 1.4215117583164458887e-7) * r + 1.8463183175100546818e-5) * r
                    + 7.868691311456132591e-4) * r + 0.0148753612908506148525) * r + 0.13692988092273580531) * r
                    + 0.59983220655588793769) * r + 1)
        }
        if q < 0 { value = -value }
        return mu + sigma * value
    }

    // MARK: Saddle-point densities (Loader 2000)

    /// x^k e^-λ / Γ(k+1) for real k ≥ 0.
    static func dpoisRaw(_ x: Double, _ lambda: Double, log: Bool) -> Double {
        let zero = log ? -Double.infinity : 0
        if lambda == 0 { return x == 0 ? (log ? 0 : 1) : zero }
        if !lambda.isFinite || x < 0 { return zero }
        if x <= lambda * Double.leastNormalMagnitude { return log ? -lambda : exp(-lambda) }
        if lambda < x * Double.leastNormalMagnitude {
            if !x.isFinite { return zero }
            let v = -lambda + x * Glibc.log(lambda) - Special.lgamma(x + 1)
            return log ? v : exp(v)
        }
        let v = -Special.stirlerr(x) - Special.bd0(x, lambda)
        return log ? -0.5 * Glibc.log(2 * Double.pi * x) + v : exp(v) / (2 * Double.pi * x).squareRoot()
    }

    /// The binomial probability of x successes in n trials, p + q = 1, for real x and n.
    static func dbinomRaw(_ x: Double, _ n: Double, _ p: Double, _ q: Double, log: Bool) -> Double {
        let zero = log ? -Double.infinity : 0, one = log ? 0.0 : 1
        if p == 0 { return x == 0 ? one : zero }
        if q == 0 { return x == n ? one : zero }
        if x == 0 {
            if n == 0 { return one }
            let lc = p < 0.1 ? -Special.bd0(n, n * q) - n * p : n * Glibc.log(q)
            return log ? lc : exp(lc)
        }
        if x == n {
            let lc = q < 0.1 ? -Special.bd0(n, n * p) - n * q : n * Glibc.log(p)
            return log ? lc : exp(lc)
        }
        if x < 0 || x > n { return zero }
        let lc = Special.stirlerr(n) - Special.stirlerr(x) - Special.stirlerr(n - x)
            - Special.bd0(x, n * p) - Special.bd0(n - x, n * q)
        let lf = Special.ln2Pi + Glibc.log(x) + log1p(-x / n)
        return log ? lc - 0.5 * lf : exp(lc - 0.5 * lf)
    }

    // MARK: Incomplete gamma

    /// The regularised incomplete gamma P(a, x) or Q(a, x), as the tail asks.
    static func pgammaRaw(_ x: Double, _ a: Double, _ tail: Tail) -> Double {
        if x <= 0 { return tail.tailZero }
        if x == .infinity { return tail.tailOne }
        if a == 0 { return tail.tailOne }
        if a > 1e5 && abs(x - a) < 1e-3 * a {
            // Near the centre of a very large shape both the series and the fraction would need
            // millions of terms; integrate the density (exact to rounding by Loader's form) instead.
            let scale = a.squareRoot()
            // x^(a-1) e^-t / Γ(a) at t = x + offset, with a - 1 - t formed without rounding t.
            let k = a - 1, gap = k - x
            let constant = -Special.stirlerr(k), root = (2 * Double.pi * k).squareRoot()
            let logRoot = log(root)
            let logNear = logTailIntegral(from: x, toward: x <= a ? -1 : 1, scale: min(scale, 1 / abs((a - 1) / x - 1)),
                                          limit: x) { offset in
                let t = x + offset
                return t <= 0 ? -.infinity : constant - Special.bd0(k, t, difference: gap - offset) - logRoot
            }
            let lowerIsNear = x <= a
            let (logLower, logUpper) = lowerIsNear ? (logNear, Tail.log1mexp(logNear)) : (Tail.log1mexp(logNear), logNear)
            let v = tail.lower ? logLower : logUpper
            return tail.log ? v : exp(v)
        }
        // log of x^a e^-x / Γ(a+1)
        let logFront = dpoisRaw(a, x, log: true)
        let useSeries = x < a + 1 && !(a < 1 && x >= 0.5)
        var logLower: Double, logUpper: Double
        if useSeries {
            // P = front · Σ x^n / ((a+1)…(a+n))
            var term = 1.0, sum = 1.0, k = 1.0
            while k < 100_000 {
                term *= x / (a + k)
                sum += term
                if term < sum * 1e-17 { break }
                k += 1
            }
            logLower = logFront + Glibc.log(sum)
            logUpper = Tail.log1mexp(logLower)
        } else {
            // Q = x^a e^-x / Γ(a) · 1/(x+1-a - 1(1-a)/(x+3-a - 2(2-a)/(x+5-a - ...)))
            var fraction = ContinuedFraction(first: x + 1 - a)
            var i = 1.0
            while i < 100_000 && !fraction.add(-i * (i - a), x + 1 - a + 2 * i) { i += 1 }
            let h = fraction.value
            logUpper = logFront + Glibc.log(a) + Glibc.log(h)
            logLower = Tail.log1mexp(logUpper)
        }
        let v = tail.lower ? logLower : logUpper
        return tail.log ? v : exp(v)
    }

    // MARK: Incomplete beta

    /// The regularised incomplete beta I_x(a, b) or its complement, as the tail asks.
    /// `complement` is 1 - x when the caller knows it more precisely than by subtraction.
    static func pbetaRaw(_ x: Double, _ a: Double, _ b: Double, _ tail: Tail, complement: Double? = nil) -> Double {
        if a == 0 || b == 0 || !a.isFinite || !b.isFinite {
            if a == 0 && b == 0 { return tail.log ? -0.693147180559945309417232121458 : 0.5 }
            if a == 0 || a / b == .infinity { return tail.tailOne }
            if b == 0 || b / a == .infinity { return tail.tailZero }
            return x < 0.5 ? tail.tailZero : tail.tailOne
        }
        if x <= 0 { return tail.tailZero }
        if x >= 1 { return tail.tailOne }
        // The continued fraction converges fast below the mean; above it, use the symmetry
        // I_x(a, b) = 1 - I_{1-x}(b, a).
        let spread = ((a / (a + b)) * (b / (a + b)) / (a + b + 1)).squareRoot()
        let mode = a >= 1 && b >= 1 ? (a - 1) / (a + b - 2) : (a < 1 ? 0 : 1)
        let mean = a / (a + b)
        let towardZero = x < min(mode, mean), upward = x > max(mode, mean)
        // The integral runs over the smaller tail, which then keeps its relative precision.
        if (towardZero && a > 500) || (upward && b > 500) || (a > 500 && b > 500) {
            // As for the gamma integral: with a huge shape the continued fraction needs very many
            // terms (or cancels near 1), so integrate the density from x away from the mode, toward
            // an end where the huge shape makes it vanish.
            let y = complement ?? 0.5 - x + 0.5
            let towardZero = towardZero || (!upward && x < mean)
            let density: (Double) -> Double
            if min(a, b) >= 2 {
                // dbeta by Loader's binomial form, with k - n t and (n - k) - n (1 - t) formed from
                // the offset so that rounding t costs nothing.
                let n = a + b - 2, k = a - 1
                let constant = Special.stirlerr(n) - Special.stirlerr(k) - Special.stirlerr(n - k)
                    - 0.5 * (Special.ln2Pi + log(k) + log1p(-k / n)) + log(a + b - 1)
                let gapLow = k - n * x
                let gapHigh = (n - k) - n * y
                density = { offset in
                    let t = x + offset
                    if t <= 0 || t >= 1 { return -.infinity }
                    return constant - Special.bd0(k, n * t, difference: gapLow - n * offset)
                        - Special.bd0(n - k, n * (y - offset), difference: gapHigh + n * offset)
                }
            } else {
                let constant = -Special.lbeta(a, b)
                density = { offset in
                    let t = x + offset, u = y - offset
                    if t <= 0 || u <= 0 { return -.infinity }
                    let logT = t < 0.5 ? log(t) : log1p(-u), logU = u < 0.5 ? log(u) : log1p(-t)
                    return (a - 1) * logT + (b - 1) * logU + constant
                }
            }
            let slope = abs((a - 1) / x - (b - 1) / y)
            let logNear = logTailIntegral(from: x, toward: towardZero ? -1 : 1, scale: min(spread, 1 / slope),
                                          limit: towardZero ? x : y, density)
            let logLower = towardZero ? logNear : Tail.log1mexp(logNear)
            let logUpper = towardZero ? Tail.log1mexp(logNear) : logNear
            let v = tail.lower ? logLower : logUpper
            return tail.log ? v : exp(v)
        }
        let swapped = x > (a + 1) / (a + b + 2)
        let y = complement ?? 0.5 - x + 0.5
        let (xx, yy, aa, bb) = swapped ? (y, x, b, a) : (x, y, a, b)
        let logFront = logBetaFront(xx, yy, aa, bb)
        let logCF = Glibc.log(betaFraction(xx, yy, aa, bb))
        let logNear = logFront + logCF
        let logFar = Tail.log1mexp(logNear)
        let wantNear = tail.lower != swapped
        let v = wantNear ? logNear : logFar
        return tail.log ? v : exp(v)
    }

    /// log(x^a y^b / (a B(a, b))), y = 1 - x, through the saddle-point binomial for large a, b.
    static func logBetaFront(_ x: Double, _ y: Double, _ a: Double, _ b: Double) -> Double {
        if a >= 1 && b >= 1 && a + b > 10 {
            return dbinomRaw(a, a + b, x, y, log: true) + Glibc.log(b / (a + b))
        }
        let logX = x < 0.5 ? Glibc.log(x) : log1p(-y), logY = y < 0.5 ? Glibc.log(y) : log1p(-x)
        return a * logX + b * logY - Special.lbeta(a, b) - Glibc.log(a)
    }

    /// The continued fraction for I_x(a, b) (modified Lentz).
    static func betaFraction(_ x: Double, _ y: Double, _ a: Double, _ b: Double) -> Double {
        let qab = a + b, qap = a + 1, qam = a - 1
        // 1 - (a + b) x / (a + 1), written with y = 1 - x so that x near 1 does not cancel.
        var fraction = ContinuedFraction(afterLeading: x > 0.5 ? (1 - b + qab * y) / qap : 1 - qab * x / qap)
        var m = 1.0
        while m < 1_000_000 {
            let m2 = 2 * m
            _ = fraction.add(m * (b - m) * x / ((qam + m2) * (a + m2)), 1)
            if fraction.add(-(a + m) * (qab + m) * x / ((a + m2) * (qap + m2)), 1) { break }
            m += 1
        }
        return fraction.value
    }

    /// log ∫ exp(logDensity) from `x` in direction `toward` (-1: down to x - limit, +1: upwards) by
    /// the exp-sinh (double exponential) rule, t = x ± scale·u. `logDensity` receives the offset
    /// t - x, so that it can avoid the rounding of t; the sum is scaled by the density at x, so
    /// tails far below the smallest double keep their logarithm.
    static func logTailIntegral(
        from x: Double, toward direction: Double, scale: Double, limit: Double, _ logDensity: (Double) -> Double
    ) -> Double {
        let reference = logDensity(0)
        if !reference.isFinite { return reference }
        let step = 1.0 / 64
        let half = Double.pi / 2
        var total = 0.0
        var k = -288
        while k <= 288 {
            let tau = Double(k) * step
            let u = exp(half * sinh(tau))
            let distance = scale * u
            if distance >= limit && direction < 0 { break }
            let f = exp(logDensity(direction * distance) - reference)
            let term = f * u * half * cosh(tau)
            total += term
            if k > 0 && (f == 0 || term < total * 1e-18) { break }
            k += 1
        }
        return reference + log(total * step * scale)
    }

    // MARK: Quantiles

    /// The x in (lo, hi) where the continuous distribution's tail reaches `p`: safeguarded Newton
    /// on the log of the smaller tail, falling back to bisection.
    static func invert(
        _ p: Double, _ tail: Tail, lo: Double, hi: Double, guess: Double,
        cdf: (Double, Tail) -> Double, logDensity: (Double) -> Double
    ) -> Double {
        // log of the lower and upper tail targets
        let logLower: Double, logUpper: Double
        if tail.log {
            logLower = tail.lower ? p : Tail.log1mexp(p)
            logUpper = tail.lower ? Tail.log1mexp(p) : p
        } else {
            logLower = tail.lower ? Glibc.log(p) : log1p(-p)
            logUpper = tail.lower ? log1p(-p) : Glibc.log(p)
        }
        let useLower = logLower <= logUpper
        let target = useLower ? logLower : logUpper
        let work = Tail(lower: useLower, log: true)
        var a = lo, b = hi
        var x = guess
        if !(x > a && x < b) || !x.isFinite {
            x = a.isFinite && b.isFinite ? (a + b) / 2 : (a.isFinite ? a + 1 : (b.isFinite ? b - 1 : 0))
        }
        var previous = Double.nan
        for _ in 0..<2000 {
            let g = cdf(x, work) - target
            if g == 0 { return x }
            // Whether x lies above the answer.
            let above = useLower ? g > 0 : g < 0
            if above { b = x } else { a = x }
            var next = Double.nan
            let logF = cdf(x, work)
            let slope = exp(logDensity(x) - logF) * (useLower ? 1 : -1)
            if slope.isFinite && slope != 0 && logF.isFinite { next = x - g / slope }
            if !(next > a && next < b) || !next.isFinite {
                if a.isFinite && b.isFinite {
                    if a == 0 && b > 0 {
                        // Quantiles of distributions on [0, ...) can be as small as the smallest double.
                        next = b * 0.0625
                        if next == 0 { return 0 }
                    } else {
                        next = a > 0 && b > 0 && b / a > 4 ? (a * b).squareRoot() : a + (b - a) / 2
                    }
                } else if b.isFinite {
                    next = x > 0 ? -1 : 2 * x - 1
                    if next >= b { next = b - 1 }
                } else {
                    next = x < 0 ? 1 : 2 * x + 1
                    if next <= a { next = a + 1 }
                }
            }
            if next == x || next == previous && abs(next - x) <= 4 * x.ulp { return next }
            if abs(next - x) <= 1e-15 * abs(x) {
                return next
            }
            if a.isFinite && b.isFinite && b - a <= 2 * max(abs(a), abs(b)) * Double.ulpOfOne {
                return next
            }
            previous = x
            x = next
        }
        return x
    }

    /// The smallest integer y ≥ 0 (≤ top) whose tail probability reaches p, as R's discrete
    /// quantiles search: lower tail F(y) ≥ p, upper tail 1 - F(y) < p, with R's fuzz on p.
    static func discreteQuantile(
        _ p: Double, _ tail: Tail, guess: Double, top: Double, cdf: (Double, Tail) -> Double
    ) -> Double {
        var target = p
        if tail.log {
            let e = 2 * Double.ulpOfOne
            if tail.lower && p > -Double.greatestFiniteMagnitude { target *= 1 + e } else { target *= 1 - e }
        } else {
            let e = 8 * Double.ulpOfOne
            if tail.lower { target *= 1 - e } else if 1 - p > 4 * e { target *= 1 + e }
        }
        func reached(_ y: Double) -> Bool {
            let z = cdf(y, tail)
            if z.isNaN { return true }
            return tail.lower ? z >= target : z < target
        }
        var y = max(0, min(top, guess.rounded(.towardZero)))
        // Beyond 2^53 a step of 1 would not move y.
        let firstStep = max(1, y.ulp)
        if reached(y) {
            // Gallop left to an unreached point, then bisect.
            var step = firstStep
            var hiY = y
            var loY = y
            while true {
                if loY <= 0 { return bisectDiscrete(-1, hiY, reached) }
                loY = max(0, hiY - step)
                if !reached(loY) { break }
                hiY = loY
                if loY == 0 { return 0 }
                step *= 2
            }
            return bisectDiscrete(loY, hiY, reached)
        }
        var step = firstStep
        var loY = y
        while true {
            y = min(top, loY + step)
            if y >= top || reached(y) { break }
            loY = y
            step *= 2
        }
        if y >= top && !reached(y) { return top }
        return bisectDiscrete(loY, y, reached)
    }

    /// The smallest integer in (lo, hi] where `reached` holds, given it holds at hi and not at lo.
    private static func bisectDiscrete(_ lo: Double, _ hi: Double, _ reached: (Double) -> Bool) -> Double {
        var lo = lo, hi = hi
        while hi - lo > 1 {
            let mid = (lo + (hi - lo) / 2).rounded(.down)
            // Beyond 2^53 neighbouring doubles are more than 1 apart.
            if mid <= lo || mid >= hi { break }
            if reached(mid) { hi = mid } else { lo = mid }
        }
        return hi
    }
}
