/// Time differences: a double with class `"difftime"` and a `units` attribute (`secs`, `mins`,
/// `hours`, `days` or `weeks`), as R makes them: `difftime`, `as.difftime`, `Date - Date`,
/// `POSIXct - POSIXct`, `diff` of times. `units<-` converts, `as.numeric(x, units =)` reads them
/// in other units, and arithmetic keeps the class where R does.
extension BuiltinRegistry {
    mutating func registerDifftime() {
        define("difftime", ["time1", "time2", "tz", "units"]) { args, _ throws(FnError) in
            let a = try Time.seconds(try args.required(0, "time1"))
            let b = try Time.seconds(try args.required(1, "time2"))
            let units = try Unpack.string(args[3], "units", default: "auto")
            guard a.count > 0 && b.count > 0 else { return Difftime.make([], units: "secs", names: nil) }
            let n = max(a.count, b.count)
            return try Difftime.fromSeconds((0..<n).map { a[$0 % a.count] - b[$0 % b.count] }, units: units)
        }
        define("as.difftime", ["tim", "format", "units", "tz"]) { args, _ throws(FnError) in
            let tim = try args.required(0, "tim")
            let units = try Unpack.string(args[2], "units", default: "auto")
            if tim.atomicType == .character {
                let format = try Unpack.string(args[1], "format", default: "%H:%M:%S")
                let seconds = characterElements(tim).map { s in
                    s.flatMap { TimeParsing.parse($0, format: format) }.map { $0.truncatingRemainder(dividingBy: 86400) }
                        ?? NA.double
                }
                return try Difftime.fromSeconds(seconds, units: units)
            }
            guard units != "auto" else { throw FnError.runtime("need explicit units for numeric conversion") }
            guard Difftime.seconds[units] != nil else { throw FnError.runtime("invalid units specified") }
            guard let s = tim.storage, s.type != .character else { throw FnError.runtime("'tim' is not character or numeric") }
            return Difftime.make(s.doubles(), units: units, names: tim.names)
        }
        define("units", ["x"]) { args, _ throws(FnError) in
            try args.required(0, "x").attribute("units") ?? .null
        }
        define("units<-", ["x", "value"]) { args, _ throws(FnError) in
            let x = try args.required(0, "x")
            let to = try Unpack.string(args[1], "value")
            guard Time.isDifftime(x) else {
                var y = x
                try Attributes.set(&y, "units", .character(to))
                return y
            }
            guard let scale = Difftime.seconds[to] else { throw FnError.runtime("invalid units specified") }
            let from = Difftime.scale(x)
            return Difftime.make((x.storage?.doubles() ?? []).map { $0 * from / scale }, units: to, names: x.names)
        }
        for name in ["as.numeric.difftime", "as.double.difftime"] {
            define(name, ["x", "units", "..."]) { args, _ throws(FnError) in
                let x = try args.required(0, "x")
                let values = x.storage?.doubles() ?? []
                guard let u = args[1] else { return Value(Vector(.double(values), names: x.names)) }
                let units = try Unpack.string(u, "units")
                guard let scale = Difftime.seconds[units] else { throw FnError.runtime("invalid units specified") }
                let from = Difftime.scale(x)
                return Value(Vector(.double(values.map { $0 * from / scale }), names: x.names))
            }
        }
        define("format.difftime", ["x", "..."]) { args, _ throws(FnError) in
            let x = try args.required(0, "x")
            let units = Difftime.units(x)
            let numbers = NumberFormat.format(x.storage?.doubles() ?? [], digits: 7)
            // R pastes format(unclass(x)), so the numbers share one width.
            let out: [String?] = numbers.indices.map { k in numbers[k] + " " + units }
            return Value(Vector(.character(out), names: x.names))
        }
        define("print.difftime", ["x", "digits", "..."]) { args, ip throws(FnError) in
            let x = try args.required(0, "x")
            ip.output(.stdout, Difftime.printed(x))
            ip.visible = false
            return x
        }
        define("mean.difftime", ["x", "..."]) { args, ip throws(FnError) in
            let x = try args.required(0, "x")
            let m = try Time.callDefault(ip, "mean", [Time.plain(x)] + args.dots, [nil] + args.dotNames)
            return Difftime.make(m.storage?.doubles() ?? [], units: Difftime.units(x), names: nil)
        }
    }
}

enum Difftime {
    /// Seconds in one of each unit.
    static let seconds: [String: Double] = ["secs": 1, "mins": 60, "hours": 3600, "days": 86400, "weeks": 604800]

    static func make(_ values: [Double], units: String, names: [String]?) -> Value {
        let attributes = AttributeList([
            ("class", Value(Vector(.character(["difftime"])))),
            ("units", .character(units)),
        ])
        return .vector(Vector(.double(values), names: names, attributes: attributes))
    }

    static func units(_ x: Value) -> String {
        if case .character(let u?)? = x.attribute("units") { return u }
        return "days"
    }

    /// `print(x)`: `Time difference of 3 days`, or `Time differences in days` above the numbers.
    static func printed(_ x: Value) -> String {
        let units = self.units(x)
        let values = x.storage?.doubles() ?? []
        if values.count == 1 && x.names == nil {
            return "Time difference of \(NumberFormat.format(values, digits: 7)[0].trimmingSpaces()) \(units)\n"
        }
        return "Time differences in \(units)\n" + formatForPrint(Value(Vector(.double(values), names: x.names)))
    }

    /// Seconds in one unit of `x`.
    static func scale(_ x: Value) -> Double { seconds[units(x)] ?? 86400 }

    /// Differences in seconds as a difftime in `units`; "auto" picks R's unit for the smallest
    /// difference: seconds under a minute, minutes under an hour, hours under a day, else days.
    static func fromSeconds(_ diffs: [Double], units: String, names: [String]? = nil) throws(FnError) -> Value {
        var chosen = units
        if units == "auto" {
            let smallest = diffs.filter { !$0.isNaN }.map { abs($0) }.min()
            if let s = smallest, s.isFinite {
                chosen = s < 60 ? "secs" : s < 3600 ? "mins" : s < 86400 ? "hours" : "days"
            } else {
                chosen = "secs"
            }
        }
        guard let scale = seconds[chosen] else { throw FnError.runtime("invalid units specified") }
        return make(diffs.map { $0 / scale }, units: chosen, names: names)
    }

    /// `x` in seconds when it is a difftime, else its numbers as they are.
    static func inSeconds(_ x: Value) -> [Double] {
        let values = x.storage?.doubles() ?? []
        return Time.isDifftime(x) ? values.map { $0 * scale(x) } : values
    }
}

extension String {
    fileprivate func trimmingSpaces() -> String {
        var s = Substring(self)
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
