import Glibc

/// `str(x)`: the compact structure display R gives — type, extent and the first few values of a
/// vector, `Factor w/ n levels`, `List of n` with one ` $ name:` line per element (nested lists
/// indented with `..`), `'data.frame':` with its columns, a function's header.
extension BuiltinRegistry {
    mutating func registerStr() {
        define("str", ["object", "give.head", "..."]) { args, ip throws(FnError) in
            let x = try args.required(0, "object")
            var out = ""
            if try !Unpack.flag(args[1], "give.head", default: true), x.atomicType != nil, x.names == nil || Factors.isFactor(x) {
                // The values alone, as str(x, give.head = FALSE) shows them.
                let line = Factors.isFactor(x) ? Str.factorLine(x) : Str.vectorLine(x, giveLength: true)
                out = String(line[line.index(after: line.firstIndex(of: Factors.isFactor(x) ? ":" : " ") ?? line.startIndex)...])
                if x.dim == nil, x.length > 1, !Factors.isFactor(x), let close = out.firstIndex(of: "]") {
                    out = String(out[out.index(after: close)...])
                }
                ip.output(.stdout, String(out.drop { $0 == " " }) + "\n")
                ip.visible = false
                return .null
            }
            try Str.write(x, indent: " ", into: &out, ip, giveLength: true, nested: false)
            ip.output(.stdout, out)
            ip.visible = false
            return .null
        }
    }
}

enum Str {
    /// Appends the display of `x` (its first line continues the current one) to `out`.
    static func write(_ x: Value, indent: String, into out: inout String, _ ip: Interpreter, giveLength: Bool,
                      nested: Bool) throws(FnError) {
        if DataFrame.isDataFrame(x), case .list(let l) = x {
            let n = DataFrame.rowCount(x), k = l.count
            out += "'data.frame':\t\(n) obs. of  \(k) variable\(k == 1 ? "" : "s"):\n"
            // Columns of a top-level data frame show no extent; nested ones do.
            try elements(l, indent: indent, into: &out, ip, giveLength: nested)
            return
        }
        if Factors.isFactor(x) {
            out += " " + factorLine(x) + "\n"
            return
        }
        if Time.isDate(x) || Time.isPOSIXct(x), x.length > 0 {
            out += " " + timeLine(x, nested: nested) + "\n"
            return
        }
        switch x {
        case .null:
            out += " NULL\n"
        case .list(let l):
            if l.count == 0 { out += " list()\n"; return }
            out += "List of \(l.count)\n"
            try elements(l, indent: indent, into: &out, ip, giveLength: true)
            try attributeLines(l.attributes, skipping: ["dim", "dimnames"], indent: indent, into: &out, ip)
        case .closure, .builtin:
            out += try functionHeader(x, ip) + "\n"
        case .vector, .logical, .integer, .double, .character:
            // A classed vector without its own display names its class first: ` 'difftime' num 3`.
            if let cls = x.classAttribute?.first { out += " '\(cls)'" }
            out += " " + vectorLine(x, giveLength: giveLength, nested: nested) + "\n"
            // A one-dimensional array's names are its dimnames, shown as such.
            if let names = x.names, x.dim?.count != 1 {
                out += indent + "- attr(*, \"names\")="
                out += " " + vectorLine(Value(Vector(.character(names))), giveLength: true) + "\n"
            }
            if case .vector(let v) = x {
                try attributeLines(v.attributes, skipping: ["dim", "class"], indent: indent, into: &out, ip)
            }
        default:
            out += " " + x.typeName + "\n"
        }
    }

    /// ` - attr(*, "name")=` and the attribute's display, for each attribute not in `skipping`.
    static func attributeLines(_ attributes: AttributeList?, skipping: Set<String>, indent: String,
                               into out: inout String, _ ip: Interpreter) throws(FnError) {
        guard let attributes else { return }
        for (name, value) in attributes.pairs where !skipping.contains(name) {
            out += indent + "- attr(*, \"\(name)\")="
            try write(value, indent: indent + " ..", into: &out, ip, giveLength: true, nested: true)
        }
    }

    /// One ` $ name:` line per element, names padded to a common width.
    static func elements(_ l: List, indent: String, into out: inout String, _ ip: Interpreter, giveLength: Bool) throws(FnError) {
        let names = l.names ?? Array(repeating: "", count: l.count)
        let width = names.map(\.count).max() ?? 0
        for (i, e) in l.elements.enumerated() {
            out += indent + "$ " + names[i] + String(repeating: " ", count: width - names[i].count) + ":"
            try write(e, indent: indent + " ..", into: &out, ip, giveLength: giveLength, nested: true)
        }
    }

    static func functionHeader(_ f: Value, _ ip: Interpreter) throws(FnError) -> String {
        if case .builtin(let b) = f { return "function (" + b.formals.joined(separator: ", ") + ")  " }
        let formals = try ip.callFunction(try Unpack.function(.character("args"), ip), [f], names: [nil])
        let text = try ip.callFunction(try Unpack.function(.character("deparse"), ip), [formals], names: [nil])
        return (text.storage?.strings().first ?? nil).map { $0 + " " } ?? "function ()  "
    }

    /// `Date[1:3], format: "2024-01-01" ...`: the values as `format` writes them, 2 inside a list,
    /// else as many as R fits (5 Dates, 3 date-times with a time of day).
    static func timeLine(_ x: Value, nested: Bool) -> String {
        let text = formatTimes(x, pattern: nil).storage?.strings() ?? []
        let widths = text.compactMap { $0?.count }
        let width = widths.isEmpty ? 10 : Double(widths.reduce(0, +)) / Double(widths.count)
        let shown = min(text.count, nested ? 2 : max(1, Int((64 / (width + 3)).rounded())))
        var cells = text.prefix(shown).map { $0.map { "\"\($0)\"" } ?? "NA" }
        if shown < text.count { cells.append("...") }
        return (Time.isDate(x) ? "Date" : "POSIXct") + "[1:\(text.count)], format: " + cells.joined(separator: " ")
    }

    /// `num [1:5] 1 2 3 4 5`, `chr "a"`, `int [1:2, 1:3] ...`, `logi(0) `.
    static func vectorLine(_ x: Value, giveLength: Bool, nested: Bool = false) -> String {
        guard let s = x.storage else { return x.typeName }
        let type: String
        switch s.type {
        case .logical: type = "logi"
        case .integer: type = "int"
        case .double: type = "num"
        case .character: type = "chr"
        }
        let n = s.count
        if n == 0 { return type + "(0) " }
        var head = (x.names != nil && x.dim == nil ? "Named " : "") + type
        if let d = x.dim {
            head += " [" + d.map { "1:\($0)" }.joined(separator: ", ") + (d.count == 1 ? "(1d)]" : "]")
        } else if n > 1 && giveLength {
            head += " [1:\(n)]"
        } else if !giveLength {
            head += " "
        }
        let shown = count(s, nested: nested)
        var cells = values(s, shown)
        if shown < n { cells.append("...") }
        return head + " " + cells.joined(separator: " ")
    }

    /// How many values R shows: 10 numbers when the first ten need at most 3 significant digits,
    /// else 5; 6 logicals; strings by their mean width at top level, 4 inside a list.
    static func count(_ s: Storage, nested: Bool) -> Int {
        let n = s.count
        switch s.type {
        case .logical: return min(n, 6)
        case .integer: return min(n, 10)
        case .double:
            let first = s.doubles().prefix(10).filter { !$0.isNaN }
            let plain = first.allSatisfy { v in
                let a = abs(v)
                if a == 0 { return true }
                guard a > 1e-10, a < 1e10 else { return false }
                let scale = pow(10, 2 - floor(log10(a)))
                return abs((a * scale).rounded() / scale - a) <= 1e-12 * a
            }
            return min(n, plain ? 10 : 5)
        case .character:
            if nested { return min(n, 4) }
            let widths = s.strings().map { $0.map { Double($0.count) } ?? 2 }
            let mean = widths.reduce(0, +) / Double(max(widths.count, 1))
            return min(n, max(1, Int((64 / (mean + 3)).rounded(.down))))
        }
    }

    static func values(_ s: Storage, _ k: Int) -> [String] {
        let part = s.gathered(Array(0..<k))
        switch part {
        case .double(let d):
            return NumberFormat.format(d, digits: 3).map { cell in
                let t = String(cell.drop { $0 == " " })
                return dropTrailingZeros(t)
            }
        case .character(let a):
            return a.map { $0.map { formatElements(.character([$0]), quote: true)[0] } ?? "NA" }
        default:
            return formatElements(part, quote: false).map { String($0.drop { $0 == " " }) }
        }
    }

    /// `1.50` → `1.5`, `2.00` → `2`, `1.00e+00` → `1e+00` (R's `drop0trailing`).
    static func dropTrailingZeros(_ t: String) -> String {
        guard t.contains(".") else { return t }
        var mantissa = t, exponent = ""
        if let e = t.firstIndex(of: "e") {
            mantissa = String(t[..<e])
            exponent = String(t[e...])
        }
        while mantissa.hasSuffix("0") { mantissa.removeLast() }
        if mantissa.hasSuffix(".") { mantissa.removeLast() }
        return mantissa + exponent
    }

    /// `Factor w/ 3 levels "a","b","c": 1 2 3`: levels shown while their running width stays
    /// within R's limit, then `..`.
    static func factorLine(_ x: Value) -> String {
        let levels = Factors.levels(x)
        let nl = levels.count
        var head = "Factor w/ \(nl) level\(nl == 1 ? "" : "s")"
        if nl > 0 {
            let quoted = levels.map { formatElements(.character([$0]), quote: true)[0] }
            var running = 0, shown = nl
            let widths = quoted.map { q -> Int in running += q.count + 1; return running }
            if nl > 1, let last = widths.last, last > 13 { shown = (widths.firstIndex { $0 > 13 } ?? nl - 1) + 1 }
            head += " " + quoted.prefix(shown).joined(separator: ",") + (shown < nl ? ",.." : "")
        }
        head += ":"
        let codes = Factors.codes(x)
        let k = min(codes.count, 10)
        var cells = codes.prefix(k).map { $0 == NA.integer ? "NA" : String($0) }
        if k < codes.count { cells.append("...") }
        return head + (cells.isEmpty ? " " : " " + cells.joined(separator: " "))
    }
}
