#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Binomial, Poisson and gamma variates by the algorithms R uses, so a seed gives R's draws:
/// inversion for small means, BTPE (Kachitvichyanukul & Schmeiser 1988) for binomials with
/// np ≥ 30, PD (Ahrens & Dieter 1982) for Poisson means of 10 or more, and for gamma shapes GS
/// (Ahrens & Dieter 1974) below 1 and GD (Ahrens & Dieter 1982) from 1 on.
enum RandomVariates {
    static func binomial(_ size: Double, _ prob: Double, _ rng: inout RandomState) -> Double {
        if !size.isFinite || !prob.isFinite { return .nan }
        let r = size.rounded()
        if r != size || r < 0 || prob < 0 || prob > 1 { return .nan }
        if r == 0 || prob == 0 { return 0 }
        if prob == 1 { return r }
        if r >= 2_147_483_647 {
            return Dists.qbinom(rng.uniform(), r, prob, Tail(lower: false, log: false))
        }
        let n = Int(r)
        let p = min(prob, 1 - prob), q = 1 - p
        let np = Double(n) * p
        let ratio = p / q
        let g = ratio * Double(n + 1)
        var ix: Int
        if np < 30 {
            // Inversion, restarting after 110 steps as the published algorithm does.
            let qn = pow(q, Double(n))
            search: while true {
                ix = 0
                var f = qn
                var u = rng.uniform()
                while true {
                    if u < f { break search }
                    if ix > 110 { break }
                    u -= f
                    ix += 1
                    f *= g / Double(ix) - ratio
                }
            }
        } else {
            ix = btpe(n, p, q, np, ratio, g, &rng)
        }
        if prob > 0.5 { ix = n - ix }
        return Double(ix)
    }

    /// The BTPE rejection sampler: a triangle, two parallelograms and two exponential tails
    /// majorise the binomial; acceptance by explicit ratio or Stirling bounds.
    private static func btpe(
        _ n: Int, _ p: Double, _ q: Double, _ np: Double, _ r: Double, _ g: Double, _ rng: inout RandomState
    ) -> Int {
        let fm = np + p
        let m = Int(fm)
        let npq = np * q
        let p1 = Double(Int(2.195 * npq.squareRoot() - 4.6 * q)) + 0.5
        let xm = Double(m) + 0.5
        let xl = xm - p1, xr = xm + p1
        let c = 0.134 + 20.5 / (15.3 + Double(m))
        var al = (fm - xl) / (fm - xl * p)
        let xll = al * (1 + 0.5 * al)
        al = (xr - fm) / (xr * q)
        let xlr = al * (1 + 0.5 * al)
        let p2 = p1 * (1 + c + c)
        let p3 = p2 + c / xll
        let p4 = p3 + c / xlr
        let dn = Double(n)
        while true {
            let u = rng.uniform() * p4
            var v = rng.uniform()
            var ix: Int
            if u <= p1 {
                return Int(xm - p1 * v + u)
            }
            if u <= p2 {
                let x = xl + (u - p1) / c
                v = v * c + 1 - abs(xm - x) / p1
                if v > 1 || v <= 0 { continue }
                ix = Int(x)
            } else if u > p3 {
                ix = Int(xr - log(v) / xlr)
                if ix > n { continue }
                v *= (u - p3) * xlr
            } else {
                ix = Int(xl + log(v) / xll)
                if ix < 0 { continue }
                v *= (u - p2) * xll
            }
            let k = abs(ix - m)
            if Double(k) <= 20 || Double(k) >= npq / 2 - 1 {
                // The ratio f(ix)/f(m) by the recurrence.
                var f = 1.0
                if m < ix {
                    for i in (m + 1)...ix { f *= g / Double(i) - r }
                } else if m > ix {
                    for i in (ix + 1)...m { f /= g / Double(i) - r }
                }
                if v <= f { return ix }
                continue
            }
            let dk = Double(k)
            let amaxp = (dk / npq) * ((dk * (dk / 3 + 0.625) + 0.1666666666666) / npq + 0.5)
            let ynorm = -dk * dk / (2 * npq)
            let alv = log(v)
            if alv < ynorm - amaxp { return ix }
            if alv <= ynorm + amaxp {
                let x1 = Double(ix + 1), f1 = Double(m) + 1, z = dn + 1 - Double(m), w = dn - Double(ix) + 1
                let z2 = z * z, x2 = x1 * x1, f2 = f1 * f1, w2 = w * w
                func corr(_ a: Double, _ a2: Double) -> Double {
                    (13860 - (462 - (132 - (99 - 140 / a2) / a2) / a2) / a2) / a / 166320
                }
                let bound = xm * log(f1 / x1) + (dn - Double(m) + 0.5) * log(z / w)
                    + Double(ix - m) * log(w * p / (x1 * q)) + corr(f1, f2) + corr(z, z2) + corr(x1, x2) + corr(w, w2)
                if alv <= bound { return ix }
            }
        }
    }

    static func poisson(_ mu: Double, _ rng: inout RandomState) -> Double {
        if !mu.isFinite || mu < 0 { return .nan }
        if mu <= 0 { return 0 }
        if mu < 10 { return poissonInversion(mu, &rng) }
        return poissonPD(mu, &rng)
    }

    /// Table inversion for small means (up to 35 cumulative terms, then a fresh uniform).
    private static func poissonInversion(_ mu: Double, _ rng: inout RandomState) -> Double {
        let p0 = exp(-mu)
        var cumulative = [Double](repeating: 0, count: 36)
        var built = 0
        var p = p0, q = p0
        while true {
            let u = rng.uniform()
            if u <= p0 { return 0 }
            for k in 1...35 {
                if k > built {
                    p *= mu / Double(k)
                    q += p
                    cumulative[k] = q
                    built = k
                }
                if u <= cumulative[k] { return Double(k) }
            }
        }
    }

    /// Algorithm PD: a normal sample with squeeze, then a Laplace hat with exact acceptance.
    private static func poissonPD(_ mu: Double, _ rng: inout RandomState) -> Double {
        let a0 = -0.5, a1 = 0.3333333, a2 = -0.2500068, a3 = 0.2000118
        let a4 = -0.1661269, a5 = 0.1421878, a6 = -0.1384794, a7 = 0.1250060
        let factorials: [Double] = [1, 1, 2, 6, 24, 120, 720, 5040, 40320, 362880]
        let s = mu.squareRoot()
        let d = 6 * mu * mu
        let bigL = (mu - 1.1484).rounded(.down)

        var pois = -1.0, fk = 0.0, difmuk = 0.0, u = 0.0
        let g = mu + s * rng.normal()
        if g >= 0 {
            pois = g.rounded(.down)
            if pois >= bigL { return pois }
            fk = pois
            difmuk = mu - fk
            u = rng.uniform()
            if d * u >= difmuk * difmuk * difmuk { return pois }
        }
        let omega = Special.invSqrt2Pi / s
        let b1 = 0.0416666666666666667 / mu
        let b2 = 0.3 * b1 * b1
        let c3 = 0.1428571428571428571 * b1 * b2
        let c2 = b2 - 15 * c3
        let c1 = b1 - 6 * b2 + 45 * c3
        let c0 = 1 - b1 + 3 * b2 - 15 * c3
        let c = 0.1069 / mu

        // px, py, fx, fy of the published 'subroutine F' at the current pois.
        func terms() -> (Double, Double, Double, Double) {
            var px: Double, py: Double
            if pois < 10 {
                px = -mu
                py = pow(mu, pois) / factorials[Int(pois)]
            } else {
                var del = 0.0833333333333333333 / fk
                del = del * (1 - 4.8 * del * del)
                let v = difmuk / fk
                if abs(v) <= 0.25 {
                    px = fk * v * v * (((((((a7 * v + a6) * v + a5) * v + a4) * v + a3) * v + a2) * v + a1) * v + a0) - del
                } else {
                    px = fk * log(1 + v) - difmuk - del
                }
                py = Special.invSqrt2Pi / fk.squareRoot()
            }
            let x = (0.5 - difmuk) / s
            let xx = x * x
            return (px, py, -0.5 * xx, omega * (((c3 * xx + c2) * xx + c1) * xx + c0))
        }

        if g >= 0 {
            let (px, py, fx, fy) = terms()
            if fy - u * fy <= py * exp(px - fx) { return pois }
        }
        while true {
            let e = rng.exponential()
            u = 2 * rng.uniform() - 1
            let t = 1.8 + (u >= 0 ? e : -e)
            if t > -0.6744 {
                pois = (mu + s * t).rounded(.down)
                fk = pois
                difmuk = mu - fk
                let (px, py, fx, fy) = terms()
                if c * abs(u) <= py * exp(px + e) - fy * exp(fx + e) { return pois }
            }
        }
    }

    static func gamma(_ a: Double, _ scale: Double, _ rng: inout RandomState) -> Double {
        if a.isNaN || scale.isNaN { return .nan }
        if a <= 0 || scale <= 0 { return scale == 0 || a == 0 ? 0 : .nan }
        if !a.isFinite || !scale.isFinite { return .infinity }
        if a < 1 {
            // GS: a mixture of x^(a-1) near 0 and e^-x beyond 1, accepted by an exponential.
            let e = 1 + 0.36787944117144233 * a
            while true {
                let p = e * rng.uniform()
                if p >= 1 {
                    let x = -log((e - p) / a)
                    if rng.exponential() >= (1 - a) * log(x) { return scale * x }
                } else {
                    let x = exp(log(p) / a)
                    if rng.exponential() >= x { return scale * x }
                }
            }
        }
        // GD: x = (s + t/2)² for a normal t, with squeeze, quotient and Laplace-hat acceptance.
        let q1 = 0.04166669, q2 = 0.02083148, q3 = 0.00801191, q4 = 0.00144121
        let q5 = -7.388e-5, q6 = 2.4511e-4, q7 = 2.424e-4
        let a1 = 0.3333333, a2 = -0.250003, a3 = 0.2000062, a4 = -0.1662921
        let a5 = 0.1423657, a6 = -0.1367177, a7 = 0.1233795
        let s2 = a - 0.5, s = s2.squareRoot()
        let d = 5.656854 - s * 12
        var t = rng.normal()
        var x = s + 0.5 * t
        let square = x * x
        if t >= 0 { return scale * square }
        var u = rng.uniform()
        if d * u <= t * t * t { return scale * square }
        let r = 1 / a
        let q0 = ((((((q7 * r + q6) * r + q5) * r + q4) * r + q3) * r + q2) * r + q1) * r
        let b: Double, si: Double, c: Double
        if a <= 3.686 {
            b = 0.463 + s + 0.178 * s2
            si = 1.235
            c = 0.195 / s - 0.079 + 0.16 * s
        } else if a <= 13.022 {
            b = 1.654 + 0.0076 * s2
            si = 1.68 / s + 0.275
            c = 0.062 / s + 0.024
        } else {
            b = 1.77
            si = 0.75
            c = 0.1515 / s
        }
        // The log of the quotient of the gamma density and the normal at t.
        func quotient(_ t: Double) -> Double {
            let v = t / (s + s)
            if abs(v) <= 0.25 {
                return q0 + 0.5 * t * t * ((((((a7 * v + a6) * v + a5) * v + a4) * v + a3) * v + a2) * v + a1) * v
            }
            return q0 - s * t + 0.25 * t * t + (s2 + s2) * log(1 + v)
        }
        if x > 0 && log(1 - u) <= quotient(t) { return scale * square }
        while true {
            let e = rng.exponential()
            u = rng.uniform()
            u = u + u - 1
            t = u < 0 ? b - si * e : b + si * e
            if t >= -0.71874483771719 {
                let q = quotient(t)
                if q > 0 && c * abs(u) <= expm1(q) * exp(e - 0.5 * t * t) { break }
            }
        }
        x = s + 0.5 * t
        return scale * x * x
    }
}
