/// `all.equal(target, current)`: near-equality with R's descriptions of the differences.
extension BuiltinRegistry {
    mutating func registerAllEqual() {
        let formals = ["target", "current", "tolerance", "scale", "check.attributes", "check.names", "use.names",
                       "countEQ", "..."]
        define("all.equal", formals) { args, _ throws(FnError) in
            let target = try args.required(0, "target"), current = try args.required(1, "current")
            var comparison = AllEqual()
            if let t = args[2] {
                guard t.atomicType == .integer || t.atomicType == .double, let d = Unpack.firstDouble(t) else {
                    throw FnError.runtime("'tolerance' should be numeric")
                }
                comparison.tolerance = d
            }
            if let s = args[3], !s.isNull {
                guard s.atomicType == .integer || s.atomicType == .double, let d = Unpack.firstDouble(s) else {
                    throw FnError.runtime("'scale' should be numeric or NULL")
                }
                guard d > 0 else { throw FnError.runtime("all(scale > 0) is not TRUE") }
                comparison.scale = d
            }
            if let a = args[4] {
                guard a.atomicType == .logical else { throw FnError.runtime("'check.attributes' must be logical") }
                comparison.checkAttributes = try Unpack.flag(a, "check.attributes", default: true)
            }
            comparison.checkNames = try Unpack.flag(args[5], "check.names", default: true)
            comparison.countEQ = try Unpack.flag(args[7], "countEQ", default: false)
            let useNames = try Unpack.flag(args[6], "use.names", default: true)
            let messages = comparison.compare(target, current, useNames: useNames)
            return messages.isEmpty ? .true_ : Value(.character(messages))
        }
    }
}

/// R's `all.equal` methods (numeric, character, logical, list, default), returning the messages;
/// none means equal.
struct AllEqual {
    var tolerance = 1.5e-8
    var scale: Double?
    var checkAttributes = true
    var checkNames = true
    var countEQ = false

    func compare(_ target: Value, _ current: Value, useNames: Bool) -> [String] {
        switch target {
        case .list: return compareLists(target, current, useNames: useNames)
        case .closure, .builtin, .environment:
            return Value.identical(target, current) ? [] : ["target, current do not match when deparsed"]
        case .null:
            let (a, b) = (dataClass(target), dataClass(current))
            return a == b ? [] : ["target is \(a), current is \(b)"]
        default:
            switch target.atomicType {
            case .integer?, .double?: return compareNumbers(target, current)
            case .character?: return compareElements(target, current, noun: "string")
            default: return compareElements(target, current, noun: "element")
            }
        }
    }

    /// `attr.all.equal`: modes, lengths, names, and the class attribute (fn's only other one).
    private func compareAttributes(_ target: Value, _ current: Value) -> [String] {
        var msg: [String] = []
        let (mt, mc) = (modeName(target), modeName(current))
        if mt != mc { msg.append("Modes: \(mt), \(mc)") }
        if target.length != current.length { msg.append("Lengths: \(target.length), \(current.length)") }
        if checkNames {
            let nx = target.names, ny = current.names
            if let nx, let ny {
                let m = AllEqual(checkAttributes: checkAttributes)
                    .compareElements(Value(.character(nx)), Value(.character(ny)), noun: "string")
                msg += m.map { "Names: " + $0 }
            } else if nx != nil {
                msg.append("names for target but not for current")
            } else if ny != nil {
                msg.append("names for current but not for target")
            }
        }
        let ax = target.classAttribute.map { Value.list(List([Value(.character($0))], names: ["class"])) }
        let ay = current.classAttribute.map { Value.list(List([Value(.character($0))], names: ["class"])) }
        if ax != nil || ay != nil {
            let tt = compare(ax ?? .null, ay ?? .null, useNames: true)
            msg += tt.map { "Attributes: < \($0) >" }
        }
        return msg
    }

    /// Drops the attribute check's "Lengths" lines when a method reports the lengths itself.
    private func withoutLengths(_ msg: [String]) -> [String] {
        msg.filter { !$0.contains("Lengths") }
    }

    private func compareNumbers(_ target: Value, _ current: Value) -> [String] {
        var msg = checkAttributes ? compareAttributes(target, current) : []
        let (ct, cc) = (dataClass(target), dataClass(current))
        if ct != cc { return msg + ["target is \(ct), current is \(cc)"] }
        let t = target.storage?.doubles() ?? [], c = current.storage?.doubles() ?? []
        if t.count != c.count { return withoutLengths(msg) + ["Numeric: lengths (\(t.count), \(c.count)) differ"] }
        let naT = t.map(\.isNaN), naC = c.map(\.isNaN)
        if naT != naC {
            let inCurrent = naC.filter { $0 }.count, inTarget = naT.filter { $0 }.count
            return msg + ["'is.NA' value mismatch: \(inCurrent) in current \(inTarget) in target"]
        }
        var differing: [(Double, Double)] = []
        var equalMagnitude = 0.0
        for i in t.indices {
            if naT[i] || t[i] == c[i] {
                if countEQ && !naT[i] { equalMagnitude += Swift.abs(t[i]) }
            } else {
                differing.append((t[i], c[i]))
            }
        }
        if differing.isEmpty { return msg }
        let n = Double(countEQ ? t.count : differing.count)
        var xy = differing.reduce(0) { $0 + Swift.abs($1.0 - $1.1) } / n
        let what: String
        if let scale {
            xy /= scale
            what = Swift.abs(scale - 1) < 1e-7 ? "absolute" : "scaled"
        } else {
            let xn = (equalMagnitude + differing.reduce(0) { $0 + Swift.abs($1.0) }) / n
            if xn.isFinite && xn > tolerance {
                xy /= xn
                what = "relative"
            } else {
                what = "absolute"
            }
        }
        if xy.isNaN || xy > tolerance {
            msg.append("Mean \(what) difference: \(NumberFormat.format([xy], digits: 7)[0])")
        }
        return msg
    }

    /// The character and logical methods: exact comparison, counting the mismatches.
    fileprivate func compareElements(_ target: Value, _ current: Value, noun: String) -> [String] {
        var msg = checkAttributes ? compareAttributes(target, current) : []
        let (ct, cc) = (dataClass(target), dataClass(current))
        if ct != cc { return msg + ["target is \(ct), current is \(cc)"] }
        var t = target.storage ?? .logical([]), c = current.storage ?? .logical([])
        if t.count != c.count {
            let n = min(t.count, c.count)
            let onFirst = noun == "string" ? "string compare on first \(n)" : "comparison on first \(n) components"
            msg = withoutLengths(msg) + ["Lengths (\(t.count), \(c.count)) differ (\(onFirst))"]
            t = t.gathered(Array(0..<n))
            c = c.gathered(Array(0..<n))
        }
        let naT = (0..<t.count).map { t.isNA($0) }, naC = (0..<c.count).map { c.isNA($0) }
        if naT != naC {
            let inCurrent = naC.filter { $0 }.count, inTarget = naT.filter { $0 }.count
            return msg + ["'is.NA' value mismatch: \(inCurrent) in current \(inTarget) in target"]
        }
        let (ts, cs) = (t.strings(), c.strings())
        let mismatches = (0..<t.count).filter { !naT[$0] && ts[$0] != cs[$0] }.count
        if mismatches == 1 { return msg + ["1 \(noun) mismatch"] }
        if mismatches > 1 { return msg + ["\(mismatches) \(noun) mismatches"] }
        return msg
    }

    private func compareLists(_ target: Value, _ current: Value, useNames: Bool) -> [String] {
        var msg = checkAttributes ? compareAttributes(target, current) : []
        // R's is.list(current) || is.vector(current): an atomic vector with a class is neither.
        switch current {
        case .list: break
        case .logical, .integer, .double, .character: break  // scalars carry no class
        case .vector where current.classAttribute == nil: break
        default: return msg + ["current is not list-like"]
        }
        let t = Unpack.elements(target), c = Unpack.elements(current)
        var n = t.count
        if n != c.count {
            n = min(n, c.count)
            msg = withoutLengths(msg) + ["Length mismatch: comparison on first \(n) components"]
        }
        let nt = target.names, nc = current.names
        let named = useNames && nt != nil && nc != nil
        for i in 0..<n {
            let mi = compare(t[i], c[i], useNames: named)
            if mi.isEmpty { continue }
            var label = String(i + 1)
            if named, let nt, let nc, nt[i] == nc[i] { label = "\u{201C}\(nt[i])\u{201D}" }
            msg += mi.map { "Component \(label): \($0)" }
        }
        return msg
    }
}

/// R's `mode(x)`: the type, with `"numeric"` for integers and doubles and `"function"` for functions.
func modeName(_ x: Value) -> String {
    switch x.typeName {
    case "integer", "double": return "numeric"
    case "closure", "builtin": return "function"
    case "symbol": return "name"
    case "language": return "call"
    case let t: return t
    }
}

/// R's `data.class(x)`: the first class, or the mode (`"numeric"` for integers too).
private func dataClass(_ x: Value) -> String {
    x.classAttribute?.first ?? modeName(x)
}
