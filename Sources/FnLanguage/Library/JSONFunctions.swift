/// jsonlite in handler code: `toJSON` with jsonlite's own defaults (`auto_unbox = FALSE`,
/// `digits = 4`, `dataframe = "rows"`, `matrix = "rowmajor"`, `na` by type, `null = "list"`)
/// returning class "json", `fromJSON` with its simplification switches, `unbox`, and `I` for
/// `digits = I(n)`. The bridge's own encoding of results is `JSON.encodeResult` (§6 of grammar.md).
extension BuiltinRegistry {
    mutating func registerJSONFunctions() {
        define("toJSON", ["x", "dataframe", "matrix", "Date", "POSIXt", "factor", "null", "na", "auto_unbox",
                          "digits", "pretty", "json_verbatim", "..."]) { args, ip throws(FnError) in
            var options = try JSONFunctions.writerOptions(args)
            options.cancellation = ip.cancellation
            let bytes: [UInt8]
            do throws(FnError) {
                bytes = try JSONWriter.write(args[0] ?? .null, options: options)
            } catch {
                if error.kind == .cancelled { throw error }
                // A runtime error, so `tryCatch` and the handler's error type treat it as the
                // handler's own failure rather than a failure to marshal its result.
                throw FnError.runtime(error.message)
            }
            return JSONFunctions.json(String(decoding: bytes, as: UTF8.self))
        }
        define("fromJSON", ["txt", "simplifyVector", "simplifyDataFrame", "simplifyMatrix", "flatten", "..."]) {
            args, ip throws(FnError) in
            let txt = try args.required(0, "txt")
            guard txt.atomicType == .character, let s = txt.storage, s.count >= 1 else {
                throw FnError.runtime("Argument 'txt' must be a JSON string, URL or file.")
            }
            let text = try DataFile.jsonText(txt, ip) ?? s.strings().map { $0 ?? "NA" }.joined(separator: "\n")
            var options = JSONReader.Options()
            options.simplifyVector = try Unpack.flag(args[1], "simplifyVector", default: true)
            options.simplifyDataFrame = try Unpack.flag(args[2], "simplifyDataFrame", default: options.simplifyVector)
            options.simplifyMatrix = try Unpack.flag(args[3], "simplifyMatrix", default: options.simplifyVector)
            options.flatten = try Unpack.flag(args[4], "flatten", default: false)
            if !options.simplifyVector {
                options.simplifyDataFrame = false
                options.simplifyMatrix = false
            }
            do throws(FnError) {
                return try JSONReader.read(Array(text.utf8), options: options)
            } catch {
                throw FnError.runtime(error.message)
            }
        }
        define("unbox", ["x"]) { args, _ throws(FnError) in
            let x = try args.required(0, "x")
            if x.isNull { return x }
            guard let s = x.storage else {
                throw FnError.runtime("Only atomic vectors of length 1 or data frames with 1 row can be unboxed.")
            }
            guard s.count == 1 else {
                throw FnError.runtime("Tried to unbox a vector of length \(s.count)")
            }
            return .vector(Vector(s, names: nil, classes: ["scalar"] + (x.classAttribute ?? [])))
        }
        define("print.json", ["x", "..."]) { args, ip throws(FnError) in
            let x = try args.required(0, "x")
            let text = (x.storage?.strings() ?? []).map { $0 ?? "NA" }.joined(separator: "\n")
            // jsonlite prints with `cat(x, "\n")`, hence the space.
            ip.output(.stdout, text + " \n")
            ip.visible = false
            return .null
        }
    }
}

/// The argument handling of `toJSON`.
enum JSONFunctions {
    /// A value of class "json": what `toJSON` returns.
    static func json(_ text: String) -> Value {
        .vector(Vector(.character([text]), names: nil, classes: ["json"]))
    }

    static func writerOptions(_ args: Arguments) throws(FnError) -> JSONWriter.Options {
        var o = JSONWriter.Options()
        o.autoUnbox = try Unpack.flag(args[8], "auto_unbox", default: false)
        o.pretty = try Unpack.flag(args[10], "pretty", default: false)
        o.jsonVerbatim = try Unpack.flag(args[11], "json_verbatim", default: false)
        o.na = .byType
        o.nullAsList = true
        switch try choice(args[1], "dataframe", ["rows", "columns", "values"]) {
        case "columns": o.dataframe = .columns
        case "values": o.dataframe = .values
        default: o.dataframe = .rows
        }
        o.columnMajor = try choice(args[2], "matrix", ["rowmajor", "columnmajor"]) == "columnmajor"
        if try choice(args[3], "Date", ["ISO8601", "epoch"]) != "ISO8601" {
            throw FnError.runtime("toJSON(Date = \"epoch\") is not supported in fn")
        }
        if try choice(args[4], "POSIXt", ["string", "ISO8601", "epoch", "mongo"]) != "string" {
            throw FnError.runtime("toJSON(POSIXt =) supports only \"string\" in fn")
        }
        if try choice(args[5], "factor", ["string", "integer"]) != "string" {
            throw FnError.runtime("toJSON(factor = \"integer\") is not supported in fn")
        }
        o.nullAsList = try choice(args[6], "null", ["list", "null"]) == "list"
        if let na = args[7], !na.isNull {
            o.na = try choice(na, "na", ["null", "string"]) == "null" ? .null : .string
        }
        if let digits = args[9], !digits.isNull {
            guard let s = digits.storage, s.count == 1 else {
                throw FnError.runtime("'digits' must be a single number, NA or I(n)")
            }
            if s.isNA(0) {
                o.digits = .max
            } else {
                let n = Int(s.doubles()[0])
                o.digits = digits.classAttribute?.contains("AsIs") == true ? .significant(n) : .decimals(max(0, n))
            }
        } else {
            o.digits = .decimals(4)
        }
        return o
    }

    /// `match.arg`-like: the first choice when missing, else the given string, which must be one.
    private static func choice(_ v: Value?, _ name: String, _ choices: [String]) throws(FnError) -> String {
        guard let v, !v.isNull else { return choices[0] }
        guard v.atomicType == .character, let s = v.storage?.strings().first ?? nil else {
            throw FnError.runtime("'\(name)' must be one of \(choices.map { "\"\($0)\"" }.joined(separator: ", "))")
        }
        if v.length > 1 { return choices[0] }
        guard choices.contains(s) else {
            throw FnError.runtime("'arg' should be one of \(choices.map { "\u{201C}\($0)\u{201D}" }.joined(separator: ", "))")
        }
        return s
    }
}
