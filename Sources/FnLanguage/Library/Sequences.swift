/// Building and reordering sequences: `seq*`, `rep`, `rev`, `sort`, `order`, `unique`, `which`,
/// `head`, `tail`.
extension BuiltinRegistry {
    mutating func registerSequences() {
        define("seq", ["from", "to", "by", "length.out", "along.with", "..."]) { args, _ throws(FnError) in
            try seq(args)
        }
        define("seq_len", ["length.out"]) { args, _ throws(FnError) in
            let v = try args.required(0, "length.out")
            guard v.length == 1 else { throw FnError.runtime("argument of length 0") }
            guard let d = Unpack.firstDouble(v), !d.isNaN, d >= 0, d < 2147483648 else {
                throw FnError.runtime("argument must be coercible to non-negative integer")
            }
            try Limits.checkLength(d)
            return integerRange(1, Int(d))
        }
        define("seq_along", ["along.with"]) { args, _ throws(FnError) in
            integerRange(1, try args.required(0, "along.with").length)
        }
        define("rep", ["x", "times", "length.out", "each"]) { args, _ throws(FnError) in
            try rep(args)
        }
        define("rep_len", ["x", "length.out"]) { args, _ throws(FnError) in
            let x = try args.required(0, "x")
            let n = try Unpack.int(args[1], "length.out", default: 0)
            guard n >= 0 else { throw FnError.runtime("invalid 'length.out' value") }
            try Limits.checkLength(Double(n))
            let count = x.length
            if count == 0 { return x.gathered(Array(repeating: -1, count: n)) }
            return stripNames(x.gathered((0..<n).map { $0 % count }))
        }
        define("rev", ["x"]) { args, _ throws(FnError) in
            let x = try args.required(0, "x")
            switch x {
            case .logical, .integer, .double, .character, .null: return x
            default: return x.gathered(Array((0..<x.length).reversed()))
            }
        }
        define("sort", ["x", "decreasing", "na.last", "..."]) { args, ip throws(FnError) in
            let x = try args.required(0, "x")
            let decreasing = try Unpack.flag(args[1], "decreasing", default: false)
            if case .null = x { return .null }
            guard let s = x.storage else { throw FnError.runtime("'x' must be atomic") }
            let naLast = try naLastOption(args[2], default: nil)
            if s.count == 1 && x.names == nil && (naLast != nil || !s.isNA(0)) { return x }
            var idx = order([s], decreasing: decreasing, naLast: naLast ?? true, cancellation: ip.cancellation)
            if ip.cancellation.isCancelled { throw FnError.cancelled() }
            if naLast == nil { idx.removeAll { s.isNA($0) } }
            return x.gathered(idx)
        }
        define("order", ["...", "na.last", "decreasing"]) { args, ip throws(FnError) in
            let decreasing = try Unpack.flag(args[2], "decreasing", default: false)
            let naLast = try naLastOption(args[1], default: true)
            var keys: [Storage] = []
            for v in args.dots {
                guard let s = Unpack.flatStorage(v) else { throw FnError.runtime("argument is not a vector") }
                if let first = keys.first, first.count != s.count {
                    throw FnError.runtime("argument lengths differ")
                }
                keys.append(s)
            }
            if keys.isEmpty { return Value(.integer([])) }
            var idx = order(keys, decreasing: decreasing, naLast: naLast ?? true, cancellation: ip.cancellation)
            if ip.cancellation.isCancelled { throw FnError.cancelled() }
            if naLast == nil { idx.removeAll { i in keys.contains { $0.isNA(i) } } }
            return Value(.integer(idx.map { Int32($0 + 1) }))
        }
        define("unique", ["x", "...", "fromLast"]) { args, _ throws(FnError) in
            let x = try args.required(0, "x")
            let fromLast = try Unpack.flag(args[2], "fromLast", default: false)
            return stripNames(x.gathered(occurrences(x, fromLast: fromLast)))
        }
        define("duplicated", ["x", "...", "fromLast"]) { args, _ throws(FnError) in
            let x = try args.required(0, "x")
            let fromLast = try Unpack.flag(args[2], "fromLast", default: false)
            var dup = [Int8](repeating: 1, count: x.length)
            for i in occurrences(x, fromLast: fromLast) { dup[i] = 0 }
            return Value(.logical(dup))
        }
        define("which", ["x"]) { args, _ throws(FnError) in
            let x = try args.required(0, "x")
            if case .logical(let b) = x { return b == 1 ? .integer(1) : Value(.integer([])) }
            guard case .logical(let a)? = x.storage else {
                if x.isNull { return Value(.integer([])) }
                throw FnError.runtime("argument to 'which' is not logical")
            }
            var out: [Int32] = []
            for i in 0..<a.count where a[i] == 1 { out.append(Int32(i + 1)) }
            let names = x.names.map { n in out.map { n[Int($0) - 1] } }
            return Value(.integer(out), names: names)
        }
        define("head", ["x", "n", "..."]) { args, _ throws(FnError) in
            let x = try args.required(0, "x")
            let n = try Unpack.int(args[1], "n", default: 6)
            let count = x.length
            let k = n >= 0 ? min(n, count) : max(0, count + n)
            if k == count { return x }
            return x.gathered(Array(0..<k))
        }
        define("tail", ["x", "n", "..."]) { args, _ throws(FnError) in
            let x = try args.required(0, "x")
            let n = try Unpack.int(args[1], "n", default: 6)
            let count = x.length
            let k = n >= 0 ? min(n, count) : max(0, count + n)
            if k == count { return x }
            return x.gathered(Array((count - k)..<count))
        }
    }
}

/// `1:n` as an integer vector (or a scalar when n == 1).
func integerRange(_ from: Int, _ to: Int) -> Value {
    if to < from { return Value(.integer([])) }
    return Value(.integer((from...to).map { Int32($0) }))
}

private func stripNames(_ v: Value) -> Value {
    switch v {
    case .vector(var vec):
        vec.names = nil
        return Value(vec)
    case .list(var l):
        l.names = nil
        return .list(l)
    default: return v
    }
}

/// `na.last`: TRUE (end), FALSE (start) or NA (remove), returned as true/false/nil.
private func naLastOption(_ v: Value?, default d: Bool?) throws(FnError) -> Bool? {
    guard let v else { return d }
    guard let s = v.storage, s.count == 1 else { throw FnError.runtime("invalid 'na.last' argument") }
    let b = s.logicals()[0]
    return b == NA.logical ? nil : b != 0
}

/// R's `from:to` on doubles: integer when `from` is a whole number and the result fits.
func colonSequence(_ from: Double, _ to: Double) throws(FnError) -> Value {
    guard !from.isNaN, !to.isNaN else { throw FnError.runtime("NA/NaN argument") }
    let n = (Swift.abs(to - from) + 1e-10).rounded(.down) + 1
    try Limits.checkLength(n)
    let count = Int(n)
    let step: Double = from <= to ? 1 : -1
    let last = from + Double(count - 1) * step
    if from == from.rounded(.towardZero), Swift.abs(from) <= 2147483647, Swift.abs(last) <= 2147483647 {
        let f = Int32(from), s = Int32(step)
        var out = [Int32](repeating: 0, count: count)
        for i in 0..<count { out[i] = f &+ Int32(i) &* s }
        return Value(.integer(out))
    }
    return Value(.double((0..<count).map { from + Double($0) * step }))
}

private func seq(_ args: Arguments) throws(FnError) -> Value {
    let supplied = args.values.enumerated().filter { $0.element != nil }.map(\.offset)
    // seq(n) is 1:n, seq(x) for a vector is seq_along(x).
    if supplied == [0] && args.dots.isEmpty, let from = args[0] {
        if from.length == 1, from.atomicType == .double || from.atomicType == .integer,
           let f = Unpack.firstDouble(from) {
            guard f.isFinite else { throw FnError.runtime("'from' must be a finite number") }
            return try colonSequence(1, f)
        }
        return integerRange(1, from.length)
    }
    if let along = args[4] {
        return try seqLength(args, length: Double(along.length), lengthIsInt: true)
    }
    if let lo = args[3], !lo.isNull {
        guard lo.length >= 1 else { throw FnError.runtime("argument 'length.out' must be of length 1") }
        let isInt = lo.atomicType == .integer || lo.atomicType == .logical
        guard let n = Unpack.firstDouble(lo) else { throw FnError.runtime("'length.out' must be a non-negative number") }
        return try seqLength(args, length: isInt ? n : n.rounded(.up), lengthIsInt: isInt)
    }
    let from = try seqEnd(args[0], "from") ?? 1
    let to = try seqEnd(args[1], "to") ?? 1
    guard let byValue = args[2] else { return try colonSequence(from, to) }
    guard byValue.length == 1, let by = Unpack.firstDouble(byValue) else {
        throw FnError.runtime("'by' must be of length 1")
    }
    let isInt = isLogInt(args[0]) && isLogInt(args[1])
    let del = to - from
    if del == 0 && to == 0 { return args[1] ?? .double(to) }
    let n = del / by
    if !n.isFinite {
        if !by.isNaN && by == 0 && del == 0 { return args[0] ?? .double(from) }
        throw FnError.runtime("invalid '(to - from)/by' in seq(.)")
    }
    if n < 0 { throw FnError.runtime("wrong sign in 'by' argument") }
    if n > 2147483647 { throw FnError.runtime("'by' argument is much too small") }
    let dd = Swift.abs(del) / Swift.max(Swift.abs(to), Swift.abs(from))
    if dd < 100 * Double.ulpOfOne { return args[0] ?? .double(from) }
    try Limits.checkLength(n + 1)
    if isInt && isLogInt(byValue) {
        let count = Int(n) + 1
        return Value(.integer((0..<count).map { Int32(from + Double($0) * by) }))
    }
    let count = Int(n + 1e-10) + 1
    var out = (0..<count).map { from + Double($0) * by }
    // Correct a possible overshoot from the fuzz.
    for i in 0..<count { out[i] = by > 0 ? Swift.min(out[i], to) : Swift.max(out[i], to) }
    return Value(.double(out))
}

private func isLogInt(_ v: Value?) -> Bool {
    guard let v else { return false }
    return (v.atomicType == .integer || v.atomicType == .logical) && v.classAttribute == nil
}

private func seqEnd(_ v: Value?, _ name: String) throws(FnError) -> Double? {
    guard let v else { return nil }
    guard v.length == 1 else { throw FnError.runtime("'\(name)' must be of length 1") }
    guard let d = Unpack.firstDouble(v), d.isFinite else { throw FnError.runtime("'\(name)' must be a finite number") }
    return d
}

/// `seq` with a length: `seq(from, to, length.out=)`, `seq(from, by=, length.out=)`, ....
private func seqLength(_ args: Arguments, length n: Double, lengthIsInt: Bool) throws(FnError) -> Value {
    guard n.isFinite, n >= 0 else { throw FnError.runtime("'length.out' must be a non-negative number") }
    try Limits.checkLength(n)
    let count = Int(n)
    if count == 0 { return Value(.integer([])) }
    let hasFrom = args[0] != nil, hasTo = args[1] != nil, hasBy = args[2] != nil
    if !hasFrom && !hasTo && !hasBy { return integerRange(1, count) }
    var from = try seqEnd(args[0], "from")
    var to = try seqEnd(args[1], "to")
    if !hasBy {
        var intDel: Bool
        if to == nil {
            to = (from ?? 1) + n - 1
            intDel = lengthIsInt && isLogInt(args[0]) && (to ?? 0) <= 2147483647
        } else {
            intDel = isLogInt(args[1])
        }
        if from == nil {
            from = (to ?? 1) - n + 1
            if intDel { intDel = lengthIsInt && (from ?? 0) >= -2147483647 }
        } else if intDel {
            intDel = isLogInt(args[0])
        }
        let f = from ?? 1, t = to ?? 1
        var out: [Double]
        if count > 2 {
            if f == t {
                out = Array(repeating: f, count: count)
            } else {
                let n1 = Double(count - 1)
                let step = (t - f) / n1
                out = [f] + (1..<(count - 1)).map { f + Double($0) * step } + [t]
            }
        } else {
            out = Array([f, t].prefix(count))
        }
        if intDel && lengthIsInt && out.allSatisfy({ $0 == $0.rounded() }) {
            return Value(.integer(out.map { Int32($0) }))
        }
        return Value(.double(out))
    }
    guard let byValue = args[2], let by = Unpack.firstDouble(byValue) else {
        throw FnError.runtime("'by' must be of length 1")
    }
    if let f = from, to == nil {
        let isInt = isLogInt(byValue) && isLogInt(args[0])
        if isInt { return Value(.integer((0..<count).map { Int32(f + Double($0) * by) })) }
        return Value(.double((0..<count).map { f + Double($0) * by }))
    }
    if let t = to, from == nil {
        let isInt = isLogInt(byValue) && isLogInt(args[1])
        let out = (0..<count).map { t - Double(count - 1 - $0) * by }
        if isInt { return Value(.integer(out.map { Int32($0) })) }
        return Value(.double(out))
    }
    throw FnError.runtime("too many arguments")
}

private func rep(_ args: Arguments) throws(FnError) -> Value {
    let x = try args.required(0, "x")
    let count = x.length
    let each = try Unpack.int(args[3], "each", default: 1)
    guard each >= 0 else { throw FnError.runtime("invalid 'each' argument") }
    try Limits.checkLength(Double(count) * Double(each))
    var base: [Int] = []
    base.reserveCapacity(count * each)
    for i in 0..<count { for _ in 0..<each { base.append(i) } }
    var idx: [Int]
    if let lo = args[2], !lo.isNull, let n = Unpack.firstDouble(lo), !n.isNaN {
        guard n >= 0 else { throw FnError.runtime("invalid 'length.out' argument") }
        try Limits.checkLength(n)
        let len = Int(n)
        if base.isEmpty { return x.gathered(Array(repeating: -1, count: len)) }
        idx = (0..<len).map { base[$0 % base.count] }
    } else if let t = args[1] {
        guard let ts = t.storage else { throw FnError.runtime("invalid 'times' argument") }
        let times = ts.doubles()
        if times.count == 1 {
            guard times[0] >= 0, !times[0].isNaN else { throw FnError.runtime("invalid 'times' argument") }
            try Limits.checkLength(Double(base.count) * times[0])
            let k = Int(times[0])
            idx = []
            idx.reserveCapacity(base.count * k)
            for _ in 0..<k { idx += base }
        } else if times.count == base.count {
            try Limits.checkLength(times.reduce(0, +))
            idx = []
            for (i, t) in zip(base, times) {
                guard t >= 0, !t.isNaN else { throw FnError.runtime("invalid 'times' argument") }
                for _ in 0..<Int(t) { idx.append(i) }
            }
        } else {
            throw FnError.runtime("invalid 'times' argument")
        }
    } else {
        idx = base
    }
    // A scalar with no names repeated: build the storage directly.
    switch x {
    case .double(let d): return Value(.double(Array(repeating: d, count: idx.count)))
    case .integer(let i): return Value(.integer(Array(repeating: i, count: idx.count)))
    case .character(let s): return Value(.character(Array(repeating: s, count: idx.count)))
    case .logical(let b): return Value(.logical(Array(repeating: b, count: idx.count)))
    default: return x.gathered(idx)
    }
}

/// A stable ordering permutation (0-based) of the rows of `keys`; NAs last or first.
/// Strings compare by `compare` (negative, zero, positive): `collate` unless said otherwise.
func order(_ keys: [Storage], decreasing: Bool, naLast: Bool, cancellation: CancellationFlag? = nil,
           compare: (String, String) -> Int = collate) -> [Int] {
    guard let n = keys.first?.count else { return [] }
    var idx = Array(0..<n)
    if keys.count == 1, case .double(let a) = keys[0] {
        // The common case, without per-comparison enum switching.
        idx.sortStable(stoppingWhen: cancellation) { i, j in
            let x = a[i], y = a[j]
            if x.isNaN || y.isNaN {
                if x.isNaN && y.isNaN { return false }
                return naLast ? y.isNaN : x.isNaN
            }
            return decreasing ? x > y : x < y
        }
        return idx
    }
    // Each key as doubles with NaN for NA; strings by their rank among the key's distinct strings,
    // so the sort compares numbers instead of strings (order(df$g, -df$x) on 100,000 rows: 22x).
    let ranked = keys.map { orderRanks($0, compare) }
    idx.sortStable(stoppingWhen: cancellation) { i, j in
        for a in ranked {
            let x = a[i], y = a[j]
            if x.isNaN || y.isNaN {
                if x.isNaN && y.isNaN { continue }
                return naLast ? y.isNaN : x.isNaN
            }
            if x != y { return decreasing ? x > y : x < y }
        }
        return false
    }
    return idx
}

/// The elements of `s` as doubles for sorting, NaN for NA: numbers as they are, strings as their
/// rank (0, 1, ...) among the distinct strings of `s` under `compare` (negative, zero, positive).
private func orderRanks(_ s: Storage, _ compare: (String, String) -> Int) -> [Double] {
    guard case .character(let a) = s else { return s.doubles() }
    var index: [String: Int] = [:]
    var distinct: [String] = []
    var codes = [Int](repeating: -1, count: a.count)
    for (i, e) in a.enumerated() {
        guard let e else { continue }
        if let k = index[e] {
            codes[i] = k
        } else {
            index[e] = distinct.count
            codes[i] = distinct.count
            distinct.append(e)
        }
    }
    let sorted = distinct.indices.sorted { compare(distinct[$0], distinct[$1]) < 0 }
    var rank = [Double](repeating: 0, count: distinct.count)
    var r = 0.0
    for (position, k) in sorted.enumerated() {
        if position > 0 && compare(distinct[sorted[position - 1]], distinct[k]) != 0 { r += 1 }
        rank[k] = r
    }
    return codes.map { $0 < 0 ? Double.nan : rank[$0] }
}

extension Array {
    /// A stable merge sort (the standard library's sort is not guaranteed stable). A cancelled
    /// `stop` flag (an invocation's deadline) ends it between merges, leaving the order unfinished.
    mutating func sortStable(stoppingWhen stop: CancellationFlag? = nil, by less: (Element, Element) -> Bool) {
        if count < 2 { return }
        var src = self
        var dst = self
        var width = 1
        while width < count {
            var start = 0
            while start < count {
                let mid = Swift.min(start + width, count), end = Swift.min(start + 2 * width, count)
                if start & 0xFFFF == 0, stop?.isCancelled == true { return }
                var i = start, j = mid, k = start
                while i < mid && j < end {
                    if less(src[j], src[i]) { dst[k] = src[j]; j += 1 } else { dst[k] = src[i]; i += 1 }
                    k += 1
                }
                while i < mid { dst[k] = src[i]; i += 1; k += 1 }
                while j < end { dst[k] = src[j]; j += 1; k += 1 }
                start = end
            }
            swap(&src, &dst)
            width *= 2
        }
        self = src
    }
}

/// String order for `sort`, `order`, `max` and friends: Unicode code point order, the same as
/// the `<` operator (R's order under `LC_COLLATE=C`; see grammar.md, Differences from R).
func collate(_ a: String, _ b: String) -> Int {
    if a == b { return 0 }
    return a < b ? -1 : 1
}

/// Indices (0-based) of the first (or, with `fromLast`, the last) occurrence of each distinct element, in order.
private func occurrences(_ x: Value, fromLast: Bool) -> [Int] {
    guard fromLast else { return firstOccurrences(x) }
    let n = x.length
    return firstOccurrences(x.gathered(Array((0..<n).reversed()))).reversed().map { n - 1 - $0 }
}

/// Indices (0-based) of the first occurrence of each distinct element, in order.
func firstOccurrences(_ x: Value) -> [Int] {
    switch x {
    case .null: return []
    case .list(let l):
        var out: [Int] = []
        for (i, e) in l.elements.enumerated() where !out.contains(where: { sameValue(l.elements[$0], e) }) {
            out.append(i)
        }
        return out
    default:
        guard let s = x.storage else { return [0] }
        var out: [Int] = []
        switch s {
        case .double(let a):
            var seen = Set<UInt64>()
            for (i, d) in a.enumerated() where seen.insert(doubleKey(d)).inserted { out.append(i) }
        case .integer(let a):
            var seen = Set<Int32>()
            for (i, d) in a.enumerated() where seen.insert(d).inserted { out.append(i) }
        case .logical(let a):
            var seen = Set<Int8>()
            for (i, d) in a.enumerated() where seen.insert(d).inserted { out.append(i) }
        case .character(let a):
            var seen = Set<String?>()
            for (i, d) in a.enumerated() where seen.insert(d).inserted { out.append(i) }
        }
        return out
    }
}

/// A hash key under which equal doubles collide: 0 and -0 are one, NA and NaN stay apart.
func doubleKey(_ d: Double) -> UInt64 {
    if d == 0 { return 0 }
    if d.isNaN { return NA.isNA(d) ? 1 : 2 }
    return d.bitPattern
}

/// Structural equality of two values, as `identical` sees values built from data.
func sameValue(_ a: Value, _ b: Value) -> Bool {
    switch (a, b) {
    case (.null, .null): return true
    case (.list(let x), .list(let y)):
        return x.count == y.count && x.names == y.names && zip(x.elements, y.elements).allSatisfy(sameValue)
    case (.closure(let x), .closure(let y)): return x === y
    case (.builtin(let x), .builtin(let y)): return x === y
    default:
        guard let s = a.storage, let t = b.storage, s.type == t.type, s.count == t.count,
              a.names == b.names else { return false }
        switch (s, t) {
        case (.double(let x), .double(let y)): return zip(x, y).allSatisfy { doubleKey($0) == doubleKey($1) }
        case (.integer(let x), .integer(let y)): return x == y
        case (.logical(let x), .logical(let y)): return x == y
        case (.character(let x), .character(let y)): return x == y
        default: return false
        }
    }
}
