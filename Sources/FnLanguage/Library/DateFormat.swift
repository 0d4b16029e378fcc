/// Writing dates and date-times as text: R's `format.Date` / `format.POSIXct` with the `%`
/// conversion codes of C's `strftime` that R documents, in UTC (fn's only time zone).

/// Formats POSIXct (seconds) or Date (days) values with a `strftime` pattern. Without a pattern,
/// a Date shows as `%Y-%m-%d` and date-times as R chooses: `%Y-%m-%d` when every time is
/// midnight, else `%Y-%m-%d %H:%M:%S`. `zone` appends the zone name, as `print` shows them.
func formatTimes(_ v: Value, pattern: String?, zone: Bool = false) -> Value {
    let isDate = Time.isDate(v)
    let values = v.storage?.doubles() ?? []
    let seconds = isDate ? values.map { $0 * 86400 } : values
    let zoneName = Time.zoneName(v)
    let chosen: String
    if let pattern {
        chosen = pattern
    } else if isDate || seconds.allSatisfy({ !$0.isFinite || ($0 / 86400).rounded(.down) * 86400 == $0 }) {
        chosen = "%Y-%m-%d"
    } else {
        chosen = "%Y-%m-%d %H:%M:%S"
    }
    let out: [String?] = seconds.map { x in
        guard x.isFinite else { return nil }
        var text = DateFormat.strftime(x, chosen, zone: zoneName)
        if zone && !isDate { text += " " + zoneName }
        return text
    }
    return Value(Vector(.character(out), names: v.names))
}

enum DateFormat {
    static let monthNames = ["January", "February", "March", "April", "May", "June", "July", "August",
                             "September", "October", "November", "December"]
    static let dayNames = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]

    /// The parts of a UTC time.
    struct Parts {
        var year, month, day, hour, minute, second: Int
        /// 0 = Sunday.
        var weekday: Int
        /// 0-based day of the year.
        var yearDay: Int
        /// Seconds with their fraction.
        var exactSecond: Double

        init(_ seconds: Double) {
            let whole = seconds.rounded(.down)
            let days = Int((whole / 86400).rounded(.down))
            let secondOfDay = Int(whole - Double(days) * 86400)
            (year, month, day) = civilDate(fromDays: days)
            hour = secondOfDay / 3600
            minute = secondOfDay / 60 % 60
            second = secondOfDay % 60
            weekday = ((days % 7) + 11) % 7  // 1970-01-01 was a Thursday.
            yearDay = days - daysFromCivil(year, 1, 1)
            exactSecond = seconds - whole + Double(second)
        }
    }

    /// C's `strftime` on UTC seconds for the codes R documents, in the C locale: %Y %y %C %m %d %e
    /// %H %k %I %l %p %M %S %OSn %j %U %W %V %G %g %u %w %a %A %b %h %B %c %x %X %F %T %D %R %Z %z %s
    /// %n %t %%.
    static func strftime(_ seconds: Double, _ pattern: String, zone: String = "UTC") -> String {
        let p = Parts(seconds)
        var out = ""
        let it = Array(pattern)
        var i = 0
        while i < it.count {
            let c = it[i]
            guard c == "%", i + 1 < it.count else {
                out.append(c)
                i += 1
                continue
            }
            i += 1
            switch it[i] {
            case "Y": out += String(p.year)
            case "y": out += two(((p.year % 100) + 100) % 100)
            case "C": out += two(p.year / 100)
            case "m": out += two(p.month)
            case "d": out += two(p.day)
            case "e": out += p.day < 10 ? " \(p.day)" : String(p.day)
            case "H": out += two(p.hour)
            case "I": out += two(p.hour % 12 == 0 ? 12 : p.hour % 12)
            case "p": out += p.hour < 12 ? "AM" : "PM"
            case "M": out += two(p.minute)
            case "S": out += two(p.second)
            case "j":
                let s = String(p.yearDay + 1)
                out += String(repeating: "0", count: 3 - s.count) + s
            case "U": out += two((p.yearDay + 7 - p.weekday) / 7)
            case "W": out += two((p.yearDay + 7 - (p.weekday + 6) % 7) / 7)
            case "b", "h": out += String(monthNames[p.month - 1].prefix(3))
            case "B": out += monthNames[p.month - 1]
            case "a": out += String(dayNames[p.weekday].prefix(3))
            case "A": out += dayNames[p.weekday]
            case "u": out += String(p.weekday == 0 ? 7 : p.weekday)
            case "w": out += String(p.weekday)
            case "F": out += "\(p.year)-\(two(p.month))-\(two(p.day))"
            case "T": out += "\(two(p.hour)):\(two(p.minute)):\(two(p.second))"
            case "D": out += "\(two(p.month))/\(two(p.day))/\(two(((p.year % 100) + 100) % 100))"
            case "R": out += "\(two(p.hour)):\(two(p.minute))"
            case "V", "G", "g":
                // ISO 8601 week: the week (Monday first) holding the year's first Thursday is 1.
                let days = daysFromCivil(p.year, p.month, p.day)
                let thursday = days - (p.weekday + 6) % 7 + 3
                let (isoYear, _, _) = civilDate(fromDays: thursday)
                let week = (thursday - daysFromCivil(isoYear, 1, 1)) / 7 + 1
                out += it[i] == "V" ? two(week) : it[i] == "G" ? String(isoYear) : two(((isoYear % 100) + 100) % 100)
            case "k": out += p.hour < 10 ? " \(p.hour)" : String(p.hour)
            case "l":
                let h = p.hour % 12 == 0 ? 12 : p.hour % 12
                out += h < 10 ? " \(h)" : String(h)
            case "c": out += strftime(seconds, "%a %b %e %H:%M:%S %Y", zone: zone)
            case "x": out += strftime(seconds, "%m/%d/%y", zone: zone)
            case "X": out += strftime(seconds, "%H:%M:%S", zone: zone)
            case "Z": out += zone
            case "z": out += "+0000"
            case "s": out += String(Int(seconds.rounded(.down)))
            case "n": out += "\n"
            case "t": out += "\t"
            case "%": out += "%"
            case "O" where i + 1 < it.count && it[i + 1] == "S":
                // %OSn: seconds with n decimals, truncated as R does (05.678 shows as 05.677
                // when the stored double is just below it).
                i += 1
                var n = 0
                if i + 1 < it.count, let d = it[i + 1].wholeNumberValue {
                    n = d
                    i += 1
                }
                let scale = (0..<n).reduce(1.0) { q, _ in q * 10 }
                let s = (p.exactSecond * scale).rounded(.down) / scale
                out += n == 0 ? two(p.second) : cFormat("%0\(n + 3).\(n)f", s)
            default:
                out.append("%")
                out.append(it[i])
            }
            i += 1
        }
        return out
    }

    private static func two(_ n: Int) -> String { n < 10 && n >= 0 ? "0\(n)" : String(n) }
}

/// Days since 1970-01-01 to (year, month, day) in the proleptic Gregorian calendar.
func civilDate(fromDays z0: Int) -> (Int, Int, Int) {
    let z = z0 + 719468
    let era = (z >= 0 ? z : z - 146096) / 146097
    let doe = z - era * 146097
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let d = doy - (153 * mp + 2) / 5 + 1
    let m = mp < 10 ? mp + 3 : mp - 9
    return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
}

/// (year, month, day) in the proleptic Gregorian calendar to days since 1970-01-01.
func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
    let y = m <= 2 ? y0 - 1 : y0
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    return era * 146097 + doe - 719468
}
