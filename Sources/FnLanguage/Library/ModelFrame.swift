/// Model frames and model matrices from formulas, as R's `terms`, `model.frame` and
/// `model.matrix` build them: terms expanded from `+`, `-`, `:`, `*`, `^`, `.`, `0`/`1`; factors
/// coded by treatment contrasts (R's column names such as `gB`, `x:gB`); `I()`, `log()` and other
/// calls evaluated in the data with the formula's environment as enclosure.
struct ModelTerms {
    /// The response expression, when the formula has a left side.
    var response: Value?
    /// The variables (expressions) in order of first appearance, without the response.
    var variables: [Value] = []
    /// Their deparsed names (`x`, `log(x)`, `I(x^2)`).
    var labels: [String] = []
    /// Each term as sorted indices into `variables`, ordered by degree as R orders them.
    var terms: [[Int]] = []
    var intercept = true

    var termLabels: [String] { terms.map { $0.map { labels[$0] }.joined(separator: ":") } }

    /// Splits a formula into terms; `dataNames` expands `.`.
    init(formula: Value, dataNames: [String]) throws(FnError) {
        guard case .language(let f) = formula, f.functionName == "~" else {
            throw FnError.runtime("invalid formula: expected a formula such as y ~ x")
        }
        let rhs: Value
        if f.elements.count == 3 {
            response = f.elements[1]
            rhs = f.elements[2]
        } else if f.elements.count == 2 {
            rhs = f.elements[1]
        } else {
            throw FnError.runtime("invalid formula")
        }
        let responseLabel = response.map(ModelTerms.deparse)
        var raw = try expand(rhs, dataNames: dataNames.filter { $0 != responseLabel })
        // R's order: by degree, keeping the order of appearance within a degree.
        raw = raw.enumerated().sorted { ($0.element.count, $0.offset) < ($1.element.count, $1.offset) }.map(\.element)
        terms = raw
    }

    static func deparse(_ v: Value) -> String {
        Language.deparseLines(v).map { $0.trimmingLeadingSpaces }.joined()
    }

    private mutating func variable(_ v: Value) -> Int {
        let label = ModelTerms.deparse(v)
        if let i = labels.firstIndex(of: label) { return i }
        variables.append(v)
        labels.append(label)
        return variables.count - 1
    }

    private mutating func expand(_ v: Value, dataNames: [String]) throws(FnError) -> [[Int]] {
        func union(_ a: [[Int]], _ b: [[Int]]) -> [[Int]] {
            var out = a
            for t in b where !out.contains(t) { out.append(t) }
            return out
        }
        func interact(_ a: [[Int]], _ b: [[Int]]) -> [[Int]] {
            var out: [[Int]] = []
            for x in a { for y in b {
                let t = Array(Set(x + y)).sorted()
                if !out.contains(t) { out.append(t) }
            } }
            return out
        }
        switch v {
        case .double(1), .integer(1):
            intercept = true
            return []
        case .double(0), .integer(0):
            intercept = false
            return []
        case .symbol("."):
            var out: [[Int]] = []
            for n in dataNames { out.append([variable(.symbol(n))]) }
            return out
        case .language(let l):
            let a = l.arguments.map(\.value)
            switch (l.functionName, a.count) {
            case ("+", 2):
                let left = try expand(a[0], dataNames: dataNames)
                return union(left, try expand(a[1], dataNames: dataNames))
            case ("+", 1), ("(", 1):
                return try expand(a[0], dataNames: dataNames)
            case ("-", 2):
                let left = try expand(a[0], dataNames: dataNames)
                if case .double(let d) = a[1], d == 0 || d == 1 { intercept = d == 0; return left }
                let saved = intercept
                let right = try expand(a[1], dataNames: dataNames)
                intercept = saved
                return left.filter { !right.contains($0) }
            case ("-", 1):
                if case .double(let d) = a[0], d == 1 { intercept = false; return [] }
                if case .double(let d) = a[0], d == 0 { intercept = true; return [] }
                _ = try expand(a[0], dataNames: dataNames)
                return []
            case (":", 2):
                return interact(try expand(a[0], dataNames: dataNames), try expand(a[1], dataNames: dataNames))
            case ("*", 2):
                let x = try expand(a[0], dataNames: dataNames), y = try expand(a[1], dataNames: dataNames)
                return union(union(x, y), interact(x, y))
            case ("^", 2):
                let x = try expand(a[0], dataNames: dataNames)
                let k = Unpack.firstDouble(a[1]).map { Int($0) } ?? 1
                var out = x
                if k > 1 { for _ in 1..<k { out = union(out, interact(out, x)) } }
                return out
            default:
                return [[variable(v)]]
            }
        default:
            return [[variable(v)]]
        }
    }
}

extension String {
    fileprivate var trimmingLeadingSpaces: String { String(drop { $0 == " " }) }
}

/// One evaluated model variable: numbers, or a factor's codes with its levels.
struct ModelVariable {
    var numbers: [Double]
    /// Levels when the variable is categorical (factor, character or logical).
    var levels: [String]?
    /// 1-based level codes (NA as 0) for categorical variables.
    var codes: [Int] = []
    var isLogical = false

    var count: Int { levels == nil ? numbers.count : codes.count }

    func isNA(_ i: Int) -> Bool { levels == nil ? numbers[i].isNaN : codes[i] == 0 }

    /// A variable from a value, coded against `knownLevels` when given (prediction).
    init(_ v: Value, knownLevels: [String]?, name: String) throws(FnError) {
        numbers = []
        if v.classAttribute?.contains("factor") == true, let s = v.storage {
            let lv = v.attribute("levels")?.storage?.strings().map { $0 ?? "NA" } ?? []
            let raw = s.integers().map { $0 == NA.integer ? 0 : Int($0) }
            if let knownLevels {
                levels = knownLevels
                let mapped = raw.map { c in
                    if c == 0 { return 0 }
                    return (knownLevels.firstIndex(of: lv[c - 1]) ?? -1) + 1
                }
                codes = mapped
                var unseen: [String] = []
                for i in raw.indices where raw[i] != 0 && mapped[i] == 0 && !unseen.contains(lv[raw[i] - 1]) {
                    unseen.append(lv[raw[i] - 1])
                }
                if !unseen.isEmpty { throw ModelVariable.newLevels(name, unseen) }
            } else {
                levels = lv
                codes = raw
            }
            numbers = []
            return
        }
        guard let s = Unpack.flatStorage(v) else {
            throw FnError.runtime("invalid type (\(v.typeName)) for variable '\(name)'")
        }
        switch s.type {
        case .character, .logical:
            let strings: [String?]
            if s.type == .logical {
                isLogical = true
                strings = s.logicals().map { $0 == NA.logical ? nil : ($0 != 0 ? "TRUE" : "FALSE") }
            } else {
                strings = s.strings()
            }
            let lv = knownLevels ?? (s.type == .logical ? ["FALSE", "TRUE"].filter { strings.contains($0) }
                                     : Array(Set(strings.compactMap { $0 })).sorted(by: ModelVariable.collate))
            levels = lv
            codes = []
            var unseen: [String] = []
            for x in strings {
                guard let x else { codes.append(0); continue }
                guard let k = lv.firstIndex(of: x) else {
                    if !unseen.contains(x) { unseen.append(x) }
                    codes.append(0)
                    continue
                }
                codes.append(k + 1)
            }
            if !unseen.isEmpty { throw ModelVariable.newLevels(name, unseen) }
            numbers = []
        default:
            numbers = s.doubles()
        }
    }

    static func newLevels(_ name: String, _ levels: [String]) -> FnError {
        FnError.runtime("factor \(name) has new level\(levels.count > 1 ? "s" : "") \(levels.joined(separator: ", "))")
    }

    /// fn sorts strings by code point (as R does in the C locale).
    static func collate(_ a: String, _ b: String) -> Bool { a < b }

    func subset(_ rows: [Int]) -> ModelVariable {
        var v = self
        if levels == nil { v.numbers = rows.map { numbers[$0] } } else { v.codes = rows.map { codes[$0] } }
        return v
    }

    /// As a column of a model frame.
    var value: Value {
        guard let levels else { return Value(Vector(.double(numbers))) }
        if isLogical { return Value(Vector(.logical(codes.map { $0 == 0 ? NA.logical : (levels[$0 - 1] == "TRUE" ? 1 : 0) }))) }
        var attrs = AttributeList()
        attrs["levels"] = Value(Vector(.character(levels)))
        attrs["class"] = .character("factor")
        return .vector(Vector(.integer(codes.map { $0 == 0 ? NA.integer : Int32($0) }), names: nil, attributes: attrs))
    }
}

/// A model matrix: columns (column-major), their names and R's `assign`.
struct ModelMatrix {
    var columns: [[Double]] = []
    var names: [String] = []
    var assign: [Int] = []
    var contrasts: [String] = []
}

enum ModelFrame {
    /// Evaluates `expr` with the data's columns visible, the formula's environment around them.
    static func evaluate(_ expr: Value, data: Value?, env: Environment, ip: Interpreter) throws(FnError) -> Value {
        var target = env
        if case .list(let l)? = data { target = Environment.holding(List(l.elements, names: l.names), parent: env) }
        do throws(Control) {
            return try ip.evaluate(language: expr, in: target, at: nil)
        } catch {
            throw ip.asError(error)
        }
    }

    static func dataNames(_ data: Value?) -> [String] {
        if case .list(let l)? = data { return l.names ?? [] }
        return []
    }

    /// The model matrix of `terms` over `vars` (one per term variable, all of one length `n`).
    static func matrix(_ t: ModelTerms, _ vars: [ModelVariable], n: Int) -> ModelMatrix {
        var m = ModelMatrix()
        if t.intercept {
            m.columns.append([Double](repeating: 1, count: n))
            m.names.append("(Intercept)")
            m.assign.append(0)
        }
        var fullyCoded = false
        for (ti, term) in t.terms.enumerated() {
            // Each variable of the term gives its columns; the term's columns are their products,
            // the first variable varying fastest.
            var pieces: [(cols: [[Double]], names: [String])] = []
            for vi in term {
                let v = vars[vi]
                let label = t.labels[vi]
                guard let levels = v.levels else {
                    pieces.append(([v.numbers], [label]))
                    continue
                }
                let margin = term.filter { $0 != vi }
                var contrasted = margin.isEmpty ? (t.intercept || fullyCoded) : t.terms.contains(margin)
                if margin.isEmpty && !contrasted { fullyCoded = true }
                if !margin.isEmpty && !contrasted { contrasted = false }
                let first = contrasted ? 1 : 0
                var cols: [[Double]] = [], names: [String] = []
                for k in first..<levels.count {
                    cols.append(v.codes.map { $0 == 0 ? .nan : ($0 == k + 1 ? 1 : 0) })
                    names.append(label + levels[k])
                }
                pieces.append((cols, names))
            }
            var cols: [[Double]] = [[Double](repeating: 1, count: n)]
            var names: [String] = [""]
            for p in pieces {
                var nc: [[Double]] = [], nn: [String] = []
                for (pc, pn) in zip(p.cols, p.names) {
                    for (c, name) in zip(cols, names) {
                        nc.append(zip(c, pc).map { $0 * $1 })
                        nn.append(name.isEmpty ? pn : name + ":" + pn)
                    }
                }
                cols = nc
                names = nn
            }
            m.columns += cols
            m.names += names
            m.assign += Array(repeating: ti + 1, count: cols.count)
        }
        return m
    }
}
