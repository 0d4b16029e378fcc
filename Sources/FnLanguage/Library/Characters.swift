#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Characters as numbers (`utf8ToInt`, `intToUtf8`) and the empty-string test `nzchar`.
extension BuiltinRegistry {
    mutating func registerCharacters() {
        define("nzchar", ["x", "keepNA"]) { args, _ throws(FnError) in
            guard let x = args[0] else {
                // nzchar is a primitive in R, which counts arguments rather than naming the missing one.
                let n = args.values.compactMap { $0 }.count
                throw FnError.runtime("\(n) argument\(n == 1 ? "" : "s") passed to 'nzchar' which requires 1 to 2")
            }
            let keepNA = try Unpack.flag(args[1], "keepNA", default: false)
            if x.isFunction || { if case .environment = x { return true } else { return false } }() {
                throw FnError.runtime("cannot coerce type '\(x.typeName)' to vector of type 'character'")
            }
            // NA counts as non-empty unless keepNA = TRUE (R's default, keepNA = FALSE).
            let out: [Int8] = characterElements(x).map { s in
                guard let s else { return keepNA ? NA.logical : 1 }
                return s.isEmpty ? 0 : 1
            }
            return Value(.logical(out))
        }
        define("utf8ToInt", ["x"]) { args, _ throws(FnError) in
            let x = try args.required(0, "x")
            guard x.atomicType == .character, x.length == 1 else {
                throw FnError.runtime("argument must be a character vector of length 1")
            }
            guard let s = characterElements(x)[0] else { return .integer(NA.integer) }
            return Value(.integer(s.unicodeScalars.map { Int32($0.value) }))
        }
        define("intToUtf8", ["x", "multiple", "allow_surrogate_pairs"]) { args, _ throws(FnError) in
            let x = try args.required(0, "x")
            let multiple = try Unpack.flag(args[1], "multiple", default: false)
            guard x.isNull || (x.storage.map { $0.type != .character } ?? false) else {
                throw FnError.runtime("argument 'x' must be an integer vector")
            }
            let codes = x.storage?.doubles() ?? []
            var scalars: [Unicode.Scalar?] = []
            for c in codes {
                if c.isNaN { scalars.append(nil); continue }
                guard c >= 0, c < 0x110000, let u = Unicode.Scalar(UInt32(c)) else {
                    throw FnError.runtime("invalid input \(Int(c)) in 'intToUtf8'")
                }
                scalars.append(u)
            }
            if multiple {
                return Value(.character(scalars.map { u in
                    u.map { $0.value == 0 ? "" : String(Character($0)) }
                }))
            }
            if scalars.contains(where: { $0 == nil }) { return .character(nil) }
            var out = String.UnicodeScalarView()
            for case let u? in scalars where u.value != 0 { out.append(u) }
            return .character(String(out))
        }
    }
}
