/// Date-times as R represents them: `POSIXct` is seconds since 1970-01-01 UTC (a double with
/// class `c("POSIXct", "POSIXt")` and a `tzone` attribute), `Date` is days since then (class
/// `"Date"`), `difftime` a number with a `units` attribute. fn works in UTC (Lambda's time zone),
/// so `tz` accepts only UTC spellings. This file reads time from text and numbers; Dates.swift
/// holds the methods, DateFormat.swift the writing, Difftime.swift the differences.
extension BuiltinRegistry {
    mutating func registerTime() {
        define("as.POSIXct", ["x", "tz", "format", "tryFormats", "origin", "..."]) { args, _ throws(FnError) in
            let tz = try TimeZoneArgument.check(args[1], "as.POSIXct")
            let x = Time.ct(try args.required(0, "x"))
            let seconds: [Double]
            if x.isNull {
                seconds = []
            } else if Time.isPOSIXct(x) {
                return args[1] == nil ? x : Time.posixct(x.storage?.doubles() ?? [], names: x.names, tz: tz)
            } else if x.atomicType == .character {
                let format = try args[2].map { v throws(FnError) in try Unpack.string(v, "format") }
                let tries = try args[3].map { v throws(FnError) in characterElements(v).compactMap { $0 } }
                seconds = try TimeParsing.dateTimes(characterElements(x), format: format,
                                                    tryFormats: tries ?? TimeParsing.dateTimeFormats)
            } else if Time.isDate(x) {
                seconds = (x.storage?.doubles() ?? []).map { $0 * 86400 }
            } else if let s = x.storage, s.type != .character {
                let origin = try TimeParsing.origin(args[4])
                seconds = s.doubles().map { $0 + origin }
            } else {
                throw FnError.runtime("do not know how to convert 'x' to class \u{201C}POSIXct\u{201D}")
            }
            return Time.posixct(seconds, names: x.names, tz: Time.isDate(x) && args[1] == nil ? "UTC" : tz)
        }
        define("as.Date", ["x", "format", "tryFormats", "origin", "tz", "optional", "..."]) { args, _ throws(FnError) in
            _ = try TimeZoneArgument.check(args[4], "as.Date")
            let x = Time.ct(try args.required(0, "x"))
            let days: [Double]
            if x.isNull {
                days = []
            } else if Time.isDate(x) {
                return x
            } else if x.atomicType == .character || Factors.isFactor(x) {
                let format = try (args[1] ?? args.dots.first).map { v throws(FnError) in try Unpack.string(v, "format") }
                let tries = try args[2].map { v throws(FnError) in characterElements(v).compactMap { $0 } }
                let optional = try Unpack.flag(args[5], "optional", default: false)
                days = try TimeParsing.dates(Factors.strings(x), format: format,
                                             tryFormats: tries ?? TimeParsing.dateFormats, optional: optional)
            } else if Time.isPOSIXct(x) {
                days = (x.storage?.doubles() ?? []).map { ($0 / 86400).rounded(.down) }
            } else if let s = x.storage, s.type != .character {
                let origin = try TimeParsing.origin(args[3]) / 86400
                days = s.doubles().map { $0 + origin }
            } else {
                throw FnError.runtime("do not know how to convert 'x' to class \u{201C}Date\u{201D}")
            }
            return Time.date(days, names: x.names)
        }
        define("strptime", ["x", "format", "tz"]) { args, _ throws(FnError) in
            let tz = try TimeZoneArgument.check(args[2], "strptime")
            let x = try args.required(0, "x")
            let format = try Unpack.string(args[1], "format")
            let seconds = characterElements(x).map { s in s.flatMap { TimeParsing.parse($0, format: format) } ?? NA.double }
            return Time.posixlt(seconds, tz: tz)
        }
        define("as.POSIXlt", ["x", "tz", "format", "tryFormats", "origin", "..."]) { args, ip throws(FnError) in
            let x = try args.required(0, "x")
            if Time.isPOSIXlt(x) { return x }
            guard let f = Dispatch.internalDefault(ip, "as.POSIXct") else { return .null }
            var values: [Value] = [x], names: [String?] = [nil]
            for (k, name) in ["tz", "format", "tryFormats", "origin"].enumerated() {
                if let v = args[k + 1] {
                    values.append(v)
                    names.append(name)
                }
            }
            let ct = try ip.callFunction(.builtin(f), values, names: names)
            var tz = ""
            if case .character(let z?)? = ct.attribute("tzone") { tz = z }
            return Time.posixlt(ct.storage?.doubles() ?? [], tz: tz)
        }
        define("ISOdatetime", ["year", "month", "day", "hour", "min", "sec", "tz"]) { args, _ throws(FnError) in
            let tz = try TimeZoneArgument.check(args[6], "ISOdatetime")
            return try Time.isoDateTime(args, tz: tz, defaultHour: nil)
        }
        define("ISOdate", ["year", "month", "day", "hour", "min", "sec", "tz"]) { args, _ throws(FnError) in
            let tz = try TimeZoneArgument.check(args[6] ?? .character("GMT"), "ISOdate")
            return try Time.isoDateTime(args, tz: tz, defaultHour: 12)
        }
        define("strftime", ["x", "format", "tz", "usetz", "..."]) { args, _ throws(FnError) in
            _ = try TimeZoneArgument.check(args[2], "strftime")
            let x = try args.required(0, "x")
            let pattern = try args[1].map { v throws(FnError) in try Unpack.string(v, "format") }
            let usetz = try Unpack.flag(args[3], "usetz", default: false)
            return formatTimes(try Time.asTime(x), pattern: pattern == "" ? nil : pattern, zone: usetz)
        }
        define("unclass", ["x"]) { args, _ throws(FnError) in
            switch try args.required(0, "x") {
            case .vector(var v):
                v.classes = nil
                return Value(v)
            case .list(var l):
                l.classes = nil
                return .list(l)
            case let other:
                return other
            }
        }
    }
}

/// `tz` arguments: fn only knows UTC.
enum TimeZoneArgument {
    /// The zone as given ("" when absent), or an error for a zone other than UTC.
    @discardableResult
    static func check(_ v: Value?, _ function: String) throws(FnError) -> String {
        guard let v, !v.isNull else { return "" }
        let tz = try Unpack.string(v, "tz")
        guard ["", "UTC", "GMT", "Etc/UTC", "Etc/GMT", "UTC0", "GMT0", "Z"].contains(tz) else {
            throw FnError.runtime("\(function)(): time zone '\(tz)' is not supported: fn works in UTC")
        }
        return tz
    }
}

/// The classed time values and what other parts of fn need to know about them.
public enum Time {
    static func isDate(_ v: Value) -> Bool { v.classAttribute?.contains("Date") == true }
    static func isPOSIXct(_ v: Value) -> Bool { v.classAttribute?.contains("POSIXct") == true }
    static func isDifftime(_ v: Value) -> Bool { v.classAttribute?.contains("difftime") == true }
    static func isPOSIXlt(_ v: Value) -> Bool { v.classAttribute?.contains("POSIXlt") == true }

    static let ltFields = ["sec", "min", "hour", "mday", "mon", "year", "wday", "yday", "isdst", "zone", "gmtoff"]

    /// A `POSIXlt`: the broken-down UTC time as R's list of fields (`sec`, `min`, `hour`, `mday`,
    /// `mon` from 0, `year` from 1900, `wday` from Sunday = 0, `yday` from 0, ...).
    static func posixlt(_ seconds: [Double], tz: String) -> Value {
        var columns = [[Double]](repeating: [], count: 8)
        for x in seconds {
            guard x.isFinite else {
                for k in 0..<8 { columns[k].append(NA.double) }
                continue
            }
            let p = DateFormat.Parts(x)
            let fields = [p.exactSecond, Double(p.minute), Double(p.hour), Double(p.day), Double(p.month - 1),
                          Double(p.year - 1900), Double(p.weekday), Double(p.yearDay)]
            for k in 0..<8 { columns[k].append(fields[k]) }
        }
        func ints(_ a: [Double]) -> Value {
            Value(Vector(.integer(a.map { $0.isNaN ? NA.integer : Int32($0) })))
        }
        var elements: [Value] = [Value(Vector(.double(columns[0])))]
        for k in 1..<8 { elements.append(ints(columns[k])) }
        elements.append(ints(seconds.map { $0.isFinite ? 0 : .nan }))
        elements.append(Value(Vector(.character(seconds.map { $0.isFinite ? (tz.hasPrefix("GMT") ? "GMT" : "UTC") : "" }))))
        elements.append(ints(seconds.map { $0.isFinite ? 0 : .nan }))
        let attributes = AttributeList([
            ("class", Value(Vector(.character(["POSIXlt", "POSIXt"])))),
            ("tzone", .character(tz)),
        ])
        return .list(List(elements, names: ltFields, attributes: attributes))
    }

    /// A `POSIXlt` back to seconds, normalising fields out of range as R does (`mday = 40`).
    static func ltSeconds(_ v: Value) -> [Double] {
        guard case .list(let l) = v else { return [] }
        func field(_ name: String) -> [Double] {
            guard let i = l.names?.firstIndex(of: name) else { return [0] }
            return l.elements[i].storage?.doubles() ?? [0]
        }
        let cols = ["sec", "min", "hour", "mday", "mon", "year"].map(field)
        let n = cols.contains { $0.isEmpty } ? 0 : cols.map(\.count).max() ?? 0
        return (0..<n).map { k in
            let f = cols.map { $0[k % $0.count] }
            guard f.allSatisfy({ $0.isFinite }) else { return NA.double }
            let months = Int(f[5]) * 12 + Int(f[4])
            let year = 1900 + (months >= 0 ? months / 12 : (months - 11) / 12)
            let month = months - (year - 1900) * 12 + 1
            let days = Double(daysFromCivil(year, month, 1)) + f[3] - 1
            return days * 86400 + f[2] * 3600 + f[1] * 60 + f[0]
        }
    }

    /// A `POSIXlt` as the equivalent `POSIXct`; other values as they are.
    static func ct(_ v: Value) -> Value {
        guard isPOSIXlt(v) else { return v }
        var tz = ""
        if case .character(let z?)? = v.attribute("tzone") { tz = z }
        return posixct(ltSeconds(v), names: nil, tz: tz)
    }

    static func date(_ days: [Double], names: [String]?) -> Value {
        .vector(Vector(.double(days), names: names, classes: ["Date"]))
    }

    static func posixct(_ seconds: [Double], names: [String]?, tz: String) -> Value {
        let attributes = AttributeList([
            ("class", Value(Vector(.character(["POSIXct", "POSIXt"])))),
            ("tzone", .character(tz)),
        ])
        return .vector(Vector(.double(seconds), names: names, attributes: attributes))
    }

    /// The zone a date-time prints with: "GMT" for GMT spellings, else "UTC".
    static func zoneName(_ v: Value) -> String {
        guard case .character(let tz?)? = v.attribute("tzone") else { return "UTC" }
        return tz.hasPrefix("GMT") || tz == "Etc/GMT" ? "GMT" : "UTC"
    }

    /// The text of a Date or POSIXct as R's `as.character` and jsonlite's `toJSON` give it (dates
    /// as `2024-03-01`, date-times as `2024-03-01 10:00:00`, or dates alone when every time is
    /// midnight), NA as nil; nil when `v` is neither. `paste`, `sprintf` and the JSON bridge use it.
    public static func strings(_ v: Value) -> [String?]? {
        guard isDate(v) || isPOSIXct(v) else { return nil }
        return characterElements(formatTimes(v, pattern: nil))
    }

    /// A value `formatTimes` accepts: times keep their class, strings are parsed, numbers are seconds.
    static func asTime(_ v: Value) throws(FnError) -> Value {
        if isPOSIXct(v) || isDate(v) { return v }
        return posixct(try seconds(v), names: v.names, tz: "")
    }

    /// Seconds since the epoch of a POSIXct, Date (days), character (R's formats) or number.
    static func seconds(_ v: Value) throws(FnError) -> [Double] {
        if isPOSIXlt(v) { return ltSeconds(v) }
        if v.atomicType == .character {
            return try TimeParsing.dateTimes(characterElements(v), format: nil, tryFormats: TimeParsing.dateTimeFormats)
        }
        guard let s = v.storage else { throw FnError.runtime("invalid time value") }
        if isDate(v) { return s.doubles().map { $0 * 86400 } }
        return s.doubles()
    }

    /// `ISOdatetime` / `ISOdate`: recycled parts, NA for an impossible date or time.
    static func isoDateTime(_ args: Arguments, tz: String, defaultHour: Double?) throws(FnError) -> Value {
        var parts: [[Double]] = []
        let names = ["year", "month", "day", "hour", "min", "sec"]
        for i in 0..<6 {
            if let v = args[i] {
                guard let s = v.storage, s.type != .character else { throw FnError.runtime("invalid '\(names[i])'") }
                parts.append(s.doubles())
            } else if i < 3 || defaultHour == nil {
                throw FnError.runtime("argument \"\(names[i])\" is missing, with no default")
            } else {
                parts.append([i == 3 ? defaultHour! : 0])
            }
        }
        let n = parts.contains { $0.isEmpty } ? 0 : parts.map(\.count).max() ?? 0
        let out = (0..<n).map { k -> Double in
            let p = parts.map { $0[k % $0.count] }
            guard p.allSatisfy({ $0.isFinite }) else { return NA.double }
            let y = Int(p[0]), m = Int(p[1]), d = Int(p[2])
            guard (1...12).contains(m), d >= 1, d <= TimeParsing.daysIn(month: m, year: y),
                  (0...24).contains(p[3]), (0..<60).contains(p[4]), p[5] >= 0, p[5] < 62 else { return NA.double }
            return Double(daysFromCivil(y, m, d)) * 86400 + p[3] * 3600 + p[4] * 60 + p[5]
        }
        return posixct(out, names: nil, tz: tz)
    }
}

/// Reading date-times from text, as R's `strptime` does.
enum TimeParsing {
    /// `as.Date`'s default `tryFormats`.
    static let dateFormats = ["%Y-%m-%d", "%Y/%m/%d"]
    /// `as.POSIXct`'s default `tryFormats`.
    static let dateTimeFormats = ["%Y-%m-%d %H:%M:%OS", "%Y/%m/%d %H:%M:%OS", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M",
                                  "%Y-%m-%d", "%Y/%m/%d"]

    /// `as.Date(character)`: with `format`, each string by it (NA where it does not match);
    /// without, the first of `tryFormats` that reads the first non-NA string is used for all.
    static func dates(_ strings: [String?], format: String?, tryFormats: [String], optional: Bool) throws(FnError)
        -> [Double]
    {
        func read(_ f: String) -> [Double] {
            strings.map { s in s.flatMap { parse($0, format: f) }.map { ($0 / 86400).rounded(.down) } ?? NA.double }
        }
        if let format { return read(format) }
        guard let first = strings.first(where: { $0 != nil }) ?? nil else { return strings.map { _ in NA.double } }
        for f in tryFormats where parse(first, format: f) != nil { return read(f) }
        if optional { return strings.map { _ in NA.double } }
        throw FnError.runtime("character string is not in a standard unambiguous format")
    }

    /// `as.POSIXct(character)`: with `format`, each string by it; without, the first of
    /// `tryFormats` that reads every non-NA string.
    static func dateTimes(_ strings: [String?], format: String?, tryFormats: [String]) throws(FnError) -> [Double] {
        func read(_ f: String) -> [Double] { strings.map { s in s.flatMap { parse($0, format: f) } ?? NA.double } }
        if let format { return read(format) }
        let present = strings.compactMap { $0 }
        if present.isEmpty { return strings.map { _ in NA.double } }
        let iso = present.contains { $0.utf8.count > 10 && Array($0.utf8)[10] == UInt8(ascii: "T") }
        if iso, present.allSatisfy({ parseISO($0) != nil }) {
            return strings.map { s in s.flatMap { parseISO($0) } ?? NA.double }
        }
        for f in tryFormats where present.allSatisfy({ parse($0, format: f) != nil }) { return read(f) }
        throw FnError.runtime("character string is not in a standard unambiguous format")
    }

    /// ISO 8601 with a `T`: `YYYY-MM-DDTHH:MM[:SS[.fff]]`, then optionally `Z` or an offset
    /// (`+02:00`, `+0200`, `+02`). R 4.3 reads this form; R 4.2's formats stop at the date.
    static func parseISO(_ text: String) -> Double? {
        var scanner = Scanner(Array(text.utf8))
        scanner.skipSpaces()
        guard let year = scanner.number(maxDigits: 4, minDigits: 4) else { return nil }
        guard let sep = scanner.peek, sep == UInt8(ascii: "-") || sep == UInt8(ascii: "/") else { return nil }
        scanner.advance()
        guard let month = scanner.number(maxDigits: 2), scanner.take(sep),
              let day = scanner.number(maxDigits: 2) else { return nil }
        guard (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year) else { return nil }
        var seconds = Double(daysFromCivil(year, month, day)) * 86400
        scanner.skipSpaces()
        if scanner.take(UInt8(ascii: "T")) {
            guard let hour = scanner.number(maxDigits: 2), scanner.take(UInt8(ascii: ":")),
                  let minute = scanner.number(maxDigits: 2), hour <= 24, minute <= 59 else { return nil }
            seconds += Double(hour * 3600 + minute * 60)
            if scanner.take(UInt8(ascii: ":")) {
                guard let second = scanner.number(maxDigits: 2), second <= 61 else { return nil }
                seconds += Double(second)
                if scanner.take(UInt8(ascii: ".")) || scanner.take(UInt8(ascii: ",")) {
                    var scale = 0.1
                    var any = false
                    while let d = scanner.digit() {
                        seconds += Double(d) * scale
                        scale /= 10
                        any = true
                    }
                    if !any { return nil }
                }
            }
            scanner.skipSpaces()
            if scanner.take(UInt8(ascii: "Z")) {
                // UTC
            } else if let sign = scanner.peek, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
                scanner.advance()
                guard let oh = scanner.number(maxDigits: 2, minDigits: 2) else { return nil }
                _ = scanner.take(UInt8(ascii: ":"))
                let om = scanner.number(maxDigits: 2, minDigits: 2) ?? 0
                let offset = Double(oh * 3600 + om * 60)
                seconds += sign == UInt8(ascii: "+") ? -offset : offset
            }
        }
        scanner.skipSpaces()
        return scanner.pos >= scanner.bytes.count ? seconds : nil
    }

    /// `origin =`: seconds of a date or date-time (default the epoch).
    static func origin(_ v: Value?) throws(FnError) -> Double {
        guard let v, !v.isNull else { return 0 }
        return try Time.seconds(v).first ?? 0
    }

    /// R's `strptime` on one string, in UTC: `%Y %m %d %e %H %M %S %OS %y %j %b %B %h %F %T %D %R
    /// %p %I %z %Z %%`; other characters match themselves, white space matches any amount of
    /// white space, and text after the format is ignored.
    static func parse(_ text: String, format: String) -> Double? {
        var s = Scanner(Array(text.utf8))
        let f = Array(format.utf8)
        var year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0.0, offset = 0, yday: Int?
        var pm: Bool?
        var i = 0
        while i < f.count {
            let c = f[i]
            if c == 0x20 || c == 0x09 {
                s.skipSpaces()
                i += 1
                continue
            }
            guard c == UInt8(ascii: "%"), i + 1 < f.count else {
                guard s.take(c) else { return nil }
                i += 1
                continue
            }
            i += 1
            func num(_ digits: Int) -> Int? {
                s.skipSpaces()
                return s.number(maxDigits: digits)
            }
            switch f[i] {
            case UInt8(ascii: "Y"): guard let v = num(4) else { return nil }; year = v
            case UInt8(ascii: "y"):
                guard let v = num(2) else { return nil }
                year = v < 69 ? 2000 + v : 1900 + v
            case UInt8(ascii: "m"): guard let v = num(2) else { return nil }; month = v
            case UInt8(ascii: "d"), UInt8(ascii: "e"): guard let v = num(2) else { return nil }; day = v
            case UInt8(ascii: "H"): guard let v = num(2) else { return nil }; hour = v
            case UInt8(ascii: "I"): guard let v = num(2), (1...12).contains(v) else { return nil }; hour = v
            case UInt8(ascii: "M"): guard let v = num(2) else { return nil }; minute = v
            case UInt8(ascii: "S"): guard let v = num(2) else { return nil }; second = Double(v)
            case UInt8(ascii: "j"): guard let v = num(3), (1...366).contains(v) else { return nil }; yday = v
            case UInt8(ascii: "p"):
                s.skipSpaces()
                if s.takeWord("am") { pm = false } else if s.takeWord("pm") { pm = true } else { return nil }
            case UInt8(ascii: "O"):
                guard i + 1 < f.count, f[i + 1] == UInt8(ascii: "S") else { return nil }
                i += 1
                while i + 1 < f.count, f[i + 1] >= 0x30 && f[i + 1] <= 0x39 { i += 1 }
                guard let v = num(2) else { return nil }
                second = Double(v)
                if s.take(UInt8(ascii: ".")) {
                    var scale = 0.1
                    while let d = s.digit() {
                        second += Double(d) * scale
                        scale /= 10
                    }
                }
            case UInt8(ascii: "b"), UInt8(ascii: "B"), UInt8(ascii: "h"):
                guard let m = s.monthName() else { return nil }; month = m
            case UInt8(ascii: "a"), UInt8(ascii: "A"):
                guard s.dayName() else { return nil }
            case UInt8(ascii: "F"):
                guard let y = num(4), s.take(UInt8(ascii: "-")), let m = num(2), s.take(UInt8(ascii: "-")),
                      let d = num(2) else { return nil }
                (year, month, day) = (y, m, d)
            case UInt8(ascii: "D"):
                guard let m = num(2), s.take(UInt8(ascii: "/")), let d = num(2), s.take(UInt8(ascii: "/")),
                      let y = num(2) else { return nil }
                (year, month, day) = (y < 69 ? 2000 + y : 1900 + y, m, d)
            case UInt8(ascii: "T"), UInt8(ascii: "R"):
                guard let h = num(2), s.take(UInt8(ascii: ":")), let m = num(2) else { return nil }
                (hour, minute, second) = (h, m, 0)
                if f[i] == UInt8(ascii: "T") {
                    guard s.take(UInt8(ascii: ":")), let sec = num(2) else { return nil }
                    second = Double(sec)
                }
            case UInt8(ascii: "z"):
                guard let sign = s.peek, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") else {
                    if s.take(UInt8(ascii: "Z")) { break }
                    return nil
                }
                s.advance()
                guard let oh = s.number(maxDigits: 2, minDigits: 2) else { return nil }
                _ = s.take(UInt8(ascii: ":"))
                guard let om = s.number(maxDigits: 2, minDigits: 2) else { return nil }
                offset = (sign == UInt8(ascii: "+") ? 1 : -1) * (oh * 3600 + om * 60)
            case UInt8(ascii: "Z"):
                while let b = s.peek, (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) { s.advance() }
            case UInt8(ascii: "n"), UInt8(ascii: "t"): s.skipSpaces()
            case UInt8(ascii: "%"): guard s.take(UInt8(ascii: "%")) else { return nil }
            default: return nil
            }
            i += 1
        }
        if let pm {
            guard (1...12).contains(hour) else { return nil }
            hour = hour % 12 + (pm ? 12 : 0)
        }
        guard (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year), hour <= 24, minute <= 59,
              second < 62 else { return nil }
        var days = daysFromCivil(year, month, day)
        if let yday { days = daysFromCivil(year, 1, 1) + yday - 1 }
        return Double(days) * 86400 + Double(hour * 3600 + minute * 60) + second - Double(offset)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// A cursor over the bytes of the text being parsed.
    private struct Scanner {
        let bytes: [UInt8]
        var pos = 0

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        var peek: UInt8? { pos < bytes.count ? bytes[pos] : nil }
        var atDigit: Bool { peek.map { $0 >= 0x30 && $0 <= 0x39 } ?? false }

        mutating func advance() { pos += 1 }

        mutating func take(_ b: UInt8) -> Bool {
            guard peek == b else { return false }
            pos += 1
            return true
        }

        mutating func skipSpaces() {
            while let b = peek, b == 0x20 || b == 0x09 || b == 0x0A { pos += 1 }
        }

        mutating func digit() -> Int? {
            guard atDigit, let b = peek else { return nil }
            pos += 1
            return Int(b - 0x30)
        }

        mutating func number(maxDigits: Int, minDigits: Int = 1) -> Int? {
            var value = 0, n = 0
            while n < maxDigits, let d = digit() {
                value = value * 10 + d
                n += 1
            }
            return n >= minDigits ? value : nil
        }

        /// Takes `word` (lower case) ignoring case.
        mutating func takeWord(_ word: String) -> Bool {
            let w = Array(word.utf8)
            guard pos + w.count <= bytes.count else { return false }
            for (k, b) in w.enumerated() where bytes[pos + k] | 0x20 != b { return false }
            pos += w.count
            return true
        }

        mutating func monthName() -> Int? {
            for (i, name) in DateFormat.monthNames.enumerated() where takeWord(name.lowercased()) { return i + 1 }
            for (i, name) in DateFormat.monthNames.enumerated() where takeWord(String(name.prefix(3)).lowercased()) {
                return i + 1
            }
            return nil
        }

        mutating func dayName() -> Bool {
            for name in DateFormat.dayNames where takeWord(name.lowercased()) { return true }
            for name in DateFormat.dayNames where takeWord(String(name.prefix(3)).lowercased()) { return true }
            return false
        }
    }
}
