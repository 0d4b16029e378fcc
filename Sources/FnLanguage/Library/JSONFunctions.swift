/// `toJSON` and `fromJSON` inside handlers, with the bridge's rules (§6 of grammar.md) and
/// jsonlite's argument names so R code ports. `toJSON` returns a plain character scalar
/// (jsonlite's has class `"json"`).
extension BuiltinRegistry {
    mutating func registerJSONFunctions() {
        define("toJSON", ["x", "auto_unbox", "pretty", "..."]) { args, _ throws(FnError) in
            let autoUnbox = try Unpack.flag(args[1], "auto_unbox", default: true)
            let pretty = try Unpack.flag(args[2], "pretty", default: false)
            let bytes: [UInt8]
            do throws(FnError) {
                bytes = try JSON.serialize(args[0] ?? .null, autoUnbox: autoUnbox, pretty: pretty)
            } catch {
                // A runtime error, so `tryCatch` and the handler's error type treat it as the
                // handler's own failure rather than a failure to marshal its result.
                throw FnError.runtime(error.message)
            }
            return .character(String(decoding: bytes, as: UTF8.self))
        }
        define("fromJSON", ["txt", "simplifyVector", "..."]) { args, ip throws(FnError) in
            let txt = try args.required(0, "txt")
            guard txt.atomicType == .character, let s = txt.storage, s.count >= 1 else {
                throw FnError.runtime("Argument 'txt' must be a JSON string.")
            }
            let text = try DataFile.jsonText(txt, ip) ?? s.strings().map { $0 ?? "NA" }.joined(separator: "\n")
            let simplify = try Unpack.flag(args[1], "simplifyVector", default: true)
            do throws(FnError) {
                return try JSON.parse(Array(text.utf8), simplifyVector: simplify)
            } catch {
                throw FnError.runtime(error.message)
            }
        }
    }
}
