#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Random numbers as R draws them: `set.seed`, `RNGkind`, `runif`, `rnorm`, `rexp`, `rbinom`,
/// `rpois`, `rgamma`, `rchisq`, `rt`, `rlnorm`, `sample`, `sample.int`. The generator state is the session's (`Interpreter.random`).
extension BuiltinRegistry {
    mutating func registerRandom() {
        define("RNGkind", ["kind", "normal.kind", "sample.kind"]) { args, ip throws(FnError) in
            let previous = Value(.character(["Mersenne-Twister", "Inversion", ip.random.rounding ? "Rounding" : "Rejection"]))
            if args.values.contains(where: { $0.map { !$0.isNull } ?? false }) {
                try chooseKinds(args[0], args[1], args[2], ip)
                ip.visible = false
            }
            return previous
        }
        define("set.seed", ["seed", "kind", "normal.kind", "sample.kind"]) { args, ip throws(FnError) in
            try chooseKinds(args[1], args[2], args[3], ip)
            ip.visible = false
            guard let seed = args[0], !seed.isNull else {
                ip.random.seedFromTime()
                return .null
            }
            // As R's asInteger: a number or numeric string, truncated; NA or out of range fails.
            guard let d = Unpack.firstDouble(seed), !d.isNaN, d.magnitude < 2_147_483_648 else {
                throw FnError.runtime("supplied seed is not a valid integer")
            }
            ip.random.seed(UInt32(bitPattern: Int32(d.rounded(.towardZero))))
            return .null
        }
        defineRandom("runif", ["min", "max"], [0, 1], integer: false) { a, rng in
            let lo = a[0], hi = a[1]
            if !lo.isFinite || !hi.isFinite || hi < lo { return .nan }
            if lo == hi { return lo }
            return lo + (hi - lo) * rng.uniform()
        }
        defineRandom("rnorm", ["mean", "sd"], [0, 1], integer: false) { a, rng in
            let mu = a[0], sigma = a[1]
            if mu.isNaN || !sigma.isFinite || sigma < 0 { return .nan }
            if sigma == 0 || !mu.isFinite { return mu }
            return mu + sigma * rng.normal()
        }
        defineRandom("rexp", ["rate"], [1], integer: false) { a, rng in
            let scale = 1 / a[0]
            if !scale.isFinite || scale <= 0 { return scale == 0 ? 0 : .nan }
            return scale * rng.exponential()
        }
        defineRandom("rbinom", ["size", "prob"], [nil, nil], integer: true) { a, rng in
            RandomVariates.binomial(a[0], a[1], &rng)
        }
        defineRandom("rpois", ["lambda"], [nil], integer: true) { a, rng in
            RandomVariates.poisson(a[0], &rng)
        }
        defineRandom("rgamma", ["shape", "rate", "scale"], [nil, 1, nil], integer: false) { a, rng in
            RandomVariates.gamma(a[0], a[2], &rng)
        }
        defineRandom("rchisq", ["df"], [nil], integer: false) { a, rng in
            let df = a[0]
            if !df.isFinite || df < 0 { return .nan }
            return RandomVariates.gamma(df / 2, 2, &rng)
        }
        defineRandom("rt", ["df"], [nil], integer: false) { a, rng in
            let df = a[0]
            if df.isNaN || df <= 0 { return .nan }
            if !df.isFinite { return rng.normal() }
            let z = rng.normal()
            return z / (RandomVariates.gamma(df / 2, 2, &rng) / df).squareRoot()
        }
        defineRandom("rlnorm", ["meanlog", "sdlog"], [0, 1], integer: false) { a, rng in
            let mu = a[0], sigma = a[1]
            if mu.isNaN || !sigma.isFinite || sigma < 0 { return .nan }
            return exp(sigma == 0 || !mu.isFinite ? mu : mu + sigma * rng.normal())
        }
        define("sample.int", ["n", "size", "replace", "prob", "useHash"]) { args, ip throws(FnError) in
            let nValue = try args.required(0, "n")
            guard nValue.storage?.count == 1, let n = Unpack.firstDouble(nValue), nValue.atomicType != .character else {
                throw FnError.runtime("invalid first argument")
            }
            return try sampleIndices(n, args[1], args[2], args[3], ip)
        }
        define("sample", ["x", "size", "replace", "prob"]) { args, ip throws(FnError) in
            let x = try args.required(0, "x")
            if let s = x.storage, s.count == 1, s.type == .integer || s.type == .double, x.classAttribute == nil,
               let n = Unpack.firstDouble(x), n.isFinite, n >= 1 {
                return try sampleIndices(n, args[1], args[2], args[3], ip)
            }
            let count = Double(x.length)
            let picked = try sampleIndices(count, args[1], args[2], args[3], ip)
            return try Indexing.getSubset(x, picked)
        }
    }

    /// Defines an `r<dist>(n, params...)`: n values (or as many as `n` has when longer than one),
    /// parameters recycled; an invalid parameter gives NaN (NA in integer results) and R's warning
    /// "NAs produced".
    private mutating func defineRandom(
        _ name: String, _ params: [String], _ defaults: [Double?], integer: Bool,
        _ draw: @escaping ([Double], inout RandomState) -> Double
    ) {
        define(name, ["n"] + params) { args, ip throws(FnError) in
            let nValue = try args.required(0, "n")
            let count: Int
            if nValue.length == 1 {
                guard let d = Unpack.firstDouble(nValue), nValue.atomicType != .character,
                      !d.isNaN, d >= 0, d < 4.5e15 else {
                    throw FnError.runtime("invalid arguments")
                }
                count = Int(d)
            } else {
                count = nValue.length
            }
            try Limits.checkLength(Double(count))
            var columns: [[Double]] = []
            for (i, param) in params.enumerated() {
                if let v = args[i + 1] {
                    if v.isNull { columns.append([]); continue }
                    guard let s = v.storage, s.type != .character else { throw FnError.runtime("invalid arguments") }
                    columns.append(s.doubles())
                } else if let d = defaults[i] {
                    columns.append([d])
                } else if param == "scale", i > 0 {
                    columns.append(columns[i - 1].map { 1 / $0 })  // scale = 1/rate
                } else {
                    throw FnError.runtime("argument \"\(param)\" is missing, with no default")
                }
            }
            var out = [Double](repeating: NA.double, count: count)
            var naProduced = false
            if count > 0 && columns.contains(where: { $0.isEmpty }) {
                naProduced = true
            } else {
                var row = [Double](repeating: 0, count: columns.count)
                for i in 0..<count {
                    for c in columns.indices { row[c] = columns[c][i % columns[c].count] }
                    let r = draw(row, &ip.random)
                    if r.isNaN { naProduced = true }
                    out[i] = r
                }
            }
            if naProduced { ip.warn("NAs produced") }
            if integer && out.allSatisfy({ $0.isNaN || $0.magnitude <= 2_147_483_647 }) {
                return Value(.integer(out.map { $0.isNaN ? NA.integer : Int32($0) }))
            }
            return Value(.double(out))
        }
    }
}

/// The `kind`, `normal.kind` and `sample.kind` arguments of `set.seed` and `RNGkind`: only R's
/// defaults, and the pre-3.6 "Rounding" sampler.
private func chooseKinds(_ kind: Value?, _ normalKind: Value?, _ sampleKind: Value?, _ ip: Interpreter) throws(FnError) {
    try checkKind(kind, ["Mersenne-Twister", "default"], "kind")
    try checkKind(normalKind, ["Inversion", "default"], "normal.kind")
    guard let v = sampleKind, !v.isNull else { return }
    let chosen = try Unpack.string(v, "sample.kind")
    guard chosen == "Rejection" || chosen == "Rounding" || chosen == "default" else {
        throw FnError.runtime("'\(chosen)' is not a valid choice")
    }
    if chosen == "Rounding" { ip.warn("non-uniform 'Rounding' sampler used") }
    ip.random.rounding = chosen == "Rounding"
}

/// Accepts a generator kind only if it is R's default (the one fn implements).
private func checkKind(_ v: Value?, _ allowed: [String], _ what: String) throws(FnError) {
    guard let v, !v.isNull else { return }
    let kind = try Unpack.string(v, what)
    guard allowed.contains(kind) else {
        throw FnError.runtime("set.seed(): only \(what) = \"\(allowed[0])\" is supported, not \"\(kind)\"")
    }
}

/// `sample.int(n, size, replace, prob)` as 1-based integer positions.
private func sampleIndices(
    _ n: Double, _ sizeArg: Value?, _ replaceArg: Value?, _ probArg: Value?, _ ip: Interpreter
) throws(FnError) -> Value {
    guard !n.isNaN, n >= 0, n <= 4.5e15 else { throw FnError.runtime("invalid first argument") }
    let dn = n.rounded(.towardZero)
    var wanted = dn
    if let s = sizeArg, !s.isNull {
        guard let d = Unpack.firstDouble(s), !d.isNaN, d >= 0, d <= 4.5e15, s.atomicType != .character else {
            throw FnError.runtime("invalid 'size' argument")
        }
        wanted = d.rounded(.towardZero)
    }
    let replace = try Unpack.flag(replaceArg, "replace", default: false)
    if !replace && wanted > dn {
        throw FnError.runtime("cannot take a sample larger than the population when 'replace = FALSE'")
    }
    try Limits.checkLength(wanted)
    let hasProb = probArg.map { !$0.isNull } ?? false
    if !hasProb && (replace || wanted < 2 || (dn > 1e7 && wanted <= dn / 2)) {
        // Uniform draws need no table of the population: with replacement each is one index; a
        // small sample of a large population (R's hashed sample2) redraws repeated indices.
        var seen = Set<Double>()
        var draws = [Double]()
        draws.reserveCapacity(Int(wanted))
        while draws.count < Int(wanted) {
            let v = ip.random.index(below: dn)
            if !replace && wanted >= 2 && !seen.insert(v).inserted { continue }
            draws.append(v + 1)
        }
        if dn <= 2_147_483_647 { return Value(.integer(draws.map { Int32($0) })) }
        return Value(.double(draws))
    }
    if let probValue = probArg, !probValue.isNull, Double(probValue.length) != dn {
        throw FnError.runtime("incorrect number of probabilities")
    }
    try Limits.checkLength(dn)
    let population = Int(dn)
    let size = Int(wanted)
    var out = [Int32](repeating: 0, count: size)
    if let probValue = probArg, !probValue.isNull {
        guard let s = probValue.storage, s.type != .character else { throw FnError.runtime("incorrect number of probabilities") }
        var p = s.doubles()
        guard p.count == population else { throw FnError.runtime("incorrect number of probabilities") }
        var total = 0.0, positive = 0
        for x in p {
            guard x.isFinite else { throw FnError.runtime("NA in probability vector") }
            guard x >= 0 else { throw FnError.runtime("negative probability") }
            if x > 0 { positive += 1; total += x }
        }
        if positive == 0 || (!replace && size > positive) { throw FnError.runtime("too few positive probabilities") }
        for i in p.indices { p[i] /= total }
        if replace {
            let large = p.reduce(0) { $0 + (Double(population) * $1 > 0.1 ? 1 : 0) }
            if large > 200 {
                Sampling.walker(p, &out, &ip.random)
            } else {
                Sampling.withReplacement(p, &out, &ip.random)
            }
        } else {
            Sampling.withoutReplacement(p, &out, &ip.random)
        }
    } else {
        var pool = (0..<population).map { Int32($0) }
        var remaining = population
        for i in 0..<size {
            let j = Int(ip.random.index(below: Double(remaining)))
            out[i] = pool[j] + 1
            remaining -= 1
            pool[j] = pool[remaining]
        }
    }
    return Value(.integer(out))
}

/// R's sampling with probabilities: inversion over probabilities sorted in decreasing order,
/// and Walker's alias method when many categories are likely.
enum Sampling {
    /// Sorts `p` into decreasing order with `labels` alongside, by the textbook heapsort R uses
    /// (ties end up where that heapsort leaves them, which decides which label is drawn).
    static func sortDecreasing(_ p: inout [Double], _ labels: inout [Int32]) {
        let n = p.count
        if n <= 1 { return }
        // 1-based heap positions, as in the published algorithm.
        var l = n / 2 + 1
        var ir = n
        while true {
            let value: Double, label: Int32
            if l > 1 {
                l -= 1
                value = p[l - 1]
                label = labels[l - 1]
            } else {
                value = p[ir - 1]
                label = labels[ir - 1]
                p[ir - 1] = p[0]
                labels[ir - 1] = labels[0]
                ir -= 1
                if ir == 1 {
                    p[0] = value
                    labels[0] = label
                    return
                }
            }
            var i = l
            var j = l * 2
            while j <= ir {
                if j < ir && p[j - 1] > p[j] { j += 1 }
                if value > p[j - 1] {
                    p[i - 1] = p[j - 1]
                    labels[i - 1] = labels[j - 1]
                    i = j
                    j += j
                } else {
                    j = ir + 1
                }
            }
            p[i - 1] = value
            labels[i - 1] = label
        }
    }

    static func withReplacement(_ probabilities: [Double], _ out: inout [Int32], _ rng: inout RandomState) {
        var p = probabilities
        var labels = (1...Int32(p.count)).map { $0 }
        sortDecreasing(&p, &labels)
        for i in 1..<max(p.count, 1) { p[i] += p[i - 1] }
        let last = p.count - 1
        for i in out.indices {
            let u = rng.uniform()
            var j = 0
            while j < last && u > p[j] { j += 1 }
            out[i] = labels[j]
        }
    }

    static func withoutReplacement(_ probabilities: [Double], _ out: inout [Int32], _ rng: inout RandomState) {
        var p = probabilities
        var labels = (1...Int32(p.count)).map { $0 }
        sortDecreasing(&p, &labels)
        var totalMass = 1.0
        var n1 = p.count - 1
        for i in out.indices {
            let target = totalMass * rng.uniform()
            var mass = 0.0
            var j = 0
            while j < n1 {
                mass += p[j]
                if target <= mass { break }
                j += 1
            }
            out[i] = labels[j]
            totalMass -= p[j]
            p.remove(at: j)
            labels.remove(at: j)
            n1 -= 1
        }
    }

    /// Walker's alias method: each of n equal cells keeps its own label with probability q and
    /// otherwise gives its alias.
    static func walker(_ p: [Double], _ out: inout [Int32], _ rng: inout RandomState) {
        let n = p.count
        var q = p.map { $0 * Double(n) }
        var alias = [Int](repeating: 0, count: n)
        // Cells below 1 fill `order` from the front, the others from the back.
        var order = [Int](repeating: 0, count: n)
        var small = -1, large = n
        for i in 0..<n {
            if q[i] < 1 {
                small += 1
                order[small] = i
            } else {
                large -= 1
                order[large] = i
            }
        }
        if small >= 0 && large < n {
            for k in 0..<(n - 1) {
                let i = order[k], j = order[large]
                alias[i] = j
                q[j] += q[i] - 1
                if q[j] < 1 { large += 1 }
                if large >= n { break }
            }
        }
        for i in 0..<n { q[i] += Double(i) }
        for i in out.indices {
            // Since R 3.6 the cell comes from the rejection sampler, the split from a second uniform.
            let k: Int, u: Double
            if rng.rounding {
                u = rng.uniform() * Double(n)
                k = Int(u)
            } else {
                k = Int(rng.index(below: Double(n)))
                u = Double(k) + rng.uniform()
            }
            out[i] = Int32(u < q[k] ? k + 1 : alias[k] + 1)
        }
    }
}
