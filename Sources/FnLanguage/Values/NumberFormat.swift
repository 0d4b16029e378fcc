import Glibc

/// Formatting of doubles exactly the way R prints them (`as.character`, `print`, `format`, `cat`).
///
/// R decides the layout of a double vector in two steps, both reproduced here from R's
/// `formatReal`: each finite element is reduced to its sign, decimal exponent and number of
/// significant digits at the requested precision; then one layout (width, decimals, fixed or
/// scientific) is chosen for the whole vector, fixed notation winning whenever it is no wider than
/// scientific (`scipen = 0`). The digits themselves come from the C library's `printf`, as in R.
///
/// On x86-64 the digit counting uses 80-bit `Float80` arithmetic, as R does with `long double`;
/// elsewhere it falls back to R's double-precision branch, which can differ in the last digit for
/// a handful of values.
public enum NumberFormat {
    /// R's `as.character(x)` for a double: 15 significant digits at most, trailing zeros dropped,
    /// scientific notation (`1e+05`) when it is narrower than fixed notation.
    ///
    /// `NA` gives `"NA"` (callers that need `NA_character_` check `NA.isNA` first).
    public static func r15(_ x: Double) -> String {
        if let s = integral(x, digits: 15) { return s }
        let layout = Layout(of: CollectionOfOne(x), digits: 15)
        return String(decoding: dropTrailingZeros(encodeBytes(x, layout)), as: UTF8.self)
    }

    /// What `cat(x)` writes for a double: 7 significant digits, no padding (`cat(1/3)` is `0.3333333`).
    public static func cat(_ x: Double) -> String {
        if let s = integral(x, digits: 7) { return s }
        return encode(x, Layout(of: CollectionOfOne(x), digits: 7))
    }

    /// R's `format(xs)` / `print(xs)` for a double vector: one layout for all elements (common
    /// significant digits, decimals, fixed or scientific), each element right-aligned to the common
    /// width; `NA` is `"NA"`.
    ///
    /// `digits` is R's `digits` option (1...22); values outside that range are clamped. `scipen` is R's
    /// penalty on scientific notation: fixed notation wins while it is at most `scipen` characters wider.
    public static func format(_ xs: [Double], digits: Int = 7, scipen: Int = 0) -> [String] {
        let layout = Layout(of: xs, digits: min(max(digits, 1), 22), scipen: scipen)
        return xs.map { encode($0, layout) }
    }

    // MARK: - Layout (R's formatReal)

    /// The common layout of a vector: total width, decimals, and exponent digits (0 for fixed).
    struct Layout {
        var width: Int
        var decimals: Int
        /// 0: fixed notation; 1: scientific with 2-digit exponent; 2: 3-digit exponent.
        var exponent: Int

        init(width: Int, decimals: Int, exponent: Int) {
            self.width = width
            self.decimals = decimals
            self.exponent = exponent
        }

        init<C: Collection>(of xs: C, digits: Int, scipen: Int = 0) where C.Element == Double {
            var naFlag = false, nanFlag = false, posInf = false, negInf = false
            var neg = 0
            var mxl = Int.min, rgt = Int.min, mxsl = Int.min, mxns = Int.min
            var mnl = Int.max
            for x in xs {
                if !x.isFinite {
                    if NA.isNA(x) { naFlag = true }
                    else if x.isNaN { nanFlag = true }
                    else if x > 0 { posInf = true }
                    else { negInf = true }
                    continue
                }
                let s = Significance(of: x, digits: digits)
                var left = s.kpower + 1
                if s.roundingWidens { left -= 1 }
                let sleft = (s.negative ? 1 : 0) + (left <= 0 ? 1 : left)
                let right = s.nsig - left
                if s.negative { neg = 1 }
                rgt = max(rgt, right)
                mxl = max(mxl, left)
                mnl = min(mnl, left)
                mxsl = max(mxsl, sleft)
                mxns = max(mxns, s.nsig)
            }
            if mxl < 0 { mxsl = 1 + neg }
            if rgt < 0 { rgt = 0 }
            let widthFixed = mxsl + rgt + (rgt != 0 ? 1 : 0)
            exponent = (mxl > 100 || mnl <= -99) ? 2 : 1
            if mxns != Int.min {
                decimals = mxns - 1
                width = neg + (decimals > 0 ? 1 : 0) + decimals + 4 + exponent
                if widthFixed <= width + scipen {
                    exponent = 0
                    decimals = rgt
                    width = widthFixed
                }
            } else {
                width = 0
                decimals = 0
                exponent = 0
            }
            if naFlag { width = max(width, 2) }
            if nanFlag || posInf { width = max(width, 3) }
            if negInf { width = max(width, 4) }
        }
    }

    /// Sign, decimal exponent and significant digits of one finite double (R's `scientific()`).
    struct Significance {
        var negative = false
        /// The exponent of 10: `|x| = alpha * 10^kpower` with `1 <= alpha < 10` after rounding.
        var kpower = 0
        /// Significant digits needed at the requested precision (at least 1).
        var nsig = 1
        /// Rounding to `digits` in scientific notation makes the number one digit wider than the
        /// fixed notation would show it (9996 at 3 digits is 1e+04, but 9996 fixed).
        var roundingWidens = false

        init(of x: Double, digits: Int) {
            if x == 0 { return }
            negative = x < 0
            let r = abs(x)
            if digits >= 16 {
                // Beyond double precision R asks printf for the digits.
                let text = formatC(r, "%#.*e", digits - 1)
                let bytes = Array(text.utf8)
                var e = digits + 2
                var sign = 1
                var exp = 0
                if e < bytes.count, bytes[e] == UInt8(ascii: "-") { sign = -1 }
                e += 1
                while e < bytes.count, bytes[e] >= 48, bytes[e] <= 57 { exp = exp * 10 + Int(bytes[e] - 48); e += 1 }
                kpower = sign * exp
                var i = digits
                while i >= 2, bytes[i] == UInt8(ascii: "0") { i -= 1 }
                nsig = i
                return
            }
            var kp = Int(floor(log10(r))) - digits + 1
            var alpha = Significance.scaledRound(r, kp: &kp, digits: digits)
            nsig = digits
            for _ in 0..<digits {
                alpha /= 10
                if alpha == alpha.rounded(.down) { nsig -= 1 } else { break }
            }
            if nsig == 0 {
                nsig = 1
                kp += 1
            }
            kpower = kp + digits - 1
            // The decimal place that fixed notation would round at, bounded to the power table.
            let rgt = min(max(digits - kpower, 0), Significance.maxPower)
            let fuzz = 0.5 / Significance.doublePower(rgt)
            roundingWidens = kpower > 0 && kpower <= Significance.maxPower
                && r < Significance.doublePower(kpower) - fuzz
        }

        #if arch(x86_64) || arch(i386)
        /// Exact powers of ten in 64-bit mantissa precision, as R's `tbl[]` for `long double`.
        static let maxPower = 27
        static let powers: [Float80] = {
            var p: [Float80] = [1]
            for _ in 1...27 { p.append(p[p.count - 1] * 10) }
            return p
        }()

        static func doublePower(_ k: Int) -> Double { Double(powers[k]) }

        /// `r / 10^kp` rounded to an integer of `digits` digits, in extended precision.
        static func scaledRound(_ r: Double, kp: inout Int, digits: Int) -> Double {
            var p = Float80(r)
            if abs(kp) <= maxPower {
                if kp > 0 { p /= powers[kp] } else if kp < 0 { p *= powers[-kp] }
            } else {
                p /= powl(10, Float80(kp))
            }
            if p < powers[digits - 1] {
                p *= 10
                kp -= 1
            }
            return Double(p.rounded(.toNearestOrEven))
        }
        #else
        static let maxPower = 22
        static let powers: [Double] = {
            var p: [Double] = [1]
            for _ in 1...22 { p.append(p[p.count - 1] * 10) }
            return p
        }()

        static func doublePower(_ k: Int) -> Double { powers[k] }

        static func scaledRound(_ r: Double, kp: inout Int, digits: Int) -> Double {
            var p = r
            if abs(kp) <= maxPower {
                if kp >= 0 { p /= powers[kp] } else { p *= powers[-kp] }
            } else if kp <= -308 {
                p = (p * 1e303) / pow(10, Double(kp + 303))
            } else {
                p /= pow(10, Double(kp))
            }
            if p < powers[digits - 1] {
                p *= 10
                kp -= 1
            }
            return p.rounded(.toNearestOrEven)
        }
        #endif
    }

    // MARK: - Encoding (R's EncodeReal0)

    /// One element in the given layout, right-aligned to the layout's width.
    static func encode(_ x: Double, _ layout: Layout) -> String {
        String(decoding: encodeBytes(x, layout), as: UTF8.self)
    }

    /// The UTF-8 bytes of `printf("%*.*f")` or `printf("%#*.*e")` for `x` in `layout`, as R's
    /// `EncodeReal0` writes them (non-finite values as `NA`, `NaN`, `Inf`, `-Inf`).
    static func encodeBytes(_ x: Double, _ layout: Layout) -> [UInt8] {
        let w = layout.width
        if !x.isFinite {
            let s = NA.isNA(x) ? "NA" : x.isNaN ? "NaN" : x > 0 ? "Inf" : "-Inf"
            return Array(pad(s, to: w).utf8)
        }
        // R prints -0 as 0.
        let v = x == 0 ? 0 : x
        if let bytes = decimalEncode(v, layout) { return bytes }
        if layout.exponent != 0 {
            return Array(formatC(v, layout.decimals != 0 ? "%#*.*e" : "%*.*e", w, layout.decimals).utf8)
        }
        return Array(formatC(v, "%*.*f", w, layout.decimals).utf8)
    }

    /// The digits printf would write, derived from the shortest round-trip digits of `x` (Swift's
    /// `description`), which is many times faster than glibc's exact printf.
    ///
    /// Rounding the shortest digits gives the same result as rounding the exact binary value
    /// unless the shortest digits end exactly on the halfway point; and padding them with zeros is
    /// exact only up to 15 significant digits (and not at all for subnormal numbers, which carry
    /// fewer bits). Those cases return nil and go to printf.
    static func decimalEncode(_ x: Double, _ layout: Layout) -> [UInt8]? {
        guard x == 0 || x.isNormal else { return nil }
        var digits: [UInt8] = []
        digits.reserveCapacity(24)
        var exponent = 0
        if x != 0 { exponent = shortestDigits(abs(x), into: &digits) }
        let d = layout.decimals
        var out: [UInt8] = []
        out.reserveCapacity(max(layout.width, 8) + 8)
        if x.sign == .minus { out.append(UInt8(ascii: "-")) }
        if layout.exponent != 0 {
            guard d + 1 <= 15, x == 0 || roundDigits(&digits, exponent: &exponent, to: d + 1) else { return nil }
            out.append(UInt8(ascii: "0") + (digits.first ?? 0))
            if d > 0 {
                out.append(UInt8(ascii: "."))
                for i in 1...d { out.append(UInt8(ascii: "0") + (i < digits.count ? digits[i] : 0)) }
            }
            out.append(UInt8(ascii: "e"))
            out.append(exponent < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
            let e = abs(exponent)
            if e >= 100 { out.append(UInt8(ascii: "0") + UInt8(e / 100)) }
            out.append(UInt8(ascii: "0") + UInt8(e / 10 % 10))
            out.append(UInt8(ascii: "0") + UInt8(e % 10))
        } else {
            // Significant digits down to the last decimal place shown.
            let n = exponent + 1 + d
            if x == 0 || n < 0 {
                digits.removeAll()
            } else if n == 0 {
                // Only the first digit's rounding matters: 0.0007 at 3 decimals is 0.001.
                if digits == [5] { return nil }
                let up = digits[0] > 5 || (digits[0] == 5 && digits.count > 1)
                digits = up ? [1] : []
                exponent += 1
            } else {
                guard n <= 15, roundDigits(&digits, exponent: &exponent, to: n) else { return nil }
            }
            let intCount = exponent + 1
            @inline(__always) func digit(_ i: Int) -> UInt8 {
                UInt8(ascii: "0") + (i >= 0 && i < digits.count ? digits[i] : 0)
            }
            if intCount <= 0 {
                out.append(UInt8(ascii: "0"))
            } else {
                for i in 0..<intCount { out.append(digit(i)) }
            }
            if d > 0 {
                out.append(UInt8(ascii: "."))
                for j in 0..<d { out.append(digit(intCount + j)) }
            }
        }
        if out.count < layout.width {
            out.insert(contentsOf: repeatElement(UInt8(ascii: " "), count: layout.width - out.count), at: 0)
        }
        return out
    }

    /// The shortest round-trip digits of `x > 0` as `d1.d2...dk * 10^exponent` (d1 != 0, no
    /// trailing zeros); returns the exponent.
    static func shortestDigits(_ x: Double, into digits: inout [UInt8]) -> Int {
        var seen = 0, point: Int?, leadingZeros = 0
        var exp = 0, inExponent = false, negativeExponent = false
        var text = x.description
        text.withUTF8 { utf8 in
            for c in utf8 {
                if inExponent {
                    if c == UInt8(ascii: "-") { negativeExponent = true }
                    else if c != UInt8(ascii: "+") { exp = exp * 10 + Int(c &- 48) }
                    continue
                }
                switch c {
                case UInt8(ascii: "."): point = seen
                case UInt8(ascii: "e"), UInt8(ascii: "E"): inExponent = true
                default:
                    if digits.isEmpty && c == UInt8(ascii: "0") { leadingZeros += 1 } else { digits.append(c &- 48) }
                    seen += 1
                }
            }
        }
        while digits.last == 0 { digits.removeLast() }
        return (point ?? seen) - leadingZeros - 1 + (negativeExponent ? -exp : exp)
    }

    /// Rounds `digits` to `n` significant digits (half away from the midpoint, carrying into the
    /// exponent); pads with zeros when shorter. Returns false on an exact midpoint, where the
    /// shortest digits cannot tell which way the exact value rounds.
    static func roundDigits(_ digits: inout [UInt8], exponent: inout Int, to n: Int) -> Bool {
        if digits.count <= n {
            while digits.count < n { digits.append(0) }
            return true
        }
        let next = digits[n]
        if next == 5 && digits.count == n + 1 { return false }
        digits.removeSubrange(n...)
        if next >= 5 {
            var i = n - 1
            while i >= 0 && digits[i] == 9 {
                digits[i] = 0
                i -= 1
            }
            if i >= 0 {
                digits[i] += 1
            } else {
                digits.insert(1, at: 0)
                digits.removeLast()
                exponent += 1
            }
        }
        return true
    }

    /// Whole numbers that fit in `digits` digits, formatted without printf: by far the most common
    /// case for `paste` and `as.character`. Returns nil when the general path is needed.
    static func integral(_ x: Double, digits: Int) -> String? {
        guard x == x.rounded(.towardZero), abs(x) < Significance.powerOf10(digits) else { return nil }
        if x == 0 { return "0" }
        let n = Int64(x)
        let magnitude = String(n.magnitude)
        let ndig = magnitude.utf8.count
        var trailing = 0
        for c in magnitude.utf8.reversed() {
            if c != UInt8(ascii: "0") { break }
            trailing += 1
        }
        let nsig = ndig - trailing
        let neg = n < 0 ? 1 : 0
        // Fixed width vs scientific width ([-]d[.ddd]e+XX), exactly as formatReal compares them.
        let widthFixed = neg + ndig
        let widthSci = neg + (nsig > 1 ? nsig : 0) + 4 + 1
        if widthFixed <= widthSci { return n < 0 ? "-" + magnitude : magnitude }
        var s = n < 0 ? "-" : ""
        let d = Array(magnitude.utf8)
        s.unicodeScalars.append(Unicode.Scalar(d[0]))
        if nsig > 1 {
            s += "."
            for c in d[1..<nsig] { s.unicodeScalars.append(Unicode.Scalar(c)) }
        }
        let k = ndig - 1
        s += k < 10 ? "e+0\(k)" : "e+\(k)"
        return s
    }

    /// Removes zeros after the decimal point in the mantissa (and the point itself when nothing is
    /// left), as R's `EncodeRealDrop0`: `1.50000e+05` becomes `1.5e+05`.
    static func dropTrailingZeros(_ s: [UInt8]) -> [UInt8] {
        guard let dot = s.firstIndex(of: UInt8(ascii: ".")) else { return s }
        var end = dot + 1
        var keep = dot
        while end < s.count, s[end] >= 48, s[end] <= 57 {
            if s[end] != UInt8(ascii: "0") { keep = end + 1 }
            end += 1
        }
        if keep == end { return s }
        var bytes = s
        bytes.removeSubrange(keep..<end)
        return bytes
    }

    static func pad(_ s: String, to width: Int) -> String {
        let n = s.utf8.count
        return n >= width ? s : String(repeating: " ", count: width - n) + s
    }

    /// `snprintf(format, args..., x)` for a double, through `vsnprintf`.
    static func formatC(_ x: Double, _ format: String, _ ints: Int...) -> String {
        var args: [CVarArg] = ints.map { Int32(truncatingIfNeeded: $0) }
        args.append(x)
        return withVaList(args) { va in
            withUnsafeTemporaryAllocation(of: CChar.self, capacity: 512) { buf -> String in
                let n = vsnprintf(buf.baseAddress, 512, format, va)
                let count = Int(min(max(n, 0), 511))
                return buf.baseAddress.map {
                    String(decoding: UnsafeRawBufferPointer(start: $0, count: count), as: UTF8.self)
                } ?? ""
            }
        }
    }
}

extension NumberFormat.Significance {
    /// 10^0 ... 10^22, all exact in double precision.
    static let exactPowers: [Double] = {
        var p: [Double] = [1]
        for _ in 1...22 { p.append(p[p.count - 1] * 10) }
        return p
    }()

    static func powerOf10(_ k: Int) -> Double { exactPowers[min(k, 22)] }
}
