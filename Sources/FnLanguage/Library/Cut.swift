/// `cut(x, breaks)`: numbers binned into the intervals between breaks, as a factor labelled as R
/// labels them (`(0,1]`, `[1,2)`, with `dig.lab` significant digits, more when needed to tell
/// neighbouring breaks apart).
extension BuiltinRegistry {
    mutating func registerCut() {
        define("cut", ["x", "breaks", "labels", "include.lowest", "right", "dig.lab", "ordered_result", "..."]) {
            args, _ throws(FnError) in
            let x = try args.required(0, "x")
            guard let xs = x.storage, xs.type != .character else { throw FnError.runtime("'x' must be numeric") }
            let values = xs.doubles()
            guard let b = try args.required(1, "breaks").storage, b.type != .character else {
                throw FnError.runtime("invalid number of intervals")
            }
            let includeLowest = try Unpack.flag(args[3], "include.lowest", default: false)
            let right = try Unpack.flag(args[4], "right", default: true)
            let digLab = try Unpack.int(args[5], "dig.lab", default: 3)
            let ordered = try Unpack.flag(args[6], "ordered_result", default: false)
            let breaks = try Cut.breaks(b.doubles(), values)
            let nb = breaks.count
            var labels: [String]?
            switch args[2] {
            case nil, .null?:
                labels = Cut.labels(breaks, digits: digLab, right: right, includeLowest: includeLowest)
            case .logical(0)?:
                labels = nil
            case let given?:
                guard let s = given.storage, s.count == nb - 1 else {
                    throw FnError.runtime("lengths of 'breaks' and 'labels' differ")
                }
                labels = s.strings().map { $0 ?? "NA" }
            }
            let codes = values.map { Cut.bin($0, breaks, right: right, includeLowest: includeLowest) }
            guard let labels else { return Value(Vector(.integer(codes))) }
            if Set(labels).count != labels.count { throw FnError.runtime("duplicated labels are not supported by cut()") }
            return Factors.make(codes, labels, names: nil, ordered: ordered)
        }
    }
}

enum Cut {
    /// The sorted breaks; a single number n gives n equal intervals over the range of `x`, widened
    /// by a thousandth of the range at each end.
    static func breaks(_ given: [Double], _ x: [Double]) throws(FnError) -> [Double] {
        if given.count == 1 {
            let n = given[0]
            guard n.isFinite, n >= 2 else { throw FnError.runtime("invalid number of intervals") }
            let nb = Int(n + 1)
            let finite = x.filter { !$0.isNaN }
            guard let lo = finite.min(), let hi = finite.max(), lo.isFinite, hi.isFinite else {
                throw FnError.runtime("'x' must be numeric")
            }
            var dx = hi - lo
            var out: [Double]
            if dx == 0 {
                dx = lo != 0 ? abs(lo) : 1
                out = spaced(lo - dx / 1000, hi + dx / 1000, nb)
            } else {
                out = spaced(lo, hi, nb)
                out[0] = lo - dx / 1000
                out[nb - 1] = hi + dx / 1000
            }
            return out
        }
        let sorted = given.filter { !$0.isNaN }.sorted()
        guard sorted.count >= 2 else { throw FnError.runtime("invalid number of intervals") }
        if Set(sorted).count != sorted.count { throw FnError.runtime("'breaks' are not unique") }
        return sorted
    }

    /// `seq(from, to, length.out = n)`: the ends exact, the inner points `from + i * by`.
    static func spaced(_ from: Double, _ to: Double, _ n: Int) -> [Double] {
        let by = (to - from) / Double(n - 1)
        return (0..<n).map { i in i == 0 ? from : (i == n - 1 ? to : from + Double(i) * by) }
    }

    /// R's labels: each break written with `%.{d}g`, `d` from `digits` up to 12 until neighbours
    /// differ, then `(a,b]` (or `[a,b)` when not `right`), the outer end closed by `include.lowest`.
    static func labels(_ breaks: [Double], digits: Int, right: Bool, includeLowest: Bool) -> [String] {
        var written: [String] = []
        for d in digits...max(12, digits) {
            written = breaks.map { NumberFormat.formatC($0 + 0, "%.*g", d) }
            if zip(written.dropFirst(), written).allSatisfy({ $0 != $1 }) { break }
        }
        let open: String = right ? "(" : "["
        let close: String = right ? "]" : ")"
        var labels: [String] = []
        for i in 0..<(breaks.count - 1) {
            labels.append(open + written[i] + "," + written[i + 1] + close)
        }
        if includeLowest {
            if right {
                labels[0] = "[" + String(labels[0].dropFirst())
            } else {
                let last = labels.count - 1
                labels[last] = String(labels[last].dropLast()) + "]"
            }
        }
        return labels
    }

    /// The 1-based interval holding `v`, or NA.
    static func bin(_ v: Double, _ breaks: [Double], right: Bool, includeLowest: Bool) -> Int32 {
        guard !v.isNaN else { return NA.integer }
        let nb = breaks.count
        guard v >= breaks[0], v <= breaks[nb - 1] else { return NA.integer }
        if right {
            if v == breaks[0] { return includeLowest ? 1 : NA.integer }
            var lo = 0, hi = nb - 1
            while hi - lo >= 2 {
                let mid = (lo + hi) / 2
                if v > breaks[mid] { lo = mid } else { hi = mid }
            }
            return Int32(lo + 1)
        }
        if v == breaks[nb - 1] { return includeLowest ? Int32(nb - 1) : NA.integer }
        var lo = 0, hi = nb - 1
        while hi - lo >= 2 {
            let mid = (lo + hi) / 2
            if v >= breaks[mid] { lo = mid } else { hi = mid }
        }
        return Int32(lo + 1)
    }
}
