/// Data frames: `data.frame`, `as.data.frame`, `is.data.frame`, `make.names`, `make.unique`,
/// `row.names`, and the methods of R's generics for them (`dim`, `dimnames`, `as.list`, `t`,
/// `head`, `tail`, `unique`, `duplicated`, `split`, ...). The representation is Values/DataFrame.swift's.
extension BuiltinRegistry {
    mutating func registerDataFrames() {
        define("data.frame", ["...", "row.names", "check.names", "stringsAsFactors"]) { args, ip throws(FnError) in
            let exprs = DataFrame.argumentExpressions(ip, args.dots.count, formals: ["row.names", "check.names", "stringsAsFactors"],
                                                      callee: ["data.frame"])
            var parts: [DataFrame.Part] = []
            for (k, v) in args.dots.enumerated() {
                parts.append(DataFrame.Part(value: v, name: args.dotNames[k], expression: exprs[k]))
            }
            return try DataFrame.build(parts, rowNames: args[1],
                                       checkNames: try Unpack.flag(args[2], "check.names", default: true),
                                       stringsAsFactors: try Unpack.flag(args[3], "stringsAsFactors", default: false))
        }
        define("as.data.frame", ["x", "row.names", "optional", "...", "stringsAsFactors"]) { args, ip throws(FnError) in
            let x = try args.required(0, "x")
            if DataFrame.isDataFrame(x) { return x }
            let stringsAsFactors = try Unpack.flag(args[4], "stringsAsFactors", default: false)
            if case .list(let l) = x {
                let names = l.names ?? Array(repeating: "", count: l.count)
                let parts = l.elements.enumerated().map { k, v in
                    DataFrame.Part(value: v, name: names[k].isEmpty ? nil : names[k],
                                   expression: ValueDeparser.deparse(v))
                }
                return try DataFrame.build(parts, rowNames: args[1], checkNames: true, stringsAsFactors: stringsAsFactors)
            }
            if x.classAttribute?.contains("table") == true, x.dim.map({ $0.count == 1 }) ?? true {
                return DataFrame.tableFrame(x)
            }
            if let d = x.dim, d.count == 2 {
                let cols = DataFrame.matrixColumns(x, prefix: "V")
                return try DataFrame.build(cols.map { DataFrame.Part(value: $0.1, name: $0.0, expression: nil) },
                                           rowNames: args[1] ?? Matrix.dimnames(x, 0), checkNames: false,
                                           stringsAsFactors: stringsAsFactors)
            }
            let expr = DataFrame.argumentExpressions(ip, 1, formals: ["x"], callee: ["as.data.frame"]).first ?? nil
            return try DataFrame.build([DataFrame.Part(value: x, name: expr ?? "x", expression: nil)], rowNames: args[1],
                                       checkNames: false, stringsAsFactors: stringsAsFactors)
        }
        define("is.data.frame", ["x"]) { args, _ throws(FnError) in
            .bool(DataFrame.isDataFrame(try args.required(0, "x")))
        }
        define("make.names", ["names", "unique", "allow_"]) { args, _ throws(FnError) in
            let names = (try args.required(0, "names")).storage?.strings() ?? []
            var out = names.map(DataFrame.syntacticName)
            if try Unpack.flag(args[1], "unique", default: false) { out = DataFrame.makeUnique(out, sep: ".") }
            return Value(Vector(.character(out)))
        }
        define("make.unique", ["names", "sep"]) { args, _ throws(FnError) in
            let x = try args.required(0, "names")
            guard let s = x.storage, s.type == .character else { throw FnError.runtime("'names' must be a character vector") }
            let sep = try Unpack.string(args[1], "sep", default: ".")
            return Value(Vector(.character(DataFrame.makeUnique(s.strings().map { $0 ?? "NA" }, sep: sep))))
        }
        define("row.names", ["x"]) { args, _ throws(FnError) in
            let x = try args.required(0, "x")
            guard DataFrame.isDataFrame(x) else { return Matrix.dimnames(x, 0) }
            return Value(Vector(.character(DataFrame.rowLabels(x))))
        }
        define("row.names<-", ["x", "value"]) { args, ip throws(FnError) in
            try DataFrame.settingRowNames(try args.required(0, "x"), args[1] ?? .null, ip)
        }
        define("dim.data.frame", ["x"]) { args, _ throws(FnError) in
            let x = try args.required(0, "x")
            return Value(Vector(.integer([Int32(DataFrame.rowCount(x)), Int32(x.length)])))
        }
        define("nrow.data.frame", ["x"]) { args, _ throws(FnError) in .integer(Int32(DataFrame.rowCount(try args.required(0, "x")))) }
        define("NROW.data.frame", ["x"]) { args, _ throws(FnError) in .integer(Int32(DataFrame.rowCount(try args.required(0, "x")))) }
        define("ncol.data.frame", ["x"]) { args, _ throws(FnError) in .integer(Int32((try args.required(0, "x")).length)) }
        define("NCOL.data.frame", ["x"]) { args, _ throws(FnError) in .integer(Int32((try args.required(0, "x")).length)) }
        define("dimnames.data.frame", ["x"]) { args, _ throws(FnError) in
            let x = try args.required(0, "x")
            return .list(List([Value(Vector(.character(DataFrame.rowLabels(x)))), Value(Vector(.character(x.names ?? [])))]))
        }
        define("rownames.data.frame", ["x"]) { args, _ throws(FnError) in
            Value(Vector(.character(DataFrame.rowLabels(try args.required(0, "x")))))
        }
        define("colnames.data.frame", ["x"]) { args, _ throws(FnError) in
            Value(Vector(.character((try args.required(0, "x")).names ?? [])))
        }
        define("rownames<-.data.frame", ["x", "value"]) { args, ip throws(FnError) in
            try DataFrame.settingRowNames(try args.required(0, "x"), args[1] ?? .null, ip)
        }
        define("colnames<-.data.frame", ["x", "value"]) { args, _ throws(FnError) in
            try DataFrame.settingNames(try args.required(0, "x"), args[1] ?? .null)
        }
        define("dimnames<-.data.frame", ["x", "value"]) { args, ip throws(FnError) in
            guard case .list(let l) = args[1] ?? .null, l.count == 2 else {
                throw FnError.runtime("invalid 'dimnames' given for data frame")
            }
            let x = try DataFrame.settingRowNames(try args.required(0, "x"), l.elements[0], ip)
            return try DataFrame.settingNames(x, l.elements[1])
        }
        define("as.list.data.frame", ["x", "..."]) { args, _ throws(FnError) in
            guard case .list(let l) = try args.required(0, "x") else { return .null }
            return .list(List(l.elements, names: l.names))
        }
        define("as.matrix.data.frame", ["x", "..."]) { args, _ throws(FnError) in
            DataFrame.matrix(try args.required(0, "x"))
        }
        define("t.data.frame", ["x"]) { args, _ throws(FnError) in
            try Matrix.transpose(DataFrame.matrix(try args.required(0, "x")))
        }
        for name in ["rowSums", "colSums", "rowMeans", "colMeans"] {
            define(name + ".data.frame", ["x", "na.rm", "dims"]) { args, ip throws(FnError) in
                let x = try args.required(0, "x")
                let m = DataFrame.matrix(x)
                guard m.atomicType != .character else { throw FnError.runtime("'x' must be numeric") }
                guard let b = Dispatch.internalDefault(ip, name) else { throw FnError.runtime("could not find \(name)") }
                return try ip.callFunction(.builtin(b), [m] + (args[1].map { [$0] } ?? []),
                                           names: [nil] + (args[1] == nil ? [] : ["na.rm"]))
            }
        }
        for (name, fromEnd) in [("head", false), ("tail", true)] {
            define(name + ".data.frame", ["x", "n", "..."]) { args, _ throws(FnError) in
                let x = try args.required(0, "x")
                let nr = DataFrame.rowCount(x)
                let n = try Unpack.int(args[1], "n", default: 6)
                let k = n >= 0 ? min(n, nr) : max(nr + n, 0)
                return DataFrame.classLast(DataFrame.selectRows(x, fromEnd ? Array((nr - k)..<nr) : Array(0..<k)))
            }
        }
        define("is.na.data.frame", ["x"]) { args, _ throws(FnError) in
            let x = try args.required(0, "x")
            guard case .list(let l) = x else { return .null }
            let nr = DataFrame.rowCount(x)
            var cells: [Int8] = []
            for c in l.elements {
                let s = c.storage
                cells += (0..<nr).map { i in (s?.isNA(i) ?? false) ? 1 : 0 }
            }
            let rn = DataFrame.hasAutomaticRowNames(x) ? Value.null : Value(Vector(.character(DataFrame.rowLabels(x))))
            return Matrix.make(.logical(cells), nr, l.count, dimnames: [rn, Value(Vector(.character(l.names ?? [])))])
        }
        define("anyNA.data.frame", ["x", "recursive"]) { args, _ throws(FnError) in
            guard case .list(let l) = try args.required(0, "x") else { return .bool(false) }
            return .bool(l.elements.contains { c in c.storage.map { s in (0..<s.count).contains { s.isNA($0) } } ?? false })
        }
        define("rev.data.frame", ["x"]) { args, _ throws(FnError) in
            let x = try args.required(0, "x")
            return DataFrame.classLast(try DataFrame.selectColumns(x, Array((0..<x.length).reversed())))
        }
        define("apply.data.frame", ["X", "MARGIN", "FUN", "...", "simplify"]) { args, ip throws(FnError) in
            guard let apply = Dispatch.internalDefault(ip, "apply") else { throw FnError.runtime("could not find apply") }
            var values: [Value] = [DataFrame.matrix(try args.required(0, "X"))], names: [String?] = [nil]
            for (k, formal) in ["MARGIN", "FUN"].enumerated() {
                if let v = args[k + 1] { values.append(v); names.append(formal) }
            }
            values += args.dots
            names += args.dotNames
            if let v = args[4] { values.append(v); names.append("simplify") }
            return try ip.callFunction(.builtin(apply), values, names: names)
        }
        define("duplicated.data.frame", ["x", "incomparables", "fromLast", "..."]) { args, _ throws(FnError) in
            let x = try args.required(0, "x")
            let fromLast = try Unpack.flag(args[2], "fromLast", default: false)
            return Value(Vector(.logical(DataFrame.duplicatedRows(x, fromLast: fromLast).map { $0 ? 1 : 0 })))
        }
        define("unique.data.frame", ["x", "incomparables", "fromLast", "..."]) { args, _ throws(FnError) in
            let x = try args.required(0, "x")
            let fromLast = try Unpack.flag(args[2], "fromLast", default: false)
            let dup = DataFrame.duplicatedRows(x, fromLast: fromLast)
            return DataFrame.classLast(DataFrame.selectRows(x, dup.indices.filter { !dup[$0] }))
        }
        define("complete.cases", ["..."]) { args, _ throws(FnError) in
            var keep: [Bool]? = nil
            for a in args.dots {
                let rows = DataFrame.completeRows(a)
                if let k = keep, k.count != rows.count { throw FnError.runtime("not all arguments have the same length") }
                keep = keep.map { zip($0, rows).map { $0 && $1 } } ?? rows
            }
            guard let keep else { throw FnError.runtime("no input has determined the number of cases") }
            return Value(Vector(.logical(keep.map { $0 ? 1 : 0 })))
        }
        define("na.omit", ["object", "..."]) { args, _ throws(FnError) in
            let x = try args.required(0, "object")
            let keep = DataFrame.completeRows(x)
            let dropped = keep.indices.filter { !keep[$0] }
            if dropped.isEmpty { return DataFrame.classLast(x) }
            var out: Value
            let labels: [String]
            if DataFrame.isDataFrame(x) {
                out = DataFrame.classLast(DataFrame.selectRows(x, keep.indices.filter { keep[$0] }))
                labels = dropped.map { DataFrame.rowLabels(x)[$0] }
            } else {
                out = x.gathered(keep.indices.filter { keep[$0] })
                try Factors.restoreAttributes(&out, from: x)
                labels = x.names.map { n in dropped.map { n[$0] } } ?? dropped.map { String($0 + 1) }
            }
            var action = Value(Vector(.integer(dropped.map { Int32($0 + 1) }),
                                      names: DataFrame.isDataFrame(x) || x.names != nil ? labels : nil))
            try Attributes.set(&action, "class", .character("omit"))
            try Attributes.set(&out, "na.action", action)
            return out
        }
        define("split.data.frame", ["x", "f", "drop", "..."]) { args, ip throws(FnError) in
            let x = try args.required(0, "x")
            let f = try args.required(1, "f")
            guard let b = Dispatch.internalDefault(ip, "split") else { throw FnError.runtime("could not find split") }
            let rows = Value(Vector(.integer((0..<DataFrame.rowCount(x)).map { Int32($0 + 1) })))
            var a: [Value] = [rows, f], n: [String?] = [nil, nil]
            if let d = args[2] { a.append(d); n.append("drop") }
            guard case .list(var groups) = try ip.callFunction(.builtin(b), a, names: n) else { return .null }
            groups.elements = groups.elements.map { g in
                DataFrame.classLast(DataFrame.selectRows(x, (g.storage?.integers() ?? []).map { Int($0) - 1 }))
            }
            return .list(groups)
        }
        define("unsplit", ["value", "f", "drop"]) { args, ip throws(FnError) in
            try DataFrame.unsplit(try args.required(0, "value"), try args.required(1, "f"), ip)
        }
    }
}

extension DataFrame {
    /// The builtins R makes generic that fn's data frame methods need, added to Dispatch's list.
    static let generics = ["nrow", "ncol", "NROW", "NCOL", "rownames", "colnames", "rownames<-", "colnames<-",
                           "dimnames", "dimnames<-", "apply", "rowSums", "colSums", "rowMeans", "colMeans"]

    /// What a method of `[` receives for an empty index (`df[, 1]`): R's empty symbol.
    static let emptyIndex = Value.symbol("")

    static func isEmptyIndex(_ v: Value) -> Bool {
        if case .symbol("") = v { return true }
        return false
    }

    /// `as.data.frame` of a one-way table: the levels as a factor, then `Freq`.
    static func tableFrame(_ x: Value) -> Value {
        let labels = Matrix.names(x, 0) ?? x.names ?? []
        var varName = "Var1"
        if case .list(let dn)? = x.attribute("dimnames"), let n = dn.names?.first, !n.isEmpty { varName = n }
        let counts = x.storage?.integers() ?? []
        let factor = Factors.make((0..<labels.count).map { Int32($0 + 1) }, labels, names: nil, ordered: false)
        return make([factor, Value(Vector(.integer(counts)))], names: [varName, "Freq"])
    }

    /// One argument of `data.frame`: its value, its name if given, the expression it was written as.
    struct Part {
        var value: Value
        var name: String?
        var expression: String?
    }

    /// The deparsed expressions of the `...` arguments of the builtin call being run, nil where
    /// they are unknown (a spliced `...`, `do.call`) or named.
    static func argumentExpressions(_ ip: Interpreter, _ count: Int, formals: [String], callee: [String]) -> [String?] {
        let none = [String?](repeating: nil, count: count)
        // Only a direct call: `do.call(data.frame, ...)` runs under do.call's call node.
        guard let call = ip.activeBuiltinCall as? CallNode, let f = call.callee as? FunctionLookupNode,
            callee.contains(f.name)
        else { return none }
        var out: [String?] = []
        for a in call.arguments where a.name.map({ !formals.contains($0) }) ?? true {
            guard a.isDots else {
                out.append(a.name == nil ? a.expression?.deparsed : nil)
                continue
            }
            // A function's own `...` passed on: the expressions its caller wrote.
            guard let dots = try? ip.currentDots(at: nil, forcing: false) else { return none }
            // Arguments evaluated at the call hold no promise: read them from the call of a
            // function whose only parameter is `...`.
            var written: [Expr?]? = nil
            if let frame = ip.frames.last, frame.closure.definition.parameters.map(\.name) == ["..."],
                let outer = frame.callNode as? CallNode, !outer.splicesDots, outer.arguments.count == dots.count
            {
                written = outer.arguments.map(\.expression)
            }
            for (k, v) in dots.elements.enumerated() {
                let named = !(dots.names?[k] ?? "").isEmpty
                if named {
                    out.append(nil)
                } else if let w = written?[k] {
                    out.append(w.deparsed)
                } else if case .promise(let p) = v {
                    out.append(p.expression?.deparsed)
                } else {
                    out.append(nil)
                }
            }
        }
        return out.count == count ? out : none
    }

    /// `data.frame(...)`: columns from vectors, factors, lists, matrices and data frames,
    /// recycled to the longest as R does.
    static func build(_ parts: [Part], rowNames: Value?, checkNames: Bool, stringsAsFactors: Bool)
        throws(FnError) -> Value
    {
        var columns: [Value] = [], names: [String] = [], rowCounts: [Int] = []
        var foundRowNames: [String]? = nil
        for p in parts {
            let v = p.value
            // NULL counts as an argument of no rows (R 4.2's error when others have rows).
            if v.isNull { rowCounts.append(0); continue }
            if case .list(let l) = v {
                var inner = l.names ?? Array(repeating: "", count: l.count)
                if !isDataFrame(v) {
                    for k in inner.indices where inner[k].isEmpty {
                        inner[k] = ValueDeparser.deparse(l.elements[k])
                    }
                }
                for (k, c) in l.elements.enumerated() {
                    if isDataFrame(c) {
                        let sub = try build([Part(value: c, name: nil, expression: nil)], rowNames: nil,
                                            checkNames: false, stringsAsFactors: stringsAsFactors)
                        let subNames = sub.names ?? []
                        guard case .list(let s) = sub else { continue }
                        for (m, sc) in s.elements.enumerated() {
                            columns.append(sc)
                            names.append(inner[k] + "." + subNames[m])
                            rowCounts.append(sc.length)
                        }
                        continue
                    }
                    columns.append(column(c, stringsAsFactors))
                    names.append(p.name != nil && l.count > 1 ? p.name! + "." + inner[k] : inner[k])
                    rowCounts.append(c.length)
                }
                if l.count == 0 { rowCounts.append(isDataFrame(v) ? rowCount(v) : 0) }
                if isDataFrame(v) {
                    if foundRowNames == nil, let rn = DataFrame.rowNames(v) { foundRowNames = rn }
                }
                continue
            }
            if let d = v.dim, d.count == 2 {
                let cols = matrixColumns(v, prefix: p.name == nil && Matrix.names(v, 1) == nil ? "X" : "")
                for (n, c) in cols {
                    columns.append(column(c, stringsAsFactors))
                    names.append(p.name.map { $0 + "." + (n.isEmpty ? "" : n) } ?? n)
                    rowCounts.append(d[0])
                }
                if let p = p.name, Matrix.names(v, 1) == nil {
                    for k in 0..<cols.count { names[names.count - cols.count + k] = p + "." + String(k + 1) }
                }
                if foundRowNames == nil, let rn = Matrix.names(v, 0) { foundRowNames = rn }
                continue
            }
            guard v.storage != nil else {
                throw FnError.runtime("cannot coerce class '\"\(v.typeName)\"' to a data.frame")
            }
            if foundRowNames == nil, let n = v.names, Set(n).count == n.count, !Factors.isFactor(v) || true {
                foundRowNames = n
            }
            var col = column(v, stringsAsFactors)
            if case .vector(var vec) = col, vec.names != nil {
                vec.names = nil
                col = .vector(vec)
            }
            columns.append(col)
            names.append(p.name ?? p.expression ?? ValueDeparser.deparse(v))
            rowCounts.append(v.length)
        }
        let nr = rowCounts.max() ?? (rowNames.map { $0.length } ?? 0)
        if nr > 0 && rowCounts.contains(0) { try differingRows(rowCounts) }
        for (k, c) in columns.enumerated() where c.length != nr {
            let len = c.length
            guard len > 0, nr % len == 0 else { try differingRows(rowCounts); continue }
            columns[k] = selectElements(c, (0..<nr).map { $0 % len })
        }
        if nr != rowCounts.first ?? nr { foundRowNames = nil }
        var given: [String]? = foundRowNames
        var rowNames = rowNames
        if let r = rowNames, r.length == 1, nr != 1, let s = r.storage {
            // One name or number picks the column that holds the row names.
            let k = s.type == .character ? s.strings()[0].flatMap { names.firstIndex(of: $0) } : Int(s.doubles()[0]) - 1
            guard let k, k >= 0, k < columns.count else {
                throw FnError.runtime("'row.names' should specify one of the variables")
            }
            rowNames = Factors.isFactor(columns[k]) ? Value(Vector(.character(Factors.labels(columns[k])))) : columns[k]
            columns.remove(at: k)
            names.remove(at: k)
        }
        if let r = rowNames, !r.isNull {
            guard let s = r.storage, s.count == nr else {
                throw FnError.runtime("row names supplied are of the wrong length")
            }
            given = s.strings().map { $0 ?? "NA" }
            if s.type != .character, given == (0..<nr).map({ String($0 + 1) }) { given = nil }
        }
        if let g = given {
            var seen = Set<String>()
            for n in g where !seen.insert(n).inserted { throw FnError.runtime("duplicate row.names: \(n)") }
        }
        if checkNames { names = makeUnique(names.map(syntacticName), sep: ".") }
        let frame = make(columns, names: names, rowNames: given)
        // R's data.frame() with no arguments has row.names before class.
        return parts.isEmpty ? classLast(frame) : frame
    }

    private static func differingRows(_ rowCounts: [Int]) throws(FnError) {
        var unique: [Int] = []
        for r in rowCounts where !unique.contains(r) { unique.append(r) }
        throw FnError.runtime("arguments imply differing number of rows: " + unique.map(String.init).joined(separator: ", "))
    }

    /// A value as a data frame column: characters become factors when asked, names are dropped
    /// for one-dimensional values kept as they are otherwise.
    static func column(_ v: Value, _ stringsAsFactors: Bool) -> Value {
        if stringsAsFactors, v.atomicType == .character, !Factors.isFactor(v) {
            let levels = Factors.sortedUnique(nil, v)
            let codes = Factors.strings(v).map { s in
                levels.firstIndex(where: { $0 == s }).map { Int32($0 + 1) } ?? NA.integer
            }
            return Factors.make(codes, levels.map { $0 ?? "NA" }, names: nil, ordered: false)
        }
        return v
    }

    /// The columns of a matrix with their names (`colnames`, or `prefix` and the number).
    static func matrixColumns(_ m: Value, prefix: String) -> [(String, Value)] {
        guard let d = m.dim, d.count == 2, let s = m.storage else { return [] }
        let names = Matrix.names(m, 1)
        return (0..<d[1]).map { j in
            (names?[j] ?? prefix + String(j + 1), Value(Vector(s.gathered((0..<d[0]).map { j * d[0] + $0 }))))
        }
    }

    /// R's `make.names` of one name.
    static func syntacticName(_ name: String?) -> String {
        guard let name else { return "NA." }
        var s = String(name.map { c -> Character in
            c.isLetter || c.isNumber || c == "." || c == "_" ? c : "."
        })
        let first = s.first
        if first == nil || !(first!.isLetter || first == ".")
            || (first == "." && s.dropFirst().first.map { $0.isNumber } == true)
        {
            s = "X" + s
        }
        if reservedWords.contains(s) { s += "." }
        return s
    }

    static let reservedWords: Set<String> = [
        "if", "else", "repeat", "while", "function", "for", "next", "break", "TRUE", "FALSE", "NULL", "Inf", "NaN",
        "NA", "NA_integer_", "NA_real_", "NA_character_", "NA_complex_", "in",
    ]

    /// R's `make.unique`: later repeats get `sep` and the smallest number not yet used.
    static func makeUnique(_ names: [String], sep: String) -> [String] {
        var used = Set(names)
        var seen = Set<String>()
        var counters: [String: Int] = [:]
        return names.map { n in
            if seen.insert(n).inserted { return n }
            var k = counters[n, default: 1]
            while used.contains(n + sep + String(k)) { k += 1 }
            counters[n] = k + 1
            let out = n + sep + String(k)
            used.insert(out)
            return out
        }
    }

    /// The data frame with new column names.
    static func settingNames(_ x: Value, _ value: Value) throws(FnError) -> Value {
        guard case .list(var l) = x else { return x }
        let names = value.storage?.strings().map { $0 ?? "NA" } ?? []
        guard names.count == l.count else {
            throw FnError.runtime("'names' attribute [\(names.count)] must be the same length as the vector [\(l.count)]")
        }
        l.names = names
        return .list(l)
    }

    /// `row.names(x) <- value`: strings, or automatic for NULL.
    static func settingRowNames(_ x: Value, _ value: Value, _ ip: Interpreter) throws(FnError) -> Value {
        guard case .list(var l) = x else { return x }
        let n = rowCount(x)
        if value.isNull {
            setAttribute(&l.attributes, "row.names", rowNamesValue(nil, count: n))
            return .list(l)
        }
        guard let s = value.storage, s.count == n else {
            throw FnError.runtime("invalid 'row.names' length")
        }
        let names = s.strings().map { $0 ?? "NA" }
        var seen = Set<String>()
        for r in names where !seen.insert(r).inserted {
            ip.warn("non-unique value when setting 'row.names': \u{2018}\(r)\u{2019}")
            throw FnError.runtime("duplicate 'row.names' are not allowed")
        }
        let automatic = s.type == .integer && names == (0..<n).map { String($0 + 1) }
        setAttribute(&l.attributes, "row.names",
                     s.type == .integer ? Value(Vector(s)) : rowNamesValue(automatic ? nil : names, count: n))
        return .list(l)
    }

    /// `as.matrix(df)`: one type for all columns (character when any is character or a factor;
    /// numbers then formatted as `format` does), dimnames from the names and given row names.
    static func matrix(_ x: Value) -> Value {
        guard case .list(let l) = x else { return x }
        let nr = rowCount(x)
        let textual = l.elements.contains { Factors.isFactor($0) || $0.atomicType == .character }
        var parts: [Storage] = []
        for c in l.elements {
            if textual {
                if Factors.isFactor(c) {
                    parts.append(.character(Factors.labels(c)))
                } else if let s = c.storage, s.type != .character {
                    // R formats non-character columns of a mixed frame as `format` does.
                    let cells = s.type == .logical ? s.strings() : paddedNumbers(s)
                    parts.append(.character(cells))
                } else {
                    parts.append(c.storage ?? .character([]))
                }
            } else {
                parts.append(c.storage ?? .logical([]))
            }
        }
        let type = parts.map(\.type).max() ?? .logical
        let combined = Unpack.combine(parts.map { Value(Vector($0)) }, as: type)
        let rn = rowNames(x).map { Value(Vector(.character($0))) } ?? .null
        return Matrix.make(combined, nr, l.count, dimnames: [rn, Value(Vector(.character(l.names ?? [])))])
    }

    /// Numbers as `format` gives them, padded to a common width; NA stays NA.
    static func paddedNumbers(_ s: Storage) -> [String?] {
        let cells = formatElements(s, quote: false)
        let width = cells.map(\.count).max() ?? 0
        return cells.enumerated().map { k, t in
            s.isNA(k) ? nil : String(repeating: " ", count: max(0, width - t.count)) + t
        }
    }

    /// One string key per row, the values of every column, for `duplicated` and `unique`.
    static func rowKeys(_ x: Value) -> [String] {
        guard case .list(let l) = x else { return [] }
        let nr = rowCount(x)
        var keys = [String](repeating: "", count: nr)
        for c in l.elements {
            let cells: [String?] = Factors.isFactor(c) ? Factors.labels(c) : (c.storage?.strings() ?? [])
            for i in 0..<min(nr, cells.count) { keys[i] += (cells[i] ?? "\u{0}NA") + "\u{1}" }
        }
        return keys
    }

    static func duplicatedRows(_ x: Value, fromLast: Bool) -> [Bool] {
        let keys = rowKeys(x)
        var seen = Set<String>()
        var out = [Bool](repeating: false, count: keys.count)
        let order = fromLast ? Array(keys.indices.reversed()) : Array(keys.indices)
        for i in order { out[i] = !seen.insert(keys[i]).inserted }
        return out
    }

    /// For each row (or element, or matrix row), whether it has no NA.
    static func completeRows(_ x: Value) -> [Bool] {
        if case .list(let l) = x {
            var keep = [Bool](repeating: true, count: isDataFrame(x) ? rowCount(x) : (l.elements.first?.length ?? 0))
            for c in l.elements {
                let rows = completeRows(c)
                for i in 0..<min(keep.count, rows.count) where !rows[i] { keep[i] = false }
            }
            return keep
        }
        guard let s = x.storage else { return [] }
        if let d = x.dim, d.count == 2 {
            return (0..<d[0]).map { i in (0..<d[1]).allSatisfy { !s.isNA($0 * d[0] + i) } }
        }
        return (0..<s.count).map { !s.isNA($0) }
    }

    /// `unsplit(value, f)`: the pieces put back in the order of `f`.
    static func unsplit(_ value: Value, _ f: Value, _ ip: Interpreter) throws(FnError) -> Value {
        guard case .list(let groups) = value else { throw FnError.runtime("'value' must be a list") }
        guard let b = Dispatch.internalDefault(ip, "split") else { throw FnError.runtime("could not find split") }
        let n = f.length
        let positions = try ip.callFunction(.builtin(b), [Value(Vector(.integer((0..<n).map { Int32($0 + 1) }))), f],
                                            names: [nil, nil])
        guard case .list(let idx) = positions else { return .null }
        var order: [(Int, Int, Int)] = []  // (target row, group, row in group)
        for (g, p) in idx.elements.enumerated() {
            for (k, r) in (p.storage?.integers() ?? []).enumerated() { order.append((Int(r) - 1, g, k)) }
        }
        order.sort { $0.0 < $1.0 }
        if let first = groups.elements.first, isDataFrame(first) {
            let frames = order.map { selectRows(groups.elements[$0.1], [$0.2]) }
            return try bindRows(frames, names: nil)
        }
        let pieces = order.map { (_, g, k) in selectElements(groups.elements[g], [k]) }
        var out = try Combine.values(pieces.map { v in
            if case .vector(var vec) = v { vec.names = nil; return Value(vec) }
            return v
        }, names: pieces.map { _ in nil })
        if let first = groups.elements.first, Factors.isFactor(first) { try Factors.restoreAttributes(&out, from: first) }
        return out
    }
}

extension Factors {
    /// The factor attributes of `x` put on `out` (a subset of its codes); nothing for other values.
    static func restoreAttributes(_ out: inout Value, from x: Value) throws(FnError) {
        if isFactor(x) { try restore(&out, from: x) }
    }
}
