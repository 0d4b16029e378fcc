/// Ranks of the elements of a vector: `rank`.
extension BuiltinRegistry {
    mutating func registerRanking() {
        define("rank", ["x", "na.last", "ties.method"]) { args, _ throws(FnError) in
            let x = try args.required(0, "x")
            let ties = try MatchArg.choice(
                args[2], ["average", "first", "last", "random", "max", "min"], default: "average")
            if ties == "random" { throw FnError.runtime("rank(): ties.method = \"random\" is not supported") }
            let naLast = try rankNALast(args[1])
            if x.isNull { return Value(.double([])) }
            guard let s = x.storage else {
                throw FnError.runtime("unimplemented type '\(x.typeName)' in 'greater'")
            }
            let n = s.count
            // Sorted positions of the non-NA elements; NAs are never tied, they rank by position.
            let sorted = order([s], decreasing: false, naLast: true).filter { !s.isNA($0) }
            let nas = (0..<n).filter { s.isNA($0) }
            let offset = naLast == .first ? nas.count : 0
            var low = [Int](repeating: 0, count: n), high = [Int](repeating: 0, count: n)
            var position = [Int](repeating: 0, count: n)
            var start = 0
            while start < sorted.count {
                var end = start + 1
                while end < sorted.count && s.elementsEqual(sorted[start], sorted[end]) { end += 1 }
                for p in start..<end {
                    let i = sorted[p]
                    low[i] = offset + start + 1
                    high[i] = offset + end
                    // "last" gives tied elements their ranks in reverse order of position.
                    position[i] = offset + (ties == "last" ? start + end - p : p + 1)
                }
                start = end
            }
            for (k, i) in nas.enumerated() {
                let r = naLast == .first ? k + 1 : sorted.count + k + 1
                low[i] = r
                high[i] = r
                position[i] = r
            }
            let kept = naLast == .remove ? (0..<n).filter { !s.isNA($0) } : Array(0..<n)
            let names = x.names.map { nm in kept.map { nm[$0] } }
            let isNA = { (i: Int) in naLast == .keep && s.isNA(i) }
            if ties == "average" {
                let out = kept.map { i in isNA(i) ? NA.double : Double(low[i] + high[i]) / 2 }
                return Value(Vector(.double(out), names: names))
            }
            let chosen = ties == "min" ? low : (ties == "max" ? high : position)
            let out = kept.map { i in isNA(i) ? NA.integer : Int32(chosen[i]) }
            return Value(Vector(.integer(out), names: names))
        }
    }
}

/// Where `rank` puts NAs: `na.last = TRUE`, `FALSE`, `NA` (removed) or `"keep"` (rank NA).
private enum RankNA { case last, first, remove, keep }

private func rankNALast(_ v: Value?) throws(FnError) -> RankNA {
    guard let v else { return .last }
    if case .character("keep") = v { return .keep }
    guard let s = v.storage, s.count == 1, s.type != .character else {
        throw FnError.runtime("invalid 'na.last' argument")
    }
    let b = s.logicals()[0]
    if b == NA.logical { return .remove }
    return b != 0 ? .last : .first
}

extension Storage {
    /// Whether elements `i` and `j` are equal values (neither NA).
    func elementsEqual(_ i: Int, _ j: Int) -> Bool {
        switch self {
        case .logical(let a): return a[i] == a[j]
        case .integer(let a): return a[i] == a[j]
        case .double(let a): return a[i] == a[j]
        case .character(let a): return a[i] == a[j]
        }
    }
}
