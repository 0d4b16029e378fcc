/// Date-times as R represents them: `POSIXct` is seconds since 1970-01-01 UTC and `Date` is days
/// since then, both doubles with a class. fn works in UTC (Lambda's time zone), so `tz` accepts
/// only UTC spellings. Arithmetic on these values drops the class (§10); `as.POSIXct(x + 60)` puts
/// it back.
extension BuiltinRegistry {
    mutating func registerTime() {
        define("as.POSIXct", ["x", "tz", "format", "origin", "..."]) { args, _ throws(FnError) in
            try TimeZoneArgument.check(args[1], "as.POSIXct")
            let x = try args.required(0, "x")
            let seconds: [Double]
            if x.isNull {
                seconds = []
            } else if x.atomicType == .character {
                let format = try args[2].map { v throws(FnError) in try Unpack.string(v, "format") }
                seconds = try TimeParsing.parseAll(characterElements(x), format: format, dateOnly: false)
            } else if let classes = x.classAttribute, classes.contains("Date") {
                seconds = (x.storage?.doubles() ?? []).map { $0 * 86400 }
            } else if let s = x.storage, s.type != .character {
                let origin = try TimeParsing.origin(args[3])
                seconds = s.doubles().map { $0 + origin }
            } else {
                throw FnError.runtime("do not know how to convert 'x' to class \u{201C}POSIXct\u{201D}")
            }
            return .vector(Vector(.double(seconds), names: x.names, classes: ["POSIXct", "POSIXt"]))
        }
        define("as.Date", ["x", "format", "tryFormats", "origin", "tz", "..."]) { args, _ throws(FnError) in
            try TimeZoneArgument.check(args[4], "as.Date")
            let x = try args.required(0, "x")
            let days: [Double]
            if x.isNull {
                days = []
            } else if x.atomicType == .character {
                let format = try args[1].map { v throws(FnError) in try Unpack.string(v, "format") }
                days = try TimeParsing.parseAll(characterElements(x), format: format, dateOnly: true)
                    .map { ($0 / 86400).rounded(.down) }
            } else if let classes = x.classAttribute, classes.contains("POSIXct") {
                days = (x.storage?.doubles() ?? []).map { ($0 / 86400).rounded(.down) }
            } else if let s = x.storage, s.type != .character {
                let origin = try TimeParsing.origin(args[3]) / 86400
                days = s.doubles().map { $0 + origin }
            } else {
                throw FnError.runtime("do not know how to convert 'x' to class \u{201C}Date\u{201D}")
            }
            return .vector(Vector(.double(days), names: x.names, classes: ["Date"]))
        }
        define("strftime", ["x", "format", "tz", "usetz", "..."]) { args, _ throws(FnError) in
            try TimeZoneArgument.check(args[2], "strftime")
            let x = try args.required(0, "x")
            let pattern = try args[1].map { v throws(FnError) in try Unpack.string(v, "format") }
            let usetz = try Unpack.flag(args[3], "usetz", default: false)
            return formatTimes(try asTime(x), pattern: pattern, zone: usetz)
        }
        define("difftime", ["time1", "time2", "tz", "units"]) { args, _ throws(FnError) in
            let a = try secondsOf(try args.required(0, "time1"))
            let b = try secondsOf(try args.required(1, "time2"))
            let units = try Unpack.string(args[3], "units", default: "auto")
            guard a.count > 0 && b.count > 0 else { return Value(.double([])) }
            let n = max(a.count, b.count)
            let diffs = (0..<n).map { a[$0 % a.count] - b[$0 % b.count] }
            let divisor: Double
            switch units {
            case "auto":
                let finite = diffs.filter { !$0.isNaN }.map { abs($0) }
                let smallest = finite.min() ?? 0
                divisor = finite.isEmpty || smallest < 60 ? 1 : smallest < 3600 ? 60 : smallest < 86400 ? 3600 : 86400
            case "secs": divisor = 1
            case "mins": divisor = 60
            case "hours": divisor = 3600
            case "days": divisor = 86400
            case "weeks": divisor = 604800
            default: throw FnError.runtime("invalid units specified")
            }
            return Value(.double(diffs.map { $0 / divisor }))
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
    static func check(_ v: Value?, _ function: String) throws(FnError) {
        guard let v, !v.isNull else { return }
        let tz = try Unpack.string(v, "tz")
        guard ["", "UTC", "GMT", "Etc/UTC", "Etc/GMT", "UTC0", "GMT0", "Z"].contains(tz) else {
            throw FnError.runtime("\(function)(): time zone '\(tz)' is not supported: fn works in UTC")
        }
    }
}

/// Seconds since the epoch of a POSIXct, Date (days), character (ISO-8601) or number.
private func secondsOf(_ v: Value) throws(FnError) -> [Double] {
    if v.atomicType == .character {
        return try TimeParsing.parseAll(characterElements(v), format: nil, dateOnly: false)
    }
    guard let s = v.storage else { throw FnError.runtime("invalid time value") }
    if v.classAttribute?.contains("Date") == true { return s.doubles().map { $0 * 86400 } }
    return s.doubles()
}

/// A value `formatTimes` accepts: times keep their class, strings are parsed, numbers are seconds.
private func asTime(_ v: Value) throws(FnError) -> Value {
    if let c = v.classAttribute, c.contains("POSIXct") || c.contains("Date") { return v }
    return .vector(Vector(.double(try secondsOf(v)), names: v.names, classes: ["POSIXct", "POSIXt"]))
}

/// Reading date-times from text.
enum TimeParsing {
    /// Each string as seconds since the epoch (NA for NA). As in R, the first non-NA string must
    /// parse; later ones that do not become NA.
    static func parseAll(_ strings: [String?], format: String?, dateOnly: Bool) throws(FnError) -> [Double] {
        var out: [Double] = []
        var sawFirst = false
        for s in strings {
            guard let s else { out.append(NA.double); continue }
            let parsed = format.map { parse(s, format: $0) } ?? parseISO(s, dateOnly: dateOnly)
            if let parsed {
                out.append(parsed)
            } else if !sawFirst && format == nil {
                throw FnError.runtime("character string is not in a standard unambiguous format")
            } else {
                out.append(NA.double)
            }
            sawFirst = true
        }
        return out
    }

    /// `origin =`: seconds of a date or date-time (default the epoch).
    static func origin(_ v: Value?) throws(FnError) -> Double {
        guard let v, !v.isNull else { return 0 }
        if v.atomicType == .character {
            return try parseAll([try Unpack.string(v, "origin")], format: nil, dateOnly: false)[0]
        }
        return try secondsOf(v).first ?? 0
    }

    /// ISO 8601 and R's default formats: `YYYY-MM-DD` or `YYYY/MM/DD`, optionally followed by `T`
    /// or a space and `HH:MM`, `HH:MM:SS` or `HH:MM:SS.fff`, then optionally `Z` or an offset
    /// (`+02:00`, `+0200`, `+02`). With `dateOnly`, anything after the date is ignored, as
    /// `as.Date` does.
    static func parseISO(_ text: String, dateOnly: Bool) -> Double? {
        var scanner = Scanner(Array(text.utf8))
        scanner.skipSpaces()
        guard let year = scanner.number(maxDigits: 4, minDigits: 4) else { return nil }
        guard let sep = scanner.peek, sep == UInt8(ascii: "-") || sep == UInt8(ascii: "/") else { return nil }
        scanner.advance()
        guard let month = scanner.number(maxDigits: 2), scanner.take(sep),
              let day = scanner.number(maxDigits: 2) else { return nil }
        guard (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year) else { return nil }
        var seconds = Double(daysFromCivil(year, month, day)) * 86400
        if dateOnly { return seconds }
        scanner.skipSpaces()
        if scanner.take(UInt8(ascii: "T")) || scanner.atDigit {
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
        return scanner.atEnd ? seconds : nil
    }

    /// A subset of `strptime`: `%Y %m %d %H %M %S %OS %y %j %b %B %h %F %T %z %Z %%`; any other
    /// character must match itself, and white space matches any amount of white space.
    static func parse(_ text: String, format: String) -> Double? {
        var s = Scanner(Array(text.utf8))
        let f = Array(format.utf8)
        var year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0.0, offset = 0, yday: Int?
        var i = 0
        while i < f.count {
            let c = f[i]
            if c == 0x20 {
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
            switch f[i] {
            case UInt8(ascii: "Y"): guard let v = s.number(maxDigits: 4) else { return nil }; year = v
            case UInt8(ascii: "y"):
                guard let v = s.number(maxDigits: 2) else { return nil }
                year = v < 69 ? 2000 + v : 1900 + v
            case UInt8(ascii: "m"): guard let v = s.number(maxDigits: 2) else { return nil }; month = v
            case UInt8(ascii: "d"), UInt8(ascii: "e"):
                s.skipSpaces()
                guard let v = s.number(maxDigits: 2) else { return nil }; day = v
            case UInt8(ascii: "H"): guard let v = s.number(maxDigits: 2) else { return nil }; hour = v
            case UInt8(ascii: "M"): guard let v = s.number(maxDigits: 2) else { return nil }; minute = v
            case UInt8(ascii: "S"): guard let v = s.number(maxDigits: 2) else { return nil }; second = Double(v)
            case UInt8(ascii: "j"): guard let v = s.number(maxDigits: 3) else { return nil }; yday = v
            case UInt8(ascii: "O"):
                guard i + 1 < f.count, f[i + 1] == UInt8(ascii: "S") else { return nil }
                i += 1
                while i + 1 < f.count, f[i + 1] >= 0x30 && f[i + 1] <= 0x39 { i += 1 }
                guard let v = s.number(maxDigits: 2) else { return nil }
                second = Double(v)
                if s.take(UInt8(ascii: ".")) {
                    var scale = 0.1
                    while let d = s.digit() { second += Double(d) * scale; scale /= 10 }
                }
            case UInt8(ascii: "b"), UInt8(ascii: "B"), UInt8(ascii: "h"):
                guard let m = s.monthName() else { return nil }; month = m
            case UInt8(ascii: "F"):
                guard let y = s.number(maxDigits: 4), s.take(UInt8(ascii: "-")), let m = s.number(maxDigits: 2),
                      s.take(UInt8(ascii: "-")), let d = s.number(maxDigits: 2) else { return nil }
                (year, month, day) = (y, m, d)
            case UInt8(ascii: "T"):
                guard let h = s.number(maxDigits: 2), s.take(UInt8(ascii: ":")), let m = s.number(maxDigits: 2),
                      s.take(UInt8(ascii: ":")), let sec = s.number(maxDigits: 2) else { return nil }
                (hour, minute, second) = (h, m, Double(sec))
            case UInt8(ascii: "z"):
                guard let sign = s.peek, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") else {
                    if s.take(UInt8(ascii: "Z")) { break }
                    return nil
                }
                s.advance()
                guard let oh = s.number(maxDigits: 2, minDigits: 2) else { return nil }
                _ = s.take(UInt8(ascii: ":"))
                let om = s.number(maxDigits: 2, minDigits: 2) ?? 0
                offset = (sign == UInt8(ascii: "+") ? 1 : -1) * (oh * 3600 + om * 60)
            case UInt8(ascii: "Z"):
                while let b = s.peek, (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) { s.advance() }
            case UInt8(ascii: "%"): guard s.take(UInt8(ascii: "%")) else { return nil }
            default: return nil
            }
            i += 1
        }
        guard (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year), hour <= 24, minute <= 59,
              second < 62 else { return nil }
        var days = daysFromCivil(year, month, day)
        if let yday { days = daysFromCivil(year, 1, 1) + yday - 1 }
        return Double(days) * 86400 + Double(hour * 3600 + minute * 60) + second - Double(offset)
    }

    private static func daysIn(month: Int, year: Int) -> Int {
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
        var atEnd: Bool { pos >= bytes.count }
        var atDigit: Bool { peek.map { $0 >= 0x30 && $0 <= 0x39 } ?? false }

        mutating func advance() { pos += 1 }

        mutating func take(_ b: UInt8) -> Bool {
            guard peek == b else { return false }
            pos += 1
            return true
        }

        mutating func skipSpaces() {
            while let b = peek, b == 0x20 || b == 0x09 { pos += 1 }
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

        mutating func monthName() -> Int? {
            let names = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
            let full = ["january", "february", "march", "april", "may", "june", "july", "august", "september",
                        "october", "november", "december"]
            let rest = String(decoding: bytes[pos...], as: UTF8.self).lowercased()
            for (i, name) in full.enumerated() where rest.hasPrefix(name) {
                pos += name.utf8.count
                return i + 1
            }
            for (i, name) in names.enumerated() where rest.hasPrefix(name) {
                pos += 3
                return i + 1
            }
            return nil
        }
    }
}
