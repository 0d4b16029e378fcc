#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Elementwise mathematical functions: `abs`, `sqrt`, `exp`, `log*`, rounding, trigonometry.
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
                return Value(Vector(.integer(out), names: v.names))
            default:
                return Value(Vector(.double(v.storage.doubles().map { Swift.abs($0) }), names: v.names))
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
        defineMath("trunc") { trunc($0) }
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

/// Applies `f` to each element as a double, keeping names; warns "NaNs produced" when asked.
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
    return Value(Vector(.double(out), names: v.names))
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
