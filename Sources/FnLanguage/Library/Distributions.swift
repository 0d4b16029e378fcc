#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Densities, distribution functions and quantiles: `d`/`p`/`q` for norm, unif, exp, binom, pois,
/// gamma, chisq, beta, t and f, vectorised over every numeric argument with recycling.
extension BuiltinRegistry {
    mutating func registerDistributions() {
        defineFamily("norm", ["mean", "sd"], [0, 1],
            d: { x, a, log, _ in Distribution.dnorm(x, a[1], a[2], log: log) },
            p: { q, a, t, _ in Distribution.pnorm(q, a[1], a[2], t) },
            q: { p, a, t, _ in Distribution.qnorm(p, a[1], a[2], t) })
        defineFamily("unif", ["min", "max"], [0, 1],
            d: { x, a, log, _ in Dists.dunif(x, a[1], a[2], log) },
            p: { q, a, t, _ in Dists.punif(q, a[1], a[2], t) },
            q: { p, a, t, _ in Dists.qunif(p, a[1], a[2], t) })
        defineFamily("exp", ["rate"], [1],
            d: { x, a, log, _ in Dists.dexp(x, 1 / a[1], log) },
            p: { q, a, t, _ in Dists.pexp(q, 1 / a[1], t) },
            q: { p, a, t, _ in Dists.qexp(p, 1 / a[1], t) })
        defineFamily("binom", ["size", "prob"], [nil, nil],
            d: { x, a, log, w in Dists.dbinom(x, a[1], a[2], log, &w) },
            p: { q, a, t, w in Dists.pbinom(q, a[1], a[2], t, &w) },
            q: { p, a, t, _ in Dists.qbinom(p, a[1], a[2], t) })
        defineFamily("pois", ["lambda"], [nil],
            d: { x, a, log, w in Dists.dpois(x, a[1], log, &w) },
            p: { q, a, t, _ in Dists.ppois(q, a[1], t) },
            q: { p, a, t, _ in Dists.qpois(p, a[1], t) })
        defineFamily("gamma", ["shape", "rate", "scale"], [nil, 1, nil],
            d: { x, a, log, _ in Dists.dgamma(x, a[1], a[3], log) },
            p: { q, a, t, _ in Dists.pgamma(q, a[1], a[3], t) },
            q: { p, a, t, _ in Dists.qgamma(p, a[1], a[3], t) })
        defineFamily("chisq", ["df", "ncp"], [nil, 0],
            d: { x, a, log, _ in Dists.dgamma(x, a[1] / 2, 2, log) },
            p: { q, a, t, _ in Dists.pgamma(q, a[1] / 2, 2, t) },
            q: { p, a, t, _ in Dists.qgamma(p, a[1] / 2, 2, t) })
        defineFamily("beta", ["shape1", "shape2", "ncp"], [nil, nil, 0],
            d: { x, a, log, _ in Dists.dbeta(x, a[1], a[2], log) },
            p: { q, a, t, _ in Dists.pbeta(q, a[1], a[2], t) },
            q: { p, a, t, _ in Dists.qbeta(p, a[1], a[2], t) })
        defineFamily("t", ["df", "ncp"], [nil, nil],
            d: { x, a, log, _ in Dists.dt(x, a[1], log) },
            p: { q, a, t, _ in Dists.pt(q, a[1], t) },
            q: { p, a, t, _ in Dists.qt(p, a[1], t) })
        defineFamily("f", ["df1", "df2", "ncp"], [nil, nil, nil],
            d: { x, a, log, _ in Dists.df(x, a[1], a[2], log) },
            p: { q, a, t, _ in Dists.pf(q, a[1], a[2], t) },
            q: { p, a, t, _ in Dists.qf(p, a[1], a[2], t) })
    }

    /// A density of x given the whole argument row (parameters from index 1), the `log` flag and
    /// a place for warnings.
    typealias DensityBody = (Double, [Double], Bool, inout [String]) -> Double
    /// A distribution or quantile function of its first argument, given the whole row and a place
    /// for warnings.
    typealias ProbabilityBody = (Double, [Double], Tail, inout [String]) -> Double

    /// Defines `d<name>`, `p<name>` and `q<name>` with R's formals: the first argument (x, q or p),
    /// the parameters with their defaults (nil: required), then `log` or `lower.tail`, `log.p`.
    private mutating func defineFamily(
        _ name: String, _ params: [String], _ defaults: [Double?],
        d: @escaping DensityBody, p: @escaping ProbabilityBody, q: @escaping ProbabilityBody
    ) {
        let fname = "d" + name, pname = "p" + name, qname = "q" + name
        define(fname, ["x"] + params + ["log"]) { args, ip throws(FnError) in
            let log = distributionFlag(args[params.count + 1], default: false)
            let columns = try distributionColumns(args, name, params, defaults)
            return Recycled.apply(columns, names: args[0]?.names, ip) { row, warnings in
                d(row[0], row, log, &warnings)
            }
        }
        for (function, first, body) in [(pname, "q", p), (qname, "p", q)] {
            define(function, [first] + params + ["lower.tail", "log.p"]) { args, ip throws(FnError) in
                let tail = Tail(
                    lower: distributionFlag(args[params.count + 1], default: true),
                    log: distributionFlag(args[params.count + 2], default: false))
                let columns = try distributionColumns(args, name, params, defaults)
                return Recycled.apply(columns, names: args[0]?.names, ip) { row, warnings in
                    body(row[0], row, tail, &warnings)
                }
            }
        }
    }
}

/// A `log`, `lower.tail` or `log.p` flag as R's distribution functions read it: its first element
/// as a logical, where NA (or anything not logical-like) counts as TRUE.
private func distributionFlag(_ v: Value?, default d: Bool) -> Bool {
    guard let v, !v.isNull else { return d }
    guard let s = v.storage, s.count > 0 else { return true }
    let b = s.logicals()[0]
    return b == NA.logical || b != 0
}

/// The numeric columns of a distribution call: the first argument, then each parameter or its
/// default. Non-central distributions are not implemented; gamma's scale defaults to 1/rate.
private func distributionColumns(
    _ args: Arguments, _ name: String, _ params: [String], _ defaults: [Double?]
) throws(FnError) -> [[Double]] {
    var columns = [try Recycled.numbers(args[0], args.function.hasPrefix("d") ? "x" : "q")]
    for (i, param) in params.enumerated() {
        if param == "ncp" {
            if let v = args[i + 1], !(name == "chisq" || name == "beta") || (Unpack.firstDouble(v) ?? 0) != 0 {
                throw FnError.runtime("\(args.function)(): the non-central distribution (ncp =) is not supported")
            }
            columns.append([0])
            continue
        }
        if param == "scale" {
            if let v = args[i + 1] {
                let scale = try Recycled.numbers(v, "scale")
                if let rate = args[i] {
                    let r = try Recycled.numbers(rate, "rate")
                    if let r0 = r.first, let s0 = scale.first, abs(r0 * s0 - 1) >= 1e-15 {
                        throw FnError.runtime("specify 'rate' or 'scale' but not both")
                    }
                }
                columns.append(scale)
            } else {
                columns.append(columns[i].map { 1 / $0 })
            }
            continue
        }
        if let v = args[i + 1] {
            columns.append(try Recycled.numbers(v, param))
        } else if let d = defaults[i] {
            columns.append([d])
        } else {
            throw FnError.runtime("argument \"\(param)\" is missing, with no default")
        }
    }
    return columns
}

/// The distributions' R-level rules (parameter checks, limits, which kernel to call).
enum Dists {
    /// True when x is not within 1e-7 (relative) of an integer, R's `R_nonint`.
    static func nonInteger(_ x: Double) -> Bool {
        abs(x - x.rounded()) > 1e-7 * max(1, abs(x))
    }

    static func dunif(_ x: Double, _ a: Double, _ b: Double, _ log: Bool) -> Double {
        if b <= a { return .nan }
        if a <= x && x <= b { return log ? -Glibc.log(b - a) : 1 / (b - a) }
        return log ? -.infinity : 0
    }

    static func punif(_ x: Double, _ a: Double, _ b: Double, _ tail: Tail) -> Double {
        if b < a || !a.isFinite || !b.isFinite { return .nan }
        if x >= b { return tail.tailOne }
        if x <= a { return tail.tailZero }
        let v = tail.lower ? (x - a) / (b - a) : (b - x) / (b - a)
        return tail.log ? Glibc.log(v) : v
    }

    static func qunif(_ p: Double, _ a: Double, _ b: Double, _ tail: Tail) -> Double {
        if tail.log ? p > 0 : (p < 0 || p > 1) { return .nan }
        if !a.isFinite || !b.isFinite || b < a { return .nan }
        if b == a { return a }
        return a + tail.lowerProbability(p) * (b - a)
    }

    static func dexp(_ x: Double, _ scale: Double, _ log: Bool) -> Double {
        if scale <= 0 { return .nan }
        if x < 0 { return log ? -.infinity : 0 }
        return log ? (-x / scale) - Glibc.log(scale) : exp(-x / scale) / scale
    }

    static func pexp(_ x: Double, _ scale: Double, _ tail: Tail) -> Double {
        if scale < 0 { return .nan }
        if x <= 0 { return tail.tailZero }
        let e = -(x / scale)
        if tail.lower { return tail.log ? Tail.log1mexp(e) : -expm1(e) }
        return tail.log ? e : exp(e)
    }

    static func qexp(_ p: Double, _ scale: Double, _ tail: Tail) -> Double {
        if scale < 0 { return .nan }
        if tail.log ? p > 0 : (p < 0 || p > 1) { return .nan }
        if p == tail.tailZero { return 0 }
        // -scale · log(upper tail)
        let logUpper: Double
        if tail.lower {
            logUpper = tail.log ? Tail.log1mexp(p) : log1p(-p)
        } else {
            logUpper = tail.log ? p : Glibc.log(p)
        }
        return -scale * logUpper
    }

    static func dbinom(_ x: Double, _ n: Double, _ p: Double, _ log: Bool, _ warnings: inout [String]) -> Double {
        if p < 0 || p > 1 || n < 0 || nonInteger(n) { return .nan }
        if nonInteger(x) {
            warnings.append("non-integer x = \(cFormat("%f", x))")
            return log ? -.infinity : 0
        }
        if x < 0 || !x.isFinite { return log ? -.infinity : 0 }
        return Distribution.dbinomRaw(x.rounded(), n.rounded(), p, 1 - p, log: log)
    }

    static func pbinom(_ x: Double, _ n: Double, _ p: Double, _ tail: Tail, _ warnings: inout [String]) -> Double {
        if !n.isFinite || !p.isFinite { return .nan }
        if nonInteger(n) {
            warnings.append("non-integer n = \(cFormat("%f", n))")
            return .nan
        }
        return pbinom(x, n, p, tail)
    }

    static func pbinom(_ x: Double, _ n: Double, _ p: Double, _ tail: Tail) -> Double {
        if !n.isFinite || !p.isFinite || nonInteger(n) { return .nan }
        let n = n.rounded()
        if n < 0 || p < 0 || p > 1 { return .nan }
        if x < 0 { return tail.tailZero }
        let k = (x + 1e-7).rounded(.down)
        if n <= k { return tail.tailOne }
        return pbeta(p, k + 1, n - k, Tail(lower: !tail.lower, log: tail.log))
    }

    static func qbinom(_ p: Double, _ n: Double, _ pr: Double, _ tail: Tail) -> Double {
        if !n.isFinite || !pr.isFinite || !p.isFinite && !(tail.log && p == -.infinity) { return .nan }
        // R rounds the size (to even at .5) rather than rejecting a fractional one.
        let n = n.rounded(.toNearestOrEven)
        if pr < 0 || pr > 1 || n < 0 { return .nan }
        if let b = tail.boundary(p, left: 0, right: n) { return b }
        if pr == 0 || n == 0 { return 0 }
        let q = 1 - pr
        if q == 0 { return n }
        let mu = n * pr, sigma = (n * pr * q).squareRoot(), gamma = (q - pr) / sigma
        if !tail.lower || tail.log {
            let pn = tail.lowerProbability(p)
            if pn == 0 { return 0 }
            if pn == 1 { return n }
        }
        if tail.lower && !tail.log && p + 1.01 * Double.ulpOfOne >= 1 { return n }
        let z = Distribution.qnorm(p, 0, 1, tail)
        let guess = (mu + sigma * (z + gamma * (z * z - 1) / 6)).rounded()
        return Distribution.discreteQuantile(p, tail, guess: guess, top: n) { y, t in pbinom(y, n, pr, t) }
    }

    static func dpois(_ x: Double, _ lambda: Double, _ log: Bool, _ warnings: inout [String]) -> Double {
        if lambda < 0 { return .nan }
        if nonInteger(x) {
            warnings.append("non-integer x = \(cFormat("%f", x))")
            return log ? -.infinity : 0
        }
        if x < 0 || !x.isFinite { return log ? -.infinity : 0 }
        return Distribution.dpoisRaw(x.rounded(), lambda, log: log)
    }

    static func ppois(_ x: Double, _ lambda: Double, _ tail: Tail) -> Double {
        if lambda < 0 { return .nan }
        if x < 0 { return tail.tailZero }
        if lambda == 0 || !x.isFinite { return tail.tailOne }
        let k = (x + 1e-7).rounded(.down)
        return pgamma(lambda, k + 1, 1, Tail(lower: !tail.lower, log: tail.log))
    }

    static func qpois(_ p: Double, _ lambda: Double, _ tail: Tail) -> Double {
        if !lambda.isFinite || lambda < 0 { return .nan }
        if let b = tail.boundary(p, left: 0, right: .infinity) { return b }
        if lambda == 0 { return 0 }
        let mu = lambda, sigma = lambda.squareRoot(), gamma = 1 / sigma
        if !tail.lower || tail.log {
            let pn = tail.lowerProbability(p)
            if pn == 0 { return 0 }
            if pn == 1 { return .infinity }
        }
        if tail.lower && !tail.log && p + 1.01 * Double.ulpOfOne >= 1 { return .infinity }
        let z = Distribution.qnorm(p, 0, 1, tail)
        let guess = (mu + sigma * (z + gamma * (z * z - 1) / 6)).rounded()
        return Distribution.discreteQuantile(p, tail, guess: guess, top: .infinity) { y, t in
            ppois(y, lambda, t)
        }
    }

    static func dgamma(_ x: Double, _ shape: Double, _ scale: Double, _ log: Bool) -> Double {
        if shape < 0 || scale <= 0 { return .nan }
        if x < 0 { return log ? -.infinity : 0 }
        if shape == 0 { return x == 0 ? .infinity : (log ? -.infinity : 0) }
        if x == 0 {
            if shape < 1 { return .infinity }
            if shape > 1 { return log ? -.infinity : 0 }
            return log ? -Glibc.log(scale) : 1 / scale
        }
        if shape < 1 {
            let pr = Distribution.dpoisRaw(shape, x / scale, log: log)
            if log { return pr + ((shape / x).isFinite ? Glibc.log(shape / x) : Glibc.log(shape) - Glibc.log(x)) }
            return pr * shape / x
        }
        let pr = Distribution.dpoisRaw(shape - 1, x / scale, log: log)
        return log ? pr - Glibc.log(scale) : pr / scale
    }

    static func pgamma(_ x: Double, _ shape: Double, _ scale: Double, _ tail: Tail) -> Double {
        if shape < 0 || scale <= 0 { return .nan }
        let y = x / scale
        if y.isNaN { return y }
        if shape == 0 { return y <= 0 ? tail.tailZero : tail.tailOne }
        return Distribution.pgammaRaw(y, shape, tail)
    }

    static func qgamma(_ p: Double, _ shape: Double, _ scale: Double, _ tail: Tail) -> Double {
        if let b = tail.boundary(p, left: 0, right: .infinity) { return b }
        if shape < 0 || scale <= 0 { return .nan }
        if shape == 0 { return 0 }
        // Wilson–Hilferty start, or the small-x power law when that falls at or below zero.
        let z = Distribution.qnorm(p, 0, 1, tail)
        let c = 1 / (9 * shape)
        var guess = shape * pow(1 - c + z * c.squareRoot(), 3)
        if !(guess > 0) || guess < 0.3 * shape {
            let logLower = tail.log ? (tail.lower ? p : Tail.log1mexp(p)) : Glibc.log(tail.lowerProbability(p))
            guess = exp((logLower + Special.lgamma(shape + 1)) / shape)
        }
        let x = Distribution.invert(p, tail, lo: 0, hi: .infinity, guess: guess,
            cdf: { Distribution.pgammaRaw($0, shape, $1) },
            logDensity: { dgamma($0, shape, 1, true) })
        return x * scale
    }

    static func dbeta(_ x: Double, _ a: Double, _ b: Double, _ log: Bool) -> Double {
        if a < 0 || b < 0 { return .nan }
        let zero = log ? -Double.infinity : 0
        if x < 0 || x > 1 { return zero }
        if a == 0 || b == 0 || !a.isFinite || !b.isFinite {
            if a == 0 && b == 0 { return x == 0 || x == 1 ? .infinity : zero }
            if a == 0 || a / b == .infinity { return x == 0 ? .infinity : zero }
            if b == 0 || b / a == .infinity { return x == 1 ? .infinity : zero }
            return x == 0.5 ? .infinity : zero
        }
        if x == 0 {
            if a > 1 { return zero }
            if a < 1 { return .infinity }
            return log ? Glibc.log(b) : b
        }
        if x == 1 {
            if b > 1 { return zero }
            if b < 1 { return .infinity }
            return log ? Glibc.log(a) : a
        }
        let lval: Double
        if a <= 2 || b <= 2 {
            lval = (a - 1) * Glibc.log(x) + (b - 1) * log1p(-x) - Special.lbeta(a, b)
        } else {
            lval = Glibc.log(a + b - 1) + Distribution.dbinomRaw(a - 1, a + b - 2, x, 1 - x, log: true)
        }
        return log ? lval : exp(lval)
    }

    static func pbeta(_ x: Double, _ a: Double, _ b: Double, _ tail: Tail) -> Double {
        if a < 0 || b < 0 { return .nan }
        if x <= 0 { return tail.tailZero }
        if x >= 1 { return tail.tailOne }
        return Distribution.pbetaRaw(x, a, b, tail)
    }

    static func qbeta(_ p: Double, _ a: Double, _ b: Double, _ tail: Tail) -> Double {
        if a < 0 || b < 0 { return .nan }
        if let bound = tail.boundary(p, left: 0, right: 1) { return bound }
        if a == 0 || b == 0 || !a.isFinite || !b.isFinite {
            if a == 0 && b == 0 { return tail.lowerProbability(p) < 0.5 ? 0 : (tail.lowerProbability(p) > 0.5 ? 1 : 0.5) }
            if a == 0 || a / b == .infinity { return 0 }
            if b == 0 || b / a == .infinity { return 1 }
            return 0.5
        }
        let mean = a / (a + b)
        let sd = ((a / (a + b)) * (b / (a + b)) / (a + b + 1)).squareRoot()
        let guess = min(max(mean + sd * Distribution.qnorm(p, 0, 1, tail), 1e-3 * mean), 1 - 1e-3 * (1 - mean))
        return Distribution.invert(p, tail, lo: 0, hi: 1, guess: guess,
            cdf: { Distribution.pbetaRaw($0, a, b, $1) },
            logDensity: { dbeta($0, a, b, true) })
    }

    static func dt(_ x: Double, _ n: Double, _ log: Bool) -> Double {
        if n <= 0 { return .nan }
        if !x.isFinite { return log ? -.infinity : 0 }
        if !n.isFinite { return Distribution.dnorm(x, 0, 1, log: log) }
        // Loader's form: the normalising ratio by stirlerr and bd0, the kernel by log1p or bd0.
        let t = -Special.bd0(n / 2, (n + 1) / 2) + Special.stirlerr((n + 1) / 2) - Special.stirlerr(n / 2)
        let x2n = x * x / n
        var ax = 0.0
        let logX2n: Double, u: Double
        let large = x2n > 1 / Double.ulpOfOne
        if large {
            ax = abs(x)
            logX2n = Glibc.log(ax) - Glibc.log(n) / 2
            u = n * logX2n
        } else if x2n > 0.2 {
            logX2n = Glibc.log(1 + x2n) / 2
            u = n * logX2n
        } else {
            logX2n = log1p(x2n) / 2
            u = -Special.bd0(n / 2, (n + x * x) / 2) + x * x / 2
        }
        if log { return t - u - (Special.lnSqrt2Pi + logX2n) }
        let invSqrt = large ? n.squareRoot() / ax : exp(-logX2n)
        return exp(t - u) * Special.invSqrt2Pi * invSqrt
    }

    static func pt(_ x: Double, _ n: Double, _ tail: Tail) -> Double {
        if n <= 0 { return .nan }
        if !x.isFinite { return x < 0 ? tail.tailZero : tail.tailOne }
        if !n.isFinite { return Distribution.pnorm(x, 0, 1, tail) }
        let nx = 1 + (x / n) * x
        var value: Double
        if nx > 1e100 {
            let lval = -0.5 * n * (2 * Glibc.log(abs(x)) - Glibc.log(n)) - Special.lbeta(0.5 * n, 0.5) - Glibc.log(0.5 * n)
            value = tail.log ? lval : exp(lval)
        } else {
            // Both x²/(n + x²) and its complement n/(n + x²), each to full precision.
            let small = x * x / (n + x * x), large = n / (n + x * x)
            value = n > x * x
                ? Distribution.pbetaRaw(small, 0.5, n / 2, Tail(lower: false, log: tail.log), complement: large)
                : Distribution.pbetaRaw(large, n / 2, 0.5, Tail(lower: true, log: tail.log), complement: small)
        }
        let lower = x <= 0 ? !tail.lower : tail.lower
        if tail.log {
            return lower ? log1p(-0.5 * exp(value)) : value - 0.693147180559945309417232121458
        }
        value /= 2
        return lower ? 0.5 - value + 0.5 : value
    }

    static func qt(_ p: Double, _ n: Double, _ tail: Tail) -> Double {
        if let b = tail.boundary(p, left: -.infinity, right: .infinity) { return b }
        if n <= 0 { return .nan }
        if !n.isFinite || n > 1e20 { return Distribution.qnorm(p, 0, 1, tail) }
        let z = Distribution.qnorm(p, 0, 1, tail)
        // Cornish–Fisher start.
        let guess = z + (z * z * z + z) / (4 * n)
        return Distribution.invert(p, tail, lo: -.infinity, hi: .infinity, guess: guess,
            cdf: { pt($0, n, $1) },
            logDensity: { dt($0, n, true) })
    }

    static func df(_ x: Double, _ m: Double, _ n: Double, _ log: Bool) -> Double {
        if m <= 0 || n <= 0 { return .nan }
        let zero = log ? -Double.infinity : 0
        if x < 0 { return zero }
        if x == 0 { return m > 2 ? zero : (m == 2 ? (log ? 0 : 1) : .infinity) }
        if !m.isFinite && !n.isFinite { return x == 1 ? .infinity : zero }
        if !n.isFinite { return dgamma(x, m / 2, 2 / m, log) }
        if m > 1e14 {
            let dens = dgamma(1 / x, n / 2, 2 / n, log)
            return log ? dens - 2 * Glibc.log(x) : dens / (x * x)
        }
        var f = 1 / (n + x * m)
        let q = n * f, p = x * m * f
        let dens: Double
        if m >= 2 {
            f = m * q / 2
            dens = Distribution.dbinomRaw((m - 2) / 2, (m + n - 2) / 2, p, q, log: log)
        } else {
            f = m * m * q / (2 * p * (m + n))
            dens = Distribution.dbinomRaw(m / 2, (m + n) / 2, p, q, log: log)
        }
        return log ? Glibc.log(f) + dens : f * dens
    }

    static func pf(_ x: Double, _ m: Double, _ n: Double, _ tail: Tail) -> Double {
        if m <= 0 || n <= 0 { return .nan }
        if x <= 0 { return tail.tailZero }
        if x == .infinity { return tail.tailOne }
        if n == .infinity {
            if m == .infinity {
                if x < 1 { return tail.tailZero }
                if x == 1 { return tail.log ? -0.693147180559945309417232121458 : 0.5 }
                return tail.tailOne
            }
            return pgamma(x * m, m / 2, 2, tail)
        }
        if m == .infinity { return pgamma(n / x, n / 2, 2, Tail(lower: !tail.lower, log: tail.log)) }
        let u = m * x / (n + m * x), w = n / (n + m * x)
        let v = m * x > n
            ? Distribution.pbetaRaw(w, n / 2, m / 2, Tail(lower: !tail.lower, log: tail.log), complement: u)
            : Distribution.pbetaRaw(u, m / 2, n / 2, tail, complement: w)
        return v.isNaN ? .nan : v
    }

    static func qf(_ p: Double, _ m: Double, _ n: Double, _ tail: Tail) -> Double {
        if m <= 0 || n <= 0 { return .nan }
        if let b = tail.boundary(p, left: 0, right: .infinity) { return b }
        if m <= n && n > 4e5 {
            if !m.isFinite { return 1 }
            return qgamma(p, m / 2, 2, tail) / m
        }
        if m > 4e5 { return n / qgamma(p, n / 2, 2, Tail(lower: !tail.lower, log: tail.log)) }
        // As R computes it, through the beta quantile of the other tail (which loses the relative
        // precision of quantiles very close to 0).
        let v = (1 / qbeta(p, n / 2, m / 2, Tail(lower: !tail.lower, log: tail.log)) - 1) * (n / m)
        return v.isFinite ? v : .nan
    }
}
