import Glibc

/// Linear and generalised linear models as R fits them: `lm` (least squares by R's pivoting
/// Householder QR), `glm` (IRLS as `glm.fit`, binomial/poisson/gaussian), and the accessors and
/// methods that read the fields R stores (`coef`, `fitted`, `residuals`, `predict`, `summary`,
/// `vcov`, `confint`), so a model R saved can be used the same way.
extension BuiltinRegistry {
    mutating func registerModels() {
        define("lm", ["formula", "data", "subset", "weights", "na.action", "method", "model", "x", "y", "qr",
                      "singular.ok", "contrasts", "offset", "..."]) { args, ip throws(FnError) in
            let formula = try args.required(0, "formula")
            let design = try Design(formula: formula, data: args[1], ip: ip)
            let fit = leastSquares(design.matrix.columns, design.y, n: design.n, tol: 1e-7)
            return design.lmObject(fit, call: .language(Language.call("lm", [formula], names: ["formula"])))
        }
        define("glm", ["formula", "family", "data", "weights", "subset", "na.action", "start", "etastart",
                       "mustart", "offset", "control", "model", "method", "x", "y", "singular.ok", "contrasts", "..."]) { args, ip throws(FnError) in
            let formula = try args.required(0, "formula")
            let family = try Family(try familyValue(args[1] ?? .character("gaussian"), ip))
            let design = try Design(formula: formula, data: args[2], ip: ip, family: family)
            var epsilon = 1e-8, maxit = 25
            if case .list(let l)? = args[10] {
                if let e = l.element(named: "epsilon").flatMap(Unpack.firstDouble) { epsilon = e }
                if let m = l.element(named: "maxit").flatMap(Unpack.firstDouble) { maxit = Int(m) }
            }
            return try design.glmObject(family, epsilon: epsilon, maxit: maxit, ip: ip,
                                        call: .language(Language.call("glm", [formula, .symbol(family.family)], names: ["formula", "family"])), data: args[2] ?? .environment(ip.env))
        }
        for (name, link) in [("binomial", "logit"), ("poisson", "log"), ("gaussian", "identity")] {
            define(name, ["link"]) { args, _ throws(FnError) in
                var l = link
                if let v = args[0] {
                    if case .symbol(let s) = v { l = s } else { l = try Unpack.string(v, "link") }
                }
                return familyList(name, l)
            }
        }
        define("I", ["x"]) { args, _ throws(FnError) in
            var x = try args.required(0, "x")
            let classes = x.classAttribute ?? []
            if classes.contains("AsIs") { return x }
            switch x {
            case .vector(var v): v.classes = ["AsIs"] + classes; x = .vector(v)
            case .list(var l): l.classes = ["AsIs"] + classes; x = .list(l)
            case .null, .language, .symbol, .closure, .builtin, .environment, .promise: break
            default:
                if let s = x.storage { x = .vector(Vector(s, classes: ["AsIs"])) }
            }
            return x
        }
        define("print.AsIs", ["x", "..."]) { args, ip throws(FnError) in
            let x = try args.required(0, "x")
            var plain = x
            switch plain {
            case .vector(var v): v.classes = v.classes?.filter { $0 != "AsIs" }; if v.classes?.isEmpty == true { v.classes = nil }; plain = .vector(v)
            case .list(var l): l.classes = l.classes?.filter { $0 != "AsIs" }; if l.classes?.isEmpty == true { l.classes = nil }; plain = .list(l)
            default: break
            }
            let printer: Value?
            do throws(Control) { printer = try ip.lookupFunction("print", from: ip.env) } catch { throw ip.asError(error) }
            if let printer { _ = try ip.callFunction(printer, [plain] + args.dots, names: [nil] + args.dotNames) }
            ip.visible = false
            return x
        }
        for name in ["coef", "coefficients"] {
            define(name, ["object", "..."]) { args, ip throws(FnError) in
                if let r = try userMethod("coef", args, ["object"], ip) { return r }
                return field(try args.required(0, "object"), "coefficients") ?? .null
            }
        }
        for name in ["fitted", "fitted.values"] {
            define(name, ["object", "..."]) { args, ip throws(FnError) in
                if let r = try userMethod("fitted", args, ["object"], ip) { return r }
                return field(try args.required(0, "object"), "fitted.values") ?? .null
            }
        }
        for name in ["residuals", "resid"] {
            define(name, ["object", "type", "..."]) { args, ip throws(FnError) in
                if let r = try userMethod("residuals", args, ["object", "type"], ip) { return r }
                let o = try args.required(0, "object")
                let type = try Unpack.string(args[1], "type", default: o.classAttribute?.contains("glm") == true ? "deviance" : "working")
                if o.classAttribute?.contains("glm") == true, type != "working" {
                    return try glmResiduals(o, type)
                }
                return field(o, "residuals") ?? .null
            }
        }
        define("df.residual", ["object", "..."]) { args, _ throws(FnError) in
            field(try args.required(0, "object"), "df.residual") ?? .null
        }
        define("deviance", ["object", "..."]) { args, _ throws(FnError) in
            let o = try args.required(0, "object")
            if let d = field(o, "deviance") { return d }
            let r = numbers(field(o, "residuals"))
            return .double(r.reduce(0) { $0 + $1 * $1 })
        }
        define("formula", ["x", "..."]) { args, _ throws(FnError) in
            let o = try args.required(0, "x")
            if case .language = o { return o }
            return field(o, "formula") ?? field(o, "terms") ?? .null
        }
        define("predict", ["object", "newdata", "se.fit", "interval", "level", "type", "..."]) { args, ip throws(FnError) in
            if let r = try userMethod("predict", args, ["object", "newdata", "se.fit", "interval", "level", "type"], ip) { return r }
            return try predictModel(args, ip)
        }
        define("predict.lm", ["object", "newdata", "se.fit", "interval", "level", "type", "..."]) { args, ip throws(FnError) in
            try predictModel(args, ip, glm: false)
        }
        define("predict.glm", ["object", "newdata", "type", "se.fit", "..."]) { args, ip throws(FnError) in
            let a = Arguments(values: [args[0], args[1], args[3], nil, nil, args[2]], function: "predict.glm")
            return try predictModel(a, ip, glm: true)
        }
        define("print.lm", ["x", "digits", "..."]) { args, ip throws(FnError) in
            let x = try args.required(0, "x")
            let digits = try Unpack.int(args[1], "digits", default: 4)
            let out = callAndCoefficients(x, digits: digits, callLabel: "\nCall:\n", none: "No coefficients\n")
            ip.output(.stdout, out + "\n")
            ip.visible = false
            return x
        }
        define("print.glm", ["x", "digits", "..."]) { args, ip throws(FnError) in
            let x = try args.required(0, "x")
            let digits = try Unpack.int(args[1], "digits", default: 4)
            var out = callAndCoefficients(x, digits: digits, callLabel: "\nCall:  ", none: "No coefficients\n\n")
            func shown(_ name: String) -> String {
                let v = Unpack.firstDouble(field(x, name) ?? .null) ?? .nan
                return NumberFormat.format([significant(v, digits)])[0]
            }
            func count(_ name: String) -> String {
                NumberFormat.format([Unpack.firstDouble(field(x, name) ?? .null) ?? .nan])[0]
            }
            out += "\nDegrees of Freedom: \(count("df.null")) Total (i.e. Null);  \(count("df.residual")) Residual\n"
            out += "Null Deviance:\t    \(shown("null.deviance")) \nResidual Deviance: \(shown("deviance")) \tAIC: \(shown("aic"))\n"
            ip.output(.stdout, out)
            ip.visible = false
            return x
        }
        define("summary.lm", ["object", "..."]) { args, _ throws(FnError) in try summaryLM(try args.required(0, "object")) }
        define("summary.glm", ["object", "..."]) { args, _ throws(FnError) in try summaryGLM(try args.required(0, "object")) }
        define("vcov", ["object", "..."]) { args, ip throws(FnError) in
            if let r = try userMethod("vcov", args, ["object"], ip) { return r }
            let o = try args.required(0, "object")
            let s = o.classAttribute?.contains("glm") == true ? try summaryGLM(o) : try summaryLM(o)
            guard let stats = try? ModelStats(o) else { return .null }
            let scale = o.classAttribute?.contains("glm") == true
                ? (Unpack.firstDouble(field(s, "dispersion") ?? .double(1)) ?? 1)
                : pow(Unpack.firstDouble(field(s, "sigma") ?? .double(0)) ?? 0, 2)
            let k = stats.kept.count
            var flat = [Double](repeating: 0, count: k * k)
            for i in 0..<k { for j in 0..<k { flat[j * k + i] = stats.cov[i][j] * scale } }
            let names = stats.kept.map { stats.names[$0] }
            return matrixValue(flat, k, k, names, names)
        }
        define("confint", ["object", "parm", "level", "..."]) { args, _ throws(FnError) in
            let o = try args.required(0, "object")
            let level = try args[2].map { v throws(FnError) in
                guard let d = Unpack.firstDouble(v) else { throw FnError.runtime("invalid 'level'") }
                return d
            } ?? 0.95
            let stats = try ModelStats(o)
            let a = (1 - level) / 2
            let q = Dists.qt(1 - a, Double(stats.dfResidual), Tail(lower: true, log: false))
            let k = stats.names.count
            var lo = [Double](repeating: .nan, count: k), hi = lo
            for (pos, i) in stats.kept.enumerated() {
                let se = (stats.cov[pos][pos] * stats.sigma2).squareRoot()
                lo[i] = stats.coefficients[i] - q * se
                hi[i] = stats.coefficients[i] + q * se
            }
            let pct = [a, 1 - a].map { formatPercent($0) }
            return matrixValue(lo + hi, k, 2, stats.names, pct)
        }
        define("model.matrix", ["object", "data", "..."]) { args, ip throws(FnError) in
            let o = try args.required(0, "object")
            let formula: Value
            var data = args[1]
            if case .language = o { formula = o } else {
                formula = field(o, "terms") ?? .null
                if data == nil { data = field(o, "model") }
            }
            let design = try Design(formula: formula, data: data, ip: ip, needResponse: false)
            let m = design.matrix
            var v = matrixValue(m.columns.flatMap { $0 }, design.n, m.columns.count, design.rowNames, m.names)
            if case .vector(var vec) = v {
                setAttribute(&vec.attributes, "assign", Value(Vector(.integer(m.assign.map { Int32($0) }))))
                v = .vector(vec)
            }
            return v
        }
    }
}

/// A user's method (a closure named `generic.class`) for the first argument's class: these
/// accessors are generic in R, and a model class of the user's own keeps working.
private func userMethod(_ generic: String, _ args: Arguments, _ formals: [String], _ ip: Interpreter) throws(FnError) -> Value? {
    guard let x = args[0], let classes = x.classAttribute else { return nil }
    for c in classes {
        let found: Value?
        do throws(Control) { found = try ip.lookupFunction(generic + "." + c, from: ip.env) } catch { throw ip.asError(error) }
        guard case .closure? = found, let f = found else { continue }
        var values: [Value] = [], names: [String?] = []
        for (i, v) in args.values.enumerated() {
            guard let v else { continue }
            values.append(v)
            names.append(i == 0 || i >= formals.count ? nil : formals[i])
        }
        return try ip.callFunction(f, values + args.dots, names: names + args.dotNames)
    }
    return nil
}

/// A named vector laid out as R's print does with `quote = FALSE`: names over values, each
/// right-aligned to the widest and followed by `gap` spaces, as many columns as fit in 80.
func namedColumns(_ names: [String], _ values: [String], gap: Int) -> String {
    let width = max(names.map(\.count).max() ?? 0, values.map(\.count).max() ?? 0)
    let perLine = max(1, 80 / (width + gap))
    func pad(_ s: String) -> String { String(repeating: " ", count: max(0, width - s.count)) + s + String(repeating: " ", count: gap) }
    var out = ""
    var start = 0
    while start < names.count {
        let end = min(names.count, start + perLine)
        out += names[start..<end].map(pad).joined() + "\n"
        out += values[start..<end].map(pad).joined() + "\n"
        start = end
    }
    return out
}

/// R's `signif(x, digits)`.
func significant(_ x: Double, _ digits: Int) -> Double {
    if x == 0 || !x.isFinite { return x }
    let e = Int(floor(log10(abs(x))))
    let k = digits - 1 - e
    if k > 300 || k < -300 { return x }
    return k >= 0 ? (x * pow(10, Double(k))).rounded() / pow(10, Double(k)) : (x / pow(10, Double(-k))).rounded() * pow(10, Double(-k))
}

// MARK: Fitting

/// The result of a least-squares fit by pivoting QR.
struct LSFit {
    var qr: HouseholderQR
    /// Coefficients by original column (NaN marks NA for aliased columns).
    var coefficients: [Double]
    var effects: [Double]
    var residuals: [Double]
    var fitted: [Double]
}

func leastSquares(_ columns: [[Double]], _ y: [Double], n: Int, tol: Double) -> LSFit {
    let qr = HouseholderQR(columns: columns, n: n, tol: tol)
    let effects = qr.qty(y)
    let b = qr.backsolve(effects)
    var coefficients = [Double](repeating: NA.double, count: columns.count)
    for (i, v) in b.enumerated() { coefficients[qr.pivot[i] - 1] = v }
    var r = effects
    for i in 0..<min(qr.rank, n) { r[i] = 0 }
    let residuals = qr.qy(r)
    let fitted = zip(y, residuals).map { $0 - $1 }
    return LSFit(qr: qr, coefficients: coefficients, effects: effects, residuals: residuals, fitted: fitted)
}

/// A formula evaluated against data: terms, variables, response and model matrix.
struct Design {
    var terms: ModelTerms
    var formula: Value
    var variables: [ModelVariable]
    var y: [Double]
    var yValue: Value?
    var n: Int
    var rowNames: [String]
    var matrix: ModelMatrix

    init(formula: Value, data: Value?, ip: Interpreter, family: Family? = nil, needResponse: Bool = true,
         knownLevels: [String: [String]] = [:]) throws(FnError) {
        self.formula = formula
        terms = try ModelTerms(formula: formula, dataNames: ModelFrame.dataNames(data))
        let env: Environment
        if case .language(let l) = formula, let e = l.environment { env = e } else { env = ip.env }
        var vars: [ModelVariable] = []
        for (i, expr) in terms.variables.enumerated() {
            let v = try ModelFrame.evaluate(expr, data: data, env: env, ip: ip)
            vars.append(try ModelVariable(v, knownLevels: knownLevels[terms.labels[i]], name: terms.labels[i]))
        }
        var response: [Double] = []
        if needResponse, let r = terms.response {
            let v = try ModelFrame.evaluate(r, data: data, env: env, ip: ip)
            yValue = v
            if v.classAttribute?.contains("factor") == true, let s = v.storage {
                // A factor response (binomial): the first level is failure.
                response = s.integers().map { $0 == NA.integer ? .nan : ($0 == 1 ? 0 : 1) }
            } else if let s = Unpack.flatStorage(v), s.type != .character {
                response = s.doubles()
            } else {
                throw FnError.runtime("invalid type (\(v.typeName)) for the response")
            }
        } else if needResponse {
            throw FnError.runtime("the formula has no response")
        }
        var count = terms.response != nil && needResponse ? response.count : (vars.first?.count ?? DataFrame.rowCount(data ?? .null))
        if count == 0, case .list(let l)? = data, let first = l.elements.first { count = first.length }
        for (i, v) in vars.enumerated() where v.count != count {
            throw FnError.runtime("variable lengths differ (found for '\(terms.labels[i])')")
        }
        let allNames: [String]
        if let data, let rn = DataFrame.rowNames(data), rn.count == count { allNames = rn } else { allNames = (1...max(1, count)).prefix(count).map(String.init) }
        // na.omit: rows with a missing value in any variable are dropped.
        let keep = (0..<count).filter { i in
            !(needResponse && !response.isEmpty && response[i].isNaN) && !vars.contains { $0.isNA(i) }
        }
        if keep.count < count {
            vars = vars.map { $0.subset(keep) }
            if !response.isEmpty { response = keep.map { response[$0] } }
        }
        rowNames = keep.map { allNames[$0] }
        variables = vars
        y = response
        n = keep.count
        matrix = ModelFrame.matrix(terms, vars, n: n)
        if n == 0 { throw FnError.runtime("0 (non-NA) cases") }
    }

    var xlevels: Value {
        var els: [Value] = [], names: [String] = []
        for (i, v) in variables.enumerated() where v.levels != nil && !v.isLogical {
            if !terms.terms.contains(where: { $0.contains(i) }) { continue }
            els.append(Value(Vector(.character(v.levels!))))
            names.append(terms.labels[i])
        }
        return .list(List(els, names: names))
    }

    var contrasts: Value? {
        var els: [Value] = [], names: [String] = []
        for (i, v) in variables.enumerated() where v.levels != nil && terms.terms.contains(where: { $0.contains(i) }) {
            els.append(.character("contr.treatment"))
            names.append(terms.labels[i])
        }
        return els.isEmpty ? nil : .list(List(els, names: names))
    }

    var termsValue: Value {
        guard case .language(let l) = formula else { return formula }
        return .language(Language(l.elements, names: l.names, classes: ["terms", "formula"], environment: l.environment))
    }

    var modelFrame: Value {
        var cols: [Value] = [], names: [String] = []
        if let r = terms.response { cols.append(Value(Vector(.double(y)))); names.append(ModelTerms.deparse(r)) }
        for (i, v) in variables.enumerated() { cols.append(v.value); names.append(terms.labels[i]) }
        return DataFrame.make(cols, names: names, rowNames: rowNames)
    }

    func qrValue(_ fit: LSFit, scaled: Bool = false) -> Value {
        let cn = fit.qr.pivot.map { matrix.names[$0 - 1] }
        return .list(List([matrixValue(fit.qr.qr, n, matrix.columns.count, rowNames, cn),
                           Value(Vector(.double(fit.qr.qraux))), Value(Vector(.integer(fit.qr.pivot.map { Int32($0) }))),
                           .double(1e-7), .integer(Int32(fit.qr.rank))],
                          names: ["qr", "qraux", "pivot", "tol", "rank"], classes: ["qr"]))
    }

    func effectsValue(_ fit: LSFit) -> Value {
        let names = (0..<n).map { $0 < fit.qr.rank ? matrix.names[fit.qr.pivot[$0] - 1] : "" }
        return Value(Vector(.double(fit.effects), names: names))
    }

    func lmObject(_ fit: LSFit, call: Value) -> Value {
        var els: [Value] = [
            Value(Vector(.double(fit.coefficients), names: matrix.names)),
            Value(Vector(.double(fit.residuals), names: rowNames)),
            effectsValue(fit),
            .integer(Int32(fit.qr.rank)),
            Value(Vector(.double(fit.fitted), names: rowNames)),
            Value(Vector(.integer(matrix.assign.map { Int32($0) }))),
            qrValue(fit),
            .integer(Int32(n - fit.qr.rank)),
        ]
        var names = ["coefficients", "residuals", "effects", "rank", "fitted.values", "assign", "qr", "df.residual"]
        if let c = contrasts { els.append(c); names.append("contrasts") }
        els += [xlevels, call, termsValue, modelFrame]
        names += ["xlevels", "call", "terms", "model"]
        return .list(List(els, names: names, classes: ["lm"]))
    }

    func glmObject(_ family: Family, epsilon: Double, maxit: Int, ip: Interpreter, call: Value, data: Value) throws(FnError) -> Value {
        let weights = [Double](repeating: 1, count: n)
        var mu = family.start(y)
        var eta = mu.map(family.linkfun)
        var devold = family.deviance(y, mu, weights)
        var fit: LSFit? = nil
        var w = [Double](repeating: 1, count: n)
        var coef = [Double](repeating: 0, count: matrix.columns.count)
        var conv = false
        var iter = 0
        let p = matrix.columns.count
        for it in 1...max(1, maxit) {
            iter = it
            let muEta = eta.map(family.muEta)
            let z = (0..<n).map { eta[$0] + (y[$0] - mu[$0]) / muEta[$0] }
            w = (0..<n).map { (weights[$0] * muEta[$0] * muEta[$0] / family.variance(mu[$0])).squareRoot() }
            let wx = matrix.columns.map { c in (0..<n).map { c[$0] * w[$0] } }
            let f = leastSquares(wx, (0..<n).map { z[$0] * w[$0] }, n: n, tol: min(1e-7, epsilon / 1000))
            fit = f
            if f.coefficients.contains(where: { !$0.isFinite && !$0.isNaN }) {
                throw FnError.runtime("non-finite coefficients at iteration \(it)")
            }
            coef = f.coefficients
            eta = (0..<n).map { i in
                var s = 0.0
                for j in 0..<p where !coef[j].isNaN { s += matrix.columns[j][i] * coef[j] }
                return s
            }
            mu = eta.map(family.linkinv)
            let dev = family.deviance(y, mu, weights)
            if abs(dev - devold) / (abs(dev) + 0.1) < epsilon {
                conv = true
                devold = dev
                break
            }
            devold = dev
        }
        guard let fit else { throw FnError.runtime("glm did not fit") }
        if !conv { ip.warn("glm.fit: algorithm did not converge") }
        if family.family == "binomial" && mu.contains(where: { $0 > 1 - 10 * 2.220446049250313e-16 || $0 < 10 * 2.220446049250313e-16 }) {
            ip.warn("glm.fit: fitted probabilities numerically 0 or 1 occurred")
        }
        let residuals = (0..<n).map { (y[$0] - mu[$0]) / family.muEta(eta[$0]) }
        let intercept = terms.intercept
        let wtdmu = intercept ? y.reduce(0, +) / Double(n) : family.linkinv(0)
        let nulldev = family.deviance(y, [Double](repeating: wtdmu, count: n), weights)
        let rank = fit.qr.rank
        let aic = family.aic(y, mu, weights, devold) + 2 * Double(rank)
        let named = { (a: [Double]) -> Value in Value(Vector(.double(a), names: rowNames)) }
        var rmat = [Double](repeating: 0, count: p * p)
        for j in 0..<p { for i in 0...j where i < min(n, p) { rmat[j * p + i] = fit.qr.qr[j * n + i] } }
        let cn = fit.qr.pivot.map { matrix.names[$0 - 1] }
        var els: [Value] = [
            Value(Vector(.double(coef), names: matrix.names)), named(residuals), named(mu), effectsValue(fit),
            matrixValue(rmat, p, p, cn, cn), .integer(Int32(rank)), qrValue(fit), familyList(family.family, family.link),
            named(eta), .double(devold), .double(aic), .double(nulldev), .integer(Int32(iter)),
            named(w.map { $0 * $0 }), named(weights), .integer(Int32(n - rank)), .integer(Int32(n - (intercept ? 1 : 0))),
            named(y), .bool(conv), .bool(false), modelFrame, call, formula, termsValue, data, .null,
            .list(List([.double(epsilon), .integer(Int32(maxit)), .bool(false)], names: ["epsilon", "maxit", "trace"])),
            .character("glm.fit"),
        ]
        var names = ["coefficients", "residuals", "fitted.values", "effects", "R", "rank", "qr", "family",
                     "linear.predictors", "deviance", "aic", "null.deviance", "iter", "weights", "prior.weights",
                     "df.residual", "df.null", "y", "converged", "boundary", "model", "call", "formula", "terms",
                     "data", "offset", "control", "method"]
        els.append(contrasts ?? .null); names.append("contrasts")
        els.append(xlevels); names.append("xlevels")
        return .list(List(els, names: names, classes: ["glm", "lm"]))
    }
}

// MARK: Families

struct Family {
    var family: String
    var link: String

    init(_ v: Value) throws(FnError) {
        guard case .list(let l) = v, let f = l.element(named: "family"), let k = l.element(named: "link"),
              case .character(let fs?) = f, case .character(let ks?) = k else {
            throw FnError.runtime("'family' not recognized")
        }
        family = fs
        link = ks
        guard ["binomial", "poisson", "gaussian", "quasibinomial", "quasipoisson"].contains(family) else {
            throw FnError.runtime("family '\(family)' is not supported (binomial, poisson and gaussian are)")
        }
        guard ["logit", "probit", "log", "identity", "cloglog", "sqrt", "inverse"].contains(link) else {
            throw FnError.runtime("link '\(link)' is not supported")
        }
    }

    private static let eps = 2.220446049250313e-16

    func linkfun(_ mu: Double) -> Double {
        switch link {
        case "logit": return log(mu / (1 - mu))
        case "probit": return Distribution.qnorm(mu, 0, 1, Tail(lower: true, log: false))
        case "cloglog": return log(-log(1 - mu))
        case "log": return log(mu)
        case "sqrt": return mu.squareRoot()
        case "inverse": return 1 / mu
        default: return mu
        }
    }

    func linkinv(_ eta: Double) -> Double {
        switch link {
        case "logit":
            let t = eta < -30 ? Family.eps : (eta > 30 ? 1 / Family.eps : exp(eta))
            return t / (1 + t)
        case "probit":
            let thresh = -Distribution.qnorm(Family.eps, 0, 1, Tail(lower: true, log: false))
            return Distribution.pnorm(min(max(eta, -thresh), thresh), 0, 1, Tail(lower: true, log: false))
        case "cloglog": return max(min(-expm1(-exp(eta)), 1 - Family.eps), Family.eps)
        case "log": return max(exp(eta), Family.eps)
        case "sqrt": return eta * eta
        case "inverse": return 1 / eta
        default: return eta
        }
    }

    func muEta(_ eta: Double) -> Double {
        switch link {
        case "logit":
            let o = 1 + exp(eta)
            return eta > 30 || eta < -30 ? Family.eps : exp(eta) / (o * o)
        case "probit": return max(Distribution.dnorm(eta, 0, 1, log: false), Family.eps)
        case "cloglog":
            let e = min(eta, 700)
            return max(exp(e) * exp(-exp(e)), Family.eps)
        case "log": return max(exp(eta), Family.eps)
        case "sqrt": return 2 * eta
        case "inverse": return -1 / (eta * eta)
        default: return 1
        }
    }

    func variance(_ mu: Double) -> Double {
        switch family {
        case "binomial", "quasibinomial": return mu * (1 - mu)
        case "poisson", "quasipoisson": return mu
        default: return 1
        }
    }

    func devResid(_ y: Double, _ mu: Double, _ w: Double) -> Double {
        switch family {
        case "binomial", "quasibinomial":
            func ylogy(_ a: Double, _ b: Double) -> Double { a == 0 ? 0 : a * log(a / b) }
            return 2 * w * (ylogy(y, mu) + ylogy(1 - y, 1 - mu))
        case "poisson", "quasipoisson":
            return y > 0 ? 2 * w * (y * log(y / mu) - (y - mu)) : 2 * mu * w
        default:
            return w * (y - mu) * (y - mu)
        }
    }

    func deviance(_ y: [Double], _ mu: [Double], _ w: [Double]) -> Double {
        var s = 0.0
        for i in y.indices { s += devResid(y[i], mu[i], w[i]) }
        return s
    }

    func start(_ y: [Double]) -> [Double] {
        switch family {
        case "binomial", "quasibinomial": return y.map { ($0 + 0.5) / 2 }
        case "poisson", "quasipoisson": return y.map { $0 + 0.1 }
        default: return y
        }
    }

    func aic(_ y: [Double], _ mu: [Double], _ w: [Double], _ dev: Double) -> Double {
        var warnings: [String] = []
        switch family {
        case "binomial":
            var s = 0.0
            for i in y.indices { s += w[i] * Dists.dbinom((y[i]).rounded(), 1, mu[i], true, &warnings) }
            return -2 * s
        case "poisson":
            var s = 0.0
            for i in y.indices { s += Dists.dpois(y[i], mu[i], true, &warnings) * w[i] }
            return -2 * s
        case "gaussian":
            let nobs = Double(y.count)
            return nobs * (log(2 * Double.pi * dev / nobs) + 1) + 2
        default:
            return .nan
        }
    }
}

func familyList(_ family: String, _ link: String) -> Value {
    .list(List([.character(family), .character(link)], names: ["family", "link"], classes: ["family"]))
}

private func familyValue(_ v: Value, _ ip: Interpreter) throws(FnError) -> Value {
    switch v {
    case .character(let s?): return familyList(s, s == "binomial" ? "logit" : s == "poisson" ? "log" : "identity")
    case .list: return v
    default:
        switch v { case .closure, .builtin: return try ip.callFunction(v, [], names: [])
        default: throw FnError.runtime("'family' not recognized") }
    }
}

// MARK: Reading fitted models

func field(_ o: Value, _ name: String) -> Value? {
    guard case .list(let l) = o else { return nil }
    return l.element(named: name)
}

func numbers(_ v: Value?) -> [Double] {
    guard let v, let s = Unpack.flatStorage(v), s.type != .character else { return [] }
    return s.doubles()
}

func matrixValue(_ flat: [Double], _ nrow: Int, _ ncol: Int, _ rowNames: [String]?, _ colNames: [String]?) -> Value {
    var attrs = AttributeList()
    attrs["dim"] = Value(Vector(.integer([Int32(nrow), Int32(ncol)])))
    if rowNames != nil || colNames != nil {
        attrs["dimnames"] = .list(List([rowNames.map { Value(Vector(.character($0))) } ?? .null,
                                        colNames.map { Value(Vector(.character($0))) } ?? .null]))
    }
    return .vector(Vector(.double(flat), names: nil, attributes: attrs))
}

private func formatPercent(_ p: Double) -> String {
    // As R's format(100 * p, trim = TRUE, digits = 3) followed by " %".
    let v = 100 * p
    var s = String(v)
    if v == v.rounded() { s = String(Int(v)) } else {
        let r = (v * 10).rounded() / 10
        s = r == r.rounded() ? String(Int(r)) : String(r)
    }
    return s + " %"
}

/// What a fitted model's stored fields give: coefficients, the unscaled covariance of the
/// estimable ones, residual variance and degrees of freedom.
struct ModelStats {
    var names: [String]
    var coefficients: [Double]
    /// Indices of estimable coefficients, in pivot order.
    var kept: [Int]
    var cov: [[Double]]
    var dfResidual: Int
    var sigma2: Double
    var residuals: [Double]

    init(_ o: Value) throws(FnError) {
        guard let c = field(o, "coefficients") else { throw FnError.runtime("the object has no coefficients") }
        coefficients = numbers(c)
        names = c.names ?? (0..<coefficients.count).map { "x\($0 + 1)" }
        guard let q = field(o, "qr"), let qm = field(q, "qr") else { throw FnError.runtime("the model has no qr component") }
        let rank = Int(Unpack.firstDouble(field(q, "rank") ?? field(o, "rank") ?? .integer(0)) ?? 0)
        let pivot = numbers(field(q, "pivot")).map { Int($0) }
        let dims = qm.dim ?? [0, 0]
        cov = unscaledCovariance(numbers(qm), ld: dims[0], k: rank)
        kept = pivot.prefix(rank).map { $0 - 1 }
        residuals = numbers(field(o, "residuals"))
        dfResidual = Int(Unpack.firstDouble(field(o, "df.residual") ?? .integer(0)) ?? 0)
        if o.classAttribute?.contains("glm") == true {
            let w = numbers(field(o, "weights"))
            var s = 0.0
            for i in residuals.indices { s += (i < w.count ? w[i] : 1) * residuals[i] * residuals[i] }
            sigma2 = s / Double(dfResidual)
        } else {
            sigma2 = residuals.reduce(0) { $0 + $1 * $1 } / Double(dfResidual)
        }
    }
}

private func summaryLM(_ o: Value) throws(FnError) -> Value {
    let s = try ModelStats(o)
    let r = s.residuals, n = r.count
    let rank = s.kept.count
    let rss = r.reduce(0) { $0 + $1 * $1 }
    let resvar = rss / Double(s.dfResidual)
    let sigma = resvar.squareRoot()
    let f = numbers(field(o, "fitted.values"))
    let intercept = s.names.first == "(Intercept)"
    let mss: Double
    if intercept {
        let m = f.reduce(0, +) / Double(n)
        mss = f.reduce(0) { $0 + ($1 - m) * ($1 - m) }
    } else {
        mss = f.reduce(0) { $0 + $1 * $1 }
    }
    let dfInt = intercept ? 1 : 0
    var est: [Double] = [], se: [Double] = [], tv: [Double] = [], pv: [Double] = []
    for (pos, i) in s.kept.enumerated() {
        est.append(s.coefficients[i])
        let e = (s.cov[pos][pos] * resvar).squareRoot()
        se.append(e)
        tv.append(s.coefficients[i] / e)
        pv.append(2 * Dists.pt(-abs(s.coefficients[i] / e), Double(s.dfResidual), Tail(lower: true, log: false)))
    }
    let rowNames = s.kept.map { s.names[$0] }
    let coefMatrix = matrixValue(est + se + tv + pv, rank, 4, rowNames, ["Estimate", "Std. Error", "t value", "Pr(>|t|)"])
    let aliased = Value(Vector(.logical(s.coefficients.map { $0.isNaN ? 1 : 0 }), names: s.names))
    var els: [Value] = [field(o, "call") ?? .null, field(o, "terms") ?? .null, field(o, "residuals") ?? .null,
                        coefMatrix, aliased, .double(sigma),
                        Value(Vector(.integer([Int32(rank), Int32(s.dfResidual), Int32(s.coefficients.count)])))]
    var names = ["call", "terms", "residuals", "coefficients", "aliased", "sigma", "df"]
    if rank != dfInt {
        let r2 = mss / (mss + rss)
        let adj = 1 - (1 - r2) * (Double(n - dfInt) / Double(s.dfResidual))
        let fval = (mss / Double(rank - dfInt)) / resvar
        els += [.double(r2), .double(adj),
                Value(Vector(.double([fval, Double(rank - dfInt), Double(s.dfResidual)]), names: ["value", "numdf", "dendf"]))]
        names += ["r.squared", "adj.r.squared", "fstatistic"]
    } else {
        els += [.double(0), .double(0)]
        names += ["r.squared", "adj.r.squared"]
    }
    els.append(matrixValue(s.cov.flatMap { $0 }, rank, rank, rowNames, rowNames))
    names.append("cov.unscaled")
    return .list(List(els, names: names, classes: ["summary.lm"]))
}

private func summaryGLM(_ o: Value) throws(FnError) -> Value {
    let s = try ModelStats(o)
    let fam = field(o, "family").flatMap { field($0, "family") }
    let famName: String
    if case .character(let f?)? = fam { famName = f } else { famName = "gaussian" }
    let fixed = famName == "binomial" || famName == "poisson"
    let dispersion = fixed ? 1 : s.sigma2
    var est: [Double] = [], se: [Double] = [], zv: [Double] = [], pv: [Double] = []
    for (pos, i) in s.kept.enumerated() {
        est.append(s.coefficients[i])
        let e = (s.cov[pos][pos] * dispersion).squareRoot()
        se.append(e)
        let z = s.coefficients[i] / e
        zv.append(z)
        pv.append(fixed ? 2 * Distribution.pnorm(-abs(z), 0, 1, Tail(lower: true, log: false))
                        : 2 * Dists.pt(-abs(z), Double(s.dfResidual), Tail(lower: true, log: false)))
    }
    let rowNames = s.kept.map { s.names[$0] }
    let cols = fixed ? ["Estimate", "Std. Error", "z value", "Pr(>|z|)"] : ["Estimate", "Std. Error", "t value", "Pr(>|t|)"]
    let coefMatrix = matrixValue(est + se + zv + pv, rowNames.count, 4, rowNames, cols)
    let els: [Value] = [field(o, "call") ?? .null, field(o, "terms") ?? .null, field(o, "family") ?? .null,
                        field(o, "deviance") ?? .null, field(o, "aic") ?? .null, field(o, "df.residual") ?? .null,
                        field(o, "null.deviance") ?? .null, field(o, "df.null") ?? .null, field(o, "iter") ?? .null,
                        (try? glmResiduals(o, "deviance")) ?? .null, coefMatrix,
                        Value(Vector(.logical(s.coefficients.map { $0.isNaN ? 1 : 0 }), names: s.names)),
                        .double(dispersion),
                        Value(Vector(.integer([Int32(s.kept.count), Int32(s.dfResidual), Int32(s.coefficients.count)]))),
                        matrixValue(s.cov.flatMap { $0 }, rowNames.count, rowNames.count, rowNames, rowNames),
                        matrixValue(s.cov.flatMap { $0 }.map { $0 * dispersion }, rowNames.count, rowNames.count, rowNames, rowNames)]
    let names = ["call", "terms", "family", "deviance", "aic", "df.residual", "null.deviance", "df.null", "iter",
                 "deviance.resid", "coefficients", "aliased", "dispersion", "df", "cov.unscaled", "cov.scaled"]
    return .list(List(els, names: names, classes: ["summary.glm"]))
}

private func glmResiduals(_ o: Value, _ type: String) throws(FnError) -> Value {
    let fam = try Family(field(o, "family") ?? .null)
    let y = numbers(field(o, "y")), mu = numbers(field(o, "fitted.values"))
    let w = numbers(field(o, "prior.weights"))
    let names = field(o, "fitted.values")?.names
    var out: [Double]
    switch type {
    case "deviance":
        out = y.indices.map { i in
            let d = fam.devResid(y[i], mu[i], i < w.count ? w[i] : 1)
            return (y[i] > mu[i] ? 1 : -1) * max(d, 0).squareRoot()
        }
    case "pearson":
        out = y.indices.map { i in (y[i] - mu[i]) * (i < w.count ? w[i] : 1).squareRoot() / fam.variance(mu[i]).squareRoot() }
    case "response":
        out = y.indices.map { y[$0] - mu[$0] }
    default:
        throw FnError.runtime("'arg' should be one of \"deviance\", \"pearson\", \"working\", \"response\"")
    }
    return Value(Vector(.double(out), names: names))
}

/// `predict` for lm and glm objects: rebuilds the model matrix of `newdata` from the stored
/// terms and factor levels and multiplies by the coefficients.
private func predictModel(_ args: Arguments, _ ip: Interpreter, glm: Bool? = nil) throws(FnError) -> Value {
    let o = try args.required(0, "object")
    let isGLM = glm ?? (o.classAttribute?.contains("glm") == true)
    guard o.classAttribute?.contains("lm") == true || o.classAttribute?.contains("glm") == true else {
        throw FnError.runtime("no applicable method for 'predict' applied to an object of class \"\(o.classAttribute?.first ?? o.typeName)\"")
    }
    let type = try Unpack.string(args[5], "type", default: isGLM ? "link" : "response")
    let interval = try Unpack.string(args[3], "interval", default: "none")
    let level = args[4].flatMap(Unpack.firstDouble) ?? 0.95
    let seFit = try Unpack.flag(args[2], "se.fit", default: false)
    guard ["none", "confidence", "prediction"].contains(interval) else {
        throw FnError.runtime("'arg' should be one of \"none\", \"confidence\", \"prediction\"")
    }
    let coefValue = field(o, "coefficients") ?? .null
    let coefs = numbers(coefValue)
    let coefNames = coefValue.names ?? []
    var fit: [Double]
    var rowNames: [String]
    var rows: [[Double]] = []
    if let newdata = args[1], !newdata.isNull {
        var levels: [String: [String]] = [:]
        if case .list(let xl)? = field(o, "xlevels") {
            for (i, v) in xl.elements.enumerated() {
                if let n = xl.names?[i], let s = v.storage { levels[n] = s.strings().map { $0 ?? "NA" } }
            }
        }
        let formula = field(o, "terms") ?? field(o, "formula") ?? .null
        let design = try Design(formula: formula, data: newdata, ip: ip, needResponse: false, knownLevels: levels)
        let m = design.matrix
        rowNames = design.rowNames
        var index: [Int] = []
        for (j, name) in coefNames.enumerated() where !coefs[j].isNaN {
            guard let k = m.names.firstIndex(of: name) else {
                throw FnError.runtime("the model matrix of 'newdata' has no column '\(name)'")
            }
            index.append(k)
        }
        let used = coefNames.indices.filter { !coefs[$0].isNaN }
        rows = (0..<design.n).map { i in index.map { m.columns[$0][i] } }
        fit = rows.map { r in zip(r, used).reduce(0) { $0 + $1.0 * coefs[$1.1] } }
    } else {
        let fv = field(o, "fitted.values") ?? .null
        rowNames = fv.names ?? []
        if isGLM {
            fit = numbers(field(o, "linear.predictors"))
        } else {
            fit = numbers(fv)
        }
        if interval != "none" || seFit {
            // Rebuild the rows of the model matrix from the model frame.
            let formula = field(o, "terms") ?? .null
            var levels: [String: [String]] = [:]
            if case .list(let xl)? = field(o, "xlevels") {
                for (i, v) in xl.elements.enumerated() {
                    if let n = xl.names?[i], let s = v.storage { levels[n] = s.strings().map { $0 ?? "NA" } }
                }
            }
            let design = try Design(formula: formula, data: field(o, "model"), ip: ip, needResponse: false, knownLevels: levels)
            let used = coefNames.indices.filter { !coefs[$0].isNaN }
            let index = used.map { j in design.matrix.names.firstIndex(of: coefNames[j]) ?? 0 }
            rows = (0..<design.n).map { i in index.map { design.matrix.columns[$0][i] } }
        }
    }
    let family = isGLM ? try Family(field(o, "family") ?? .null) : nil
    if isGLM, type == "response", let family { fit = fit.map(family.linkinv) }
    if interval == "none" && !seFit {
        return Value(Vector(.double(fit), names: rowNames))
    }
    let s = try ModelStats(o)
    // Variances x' C x with C the unscaled covariance in pivot order, mapped to the kept columns.
    let used = coefNames.indices.filter { !coefs[$0].isNaN }
    let posOf = Dictionary(uniqueKeysWithValues: s.kept.enumerated().map { ($1, $0) })
    let scale = isGLM && (family?.family == "binomial" || family?.family == "poisson") ? 1 : s.sigma2
    let variances: [Double] = rows.map { r in
        var v = 0.0
        for (a, ja) in used.enumerated() {
            for (b, jb) in used.enumerated() {
                guard let pa = posOf[ja], let pb = posOf[jb] else { continue }
                v += r[a] * s.cov[pa][pb] * r[b]
            }
        }
        return v * scale
    }
    var se = variances.map { $0.squareRoot() }
    if isGLM, type == "response", let family {
        let eta = rows.map { r in zip(r, used).reduce(0) { $0 + $1.0 * coefs[$1.1] } }
        se = zip(se, eta).map { $0 * abs(family.muEta($1)) }
    }
    if interval == "none" {
        return .list(List([Value(Vector(.double(fit), names: rowNames)), Value(Vector(.double(se), names: rowNames)),
                           .integer(Int32(s.dfResidual)), .double(isGLM ? scale.squareRoot() : s.sigma2.squareRoot())],
                          names: ["fit", "se.fit", "df", "residual.scale"]))
    }
    let tq = Dists.qt((1 - level) / 2, Double(s.dfResidual), Tail(lower: true, log: false))
    let width = variances.map { v in (interval == "prediction" ? v + s.sigma2 : v).squareRoot() }
    let lwr = zip(fit, width).map { $0 + tq * $1 }, upr = zip(fit, width).map { $0 - tq * $1 }
    if interval == "prediction" && args[1] == nil {
        ip.warn("predictions on current data refer to _future_ responses\n")
    }
    let m = matrixValue(fit + lwr + upr, fit.count, 3, rowNames, ["fit", "lwr", "upr"])
    if seFit {
        return .list(List([m, Value(Vector(.double(se), names: rowNames)), .integer(Int32(s.dfResidual)), .double(s.sigma2.squareRoot())],
                          names: ["fit", "se.fit", "df", "residual.scale"]))
    }
    return m
}

/// The head print.lm and print.glm share: the call, then the coefficients as named columns
/// (`none` when there are none). R labels the call differently for the two.
private func callAndCoefficients(_ x: Value, digits: Int, callLabel: String, none: String) -> String {
    var out = callLabel
    if let call = field(x, "call"), !call.isNull {
        out += Language.deparseLines(call).joined(separator: "\n")
    }
    out += "\n\n"
    let c = field(x, "coefficients") ?? .null
    let values = numbers(c)
    if values.isEmpty { return out + none }
    let names = c.names ?? values.map { _ in "" }
    return out + "Coefficients:\n" + namedColumns(names, NumberFormat.format(values, digits: digits), gap: 2)
}
