/// Output: `print` (R's layout, via `formatForPrint`), `cat`, `message`, `writeLines`, and the
/// `stdout()`/`stderr()` connections they accept.
extension BuiltinRegistry {
    mutating func registerPrinting() {
        define("print", ["x", "digits", "quote", "..."]) { args, ip throws(FnError) in
            let x = try args.required(0, "x")
            // The default is getOption("digits"), as in R.
            var fallback = 7
            if let o = ip.option("digits"), let d = o.storage?.doubles().first, d.isFinite { fallback = Int(d) }
            let digits = try Unpack.int(args[1], "digits", default: fallback)
            if try !Unpack.flag(args[2], "quote", default: true), x.atomicType == .character {
                ip.output(.stdout, formatUnquoted(x))
                ip.visible = false
                return x
            }
            ip.output(.stdout, try formatForPrint(x, digits: min(max(digits, 1), 22), ip))
            ip.visible = false
            return x
        }
        define("noquote", ["obj", "right"]) { args, _ throws(FnError) in
            var x = try args.required(0, "obj")
            let classes = x.classAttribute ?? []
            if !classes.contains("noquote") { try Attributes.setClass(&x, ["noquote"] + classes) }
            return x
        }
        define("print.noquote", ["x", "..."]) { args, ip throws(FnError) in
            let x = try args.required(0, "x")
            var plain = x
            let rest = (x.classAttribute ?? []).filter { $0 != "noquote" }
            try Attributes.setClass(&plain, rest.isEmpty ? nil : rest)
            ip.output(.stdout, formatUnquoted(plain))
            ip.visible = false
            return x
        }
        define("cat", ["...", "file", "sep", "fill", "labels", "append"]) { args, ip throws(FnError) in
            let seps = try args[2].map { v throws(FnError) in
                guard let s = v.storage, s.type == .character, s.count > 0 else {
                    throw FnError.runtime("invalid 'sep' specification")
                }
                return s.strings().map { $0 ?? "NA" }
            } ?? [" "]
            var items: [String] = []
            for (k, v) in args.dots.enumerated() {
                try appendCatItems(v, argument: k + 1, to: &items)
            }
            var text = ""
            for (i, item) in items.enumerated() {
                if i > 0 { text += seps[(i - 1) % seps.count] }
                text += item
            }
            // R ends the output with a newline when a separator contains one, or with fill = TRUE.
            if try Unpack.flag(args[3], "fill", default: false) || seps.contains(where: { $0.contains("\n") }) {
                text += "\n"
            }
            ip.output(try connection(args[1]), text)
            ip.visible = false
            return .null
        }
        define("message", ["...", "domain", "appendLF"]) { args, ip throws(FnError) in
            let appendLF = try Unpack.flag(args[2], "appendLF", default: true)
            var text = ""
            var condition: Value?
            for v in args.dots {
                if case .list(let l) = v, l.classes?.contains("condition") == true {
                    // message(cond) signals cond itself, and prints its message as is.
                    text += characterElements(l.element(named: "message") ?? .null).first.flatMap { $0 } ?? ""
                    condition = v
                    continue
                }
                for s in characterElements(v) { text += s ?? "NA" }
            }
            if condition == nil && appendLF { text += "\n" }
            ip.visible = false
            let cond = condition ?? .list(List(
                [.character(text), ip.callerText.map { .character($0) } ?? .null], names: ["message", "call"],
                classes: ["simpleMessage", "message", "condition"]))
            switch try ip.signal(cond, restart: "muffleMessage") {
            case .muffled: return .null
            case .unwind:
                var e = FnError(.runtime, text)
                e.condition = cond
                throw e
            case .proceed:
                ip.output(.stderr, text)
                return .null
            }
        }
        define("writeLines", ["text", "con", "sep", "useBytes"]) { args, ip throws(FnError) in
            let sep = try Unpack.string(args[2], "sep", default: "\n")
            let text = args[0] ?? .character("")
            guard text.atomicType == .character || text.isNull else {
                throw FnError.runtime("can only write character objects")
            }
            var out = ""
            for s in characterElements(text) { out += (s ?? "NA") + sep }
            ip.output(try connection(args[1]), out)
            ip.visible = false
            return .null
        }
        define("stdout", []) { _, _ throws(FnError) in connectionValue(1) }
        define("stderr", []) { _, _ throws(FnError) in connectionValue(2) }
    }
}

private func connectionValue(_ n: Int32) -> Value {
    .vector(Vector(.integer([n]), classes: ["terminal", "connection"]))
}

/// Where `file =`/`con =` sends output: stdout unless it is `stderr()`. File names are not
/// supported (handlers have no business writing files through `cat`).
private func connection(_ v: Value?) throws(FnError) -> OutputKind {
    guard let v else { return .stdout }
    if v.classAttribute?.contains("connection") == true, let s = v.storage {
        return s.integers().first == 2 ? .stderr : .stdout
    }
    if case .character("") = v { return .stdout }
    throw FnError.runtime("cannot open file: writing to files is not supported")
}

private func appendCatItems(_ v: Value, argument: Int, to items: inout [String]) throws(FnError) {
    switch v {
    case .null: return
    case .character(let s): items.append(s ?? "NA")
    case .double(let d): items.append(NumberFormat.cat(d))
    case .integer(let i): items.append(Coerce.string(fromInteger: i) ?? "NA")
    case .logical(let b): items.append(Coerce.string(fromLogical: b) ?? "NA")
    case .vector(let vec):
        if vec.classes?.contains("POSIXct") == true || vec.classes?.contains("Date") == true {
            // cat() shows the number behind a time, as R does.
            items += vec.storage.doubles().map { NumberFormat.cat($0) }
            return
        }
        switch vec.storage {
        case .double(let a): items += a.map { NumberFormat.cat($0) }
        case .character(let a): items += a.map { $0 ?? "NA" }
        default: items += vec.storage.strings().map { $0 ?? "NA" }
        }
    case .list(let l):
        for e in l.elements {
            guard e.atomicType != nil, e.length == 1 || e.isNull else {
                throw FnError.runtime("argument \(argument) (type 'list') cannot be handled by 'cat'")
            }
            try appendCatItems(e, argument: argument, to: &items)
        }
    default:
        throw FnError.runtime("argument \(argument) (type '\(v.typeName)') cannot be handled by 'cat'")
    }
}

// MARK: - print

/// The text `print(v)` writes, with R's layout: `[1]` index prefixes, wrapping at 80 columns,
/// quoted strings, name rows above named vectors, `$name` / `[[i]]` blocks for lists.
/// Functions print as their header only (`function(x, y)`), not their source.
public func formatForPrint(_ v: Value, digits: Int = 7) -> String {
    var out = ""
    printValue(v, prefix: "", digits: digits, into: &out)
    return out
}

/// `print(v)` of a list: its classed elements print through their print methods (what they
/// write to stdout is taken into the text).
private func formatForPrint(_ v: Value, digits: Int, _ ip: Interpreter) throws(FnError) -> String {
    guard case .list = v else { return formatForPrint(v, digits: digits) }
    var failure: FnError? = nil
    let method: (Value) -> String? = { element in
        guard failure == nil, let classes = element.classAttribute,
            let print = Dispatch.internalDefault(ip, "print"), hasPrintMethod(classes, ip)
        else { return nil }
        let saved = ip.output
        var text = ""
        ip.output = { kind, s in if kind == .stdout { text += s } else { saved(kind, s) } }
        defer { ip.output = saved }
        do throws(FnError) { _ = try ip.callFunction(.builtin(print), [element], names: [nil]) } catch { failure = error }
        return text
    }
    var out = ""
    printValue(v, prefix: "", digits: digits, into: &out, method: method)
    if let failure { throw failure }
    return out
}

private func hasPrintMethod(_ classes: [String], _ ip: Interpreter) -> Bool {
    for c in classes {
        do throws(Control) {
            if try ip.lookupFunction("print." + c, from: ip.env) != nil { return true }
        } catch {
            return false
        }
    }
    return false
}

private let lineWidth = 80

/// Strings as `print(x, quote = FALSE)` shows them (how a factor shows its levels).
func formatUnquoted(_ strings: [String], names: [String]?) -> String {
    var out = ""
    printVector(.character(strings), names: names, quote: false, digits: 7, into: &out)
    return out
}

/// `print(x, quote = FALSE)` of any value: character vectors and matrices without quotes
/// (`NA` as `<NA>`), anything else as `print` shows it.
private func formatUnquoted(_ x: Value) -> String {
    guard x.atomicType == .character, let s = x.storage else { return formatForPrint(x) }
    let cells = s.strings().map { $0 ?? "<NA>" }
    guard let d = x.dim, d.count == 2 else {
        return formatUnquoted(cells, names: x.names) + attributeText(x)
    }
    var out = ""
    printMatrix(.character(cells), 0, d[0], d[1], rowNames: Matrix.names(x, 0), colNames: Matrix.names(x, 1),
                titles: nil, digits: 7, into: &out, formatted: true)
    return out + attributeText(x)
}

private func attributeText(_ x: Value) -> String {
    var out = ""
    printAttributes(x.attributes, prefix: "", digits: 7, into: &out)
    return out
}

/// `method` renders a classed value through its print method, as R's `print` does for the
/// elements of a list; nil when there is none.
private func printValue(_ v: Value, prefix: String, digits: Int, into out: inout String,
                        method: ((Value) -> String?)? = nil) {
    switch v {
    case .null: out += "NULL\n"
    case .list(let l): printList(l, prefix: prefix, digits: digits, into: &out, method: method)
    case .closure(let c): out += c.sourceText + "\n"
    case .symbol, .language: out += Language.deparseLines(v).joined(separator: "\n") + "\n"
    case .builtin(let b):
        out += "function(" + b.formals.joined(separator: ", ") + ") <builtin \"" + b.name + "\">\n"
    case .environment(let e): out += e.isGlobal ? "<environment: R_GlobalEnv>\n" : "<environment>\n"
    default:
        guard let s = v.storage else { return }
        if Factors.isFactor(v) {
            out += Factors.printed(v)
            return
        }
        if Time.isDifftime(v) {
            out += Difftime.printed(v)
            return
        }
        let classes = v.classAttribute ?? []
        if classes.contains("POSIXct") || classes.contains("Date") {
            let times = characterElements(formatTimes(v, pattern: nil, zone: true))
            printVector(.character(times), names: v.names, quote: true, digits: digits, into: &out)
            return
        }
        if let d = v.dim, d.count >= 2 {
            printArray(s, d, v.attribute("dimnames"), digits: digits, into: &out)
        } else if let d = v.dim, d.count == 1, let names = Matrix.names(v, 0) {
            printVector(s, names: names, quote: true, digits: digits, into: &out)
        } else {
            printVector(s, names: v.names, quote: true, digits: digits, into: &out)
        }
        printAttributes(v.attributes, prefix: prefix, digits: digits, into: &out)
    }
}

/// The attributes `print` shows after a value: all but names, dim, dimnames (and a connection's
/// class), as `attr(,"name")` blocks.
private func printAttributes(_ attributes: AttributeList?, prefix: String, digits: Int, into out: inout String) {
    guard let attributes else { return }
    for (name, value) in attributes.pairs where name != "dim" && name != "dimnames" {
        if name == "class", value.storage?.strings().contains("connection") == true { continue }
        out += "attr(,\"\(name)\")\n"
        printValue(value, prefix: prefix, digits: digits, into: &out)
    }
}

/// A matrix, or an array as its matrix slices (`, , k`), laid out as R prints them.
private func printArray(_ s: Storage, _ d: [Int], _ dimnames: Value?, digits: Int, into out: inout String) {
    var parts: [[String]?] = Array(repeating: nil, count: d.count)
    var titles: [String]? = nil
    if case .list(let l)? = dimnames {
        for (k, e) in l.elements.enumerated() where k < d.count {
            parts[k] = e.storage.map { $0.strings().map { $0 ?? "NA" } }
        }
        titles = l.names
    }
    let r = d[0], c = d[1]
    if d.count == 2 {
        if r == 0 && c == 0 { out += "<0 x 0 matrix>\n"; return }
        printMatrix(s, 0, r, c, rowNames: parts[0], colNames: parts[1], titles: titles, digits: digits, into: &out)
        return
    }
    let sliceSize = r * c
    let slices = d.dropFirst(2).reduce(1, *)
    if sliceSize == 0 || slices == 0 { out += "<" + d.map(String.init).joined(separator: " x ") + " array of \(s.type.name)>\n"; return }
    for k in 0..<slices {
        var label = ", , "
        var rest = k
        var labels: [String] = []
        for m in 2..<d.count {
            let i = rest % d[m]
            rest /= d[m]
            let label = parts[m]?[i] ?? String(i + 1)
            if let t = titles?[m], !t.isEmpty { labels.append(t + " = " + label) } else { labels.append(label) }
        }
        label += labels.joined(separator: ", ")
        out += label + "\n\n"
        printMatrix(s, k * sliceSize, r, c, rowNames: parts[0], colNames: parts[1], titles: titles, digits: digits,
                    into: &out)
        out += "\n"
    }
}

/// A list matrix: each cell a one-element value as it prints, `NULL`, or its type and length
/// (`integer,3`), left-aligned.
private func printListMatrix(_ l: List, _ r: Int, _ c: Int, digits: Int, into out: inout String) {
    let cells: [String] = l.elements.map { e in
        switch e {
        case .null: return "NULL"
        case .list(let inner): return "list,\(inner.count)"
        default:
            guard let s = e.storage else { return "?" }
            if s.count == 1 { return formatElements(s, quote: true, digits: digits)[0] }
            let type = s.type == .double ? "numeric" : s.type.name
            return "\(type),\(s.count)"
        }
    }
    var parts: [[String]?] = [nil, nil]
    if case .list(let dn)? = l.attributes?["dimnames"] {
        for (k, e) in dn.elements.prefix(2).enumerated() { parts[k] = e.storage.map { $0.strings().map { $0 ?? "NA" } } }
    }
    printMatrix(.character(cells), 0, r, c, rowNames: parts[0], colNames: parts[1], titles: nil, digits: digits,
                into: &out, formatted: true)
}

private func printMatrix(
    _ s: Storage, _ offset: Int, _ r: Int, _ c: Int, rowNames: [String]?, colNames: [String]?, titles: [String]?,
    digits: Int, into out: inout String, formatted: Bool = false
) {
    var rowLabels = rowNames ?? (0..<r).map { "[\($0 + 1),]" }
    var rowWidth = rowLabels.map(displayWidth).max() ?? 0
    var leftRows = rowNames != nil
    // Named dimnames: a title row for the columns' name, the rows' name above the row labels,
    // which are set two columns in (R's layout).
    let rowTitle = titles.map { $0[0] }, colTitle = titles.map { $0.count > 1 ? $0[1] : "" }
    if let rowTitle {
        let block = rowLabels.map { leftRows ? padRight($0, rowWidth) : padLeft($0, rowWidth) }
        rowWidth = max(displayWidth(rowTitle), rowWidth + 2)
        rowLabels = block.map { padLeft($0, rowWidth) }
        leftRows = false
    }
    let quoteLeft = s.type == .character
    var columns: [(header: String, cells: [String], width: Int)] = []
    for j in 0..<c {
        let column = Indexing.select(s, (0..<r).map { offset + j * r + $0 })
        let cells = formatted ? column.strings().map { $0 ?? "NA" } : formatElements(column, quote: true, digits: digits)
        let header = colNames?[j] ?? "[,\(j + 1)]"
        let width = max(cells.map(displayWidth).max() ?? 0, displayWidth(header))
        columns.append((header, cells, width))
    }
    var start = 0
    repeat {
        var end = start
        var used = rowWidth
        while end < c && (end == start || used + 1 + columns[end].width <= lineWidth) {
            used += 1 + columns[end].width
            end += 1
        }
        if let rowTitle, let colTitle {
            out += String(repeating: " ", count: rowWidth) + colTitle + "\n"
            out += padRight(rowTitle, rowWidth)
        } else {
            out += String(repeating: " ", count: rowWidth)
        }
        for j in start..<end {
            out += " " + (quoteLeft ? padRight(columns[j].header, columns[j].width) : padLeft(columns[j].header, columns[j].width))
        }
        out += "\n"
        for i in 0..<r {
            out += leftRows ? padRight(rowLabels[i], rowWidth) : padLeft(rowLabels[i], rowWidth)
            for j in start..<end {
                let cell = columns[j].cells[i]
                out += " " + (quoteLeft ? padRight(cell, columns[j].width) : padLeft(cell, columns[j].width))
            }
            out += "\n"
        }
        start = end
    } while start < c
}

private func printList(_ l: List, prefix: String, digits: Int, into out: inout String,
                       method: ((Value) -> String?)?) {
    if let d = l.attributes?["dim"]?.storage?.integers(), d.count == 2 {
        printListMatrix(l, Int(d[0]), Int(d[1]), digits: digits, into: &out)
        printAttributes(l.attributes, prefix: prefix, digits: digits, into: &out)
        return
    }
    if let classes = l.classes, classes.contains("condition") {
        let message = characterElements(l.element(named: "message") ?? .null).first.flatMap { $0 } ?? ""
        out += "<\(classes.first ?? "condition"): \(message)>\n"
        return
    }
    if l.count == 0 {
        out += (l.names != nil ? "named list()\n" : "list()\n")
        return
    }
    for (i, e) in l.elements.enumerated() {
        let name = l.names?[i] ?? ""
        let tag = name.isEmpty ? prefix + "[[\(i + 1)]]" : prefix + "$" + (isSyntacticName(name) ? name : "`\(name)`")
        out += tag + "\n"
        if let text = method?(e) {
            out += text
        } else {
            printValue(e, prefix: tag, digits: digits, into: &out, method: method)
        }
        out += "\n"
    }
    printAttributes(l.attributes, prefix: prefix, digits: digits, into: &out)
}

/// R's `getOption("max.print")`: print shows at most this many elements of a vector, so one
/// `print` of a huge vector cannot exhaust the memory of a small Lambda.
private let maxPrint = 99_999

private func printVector(_ s: Storage, names: [String]?, quote: Bool, digits: Int, into out: inout String) {
    if s.count > maxPrint {
        let shown = Indexing.select(s, Array(0..<maxPrint))
        printVector(shown, names: names.map { Array($0.prefix(maxPrint)) }, quote: quote, digits: digits, into: &out)
        out += " [ reached getOption(\"max.print\") -- omitted \(s.count - maxPrint) entries ]\n"
        return
    }
    let n = s.count
    if n == 0 {
        let empty: String
        switch s.type {
        case .logical: empty = "logical(0)"
        case .integer: empty = "integer(0)"
        case .double: empty = "numeric(0)"
        case .character: empty = "character(0)"
        }
        out += (names != nil ? "named " : "") + empty + "\n"
        return
    }
    let cells = formatElements(s, quote: quote, digits: digits)
    let widths = cells.map(displayWidth)
    let leftAlign = s.type == .character && names == nil
    if let names {
        let shown = names.map { $0 == "NA" ? "<NA>" : $0 }
        let w = max(widths.max() ?? 0, shown.map(displayWidth).max() ?? 0)
        let perLine = max(1, lineWidth / (w + 1))
        var start = 0
        while start < n {
            let end = min(n, start + perLine)
            for k in start..<end { out += padLeft(shown[k], w) + " " }
            out += "\n"
            for k in start..<end { out += padLeft(cells[k], w, width: widths[k]) + " " }
            out += "\n"
            start = end
        }
        return
    }
    let w = widths.max() ?? 0
    let labelWidth = String(n).count + 2
    let perLine = max(1, (lineWidth - labelWidth) / (w + 1))
    var start = 0
    while start < n {
        let label = "[\(start + 1)]"
        out += String(repeating: " ", count: labelWidth - label.count) + label
        let end = min(n, start + perLine)
        for k in start..<end {
            out += " "
            out += leftAlign ? padRight(cells[k], w, width: widths[k]) : padLeft(cells[k], w, width: widths[k])
        }
        out += "\n"
        start = end
    }
}

private func displayWidth(_ s: String) -> Int { s.unicodeScalars.count }

private func padLeft(_ s: String, _ w: Int, width: Int? = nil) -> String {
    let n = width ?? displayWidth(s)
    return n >= w ? s : String(repeating: " ", count: w - n) + s
}

private func padRight(_ s: String, _ w: Int, width: Int? = nil) -> String {
    let n = width ?? displayWidth(s)
    return n >= w ? s : s + String(repeating: " ", count: w - n)
}

/// The cells of an atomic vector as `print` shows them (common number format, quoted strings),
/// before padding.
func formatElements(_ s: Storage, quote: Bool, digits: Int = 7, scipen: Int = 0) -> [String] {
    switch s {
    case .logical(let a): return a.map { Coerce.string(fromLogical: $0) ?? "NA" }
    case .integer(let a): return a.map { Coerce.string(fromInteger: $0) ?? "NA" }
    case .double(let a):
        return NumberFormat.format(a, digits: digits, scipen: scipen).map { String($0.trimmingWhitespace()) }
    case .character(let a):
        return a.map { s in
            guard let s else { return quote ? "NA" : "NA" }
            return quote ? quotedString(s) : s
        }
    }
}



