/// `print(df)` as R prints a data frame: each column formatted as `format` does (numbers with a
/// common number of significant digits, strings unquoted, factors as their labels, `<NA>` for a
/// missing string or level), right-aligned under its name, row names left-aligned, and the
/// columns wrapped to R's 80-character width.
extension BuiltinRegistry {
    mutating func registerDataFramePrint() {
        define("print.data.frame", ["x", "...", "digits", "quote", "right", "row.names"]) { args, ip throws(FnError) in
            let x = try args.required(0, "x")
            let digits = try Unpack.int(args[2], "digits", default: 7)
            let right = try Unpack.flag(args[4], "right", default: true)
            let showRowNames = try Unpack.flag(args[5], "row.names", default: true)
            ip.output(.stdout, try DataFrame.printed(x, digits: digits, rowNames: showRowNames, right: right, ip))
            ip.visible = false
            return x
        }
        define("format.data.frame", ["x", "...", "digits"]) { args, ip throws(FnError) in
            let x = try args.required(0, "x")
            guard case .list(var l) = x else { return x }
            let digits = try Unpack.int(args[2], "digits", default: 7)
            l.elements = try l.elements.map { c throws(FnError) in
                if c.attributes == nil, let s = c.storage, s.type != .character {
                    // Numbers and logicals padded to a common width, NA included (R's format).
                    let cells = formatElements(s, quote: false, digits: digits)
                    let width = cells.map(\.count).max() ?? 0
                    return Value(Vector(.character(cells.map { String(repeating: " ", count: width - $0.count) + $0 })))
                }
                return Value(Vector(.character(try DataFrame.cells(c, digits: digits, ip, missing: "NA"))))
            }
            return .list(l)
        }
    }
}

extension DataFrame {
    /// The text `print(df)` writes.
    static func printed(_ x: Value, digits: Int, rowNames showRowNames: Bool, right: Bool = true, _ ip: Interpreter)
        throws(FnError) -> String
    {
        guard case .list(let l) = x else { return "" }
        let nr = rowCount(x)
        let names = l.names ?? Array(repeating: "", count: l.count)
        if l.count == 0 { return "data frame with 0 columns and \(nr) row\(nr == 1 ? "" : "s")\n" }
        if nr == 0 {
            return formatUnquoted(names, names: nil) + "<0 rows> (or 0-length row.names)\n"
        }
        var columns: [(header: String, cells: [String], width: Int)] = []
        for (j, c) in l.elements.enumerated() {
            var cells = try self.cells(c, digits: digits, ip, missing: "<NA>")
            if !right, c.attributes == nil, let t = c.atomicType, t != .character {
                // Numbers keep their common width (format's padding) when left-aligned.
                let w = cells.map(textWidth).max() ?? 0
                cells = cells.map { padded($0, w, true) }
            }
            let width = max(cells.map(textWidth).max() ?? 0, textWidth(names[j]))
            columns.append((names[j], cells, width))
        }
        let labels = showRowNames ? rowLabels(x) : [String](repeating: "", count: nr)
        let rowWidth = labels.map(textWidth).max() ?? 0
        var out = ""
        var start = 0
        repeat {
            var end = start, used = rowWidth
            // R starts a new block when a line would reach 80 characters.
            while end < columns.count && (end == start || used + 1 + columns[end].width < 80) {
                used += 1 + columns[end].width
                end += 1
            }
            var line = String(repeating: " ", count: rowWidth)
            for j in start..<end { line += " " + padded(columns[j].header, columns[j].width, right) }
            out += line + "\n"
            for i in 0..<nr {
                line = labels[i] + String(repeating: " ", count: rowWidth - textWidth(labels[i]))
                for j in start..<end { line += " " + padded(columns[j].cells[i], columns[j].width, right) }
                out += line + "\n"
            }
            start = end
        } while start < columns.count
        return out
    }

    /// One column's cells as `format` gives them, `missing` for NA strings and levels.
    static func cells(_ c: Value, digits: Int, _ ip: Interpreter, missing: String) throws(FnError) -> [String] {
        if Factors.isFactor(c) { return Factors.labels(c).map { $0 ?? missing } }
        if c.classAttribute != nil, let format = Dispatch.internalDefault(ip, "format") {
            let formatted = try ip.callFunction(.builtin(format), [c], names: [nil])
            return formatted.storage?.strings().map { $0 ?? missing } ?? []
        }
        switch c {
        case .list(let inner):
            return inner.elements.map { e in
                (e.storage?.strings() ?? []).map { $0 ?? "NA" }.joined(separator: ", ")
            }
        default:
            guard let s = c.storage else { return [] }
            if s.type == .character { return s.strings().map { $0 ?? missing } }
            return formatElements(s, quote: false, digits: digits)
        }
    }

    private static func textWidth(_ s: String) -> Int { s.unicodeScalars.count }

    private static func padded(_ s: String, _ width: Int, _ right: Bool) -> String {
        let pad = String(repeating: " ", count: max(0, width - textWidth(s)))
        return right ? pad + s : s + pad
    }
}
