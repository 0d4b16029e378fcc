#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Summaries over all their arguments (`sum`, `prod`, `mean`, `min`, `max`, `range`, `all`, `any`),
/// cumulative / positional ones (`cumsum`, `which.max`), elementwise extremes (`pmax`, `pmin`)
/// and `zapsmall`, which rounds relative to the largest element.
extension BuiltinRegistry {
    mutating func registerSummaries() {
        define("sum", ["...", "na.rm"]) { args, _ throws(FnError) in
            let naRM = try Unpack.flag(args[1], "na.rm", default: false)
            // Fast path: one scalar double or integer.
            if args.dots.count == 1 {
                switch args.dots[0] {
                case .double(let d): return .double(naRM && d.isNaN ? 0 : d)
                case .integer(let i): return .integer(naRM && i == NA.integer ? 0 : i)
                default: break
                }
            }
            return try sum(args.dots, naRM: naRM)
        }
        define("prod", ["...", "na.rm"]) { args, _ throws(FnError) in
            let naRM = try Unpack.flag(args[1], "na.rm", default: false)
            var acc: Accumulator = 1
            for v in args.dots {
                let s = try numericStorage(v)
                for d in s.doubles() where !(naRM && d.isNaN) { acc *= Accumulator(d) }
            }
            return .double(Double(acc))
        }
        define("mean", ["x", "trim", "na.rm", "..."]) { args, ip throws(FnError) in
            let x = try args.required(0, "x")
            let naRM = try Unpack.flag(args[2], "na.rm", default: false)
            let trim = try meanTrim(args[1])
            if case .double(let d) = x, !(naRM && d.isNaN) { return .double(d) }
            guard let s = x.storage, s.type != .character else {
                ip.warn("argument is not numeric or logical: returning NA")
                return .double(NA.double)
            }
            var xs = s.doubles()
            if naRM { xs.removeAll { $0.isNaN } }
            if xs.isEmpty { return .double(.nan) }
            if trim > 0 {
                // R's mean.default: NA wins, a trim of one half is the median, else drop floor(n * trim)
                // values from each end.
                if xs.contains(where: { $0.isNaN }) { return .double(NA.double) }
                xs.sort()
                let n = xs.count
                if trim >= 0.5 {
                    if n % 2 == 1 {
                        let middle = xs[n / 2]
                        return s.type == .double ? .double(middle) : .integer(Int32(middle))
                    }
                    return .double((xs[n / 2 - 1] + xs[n / 2]) / 2)
                }
                let drop = Int((Double(n) * trim).rounded(.down))
                xs = Array(xs[drop..<(n - drop)])
            }
            return .double(twoPassMean(xs))
        }
        define("max", ["...", "na.rm"]) { args, ip throws(FnError) in
            try extreme(args.dots, naRM: try Unpack.flag(args[1], "na.rm", default: false), ip, name: "max", isMax: true)
        }
        define("min", ["...", "na.rm"]) { args, ip throws(FnError) in
            try extreme(args.dots, naRM: try Unpack.flag(args[1], "na.rm", default: false), ip, name: "min", isMax: false)
        }
        define("range", ["...", "na.rm", "finite"]) { args, ip throws(FnError) in
            let finite = try Unpack.flag(args[2], "finite", default: false)
            let naRM = try Unpack.flag(args[1], "na.rm", default: false) || finite
            // R's range.default combines its arguments first (lists of numbers included); `finite`
            // drops NA, NaN and the infinities from numbers.
            var values: [Value] = []
            for v in args.dots {
                guard case .list = v, let s = Unpack.flatStorage(v) else {
                    values.append(v)
                    continue
                }
                values.append(Value(s))
            }
            if finite {
                values = values.map { v in
                    guard case .double(let a)? = v.storage else { return v }
                    return Value(.double(a.filter(\.isFinite)))
                }
            }
            let lo = try extreme(values, naRM: naRM, ip, name: "min", isMax: false)
            let hi = try extreme(values, naRM: naRM, ip, name: "max", isMax: true)
            let type = max(lo.atomicType ?? .double, hi.atomicType ?? .double)
            return Value(Unpack.combine([lo, hi], as: type))
        }
        define("all", ["...", "na.rm"]) { args, ip throws(FnError) in
            try allAny(args, ip, name: "all", isAll: true)
        }
        define("any", ["...", "na.rm"]) { args, ip throws(FnError) in
            try allAny(args, ip, name: "any", isAll: false)
        }
        define("cumsum", ["x"]) { args, ip throws(FnError) in
            try cumulative(try args.required(0, "x"), ip, name: "cumsum", start: 0) { $0 + $1 }
        }
        define("cumprod", ["x"]) { args, ip throws(FnError) in
            let x = try args.required(0, "x")
            let v = try cumulativeInput(x, ip)
            var acc: Accumulator = 1
            let out = v.doubles().map { d -> Double in
                acc *= Accumulator(d)
                return Double(acc)
            }
            return Value(.double(out), names: x.names)
        }
        define("cummax", ["x"]) { args, ip throws(FnError) in
            try cumulative(try args.required(0, "x"), ip, name: "cummax", start: nil) { Swift.max($0, $1) }
        }
        define("cummin", ["x"]) { args, ip throws(FnError) in
            try cumulative(try args.required(0, "x"), ip, name: "cummin", start: nil) { Swift.min($0, $1) }
        }
        define("pmax", ["...", "na.rm"]) { args, ip throws(FnError) in
            try parallelExtreme(args.dots, naRM: try Unpack.flag(args[1], "na.rm", default: false), ip, isMax: true)
        }
        define("pmin", ["...", "na.rm"]) { args, ip throws(FnError) in
            try parallelExtreme(args.dots, naRM: try Unpack.flag(args[1], "na.rm", default: false), ip, isMax: false)
        }
        define("zapsmall", ["x", "digits"]) { args, ip throws(FnError) in
            let x = try args.required(0, "x")
            let digits = try Unpack.int(args[1], "digits", default: 7)
            guard let s = x.storage, s.type != .character else {
                throw FnError.runtime("non-numeric argument to mathematical function")
            }
            let a = s.doubles()
            let present = a.filter { !$0.isNaN }
            if present.isEmpty { return x }
            // Round to about `digits` significant digits of the largest magnitude, so tiny values
            // become 0; R rounds the fractional number of places to the nearest whole one.
            let largest = present.map { Swift.abs($0) }.max() ?? 0
            let places = largest > 0 ? Swift.max(0, Double(digits) - log10(largest)) : Double(digits)
            let d = Int(Swift.min((places + 0.5).rounded(.down), 400))
            return Value(Vector(.double(a.map { roundDigits($0, d) }), names: x.names))
        }
        define("which.max", ["x"]) { args, _ throws(FnError) in
            try whichExtreme(try args.required(0, "x"), isMax: true)
        }
        define("which.min", ["x"]) { args, _ throws(FnError) in
            try whichExtreme(try args.required(0, "x"), isMax: false)
        }
    }
}

#if arch(x86_64) || arch(i386)
/// R accumulates sums in `long double`; on x86 that is Float80, so `sum(c(.1, .2, .3)) == .6` as in R.
typealias Accumulator = Float80
#else
typealias Accumulator = Double
#endif

/// The mean in two passes, accumulated in extended precision, as R computes it: the second pass
/// adds the mean of the residuals, which corrects the rounding of the first.
func twoPassMean(_ xs: [Double]) -> Double {
    var total: Accumulator = 0
    for d in xs { total += Accumulator(d) }
    var m = total / Accumulator(xs.count)
    if m.isFinite {
        var correction: Accumulator = 0
        for d in xs { correction += Accumulator(d) - m }
        m += correction / Accumulator(xs.count)
    }
    return Double(m)
}

/// `mean`'s `trim`: one number (NA allowed), the fraction dropped from each end.
private func meanTrim(_ v: Value?) throws(FnError) -> Double {
    guard let v else { return 0 }
    guard let s = v.storage, s.count == 1, s.type == .integer || s.type == .double else {
        throw FnError.runtime("'trim' must be numeric of length one")
    }
    let trim = s.doubles()[0]
    if trim.isNaN { throw FnError.runtime("missing value where TRUE/FALSE needed") }
    return trim
}

/// Atomic non-character storage, or R's "invalid 'type'" error.
private func numericStorage(_ v: Value) throws(FnError) -> Storage {
    switch v {
    case .null: return .integer([])
    default:
        guard let s = v.storage, s.type != .character else {
            throw FnError.runtime("invalid 'type' (\(v.typeName)) of argument")
        }
        return s
    }
}

private func sum(_ values: [Value], naRM: Bool) throws(FnError) -> Value {
    var isDouble = false
    var storages: [Storage] = []
    storages.reserveCapacity(values.count)
    for v in values {
        let s = try numericStorage(v)
        if s.type == .double { isDouble = true }
        storages.append(s)
    }
    if !isDouble {
        var total: Int64 = 0
        for s in storages {
            switch s {
            case .integer(let a):
                for i in a {
                    if i == NA.integer { if naRM { continue } else { return .integer(NA.integer) } }
                    total += Int64(i)
                }
            case .logical(let a):
                for b in a {
                    if b == NA.logical { if naRM { continue } else { return .integer(NA.integer) } }
                    total += Int64(b)
                }
            default: break
            }
        }
        // R returns a double rather than overflowing.
        if total > Int64(Int32.max) || total <= Int64(Int32.min) { return .double(Double(total)) }
        return .integer(Int32(total))
    }
    var total: Accumulator = 0
    for s in storages {
        switch s {
        case .double(let a):
            for d in a where !(naRM && d.isNaN) { total += Accumulator(d) }
        default:
            for d in s.doubles() where !(naRM && d.isNaN) { total += Accumulator(d) }
        }
    }
    return .double(Double(total))
}

/// `max`/`min` over all arguments, with R's result types, NA rules and empty-input warnings.
private func extreme(
    _ values: [Value], naRM: Bool, _ ip: Interpreter, name: String, isMax: Bool
) throws(FnError) -> Value {
    if values.count == 1, case .double(let d) = values[0], !d.isNaN { return .double(d) }
    var type = AtomicType.integer
    var storages: [Storage] = []
    for v in values {
        if v.isNull { continue }
        guard let s = v.storage else { throw FnError.runtime("invalid 'type' (\(v.typeName)) of argument") }
        type = max(type, s.type)
        storages.append(s)
    }
    let empty = isMax ? -Double.infinity : Double.infinity
    let emptyMessage = "no non-missing arguments to \(name); returning \(isMax ? "-Inf" : "Inf")"
    switch type {
    case .character:
        var best: String? = nil
        for s in storages {
            for x in s.strings() {
                guard let x else {
                    if naRM { continue } else { return .character(nil) }
                }
                if let b = best {
                    let c = collate(x, b)
                    if isMax ? c > 0 : c < 0 { best = x }
                } else {
                    best = x
                }
            }
        }
        guard let best else {
            ip.warn("no non-missing arguments, returning NA")
            return .character(nil)
        }
        return .character(best)
    case .logical, .integer:
        var best: Int32? = nil
        for s in storages {
            for x in s.integers() {
                if x == NA.integer { if naRM { continue } else { return .integer(NA.integer) } }
                if let b = best { if isMax ? x > b : x < b { best = x } } else { best = x }
            }
        }
        guard let best else {
            ip.warn(emptyMessage)
            return .double(empty)
        }
        return .integer(best)
    case .double:
        var best: Double? = nil
        var sawNaN = false
        for s in storages {
            for x in s.doubles() {
                if x.isNaN {
                    if naRM { continue }
                    if NA.isNA(x) { return .double(NA.double) }
                    sawNaN = true
                    continue
                }
                if let b = best { if isMax ? x > b : x < b { best = x } } else { best = x }
            }
        }
        if sawNaN { return .double(.nan) }
        guard let best else {
            ip.warn(emptyMessage)
            return .double(empty)
        }
        return .double(best)
    }
}

private func allAny(_ args: Arguments, _ ip: Interpreter, name: String, isAll: Bool) throws(FnError) -> Value {
    let naRM = try Unpack.flag(args[1], "na.rm", default: false)
    var sawNA = false
    for v in args.dots {
        if case .logical(let b) = v {
            if b == NA.logical { sawNA = true } else if (b != 0) != isAll { return .bool(!isAll) }
            continue
        }
        if v.isNull { continue }
        guard let s = v.storage else { throw FnError.runtime("invalid 'type' (\(v.typeName)) of argument") }
        if s.type != .logical && s.type != .integer {
            ip.warn("coercing argument of type '\(s.type.name)' to logical")
        }
        for b in s.logicals() {
            if b == NA.logical { sawNA = true } else if (b != 0) != isAll { return .bool(!isAll) }
        }
    }
    if sawNA && !naRM { return .logical(NA.logical) }
    return .bool(isAll)
}

/// The numbers a `cumsum`-like scan runs over: strings become numbers (NA with R's warning),
/// lists of numbers are combined, `NULL` is empty.
private func cumulativeInput(_ x: Value, _ ip: Interpreter) throws(FnError) -> Storage {
    if x.isNull { return .double([]) }
    guard let s = Unpack.flatStorage(x) else { throw FnError.runtime("invalid 'type' (\(x.typeName)) of argument") }
    if s.type == .character { return try coerce(Value(s), to: .double, ip).storage ?? .double([]) }
    return s
}

/// `cumsum`-like scans: integer in, integer out (NA on overflow, with R's warning); doubles
/// otherwise; NA propagates to the end.
private func cumulative(
    _ x: Value, _ ip: Interpreter, name: String, start: Double?, _ f: (Double, Double) -> Double
) throws(FnError) -> Value {
    let s = try cumulativeInput(x, ip)
    let names = x.names
    if s.type == .integer || s.type == .logical {
        let a = s.integers()
        var out = [Int32](repeating: NA.integer, count: a.count)
        var acc: Double? = start
        for i in 0..<a.count {
            if a[i] == NA.integer { break }
            let next = acc.map { f($0, Double(a[i])) } ?? Double(a[i])
            if next > Double(Int32.max) || next <= Double(Int32.min) {
                ip.warn("integer overflow in '\(name)'; use '\(name)(as.numeric(.))'")
                break
            }
            out[i] = Int32(next)
            acc = next
        }
        return Value(.integer(out), names: names)
    }
    let a = s.doubles()
    var out = [Double](repeating: NA.double, count: a.count)
    if name == "cumsum" {
        var acc: Accumulator = 0
        // The first NA or NaN in x stays to the end, whatever follows (as in R).
        var missing: Double? = nil
        for i in 0..<a.count {
            if missing == nil {
                if a[i].isNaN { missing = a[i] } else { acc += Accumulator(a[i]) }
            }
            out[i] = missing ?? Double(acc)
        }
        return Value(.double(out), names: names)
    }
    var acc: Double? = start
    for i in 0..<a.count {
        if a[i].isNaN {
            for j in i..<a.count { out[j] = a[i] }
            break
        }
        let next = acc.map { f($0, a[i]) } ?? a[i]
        out[i] = next
        acc = next
    }
    return Value(.double(out), names: names)
}

private func whichExtreme(_ x: Value, isMax: Bool) throws(FnError) -> Value {
    let s = try numericStorage(x)
    let a = s.doubles()
    var best: Int? = nil
    for i in 0..<a.count where !a[i].isNaN {
        if let b = best { if isMax ? a[i] > a[b] : a[i] < a[b] { best = i } } else { best = i }
    }
    guard let best else { return Value(.integer([])) }
    if let names = x.names { return Value(.integer([Int32(best + 1)]), names: [names[best]]) }
    return .integer(Int32(best + 1))
}

/// `pmax`/`pmin`: elementwise extremes over recycled arguments, typed as their combination
/// (logicals become integers), with the first argument's names and class when it has the result's
/// length.
/// An NA wins unless `naRM` (as in R, a later NA or NaN replaces an earlier one).
private func parallelExtreme(_ values: [Value], naRM: Bool, _ ip: Interpreter, isMax: Bool) throws(FnError) -> Value {
    guard !values.isEmpty else { throw FnError.runtime("no arguments") }
    var type = AtomicType.integer
    var storages: [Storage] = []
    for v in values {
        if v.isNull {
            storages.append(.integer([]))
            continue
        }
        guard let s = v.storage else { throw FnError.runtime("invalid input type") }
        type = Swift.max(type, s.type)
        storages.append(s)
    }
    let lengths = storages.map(\.count)
    if lengths.contains(0) { return Value(Storage.empty(type)) }
    let n = lengths.max() ?? 0
    if lengths.contains(where: { n % $0 != 0 }) { ip.warn("an argument will be fractionally recycled") }
    // R copies the first argument's attributes (names, class such as "Date") when it is as long.
    let first = values[0].length == n ? values[0] : Value.null
    // Whether `candidate` replaces the running value `current`, by R's rule for each type.
    func replaces<T>(_ candidate: T, _ current: T, isNA: (T) -> Bool, greater: (T, T) -> Bool) -> Bool {
        if naRM && isNA(current) { return true }
        if isNA(candidate) { return !naRM }
        return !isNA(current) && (isMax ? greater(candidate, current) : greater(current, candidate))
    }
    func scan<T>(_ arrays: [[T]], isNA: (T) -> Bool, greater: (T, T) -> Bool) -> [T] {
        var out = (0..<n).map { arrays[0][$0 % arrays[0].count] }
        for a in arrays.dropFirst() {
            for i in 0..<n where replaces(a[i % a.count], out[i], isNA: isNA, greater: greater) {
                out[i] = a[i % a.count]
            }
        }
        return out
    }
    let storage: Storage
    switch type {
    case .logical, .integer:
        storage = .integer(scan(storages.map { $0.integers() }, isNA: { $0 == NA.integer }, greater: >))
    case .double:
        // A NaN candidate replaces (unless naRM); a NaN running value stays against numbers.
        storage = .double(scan(storages.map { $0.doubles() }, isNA: \.isNaN, greater: >))
    case .character:
        storage = .character(scan(storages.map { $0.strings() }, isNA: { $0 == nil }) { a, b in
            guard let a, let b else { return false }
            return collate(a, b) > 0
        })
    }
    return Value(Vector(storage, names: first.names, classes: first.classAttribute))
}
