/// `seq` and `cut` for Dates and date-times: steps of a fixed length (`by = 2`, `"3 days"`,
/// `"hour"`, a difftime) and calendar steps (`"month"`, `"quarter"`, `"year"`), where a month
/// step from the 31st overflows into the next month as R's does.
enum DateSequence {
    /// A step: a fixed number of days (Dates) or seconds (date-times), or a number of months.
    enum Step {
        case fixed(Double)
        case months(Int)
    }

    /// `by =` as a step: a number, a difftime, or `"[-]N unit"`.
    static func step(_ by: Value, dates: Bool) throws(FnError) -> Step {
        if Time.isDifftime(by) {
            let s = Difftime.inSeconds(by).first ?? .nan
            return .fixed(dates ? s / 86400 : s)
        }
        if by.atomicType != .character {
            guard let d = Unpack.firstDouble(by), d.isFinite else { throw FnError.runtime("invalid 'by' argument") }
            return .fixed(d)
        }
        let text = try Unpack.string(by, "by")
        let parts = text.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 1 || parts.count == 2 else { throw FnError.runtime("invalid 'by' string") }
        var count = 1
        if parts.count == 2 {
            guard let n = Int(parts[0]) else { throw FnError.runtime("invalid 'by' string") }
            count = n
        }
        var unit = String(parts[parts.count - 1])
        if unit.hasSuffix("s") { unit.removeLast() }
        let daySeconds: Double = dates ? 1 : 86400
        switch unit {
        case "sec" where !dates: return .fixed(Double(count))
        case "min" where !dates: return .fixed(Double(count) * 60)
        case "hour" where !dates: return .fixed(Double(count) * 3600)
        case "day", "DSTday": return .fixed(Double(count) * daySeconds)
        case "week": return .fixed(Double(count) * 7 * daySeconds)
        case "month": return .months(count)
        case "quarter": return .months(count * 3)
        case "year": return .months(count * 12)
        default: throw FnError.runtime("invalid string for 'by'")
        }
    }

    /// `start` moved by `months` calendar months, day and time of day kept (overflowing as R's
    /// normalisation does: 2024-01-31 plus one month is 2024-03-02).
    static func addMonths(_ start: Double, _ months: Int, dates: Bool) -> Double {
        let unit: Double = dates ? 1 : 86400
        let dayNumber = (start / unit).rounded(.down)
        let rest = start - dayNumber * unit
        let (y, m, d) = civilDate(fromDays: Int(dayNumber))
        let total = y * 12 + (m - 1) + months
        let year = total >= 0 ? total / 12 : (total - 11) / 12
        let month = total - year * 12 + 1
        return Double(daysFromCivil(year, month, 1) + d - 1) * unit + rest
    }

    private static let twoOf = "exactly two of 'to', 'by' and 'length.out' / 'along.with' must be specified"

    /// The numbers of `seq(from, to, by, length.out)` for a start of `start`.
    static func make(start: Double, _ args: Arguments, dates: Bool) throws(FnError) -> [Double] {
        let to = try args[1].map { v throws(FnError) in
            try (dates ? DateOps.days(v) : Time.seconds(v)).first ?? .nan
        }
        var length = try args[3].map { v throws(FnError) in try Unpack.int(v, "length.out", default: 0) }
        if let along = args[4] { length = along.length }
        guard let byValue = args[2] else {
            guard let to, let length else {
                throw FnError.runtime(twoOf)
            }
            if length == 1 { return [start] }
            return (0..<max(length, 0)).map { start + (to - start) * Double($0) / Double(length - 1) }
        }
        let step = try step(byValue, dates: dates)
        if to != nil && length != nil {
            throw FnError.runtime("exactly two of 'to', 'by' and 'length.out' / 'along.with' must be specified")
        }
        var out: [Double] = []
        switch step {
        case .fixed(let by):
            if let length { return (0..<max(length, 0)).map { start + Double($0) * by } }
            guard let to else { throw FnError.runtime(twoOf) }
            guard by != 0 || to == start, (to - start) / by >= 0 || to == start else {
                throw FnError.runtime("wrong sign in 'by' argument")
            }
            let n = by == 0 ? 0 : Int(((to - start) / by + 1e-10).rounded(.down))
            guard n < 10_000_000 else { throw FnError.runtime("'by' argument is much too small") }
            out = (0...n).map { start + Double($0) * by }
        case .months(let k):
            if let length { return (0..<max(length, 0)).map { addMonths(start, $0 * k, dates: dates) } }
            guard let to else { throw FnError.runtime(twoOf) }
            guard k != 0 else { throw FnError.runtime("invalid 'by' argument") }
            var i = 0
            while true {
                let v = addMonths(start, i * k, dates: dates)
                if k > 0 ? v > to : v < to { break }
                out.append(v)
                i += 1
                if i > 1_000_000 { break }
            }
        }
        return out
    }

    /// `cut(x, "month")` for Dates and date-times: intervals starting at the first unit boundary
    /// at or before the earliest time, each labelled by its start.
    static func cut(_ x: Value, _ breaks: Value, _ args: Arguments) throws(FnError) -> Value {
        let dates = Time.isDate(x)
        guard breaks.atomicType == .character else {
            throw FnError.runtime("cut() of times takes breaks as a string such as \"month\" or \"2 weeks\"")
        }
        let text = try Unpack.string(breaks, "breaks")
        let step = try step(breaks, dates: dates)
        var unit = String(text.split(separator: " ").last ?? "")
        if unit.hasSuffix("s") { unit.removeLast() }
        let mondays = try Unpack.flag(args[3], "start.on.monday", default: true)
        let values = x.storage?.doubles() ?? []
        let present = values.filter { $0.isFinite }
        guard let lo = present.min(), let hi = present.max() else {
            return Factors.make(values.map { _ in NA.integer }, [], names: nil, ordered: false)
        }
        let dayUnit: Double = dates ? 1 : 86400
        let day = (lo / dayUnit).rounded(.down)
        var start: Double
        switch unit {
        case "sec": start = lo.rounded(.down)
        case "min": start = (lo / 60).rounded(.down) * 60
        case "hour": start = (lo / 3600).rounded(.down) * 3600
        case "week":
            let weekday = ((Int(day) % 7) + 11) % 7
            start = (day - Double(mondays ? (weekday + 6) % 7 : weekday)) * dayUnit
        case "month", "quarter", "year":
            let (y, m, _) = civilDate(fromDays: Int(day))
            let first = unit == "year" ? 1 : unit == "quarter" ? (m - 1) / 3 * 3 + 1 : m
            start = Double(daysFromCivil(y, first, 1)) * dayUnit
        default: start = day * dayUnit
        }
        var edges: [Double] = [start]
        var i = 1
        while edges[edges.count - 1] <= hi {
            switch step {
            case .fixed(let by):
                guard by > 0 else { throw FnError.runtime("invalid specification of 'breaks'") }
                edges.append(start + Double(i) * by)
            case .months(let k):
                guard k > 0 else { throw FnError.runtime("invalid specification of 'breaks'") }
                edges.append(addMonths(start, i * k, dates: dates))
            }
            i += 1
        }
        let codes = values.map { v -> Int32 in
            guard v.isFinite else { return NA.integer }
            var k = 0
            while k + 1 < edges.count && edges[k + 1] <= v { k += 1 }
            return Int32(k + 1)
        }
        let starts = Array(edges.dropLast())
        let labelled = dates ? Time.date(starts, names: nil) : Time.posixct(starts, names: nil, tz: "")
        var labels = characterElements(formatTimes(labelled, pattern: nil)).map { $0 ?? "NA" }
        if case .logical(0)? = args[2] {
            return Value(Vector(.integer(codes)))
        }
        if let given = args[2], !given.isNull {
            labels = characterElements(given).map { $0 ?? "NA" }
            guard labels.count == starts.count else {
                throw FnError.runtime("number of intervals and length of 'labels' differ")
            }
        }
        return Factors.make(codes, labels, names: nil, ordered: false)
    }
}
