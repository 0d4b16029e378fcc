#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Character vector functions: `paste`, `sprintf`, `format`, `nchar`, `substr`, `strsplit`, case
/// and white space handling, prefix tests.
extension BuiltinRegistry {
    mutating func registerStrings() {
        define("paste", ["...", "sep", "collapse"]) { args, ip throws(FnError) in
            let sep = try Unpack.string(args[1], "sep", default: " ")
            let collapse = try args[2].flatMap { v throws(FnError) in v.isNull ? nil : try Unpack.string(v, "collapse") }
            return try paste(args.dots, sep: sep, collapse: collapse, cancellation: ip.cancellation)
        }
        define("paste0", ["...", "collapse"]) { args, ip throws(FnError) in
            let collapse = try args[1].flatMap { v throws(FnError) in v.isNull ? nil : try Unpack.string(v, "collapse") }
            return try paste(args.dots, sep: "", collapse: collapse, cancellation: ip.cancellation)
        }
        define("toString", ["x", "sep", "..."]) { args, _ throws(FnError) in
            let sep = try Unpack.string(args[1], "sep", default: ", ")
            return try paste([try args.required(0, "x")], sep: "", collapse: sep)
        }
        define("sprintf", ["fmt", "..."]) { args, ip throws(FnError) in
            try sprintf(try args.required(0, "fmt"), args.dots, warn: { ip.warn($0) })
        }
        define("nchar", ["x", "type", "allowNA", "keepNA"]) { args, _ throws(FnError) in
            let x = try args.required(0, "x")
            let type = try Unpack.string(args[1], "type", default: "chars")
            switch x {
            case .closure, .builtin, .environment: throw FnError.runtime("'nchar()' requires a character vector")
            default: break
            }
            // As as.character gives them; a list element by element.
            let strings = characterElements(x)
            // keepNA = NA (the default) means TRUE except for type "width"; FALSE counts NA as "NA", 2.
            let keepNA: Bool
            if let k = args[3], !k.isNull, let flag = k.storage, flag.count == 1, !flag.isNA(0) {
                keepNA = try Unpack.flag(k, "keepNA", default: true)
            } else {
                keepNA = type != "width"
            }
            let bytes = type == "bytes"
            let out: [Int32] = strings.map { str in
                guard let str else { return keepNA ? NA.integer : 2 }
                return Int32(bytes ? str.utf8.count : str.unicodeScalars.count)
            }
            return Value(.integer(out), names: x.names)
        }
        define("substr", ["x", "start", "stop"]) { args, _ throws(FnError) in
            let x = try args.required(0, "x")
            let strings = try characterStorage(x)
            let starts = try integers(try args.required(1, "start"), "start")
            let stops = try integers(try args.required(2, "stop"), "stop")
            if strings.isEmpty { return Value(.character([])) }
            guard !starts.isEmpty, !stops.isEmpty else { throw FnError.runtime("invalid substring arguments") }
            var out: [String?] = []
            out.reserveCapacity(strings.count)
            for (i, s) in strings.enumerated() {
                out.append(substring(s, starts[i % starts.count], stops[i % stops.count]))
            }
            return Value(.character(out), names: x.names)
        }
        define("substr<-", ["x", "start", "stop", "value"]) { args, _ throws(FnError) in
            let x = try args.required(0, "x")
            let strings = try characterStorage(x)
            let starts = try integers(try args.required(1, "start"), "start")
            let stops = try integers(try args.required(2, "stop"), "stop")
            let values = try characterStorage(try args.required(3, "value"))
            if strings.isEmpty { return x }
            guard !starts.isEmpty, !stops.isEmpty, !values.isEmpty else {
                throw FnError.runtime("invalid substring arguments")
            }
            var out: [String?] = []
            for (i, s) in strings.enumerated() {
                let start = starts[i % starts.count], stop = stops[i % stops.count]
                guard let s, let v = values[i % values.count], start != NA.integer, stop != NA.integer else {
                    out.append(nil)
                    continue
                }
                // The length of x never changes: at most nchar(value) characters are replaced.
                var chars = Array(s.unicodeScalars)
                let first = max(1, Int(start)), replacement = Array(v.unicodeScalars)
                let last = min(Int(stop), chars.count, first + replacement.count - 1)
                if first <= last {
                    chars.replaceSubrange((first - 1)..<last, with: replacement.prefix(last - first + 1))
                }
                var view = String.UnicodeScalarView()
                view.append(contentsOf: chars)
                out.append(String(view))
            }
            return Value(.character(out), names: x.names)
        }
        define("substring", ["text", "first", "last"]) { args, _ throws(FnError) in
            let strings = try characterStorage(try args.required(0, "text"))
            let firsts = try integers(try args.required(1, "first"), "first")
            let lasts = try args[2].map { v throws(FnError) in try integers(v, "last") } ?? [1_000_000]
            if strings.isEmpty || firsts.isEmpty || lasts.isEmpty { return Value(.character([])) }
            let n = max(strings.count, firsts.count, lasts.count)
            var out: [String?] = []
            out.reserveCapacity(n)
            for i in 0..<n {
                out.append(substring(strings[i % strings.count], firsts[i % firsts.count], lasts[i % lasts.count]))
            }
            return Value(.character(out))
        }
        define("toupper", ["x"]) { args, _ throws(FnError) in
            try mapStrings(try args.required(0, "x")) { caseMapped($0, upper: true) }
        }
        define("tolower", ["x"]) { args, _ throws(FnError) in
            try mapStrings(try args.required(0, "x")) { caseMapped($0, upper: false) }
        }
        define("casefold", ["x", "upper"]) { args, _ throws(FnError) in
            let upper = try Unpack.flag(args[1], "upper", default: false)
            return try mapStrings(try args.required(0, "x")) { caseMapped($0, upper: upper) }
        }
        define("trimws", ["x", "which", "whitespace"]) { args, ip throws(FnError) in
            let which = try Unpack.string(args[1], "which", default: "both")
            guard ["both", "left", "right"].contains(which) else {
                throw FnError.runtime("'arg' should be one of \u{201C}both\u{201D}, \u{201C}left\u{201D}, \u{201C}right\u{201D}")
            }
            let x = try args.required(0, "x")
            if let ws = args[2] {
                // A custom white space class: strip with the regex engine, as R does.
                let w = try Unpack.string(ws, "whitespace")
                var v = x
                if which != "right" { v = try regexReplace(ip, "^(" + w + ")+", "", v, options: RegexOptions(), all: false) }
                if which != "left" { v = try regexReplace(ip, "(" + w + ")+$", "", v, options: RegexOptions(), all: false) }
                return v
            }
            return try mapStrings(x) { s in
                let isSpace: (Unicode.Scalar) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
                var scalars = Substring(s).unicodeScalars[...]
                if which != "right" { while let f = scalars.first, isSpace(f) { scalars.removeFirst() } }
                if which != "left" { while let l = scalars.last, isSpace(l) { scalars.removeLast() } }
                return String(scalars)
            }
        }
        define("startsWith", ["x", "prefix"]) { args, _ throws(FnError) in
            try affixTest(args) { $0.utf8.starts(with: $1.utf8) }
        }
        define("endsWith", ["x", "suffix"]) { args, _ throws(FnError) in
            try affixTest(args) { $0.utf8.reversed().starts(with: $1.utf8.reversed()) }
        }
        define("chartr", ["old", "new", "x"]) { args, _ throws(FnError) in
            let old = Array(try Unpack.string(args[0], "old").unicodeScalars)
            let new = Array(try Unpack.string(args[1], "new").unicodeScalars)
            guard old.count <= new.count else { throw FnError.runtime("'old' is longer than 'new'") }
            var table: [Unicode.Scalar: Unicode.Scalar] = [:]
            for (o, n) in zip(old, new) { table[o] = n }
            return try mapStrings(try args.required(2, "x")) { s in
                var out = String.UnicodeScalarView()
                for c in s.unicodeScalars { out.append(table[c] ?? c) }
                return String(out)
            }
        }
        define("strrep", ["x", "times"]) { args, _ throws(FnError) in
            let strings = try characterStorage(try args.required(0, "x"))
            let times = try integers(try args.required(1, "times"), "times")
            if strings.isEmpty || times.isEmpty { return Value(.character([])) }
            let n = max(strings.count, times.count)
            var out: [String?] = []
            for i in 0..<n {
                let t = times[i % times.count]
                guard let s = strings[i % strings.count], t != NA.integer else { out.append(nil); continue }
                guard t >= 0 else { throw FnError.runtime("invalid 'times' value") }
                try Limits.checkStringLength(Double(s.utf8.count) * Double(t))
                out.append(String(repeating: s, count: Int(t)))
            }
            return Value(.character(out))
        }
        define("format", ["x", "trim", "digits", "nsmall", "justify", "width", "..."]) { args, ip throws(FnError) in
            try format(args, ip)
        }
        define("prettyNum", ["x", "big.mark", "..."]) { args, ip throws(FnError) in
            // Numbers are formatted one at a time (as R's format of each), then grouped.
            let x = try args.required(0, "x")
            let mark = try Unpack.string(args[1], "big.mark", default: "")
            guard let s = x.storage else { throw FnError.runtime("unsupported type") }
            if s.type == .character, !mark.isEmpty, s.strings().contains(where: { $0 == nil }) {
                throw FnError.runtime("missing value where TRUE/FALSE needed")
            }
            var digits = 7
            if let o = ip.option("digits"), let d = o.storage?.doubles().first, d.isFinite { digits = Int(d) }
            var scipen = 0
            if let o = ip.option("scipen"), let d = o.storage?.doubles().first, d.isFinite { scipen = Int(d) }
            let cells: [String?] = (0..<s.count).map { i in
                if s.type == .character { return s.strings()[i].map { mark.isEmpty ? $0 : insertBigMark($0, mark) } }
                let one = formatElements(s.element(i).storage ?? s, quote: false, digits: digits, scipen: scipen)[0]
                return mark.isEmpty ? one : insertBigMark(one, mark)
            }
            return Value(.character(cells), names: x.names)
        }
        define("formatC", ["x", "width", "digits", "format", "flag", "mode", "big.mark", "..."]) { args, ip throws(FnError) in
            try formatC(args, ip)
        }
    }
}

// MARK: - Shared helpers

/// `as.character(x)` for any value `paste`-like functions accept: atomic vectors and lists.
func characterElements(_ v: Value) -> [String?] {
    switch v {
    case .character(let s): return [s]
    case .double(let d): return [Coerce.string(fromDouble: d)]
    case .integer(let i): return [Coerce.string(fromInteger: i)]
    case .logical(let b): return [Coerce.string(fromLogical: b)]
    case .vector(let vec): return vec.attributes != nil && Factors.isFactor(v) ? Factors.labels(v) : vec.storage.strings()
    case .null: return []
    case .list(let l): return l.elements.map(describeForCharacter)
    case .symbol(let name): return [name]
    // A call converts element by element, each deparsed (`as.character(quote(f(x, 1)))`).
    case .language(let l):
        return l.elements.map { e in
            if case .symbol(let name) = e { return name }
            return Language.deparseLines(e).joined(separator: "\n")
        }
    default: return ["function"]
    }
}

/// The strings of a character (or coercible atomic) argument.
private func characterStorage(_ v: Value) throws(FnError) -> [String?] {
    guard let s = Unpack.flatStorage(v) else { throw FnError.runtime("non-character argument") }
    return s.strings()
}

private func integers(_ v: Value, _ name: String) throws(FnError) -> [Int32] {
    guard let s = v.storage else { throw FnError.runtime("invalid '\(name)' argument") }
    return s.integers()
}

/// Applies `f` to each non-NA string, keeping names.
private func mapStrings(_ x: Value, _ f: (String) -> String) throws(FnError) -> Value {
    if case .character(let s) = x { return .character(s.map(f)) }
    guard let s = Unpack.flatStorage(x) else { throw FnError.runtime("non-character argument") }
    // R converts other types with as.character first, which drops the names.
    return Value(.character(s.strings().map { $0.map(f) }), names: x.atomicType == .character ? x.names : nil)
}

/// Case mapping one character at a time, as R's `toupper` does (`ß` stays `ß`).
private func caseMapped(_ s: String, upper: Bool) -> String {
    var ascii = true
    for b in s.utf8 where b >= 0x80 { ascii = false; break }
    if ascii { return upper ? s.uppercased() : s.lowercased() }
    var out = String.UnicodeScalarView()
    for c in s.unicodeScalars {
        let mapped = upper ? c.properties.uppercaseMapping : c.properties.lowercaseMapping
        let scalars = mapped.unicodeScalars
        if scalars.count == 1, let m = scalars.first { out.append(m) } else { out.append(c) }
    }
    return String(out)
}

/// Characters `start...stop` (1-based, inclusive, clamped) of `s`; NA in, NA out.
private func substring(_ s: String?, _ start: Int32, _ stop: Int32) -> String? {
    guard let s, start != NA.integer, stop != NA.integer else { return nil }
    let first = max(1, Int(start))
    let last = Int(stop)
    if first > last { return "" }
    let scalars = s.unicodeScalars
    var i = scalars.startIndex
    var k = 1
    while k < first && i != scalars.endIndex { scalars.formIndex(after: &i); k += 1 }
    var j = i
    while k <= last && j != scalars.endIndex { scalars.formIndex(after: &j); k += 1 }
    return String(scalars[i..<j])
}

private func affixTest(_ args: Arguments, _ test: (String, String) -> Bool) throws(FnError) -> Value {
    let x = try args.required(0, "x"), p = try args.required(1, args.function == "startsWith" ? "prefix" : "suffix")
    guard x.atomicType == .character, p.atomicType == .character, let xs = x.storage, let ps = p.storage else {
        throw FnError.runtime("non-character object(s)")
    }
    let a = xs.strings(), b = ps.strings()
    if a.isEmpty || b.isEmpty { return Value(.logical([])) }
    let n = max(a.count, b.count)
    var out = [Int8](repeating: 0, count: n)
    for i in 0..<n {
        guard let s = a[i % a.count], let t = b[i % b.count] else { out[i] = NA.logical; continue }
        out[i] = test(s, t) ? 1 : 0
    }
    return Value(.logical(out))
}

// MARK: - paste

func paste(
    _ dots: [Value], sep: String, collapse: String?, cancellation: CancellationFlag? = nil
) throws(FnError) -> Value {
    // Fast path: every argument a scalar string or number (the common `paste0("x", i)`).
    var allScalar = true
    for d in dots {
        switch d {
        case .character, .double, .integer, .logical: continue
        default: allScalar = false
        }
        if !allScalar { break }
    }
    if allScalar && !dots.isEmpty {
        var s = ""
        for (i, d) in dots.enumerated() {
            if i > 0 { s += sep }
            switch d {
            case .character(let c): s += c ?? "NA"
            case .integer(let n): s += Coerce.string(fromInteger: n) ?? "NA"
            case .double(let x): s += Coerce.string(fromDouble: x) ?? "NA"
            default: s += characterElements(d)[0] ?? "NA"
            }
        }
        try Limits.checkStringLength(Double(s.utf8.count))
        return .character(s)
    }
    // Dates and date-times paste as their text, as R's as.character gives it.
    let vectors = dots.map { Time.strings($0) ?? characterElements($0) }
    let n = vectors.map(\.count).max() ?? 0
    var out: [String] = []
    if n > 0 {
        out.reserveCapacity(n)
        for i in 0..<n {
            if i & 0x3FFF == 0, cancellation?.isCancelled == true { throw FnError.cancelled() }
            var s = ""
            for (k, v) in vectors.enumerated() {
                if k > 0 { s += sep }
                if !v.isEmpty { s += v[i % v.count] ?? "NA" }
            }
            try Limits.checkStringLength(Double(s.utf8.count))
            out.append(s)
        }
    }
    if let collapse {
        var total = Double(collapse.utf8.count) * Double(max(0, out.count - 1))
        for piece in out { total += Double(piece.utf8.count) }
        try Limits.checkStringLength(total)
        return .character(out.joined(separator: collapse))
    }
    return Value(.character(out))
}

// MARK: - sprintf

/// One `%...` conversion of a format string.
private struct FormatSpec {
    var flags = ""
    var width: Int? = nil
    var widthFromArgument = false
    var precision: Int? = nil
    var precisionFromArgument = false
    var conversion: Character = "s"
    /// 0-based argument index from `%2$s`, if given.
    var argument: Int? = nil
    /// The spec as written, for error messages.
    var text = ""
}

private enum FormatPiece {
    case literal(String)
    case spec(FormatSpec)
}

private func parseFormat(_ fmt: String) throws(FnError) -> [FormatPiece] {
    var pieces: [FormatPiece] = []
    var literal = ""
    let chars = Array(fmt)
    var i = 0
    while i < chars.count {
        let c = chars[i]
        guard c == "%" else { literal.append(c); i += 1; continue }
        if i + 1 < chars.count && chars[i + 1] == "%" { literal.append("%"); i += 2; continue }
        if !literal.isEmpty { pieces.append(.literal(literal)); literal = "" }
        var spec = FormatSpec()
        let start = i
        i += 1
        // `%n$`: an explicit argument number.
        var j = i
        while j < chars.count, let _ = chars[j].wholeNumberValue { j += 1 }
        if j > i && j < chars.count && chars[j] == "$", let n = Int(String(chars[i..<j])), n >= 1 {
            spec.argument = n - 1
            i = j + 1
        }
        while i < chars.count, "-+ 0#".contains(chars[i]) { spec.flags.append(chars[i]); i += 1 }
        if i < chars.count && chars[i] == "*" {
            spec.widthFromArgument = true
            i += 1
        } else {
            var w = 0, any = false
            while i < chars.count, let d = chars[i].wholeNumberValue {
                w = min(w * 10 + d, Limits.stringBytes + 1)
                any = true
                i += 1
            }
            if any {
                try Limits.checkStringLength(Double(w))
                spec.width = w
            }
        }
        if i < chars.count && chars[i] == "." {
            i += 1
            if i < chars.count && chars[i] == "*" {
                if spec.widthFromArgument {
                    throw FnError.runtime("at most one asterisk '*' is supported in each conversion specification")
                }
                spec.precisionFromArgument = true
                i += 1
            } else {
                var p = 0
                while i < chars.count, let d = chars[i].wholeNumberValue { p = min(p * 10 + d, 100_000); i += 1 }
                spec.precision = p
            }
        }
        // Length modifiers are accepted and ignored, as R does.
        while i < chars.count, "hlLqjzt".contains(chars[i]) { i += 1 }
        guard i < chars.count, "dioxXfeEgGaAs".contains(chars[i]) else {
            throw FnError.runtime("unrecognised format specification '\(String(chars[start..<min(i + 1, chars.count)]))'")
        }
        spec.conversion = chars[i]
        i += 1
        spec.text = String(chars[start..<i])
        pieces.append(.spec(spec))
    }
    if !literal.isEmpty { pieces.append(.literal(literal)) }
    return pieces
}

private func sprintf(_ fmtValue: Value, _ dots: [Value], warn: (String) -> Void) throws(FnError) -> Value {
    guard let fmtStorage = fmtValue.storage, fmtStorage.type == .character else {
        throw FnError.runtime("'fmt' is not a character vector")
    }
    let formats = fmtStorage.strings()
    var columns: [Storage] = []
    for d in dots {
        var text = Time.strings(d).map { Storage.character($0) }
        // A list argument converts as as.character does, element by element.
        if case .list = d { text = .character(characterElements(d)) }
        guard let s = text ?? Unpack.flatStorage(d) else {
            throw FnError.runtime("unsupported type")
        }
        columns.append(s)
    }
    if formats.isEmpty || columns.contains(where: { $0.count == 0 }) { return Value(.character([])) }
    let n = max(formats.count, columns.map(\.count).max() ?? 0)
    // Every argument's length must divide the longest, as R requires of sprintf.
    if n % formats.count != 0 || columns.contains(where: { n % $0.count != 0 }) {
        throw FnError.runtime("arguments cannot be recycled to the same length")
    }
    var parsed: [String: [FormatPiece]] = [:]
    var used = Set<Int>()
    var out: [String?] = []
    out.reserveCapacity(n)
    for row in 0..<n {
        guard let fmt = formats[row % formats.count] else { out.append("NA"); continue }
        let pieces: [FormatPiece]
        if let p = parsed[fmt] { pieces = p } else {
            pieces = try parseFormat(fmt)
            parsed[fmt] = pieces
        }
        var s = ""
        var next = 0
        func take() throws(FnError) -> (Storage, Int) {
            guard next < columns.count else { throw FnError.runtime("too few arguments") }
            defer { next += 1 }
            used.insert(next)
            return (columns[next], row % columns[next].count)
        }
        for piece in pieces {
            switch piece {
            case .literal(let l): s += l
            case .spec(var spec):
                if spec.widthFromArgument {
                    let (col, i) = try take()
                    let w = Int(col.integers()[i])
                    try Limits.checkStringLength(Double(Swift.abs(w)))
                    if w < 0 { spec.flags.append("-") }
                    spec.width = Swift.abs(w)
                }
                if spec.precisionFromArgument {
                    let (col, i) = try take()
                    spec.precision = Int(col.integers()[i])
                }
                let col: Storage, i: Int
                if let a = spec.argument {
                    guard a < columns.count else { throw FnError.runtime("reference to non-existent argument \(a + 1)") }
                    col = columns[a]
                    i = row % col.count
                    used.insert(a)
                } else {
                    (col, i) = try take()
                }
                s += try formatOne(spec, col, i)
            }
        }
        out.append(s)
    }
    // R warns about arguments no conversion of a single format used.
    let unused = columns.count - used.count
    if formats.count == 1, unused > 0, let f = formats[0] {
        warn("\(unused == 1 ? "one argument" : "\(unused) arguments") not used by format '\(f)'")
    }
    return Value(.character(out))
}

/// Formats element `i` of `col` according to `spec`.
private func formatOne(_ spec: FormatSpec, _ col: Storage, _ i: Int) throws(FnError) -> String {
    switch spec.conversion {
    case "s":
        var text = col.strings()[i] ?? "NA"
        if let p = spec.precision { text = String(text.unicodeScalars.prefix(p)) }
        return pad(text, spec, bytes: true)
    case "d", "i", "x", "X", "o":
        if col.type == .character {
            throw FnError.runtime("invalid format '\(spec.text)'; use format %s for character objects")
        }
        if col.type == .logical && spec.conversion != "d" && spec.conversion != "i" {
            throw FnError.runtime("invalid format '\(spec.text)'; use format %d or %i for logical objects")
        }
        let value: Int32
        if case .double(let a) = col {
            let d = a[i]
            if d.isNaN { return pad(NA.isNA(d) ? "NA" : "NaN", spec) }
            guard d == d.rounded(), Swift.abs(d) < 2147483648 else {
                throw FnError.runtime("invalid format '\(spec.text)'; use format %f, %e, %g or %a for numeric objects")
            }
            value = Int32(d)
        } else {
            value = col.integers()[i]
            if value == NA.integer { return pad("NA", spec) }
        }
        return cFormat(spec, value)
    default:
        if col.type == .character {
            throw FnError.runtime("invalid format '\(spec.text)'; use format %s for character objects")
        }
        let d = col.doubles()[i]
        if !d.isFinite {
            var text = d.isNaN ? (NA.isNA(d) ? "NA" : "NaN") : (d > 0 ? "Inf" : "-Inf")
            if d == .infinity && spec.flags.contains("+") { text = "+Inf" }
            return pad(text, spec)
        }
        return cFormat(spec, d)
    }
}

/// Pads to the spec's width: on the left, or on the right with the `-` flag.
/// Widths of `%s` count bytes, as C (and R) do.
private func pad(_ text: String, _ spec: FormatSpec, bytes: Bool = false) -> String {
    guard let w = spec.width else { return text }
    let n = bytes ? text.utf8.count : text.unicodeScalars.count
    if n >= w { return text }
    let fill = String(repeating: " ", count: w - n)
    return spec.flags.contains("-") ? text + fill : fill + text
}

/// The C library's formatting of one number for a numeric spec.
private func cFormat(_ spec: FormatSpec, _ value: CVarArg) -> String {
    var f = "%" + spec.flags
    if let w = spec.width { f += String(w) }
    if let p = spec.precision { f += "." + String(p) }
    f.append(spec.conversion)
    return cFormat(f, value)
}

/// `snprintf(format, value)` through the standard library's `withVaList`.
func cFormat(_ format: String, _ value: CVarArg) -> String {
    var buffer = [CChar](repeating: 0, count: 128)
    let n = withVaList([value]) { va in
        buffer.withUnsafeMutableBufferPointer { vsnprintf($0.baseAddress, 128, format, va) }
    }
    if n >= 128 {
        buffer = [CChar](repeating: 0, count: Int(n) + 1)
        _ = withVaList([value]) { va in
            buffer.withUnsafeMutableBufferPointer { vsnprintf($0.baseAddress, Int(n) + 1, format, va) }
        }
    }
    let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
    return String(decoding: bytes, as: UTF8.self)
}

// MARK: - format

private func format(_ args: Arguments, _ ip: Interpreter) throws(FnError) -> Value {
    let x = try args.required(0, "x")
    if let classes = x.classAttribute, classes.contains("POSIXct") || classes.contains("Date") {
        // format(time, "%Y-%m-%d"): the second positional argument is the format for times, and
        // `format =`, `tz =` and `usetz =` arrive in `...`.
        var pattern = try args[1].map { v throws(FnError) in try Unpack.string(v, "format") }
        var usetz = false
        for (i, name) in args.dotNames.enumerated() {
            switch name {
            case "format": pattern = try Unpack.string(args.dots[i], "format")
            case "tz": try TimeZoneArgument.check(args.dots[i], "format")
            case "usetz": usetz = try Unpack.flag(args.dots[i], "usetz", default: false)
            default: break
            }
        }
        return formatTimes(x, pattern: pattern, zone: usetz)
    }
    let trim = try Unpack.flag(args[1], "trim", default: false)
    let nsmall = try Unpack.int(args[3], "nsmall", default: 0)
    guard (0...20).contains(nsmall) else { throw FnError.runtime("invalid 'nsmall' argument") }
    let justifyArg = try Unpack.string(args[4], "justify", default: "left")
    let justifications = ["left", "right", "centre", "none"]
    let matched = justifications.filter { !justifyArg.isEmpty && $0.hasPrefix(justifyArg) }
    guard let justify = justifications.contains(justifyArg) ? justifyArg : (matched.count == 1 ? matched[0] : nil) else {
        throw FnError.runtime("'arg' should be one of \u{201C}left\u{201D}, \u{201C}right\u{201D}, \u{201C}centre\u{201D}, \u{201C}none\u{201D}")
    }
    let width = try Unpack.int(args[5], "width", default: 0)
    try Limits.checkStringLength(Double(width))
    // The defaults come from options(digits =, scipen =), as in R.
    var digits = 7
    if let o = ip.option("digits"), let d = o.storage?.doubles().first, d.isFinite { digits = Int(d) }
    if let d = args[2], !d.isNull {
        let n = d.storage?.integers().first ?? NA.integer
        guard n != NA.integer, n >= 1, n <= 22 else { throw FnError.runtime("invalid value \(n) for 'digits' argument") }
        digits = Int(n)
    }
    var bigMark = ""
    var scipen = 0
    if let o = ip.option("scipen"), let d = o.storage?.doubles().first, d.isFinite { scipen = Int(d) }
    for (i, n) in args.dotNames.enumerated() {
        if n == "big.mark" { bigMark = try Unpack.string(args.dots[i], "big.mark") }
        // R: TRUE forces scientific notation, FALSE fixed, a number is a penalty as options(scipen);
        // NA keeps the option's penalty.
        if n == "scientific" {
            let v = args.dots[i]
            if v.atomicType == .logical {
                if let st = v.storage, st.count >= 1, !st.isNA(0) {
                    scipen = try Unpack.flag(v, "scientific", default: false) ? -100 : 100
                }
            } else {
                scipen = try Unpack.int(v, "scientific", default: 0)
            }
        }
    }
    switch x {
    case .null: return .character("NULL")
    case .symbol, .language: return Value(.character(Language.deparseLines(x).map { Optional($0) }))
    case .list(let l):
        // Each element formatted on its own (strings to a common width) and joined with ", ".
        let out: [String?] = l.elements.map { element in
            // A nested list of atomic values formats as its unlisted values.
            var e = element
            if case .list(let inner) = element, !inner.elements.isEmpty,
               inner.elements.allSatisfy({ $0.storage != nil && $0.classAttribute == nil }) {
                e = unlist(inner, useNames: false)
            }
            guard let s = e.storage else { return describeForCharacter(e) }
            var cells = formatElements(s, quote: false, digits: digits, scipen: scipen)
            if s.type == .character {
                let w = cells.map(FormatWidth.columns).max() ?? 0
                cells = cells.map { FormatWidth.pad($0, to: w, justify: "left") }
            }
            return cells.joined(separator: ", ")
        }
        return Value(.character(out), names: l.names)
    default:
        guard let s = x.storage else { throw FnError.runtime("cannot format a \(x.typeName)") }
        var cells = formatElements(s, quote: false, digits: digits, scipen: scipen)
        if s.type == .double && nsmall > 0 {
            cells = withMinimumDecimals(cells, s.doubles(), nsmall)
        }
        if !bigMark.isEmpty && (s.type == .double || s.type == .integer) {
            cells = cells.map { insertBigMark($0, bigMark) }
        }
        let numeric = s.type != .character
        if !(trim && numeric) {
            if numeric {
                // Doubles keep R's common layout width (3-digit exponents widen every cell).
                var layout = 0
                if case .double(let a) = s, nsmall == 0 {
                    layout = NumberFormat.format(a, digits: digits, scipen: scipen).first?.unicodeScalars.count ?? 0
                }
                let w = max(width, layout, cells.map { $0.unicodeScalars.count }.max() ?? 0)
                cells = cells.map { String(repeating: " ", count: w - $0.unicodeScalars.count) + $0 }
            } else {
                // Strings pad to the widest as R measures width (wide characters, escapes).
                let w = max(width, cells.map(FormatWidth.columns).max() ?? 0)
                cells = cells.map { FormatWidth.pad($0, to: w, justify: justify) }
            }
        }
        return Value(.character(cells), names: x.names)
    }
}

/// Re-formats fixed-notation cells with at least `nsmall` decimals (R's `format(nsmall=)`).
private func withMinimumDecimals(_ cells: [String], _ values: [Double], _ nsmall: Int) -> [String] {
    guard !cells.contains(where: { $0.contains("e") }) else { return cells }
    let decimals = cells.map { c -> Int in
        guard let dot = c.firstIndex(of: ".") else { return 0 }
        return c.distance(from: dot, to: c.endIndex) - 1
    }.max() ?? 0
    if decimals >= nsmall { return cells }
    return zip(cells, values).map { c, v in v.isFinite ? cFormat("%.\(nsmall)f", v) : c.trimmingWhitespace().description }
}

private func insertBigMark(_ cell: String, _ mark: String) -> String {
    let trimmed = String(cell.trimmingWhitespace())
    var sign = ""
    var body = Substring(trimmed)
    if body.first == "-" { sign = "-"; body.removeFirst() }
    let intEnd = body.firstIndex { !$0.isNumber } ?? body.endIndex
    let digits = Array(body[..<intEnd])
    guard digits.count > 3 else { return cell }
    var grouped = ""
    for (i, d) in digits.enumerated() {
        if i > 0 && (digits.count - i) % 3 == 0 { grouped += mark }
        grouped.append(d)
    }
    return sign + grouped + body[intEnd...]
}

private func formatC(_ args: Arguments, _ ip: Interpreter) throws(FnError) -> Value {
    let x = try args.required(0, "x")
    if x.isNull || x.storage?.count == 0 { return Value(.character([])) }
    guard let s = x.storage, s.type != .logical else { throw FnError.runtime("unsupported type ") }
    if let d = args[2], (d.storage?.count ?? 0) > 1 { throw FnError.runtime("the condition has length > 1") }
    // R tests width and digits with `if`, so NA is its condition error.
    for k in [1, 2] where args[k]?.storage.map({ $0.count == 1 && $0.isNA(0) }) == true {
        throw FnError.runtime("missing value where TRUE/FALSE needed")
    }
    var width = try Unpack.int(args[1], "width", default: 0)
    try Limits.checkStringLength(Double(Swift.abs(width)))
    var digits = try args[2].flatMap { v throws(FnError) in v.isNull ? nil : try Unpack.int(v, "digits", default: 0) }
    var flag = try Unpack.string(args[4], "flag", default: "")
    let modeName = try args[5].flatMap { v throws(FnError) in v.isNull ? nil : try Unpack.string(v, "mode") }
    let realMode = modeName.map { $0 == "double" || $0 == "numeric" || $0 == "real" } ?? (s.type == .double)
    let defaultFormat = modeName == "character" || s.type == .character ? "s" : (realMode ? "g" : "d")
    let mode = try args[3].flatMap { v throws(FnError) in v.isNull ? nil : try Unpack.string(v, "format") } ?? defaultFormat
    let bigMark = try Unpack.string(args[6], "big.mark", default: "")
    guard ["d", "f", "e", "E", "g", "G", "fg", "s", "a", "A"].contains(mode) else {
        throw FnError.runtime("'format' must be one of {\"f\",\"e\",\"E\",\"g\",\"G\", \"fg\", \"s\"}")
    }
    // A negative width justifies on the left.
    if width < 0 { flag += "-"; width = -width }
    // R's defaults: 4 digits for real numbers, and a negative count means C's default of 6.
    if digits == nil && mode != "d" && mode != "s" { digits = 4 }
    let explicitDigits = digits
    if let d = digits, d < 0 { digits = nil }
    // Given digits (and no width), R pads numbers to digits + 1 characters.
    // (a negative count, which means C's default of 6 digits, pads to 7).
    if width == 0, let d = explicitDigits, args[2] != nil, mode != "s" { width = d >= 0 ? d + 1 : 7 }
    var spec = FormatSpec()
    spec.flags = flag
    spec.width = width == 0 ? nil : width
    spec.precision = mode == "d" ? nil : digits
    spec.conversion = mode == "fg" ? "f" : (mode.first ?? "g")
    spec.text = "%" + mode
    var out: [String?] = []
    if mode == "s" {
        // Strings are right-justified to a common width, at least `width`.
        let strings = s.strings().map { $0 ?? "NA" }
        let w = max(width, strings.map(FormatWidth.columns).max() ?? 0)
        let justify = flag.contains("-") ? "left" : "right"
        for t in strings { out.append(FormatWidth.pad(t, to: w, justify: justify)) }
        return Value(.character(out), names: x.names)
    }
    if s.type == .character { throw FnError.runtime("unsupported type ") }
    var outOfRange = false
    for i in 0..<s.count {
        var cell: String
        if s.isNA(i) && s.type != .double { cell = pad("NA", spec) } else if mode == "fg" {
            cell = pad(fixedSignificant(s.doubles()[i], digits ?? 6, keepZeros: flag.contains("#")), spec)
        } else if mode == "d" {
            // R stores the numbers as integers first: truncated, and NA outside the integer range.
            let d = s.doubles()[i].rounded(.towardZero)
            let inRange = d.isFinite && d.magnitude <= Double(Int32.max)
            cell = inRange ? cFormat(spec, Int32(d)) : pad("NA", spec)
            if !inRange && !s.isNA(i) { outOfRange = true }
        } else {
            cell = try formatOne(spec, s.converted(to: .double), i)
        }
        if !bigMark.isEmpty { cell = insertBigMark(cell, bigMark) }
        out.append(cell)
    }
    if outOfRange { ip.warn("NAs introduced by coercion to integer range") }
    return Value(.character(out), names: x.names)
}

/// formatC's "fg": `digits` significant digits in fixed notation, trailing zeros dropped unless kept.
private func fixedSignificant(_ x: Double, _ digits: Int, keepZeros: Bool) -> String {
    guard x.isFinite else { return x.isNaN ? (NA.isNA(x) ? "NA" : "NaN") : (x > 0 ? "Inf" : "-Inf") }
    if x == 0 { return "0" }
    let magnitude = Int((Swift.abs(x)).log10Floor)
    let decimals = max(0, max(1, digits) - 1 - magnitude)
    var text = cFormat("%.\(decimals)f", x)
    if !keepZeros && text.contains(".") {
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
    }
    return text
}

private extension Double {
    var log10Floor: Double { Glibc.floor(Glibc.log10(self)) }
}
