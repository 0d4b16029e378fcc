/// `read.table` and its `read.csv`/`read.delim` front ends: delimited text into a data frame,
/// with R's `type.convert` for each column (logical, then integer, then double, else character).
struct TableReader {
    /// The arguments `read.table` understands, with the defaults of the front end that was called.
    struct Options {
        var header: Bool
        /// nil: fields are separated by any run of white space (`sep = ""`).
        var sep: UInt8?
        var quote: String
        var comment: String
        var naStrings: [String] = ["NA"]
        var colClasses: Value? = nil
        var nrows = -1
        var skip = 0
        var checkNames = true
        var stringsAsFactors = false
        var stripWhite = false
        var blankLinesSkip = true
        var colNames: [String]? = nil

        init(header: Bool, sep: String?, quote: String, comment: String) {
            self.header = header
            self.sep = sep?.utf8.first
            self.quote = quote
            self.comment = comment
        }

        /// Reads the arguments of `read.table(file, header, sep, quote, dec, na.strings, colClasses,
        /// nrows, skip, check.names, stringsAsFactors, comment.char, strip.white, blank.lines.skip,
        /// fill, row.names, col.names, ...)`.
        mutating func unpack(_ args: Arguments) throws(FnError) {
            header = try Unpack.flag(args[1], "header", default: header)
            if let s = args[2] {
                let t = try Unpack.string(s, "sep")
                guard t.utf8.count <= 1 else { throw FnError.runtime("invalid 'sep' value: must be one byte") }
                sep = t.utf8.first
            }
            if let q = args[3] { quote = try Unpack.string(q, "quote") }
            if let d = args[4], try Unpack.string(d, "dec") != "." {
                throw FnError.runtime("read.table(): only dec = \".\" is supported")
            }
            if let n = args[5] { naStrings = (n.storage?.strings() ?? []).compactMap { $0 } }
            colClasses = args[6]
            nrows = try Unpack.int(args[7], "nrows", default: -1)
            skip = max(0, try Unpack.int(args[8], "skip", default: 0))
            checkNames = try Unpack.flag(args[9], "check.names", default: true)
            stringsAsFactors = try Unpack.flag(args[10], "stringsAsFactors", default: false)
            if let c = args[11] { comment = try Unpack.string(c, "comment.char") }
            stripWhite = try Unpack.flag(args[12], "strip.white", default: false)
            blankLinesSkip = try Unpack.flag(args[13], "blank.lines.skip", default: true)
            if let r = args[15], !r.isNull { throw FnError.runtime("read.table(): 'row.names' is not supported") }
            if let c = args[16] { colNames = c.storage?.strings().map { $0 ?? "NA" } }
        }
    }

    let options: Options

    /// A field: its text and whether it was quoted (quoted fields stay character-like text).
    private typealias Field = (text: String, quoted: Bool)

    func read(_ bytes: [UInt8]) throws(FnError) -> Value {
        var rows = try records(bytes)
        guard !rows.isEmpty else { throw FnError.runtime("no lines available in input") }
        var names: [String]
        var rowNames: [String]? = nil
        let width = rows.map(\.count).max() ?? 0
        if options.header, !rows.isEmpty {
            names = rows.removeFirst().map(\.text)
            // A header one field short means the first column holds row names, as in R.
            if names.count == width - 1, !rows.isEmpty {
                rowNames = rows.map { $0.first?.text ?? "" }
                rows = rows.map { Array($0.dropFirst()) }
            }
        } else {
            names = (0..<width).map { "V\($0 + 1)" }
        }
        if let given = options.colNames { names = given }
        let columnCount = max(names.count, rows.map(\.count).max() ?? 0)
        while names.count < columnCount { names.append("V\(names.count + 1)") }
        if options.checkNames { names = Self.makeNames(names) }
        var columns: [Value] = []
        for c in 0..<columnCount {
            let fields: [Field] = rows.map { c < $0.count ? $0[c] : ("", false) }
            columns.append(try convert(fields, name: names[c], index: c))
        }
        return DataFrame.make(columns, names: names, rowNames: rowNames)
    }

    /// The records of the file after `skip`, blank lines and comments, up to `nrows` data rows.
    private func records(_ bytes: [UInt8]) throws(FnError) -> [[Field]] {
        var p = 0
        var skipped = 0
        while skipped < options.skip, p < bytes.count {
            if bytes[p] == 10 { skipped += 1 }
            p += 1
        }
        let quotes = Set(options.quote.utf8)
        let comment = options.comment.utf8.first
        let limit = options.nrows < 0 ? Int.max : options.nrows + (options.header ? 1 : 0)
        var out: [[Field]] = []
        while p < bytes.count, out.count < limit {
            var fields: [Field] = []
            var field: [UInt8] = []
            var quoted = false
            var pending = false  // a field has started (even an empty one, after a separator)
            func finish() {
                var f = field
                if (options.stripWhite || options.sep == nil) && !quoted {
                    while let l = f.last, l == 32 || l == 9 { f.removeLast() }
                    while let h = f.first, h == 32 || h == 9 { f.removeFirst() }
                }
                fields.append((String(decoding: f, as: UTF8.self), quoted))
                field = []
                quoted = false
                pending = false
            }
            lineLoop: while p < bytes.count {
                let b = bytes[p]
                if b == 10 || (b == 13 && p + 1 < bytes.count && bytes[p + 1] == 10) {
                    p += b == 13 ? 2 : 1
                    break lineLoop
                }
                if let comment, b == comment {
                    while p < bytes.count, bytes[p] != 10 { p += 1 }
                    continue
                }
                if quotes.contains(b) && (field.isEmpty || options.sep == nil) {
                    // A quoted field: runs to the matching quote, across lines; a doubled quote
                    // inside stands for one quote (read.csv's files).
                    let q = b
                    p += 1
                    quoted = true
                    pending = true
                    while true {
                        guard p < bytes.count else { throw FnError.runtime("read.table(): a quoted field is not closed") }
                        if bytes[p] == q {
                            if options.sep != nil, p + 1 < bytes.count, bytes[p + 1] == q {
                                field.append(q)
                                p += 2
                                continue
                            }
                            p += 1
                            break
                        }
                        field.append(bytes[p])
                        p += 1
                    }
                    continue
                }
                if let sep = options.sep {
                    if b == sep {
                        finish()
                        pending = true
                    } else {
                        field.append(b)
                        pending = true
                    }
                } else if b == 32 || b == 9 {
                    if pending { finish() }
                } else {
                    field.append(b)
                    pending = true
                }
                p += 1
            }
            if pending || !field.isEmpty || (options.sep != nil && !fields.isEmpty) { finish() }
            if fields.isEmpty && options.blankLinesSkip { continue }
            out.append(fields)
        }
        return out
    }

    /// One column, converted as `colClasses` says or by `type.convert`.
    private func convert(_ fields: [Field], name: String, index: Int) throws(FnError) -> Value {
        let na = Set(options.naStrings)
        let text: [String?] = fields.map { na.contains($0.text) ? nil : $0.text }
        switch try columnClass(name: name, index: index) {
        case "character":
            return Value(Vector(.character(text)))
        case "factor":
            return Self.factor(text)
        case "numeric", "double":
            return Value(Vector(.double(text.map { blankOrNA($0) ? NA.double : Coerce.double(fromString: $0) })))
        case "integer":
            return Value(Vector(.integer(text.map { blankOrNA($0) ? NA.integer : Coerce.integer(fromDouble: Coerce.double(fromString: $0)) })))
        case "logical":
            return Value(Vector(.logical(text.map { blankOrNA($0) ? NA.logical : Coerce.logical(fromString: $0) })))
        case nil:
            break
        case let other?:
            throw FnError.runtime("read.table(): colClasses \"\(other)\" is not supported")
        }
        // type.convert: blanks are NA unless the column stays character.
        let values = text.map { blankOrNA($0) ? nil : $0 }
        if values.allSatisfy({ $0 == nil || Coerce.logical(fromString: $0) != NA.logical }) {
            return Value(Vector(.logical(values.map { Coerce.logical(fromString: $0) })))
        }
        let doubles = values.map { Coerce.double(fromString: $0) }
        let numeric = zip(values, doubles).allSatisfy { $0 == nil || !NA.isNA($1) }
        if numeric {
            let integral = zip(values, doubles).allSatisfy { s, d in
                guard let s else { return true }
                return Self.isIntegerText(s) && d >= -2147483647 && d <= 2147483647
            }
            if integral { return Value(Vector(.integer(doubles.map { NA.isNA($0) ? NA.integer : Int32($0) }))) }
            return Value(Vector(.double(doubles)))
        }
        return options.stringsAsFactors ? Self.factor(text) : Value(Vector(.character(text)))
    }

    private func blankOrNA(_ s: String?) -> Bool {
        guard let s else { return true }
        return s.utf8.allSatisfy { $0 == 32 || $0 == 9 }
    }

    /// Optional sign and digits only (what `type.convert` makes an integer).
    private static func isIntegerText(_ s: String) -> Bool {
        var u = Substring(s).drop { $0 == " " || $0 == "\t" }
        while let l = u.last, l == " " || l == "\t" { u = u.dropLast() }
        if u.first == "-" || u.first == "+" { u = u.dropFirst() }
        return !u.isEmpty && u.utf8.allSatisfy { $0 >= 48 && $0 <= 57 }
    }

    /// The class `colClasses` asks for column `index` (named or by position), or nil for automatic.
    private func columnClass(name: String, index: Int) throws(FnError) -> String? {
        guard let c = options.colClasses, let s = c.storage?.strings(), !s.isEmpty else { return nil }
        if let names = c.names {
            guard let i = names.firstIndex(of: name) else { return nil }
            return s[i]
        }
        return s[index % s.count]
    }

    private static func factor(_ strings: [String?]) -> Value {
        let levels = Factors.sortedUnique(nil, Value(Vector(.character(strings)))).compactMap { $0 }
        var position: [String: Int32] = [:]
        for (i, l) in levels.enumerated() { position[l] = Int32(i + 1) }
        return Factors.make(strings.map { $0.flatMap { position[$0] } ?? NA.integer }, levels, names: nil, ordered: false)
    }

    /// R's `make.names(names, unique = TRUE)`: invalid characters become ".", names that do not
    /// start with a letter (or a dot not followed by a digit) get an "X" in front, and repeats get
    /// ".1", ".2", ... .
    static func makeNames(_ names: [String]) -> [String] {
        let valid = names.map { name -> String in
            var chars = name.unicodeScalars.map { c -> Character in
                (c.properties.isAlphabetic || ("0"..."9").contains(c) || c == "." || c == "_") ? Character(c) : "."
            }
            let first = chars.first
            let needsX = first == nil || first!.isNumber || first == "_"
                || (first == "." && chars.count > 1 && chars[1].isNumber)
            if needsX { chars.insert("X", at: 0) }
            return String(chars)
        }
        var seen: [String: Int] = [:]
        var out: [String] = []
        let all = Set(valid)
        for n in valid {
            if let k = seen[n] {
                var j = k
                var candidate: String
                repeat {
                    candidate = "\(n).\(j)"
                    j += 1
                } while all.contains(candidate) || seen[candidate] != nil
                seen[n] = j
                seen[candidate] = 1
                out.append(candidate)
            } else {
                seen[n] = 1
                out.append(n)
            }
        }
        return out
    }
}
