#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The process environment and clock (`Sys.getenv`, `Sys.setenv`, `Sys.time`, `Sys.sleep`, `Sys.Date`) and
/// `stopifnot`. Times are shown in UTC, the time zone Lambda runs in.
extension BuiltinRegistry {
    mutating func registerSystem() {
        define("Sys.getenv", ["x", "unset", "names"]) { args, _ throws(FnError) in
            let unset = try args[1].map { v throws(FnError) -> String? in
                if case .character(nil) = v { return nil }
                if case .logical(NA.logical) = v { return nil }  // `unset = NA`
                return try Unpack.string(v, "unset")
            } ?? ""
            guard let x = args[0], !x.isNull else { return allEnvironment() }
            guard x.atomicType == .character, let s = x.storage else { throw FnError.runtime("wrong type for argument") }
            let keys = s.strings()
            let values: [String?] = keys.map { k in
                guard let k, let p = getenv(k) else { return unset }
                return String(cString: p)
            }
            let useNames: Bool
            if let n = args[2], let b = n.storage?.logicals().first, b != NA.logical { useNames = b != 0 } else {
                useNames = keys.count > 1
            }
            return Value(.character(values), names: useNames ? keys.map { $0 ?? "NA" } : nil)
        }
        define("Sys.setenv", ["..."]) { args, _ throws(FnError) in
            var out: [Int8] = []
            for (i, v) in args.dots.enumerated() {
                guard let name = args.dotNames[i], !name.isEmpty else {
                    throw FnError.runtime("all arguments must be named")
                }
                let value = characterElements(v).first.flatMap { $0 } ?? "NA"
                out.append(setenv(name, value, 1) == 0 ? 1 : 0)
            }
            return Value(.logical(out))
        }
        define("Sys.unsetenv", ["x"]) { args, _ throws(FnError) in
            let keys = characterElements(try args.required(0, "x"))
            return Value(.logical(keys.map { k in k.map { unsetenv($0) == 0 ? 1 : 0 } ?? 0 }))
        }
        define("Sys.time", []) { _, _ throws(FnError) in
            var ts = timespec()
            clock_gettime(CLOCK_REALTIME, &ts)
            let seconds = Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
            return .vector(Vector(.double([seconds]), classes: ["POSIXct", "POSIXt"]))
        }
        define("Sys.sleep", ["time"]) { args, ip throws(FnError) in
            // R reads the first element as a number (a string that is not one is NA, with R's warning).
            let v = try args.required(0, "time")
            let time = v.storage.flatMap { $0.doubles().first } ?? .nan
            if case .character(let strings)? = v.storage, strings.first != nil, strings[0] != nil, time.isNaN {
                ip.warn("NAs introduced by coercion")
            }
            guard !time.isNaN, time >= 0 else { throw FnError.runtime("invalid 'time' value") }
            // In slices, so an invocation's deadline (or Ctrl-C) ends the sleep as it ends a loop.
            func seconds() -> Double { Double(Clock.monotonicNanoseconds()) / 1e9 }
            let until = seconds() + min(time, 1e9)
            while true {
                if ip.cancellation.isCancelled {
                    throw FnError.cancelled()
                }
                let left = until - seconds()
                if left <= 0 { break }
                let slice = min(left, 0.05)
                var request = timespec(tv_sec: Int(slice), tv_nsec: Int((slice - slice.rounded(.down)) * 1e9))
                _ = nanosleep(&request, nil)  // woken early by a signal: the loop measures again
            }
            ip.visible = false
            return .null
        }
        define("Sys.Date", []) { _, _ throws(FnError) in
            var ts = timespec()
            clock_gettime(CLOCK_REALTIME, &ts)
            let days = (Double(ts.tv_sec) / 86400).rounded(.down)
            return .vector(Vector(.double([days]), classes: ["Date"]))
        }
        define("stopifnot", ["..."]) { args, _ throws(FnError) in
            for (i, v) in args.dots.enumerated() {
                let ok: Bool
                if case .logical(1) = v { continue }
                if v.atomicType == .logical, let s = v.storage {
                    ok = s.logicals().allSatisfy { $0 == 1 }
                } else {
                    ok = false
                }
                if ok { continue }
                if let name = args.dotNames[i], !name.isEmpty { throw FnError.runtime(name) }
                // The evaluator passes values, not expressions, so the argument is named by position.
                let verb = v.length == 1 ? "is not TRUE" : "are not all TRUE"
                throw FnError.runtime("argument \(i + 1) \(verb)")
            }
            return .null
        }
    }
}

/// `Sys.getenv()`: every variable, sorted by name, as a named character vector.
private func allEnvironment() -> Value {
    var pairs: [(String, String)] = []
    var p = environ
    while let entry = p.pointee {
        let text = String(cString: entry)
        if let eq = text.firstIndex(of: "=") {
            pairs.append((String(text[..<eq]), String(text[text.index(after: eq)...])))
        }
        p += 1
    }
    pairs.sort { collate($0.0, $1.0) < 0 }
    return Value(.character(pairs.map { $0.1 }), names: pairs.map { $0.0 })
}

/// Formats POSIXct (seconds) or Date (days) values with a strftime-like pattern, in UTC.
/// `zone` appends " UTC" to date-times, as `print` shows them.
func formatTimes(_ v: Value, pattern: String?, zone: Bool = false) -> Value {
    let isDate = v.classAttribute?.contains("Date") == true
    let values = v.storage?.doubles() ?? []
    let out: [String?] = values.map { x in
        guard x.isFinite else { return nil }
        let seconds = isDate ? x * 86400 : x
        var text = strftime(seconds, pattern ?? (isDate ? "%Y-%m-%d" : "%Y-%m-%d %H:%M:%S"))
        if zone && !isDate { text += " UTC" }
        return text
    }
    return Value(.character(out), names: v.names)
}

private func twoDigits(_ n: Int) -> String { n < 10 ? "0\(n)" : String(n) }

/// A subset of C's `strftime` on UTC seconds: %Y %m %d %H %M %S %j %y %b %B %a %A %F %T %Z %z %e %p
/// %I %u %w %s %OSn and %%.
private func strftime(_ seconds: Double, _ pattern: String) -> String {
    let whole = seconds.rounded(.down)
    let days = Int((whole / 86400).rounded(.down))
    let secondOfDay = Int(whole - Double(days) * 86400)
    let (year, month, day) = civilDate(fromDays: days)
    let hour = secondOfDay / 3600, minute = secondOfDay / 60 % 60, second = secondOfDay % 60
    let weekday = ((days % 7) + 11) % 7 // 0 = Sunday; 1970-01-01 was a Thursday.
    let monthNames = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                      "October", "November", "December"]
    let dayNames = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
    let dayOfYear = days - daysFromCivil(year, 1, 1) + 1
    var out = ""
    var it = Array(pattern)
    var i = 0
    while i < it.count {
        let c = it[i]
        guard c == "%", i + 1 < it.count else { out.append(c); i += 1; continue }
        i += 1
        switch it[i] {
        case "Y": out += String(year)
        case "y": out += twoDigits(((year % 100) + 100) % 100)
        case "m": out += twoDigits(month)
        case "d": out += twoDigits(day)
        case "e": out += day < 10 ? " \(day)" : String(day)
        case "H": out += twoDigits(hour)
        case "I": out += twoDigits(hour % 12 == 0 ? 12 : hour % 12)
        case "p": out += hour < 12 ? "AM" : "PM"
        case "M": out += twoDigits(minute)
        case "S": out += twoDigits(second)
        case "j":
            let s = String(dayOfYear)
            out += String(repeating: "0", count: 3 - s.count) + s
        case "b", "h": out += String(monthNames[month - 1].prefix(3))
        case "B": out += monthNames[month - 1]
        case "a": out += String(dayNames[weekday].prefix(3))
        case "A": out += dayNames[weekday]
        case "u": out += String(weekday == 0 ? 7 : weekday)
        case "w": out += String(weekday)
        case "F": out += "\(year)-\(twoDigits(month))-\(twoDigits(day))"
        case "T": out += "\(twoDigits(hour)):\(twoDigits(minute)):\(twoDigits(second))"
        case "Z": out += "UTC"
        case "z": out += "+0000"
        case "s": out += String(Int(whole))
        case "%": out += "%"
        case "O" where i + 1 < it.count && it[i + 1] == "S":
            // %OSn: seconds with n decimals.
            i += 1
            var n = 0
            if i + 1 < it.count, let d = it[i + 1].wholeNumberValue { n = d; i += 1 }
            // R truncates to n decimals rather than rounding (05.678 shows as 05.677 when the
            // stored double is just below it).
            let scale = (0..<n).reduce(1.0) { p, _ in p * 10 }
            let s = ((seconds - (whole - Double(second))) * scale).rounded(.down) / scale
            out += n == 0 ? twoDigits(second) : cFormat("%0\(n + 3).\(n)f", s)
        default: out.append("%"); out.append(it[i])
        }
        i += 1
    }
    it.removeAll()
    return out
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

func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
    let y = m <= 2 ? y0 - 1 : y0
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    return era * 146097 + doe - 719468
}
