/// R's coercions between atomic types (`as.logical`, `as.integer`, `as.double`, `as.character`).
extension Storage {
    /// The elements as logicals (0, 1, `NA.logical`).
    public func logicals() -> [Int8] {
        switch self {
        case .logical(let a): return a
        case .integer(let a): return a.map { $0 == NA.integer ? NA.logical : ($0 != 0 ? 1 : 0) }
        case .double(let a): return a.map { $0.isNaN ? NA.logical : ($0 != 0 ? 1 : 0) }
        case .character(let a): return a.map { Coerce.logical(fromString: $0) }
        }
    }

    /// The elements as integers (`NA.integer` for NA and for doubles out of range).
    public func integers() -> [Int32] {
        switch self {
        case .logical(let a): return a.map { $0 == NA.logical ? NA.integer : Int32($0) }
        case .integer(let a): return a
        case .double(let a): return a.map(Coerce.integer(fromDouble:))
        case .character(let a): return a.map { Coerce.integer(fromDouble: Coerce.double(fromString: $0)) }
        }
    }

    /// The elements as doubles (`NA.double` for NA).
    public func doubles() -> [Double] {
        switch self {
        case .logical(let a): return a.map { $0 == NA.logical ? NA.double : Double($0) }
        case .integer(let a): return a.map { $0 == NA.integer ? NA.double : Double($0) }
        case .double(let a): return a
        case .character(let a): return a.map(Coerce.double(fromString:))
        }
    }

    /// The elements as strings (nil for NA), formatted as R's `as.character` does.
    public func strings() -> [String?] {
        switch self {
        case .logical(let a): return a.map(Coerce.string(fromLogical:))
        case .integer(let a): return a.map(Coerce.string(fromInteger:))
        case .double(let a): return a.map(Coerce.string(fromDouble:))
        case .character(let a): return a
        }
    }

    /// The elements converted to `type`.
    public func converted(to type: AtomicType) -> Storage {
        if type == self.type { return self }
        switch type {
        case .logical: return .logical(logicals())
        case .integer: return .integer(integers())
        case .double: return .double(doubles())
        case .character: return .character(strings())
        }
    }

    /// Element `i` as a scalar value of the same type.
    public func element(_ i: Int) -> Value {
        switch self {
        case .logical(let a): return .logical(a[i])
        case .integer(let a): return .integer(a[i])
        case .double(let a): return .double(a[i])
        case .character(let a): return .character(a[i])
        }
    }

    /// True when element `i` is NA (or NaN, for doubles).
    public func isNA(_ i: Int) -> Bool {
        switch self {
        case .logical(let a): return a[i] == NA.logical
        case .integer(let a): return a[i] == NA.integer
        case .double(let a): return a[i].isNaN
        case .character(let a): return a[i] == nil
        }
    }
}

/// Scalar conversions with R's rules.
public enum Coerce {
    @inlinable public static func integer(fromDouble d: Double) -> Int32 {
        if d.isNaN || d >= 2147483648.0 || d <= -2147483649.0 { return NA.integer }
        return Int32(d.rounded(.towardZero))
    }

    public static func logical(fromString s: String?) -> Int8 {
        switch s {
        case "TRUE", "true", "T", "True": return 1
        case "FALSE", "false", "F", "False": return 0
        default: return NA.logical
        }
    }

    /// R's `as.numeric` on a string: decimal, scientific, hex, "Inf", "NaN", "NA"; surrounding
    /// white space allowed; anything else is NA.
    public static func double(fromString s: String?) -> Double {
        guard let s else { return NA.double }
        var t = Substring(s)
        while let f = t.first, f == " " || f == "\t" || f == "\n" || f == "\r" { t.removeFirst() }
        while let l = t.last, l == " " || l == "\t" || l == "\n" || l == "\r" { t.removeLast() }
        if t.isEmpty || t == "NA" { return NA.double }
        var sign = 1.0
        var body = t
        if body.first == "-" { sign = -1; body.removeFirst() } else if body.first == "+" { body.removeFirst() }
        switch body {
        case "Inf", "inf", "Infinity", "infinity": return sign * .infinity
        case "NaN": return .nan
        default: break
        }
        if body.hasPrefix("0x") || body.hasPrefix("0X") {
            guard let v = UInt64(body.dropFirst(2), radix: 16) else { return NA.double }
            return sign * Double(v)
        }
        // Only digits, '.', exponent: Double(String) also accepts "nan", "inf" and hex floats.
        for c in body.utf8 where !((c >= 48 && c <= 57) || c == 46 || c == 101 || c == 69 || c == 43 || c == 45) {
            return NA.double
        }
        guard let v = Double(String(body)) else { return NA.double }
        return sign * v
    }

    public static func string(fromLogical x: Int8) -> String? {
        x == NA.logical ? nil : (x != 0 ? "TRUE" : "FALSE")
    }

    public static func string(fromInteger x: Int32) -> String? {
        x == NA.integer ? nil : String(x)
    }

    /// R's `as.character(<double>)`: up to 15 significant digits, fixed or scientific notation,
    /// whichever is narrower.
    public static func string(fromDouble x: Double) -> String? {
        if NA.isNA(x) { return nil }
        return NumberFormat.r15(x)
    }
}
