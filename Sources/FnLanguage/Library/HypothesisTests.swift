import Glibc

/// Classical tests returning R's "htest" lists: `t.test`, `chisq.test`, `prop.test`.
/// A builtin sees argument values, not their expressions, so `data.name` uses the formal names
/// (`x`, `x and y`, `x out of n`) rather than the caller's text.
extension BuiltinRegistry {
    mutating func registerHypothesisTests() {
        define("print.htest", ["x", "digits", "prefix", "..."]) { args, ip throws(FnError) in
            let x = try args.required(0, "x")
            try printHTest(x, digits: try Unpack.int(args[1], "digits", default: 7), ip: ip)
            ip.visible = false
            return x
        }
        define("t.test", ["x", "y", "alternative", "mu", "paired", "var.equal", "conf.level", "..."]) { args, _ throws(FnError) in
            var x = try sample(try args.required(0, "x"), "x")
            var y = try args[1].map { v throws(FnError) in try sample(v, "y") }
            let alternative = try choice(args[2], ["two.sided", "less", "greater"])
            let mu = args[3].flatMap(Unpack.firstDouble) ?? 0
            let paired = try Unpack.flag(args[4], "paired", default: false)
            let varEqual = try Unpack.flag(args[5], "var.equal", default: false)
            let level = args[6].flatMap(Unpack.firstDouble) ?? 0.95
            guard mu.isFinite else { throw FnError.runtime("'mu' must be a single number") }
            guard level > 0 && level < 1 else { throw FnError.runtime("'conf.level' must be a single number between 0 and 1") }
            var dataName = y == nil ? "x" : "x and y"
            if paired {
                guard let yy = y else { throw FnError.runtime("'y' is missing for paired test") }
                guard yy.count == x.count else { throw FnError.runtime("'x' and 'y' must have the same length") }
                let both = x.indices.filter { !x[$0].isNaN && !yy[$0].isNaN }
                x = both.map { x[$0] - yy[$0] }
                y = nil
            } else {
                x = x.filter { !$0.isNaN }
                y = y?.filter { !$0.isNaN }
            }
            let nx = Double(x.count), mx = mean(x), vx = variance(x)
            var df: Double, stderr: Double, t: Double
            var estimate: Value, method: String, nullName: String
            if let y {
                let ny = Double(y.count), my = mean(y), vy = variance(y)
                if nx < 1 || (!varEqual && nx < 2) { throw FnError.runtime("not enough 'x' observations") }
                if ny < 1 || (!varEqual && ny < 2) { throw FnError.runtime("not enough 'y' observations") }
                if varEqual && nx + ny < 3 { throw FnError.runtime("not enough observations") }
                method = varEqual ? " Two Sample t-test" : "Welch Two Sample t-test"
                estimate = Value(Vector(.double([mx, my]), names: ["mean of x", "mean of y"]))
                if varEqual {
                    df = nx + ny - 2
                    var v = 0.0
                    if nx > 1 { v += (nx - 1) * vx }
                    if ny > 1 { v += (ny - 1) * vy }
                    v /= df
                    stderr = (v * (1 / nx + 1 / ny)).squareRoot()
                } else {
                    let sx = vx / nx, sy = vy / ny
                    stderr = (sx + sy).squareRoot()
                    df = pow(stderr, 4) / (sx * sx / (nx - 1) + sy * sy / (ny - 1))
                }
                if stderr < 10 * 2.220446049250313e-16 * max(abs(mx), abs(my)) { throw FnError.runtime("data are essentially constant") }
                t = (mx - my - mu) / stderr
                nullName = "difference in means"
            } else {
                if nx < 2 { throw FnError.runtime("not enough 'x' observations") }
                df = nx - 1
                stderr = (vx / nx).squareRoot()
                if stderr < 10 * 2.220446049250313e-16 * abs(mx) { throw FnError.runtime("data are essentially constant") }
                t = (mx - mu) / stderr
                method = paired ? "Paired t-test" : "One Sample t-test"
                estimate = Value(Vector(.double([mx]), names: [paired ? "mean difference" : "mean of x"]))
                nullName = paired ? "mean difference" : "mean"
                if paired { dataName = "x and y" }
            }
            let lower = Tail(lower: true, log: false), upper = Tail(lower: false, log: false)
            let p: Double, ci: [Double]
            switch alternative {
            case "less":
                p = Dists.pt(t, df, lower)
                ci = [-.infinity, t + Dists.qt(level, df, lower)]
            case "greater":
                p = Dists.pt(t, df, upper)
                ci = [t - Dists.qt(level, df, lower), .infinity]
            default:
                p = 2 * Dists.pt(-abs(t), df, lower)
                let q = Dists.qt(1 - (1 - level) / 2, df, lower)
                ci = [t - q, t + q]
            }
            return htest([
                ("statistic", Value(Vector(.double([t]), names: ["t"]))),
                ("parameter", Value(Vector(.double([df]), names: ["df"]))),
                ("p.value", .double(p)),
                ("conf.int", confInt(ci.map { mu + $0 * stderr }, level)),
                ("estimate", estimate),
                ("null.value", Value(Vector(.double([mu]), names: [nullName]))),
                ("stderr", .double(stderr)),
                ("alternative", .character(alternative)),
                ("method", .character(method)),
                ("data.name", .character(dataName)),
            ])
        }
        define("chisq.test", ["x", "y", "correct", "p", "rescale.p", "simulate.p.value", "B"]) { args, ip throws(FnError) in
            let xv = try args.required(0, "x")
            let correct = try Unpack.flag(args[2], "correct", default: true)
            let rescale = try Unpack.flag(args[4], "rescale.p", default: false)
            var observed = xv
            var dims = xv.dim
            var counts: [Double]
            var dataName = "x"
            if let yv = args[1], !yv.isNull, dims == nil {
                // Cross-tabulate two vectors (levels sorted as factor() sorts them).
                let a = try labels(xv), b = try labels(yv)
                guard a.count == b.count else { throw FnError.runtime("'x' and 'y' must have the same length") }
                let keep = a.indices.filter { a[$0] != nil && b[$0] != nil }
                let la = Array(Set(keep.map { a[$0]! })).sorted(by: ModelVariable.collate)
                let lb = Array(Set(keep.map { b[$0]! })).sorted(by: ModelVariable.collate)
                counts = [Double](repeating: 0, count: la.count * lb.count)
                for i in keep { counts[la.firstIndex(of: b[i] == nil ? "" : a[i]!)! + la.count * lb.firstIndex(of: b[i]!)!] += 1 }
                dims = [la.count, lb.count]
                observed = matrixValue(counts, la.count, lb.count, la, lb)
                if case .vector(var v) = observed { v.attributes?["class"] = .character("table"); observed = .vector(v) }
                dataName = "x and y"
                if la.count < 2 || lb.count < 2 { throw FnError.runtime("'x' and 'y' must have at least 2 levels") }
            } else {
                guard let s = Unpack.flatStorage(xv), s.type != .character else {
                    throw FnError.runtime("all entries of 'x' must be nonnegative and finite")
                }
                counts = s.doubles()
            }
            if counts.contains(where: { $0 < 0 || !$0.isFinite }) {
                throw FnError.runtime("all entries of 'x' must be nonnegative and finite")
            }
            let n = counts.reduce(0, +)
            if n == 0 { throw FnError.runtime("at least one entry of 'x' must be positive") }
            var method: String
            var expected: [Double], stdres: [Double]
            var statistic = 0.0, df: Double
            if let dims, dims.count == 2, dims[0] > 1 && dims[1] > 1 {
                let nr = dims[0], nc = dims[1]
                var sr = [Double](repeating: 0, count: nr), sc = [Double](repeating: 0, count: nc)
                for j in 0..<nc { for i in 0..<nr { sr[i] += counts[j * nr + i]; sc[j] += counts[j * nr + i] } }
                expected = (0..<(nr * nc)).map { k in sr[k % nr] * sc[k / nr] / n }
                method = "Pearson's Chi-squared test"
                var yates = 0.0
                if correct && nr == 2 && nc == 2 {
                    yates = min(0.5, zip(counts, expected).map { abs($0 - $1) }.min() ?? 0)
                    method += " with Yates' continuity correction"
                }
                for k in counts.indices {
                    let d = abs(counts[k] - expected[k]) - yates
                    statistic += d * d / expected[k]
                }
                df = Double((nr - 1) * (nc - 1))
                stdres = (0..<(nr * nc)).map { k in
                    let v = expected[k] * (1 - sr[k % nr] / n) * (1 - sc[k / nr] / n)
                    return (counts[k] - expected[k]) / v.squareRoot()
                }
            } else {
                if let dims, dims.count == 2, dims.contains(1) {} else if let dims, dims.count > 1 {
                    throw FnError.runtime("invalid 'x'")
                }
                let k = counts.count
                var p = args[3].flatMap { Unpack.flatStorage($0)?.doubles() } ?? [Double](repeating: 1 / Double(k), count: k)
                guard p.count == k else { throw FnError.runtime("'x' and 'p' must have the same number of elements") }
                if p.contains(where: { $0 < 0 }) { throw FnError.runtime("probabilities must be non-negative.") }
                let total = p.reduce(0, +)
                if rescale { p = p.map { $0 / total } } else if abs(total - 1) > 1.4901161193847656e-08 {
                    throw FnError.runtime("probabilities must sum to 1.")
                }
                method = "Chi-squared test for given probabilities"
                expected = p.map { n * $0 }
                for i in 0..<k { statistic += (counts[i] - expected[i]) * (counts[i] - expected[i]) / expected[i] }
                df = Double(k - 1)
                stdres = (0..<k).map { (counts[$0] - expected[$0]) / (n * p[$0] * (1 - p[$0])).squareRoot() }
            }
            if expected.contains(where: { $0 < 5 }) { ip.warn("Chi-squared approximation may be incorrect") }
            let pval = Dists.pgamma(statistic, df / 2, 2, Tail(lower: false, log: false))
            let shaped = { (a: [Double]) -> Value in
                if case .vector(let v) = observed, v.attributes?["dim"] != nil {
                    var attrs = v.attributes
                    attrs?["class"] = nil
                    return .vector(Vector(.double(a), names: v.names, attributes: attrs))
                }
                return Value(Vector(.double(a), names: observed.names))
            }
            let residuals = zip(counts, expected).map { ($0 - $1) / $1.squareRoot() }
            return htest([
                ("statistic", Value(Vector(.double([statistic]), names: ["X-squared"]))),
                ("parameter", Value(Vector(.double([df]), names: ["df"]))),
                ("p.value", .double(pval)),
                ("method", .character(method)),
                ("data.name", .character(dataName)),
                ("observed", observed),
                ("expected", shaped(expected)),
                ("residuals", shaped(residuals)),
                ("stdres", shaped(stdres)),
            ])
        }
        define("prop.test", ["x", "n", "p", "alternative", "conf.level", "correct"]) { args, ip throws(FnError) in
            let xv = try args.required(0, "x")
            var x: [Double], n: [Double]
            var dataName = "x"
            if let d = xv.dim, d.count == 2, d[1] == 2 {
                let all = numbers(xv)
                x = Array(all.prefix(d[0]))
                n = (0..<d[0]).map { all[$0] + all[d[0] + $0] }
            } else {
                x = numbers(xv)
                guard let nv = args[1] else { throw FnError.runtime("argument \"n\" is missing, with no default") }
                n = numbers(nv)
                dataName = "x out of n"
                guard n.count == x.count else { throw FnError.runtime("'x' and 'n' must have the same length") }
            }
            let keep = x.indices.filter { !x[$0].isNaN && !n[$0].isNaN }
            x = keep.map { x[$0] }
            n = keep.map { n[$0] }
            let k = x.count
            if k < 1 { throw FnError.runtime("not enough data") }
            if n.contains(where: { $0 <= 0 }) { throw FnError.runtime("elements of 'n' must be positive") }
            if x.contains(where: { $0 < 0 }) { throw FnError.runtime("elements of 'x' must be nonnegative") }
            if zip(x, n).contains(where: { $0 > $1 }) { throw FnError.runtime("elements of 'x' must not be greater than those of 'n'") }
            var p = args[2].flatMap { $0.isNull ? nil : numbers($0) }
            if p == nil && k == 1 { p = [0.5] }
            if let pp = p {
                guard pp.count == k else { throw FnError.runtime("'p' must have the same length as 'x' and 'n'") }
                if pp.contains(where: { $0 <= 0 || $0 >= 1 }) { throw FnError.runtime("elements of 'p' must be in (0,1)") }
                dataName += ", null " + (k == 1 ? "probability " : "probabilities ") + ValueDeparser.deparse(args[2] ?? .double(0.5))
            }
            let alternative = try choice(args[3], ["two.sided", "less", "greater"])
            if k > 2 || (k == 2 && p != nil), alternative != "two.sided" {
                throw FnError.runtime("alternative must be \"two.sided\" for more than two groups or given proportions")
            }
            let level = args[4].flatMap(Unpack.firstDouble) ?? 0.95
            let correct = try Unpack.flag(args[5], "correct", default: true)
            let estimate = (0..<k).map { x[$0] / n[$0] }
            let estNames = k == 1 ? ["p"] : (1...k).map { "prop \($0)" }
            var yates = correct && k <= 2 ? 0.5 : 0
            var ci: [Double]? = nil
            let lowerTail = Tail(lower: true, log: false)
            var delta = 0.0
            if k == 1, let pp = p {
                let z = Distribution.qnorm(alternative == "two.sided" ? (1 + level) / 2 : level, 0, 1, lowerTail)
                yates = min(yates, abs(x[0] - n[0] * pp[0]))
                let z22n = z * z / (2 * n[0])
                var pc = estimate[0] + yates / n[0]
                let pu = pc >= 1 ? 1 : (pc + z22n + z * (pc * (1 - pc) / n[0] + z22n / (2 * n[0])).squareRoot()) / (1 + 2 * z22n)
                pc = estimate[0] - yates / n[0]
                let pl = pc <= 0 ? 0 : (pc + z22n - z * (pc * (1 - pc) / n[0] + z22n / (2 * n[0])).squareRoot()) / (1 + 2 * z22n)
                ci = alternative == "less" ? [0, pu] : alternative == "greater" ? [pl, 1] : [max(pl, 0), min(pu, 1)]
            } else if k == 2 && p == nil {
                delta = estimate[0] - estimate[1]
                let invSum = 1 / n[0] + 1 / n[1]
                yates = min(yates, abs(delta) / invSum)
                let z = Distribution.qnorm(alternative == "two.sided" ? (1 + level) / 2 : level, 0, 1, lowerTail)
                let width = z * (estimate[0] * (1 - estimate[0]) / n[0] + estimate[1] * (1 - estimate[1]) / n[1]).squareRoot() + yates * invSum
                ci = alternative == "less" ? [-1, min(delta + width, 1)]
                    : alternative == "greater" ? [max(delta - width, -1), 1]
                    : [max(delta - width, -1), min(delta + width, 1)]
            }
            let nullValue: Value = p.map { Value(Vector(.double($0), names: estNames)) } ?? .null
            let parameter = Double(p == nil ? k - 1 : k)
            let probs = p ?? [Double](repeating: x.reduce(0, +) / n.reduce(0, +), count: k)
            var statistic = 0.0
            var expected: [Double] = []
            for i in 0..<k {
                let e1 = n[i] * probs[i], e2 = n[i] * (1 - probs[i])
                expected += [e1, e2]
                let d1 = abs(x[i] - e1) - yates, d2 = abs(n[i] - x[i] - e2) - yates
                statistic += d1 * d1 / e1 + d2 * d2 / e2
            }
            if expected.contains(where: { $0 < 5 }) { ip.warn("Chi-squared approximation may be incorrect") }
            let pval: Double
            if alternative == "two.sided" {
                pval = Dists.pgamma(statistic, parameter / 2, 2, Tail(lower: false, log: false))
            } else {
                let sgn: Double = k == 1 ? ((estimate[0] - probs[0]) > 0 ? 1 : (estimate[0] - probs[0]) < 0 ? -1 : 0)
                    : (delta > 0 ? 1 : delta < 0 ? -1 : 0)
                let z = sgn * statistic.squareRoot()
                pval = Distribution.pnorm(z, 0, 1, Tail(lower: alternative == "less", log: false))
            }
            let method = (k == 1 ? "1-sample proportions test" : "\(k)-sample test for " + (p == nil ? "equality of" : "given") + " proportions")
                + (yates != 0 ? " with" : " without") + " continuity correction"
            return htest([
                ("statistic", Value(Vector(.double([statistic]), names: ["X-squared"]))),
                ("parameter", Value(Vector(.double([parameter]), names: ["df"]))),
                ("p.value", .double(pval)),
                ("estimate", Value(Vector(.double(estimate), names: estNames))),
                ("null.value", nullValue),
                ("conf.int", ci.map { confInt($0, level) } ?? .null),
                ("alternative", .character(alternative)),
                ("method", .character(method)),
                ("data.name", .character(dataName)),
            ])
        }
    }
}

/// R's `format.pval` at `digits` significant digits.
private func formatPValue(_ p: Double, digits: Int) -> String {
    if p.isNaN { return "NA" }
    let eps = 2.220446049250313e-16
    if p < eps { return "< " + NumberFormat.format([eps], digits: max(1, digits - 2))[0] }
    return NumberFormat.format([p], digits: digits)[0]
}

/// `print.htest` as R writes it.
private func printHTest(_ x: Value, digits: Int, ip: Interpreter) throws(FnError) {
    func string(_ name: String) -> String? {
        guard let v = field(x, name), let s = v.storage, s.type == .character, s.count > 0 else { return nil }
        return s.strings()[0]
    }
    var out = "\n\t" + String((string("method") ?? "").drop { $0 == " " }) + "\n\n"
    out += "data:  " + (string("data.name") ?? "") + "\n"
    var parts: [String] = []
    for name in ["statistic", "parameter"] {
        guard let v = field(x, name), !v.isNull else { continue }
        let vals = numbers(v), names = v.names ?? vals.map { _ in "" }
        let f = NumberFormat.format(vals, digits: max(1, digits - 2))
        for i in vals.indices { parts.append(names[i] + " = " + f[i]) }
    }
    if let pv = field(x, "p.value"), let p = Unpack.firstDouble(pv) {
        let fp = formatPValue(p, digits: max(1, digits - 3))
        parts.append("p-value " + (fp.hasPrefix("<") ? fp : "= " + fp))
    }
    out += parts.joined(separator: ", ") + "\n"
    ip.output(.stdout, out)
    out = ""
    if let alt = string("alternative") {
        out += "alternative hypothesis: "
        if let nv = field(x, "null.value"), !nv.isNull {
            let vals = numbers(nv)
            if vals.count == 1 {
                let altChar = alt == "less" ? "less than" : alt == "greater" ? "greater than" : "not equal to"
                let label: String = nv.names?.first ?? ""
                let shown: String = NumberFormat.cat(vals[0])
                out += "true \(label) is \(altChar) \(shown)\n"
                ip.output(.stdout, out)
                out = ""
            } else {
                ip.output(.stdout, out + alt + "\nnull values:\n")
                out = ""
                try printValue(nv, digits: digits, ip: ip)
            }
        } else {
            out += alt + "\n"
        }
    }
    if let ci = field(x, "conf.int"), !ci.isNull {
        let level = ci.attribute("conf.level").flatMap(Unpack.firstDouble) ?? 0.95
        let bounds = Array(numbers(ci).prefix(2))
        out += NumberFormat.format([100 * level])[0] + " percent confidence interval:\n " +
            NumberFormat.format(bounds, digits: digits).joined(separator: " ") + "\n"
    }
    ip.output(.stdout, out)
    if let est = field(x, "estimate"), !est.isNull {
        ip.output(.stdout, "sample estimates:\n")
        try printValue(est, digits: digits, ip: ip)
    }
    ip.output(.stdout, "\n")
}

private func printValue(_ v: Value, digits: Int, ip: Interpreter) throws(FnError) {
    let printer: Value?
    do throws(Control) { printer = try ip.lookupFunction("print", from: ip.env) } catch { throw ip.asError(error) }
    if let printer { _ = try ip.callFunction(printer, [v, .integer(Int32(digits))], names: [nil, "digits"]) }
}

private func htest(_ fields: [(String, Value)]) -> Value {
    .list(List(fields.map(\.1), names: fields.map(\.0), classes: ["htest"]))
}

private func confInt(_ ci: [Double], _ level: Double) -> Value {
    var attrs = AttributeList()
    attrs["conf.level"] = .double(level)
    return .vector(Vector(.double(ci), names: nil, attributes: attrs))
}

private func sample(_ v: Value, _ name: String) throws(FnError) -> [Double] {
    guard let s = Unpack.flatStorage(v), s.type != .character else {
        throw FnError.runtime("'\(name)' must be numeric")
    }
    return s.doubles()
}

private func labels(_ v: Value) throws(FnError) -> [String?] {
    if v.classAttribute?.contains("factor") == true, let s = v.storage {
        let lv = v.attribute("levels")?.storage?.strings() ?? []
        return s.integers().map { $0 == NA.integer ? nil : lv[Int($0) - 1] }
    }
    guard let s = Unpack.flatStorage(v) else { throw FnError.runtime("invalid 'x'") }
    return s.type == .character ? s.strings() : s.doubles().map { $0.isNaN ? nil : Coerce.string(fromDouble: $0) }
}

private func choice(_ v: Value?, _ options: [String]) throws(FnError) -> String {
    guard let v else { return options[0] }
    let given = try Unpack.string(v, "alternative")
    let hits = options.filter { $0.hasPrefix(given) }
    guard hits.count == 1 || hits.contains(given) else {
        throw FnError.runtime("'arg' should be one of " + options.map { "\u{201C}\($0)\u{201D}" }.joined(separator: ", "))
    }
    return hits.contains(given) ? given : hits[0]
}

private func mean(_ a: [Double]) -> Double {
    let n = Double(a.count)
    var m = a.reduce(0, +) / n
    if m.isFinite { m += a.reduce(0) { $0 + ($1 - m) } / n }
    return m
}

private func variance(_ a: [Double]) -> Double {
    let m = mean(a)
    return a.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(a.count - 1)
}
