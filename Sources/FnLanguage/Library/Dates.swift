#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The S3 methods R has for `Date`, `POSIXct` and `difftime`: arithmetic and comparison (`+.Date`,
/// `-.POSIXt`, `==.difftime`, ...), the methods that keep the class (`[`, `c`, `rev`, `sort`, `rep`,
/// `min`, `range`, `mean`, ...), `seq`, `cut`, `diff`, and the calendar helpers `weekdays`,
/// `months`, `quarters` and `julian`. They are builtins named `generic.class`, found by S3
/// dispatch like a user's methods.
extension BuiltinRegistry {
    mutating func registerDates() {
        for op in ["+", "-", "*", "/", "^", "%%", "%/%", "==", "!=", "<", ">", "<=", ">=", "&", "|", "!"] {
            define(op + ".Date", ["e1", "e2"]) { args, ip throws(FnError) in
                try DateOps.date(op, try args.required(0, "e1"), args[1], ip)
            }
            define(op + ".POSIXt", ["e1", "e2"]) { args, ip throws(FnError) in
                try DateOps.dateTime(op, try args.required(0, "e1"), args[1], ip)
            }
            define(op + ".difftime", ["e1", "e2"]) { args, ip throws(FnError) in
                try DateOps.difftime(op, try args.required(0, "e1"), args[1], ip)
            }
        }
        for cls in ["Date", "POSIXct", "difftime"] {
            define("[." + cls, ["x", "...", "drop"]) { args, _ throws(FnError) in
                let x = try args.required(0, "x")
                var r = try Indexing.get(Time.plain(x), args.dots.map { Optional($0) }, double: false)
                Time.restore(&r, from: x)
                return r
            }
            define("[[." + cls, ["x", "...", "exact"]) { args, _ throws(FnError) in
                let x = try args.required(0, "x")
                var r = try Indexing.get(Time.plain(x), args.dots.map { Optional($0) }, double: true)
                Time.restore(&r, from: x)
                return r
            }
            define("[<-." + cls, ["x", "...", "value"]) { args, _ throws(FnError) in
                let x = try args.required(0, "x")
                let v = try DateOps.sameKind(try args.required(2, "value"), as: x)
                var plain = Time.plain(x)
                try Indexing.set(&plain, args.dots.map { Optional($0) }, double: false, v)
                Time.restore(&plain, from: x)
                return plain
            }
            // Methods that reorder, repeat or summarise the numbers and keep the class.
            for generic in ["rev", "unique", "sort", "rep", "head", "tail", "min", "max", "range", "mean", "median"] {
                define(generic + "." + cls, ["x", "..."]) { args, ip throws(FnError) in
                    let x = try args.required(0, "x")
                    if cls == "Date" || cls == "POSIXct", generic == "min" || generic == "max" || generic == "range" {
                        // Summary methods: every argument is a time of the same kind.
                        var rest: [Value] = []
                        for d in args.dots { rest.append(try DateOps.sameKind(d, as: x)) }
                        var r = try Time.callDefault(ip, generic, [Time.plain(x)] + rest, [nil] + args.dotNames)
                        Time.restore(&r, from: x)
                        return r
                    }
                    var r = try Time.callDefault(ip, generic, [Time.plain(x)] + args.dots, [nil] + args.dotNames)
                    Time.restore(&r, from: x)
                    return r
                }
            }
            define("as.character." + cls, ["x", "..."]) { args, _ throws(FnError) in
                let x = try args.required(0, "x")
                if cls == "difftime" { return Value(Vector(.character(characterElements(Time.plain(x))))) }
                return Value(Vector(.character(characterElements(formatTimes(x, pattern: nil)))))
            }
        }
        // Summary and Math methods of difftime keep the class and units.
        for generic in ["sum", "abs", "round", "signif", "floor", "ceiling", "trunc", "cumsum"] {
            define(generic + ".difftime", ["x", "..."]) { args, ip throws(FnError) in
                let x = try args.required(0, "x")
                var rest: [Value] = []
                for d in args.dots { rest.append(generic == "sum" ? try DateOps.sameKind(d, as: x) : d) }
                var r = try Time.callDefault(ip, generic, [Time.plain(x)] + rest, [nil] + args.dotNames)
                Time.restore(&r, from: x)
                return r
            }
        }
        for cls in ["Date", "POSIXct"] {
            define("print." + cls, ["x", "..."]) { args, ip throws(FnError) in
                let x = try args.required(0, "x")
                ip.output(.stdout, x.length == 0 ? "\(cls) of length 0\n" : formatForPrint(x))
                ip.visible = false
                return x
            }
        }
        for cls in ["Date", "POSIXt"] {
            for generic in ["sum", "prod"] {
                define(generic + "." + cls, ["x", "..."]) { _, _ throws(FnError) in
                    throw FnError.runtime("\(generic) not defined for \"\(cls)\" objects")
                }
            }
        }
        define("c.Date", ["...", "recursive"]) { args, _ throws(FnError) in
            var days: [Double] = []
            for p in args.dots { days += try DateOps.days(p) }
            return Time.date(days, names: DateOps.combinedNames(args))
        }
        define("c.POSIXct", ["...", "recursive"]) { args, _ throws(FnError) in
            var seconds: [Double] = []
            var zones: Set<String> = []
            for p in args.dots {
                seconds += try Time.seconds(p)
                if Time.isPOSIXct(p), case .character(let z?)? = p.attribute("tzone") { zones.insert(z) } else {
                    zones.insert("")
                }
            }
            return Time.posixct(seconds, names: DateOps.combinedNames(args), tz: zones.count == 1 ? zones.first! : "")
        }
        define("c.difftime", ["...", "recursive"]) { args, _ throws(FnError) in
            // One unit when all agree, else seconds, as R's c.difftime.
            let units = Set(args.dots.filter(Time.isDifftime).map(Difftime.units))
            let unit = units.count == 1 ? units.first! : "secs"
            let scale = Difftime.seconds[unit] ?? 1
            var values: [Double] = []
            for p in args.dots { values += Difftime.inSeconds(p).map { Time.isDifftime(p) ? $0 / scale : $0 } }
            return Difftime.make(values, units: unit, names: DateOps.combinedNames(args))
        }
        define("diff.Date", ["x", "lag", "differences", "..."]) { args, ip throws(FnError) in
            let x = try args.required(0, "x")
            let r = try Time.callDefault(ip, "diff", [Time.plain(x)] + DateOps.rest(args), [nil, "lag", "differences"])
            return Difftime.make(r.storage?.doubles() ?? [], units: "days", names: r.names)
        }
        define("diff.POSIXt", ["x", "lag", "differences", "..."]) { args, ip throws(FnError) in
            let x = try args.required(0, "x")
            let r = try Time.callDefault(ip, "diff", [Time.plain(x)] + DateOps.rest(args), [nil, "lag", "differences"])
            return try Difftime.fromSeconds(r.storage?.doubles() ?? [], units: "auto", names: r.names)
        }
        define("diff.difftime", ["x", "lag", "differences", "..."]) { args, ip throws(FnError) in
            let x = try args.required(0, "x")
            let r = try Time.callDefault(ip, "diff", [Time.plain(x)] + DateOps.rest(args), [nil, "lag", "differences"])
            return Difftime.make(r.storage?.doubles() ?? [], units: Difftime.units(x), names: r.names)
        }
        define("seq.Date", ["from", "to", "by", "length.out", "along.with", "..."]) { args, _ throws(FnError) in
            let from = try args.required(0, "from")
            guard Time.isDate(from), from.length == 1 else { throw FnError.runtime("'from' must be a \"Date\" object") }
            let days = try DateSequence.make(start: from.storage?.doubles()[0] ?? .nan, args, dates: true)
            return Time.date(days, names: nil)
        }
        define("seq.POSIXt", ["from", "to", "by", "length.out", "along.with", "..."]) { args, _ throws(FnError) in
            let from = try args.required(0, "from")
            guard Time.isPOSIXct(from), from.length == 1 else {
                throw FnError.runtime("'from' must be a \"POSIXt\" object")
            }
            let seconds = try DateSequence.make(start: from.storage?.doubles()[0] ?? .nan, args, dates: false)
            var tz = ""
            if case .character(let z?)? = from.attribute("tzone") { tz = z }
            return Time.posixct(seconds, names: nil, tz: tz)
        }
        for cls in ["Date", "POSIXt"] {
            define("cut." + cls, ["x", "breaks", "labels", "start.on.monday", "right", "..."]) { args, _ throws(FnError) in
                try DateSequence.cut(Time.ct(try args.required(0, "x")), try args.required(1, "breaks"), args)
            }
        }
        // `cut` itself: generic (dispatch finds `cut.Date`); fn has no numeric `cut` yet.
        define("trunc.POSIXt", ["x", "units", "..."]) { args, _ throws(FnError) in
            let x = Time.ct(try args.required(0, "x"))
            let units = try Unpack.string(args[1] ?? args.dots.first, "units", default: "secs")
            let out = try (x.storage?.doubles() ?? []).map { v throws(FnError) in try DateOps.truncate(v, units) }
            var r = Value(Vector(.double(out), names: x.names))
            Time.restore(&r, from: x)
            return r
        }
        define("round.POSIXt", ["x", "digits", "units"]) { args, _ throws(FnError) in
            let x = Time.ct(try args.required(0, "x"))
            let units = try Unpack.string(args[2] ?? args[1], "units", default: "secs")
            let half: Double
            switch units {
            case "secs": half = 0.5
            case "mins": half = 30
            case "hours": half = 1800
            case "days": half = 43200
            default: throw FnError.runtime("invalid 'units' argument")
            }
            let out = try (x.storage?.doubles() ?? []).map { v throws(FnError) in try DateOps.truncate(v + half, units) }
            var r = Value(Vector(.double(out), names: x.names))
            Time.restore(&r, from: x)
            return r
        }
        define("trunc.Date", ["x", "units", "..."]) { args, _ throws(FnError) in
            let x = try args.required(0, "x")
            let units = try Unpack.string(args[1] ?? args.dots.first, "units", default: "days")
            let out = try (x.storage?.doubles() ?? []).map { v throws(FnError) in
                try DateOps.truncate(v * 86400, units == "month" ? "months" : units == "year" ? "years" : units) / 86400
            }
            return Time.date(out, names: x.names)
        }
        // POSIXlt: shown, converted and measured as the POSIXct it stands for.
        define("format.POSIXlt", ["x", "format", "tz", "usetz", "..."]) { args, _ throws(FnError) in
            let x = Time.ct(try args.required(0, "x"))
            let pattern = try (args[1] ?? args.dots.first).map { v throws(FnError) in try Unpack.string(v, "format") }
            return formatTimes(x, pattern: pattern, zone: try Unpack.flag(args[3], "usetz", default: false))
        }
        define("as.character.POSIXlt", ["x", "..."]) { args, _ throws(FnError) in
            formatTimes(Time.ct(try args.required(0, "x")), pattern: nil)
        }
        define("print.POSIXlt", ["x", "..."]) { args, ip throws(FnError) in
            let x = try args.required(0, "x")
            let ct = Time.ct(x)
            ip.output(.stdout, ct.length == 0 ? "POSIXlt of length 0\n" : formatForPrint(ct))
            ip.visible = false
            return x
        }
        for name in ["as.numeric.POSIXlt", "as.double.POSIXlt"] {
            define(name, ["x", "..."]) { args, _ throws(FnError) in
                Value(Vector(.double(Time.ltSeconds(try args.required(0, "x")))))
            }
        }
        // Other generics on a POSIXlt: the POSIXct method, and a date-time result back as a POSIXlt.
        for generic in ["[", "[[", "rev", "sort", "unique", "min", "max", "range", "rep", "head", "tail", "c"] {
            define(generic + ".POSIXlt", ["x", "..."]) { args, ip throws(FnError) in
                let x = try args.required(0, "x")
                let dots = args.dots.map(Time.ct)
                guard let f = Dispatch.internalDefault(ip, generic) else { return .null }
                let r = try ip.callFunction(.builtin(f), [Time.ct(x)] + dots, names: [nil] + args.dotNames)
                guard Time.isPOSIXct(r) else { return r }
                var tz = ""
                if case .character(let z?)? = x.attribute("tzone") { tz = z }
                return Time.posixlt(r.storage?.doubles() ?? [], tz: tz)
            }
        }
        for cls in ["Date", "POSIXt", "difftime"] {
            define("is.numeric." + cls, ["x"]) { _, _ throws(FnError) in .bool(false) }
        }
        define("is.na.POSIXlt", ["x"]) { args, _ throws(FnError) in
            Value(.logical(Time.ltSeconds(try args.required(0, "x")).map { $0.isNaN ? 1 : 0 }))
        }
        define("length.POSIXlt", ["x"]) { args, _ throws(FnError) in
            .integer(Int32(Time.ltSeconds(try args.required(0, "x")).count))
        }
        for cls in ["Date", "POSIXct", "difftime"] {
            define("as.list." + cls, ["x", "..."]) { args, _ throws(FnError) in
                let x = try args.required(0, "x")
                return .list(List(Time.elements(x), names: x.names))
            }
            define("split." + cls, ["x", "f", "drop", "..."]) { args, ip throws(FnError) in
                let x = try args.required(0, "x")
                var values: [Value] = [Time.plain(x), try args.required(1, "f")], names: [String?] = [nil, "f"]
                if let drop = args[2] {
                    values.append(drop)
                    names.append("drop")
                }
                guard case .list(let groups) = try Time.callDefault(ip, "split", values + args.dots, names + args.dotNames)
                else { return .null }
                let kept = groups.elements.map { g in
                    var g = g
                    Time.restore(&g, from: x)
                    return g
                }
                return .list(List(kept, names: groups.names))
            }
        }
        define("round.Date", ["x", "..."]) { args, _ throws(FnError) in
            let x = try args.required(0, "x")
            return Time.date((x.storage?.doubles() ?? []).map { $0.rounded(.toNearestOrEven) }, names: x.names)
        }
        define("Sys.timezone", ["location"]) { _, _ throws(FnError) in .character("UTC") }
        define("date", []) { _, _ throws(FnError) in
            var ts = timespec()
            clock_gettime(CLOCK_REALTIME, &ts)
            return .character(DateFormat.strftime(Double(ts.tv_sec), "%a %b %e %H:%M:%S %Y"))
        }
        define("weekdays", ["x", "abbreviate"]) { args, _ throws(FnError) in
            let abbreviate = try Unpack.flag(args[1], "abbreviate", default: false)
            return try DateOps.calendar(try args.required(0, "x"), abbreviate ? "%a" : "%A")
        }
        define("months", ["x", "abbreviate"]) { args, _ throws(FnError) in
            let abbreviate = try Unpack.flag(args[1], "abbreviate", default: false)
            return try DateOps.calendar(try args.required(0, "x"), abbreviate ? "%b" : "%B")
        }
        define("quarters", ["x", "..."]) { args, _ throws(FnError) in
            let months = try DateOps.calendar(try args.required(0, "x"), "%m")
            let out = characterElements(months).map { m in m.flatMap { Int($0) }.map { "Q\(($0 - 1) / 3 + 1)" } }
            return Value(Vector(.character(out), names: months.names))
        }
        define("julian", ["x", "origin", "..."]) { args, _ throws(FnError) in
            let x = Time.ct(try args.required(0, "x"))
            if Time.isPOSIXct(x) {
                let origin = try args[1].map { v throws(FnError) in try Time.seconds(v).first ?? 0 } ?? 0
                var r = Difftime.make((x.storage?.doubles() ?? []).map { ($0 - origin) / 86400 }, units: "days",
                                      names: x.names)
                try Attributes.set(&r, "origin", Time.posixct([origin], names: nil, tz: "GMT"))
                return r
            }
            guard Time.isDate(x) else { throw FnError.runtime("no applicable method for 'julian'") }
            let origin = try args[1].map { v throws(FnError) in try DateOps.days(v).first ?? 0 } ?? 0
            var r = Value(Vector(.double((x.storage?.doubles() ?? []).map { $0 - origin }), names: x.names))
            try Attributes.set(&r, "origin", Time.date([origin], names: nil))
            return r
        }
    }
}

extension Time {
    /// The numbers of `x` with its names, without class, `tzone` or `units`.
    static func plain(_ x: Value) -> Value {
        guard case .vector(let v) = x else { return x }
        var attributes = v.attributes
        for name in ["class", "tzone", "units"] { setAttribute(&attributes, name, nil) }
        return .vector(Vector(v.storage, names: v.names, attributes: attributes))
    }

    /// Puts back the class, `tzone` and `units` of `x` on a result computed from its numbers.
    static func restore(_ r: inout Value, from x: Value) {
        guard var storage = r.storage else { return }
        if case .integer(let a) = storage, isDate(x) || isPOSIXct(x) || isDifftime(x) {
            storage = .double(a.map { $0 == NA.integer ? NA.double : Double($0) })
        }
        var attributes = r.attributes
        for name in ["class", "tzone", "units"] {
            if let value = x.attribute(name) { setAttribute(&attributes, name, value) }
        }
        r = .vector(Vector(storage, names: r.names, attributes: attributes))
    }

    /// Whether `x` is a Date, POSIXct or difftime vector.
    static func isTimed(_ x: Value) -> Bool { isDate(x) || isPOSIXct(x) || isDifftime(x) }

    /// The elements of a Date, POSIXct or difftime vector, each with the class (as R's `as.list`).
    static func elements(_ x: Value) -> [Value] {
        Unpack.elements(plain(x)).map { e in
            var e = e
            restore(&e, from: x)
            return e
        }
    }

    /// Calls the builtin `name` itself (no dispatch: the arguments carry no time class).
    static func callDefault(_ ip: Interpreter, _ name: String, _ args: [Value], _ names: [String?]) throws(FnError)
        -> Value
    {
        guard let b = Dispatch.internalDefault(ip, name) else { throw FnError.runtime("could not find function \"\(name)\"") }
        return try ip.callFunction(.builtin(b), args, names: names)
    }
}

/// Arithmetic and comparison on times, with R's rules and messages.
enum DateOps {
    static let comparisons: Set<String> = ["==", "!=", "<", ">", "<=", ">="]

    /// The names `c()` gives: an argument's name alone for one element, else `name1`, `name2`...
    /// or `name.inner`; nil when nothing is named.
    static func combinedNames(_ args: Arguments) -> [String]? {
        var names: [String] = []
        var any = false
        for (k, p) in args.dots.enumerated() {
            let outer = args.dotNames[k] ?? ""
            let inner = p.names
            if !outer.isEmpty || inner != nil { any = true }
            for i in 0..<p.length {
                let n = inner?[i] ?? ""
                if outer.isEmpty {
                    names.append(n)
                } else if p.length == 1 && n.isEmpty {
                    names.append(outer)
                } else {
                    names.append(n.isEmpty ? outer + String(i + 1) : outer + "." + n)
                }
            }
        }
        return any ? names : nil
    }

    /// The rest of `diff`'s arguments, present ones only.
    static func rest(_ args: Arguments) -> [Value] {
        [args[1] ?? .double(1), args[2] ?? .double(1)]
    }

    /// Days of a Date, date-time (floored), character date or number (difftimes in days).
    static func days(_ v: Value) throws(FnError) -> [Double] {
        if Time.isDate(v) || v.atomicType != .character && !Time.isPOSIXct(v) && !Time.isDifftime(v) {
            return v.storage?.doubles() ?? []
        }
        if Time.isDifftime(v) { return Difftime.inSeconds(v).map { $0 / 86400 } }
        if Time.isPOSIXct(v) { return (v.storage?.doubles() ?? []).map { ($0 / 86400).rounded(.down) } }
        return try TimeParsing.dates(characterElements(v), format: nil, tryFormats: TimeParsing.dateFormats,
                                     optional: false)
    }

    /// `value` as numbers in the representation of `x` (days for a Date, seconds for a
    /// date-time, `x`'s units for a difftime), names kept.
    static func sameKind(_ value: Value, as x: Value) throws(FnError) -> Value {
        let numbers: [Double]
        if Time.isDate(x) {
            numbers = try days(value)
        } else if Time.isPOSIXct(x) {
            numbers = Time.isDifftime(value) ? Difftime.inSeconds(value) : try Time.seconds(value)
        } else {
            numbers = Difftime.inSeconds(value).map { Time.isDifftime(value) ? $0 / Difftime.scale(x) : $0 }
        }
        return Value(Vector(.double(numbers), names: value.names))
    }

    /// Numbers with names (and dim) for the default operator.
    private static func numbers(_ v: Value, _ values: [Double]) -> Value {
        var p = Time.plain(v)
        if case .vector(var vec) = p {
            vec.storage = .double(values)
            p = .vector(vec)
        } else {
            p = Value(Vector(.double(values)))
        }
        return p
    }

    static func date(_ op: String, _ e1: Value, _ e2: Value?, _ ip: Interpreter) throws(FnError) -> Value {
        guard let e2 else {
            if op == "+" { return e1 }
            throw FnError.runtime("unary \(op) is not defined for \"Date\" objects")
        }
        if comparisons.contains(op) {
            let a = numbers(e1, try days(e1)), b = numbers(e2, try days(e2))
            return try Time.callDefault(ip, op, [a, b], [nil, nil])
        }
        switch op {
        case "+":
            if Time.isDate(e1) && Time.isDate(e2) { throw FnError.runtime("binary + is not defined for \"Date\" objects") }
            var r = try Time.callDefault(ip, "+", [numbers(e1, try days(e1)), numbers(e2, try days(e2))], [nil, nil])
            Time.restore(&r, from: Time.date([], names: nil))
            return r
        case "-":
            guard Time.isDate(e1) else { throw FnError.runtime("can only subtract from \"Date\" objects") }
            let r = try Time.callDefault(ip, "-", [numbers(e1, try days(e1)), numbers(e2, try days(e2))], [nil, nil])
            if Time.isDate(e2) { return Difftime.make(r.storage?.doubles() ?? [], units: "days", names: r.names) }
            var out = r
            Time.restore(&out, from: Time.date([], names: nil))
            return out
        default:
            throw FnError.runtime("\(op) not defined for \"Date\" objects")
        }
    }

    static func dateTime(_ op: String, _ lt1: Value, _ lt2: Value?, _ ip: Interpreter) throws(FnError) -> Value {
        // A POSIXlt operand takes part as the POSIXct it stands for, as in R.
        let e1 = Time.ct(lt1), e2 = lt2.map(Time.ct)
        guard let e2 else {
            if op == "+" { return e1 }
            throw FnError.runtime("unary '\(op)' not defined for \"POSIXt\" objects")
        }
        func seconds(_ v: Value) throws(FnError) -> Value {
            numbers(v, Time.isDifftime(v) ? Difftime.inSeconds(v) : try Time.seconds(v))
        }
        let zoned = Time.isPOSIXct(e1) ? e1 : e2
        if comparisons.contains(op) {
            return try Time.callDefault(ip, op, [try seconds(e1), try seconds(e2)], [nil, nil])
        }
        switch op {
        case "+":
            if Time.isPOSIXct(e1) && Time.isPOSIXct(e2) {
                throw FnError.runtime("binary '+' is not defined for \"POSIXt\" objects")
            }
            var r = try Time.callDefault(ip, "+", [try seconds(e1), try seconds(e2)], [nil, nil])
            Time.restore(&r, from: zoned)
            return r
        case "-":
            guard Time.isPOSIXct(e1) else { throw FnError.runtime("can only subtract from \"POSIXt\" objects") }
            let r = try Time.callDefault(ip, "-", [try seconds(e1), try seconds(e2)], [nil, nil])
            if Time.isPOSIXct(e2) {
                return try Difftime.fromSeconds(r.storage?.doubles() ?? [], units: "auto", names: r.names)
            }
            var out = r
            Time.restore(&out, from: e1)
            return out
        default:
            throw FnError.runtime("'\(op)' not defined for \"POSIXt\" objects")
        }
    }

    static func difftime(_ op: String, _ e1: Value, _ e2: Value?, _ ip: Interpreter) throws(FnError) -> Value {
        if let e2, Time.isDate(e2) { return try date(op, e1, e2, ip) }
        if let e2, Time.isPOSIXct(e2) { return try dateTime(op, e1, e2, ip) }
        guard let e2 else {
            guard op == "-" || op == "+" else { throw FnError.runtime("unary \(op) not defined for \"difftime\" objects") }
            var r = try Time.callDefault(ip, op, [Time.plain(e1)], [nil])
            Time.restore(&r, from: e1)
            return r
        }
        let both = Time.isDifftime(e1) && Time.isDifftime(e2)
        let unitsOf = Time.isDifftime(e1) ? e1 : e2
        if comparisons.contains(op) || op == "+" || op == "-" {
            var a = Time.plain(e1), b = Time.plain(e2)
            var units = Difftime.units(unitsOf)
            if both && Difftime.units(e1) != Difftime.units(e2) {
                a = numbers(e1, Difftime.inSeconds(e1))
                b = numbers(e2, Difftime.inSeconds(e2))
                units = "secs"
            }
            let r = try Time.callDefault(ip, op, [a, b], [nil, nil])
            if comparisons.contains(op) { return r }
            return Difftime.make(r.storage?.doubles() ?? [], units: units, names: r.names)
        }
        switch op {
        case "*":
            if both { throw FnError.runtime("both arguments of * cannot be \"difftime\" objects") }
        case "/":
            if Time.isDifftime(e2) { throw FnError.runtime("second argument of / cannot be a \"difftime\" object") }
        default:
            throw FnError.runtime("'\(op)' not defined for \"difftime\" objects")
        }
        let r = try Time.callDefault(ip, op, [Time.plain(e1), Time.plain(e2)], [nil, nil])
        return Difftime.make(r.storage?.doubles() ?? [], units: Difftime.units(unitsOf), names: r.names)
    }

    /// Seconds truncated to the start of their second, minute, hour, day, month or year.
    static func truncate(_ v: Double, _ units: String) throws(FnError) -> Double {
        guard v.isFinite else { return v }
        switch units {
        case "secs": return v.rounded(.down)
        case "mins": return (v / 60).rounded(.down) * 60
        case "hours": return (v / 3600).rounded(.down) * 3600
        case "days": return (v / 86400).rounded(.down) * 86400
        case "months", "years":
            let (y, m, _) = civilDate(fromDays: Int((v / 86400).rounded(.down)))
            return Double(daysFromCivil(y, units == "years" ? 1 : m, 1)) * 86400
        default: throw FnError.runtime("invalid 'units' argument")
        }
    }

    /// `weekdays`, `months`: a `strftime` field of each Date or date-time.
    static func calendar(_ lt: Value, _ code: String) throws(FnError) -> Value {
        let x = Time.ct(lt)
        guard Time.isDate(x) || Time.isPOSIXct(x) else {
            let cls = x.classAttribute?.first ?? x.typeName
            throw FnError.runtime("no applicable method for this function applied to an object of class \"\(cls)\"")
        }
        return formatTimes(x, pattern: code)
    }
}
