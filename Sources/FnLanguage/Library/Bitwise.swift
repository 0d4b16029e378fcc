#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Integers as bits and as text in other bases: `bitwAnd`, `bitwOr`, `bitwXor`, `bitwNot`,
/// `bitwShiftL`, `bitwShiftR`, `strtoi`, and the `"hexmode"` class (`as.hexmode`,
/// `format.hexmode`, `as.character.hexmode`).
extension BuiltinRegistry {
    mutating func registerBitwise() {
        defineBitwise("bitwAnd") { $0 & $1 }
        defineBitwise("bitwOr") { $0 | $1 }
        defineBitwise("bitwXor") { $0 ^ $1 }
        // Shifts treat the integer as 32 unsigned bits; a count outside 0...31 gives NA, and so
        // does a result with only the sign bit set (it is NA_integer_'s pattern).
        defineBitwise("bitwShiftL", second: "n") { a, n in
            n < 0 || n > 31 ? NA.integer : Int32(bitPattern: UInt32(bitPattern: a) << UInt32(n))
        }
        defineBitwise("bitwShiftR", second: "n") { a, n in
            n < 0 || n > 31 ? NA.integer : Int32(bitPattern: UInt32(bitPattern: a) >> UInt32(n))
        }
        define("bitwNot", ["a"]) { args, ip throws(FnError) in
            let a = try args.required(0, "a")
            guard let s = a.storage, s.type == .integer || s.type == .double else {
                throw FnError.runtime("unimplemented type '\(a.typeName)' in 'bitwNot'")
            }
            return Value(.integer(bitwiseIntegers(s, ip).map { $0 == NA.integer ? $0 : ~$0 }))
        }
        define("strtoi", ["x", "base"]) { args, _ throws(FnError) in
            // R's default base is 0 here: C's rule, so "0x1A" is hexadecimal and "077" octal.
            let base = try Unpack.int(args[1], "base", default: 0)
            guard base == 0 || (2...36).contains(base) else { throw FnError.runtime("invalid 'base' argument") }
            return Value(.integer(characterElements(try args.required(0, "x")).map { parseInteger($0, base: base) }))
        }
        define("as.hexmode", ["x"]) { args, _ throws(FnError) in
            let x = try args.required(0, "x")
            if x.classAttribute?.contains("hexmode") == true { return x }
            let cannot = FnError.runtime("'x' cannot be coerced to class \"hexmode\"")
            switch x.storage {
            case .integer(let a)?:
                return .vector(Vector(.integer(a), names: x.names, classes: ["hexmode"]))
            case .double(let a)?:
                // Whole numbers only; as.integer drops the names.
                guard a.allSatisfy({ $0.isNaN || ($0 == $0.rounded(.towardZero) && Swift.abs($0) < 2147483648) })
                else { throw cannot }
                let ints = a.map { $0.isNaN ? NA.integer : Int32($0) }
                return .vector(Vector(.integer(ints), classes: ["hexmode"]))
            case .character(let a)?:
                let z = a.map { parseInteger($0, base: 16) }
                guard z.allSatisfy({ $0 != NA.integer && $0 >= 0 }) else { throw cannot }
                return .vector(Vector(.integer(z), classes: ["hexmode"]))
            default:
                throw cannot
            }
        }
        define("format.hexmode", ["x", "width", "upper.case", "..."]) { args, ip throws(FnError) in
            let x = try args.required(0, "x")
            let width = try args[1].flatMap { v throws(FnError) in v.isNull ? nil : try Unpack.int(v, "width", default: 0) }
            let upper = try Unpack.flag(args[2], "upper.case", default: false)
            return try hexStrings(x, width: width, upper: upper, common: true, ip)
        }
        define("as.character.hexmode", ["x", "..."]) { args, ip throws(FnError) in
            try hexStrings(try args.required(0, "x"), width: nil, upper: false, common: false, ip)
        }
    }

    /// A bitwise function of two integer vectors, recycled without a warning.
    private mutating func defineBitwise(_ name: String, second: String = "b", _ f: @escaping (Int32, Int32) -> Int32) {
        define(name, ["a", second]) { args, ip throws(FnError) in
            let a = try args.required(0, "a")
            var b = try args.required(1, second)
            // A shift count is converted with as.integer; `b` of the other three must be a number.
            if second == "n", b.atomicType != nil || b.isNull { b = try coerce(b, to: .integer, ip) }
            guard let sa = a.storage, sa.type == .integer || sa.type == .double else {
                if a.typeName != b.typeName { throw FnError.runtime("'a' and 'b' must have the same type") }
                throw FnError.runtime("unimplemented type '\(a.typeName)' in '\(name)'")
            }
            guard let sb = b.storage, sb.type == .integer || sb.type == .double else {
                throw FnError.runtime("'a' and 'b' must have the same type")
            }
            let x = bitwiseIntegers(sa, ip), y = bitwiseIntegers(sb, ip)
            let n = x.isEmpty || y.isEmpty ? 0 : max(x.count, y.count)
            let out: [Int32] = (0..<n).map { i in
                let p = x[i % x.count], q = y[i % y.count]
                return p == NA.integer || q == NA.integer ? NA.integer : f(p, q)
            }
            return Value(.integer(out))
        }
    }
}

/// Numbers as 32-bit integers, truncated; out of range is NA with R's warning.
private func bitwiseIntegers(_ s: Storage, _ ip: Interpreter) -> [Int32] {
    guard case .double(let a) = s else { return s.integers() }
    var warned = false
    return a.map { d in
        let i = Coerce.integer(fromDouble: d)
        if i == NA.integer && !d.isNaN && !warned {
            ip.warn("NAs introduced by coercion to integer range")
            warned = true
        }
        return i
    }
}

/// C's `strtol` as R's `strtoi` uses it: leading blanks and a sign are allowed, the whole rest
/// must be digits of `base` (0: decimal, `0x` hexadecimal, leading `0` octal), and the value
/// must fit an R integer; otherwise NA.
func parseInteger(_ text: String?, base: Int) -> Int32 {
    guard let text, !text.isEmpty else { return NA.integer }
    var end: UnsafeMutablePointer<CChar>?
    errno = 0
    let n = text.withCString { p -> Int in
        let v = strtol(p, &end, Int32(base))
        return end?.pointee == 0 ? v : Int.max
    }
    guard errno == 0, n != Int.max, n > Int(Int32.min), n <= Int(Int32.max) else { return NA.integer }
    return Int32(n)
}

/// Hexadecimal text of integers (negative ones as their 32-bit two's complement), NA kept, names
/// kept; with `common`, zero-padded to a shared width as `format.hexmode` does.
private func hexStrings(_ x: Value, width: Int?, upper: Bool, common: Bool, _ ip: Interpreter) throws(FnError) -> Value {
    guard let s = x.storage, s.type != .character else {
        throw FnError.runtime("'x' must be numeric or hexmode")
    }
    let ints = bitwiseIntegers(s, ip)
    let conversion = upper ? "X" : "x"
    func hex(_ i: Int32, _ w: Int?) -> String {
        cFormat("%" + (w.map { "0\($0)" } ?? "") + conversion, UInt32(bitPattern: i))
    }
    var w = width
    let present = ints.filter { $0 != NA.integer }
    if common && width == nil && present.count > 1 {
        w = present.map { hex($0, nil).utf8.count }.max()
    }
    let out: [String?] = ints.map { $0 == NA.integer ? nil : hex($0, w) }
    return Value(Vector(.character(out), names: x.names))
}
