/// Output: `print` (R's layout, via `formatForPrint`), `cat`, `message`, `writeLines`, and the
/// `stdout()`/`stderr()` connections they accept.
extension BuiltinRegistry {
    mutating func registerPrinting() {
        define("print", ["x", "digits", "..."]) { args, ip throws(FnError) in
            let x = try args.required(0, "x")
            let digits = try Unpack.int(args[1], "digits", default: 7)
            ip.output(.stdout, formatForPrint(x, digits: min(max(digits, 1), 22)))
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
            if try Unpack.flag(args[3], "fill", default: false), !text.hasSuffix("\n") { text += "\n" }
            ip.output(try connection(args[1]), text)
            return .null
        }
        define("message", ["...", "domain", "appendLF"]) { args, ip throws(FnError) in
            let appendLF = try Unpack.flag(args[2], "appendLF", default: true)
            var text = ""
            for v in args.dots {
                if case .list(let l) = v, l.classes?.contains("condition") == true {
                    text += characterElements(l.element(named: "message") ?? .null).first.flatMap { $0 } ?? ""
                    continue
                }
                for s in characterElements(v) { text += s ?? "NA" }
            }
            ip.output(.stderr, appendLF ? text + "\n" : text)
            return .null
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
    case .double(let d): items.append(formatDoubles([d], digits: 7)[0])
    case .integer(let i): items.append(Coerce.string(fromInteger: i) ?? "NA")
    case .logical(let b): items.append(Coerce.string(fromLogical: b) ?? "NA")
    case .vector(let vec):
        if vec.classes?.contains("POSIXct") == true || vec.classes?.contains("Date") == true {
            // cat() shows the number behind a time, as R does.
            items += vec.storage.doubles().map { formatDoubles([$0], digits: 7)[0] }
            return
        }
        switch vec.storage {
        case .double(let a): items += a.map { formatDoubles([$0], digits: 7)[0] }
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

private let lineWidth = 80

private func printValue(_ v: Value, prefix: String, digits: Int, into out: inout String) {
    switch v {
    case .null: out += "NULL\n"
    case .list(let l): printList(l, prefix: prefix, digits: digits, into: &out)
    case .closure(let c): out += "function(" + c.parameterNames.joined(separator: ", ") + ")\n"
    case .builtin(let b):
        out += "function(" + b.formals.joined(separator: ", ") + ") <builtin \"" + b.name + "\">\n"
    case .environment(let e): out += e.isGlobal ? "<environment: R_GlobalEnv>\n" : "<environment>\n"
    default:
        guard let s = v.storage else { return }
        let classes = v.classAttribute ?? []
        if classes.contains("POSIXct") || classes.contains("Date") {
            let times = characterElements(formatTimes(v, pattern: nil, zone: true))
            printVector(.character(times), names: v.names, quote: true, digits: digits, into: &out)
            return
        }
        printVector(s, names: v.names, quote: true, digits: digits, into: &out)
        if let classes = v.classAttribute, !classes.contains("connection") {
            out += "attr(,\"class\")\n"
            printVector(.character(classes), names: nil, quote: true, digits: digits, into: &out)
        }
    }
}

private func printList(_ l: List, prefix: String, digits: Int, into out: inout String) {
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
        printValue(e, prefix: tag, digits: digits, into: &out)
        out += "\n"
    }
    if let classes = l.classes {
        out += "attr(,\"class\")\n"
        printVector(.character(classes), names: nil, quote: true, digits: digits, into: &out)
    }
}

private func printVector(_ s: Storage, names: [String]?, quote: Bool, digits: Int, into out: inout String) {
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
func formatElements(_ s: Storage, quote: Bool, digits: Int = 7) -> [String] {
    switch s {
    case .logical(let a): return a.map { Coerce.string(fromLogical: $0) ?? "NA" }
    case .integer(let a): return a.map { Coerce.string(fromInteger: $0) ?? "NA" }
    case .double(let a): return formatDoubles(a, digits: digits)
    case .character(let a):
        return a.map { s in
            guard let s else { return quote ? "NA" : "NA" }
            return quote ? "\"" + escaped(s) + "\"" : s
        }
    }
}

/// A string as `print` shows it inside quotes: backslash escapes for quotes and control characters.
private func escaped(_ s: String) -> String {
    var needs = false
    for b in s.utf8 where b < 0x20 || b == 0x22 || b == 0x5C || b == 0x7F { needs = true; break }
    if !needs { return s }
    var out = ""
    for c in s.unicodeScalars {
        switch c {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\t": out += "\\t"
        case "\r": out += "\\r"
        case "\u{07}": out += "\\a"
        case "\u{08}": out += "\\b"
        case "\u{0C}": out += "\\f"
        case "\u{0B}": out += "\\v"
        default:
            if c.value < 0x20 || c.value == 0x7F {
                let oct = String(c.value, radix: 8)
                out += "\\" + String(repeating: "0", count: 3 - oct.count) + oct
            } else {
                out.unicodeScalars.append(c)
            }
        }
    }
    return out
}

// MARK: - numbers

/// Formats doubles with one common layout as R's print does: up to `digits` significant digits,
/// the same number of decimals for all, scientific notation when it is narrower.
func formatDoubles(_ xs: [Double], digits: Int) -> [String] {
    // Per element: significant digits needed (at most `digits`) and the decimal exponent.
    var maxLeft = 1, maxRight = 0, maxSig = 1, maxExp = 0, minExp = 0
    var anyFinite = false, negative = false
    for x in xs where x.isFinite {
        let (sig, exp) = significantDigits(x, digits)
        if !anyFinite { maxExp = exp; minExp = exp }
        anyFinite = true
        if x < 0 { negative = true }
        maxSig = max(maxSig, sig)
        maxExp = max(maxExp, exp)
        minExp = min(minExp, exp)
        maxLeft = max(maxLeft, exp + 1)
        maxRight = max(maxRight, sig - exp - 1)
    }
    guard anyFinite else { return xs.map(nonFinite) }
    let neg = negative ? 1 : 0
    let fixedWidth = neg + maxLeft + (maxRight > 0 ? maxRight + 1 : 0)
    let expDigits = (maxExp >= 100 || minExp <= -100) ? 3 : 2
    let sciWidth = neg + (maxSig > 1 ? maxSig + 1 : maxSig) + 2 + expDigits
    if fixedWidth <= sciWidth {
        let decimals = min(maxRight, 15)
        return xs.map { $0.isFinite ? cFormat("%.\(decimals)f", $0) : nonFinite($0) }
    }
    return xs.map { x in
        guard x.isFinite else { return nonFinite(x) }
        return cFormat("%.\(maxSig - 1)e", x)
    }
}

private func nonFinite(_ x: Double) -> String {
    if x.isNaN { return NA.isNA(x) ? "NA" : "NaN" }
    return x > 0 ? "Inf" : "-Inf"
}

/// The number of significant digits (1...digits) needed to show `x` to `digits` digits, and
/// its decimal exponent.
private func significantDigits(_ x: Double, _ digits: Int) -> (Int, Int) {
    if x == 0 { return (1, 0) }
    let text = cFormat("%.\(digits - 1)e", x)
    guard let e = text.firstIndex(of: "e") else { return (digits, 0) }
    let exponent = Int(text[text.index(after: e)...]) ?? 0
    var mantissa = text[..<e].filter { $0 != "-" && $0 != "." }
    while mantissa.count > 1 && mantissa.last == "0" { mantissa.removeLast() }
    return (mantissa.count, exponent)
}
