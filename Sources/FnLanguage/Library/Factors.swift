/// Factors: integer codes with a `levels` attribute and class `"factor"` (`c("ordered",
/// "factor")` when ordered). The methods R has for them (`print`, `format`, `as.character`, `[`,
/// `[[`, `[<-`, `c`, `levels<-`) are builtins found by S3 dispatch like a user's methods.
extension BuiltinRegistry {
    mutating func registerFactors() {
        define("factor", ["x", "levels", "labels", "exclude", "ordered", "nmax"]) { args, _ throws(FnError) in
            let x = args[0] ?? Value(Vector(.character([])))
            let values = Factors.strings(x)
            var levels: [String?]
            if let l = args[1] {
                levels = Factors.strings(l)
            } else {
                levels = Factors.sortedUnique(Factors.isFactor(x) ? Factors.levels(x).map { Optional($0) } : nil, x)
            }
            let exclude = args[3].map(Factors.strings) ?? [nil]
            levels.removeAll { exclude.contains($0) }
            let codes = values.map { v -> Int32 in
                guard let i = levels.firstIndex(where: { $0 == v }) else { return NA.integer }
                return Int32(i + 1)
            }
            var labels = levels.map { $0 ?? "NA" }
            if let l = args[2] {
                let given = Factors.strings(l).map { $0 ?? "NA" }
                if given.count == labels.count {
                    labels = given
                } else if given.count == 1 {
                    labels = (1...max(labels.count, 1)).prefix(labels.count).map { given[0] + String($0) }
                } else {
                    throw FnError.runtime("invalid 'labels'; length \(given.count) should be 1 or \(labels.count)")
                }
            }
            let ordered = try Unpack.flag(args[4], "ordered", default: Factors.isOrdered(x))
            return Factors.make(codes, labels, names: x.names, ordered: ordered)
        }
        define("as.factor", ["x"]) { args, ip throws(FnError) in
            let x = try args.required(0, "x")
            return Factors.isFactor(x) ? x : Factors.asFactor(x)
        }
        define("is.factor", ["x"]) { args, _ throws(FnError) in .bool(Factors.isFactor(try args.required(0, "x"))) }
        define("is.ordered", ["x"]) { args, _ throws(FnError) in .bool(Factors.isOrdered(try args.required(0, "x"))) }
        define("nlevels", ["x"]) { args, _ throws(FnError) in
            .integer(Int32((try args.required(0, "x")).attribute("levels")?.length ?? 0))
        }
        define("levels<-", ["x", "value"]) { args, _ throws(FnError) in
            var x = try args.required(0, "x")
            let v = args[1] ?? .null
            if Factors.isFactor(x) {
                let n = Factors.levels(x).count
                if v.length < n { throw FnError.runtime("number of levels differs") }
                // Repeated new levels merge their codes, as in R.
                let new = Factors.strings(v).map { $0 ?? "NA" }
                var unique: [String] = []
                for l in new where !unique.contains(l) { unique.append(l) }
                let codes = Factors.codes(x).map { c -> Int32 in
                    c == NA.integer ? c : unique.firstIndex(of: new[Int(c) - 1]).map { Int32($0 + 1) } ?? NA.integer
                }
                return Factors.make(codes, unique, names: x.names, ordered: Factors.isOrdered(x))
            }
            try Attributes.set(&x, "levels", v)
            return x
        }
        define("droplevels", ["x", "..."]) { args, _ throws(FnError) in
            let x = try args.required(0, "x")
            guard Factors.isFactor(x) else { return x }
            return Factors.dropUnused(x)
        }
        define("as.character.factor", ["x", "..."]) { args, _ throws(FnError) in
            let x = try args.required(0, "x")
            return Value(Vector(.character(Factors.labels(x))))
        }
        define("format.factor", ["x", "..."]) { args, _ throws(FnError) in
            let x = try args.required(0, "x")
            let labels = Factors.labels(x).map { $0 ?? "NA" }
            let w = labels.map { $0.unicodeScalars.count }.max() ?? 0
            let padded = labels.map { $0 + String(repeating: " ", count: w - $0.unicodeScalars.count) }
            return Value(Vector(.character(padded), names: x.names))
        }
        define("print.factor", ["x", "..."]) { args, ip throws(FnError) in
            let x = try args.required(0, "x")
            ip.output(.stdout, Factors.printed(x))
            ip.visible = false
            return x
        }
        define("[.factor", ["x", "...", "drop"]) { args, _ throws(FnError) in
            let x = try args.required(0, "x")
            var codes = try Indexing.get(Factors.plain(x), args.dots.map { Optional($0) }, double: false)
            try Factors.restore(&codes, from: x)
            if try Unpack.flag(args[2], "drop", default: false) {
                return Factors.dropUnused(codes)
            }
            return codes
        }
        define("[[.factor", ["x", "...", "exact"]) { args, _ throws(FnError) in
            let x = try args.required(0, "x")
            var code = try Indexing.get(Factors.plain(x), args.dots.map { Optional($0) }, double: true)
            try Factors.restore(&code, from: x)
            return code
        }
        define("[<-.factor", ["x", "...", "value"]) { args, ip throws(FnError) in
            let x = try args.required(0, "x")
            let v = try args.required(2, "value")
            let levels = Factors.levels(x)
            let wanted = Factors.isFactor(v) ? Factors.labels(v) : Factors.strings(v)
            var invalid = false
            let codes = wanted.map { w -> Int32 in
                guard let w else { return NA.integer }
                guard let i = levels.firstIndex(of: w) else { invalid = true; return NA.integer }
                return Int32(i + 1)
            }
            if invalid { ip.warn("invalid factor level, NA generated") }
            var plain = Factors.plain(x)
            try Indexing.set(&plain, args.dots.map { Optional($0) }, double: false, Value(Vector(.integer(codes))))
            try Factors.restore(&plain, from: x)
            return plain
        }
        define("as.vector.factor", ["x", "mode"]) { args, _ throws(FnError) in
            Value(Vector(.character(Factors.labels(try args.required(0, "x")))))
        }
        // Methods that reorder or repeat the codes and keep the levels.
        for generic in ["rev", "unique", "sort", "rep", "head", "tail"] {
            define(generic + ".factor", ["x", "..."]) { args, ip throws(FnError) in
                let x = try args.required(0, "x")
                guard let builtin = Dispatch.internalDefault(ip, generic) else {
                    throw FnError.runtime("could not find function \"\(generic)\"")
                }
                var codes = try ip.callFunction(.builtin(builtin), [Factors.plain(x)] + args.dots,
                                                names: [nil] + args.dotNames)
                try Factors.restore(&codes, from: x)
                return codes
            }
        }
        define("table.factor", ["...", "useNA"]) { args, ip throws(FnError) in
            // One factor: its counts in level order, unused levels included. Two: a matrix of
            // counts with the arguments' names on its dimnames.
            guard (1...2).contains(args.dots.count) else {
                throw FnError.runtime("table(): fn counts one or two factors")
            }
            let factors = args.dots.map { Factors.isFactor($0) ? $0 : Factors.asFactor($0) }
            let levels = factors.map(Factors.levels)
            let codes = factors.map(Factors.codes)
            guard codes.allSatisfy({ $0.count == codes[0].count }) else {
                throw FnError.runtime("all arguments must have the same length")
            }
            let shape = levels.map(\.count)
            var counts = [Int32](repeating: 0, count: shape.reduce(1, *))
            for i in 0..<codes[0].count {
                guard codes.allSatisfy({ $0[i] != NA.integer }) else { continue }
                let r = Int(codes[0][i]) - 1
                counts[codes.count == 1 ? r : (Int(codes[1][i]) - 1) * shape[0] + r] += 1
            }
            if factors.count == 1 { return Value(Vector(.integer(counts), names: levels[0])) }
            let symbols = Matrix.argumentSymbols(ip, "table", args.dots.count)
            let titles = (0..<2).map { args.dotNames[$0] ?? symbols[$0] ?? "" }
            var out = Value(Vector(.integer(counts)))
            try Attributes.set(&out, "dim", Value(Vector(.integer(shape.map { Int32($0) }))))
            try Attributes.set(&out, "dimnames", .list(List(levels.map { Value(Vector(.character($0))) }, names: titles)))
            return out
        }
        define("cut", ["x", "breaks", "labels", "include.lowest", "right", "dig.lab", "ordered_result", "..."]) {
            args, _ throws(FnError) in
            guard let xs = (try args.required(0, "x")).storage, xs.type != .character else {
                throw FnError.runtime("'x' must be numeric")
            }
            let x = xs.doubles()
            guard let bs = (try args.required(1, "breaks")).storage, bs.type != .character else {
                throw FnError.runtime("invalid specification of 'breaks'")
            }
            var breaks = bs.doubles()
            if breaks.count == 1 {
                // A number of intervals: equal widths over the range, widened by 0.1% at the ends.
                let n = Int(breaks[0])
                guard breaks[0] >= 2 || breaks[0] == 1, n < 100_000 else { throw FnError.runtime("invalid number of intervals") }
                let finite = x.filter { $0.isFinite }
                guard let lo = finite.min(), let hi = finite.max() else { throw FnError.runtime("'x' must be numeric") }
                let dx = hi - lo == 0 ? abs(lo) : hi - lo
                breaks = (0...n).map { lo + (hi - lo) * Double($0) / Double(n) }
                if hi - lo == 0 { breaks = (0...n).map { lo - dx / 1000 + 2 * dx / 1000 * Double($0) / Double(n) } }
                breaks[0] = min(breaks[0], lo - dx / 1000)
                breaks[n] = max(breaks[n], hi + dx / 1000)
            } else {
                breaks.sort()
            }
            guard breaks.count >= 2, !breaks.contains(where: { $0.isNaN }) else {
                throw FnError.runtime("invalid specification of 'breaks'")
            }
            let right = try Unpack.flag(args[4], "right", default: true)
            let lowest = try Unpack.flag(args[3], "include.lowest", default: false)
            let n = breaks.count - 1
            var labels: [String]
            var codesOnly = false
            if let l = args[2], !l.isNull {
                if case .logical(0) = l {
                    labels = []
                    codesOnly = true
                } else {
                    labels = Factors.strings(l).map { $0 ?? "NA" }
                    guard labels.count == n else {
                        throw FnError.runtime("number of intervals and length of 'labels' differ")
                    }
                }
            } else {
                // R's labels: the breaks with 3 significant digits, more until neighbours differ.
                var text: [String] = []
                for digits in max(try Unpack.int(args[5], "dig.lab", default: 3), 1)...12 {
                    text = breaks.map { NumberFormat.formatC($0 + 0, "%.*g", digits) }
                    if zip(text, text.dropFirst()).allSatisfy({ $0 != $1 }) { break }
                }
                labels = (0..<n).map { k in
                    var open = right ? "(" : "[", close = right ? "]" : ")"
                    if lowest && right && k == 0 { open = "[" }
                    if lowest && !right && k == n - 1 { close = "]" }
                    return open + text[k] + "," + text[k + 1] + close
                }
            }
            let codes = x.map { v -> Int32 in
                guard !v.isNaN else { return NA.integer }
                for k in 0..<n {
                    let a = breaks[k], b = breaks[k + 1]
                    let inside = right
                        ? (v > a && v <= b) || (lowest && k == 0 && v == a)
                        : (v >= a && v < b) || (lowest && k == n - 1 && v == b)
                    if inside { return Int32(k + 1) }
                }
                return NA.integer
            }
            if codesOnly { return Value(Vector(.integer(codes))) }
            return Factors.make(codes, labels, names: nil, ordered: try Unpack.flag(args[6], "ordered_result", default: false))
        }
        define("tapply", ["X", "INDEX", "FUN", "...", "default", "simplify"]) { args, ip throws(FnError) in
            let x = try args.required(0, "X")
            var index = try args.required(1, "INDEX")
            if case .list(let l) = index {
                guard l.count == 1 else { throw FnError.runtime("tapply(): fn groups by one factor") }
                index = l.elements[0]
            }
            let f = Factors.isFactor(index) ? index : Factors.asFactor(index)
            guard f.length == x.length else { throw FnError.runtime("arguments must have same length") }
            let fun = try Unpack.function(try args.required(2, "FUN"), ip)
            let levels = Factors.levels(f)
            var members = [[Int]](repeating: [], count: levels.count)
            for (i, c) in Factors.codes(f).enumerated() where c != NA.integer { members[Int(c) - 1].append(i) }
            var results: [Value?] = []
            for m in members {
                results.append(m.isEmpty ? nil : try ip.callFunction(fun, [x.gathered(m)] + args.dots,
                                                                     names: [nil] + args.dotNames))
            }
            let simplify = try Unpack.flag(args[5], "simplify", default: true)
            let present = results.compactMap { $0 }
            if simplify, !present.isEmpty, present.allSatisfy({ $0.atomicType != nil && $0.length == 1 }) {
                // Empty groups are `default` (NA).
                let values = results.map { $0 ?? args[4] ?? .logical(NA.logical) }
                let type = values.compactMap(\.atomicType).max() ?? .logical
                return Value(Unpack.combine(values, as: type), names: levels)
            }
            return .list(List(results.map { $0 ?? .null }, names: levels))
        }
        define("relevel", ["x", "ref", "..."]) { args, _ throws(FnError) in
            let x = try args.required(0, "x")
            guard Factors.isFactor(x), !Factors.isOrdered(x) else {
                throw FnError.runtime("'relevel' only for (unordered) factors")
            }
            let levels = Factors.levels(x)
            let ref = try args.required(1, "ref")
            let k: Int
            if case .character(let name?) = ref {
                guard let i = levels.firstIndex(of: name) else { throw FnError.runtime("'ref' must be an existing level") }
                k = i
            } else {
                let i = try Unpack.int(ref, "ref", default: 0)
                guard i >= 1 && i <= levels.count else { throw FnError.runtime("ref = \(i) must be in 1L:\(levels.count)") }
                k = i - 1
            }
            let order = [k] + (0..<levels.count).filter { $0 != k }
            var position = [Int32](repeating: 0, count: levels.count)
            for (p, old) in order.enumerated() { position[old] = Int32(p + 1) }
            let codes = Factors.codes(x).map { $0 == NA.integer ? $0 : position[Int($0) - 1] }
            return Factors.make(codes, order.map { levels[$0] }, names: x.names, ordered: false)
        }
        define("interaction", ["...", "drop", "sep", "lex.order"]) { args, _ throws(FnError) in
            // The levels of the first factor vary fastest, as in R.
            let sep = try Unpack.string(args[2], "sep", default: ".")
            var factors = args.dots.map { Factors.isFactor($0) ? $0 : Factors.asFactor($0) }
            if factors.count == 1, case .list(let l) = args.dots[0] { factors = l.elements.map { Factors.isFactor($0) ? $0 : Factors.asFactor($0) } }
            guard let first = factors.first else { throw FnError.runtime("No factors specified") }
            var levels = Factors.levels(first)
            var codes = Factors.codes(first)
            for f in factors.dropFirst() {
                let more = Factors.levels(f), next = Factors.codes(f)
                guard next.count == codes.count else { throw FnError.runtime("arguments must have same length") }
                let n = Int32(levels.count)
                codes = zip(codes, next).map { a, b in a == NA.integer || b == NA.integer ? NA.integer : (b - 1) * n + a }
                levels = more.flatMap { m in levels.map { $0 + sep + m } }
            }
            let f = Factors.make(codes, levels, names: nil, ordered: false)
            return try Unpack.flag(args[1], "drop", default: false) ? Factors.dropUnused(f) : f
        }
        define("c.factor", ["...", "recursive"]) { args, _ throws(FnError) in
            // R 4.1: the union of the levels in order of appearance; other values are an error.
            var levels: [String] = []
            for p in args.dots {
                guard Factors.isFactor(p) else {
                    return try Combine.values(args.dots.map { Factors.isFactor($0) ? Factors.plain($0) : $0 },
                                              names: args.dotNames)
                }
                for l in Factors.levels(p) where !levels.contains(l) { levels.append(l) }
            }
            var codes: [Int32] = []
            var names: [String] = []
            var anyNames = false
            for p in args.dots {
                for l in Factors.labels(p) {
                    codes.append(l.flatMap { levels.firstIndex(of: $0) }.map { Int32($0 + 1) } ?? NA.integer)
                }
                if let n = p.names { names += n; anyNames = true } else { names += Array(repeating: "", count: p.length) }
            }
            let ordered = args.dots.allSatisfy(Factors.isOrdered) && Set(args.dots.map(Factors.levels)).count == 1
            return Factors.make(codes, levels, names: anyNames ? names : nil, ordered: ordered)
        }
    }
}

enum Factors {
    static func isFactor(_ x: Value) -> Bool { x.classAttribute?.contains("factor") == true }
    static func isOrdered(_ x: Value) -> Bool { x.classAttribute?.contains("ordered") == true }

    /// `factor(x)` with its default levels.
    static func asFactor(_ x: Value) -> Value {
        let levels = sortedUnique(nil, x)
        let codes = strings(x).map { v in levels.firstIndex(where: { $0 == v }).map { Int32($0 + 1) } ?? NA.integer }
        return make(codes, levels.map { $0 ?? "NA" }, names: x.names, ordered: false)
    }

    static func make(_ codes: [Int32], _ levels: [String], names: [String]?, ordered: Bool) -> Value {
        let attributes = AttributeList([
            ("levels", Value(Vector(.character(levels)))),
            ("class", Value(Vector(.character(ordered ? ["ordered", "factor"] : ["factor"])))),
        ])
        return .vector(Vector(.integer(codes), names: names, attributes: attributes))
    }

    static func levels(_ x: Value) -> [String] {
        x.attribute("levels")?.storage?.strings().map { $0 ?? "NA" } ?? []
    }

    /// The codes, with any outside the levels (a hand-made factor) as NA.
    static func codes(_ x: Value) -> [Int32] {
        let n = Int32(clamping: levels(x).count)
        return (x.storage?.integers() ?? []).map { $0 >= 1 && $0 <= n ? $0 : NA.integer }
    }

    /// The level of each element, NA for NA codes.
    static func labels(_ x: Value) -> [String?] {
        let levels = self.levels(x)
        return codes(x).map { c in c == NA.integer || Int(c) > levels.count || c < 1 ? nil : levels[Int(c) - 1] }
    }

    /// The codes with names only.
    static func plain(_ x: Value) -> Value {
        guard case .vector(let v) = x else { return x }
        return Value(Vector(v.storage, names: v.names))
    }

    static func restore(_ codes: inout Value, from x: Value) throws(FnError) {
        try Attributes.set(&codes, "levels", x.attribute("levels") ?? .null)
        try Attributes.set(&codes, "class", x.attribute("class") ?? .null)
    }

    static func dropUnused(_ x: Value) -> Value {
        let levels = self.levels(x), codes = self.codes(x)
        let used = Set(codes)
        var map = [Int32](repeating: NA.integer, count: levels.count + 1)
        var kept: [String] = []
        for (i, l) in levels.enumerated() where used.contains(Int32(i + 1)) {
            kept.append(l)
            map[i + 1] = Int32(kept.count)
        }
        return make(codes.map { $0 == NA.integer ? $0 : map[Int($0)] }, kept, names: x.names, ordered: isOrdered(x))
    }

    /// The values as strings, as `factor` matches them against the levels.
    static func strings(_ x: Value) -> [String?] {
        if isFactor(x) { return labels(x) }
        return x.storage?.strings() ?? []
    }

    /// The sorted distinct non-NA values of `x` as strings (numbers in numeric order).
    static func sortedUnique(_ given: [String?]?, _ x: Value) -> [String?] {
        if let given { return given }
        guard let s = x.storage else { return [] }
        switch s {
        case .character(let a):
            return Array(Set(a.compactMap { $0 })).sorted { collate($0, $1) < 0 }
        case .logical(let a):
            return Array(Set(a.filter { $0 != NA.logical })).sorted().map { $0 == 1 ? "TRUE" : "FALSE" }
        default:
            let d = Array(Set(s.doubles().filter { !$0.isNaN })).sorted()
            let strings = Value(Vector(.double(d))).storage?.strings() ?? []
            if s.type == .integer { return Value(Vector(.integer(d.map { Int32($0) }))).storage?.strings() ?? [] }
            return strings
        }
    }

    /// `print(f)`: the levels of the elements unquoted (`<NA>` for NA), then the levels line.
    static func printed(_ x: Value) -> String {
        let labels = self.labels(x)
        var out = ""
        if labels.isEmpty {
            out = "factor(0)\n"
        } else {
            out = formatUnquoted(labels.map { $0 ?? "<NA>" }, names: x.names)
        }
        let levels = self.levels(x)
        let sep = isOrdered(x) ? " < " : " "
        var line = "Levels:"
        var lines: [String] = []
        if levels.isEmpty { return out + "Levels: \n" }
        for l in levels {
            if line.count + sep.count + l.count > 80 && line != "Levels:" {
                lines.append(line)
                line = ""
                line += l
                continue
            }
            line += (line == "Levels:" ? " " : sep) + l
        }
        lines.append(line)
        return out + lines.joined(separator: "\n") + "\n"
    }
}

extension FactorGroups {
    /// A factor's own levels, all of them, in their order (`split` keeps the empty ones, as R does).
    init(factor f: Value) {
        self.init(levels: Factors.levels(f), codes: Factors.codes(f).map { $0 == NA.integer ? -1 : Int($0) - 1 })
    }
}
