#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Order statistics of a numeric vector: `quantile` (Hyndman and Fan's types 1–9), `IQR`, `mad`
/// and `fivenum` (Tukey's hinges).
extension BuiltinRegistry {
    mutating func registerQuantiles() {
        define("quantile", ["x", "probs", "na.rm", "names", "type", "..."]) { args, _ throws(FnError) in
            let x = try args.required(0, "x")
            let naRm = try Unpack.flag(args[2], "na.rm", default: false)
            let type = try Unpack.int(args[4], "type", default: 7)
            guard (1...9).contains(type) else { throw FnError.runtime("'type' must be one of 1:9") }
            let probs = try args[1].map { v throws(FnError) -> [Double] in
                if v.isNull { return [] }
                guard let s = v.storage, s.type != .character else { throw FnError.runtime("'probs' outside [0,1]") }
                return s.doubles()
            } ?? [0, 0.25, 0.5, 0.75, 1]
            let sample = try OrderedSample(x, naRm: naRm)
            var result = try quantiles(sample, probs, type: type)
            if try Unpack.flag(args[3], "names", default: true), !probs.isEmpty {
                result.names = probs.map { $0.isNaN ? "" : percentName(min(1, max(0, $0))) }
            }
            return Value(result)
        }
        define("IQR", ["x", "na.rm", "type"]) { args, ip throws(FnError) in
            let x = try args.required(0, "x")
            let naRm = try Unpack.flag(args[1], "na.rm", default: false)
            let type = try Unpack.int(args[2], "type", default: 7)
            guard (1...9).contains(type) else { throw FnError.runtime("'type' must be one of 1:9") }
            // R's IQR converts with as.numeric first, so strings become NA with a warning.
            let sample = try OrderedSample(coerce(x, to: .double, ip), naRm: naRm)
            let q = try quantiles(sample, [0.25, 0.75], type: type).storage.doubles()
            return .double(q[1] - q[0])
        }
        define("mad", ["x", "center", "constant", "na.rm", "low", "high"]) { args, _ throws(FnError) in
            let x = try args.required(0, "x")
            let naRm = try Unpack.flag(args[3], "na.rm", default: false)
            let low = try Unpack.flag(args[4], "low", default: false)
            let high = try Unpack.flag(args[5], "high", default: false)
            let constant = try scalarDouble(args[2], "constant", default: 1.4826)
            guard let s = Unpack.flatStorage(x), s.type != .character else {
                throw FnError.runtime("non-numeric argument to binary operator")
            }
            var values = s.doubles()
            if naRm { values.removeAll { $0.isNaN } }
            let center = try args[1].map { v throws(FnError) in try scalarDouble(v, "center", default: 0) }
                ?? middle(values)
            let deviations = values.map { Swift.abs($0 - center) }
            let n = deviations.count
            if (low || high) && n % 2 == 0 {
                if low && high { throw FnError.runtime("'low' and 'high' cannot be both TRUE") }
                // The lo-median or hi-median: an element of the sample rather than a midpoint.
                let kept = deviations.filter { !$0.isNaN }.sorted()
                let k = n / 2 + (high ? 1 : 0)
                return .double(k <= kept.count ? constant * kept[k - 1] : NA.double)
            }
            return .double(constant * middle(deviations))
        }
        define("fivenum", ["x", "na.rm"]) { args, _ throws(FnError) in
            let x = try args.required(0, "x")
            let naRm = try Unpack.flag(args[1], "na.rm", default: true)
            guard let s = Unpack.flatStorage(x), s.type != .character else {
                throw FnError.runtime("non-numeric argument to binary operator")
            }
            let all = s.doubles()
            let missing = Value(.logical([Int8](repeating: NA.logical, count: 5)))
            if !naRm && all.contains(where: \.isNaN) { return missing }
            let keep = all.indices.filter { !all[$0].isNaN }.sorted { all[$0] < all[$1] }
            let n = keep.count
            if n == 0 { return missing }
            let n4 = (Double((n + 3) / 2) / 2)
            let depths = [1, n4, Double(n + 1) / 2, Double(n + 1) - n4, Double(n)]
            let out = depths.map { d in
                0.5 * (all[keep[Int(d.rounded(.down)) - 1]] + all[keep[Int(d.rounded(.up)) - 1]])
            }
            let names = x.names.map { nm in depths.map { nm[keep[Int($0.rounded(.down)) - 1]] } }
            return Value(Vector(.double(out), names: names))
        }
    }
}

/// The sorted non-missing values of a numeric vector, and whether it was integer.
private struct OrderedSample {
    var values: [Double]
    var isInteger: Bool

    /// R's checks: an NA is an error unless `naRm`, strings cannot be ordered as numbers.
    init(_ x: Value, naRm: Bool) throws(FnError) {
        guard let s = Unpack.flatStorage(x) else {
            if x.isNull {
                values = []
                isInteger = false
                return
            }
            throw FnError.runtime("non-numeric argument to binary operator")
        }
        guard s.type != .character else { throw FnError.runtime("non-numeric argument to binary operator") }
        var all = s.doubles()
        if all.contains(where: \.isNaN) {
            guard naRm else { throw FnError.runtime("missing values and NaN's not allowed if 'na.rm' is FALSE") }
            all.removeAll { $0.isNaN }
        }
        values = all.sorted()
        isInteger = s.type == .integer
    }
}

/// Sample quantiles by Hyndman and Fan's definitions, as R's `quantile.default` computes them:
/// type 7 interpolates between order statistics `1 + (n - 1) p`; types 1–3 are discontinuous and
/// keep integers integer; types 4–9 place `p` at `a + p (n + 1 - a - b)`.
private func quantiles(_ sample: OrderedSample, _ probs: [Double], type: Int) throws(FnError) -> Vector {
    let eps = 100 * Double.ulpOfOne
    for p in probs where !p.isNaN && (p < -eps || p > 1 + eps) {
        throw FnError.runtime("'probs' outside [0,1]")
    }
    let x = sample.values
    let n = x.count
    guard n > 0 else { return Vector(.double([Double](repeating: NA.double, count: probs.count))) }
    let fuzz = 4 * Double.ulpOfOne
    var out = [Double](repeating: NA.double, count: probs.count)
    // Interpolation turns an integer sample into doubles; type 7 always does (as in R).
    var interpolated = type == 7
    // The order statistics padded as R pads them: two copies of the minimum before, two of the
    // maximum after, so the positions j + 2 and j + 3 (1-based) are always inside.
    func padded(_ k: Int) -> Double { x[min(max(k - 3, 0), n - 1)] }
    for (i, raw) in probs.enumerated() {
        if raw.isNaN {
            interpolated = true
            continue
        }
        let p = min(1, max(0, raw))
        if type == 7 {
            let index = 1 + Double(n - 1) * p
            let lo = Int(index.rounded(.down)), hi = Int(index.rounded(.up))
            var q = x[lo - 1]
            if index > Double(lo) && x[hi - 1] != q {
                let h = index - Double(lo)
                q = (1 - h) * q + h * x[hi - 1]
            }
            out[i] = q
            continue
        }
        let position: Double, j: Double, h: Double
        if type <= 3 {
            // No fuzz here (R has none for the discontinuous types): 7 * (10 / 14) is just below 5.
            position = type == 3 ? Double(n) * p - 0.5 : Double(n) * p
            j = position.rounded(.down)
            switch type {
            case 1: h = position > j ? 1 : 0
            case 2: h = position > j ? 1 : 0.5
            default:
                h = position != j || j.truncatingRemainder(dividingBy: 2) != 0 ? 1 : 0
            }
        } else {
            let (a, b): (Double, Double) = switch type {
            case 4: (0, 1)
            case 5: (0.5, 0.5)
            case 6: (0, 0)
            case 8: (1.0 / 3, 1.0 / 3)
            default: (3.0 / 8, 3.0 / 8)
            }
            position = a + p * (Double(n) + 1 - a - b)
            j = (position + fuzz).rounded(.down)
            let fraction = position - j
            h = Swift.abs(fraction) < fuzz ? 0 : fraction
        }
        let k = Int(j)
        let below = padded(k + 2), above = padded(k + 3)
        var q = h == 1 ? above : below
        if h > 0 && h < 1 && below != above {
            q = (1 - h) * below + h * above
            interpolated = true
        }
        out[i] = q
    }
    if sample.isInteger && !interpolated { return Vector(.integer(out.map { Int32($0) })) }
    return Vector(.double(out))
}

/// R's percent label for a probability: `formatC(100 * p, format = "fg", digits = 7)` then "%",
/// so 1/3 is "33.33333%" and 1e-10 is "0.00000001%" (fixed notation, trailing zeros dropped).
private func percentName(_ p: Double) -> String {
    let v = 100 * p
    if v == 0 { return "0%" }
    let exponent = Int(floor(log10(Swift.abs(v)) + 1e-12))
    guard exponent < -4 else { return cFormat("%.7g", v) + "%" }
    var text = cFormat("%.\(6 - exponent)f", v)
    while text.hasSuffix("0") { text.removeLast() }
    if text.hasSuffix(".") { text.removeLast() }
    return text + "%"
}

/// The median of `values` (NA when any is NA or there are none), as `mad` needs it.
private func middle(_ values: [Double]) -> Double {
    if values.isEmpty || values.contains(where: \.isNaN) { return NA.double }
    let sorted = values.sorted()
    let n = sorted.count
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
}

/// One number argument such as `constant` or `center`.
private func scalarDouble(_ v: Value?, _ name: String, default d: Double) throws(FnError) -> Double {
    guard let v else { return d }
    guard v.atomicType != .character, let x = Unpack.firstDouble(v) else {
        throw FnError.runtime("non-numeric argument to binary operator")
    }
    return x
}
