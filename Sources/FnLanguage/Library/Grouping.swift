/// Grouping by the distinct values of vectors, as R does through factors: `split`, `table`,
/// `tapply`, `interaction`.
extension BuiltinRegistry {
    mutating func registerGrouping() {
        define("split", ["x", "f", "drop", "..."]) { args, ip throws(FnError) in
            let x = try args.required(0, "x")
            var f = try args.required(1, "f")
            switch x {
            case .null, .closure, .builtin, .environment: throw FnError.runtime("first argument must be a vector")
            default: break
            }
            let drop = try Unpack.flag(args[2], "drop", default: false)
            let groups: FactorGroups
            if case .list(let l) = f, l.count != 1 {
                groups = try Grouping.interaction(l.elements, drop: drop, separator: ".")
            } else {
                if case .list(let l) = f { f = l.elements[0] }
                groups = try Grouping.groups(f, drop: drop)
            }
            let isFrame = DataFrame.isDataFrame(x)
            let n = isFrame ? DataFrame.rowCount(x) : x.length, nf = groups.codes.count
            if nf == 0 && n > 0 { throw FnError.runtime("group length is 0 but data length > 0") }
            if nf > 0 && n % nf != 0 { ip.warn("data length is not a multiple of split variable") }
            var members = [[Int]](repeating: [], count: groups.levels.count)
            for i in 0..<n {
                let code = groups.codes[i % nf]
                if code >= 0 { members[code].append(i) }
            }
            var elements: [Value] = [], names: [String] = []
            for (level, indices) in zip(groups.levels, members) {
                elements.append(isFrame ? DataFrame.selectRows(x, indices) : DataFrame.selectElements(x, indices))
                names.append(level)
            }
            return .list(List(elements, names: names))
        }
        define("interaction", ["...", "drop", "sep", "lex.order"]) { args, _ throws(FnError) in
            let drop = try Unpack.flag(args[1], "drop", default: false)
            let sep = try Unpack.string(args[2], "sep", default: ".")
            var factors = args.dots
            if factors.count == 1, case .list(let l) = factors[0] { factors = l.elements }
            let g = try Grouping.interaction(factors, drop: drop, separator: sep)
            return Factors.make(g.codes.map { $0 < 0 ? NA.integer : Int32($0 + 1) }, g.levels, names: nil, ordered: false)
        }
        define("table", ["...", "useNA", "exclude", "dnn"]) { args, _ throws(FnError) in
            var factors = args.dots
            var labels = args.dotNames.map { $0 ?? "" }
            if factors.count == 1, case .list(let l) = factors[0] {
                factors = l.elements
                labels = l.names ?? Array(repeating: "", count: l.count)
            }
            if case .character(let given)? = args[3]?.storage { labels = given.map { $0 ?? "" } }
            guard !factors.isEmpty else { throw FnError.runtime("nothing to tabulate") }
            // exclude = NULL counts NA as a level, as useNA = "ifany" does.
            let useNA = try Unpack.string(args[1], "useNA", default: args[2]?.isNull == true ? "ifany" : "no")
            guard ["no", "ifany", "always"].contains(useNA) else {
                throw FnError.runtime("'arg' should be one of \u{201C}no\u{201D}, \u{201C}ifany\u{201D}, \u{201C}always\u{201D}")
            }
            var groups: [FactorGroups] = []
            for f in factors {
                var g = try Grouping.groups(f, drop: false)
                if useNA == "always" || (useNA == "ifany" && g.codes.contains(-1)) {
                    g.codes = g.codes.map { $0 < 0 ? g.levels.count : $0 }
                    g.levels.append(Grouping.naLevel)
                }
                groups.append(g)
            }
            let n = groups[0].codes.count
            guard groups.allSatisfy({ $0.codes.count == n }) else {
                throw FnError.runtime("all arguments must have the same length")
            }
            let dims = groups.map { $0.levels.count }
            var counts = [Int32](repeating: 0, count: dims.reduce(1, *))
            for cell in Grouping.cells(groups, rows: n) where cell >= 0 { counts[cell] += 1 }
            return Grouping.array(.integer(counts), dims: dims, levels: groups.map(\.levels), names: labels,
                                  classes: ["table"])
        }
        define("print.table", ["x", "digits", "quote", "na.print", "zero.print", "right", "justify", "..."]) { args, ip throws(FnError) in
            let x = try args.required(0, "x")
            ip.output(.stdout, Grouping.printedTable(x))
            ip.visible = false
            return x
        }
        define("tapply", ["X", "INDEX", "FUN", "...", "default", "simplify"]) { args, ip throws(FnError) in
            let x = try args.required(0, "X")
            let index = try args.required(1, "INDEX")
            var factors = [index], labels: [String]? = nil
            if case .list(let l) = index {
                factors = l.elements
                labels = l.names
            }
            let groups = try factors.map { (f: Value) throws(FnError) -> FactorGroups in try Grouping.groups(f, drop: false) }
            let n = x.length
            guard groups.allSatisfy({ $0.codes.count == n }) else { throw FnError.runtime("arguments must have same length") }
            let dims = groups.map { $0.levels.count }
            var members = [[Int]](repeating: [], count: dims.reduce(1, *))
            for (i, cell) in Grouping.cells(groups, rows: n).enumerated() where cell >= 0 { members[cell].append(i) }
            guard let funArg = args[2], !funArg.isNull else {
                throw FnError.runtime("tapply(): FUN = NULL is not supported")
            }
            let f = try Unpack.function(funArg, ip)
            let simplify = try Unpack.flag(args[5], "simplify", default: true)
            var results: [Value?] = []
            for m in members {
                if m.isEmpty { results.append(nil); continue }
                results.append(try ip.callFunction(f, [DataFrame.selectElements(x, m)] + args.dots, names: [nil] + args.dotNames))
            }
            let present = results.compactMap { $0 }
            let scalars = simplify && !present.isEmpty && present.allSatisfy { $0.length == 1 && $0.atomicType != nil && $0.classAttribute == nil }
            let dimNames = labels ?? Array(repeating: "", count: dims.count)
            if scalars {
                let type = present.compactMap { $0.atomicType }.max() ?? .logical
                let fill = args[4] ?? .logical(NA.logical)
                let storage = Unpack.combine(results.map { $0 ?? fill }, as: type)
                return Grouping.array(storage, dims: dims, levels: groups.map(\.levels), names: labels == nil ? nil : dimNames)
            }
            var l = List(results.map { $0 ?? .null }, names: dims.count == 1 ? groups[0].levels : nil)
            l.attributes = Grouping.arrayAttributes(dims: dims, levels: groups.map(\.levels), names: labels == nil ? nil : dimNames, classes: nil)
            return .list(l)
        }
    }
}

enum Grouping {
    /// The label of the NA level `table(useNA =)` adds; its dimname is NA.
    static let naLevel = "\u{0}NA"

    /// The groups of `f`: a factor's own levels (all of them unless `drop`), else the sorted
    /// distinct values.
    static func groups(_ f: Value, drop: Bool) throws(FnError) -> FactorGroups {
        if Factors.isFactor(f) {
            let g = FactorGroups(levels: Factors.levels(f), codes: Factors.codes(f).map { $0 == NA.integer ? -1 : Int($0) - 1 })
            return drop ? g.droppingUnused() : g
        }
        if f.isNull { return FactorGroups(levels: [], codes: []) }
        guard let s = f.storage else { throw FnError.runtime("'f' must be an atomic vector or a factor") }
        return FactorGroups(s)
    }

    /// R's `interaction(...)`: every combination of the factors' levels, the first factor varying
    /// fastest, labelled `a.x`; `drop` keeps only the combinations that occur.
    static func interaction(_ factors: [Value], drop: Bool, separator: String) throws(FnError) -> FactorGroups {
        guard !factors.isEmpty else { throw FnError.runtime("No factors specified") }
        var result = try groups(factors[0], drop: false)
        for f in factors.dropFirst() {
            let g = try groups(f, drop: false)
            let n = max(result.codes.count, g.codes.count)
            var levels: [String] = []
            for b in g.levels { for a in result.levels { levels.append(a + separator + b) } }
            var codes: [Int] = []
            for i in 0..<n {
                let a = result.codes.isEmpty ? -1 : result.codes[i % result.codes.count]
                let b = g.codes.isEmpty ? -1 : g.codes[i % g.codes.count]
                codes.append(a < 0 || b < 0 ? -1 : a + b * result.levels.count)
            }
            result = FactorGroups(levels: levels, codes: codes)
        }
        return drop ? result.droppingUnused() : result
    }

    /// The cell of each row in the array the groupings span (the first varying fastest), or -1
    /// where any grouping is NA.
    static func cells(_ groups: [FactorGroups], rows n: Int) -> [Int] {
        (0..<n).map { i in
            var cell = 0, stride = 1
            for g in groups {
                let c = g.codes[i]
                if c < 0 { return -1 }
                cell += c * stride
                stride *= max(g.levels.count, 1)
            }
            return cell
        }
    }

    /// The attributes of an array with these dimensions and dimnames (named when `names` is given).
    static func arrayAttributes(dims: [Int], levels: [[String]], names: [String]?, classes: [String]?) -> AttributeList {
        let dimnames = levels.map { l in Value(Vector(.character(l.map { $0 == naLevel ? nil : $0 }))) }
        var pairs: [(name: String, value: Value)] = [
            ("dim", Value(Vector(.integer(dims.map { Int32($0) })))),
            ("dimnames", .list(List(dimnames, names: names))),
        ]
        if let classes { pairs.append(("class", Value(Vector(.character(classes))))) }
        return AttributeList(pairs)
    }

    /// A one-dimensional array also carries its dimnames as names, so that `names()`, `x[["a"]]`
    /// and `which.max` see them as R does.
    static func array(_ s: Storage, dims: [Int], levels: [[String]], names: [String]?, classes: [String]? = nil) -> Value {
        let elementNames = dims.count == 1 ? levels[0].map { $0 == naLevel ? "NA" : $0 } : nil
        return .vector(Vector(s, names: elementNames, attributes: arrayAttributes(dims: dims, levels: levels, names: names, classes: classes)))
    }
}

/// The levels R's `factor(x)` would give an atomic vector, and each element's level.
///
/// Levels are the distinct values sorted (numbers by value, `FALSE` before `TRUE`, strings by code
/// point) and labelled as `as.character` writes them; values with the same label share a level.
struct FactorGroups {
    var levels: [String]
    /// The 0-based level of each element, or -1 for NA.
    var codes: [Int]

    init(levels: [String], codes: [Int]) {
        self.levels = levels
        self.codes = codes
    }

    init(_ s: Storage) {
        let labels = s.strings()
        let numbers = s.type == .character ? [] : s.doubles()
        var firstLevel: [String: Int] = [:]
        var seen: [String] = []
        var keys: [Double] = []
        var raw = [Int](repeating: -1, count: labels.count)
        for (i, label) in labels.enumerated() {
            guard let label, !s.isNA(i) else { continue }
            if let k = firstLevel[label] {
                raw[i] = k
            } else {
                firstLevel[label] = seen.count
                raw[i] = seen.count
                seen.append(label)
                keys.append(numbers.isEmpty ? 0 : numbers[i])
            }
        }
        var perm = Array(seen.indices)
        if s.type == .character {
            perm.sort { collate(seen[$0], seen[$1]) < 0 }
        } else {
            perm.sort { keys[$0] < keys[$1] }
        }
        var rank = [Int](repeating: 0, count: perm.count)
        for (position, k) in perm.enumerated() { rank[k] = position }
        levels = perm.map { seen[$0] }
        codes = raw.map { $0 < 0 ? -1 : rank[$0] }
    }
}

extension Grouping {
    /// A table as `print.table` shows it: a one-way table under its dimension's name (a blank line
    /// when unnamed), a higher one as a matrix with named dimnames.
    static func printedTable(_ x: Value) -> String {
        guard case .vector(let v) = x else { return formatForPrint(x) }
        if let text = Summary.printedCharacterTable(x) { return text }
        var plain = v
        var attributes = v.attributes
        setAttribute(&attributes, "class", nil)
        // NA dimnames print as <NA> in a table.
        if case .list(var dn)? = attributes?["dimnames"] {
            dn.elements = dn.elements.map { e in
                guard let s = e.storage, s.type == .character else { return e }
                return Value(Vector(.character(s.strings().map { $0 ?? "<NA>" })))
            }
            setAttribute(&attributes, "dimnames", .list(dn))
        }
        plain.attributes = attributes
        guard let d = x.dim, d.count == 1, case .list(let dn)? = x.attribute("dimnames") else {
            if x.dim == nil, v.names != nil { return formatForPrint(.vector(plain)) }
            return formatForPrint(.vector(plain))
        }
        let labels = dn.elements.first?.storage?.strings().map { $0 ?? "<NA>" }
        let header = dn.names?.first ?? ""
        if d[0] == 0 { return (header.isEmpty ? "" : header + "\n") + "< table of extent 0 >\n" }
        // No header line at all when the dimnames have no names (after `names(t) <- v`).
        return (dn.names == nil ? "" : header + "\n") + formatForPrint(Value(Vector(v.storage, names: labels)))
    }
}

extension FactorGroups {
    /// The groups without the levels no element has, codes renumbered.
    func droppingUnused() -> FactorGroups {
        let used = Set(codes)
        var map = [Int](repeating: -1, count: levels.count)
        var kept: [String] = []
        for (i, l) in levels.enumerated() where used.contains(i) {
            map[i] = kept.count
            kept.append(l)
        }
        return FactorGroups(levels: kept, codes: codes.map { $0 < 0 ? -1 : map[$0] })
    }
}
