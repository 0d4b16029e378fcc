#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Variance, covariance and correlation of vectors: `var`, `sd`, `cov` and `cor` with R's
/// `use =` treatments of missing values and the pearson, kendall and spearman methods.
extension BuiltinRegistry {
    mutating func registerCorrelation() {
        define("cor", ["x", "y", "use", "method"]) { args, ip throws(FnError) in
            let (x, y) = try pairedVectors(args)
            let use = try MissingValues(args[2])
            let method = try CorrelationMethod(args[3])
            return .double(try covariance(x, y, use: use, method: method, correlate: true, ip))
        }
        define("cov", ["x", "y", "use", "method"]) { args, ip throws(FnError) in
            let (x, y) = try pairedVectors(args)
            let use = try MissingValues(args[2])
            let method = try CorrelationMethod(args[3])
            return .double(try covariance(x, y, use: use, method: method, correlate: false, ip))
        }
        define("var", ["x", "y", "na.rm", "use"]) { args, ip throws(FnError) in
            let naRm = try Unpack.flag(args[2], "na.rm", default: false)
            let x = try varianceInput(try args.required(0, "x"), ip)
            let y = try args[1].flatMap { v throws(FnError) in v.isNull ? nil : try varianceInput(v, ip) } ?? x
            let use = try args[3].map { v throws(FnError) in try MissingValues(v) } ?? (naRm ? .naOrComplete : .everything)
            return .double(try covariance(x, y, use: use, method: .pearson, correlate: false, ip))
        }
        define("sd", ["x", "na.rm"]) { args, ip throws(FnError) in
            let naRm = try Unpack.flag(args[1], "na.rm", default: false)
            let x = try varianceInput(try args.required(0, "x"), ip)
            let v = try covariance(x, x, use: naRm ? .naOrComplete : .everything, method: .pearson, correlate: false, ip)
            return .double(v.squareRoot())
        }
    }
}

/// R's `use =` argument: what to do with observations where either vector is NA.
private enum MissingValues {
    case allObs, completeObs, pairwise, everything, naOrComplete

    /// Matched as R's `pmatch` does, so `use = "complete"` is `"complete.obs"`.
    init(_ v: Value?) throws(FnError) {
        guard let v else {
            self = .everything
            return
        }
        let choices: [(String, MissingValues)] = [
            ("all.obs", .allObs), ("complete.obs", .completeObs), ("pairwise.complete.obs", .pairwise),
            ("everything", .everything), ("na.or.complete", .naOrComplete),
        ]
        guard let s = v.storage, s.type == .character, s.count == 1, let name = s.strings()[0], !name.isEmpty
        else { throw FnError.runtime("invalid 'use' argument") }
        let partial = choices.filter { $0.0.hasPrefix(name) }
        guard let found = choices.first(where: { $0.0 == name }) ?? (partial.count == 1 ? partial[0] : nil) else {
            throw FnError.runtime("invalid 'use' argument")
        }
        self = found.1
    }
}

private enum CorrelationMethod {
    case pearson, kendall, spearman

    init(_ v: Value?) throws(FnError) {
        switch try MatchArg.choice(v, ["pearson", "kendall", "spearman"], default: "pearson") {
        case "kendall": self = .kendall
        case "spearman": self = .spearman
        default: self = .pearson
        }
    }
}

/// `cor`'s and `cov`'s `x` and `y` as doubles, with R's checks (numbers or logicals, both given,
/// the same length). Matrices are another matter: a vector `x` needs a `y`.
private func pairedVectors(_ args: Arguments) throws(FnError) -> ([Double], [Double]) {
    func numeric(_ v: Value, _ name: String) throws(FnError) -> [Double] {
        guard let s = v.storage, s.type != .character else { throw FnError.runtime("'\(name)' must be numeric") }
        return s.doubles()
    }
    let x = try numeric(try args.required(0, "x"), "x")
    guard let yv = args[1], !yv.isNull else {
        throw FnError.runtime("supply both 'x' and 'y' or a matrix-like 'x'")
    }
    let y = try numeric(yv, "y")
    guard x.count == y.count else { throw FnError.runtime("incompatible dimensions") }
    return (x, y)
}

/// `var`'s and `sd`'s argument as doubles: R coerces strings (NA with a warning) but not lists.
private func varianceInput(_ v: Value, _ ip: Interpreter) throws(FnError) -> [Double] {
    if v.isNull { throw FnError.runtime("'x' is NULL") }
    guard v.storage != nil else { throw FnError.runtime("is.atomic(x) is not TRUE") }
    return try coerce(v, to: .double, ip).storage?.doubles() ?? []
}

/// Covariance (or correlation) of two equal-length vectors, as R's C code computes it: means in
/// two passes with extended precision, the sum of cross products over n - 1, and for a
/// correlation a division by both standard deviations, clamped to [-1, 1].
private func covariance(
    _ x: [Double], _ y: [Double], use: MissingValues, method: CorrelationMethod, correlate: Bool,
    _ ip: Interpreter
) throws(FnError) -> Double {
    guard x.count == y.count else { throw FnError.runtime("incompatible dimensions") }
    var a = x, b = y
    let complete = x.indices.filter { !x[$0].isNaN && !y[$0].isNaN }
    if complete.count < x.count {
        switch use {
        case .everything: return NA.double
        case .allObs: throw FnError.runtime("missing observations in cov/cor")
        case .completeObs, .pairwise, .naOrComplete:
            if complete.isEmpty {
                if use == .completeObs { throw FnError.runtime("no complete element pairs") }
                return NA.double
            }
            a = complete.map { x[$0] }
            b = complete.map { y[$0] }
        }
    }
    let n = a.count
    guard n >= 2 else { return NA.double }
    if method == .kendall { return try kendall(a, b, correlate: correlate, ip) }
    if method == .spearman {
        a = averageRanks(a)
        b = averageRanks(b)
    }
    let ma = twoPassMean(a), mb = twoPassMean(b)
    let n1 = Accumulator(n - 1)
    var cross: Accumulator = 0
    for i in 0..<n { cross += Accumulator((a[i] - ma) * (b[i] - mb)) }
    let cov = Double(cross / n1)
    guard correlate else { return cov }
    var sa: Accumulator = 0, sb: Accumulator = 0
    for i in 0..<n {
        sa += Accumulator((a[i] - ma) * (a[i] - ma))
        sb += Accumulator((b[i] - mb) * (b[i] - mb))
    }
    let sda = Double((sa / n1).squareRoot()), sdb = Double((sb / n1).squareRoot())
    return scaled(cov, sda, sdb, ip)
}

/// Kendall's tau (correlate) or the sum over ordered pairs of the products of signs (covariance).
/// Quadratic in the length, as in R, so a deadline or interrupt is honoured between rows.
private func kendall(_ a: [Double], _ b: [Double], correlate: Bool, _ ip: Interpreter) throws(FnError) -> Double {
    func sign(_ d: Double) -> Double { d > 0 ? 1 : (d < 0 ? -1 : 0) }
    var total = 0.0, ta = 0.0, tb = 0.0
    for i in a.indices {
        if ip.cancellation.isCancelled { throw FnError.cancelled() }
        for j in a.indices where j != i {
            let sa = sign(a[i] - a[j]), sb = sign(b[i] - b[j])
            total += sa * sb
            ta += sa * sa
            tb += sb * sb
        }
    }
    return correlate ? scaled(total, ta.squareRoot(), tb.squareRoot(), ip) : total
}

/// `value / (sa * sb)` clamped to [-1, 1]; a zero deviation is NA with R's warning.
private func scaled(_ value: Double, _ sa: Double, _ sb: Double, _ ip: Interpreter) -> Double {
    if sa == 0 || sb == 0 {
        ip.warn("the standard deviation is zero")
        return NA.double
    }
    let r = value / (sa * sb)
    return r > 1 ? 1 : (r < -1 ? -1 : r)
}

/// Ranks with ties sharing their mean rank (no NAs in `v`).
private func averageRanks(_ v: [Double]) -> [Double] {
    let order = v.indices.sorted { v[$0] < v[$1] }
    var ranks = [Double](repeating: 0, count: v.count)
    var start = 0
    while start < order.count {
        var end = start + 1
        while end < order.count && v[order[end]] == v[order[start]] { end += 1 }
        for k in start..<end { ranks[order[k]] = Double(start + 1 + end) / 2 }
        start = end
    }
    return ranks
}
