/// `summary()` as R gives and prints it: the six-number summary of a numeric vector (class
/// "summaryDefault" "table", printed with 4 significant digits), counts for a factor and a logical
/// vector, length/class/mode for a character vector and a list, and the table of per-column
/// summaries of a data frame.
extension BuiltinRegistry {
    mutating func registerSummary() {
        define("summary", ["object", "maxsum", "digits", "..."]) { args, ip throws(FnError) in
            try Summary.of(try args.required(0, "object"), ip)
        }
        define("print.summaryDefault", ["x", "digits", "quote", "..."]) { args, ip throws(FnError) in
            let x = try args.required(0, "x")
            let digits = try Unpack.int(args[1], "digits", default: 4)
            let cells = try Summary.formatted(x, digits: digits, ip)
            ip.output(.stdout, formatUnquoted(cells, names: x.names ?? Array(repeating: "", count: cells.count)))
            ip.visible = false
            return x
        }
        define("format.summaryDefault", ["x", "digits", "..."]) { args, ip throws(FnError) in
            let x = try args.required(0, "x")
            let digits = try Unpack.int(args[1], "digits", default: 4)
            return Value(Vector(.character(try Summary.formatted(x, digits: digits, ip)), names: x.names))
        }
    }
}

enum Summary {
    static let summaryClasses = ["summaryDefault", "table"]

    static func of(_ x: Value, _ ip: Interpreter) throws(FnError) -> Value {
        if DataFrame.isDataFrame(x) { return try frame(x, ip) }
        if let d = x.dim, d.count == 2, let s = x.storage, !Factors.isFactor(x) {
            // A matrix is summarised column by column, as a data frame of its columns.
            var names = (0..<d[1]).map { "V\($0 + 1)" }
            if case .list(let dn)? = x.attribute("dimnames"), dn.count == 2, let given = dn.elements[1].storage?.strings() {
                names = given.map { $0 ?? "NA" }
            }
            let columns = (0..<d[1]).map { j in Value(Vector(s.gathered(Array((j * d[0])..<((j + 1) * d[0]))))) }
            return try frame(DataFrame.make(columns, names: names), ip)
        }
        if Factors.isFactor(x) {
            let levels = Factors.levels(x)
            var counts = [Int32](repeating: 0, count: levels.count)
            var missing: Int32 = 0
            for c in Factors.codes(x) {
                if c == NA.integer { missing += 1 } else { counts[Int(c) - 1] += 1 }
            }
            if missing > 0 { return Value(Vector(.integer(counts + [missing]), names: levels + ["NA's"])) }
            return Value(Vector(.integer(counts), names: levels))
        }
        switch x {
        case .list(let l):
            return listTable(l)
        case .null:
            return classed(.character(["0", "NULL", "NULL"]), ["Length", "Class", "Mode"])
        case .vector:
            break
        default:
            let mode = x.isFunction ? "function" : x.typeName
            return classed(.character(["1", "-none-", mode]), ["Length", "Class", "Mode"])
        }
        guard let s = x.storage else { return .null }
        switch s.type {
        case .logical:
            let flags = s.logicals()
            var names = ["Mode"], values = ["logical"]
            let f = flags.filter { $0 == 0 }.count, t = flags.filter { $0 == 1 }.count, m = flags.count - f - t
            if f > 0 { names.append("FALSE"); values.append(String(f)) }
            if t > 0 { names.append("TRUE"); values.append(String(t)) }
            if m > 0 { names.append("NA's"); values.append(String(m)) }
            return classed(.character(values), names)
        case .character:
            return classed(.character([String(s.count), "character", "character"]), ["Length", "Class", "Mode"])
        case .integer, .double:
            let all = s.doubles()
            let present = all.filter { !$0.isNaN }
            let missing = all.count - present.count
            var values: [Double]
            if present.isEmpty {
                values = [Double](repeating: NA.double, count: 6)
                values[3] = .nan
            } else {
                let q = try ip.callFunction(try Unpack.function(.character("quantile"), ip),
                                            [Value(Vector(.double(present)))], names: [nil]).storage?.doubles() ?? []
                let mean = try ip.callFunction(try Unpack.function(.character("mean"), ip),
                                               [Value(Vector(.double(present)))], names: [nil]).storage?.doubles() ?? []
                values = Array(q[0..<3]) + mean + Array(q[3..<5])
            }
            var names = ["Min.", "1st Qu.", "Median", "Mean", "3rd Qu.", "Max."]
            if missing > 0 {
                values.append(Double(missing))
                names.append("NA's")
            }
            return classed(.double(values), names)
        }
    }

    static func classed(_ s: Storage, _ names: [String]) -> Value {
        .vector(Vector(s, names: names, classes: summaryClasses))
    }

    /// `format(summary)`: numbers zapped to 7 digits, then written with `digits` significant digits
    /// in one common layout; the NA count as a plain number; text as is.
    static func formatted(_ x: Value, digits: Int, _ ip: Interpreter) throws(FnError) -> [String] {
        guard let s = x.storage else { return [] }
        if s.type == .character { return s.strings().map { $0 ?? "NA" } }
        var values = s.doubles()
        var count: String?
        if x.names?.last == "NA's" {
            count = NumberFormat.r15(values.removeLast())
        }
        let finite = values.indices.filter { values[$0].isFinite }
        if !finite.isEmpty {
            let zapped = try ip.callFunction(try Unpack.function(.character("zapsmall"), ip),
                                             [Value(Vector(.double(finite.map { values[$0] })))], names: [nil])
            for (k, v) in zip(finite, zapped.storage?.doubles() ?? []) { values[k] = v }
        }
        var cells = s.type == .integer && count == nil
            ? values.map { $0.isNaN ? "NA" : String(Int($0)) } : NumberFormat.format(values, digits: digits)
        if let count { cells.append(count) }
        return cells
    }

    /// `summary(list)`: a character matrix of each element's length, class and mode.
    static func listTable(_ l: List) -> Value {
        var cells: [String?] = []
        let n = l.count
        var lengths: [String] = [], classes: [String] = [], modes: [String] = []
        for e in l.elements {
            lengths.append(String(e.length))
            classes.append(e.classAttribute?.first ?? "-none-")
            modes.append(mode(e))
        }
        cells = lengths + classes + modes
        let rowNames: Value = l.names.map { Value(Vector(.character($0))) } ?? .null
        let attributes = AttributeList([
            ("dim", Value(Vector(.integer([Int32(n), 3])))),
            ("dimnames", .list(List([rowNames, Value(Vector(.character(["Length", "Class", "Mode"])))]))),
            ("class", Value(Vector(.character(["table"])))),
        ])
        return .vector(Vector(.character(cells), names: nil, attributes: attributes))
    }

    /// R's `mode()`.
    static func mode(_ v: Value) -> String {
        switch v {
        case .null: return "NULL"
        case .list: return "list"
        case .language: return "call"
        case .symbol: return "name"
        case .environment: return "environment"
        default:
            if v.isFunction { return "function" }
            switch v.atomicType {
            case .integer?, .double?: return "numeric"
            case .logical?: return "logical"
            case .character?: return "character"
            case nil: return v.typeName
            }
        }
    }

    /// `summary(data.frame)`: per column, `label:value  ` cells (labels padded to a common width),
    /// as a character "table" whose column names are centred over the cells as R centres them.
    static func frame(_ df: Value, _ ip: Interpreter) throws(FnError) -> Value {
        guard case .list(let l) = df else { return .null }
        var columns: [[String]] = []
        var labelWidths: [Int] = []
        for column in l.elements {
            let s = try of(column, ip)
            let names = s.names ?? []
            let values: [String]
            if s.classAttribute?.contains("summaryDefault") == true {
                values = try formatted(s, digits: 4, ip)
            } else {
                values = s.storage?.strings().map { $0 ?? "NA" } ?? []
            }
            let labels = leftPadded(names)
            let cells = leftPadded(values)
            columns.append(zip(labels, cells).map { $0 + ":" + $1 + "  " })
            labelWidths.append(labels.first?.count ?? 0)
        }
        let rows = columns.map(\.count).max() ?? 0
        var cells: [String?] = []
        for c in columns { cells += c.map { Optional($0) } + [String?](repeating: nil, count: rows - c.count) }
        let names = l.names ?? []
        let headers = zip(names, labelWidths).map { (name, w) -> String in
            let pad = Int((Double(w) - Double(name.count) / 2).rounded(.down))
            return String(repeating: " ", count: max(pad, 0)) + name
        }
        let attributes = AttributeList([
            ("dim", Value(Vector(.integer([Int32(rows), Int32(columns.count)])))),
            ("dimnames", .list(List([Value(Vector(.character([String?](repeating: "", count: rows)))),
                                     Value(Vector(.character(headers)))]))),
            ("class", Value(Vector(.character(["table"])))),
        ])
        return .vector(Vector(.character(cells), names: nil, attributes: attributes))
    }

    /// Strings padded on the right to their common width (`format()` of text).
    static func leftPadded(_ s: [String]) -> [String] {
        let w = s.map(\.count).max() ?? 0
        return s.map { $0 + String(repeating: " ", count: w - $0.count) }
    }

    /// A character table as `print.table` shows it: unquoted, left-aligned, NA blank, row labels
    /// from the dimnames (or `[1,]`), column headers left-aligned over their cells.
    static func printedCharacterTable(_ x: Value) -> String? {
        guard let d = x.dim, d.count == 2, let s = x.storage, s.type == .character else { return nil }
        let (nr, nc) = (d[0], d[1])
        let cells = s.strings().map { $0 ?? "" }
        var rowLabels = (0..<nr).map { "[\($0 + 1),]" }
        var colLabels = (0..<nc).map { "[,\($0 + 1)]" }
        if case .list(let dn)? = x.attribute("dimnames") {
            if dn.count > 0, let r = dn.elements[0].storage?.strings() { rowLabels = r.map { $0 ?? "<NA>" } }
            if dn.count > 1, let c = dn.elements[1].storage?.strings() { colLabels = c.map { $0 ?? "<NA>" } }
        }
        let rowWidth = rowLabels.map(\.count).max() ?? 0
        var widths: [Int] = []
        for j in 0..<nc {
            widths.append(max(colLabels[j].count, (0..<nr).map { cells[$0 + j * nr].count }.max() ?? 0))
        }
        func pad(_ t: String, _ w: Int) -> String { t + String(repeating: " ", count: max(w - t.count, 0)) }
        var out = pad("", rowWidth)
        for j in 0..<nc { out += " " + pad(colLabels[j], widths[j]) }
        out += "\n"
        for i in 0..<nr {
            out += pad(rowLabels[i], rowWidth)
            for j in 0..<nc { out += " " + pad(cells[i + j * nr], widths[j]) }
            out += "\n"
        }
        return out
    }
}
