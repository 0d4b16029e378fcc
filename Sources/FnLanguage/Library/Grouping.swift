/// Grouping by the distinct values of a vector, as R does through factors: `split`.
extension BuiltinRegistry {
    mutating func registerGrouping() {
        define("split", ["x", "f", "drop", "..."]) { args, ip throws(FnError) in
            let x = try args.required(0, "x")
            var f = try args.required(1, "f")
            // drop = TRUE drops levels of a factor f that do not occur in it; fn's levels always occur.
            _ = try Unpack.flag(args[2], "drop", default: false)
            switch x {
            case .null, .closure, .builtin, .environment: throw FnError.runtime("first argument must be a vector")
            default: break
            }
            if case .list(let l) = f {
                // R crosses several grouping factors with interaction(); fn has no factors to cross.
                guard l.count == 1 else {
                    throw FnError.runtime("split(): a list of several grouping vectors is not supported")
                }
                f = l.elements[0]
            }
            let groups: FactorGroups
            if f.isNull {
                groups = FactorGroups(levels: [], codes: [])
            } else {
                guard let s = f.storage else { throw FnError.runtime("'f' must be an atomic vector") }
                groups = Factors.isFactor(f) ? FactorGroups(factor: f) : FactorGroups(s)
            }
            let n = x.length, nf = groups.codes.count
            if nf == 0 && n > 0 { throw FnError.runtime("group length is 0 but data length > 0") }
            if nf > 0 && n % nf != 0 { ip.warn("data length is not a multiple of split variable") }
            var members = [[Int]](repeating: [], count: groups.levels.count)
            for i in 0..<n {
                let code = groups.codes[i % nf]
                if code >= 0 { members[code].append(i) }
            }
            var elements: [Value] = [], names: [String] = []
            for (level, indices) in zip(groups.levels, members) {
                elements.append(x.gathered(indices))
                names.append(level)
            }
            return .list(List(elements, names: names))
        }
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
