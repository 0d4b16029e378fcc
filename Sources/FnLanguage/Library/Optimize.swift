import Glibc

/// One-dimensional and multivariate numerical methods as R computes them: `optimize` (Brent's
/// golden-section search with parabolic steps), `uniroot` (Brent's zeroin), `integrate` (adaptive
/// 21-point Gauss–Kronrod) and `optim` (Nelder–Mead and BFGS, after Nash's published algorithms).
extension BuiltinRegistry {
    mutating func registerOptimize() {
        for name in ["optimize", "optimise"] {
            define(name, ["f", "interval", "...", "lower", "upper", "maximum", "tol"]) { args, ip throws(FnError) in
                let f = try Unpack.function(try args.required(0, "f"), ip, "f")
                let interval = args[1].flatMap { Unpack.flatStorage($0)?.doubles() } ?? []
                let lower = try args[3].map { v throws(FnError) in try numericArg(v, "lower") } ?? interval.min() ?? .nan
                let upper = try args[4].map { v throws(FnError) in try numericArg(v, "upper") } ?? interval.max() ?? .nan
                let maximum = try Unpack.flag(args[5], "maximum", default: false)
                let tol = try args[6].map { v throws(FnError) in try numericArg(v, "tol") } ?? pow(2.220446049250313e-16, 0.25)
                guard lower.isFinite, upper.isFinite else { throw FnError.runtime("invalid 'xmin' value") }
                guard lower < upper else { throw FnError.runtime("'xmin' not less than 'xmax'") }
                let call = Objective(f: f, dots: args.dots, dotNames: args.dotNames, ip: ip)
                let x = try brentMinimum(lower, upper, tol) { x throws(FnError) in
                    let v = try call.scalar(x, "invalid function value in 'optimize'")
                    return maximum ? -v : v
                }
                let objective = try call.value(.double(x))
                return .list(List([.double(x), objective], names: [maximum ? "maximum" : "minimum", "objective"]))
            }
        }
        define("uniroot", ["f", "interval", "...", "lower", "upper", "f.lower", "f.upper", "extendInt",
                           "check.conv", "tol", "maxiter", "trace"]) { args, ip throws(FnError) in
            let f = try Unpack.function(try args.required(0, "f"), ip, "f")
            let interval = args[1].flatMap { Unpack.flatStorage($0)?.doubles() } ?? []
            let lower = try args[3].map { v throws(FnError) in try numericArg(v, "lower") } ?? interval.first ?? .nan
            let upper = try args[4].map { v throws(FnError) in try numericArg(v, "upper") } ?? (interval.count > 1 ? interval[1] : .nan)
            guard lower.isFinite, upper.isFinite, lower < upper else {
                throw FnError.runtime("lower < upper  is not fulfilled")
            }
            let call = Objective(f: f, dots: args.dots, dotNames: args.dotNames, ip: ip)
            var fLower: Double, fUpper: Double
            if let v = args[5] { fLower = try numericArg(v, "f.lower") } else { fLower = try call.scalar(lower, "f.lower = f(lower) is NA") }
            if let v = args[6] { fUpper = try numericArg(v, "f.upper") } else { fUpper = try call.scalar(upper, "f.upper = f(upper) is NA") }
            if fLower.isNaN { throw FnError.runtime("f.lower = f(lower) is NA") }
            if fUpper.isNaN { throw FnError.runtime("f.upper = f(upper) is NA") }
            let tol = try args[9].map { v throws(FnError) in try numericArg(v, "tol") } ?? pow(2.220446049250313e-16, 0.25)
            let maxiter = try Unpack.int(args[10], "maxiter", default: 1000)
            if fLower * fUpper > 0 { throw FnError.runtime("f() values at end points not of opposite sign") }
            var result = try zeroin(lower, upper, fLower, fUpper, tol: tol, maxit: maxiter) { x throws(FnError) in
                let v = try call.scalar(x, "f() values at end points not of opposite sign")
                if v.isNaN { throw FnError.runtime("NA value encountered in uniroot: use a different interval") }
                return v
            }
            if result.iterations < 0 {
                ip.warn("_NOT_ converged in \(maxiter) iterations")
                result.iterations = maxiter
            }
            let froot = try call.value(.double(result.root))
            return .list(List([.double(result.root), froot, .integer(Int32(result.iterations)),
                               .integer(NA.integer), .double(result.precision)],
                              names: ["root", "f.root", "iter", "init.it", "estim.prec"]))
        }
        define("integrate", ["f", "lower", "upper", "...", "subdivisions", "rel.tol", "abs.tol", "stop.on.error"]) { args, ip throws(FnError) in
            let f = try Unpack.function(try args.required(0, "f"), ip, "f")
            let lower = try numericArg(try args.required(1, "lower"), "lower")
            let upper = try numericArg(try args.required(2, "upper"), "upper")
            let limit = try Unpack.int(args[4], "subdivisions", default: 100)
            let relTol = try args[5].map { v throws(FnError) in try numericArg(v, "rel.tol") } ?? pow(2.220446049250313e-16, 0.25)
            let absTol = try args[6].map { v throws(FnError) in try numericArg(v, "abs.tol") } ?? relTol
            if lower.isNaN || upper.isNaN { throw FnError.runtime("a limit is NA or NaN") }
            let call = Objective(f: f, dots: args.dots, dotNames: args.dotNames, ip: ip)
            let vectorised: ([Double]) throws(FnError) -> [Double] = { xs throws(FnError) in
                let v = try call.value(Value(Vector(.double(xs))))
                guard let s = Unpack.flatStorage(v), s.type != .character, s.count == xs.count else {
                    throw FnError.runtime("evaluation of function gave a result of wrong length")
                }
                let d = s.doubles()
                if d.contains(where: { !$0.isFinite }) { throw FnError.runtime("non-finite function value") }
                return d
            }
            let r = try adaptiveQuadrature(vectorised, lower, upper, relTol: relTol, absTol: absTol, limit: limit)
            if let message = r.failure { throw FnError.runtime(message) }
            return .list(List([.double(r.value), .double(r.error), .integer(Int32(r.subdivisions)), .character("OK"), .null],
                              names: ["value", "abs.error", "subdivisions", "message", "call"], classes: ["integrate"]))
        }
        define("optim", ["par", "fn", "gr", "...", "method", "lower", "upper", "control", "hessian"]) { args, ip throws(FnError) in
            let parValue = try args.required(0, "par")
            guard let parStorage = Unpack.flatStorage(parValue), parStorage.type != .character else {
                throw FnError.runtime("'par' must be numeric")
            }
            let par = parStorage.doubles()
            let parNames = parValue.names
            let fn = try Unpack.function(try args.required(1, "fn"), ip, "fn")
            let method = try Unpack.string(args[4], "method", default: "Nelder-Mead")
            var control: [String: Double] = [:]
            if case .list(let l)? = args[7] {
                for (i, v) in l.elements.enumerated() {
                    if let n = l.names?[i], let d = Unpack.firstDouble(v) { control[n] = d }
                }
            }
            let fnscale = control["fnscale"] ?? 1
            let call = Objective(f: fn, dots: args.dots, dotNames: args.dotNames, ip: ip)
            let objective: ([Double]) throws(FnError) -> Double = { p throws(FnError) in
                let v = try call.value(Value(Vector(.double(p), names: parNames)))
                guard let s = Unpack.flatStorage(v), s.count == 1, s.type != .character else {
                    throw FnError.runtime("objective function in optim evaluates to length \(v.length) not 1")
                }
                return s.doubles()[0] / fnscale
            }
            let countNames = ["function", "gradient"]
            switch method {
            case "Nelder-Mead":
                if par.count == 1 {
                    ip.warn("one-dimensional optimization by Nelder-Mead is unreliable:\nuse \"Brent\" or optimize() directly")
                }
                let r = try nelderMead(par, objective, abstol: control["abstol"] ?? -.infinity,
                                       reltol: control["reltol"] ?? 1.490116119384765625e-8,
                                       alpha: control["alpha"] ?? 1, beta: control["beta"] ?? 0.5,
                                       gamma: control["gamma"] ?? 2, maxit: Int(control["maxit"] ?? 500))
                return .list(List([Value(Vector(.double(r.par), names: parNames)), .double(r.value * fnscale),
                                   Value(Vector(.integer([Int32(r.count), NA.integer]), names: countNames)),
                                   .integer(Int32(r.fail)), .null],
                                  names: ["par", "value", "counts", "convergence", "message"]))
            case "BFGS":
                let ndeps = control["ndeps"] ?? 1e-3
                let gradient: ([Double]) throws(FnError) -> [Double]
                if let gr = args[2], !gr.isNull {
                    let g = try Unpack.function(gr, ip, "gr")
                    let gcall = Objective(f: g, dots: args.dots, dotNames: args.dotNames, ip: ip)
                    gradient = { p throws(FnError) in
                        let v = try gcall.value(Value(Vector(.double(p), names: parNames)))
                        guard let s = Unpack.flatStorage(v), s.count == p.count else {
                            throw FnError.runtime("gradient in optim evaluated to length \(v.length) not \(p.count)")
                        }
                        return s.doubles().map { $0 / fnscale }
                    }
                } else {
                    gradient = { p throws(FnError) in
                        var x = p, df = [Double](repeating: 0, count: p.count)
                        for i in p.indices {
                            x[i] = p[i] + ndeps
                            let v1 = try objective(x)
                            x[i] = p[i] - ndeps
                            let v2 = try objective(x)
                            df[i] = (v1 - v2) / (2 * ndeps)
                            if !df[i].isFinite { throw FnError.runtime("non-finite finite-difference value [\(i + 1)]") }
                            x[i] = p[i]
                        }
                        return df
                    }
                }
                let r = try variableMetric(par, objective, gradient, maxit: Int(control["maxit"] ?? 100),
                                           abstol: control["abstol"] ?? -.infinity,
                                           reltol: control["reltol"] ?? 1.490116119384765625e-8)
                return .list(List([Value(Vector(.double(r.par), names: parNames)), .double(r.value * fnscale),
                                   Value(Vector(.integer([Int32(r.fnCount), Int32(r.grCount)]), names: countNames)),
                                   .integer(Int32(r.fail)), .null],
                                  names: ["par", "value", "counts", "convergence", "message"]))
            default:
                throw FnError.runtime("optim method '\(method)' is not supported (Nelder-Mead and BFGS are)")
            }
        }
    }
}

/// A user function called with one varying first argument and the call's `...`.
struct Objective {
    let f: Value
    let dots: [Value]
    let dotNames: [String?]
    let ip: Interpreter

    func value(_ x: Value) throws(FnError) -> Value {
        try ip.callFunction(f, [x] + dots, names: [nil] + dotNames)
    }

    func scalar(_ x: Double, _ message: String) throws(FnError) -> Double {
        let v = try value(.double(x))
        guard let s = Unpack.flatStorage(v), s.count >= 1, s.type != .character else { throw FnError.runtime(message) }
        return s.doubles()[0]
    }
}

private func numericArg(_ v: Value, _ name: String) throws(FnError) -> Double {
    guard let d = Unpack.firstDouble(v), v.atomicType != .character else { throw FnError.runtime("invalid '\(name)' value") }
    return d
}

/// Brent's minimiser on [a, b]: golden-section steps, parabolic interpolation when it is safe.
func brentMinimum(_ ax: Double, _ bx: Double, _ tol: Double,
                  _ f: (Double) throws(FnError) -> Double) throws(FnError) -> Double {
    let c = (3 - 5.0.squareRoot()) * 0.5
    let eps = 2.220446049250313e-16.squareRoot()
    var a = ax, b = bx
    var v = a + c * (b - a), w = v, x = v
    var d = 0.0, e = 0.0
    var fx = try f(x)
    var fv = fx, fw = fx
    let tol3 = tol / 3
    while true {
        let xm = (a + b) * 0.5
        let tol1 = eps * abs(x) + tol3
        let t2 = tol1 * 2
        if abs(x - xm) <= t2 - (b - a) * 0.5 { break }
        var p = 0.0, q = 0.0, r = 0.0
        if abs(e) > tol1 {
            r = (x - w) * (fx - fv)
            q = (x - v) * (fx - fw)
            p = (x - v) * q - (x - w) * r
            q = (q - r) * 2
            if q > 0 { p = -p } else { q = -q }
            r = e
            e = d
        }
        if abs(p) >= abs(q * 0.5 * r) || p <= q * (a - x) || p >= q * (b - x) {
            e = x < xm ? b - x : a - x
            d = c * e
        } else {
            d = p / q
            let u = x + d
            if u - a < t2 || b - u < t2 {
                d = x < xm ? tol1 : -tol1
            }
        }
        let u = abs(d) >= tol1 ? x + d : (d > 0 ? x + tol1 : x - tol1)
        let fu = try f(u)
        if fu <= fx {
            if u < x { b = x } else { a = x }
            v = w; w = x; x = u
            fv = fw; fw = fx; fx = fu
        } else {
            if u < x { a = u } else { b = u }
            if fu <= fw || w == x {
                v = w; fv = fw
                w = u; fw = fu
            } else if fu <= fv || v == x || v == w {
                v = u; fv = fu
            }
        }
    }
    return x
}

/// Brent's root finder given f at both ends; iterations is -1 when maxit was reached.
func zeroin(_ ax: Double, _ bx: Double, _ fax: Double, _ fbx: Double, tol: Double, maxit: Int,
            _ f: (Double) throws(FnError) -> Double) throws(FnError) -> (root: Double, iterations: Int, precision: Double) {
    let epsilon = 2.220446049250313e-16
    var a = ax, b = bx, fa = fax, fb = fbx
    var c = a, fc = fa
    if fa == 0 { return (a, 0, 0) }
    if fb == 0 { return (b, 0, 0) }
    var remaining = maxit + 1
    while remaining > 0 {
        remaining -= 1
        let prevStep = b - a
        if abs(fc) < abs(fb) {
            a = b; b = c; c = a
            fa = fb; fb = fc; fc = fa
        }
        let tolAct = 2 * epsilon * abs(b) + tol / 2
        var newStep = (c - b) / 2
        if abs(newStep) <= tolAct || fb == 0 {
            return (b, maxit - remaining, abs(c - b))
        }
        if abs(prevStep) >= tolAct && abs(fa) > abs(fb) {
            var p: Double, q: Double
            let cb = c - b
            if a == c {
                let t1 = fb / fa
                p = cb * t1
                q = 1 - t1
            } else {
                q = fa / fc
                let t1 = fb / fc, t2 = fb / fa
                p = t2 * (cb * q * (q - t1) - (b - a) * (t1 - 1))
                q = (q - 1) * (t1 - 1) * (t2 - 1)
            }
            if p > 0 { q = -q } else { p = -p }
            if p < 0.75 * cb * q - abs(tolAct * q) / 2 && p < abs(prevStep * q / 2) {
                newStep = p / q
            }
        }
        if abs(newStep) < tolAct { newStep = newStep > 0 ? tolAct : -tolAct }
        a = b; fa = fb
        b += newStep
        fb = try f(b)
        if (fb > 0 && fc > 0) || (fb < 0 && fc < 0) {
            c = a; fc = fa
        }
    }
    return (b, -1, -1)
}

/// 21-point Gauss–Kronrod abscissae (positive half, descending from the end) and weights.
private let kronrodNodes: [Double] = [
    0.995657163025808080735527280689003, 0.973906528517171720077964012084452,
    0.930157491355708226001207180059508, 0.865063366688984510732096688423493,
    0.780817726586416897063717578345042, 0.679409568299024406234327365114874,
    0.562757134668604683339000099272694, 0.433395394129247190799265943165784,
    0.294392862701460198131126603103866, 0.148874338981631210884826001129720, 0,
]
private let kronrodWeights: [Double] = [
    0.011694638867371874278064396062192, 0.032558162307964727478818972459390,
    0.054755896574351996031381300244580, 0.075039674810919952767043140916190,
    0.093125454583697605535065465083366, 0.109387158802297641899210590325805,
    0.123491976262065851077600025709550, 0.134709217311473325928054001771707,
    0.142775938577060080797094273138717, 0.147739104901338491374841515972068,
    0.149445554002916905664936468389821,
]
private let gaussWeights: [Double] = [
    0.066671344308688137593568809893332, 0.149451349150580593145776339657697,
    0.219086362515982043995534934228163, 0.269266719309996355091226921569469,
    0.295524224714752870173892994651338,
]

/// One 21-point Kronrod rule on [a, b] with QUADPACK's error estimate.
private func kronrod21(_ f: ([Double]) throws(FnError) -> [Double], _ a: Double, _ b: Double,
                       transform: ((Double) -> (Double, Double))?) throws(FnError) -> (value: Double, error: Double) {
    let centre = 0.5 * (a + b), half = 0.5 * (b - a)
    var xs = [Double]()
    xs.reserveCapacity(21)
    xs.append(centre)
    for j in 0..<10 {
        xs.append(centre - half * kronrodNodes[j])
        xs.append(centre + half * kronrodNodes[j])
    }
    var points = xs, jacobian = [Double](repeating: 1, count: 21)
    if let transform {
        for i in 0..<21 { (points[i], jacobian[i]) = transform(xs[i]) }
    }
    let raw = try f(points)
    let fv = (0..<21).map { raw[$0] * jacobian[$0] }
    let fc = fv[0]
    var resk = kronrodWeights[10] * fc, resg = 0.0
    var resabs = abs(resk)
    for j in 0..<10 {
        let f1 = fv[1 + 2 * j], f2 = fv[2 + 2 * j]
        resk += kronrodWeights[j] * (f1 + f2)
        resabs += kronrodWeights[j] * (abs(f1) + abs(f2))
        if j % 2 == 1 { resg += gaussWeights[j / 2] * (f1 + f2) }
    }
    let reskh = resk * 0.5
    var resasc = kronrodWeights[10] * abs(fc - reskh)
    for j in 0..<10 {
        resasc += kronrodWeights[j] * (abs(fv[1 + 2 * j] - reskh) + abs(fv[2 + 2 * j] - reskh))
    }
    let result = resk * half
    resabs *= abs(half)
    resasc *= abs(half)
    var err = abs((resk - resg) * half)
    if resasc != 0 && err != 0 { err = resasc * min(1, pow(200 * err / resasc, 1.5)) }
    if resabs > 2.2250738585072014e-308 / (50 * 2.220446049250313e-16) {
        err = max(2.220446049250313e-16 * 50 * resabs, err)
    }
    return (result, err)
}

/// Adaptive bisection over Kronrod rules until the total error estimate meets the tolerance.
/// Infinite ranges are mapped onto (0, 1] by x = a + (1 - t)/t as QUADPACK does.
func adaptiveQuadrature(_ f: @escaping ([Double]) throws(FnError) -> [Double], _ lower: Double, _ upper: Double,
                        relTol: Double, absTol: Double, limit: Int) throws(FnError) -> (value: Double, error: Double, subdivisions: Int, failure: String?) {
    if lower == upper { return (0, 0, 1, nil) }
    var a = 0.0, b = 1.0
    var transform: ((Double) -> (Double, Double))? = nil
    if lower.isFinite && upper.isFinite {
        a = lower; b = upper
    } else if lower.isFinite {
        transform = { t in (lower + (1 - t) / t, 1 / (t * t)) }
    } else if upper.isFinite {
        transform = { t in (upper - (1 - t) / t, 1 / (t * t)) }
    } else {
        let g: ([Double]) throws(FnError) -> [Double] = { ts throws(FnError) in
            let xs = ts.map { (1 - $0) / $0 }
            let p = try f(xs), m = try f(xs.map { -$0 })
            return (0..<ts.count).map { p[$0] + m[$0] }
        }
        return try adaptiveQuadrature(g, 0, .infinity, relTol: relTol, absTol: absTol, limit: limit, finiteMap: true)
    }
    var intervals: [(a: Double, b: Double, value: Double, error: Double)] = []
    let first = try kronrod21(f, a, b, transform: transform)
    intervals.append((a, b, first.value, first.error))
    var total = first.value, totalError = first.error
    while totalError > max(absTol, relTol * abs(total)) {
        if intervals.count >= limit { return (total, totalError, intervals.count, "maximum number of subdivisions reached") }
        var worst = 0
        for i in intervals.indices where intervals[i].error > intervals[worst].error { worst = i }
        let w = intervals[worst]
        let mid = 0.5 * (w.a + w.b)
        let left = try kronrod21(f, w.a, mid, transform: transform)
        let right = try kronrod21(f, mid, w.b, transform: transform)
        intervals[worst] = (w.a, mid, left.value, left.error)
        intervals.append((mid, w.b, right.value, right.error))
        total = intervals.reduce(0) { $0 + $1.value }
        totalError = intervals.reduce(0) { $0 + $1.error }
    }
    return (total, totalError, intervals.count, nil)
}

private func adaptiveQuadrature(_ f: @escaping ([Double]) throws(FnError) -> [Double], _ lower: Double, _ upper: Double,
                                relTol: Double, absTol: Double, limit: Int, finiteMap: Bool) throws(FnError) -> (value: Double, error: Double, subdivisions: Int, failure: String?) {
    // The doubly infinite case, already folded onto (0, ∞): integrate g(t)/t² over (0, 1].
    let h: ([Double]) throws(FnError) -> [Double] = { ts throws(FnError) in
        let v = try f(ts)
        return (0..<ts.count).map { v[$0] / (ts[$0] * ts[$0]) }
    }
    return try adaptiveQuadrature(h, 0, 1, relTol: relTol, absTol: absTol, limit: limit)
}

/// Nelder–Mead simplex search (Nash's variant as in R's optim).
func nelderMead(_ start: [Double], _ fn: ([Double]) throws(FnError) -> Double, abstol: Double, reltol: Double,
                alpha: Double, beta: Double, gamma: Double, maxit: Int) throws(FnError) -> (par: [Double], value: Double, count: Int, fail: Int) {
    let n = start.count
    let big = 1.0e35
    var bvec = start
    if maxit <= 0 { return (start, try fn(start), 0, 0) }
    var f = try fn(bvec)
    if !f.isFinite { throw FnError.runtime("function cannot be evaluated at initial parameters") }
    var funcount = 1
    let convtol = reltol * (abs(f) + reltol)
    let n1 = n + 1, cc = n + 2
    var p = [[Double]](repeating: [Double](repeating: 0, count: cc), count: n1)
    p[n1 - 1][0] = f
    for i in 0..<n { p[i][0] = bvec[i] }
    var l = 1
    var step = 0.0
    for i in 0..<n where 0.1 * abs(bvec[i]) > step { step = 0.1 * abs(bvec[i]) }
    if step == 0 { step = 0.1 }
    var size = 0.0
    if n > 0 {
        for j in 2...n1 {
            for i in 0..<n { p[i][j - 1] = bvec[i] }
            var trystep = step
            while p[j - 2][j - 1] == bvec[j - 2] {
                p[j - 2][j - 1] = bvec[j - 2] + trystep
                trystep *= 10
            }
            size += trystep
        }
    }
    var oldsize = size
    var calcvert = true
    var fail = 0
    repeat {
        if calcvert {
            for j in 0..<n1 where j + 1 != l {
                for i in 0..<n { bvec[i] = p[i][j] }
                f = try fn(bvec)
                if !f.isFinite { f = big }
                funcount += 1
                p[n1 - 1][j] = f
            }
            calcvert = false
        }
        var vl = p[n1 - 1][l - 1], vh = vl, h = l
        for j in 1...n1 where j != l {
            let fj = p[n1 - 1][j - 1]
            if fj < vl { l = j; vl = fj }
            if fj > vh { h = j; vh = fj }
        }
        if vh <= vl + convtol || vl <= abstol { break }
        for i in 0..<n {
            var temp = -p[i][h - 1]
            for j in 0..<n1 { temp += p[i][j] }
            p[i][cc - 1] = temp / Double(n)
        }
        for i in 0..<n { bvec[i] = (1 + alpha) * p[i][cc - 1] - alpha * p[i][h - 1] }
        f = try fn(bvec)
        if !f.isFinite { f = big }
        funcount += 1
        let vr = f
        if vr < vl {
            p[n1 - 1][cc - 1] = f
            for i in 0..<n {
                let e = gamma * bvec[i] + (1 - gamma) * p[i][cc - 1]
                p[i][cc - 1] = bvec[i]
                bvec[i] = e
            }
            f = try fn(bvec)
            if !f.isFinite { f = big }
            funcount += 1
            if f < vr {
                for i in 0..<n { p[i][h - 1] = bvec[i] }
                p[n1 - 1][h - 1] = f
            } else {
                for i in 0..<n { p[i][h - 1] = p[i][cc - 1] }
                p[n1 - 1][h - 1] = vr
            }
        } else {
            if vr < vh {
                for i in 0..<n { p[i][h - 1] = bvec[i] }
                p[n1 - 1][h - 1] = vr
            }
            for i in 0..<n { bvec[i] = (1 - beta) * p[i][h - 1] + beta * p[i][cc - 1] }
            f = try fn(bvec)
            if !f.isFinite { f = big }
            funcount += 1
            if f < p[n1 - 1][h - 1] {
                for i in 0..<n { p[i][h - 1] = bvec[i] }
                p[n1 - 1][h - 1] = f
            } else if vr >= vh {
                calcvert = true
                size = 0
                for j in 0..<n1 where j + 1 != l {
                    for i in 0..<n {
                        p[i][j] = beta * (p[i][j] - p[i][l - 1]) + p[i][l - 1]
                        size += abs(p[i][j] - p[i][l - 1])
                    }
                }
                if size < oldsize {
                    oldsize = size
                } else {
                    fail = 10
                    break
                }
            }
        }
    } while funcount <= maxit
    let par = (0..<n).map { p[$0][l - 1] }
    if funcount > maxit { fail = 1 }
    return (par, p[n1 - 1][l - 1], funcount, fail)
}

/// The variable-metric (BFGS) minimiser of Nash's book as R's optim runs it.
func variableMetric(_ start: [Double], _ fn: ([Double]) throws(FnError) -> Double,
                    _ gr: ([Double]) throws(FnError) -> [Double], maxit: Int, abstol: Double,
                    reltol: Double) throws(FnError) -> (par: [Double], value: Double, fnCount: Int, grCount: Int, fail: Int) {
    let stepredn = 0.2, acctol = 0.0001, reltest = 10.0
    let n = start.count
    var b = start
    if maxit <= 0 { return (b, try fn(b), 0, 0, 0) }
    var f = try fn(b)
    if !f.isFinite { throw FnError.runtime("initial value in 'vmmin' is not finite") }
    var fmin = f
    var funcount = 1, gradcount = 1
    var g = try gr(b)
    var iter = 1
    var ilast = gradcount
    var bmat = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
    var x = [Double](repeating: 0, count: n), c = x, t = x
    var count = 0
    repeat {
        if ilast == gradcount {
            for i in 0..<n {
                for j in 0..<i { bmat[i][j] = 0 }
                bmat[i][i] = 1
            }
        }
        for i in 0..<n { x[i] = b[i]; c[i] = g[i] }
        var gradproj = 0.0
        for i in 0..<n {
            var s = 0.0
            for j in 0...i { s -= bmat[i][j] * g[j] }
            for j in (i + 1)..<max(i + 1, n) { s -= bmat[j][i] * g[j] }
            t[i] = s
            gradproj += s * g[i]
        }
        if gradproj < 0 {
            var steplength = 1.0
            var accpoint = false
            repeat {
                count = 0
                for i in 0..<n {
                    b[i] = x[i] + steplength * t[i]
                    if reltest + x[i] == reltest + b[i] { count += 1 }
                }
                if count < n {
                    f = try fn(b)
                    funcount += 1
                    accpoint = f.isFinite && f <= fmin + gradproj * steplength * acctol
                    if !accpoint { steplength *= stepredn }
                }
            } while !(count == n || accpoint)
            let enough = f > abstol && abs(f - fmin) > reltol * (abs(fmin) + reltol)
            if !enough { count = n; fmin = f }
            if count < n {
                fmin = f
                g = try gr(b)
                gradcount += 1
                iter += 1
                var d1 = 0.0
                for i in 0..<n {
                    t[i] *= steplength
                    c[i] = g[i] - c[i]
                    d1 += t[i] * c[i]
                }
                if d1 > 0 {
                    var d2 = 0.0
                    for i in 0..<n {
                        var s = 0.0
                        for j in 0...i { s += bmat[i][j] * c[j] }
                        for j in (i + 1)..<max(i + 1, n) { s += bmat[j][i] * c[j] }
                        x[i] = s
                        d2 += s * c[i]
                    }
                    d2 = 1 + d2 / d1
                    for i in 0..<n {
                        for j in 0...i { bmat[i][j] += (d2 * t[i] * t[j] - x[i] * t[j] - t[i] * x[j]) / d1 }
                    }
                } else {
                    ilast = gradcount
                }
            } else if ilast < gradcount {
                count = 0
                ilast = gradcount
            }
        } else {
            count = 0
            if ilast == gradcount { count = n } else { ilast = gradcount }
        }
        if iter >= maxit { break }
        if gradcount - ilast > 2 * n { ilast = gradcount }
    } while count != n || ilast != gradcount
    return (b, fmin, funcount, gradcount, iter < maxit ? 0 : 1)
}
