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
        if levels.isEmpty { return out + "Levels: \n" }
        // One line, as R: when the levels with their separators pass 65 columns (80 less room for
        // the "Levels: " label and the "..."), it shows the count, the levels that fit but one,
        // "..." and the last level.
        var total = 0
        var fit = levels.count
        for (i, l) in levels.enumerated() {
            total += l.count + sep.count
            if total > 65 && fit == levels.count { fit = max(1, i) }
        }
        if levels.count <= 1 || total <= 65 { return out + "Levels: " + levels.joined(separator: sep) + "\n" }
        var shown = Array(levels[0..<max(1, fit - 1)]) + ["..."]
        if fit > 1 { shown.append(levels[levels.count - 1]) }
        return out + "\(levels.count) Levels: " + shown.joined(separator: sep) + "\n"
    }
}

extension FactorGroups {
    /// A factor's own levels, all of them, in their order (`split` keeps the empty ones, as R does).
    init(factor f: Value) {
        self.init(levels: Factors.levels(f), codes: Factors.codes(f).map { $0 == NA.integer ? -1 : Int($0) - 1 })
    }
}
