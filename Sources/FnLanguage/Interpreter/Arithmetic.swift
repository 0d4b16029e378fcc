#if canImport(Glibc)
import Glibc
#endif

/// Arithmetic, comparison and logical operators with R's recycling, NA and type rules.
/// Scalar operands take fast paths that never allocate.

class BinaryNode: Node {
    let op: BinaryOperator
    let lhs: Node
    let rhs: Node
    /// The slot of an operand that is a local variable, else -1; and the value of an operand
    /// that is a numeric constant. Such operands are read in place, without copying a `Value`
    /// or calling through their node: `n - 1`, `i %% 3`, `s + i` are the commonest expressions
    /// in loops and recursion.
    private let lhsSlot: Int, rhsSlot: Int
    private let lhsScalar: Scalar?, rhsScalar: Scalar?

    init(_ op: BinaryOperator, _ lhs: Node, _ rhs: Node, span: Span) {
        self.op = op
        self.lhs = lhs
        self.rhs = rhs
        lhsSlot = (lhs as? LocalVariableNode)?.slot ?? -1
        rhsSlot = (rhs as? LocalVariableNode)?.slot ?? -1
        lhsScalar = (lhs as? ConstantNode).flatMap { Scalar($0.value) }
        rhsScalar = (rhs as? ConstantNode).flatMap { Scalar($0.value) }
        super.init(span: span)
    }

    /// A local or constant operand as a number, read in place; nil for other operands and values.
    @inline(__always) private static func peek(_ slot: Int, _ constant: Scalar?, _ ip: Interpreter) -> Scalar? {
        if slot >= 0 { return Scalar(at: ip.locals + slot) }
        return constant
    }

    override func eval(_ ip: Interpreter) throws(Control) -> Value {
        try withOperands(ip, { x, y in Operators.scalars(op, x, y) }, { a, b throws(Control) in try general(a, b, ip) })
    }

    /// The truth of a comparison used as a condition (`if (n < 2)`), without building a logical.
    override func test(_ ip: Interpreter, for owner: Node) throws(Control) -> Bool {
        try withOperands(ip, { x, y in Operators.scalarTest(op, x, y) }, { a, b throws(Control) in
            try ip.truth(try general(a, b, ip), at: owner)
        })
    }

    /// Evaluates the operands, left first, reading locals and constants in place, and gives two
    /// numeric scalars to `fast`; other values, or a nil from `fast`, go to `slow` as values.
    @inline(__always) private func withOperands<T>(
        _ ip: Interpreter, _ fast: (Scalar, Scalar) -> T?, _ slow: (Value, Value) throws(Control) -> T
    ) throws(Control) -> T {
        if lhsSlot >= 0 || lhsScalar != nil {
            if let x = BinaryNode.peek(lhsSlot, lhsScalar, ip), let y = BinaryNode.peek(rhsSlot, rhsScalar, ip),
                let r = fast(x, y)
            {
                ip.visible = true
                return r
            }
        } else if rhsSlot >= 0 || rhsScalar != nil {
            // `f(x) - 1`: evaluate the left operand, then read the right in place.
            let a = try lhs.eval(ip)
            if let x = Scalar(a), let y = BinaryNode.peek(rhsSlot, rhsScalar, ip), let r = fast(x, y) {
                ip.visible = true
                return r
            }
            return try slow(a, try rhs.eval(ip))
        }
        let a = try lhs.eval(ip)
        let b = try rhs.eval(ip)
        // Two doubles (`fib(n - 1) + fib(n - 2)`) first: then neither value needs releasing.
        if case .double(let x) = a, case .double(let y) = b, let r = fast(Scalar(x), Scalar(y)) {
            ip.visible = true
            return r
        }
        if let x = Scalar(a), let y = Scalar(b), let r = fast(x, y) {
            ip.visible = true
            return r
        }
        return try slow(a, b)
    }

    private func general(_ a: Value, _ b: Value, _ ip: Interpreter) throws(Control) -> Value {
        ip.visible = true
        if let fast = Operators.scalar(op, a, b) { return fast }
        if a.attributes != nil || b.attributes != nil, let r = try Dispatch.binary(op, a, b, ip, at: self) { return r }
        let warningsBefore = ip.warnings.count
        do throws(FnError) {
            let result = try Operators.binary(op, a, b, ip)
            try ip.raiseCaughtWarnings(since: warningsBefore, at: self)
            return result
        } catch {
            throw ip.locate(error, at: self, call: self).control
        }
    }
}

/// `n - 1`, `n < 2`, `x * 0.5`: a local variable and a double constant, the commonest operation
/// in recursion and loops. When the local holds a double it is read in place and the operator
/// applied directly; any other value (an integer, NA, a vector) takes `BinaryNode`'s paths.
final class LocalConstantNode: BinaryNode {
    private let slot: Int
    private let constant: Double
    private let isComparison: Bool
    /// Below this magnitude the local cannot make `local %% constant` lose accuracy (a quotient
    /// under 2^51), so the remainder needs no warning check: a compare instead of a division.
    private let moduloExact: Double

    /// The node for `lhs op rhs` when it has this shape, else a plain `BinaryNode`.
    static func make(_ op: BinaryOperator, _ lhs: Node, _ rhs: Node, span: Span) -> BinaryNode {
        guard let local = lhs as? LocalVariableNode, let c = rhs as? ConstantNode, case .double(let d) = c.value,
            !d.isNaN, let isComparison = kind(op)
        else { return BinaryNode(op, lhs, rhs, span: span) }
        return LocalConstantNode(op, local, c, d, isComparison: isComparison, span: span)
    }

    /// Whether `op` is a comparison (false: arithmetic); nil for operators this node does not take.
    private static func kind(_ op: BinaryOperator) -> Bool? {
        switch op {
        case .plus, .minus, .times, .divide, .power, .modulo, .intDivide: return false
        case .less, .greater, .lessEqual, .greaterEqual, .equal, .notEqual: return true
        default: return nil
        }
    }

    private init(
        _ op: BinaryOperator, _ local: LocalVariableNode, _ rhs: ConstantNode, _ constant: Double,
        isComparison: Bool, span: Span
    ) {
        self.slot = local.slot
        self.constant = constant
        self.isComparison = isComparison
        moduloExact = constant.magnitude * 0x1p51
        super.init(op, local, rhs, span: span)
    }

    /// The local as a double when it is a double or a non-NA integer (an integer and a double
    /// constant give a double, as in R).
    @inline(__always) private func local(_ ip: Interpreter) -> Double? {
        Scalar(at: ip.locals + slot)?.value
    }

    override func eval(_ ip: Interpreter) throws(Control) -> Value {
        guard let x = local(ip) else { return try super.eval(ip) }
        let y = constant
        ip.visible = true
        switch op {
        case .plus: return .double(x + y)
        case .minus: return .double(x - y)
        case .times: return .double(x * y)
        case .divide: return .double(x / y)
        case .power: return .double(Operators.power(x, y))
        case .modulo:
            // R may warn about this remainder; the general path decides and warns.
            if x.magnitude >= moduloExact { return try super.eval(ip) }
            return .double(Operators.modulo(x, y))
        case .intDivide: return .double(Operators.intDivide(x, y))
        default:
            // A comparison: NA (NaN) compares to NA.
            if x.isNaN { return .logical(NA.logical) }
            return .logical(Operators.holds(op, x, y) ? 1 : 0)
        }
    }

    override func test(_ ip: Interpreter, for owner: Node) throws(Control) -> Bool {
        if isComparison, let x = local(ip), !x.isNaN {
            ip.visible = true
            return Operators.holds(op, x, constant)
        }
        return try super.test(ip, for: owner)
    }
}

/// A plain numeric scalar operand (a double, or an integer that is not NA), as the operators'
/// fast paths see it.
struct Scalar {
    var value: Double
    var isInteger: Bool

    @inline(__always) init(_ d: Double) {
        value = d
        isInteger = false
    }

    @inline(__always) init?(_ v: Value) {
        switch v {
        case .double(let d): value = d; isInteger = false
        case .integer(let i):
            if i == NA.integer { return nil }
            value = Double(i); isInteger = true
        default: return nil
        }
    }

    /// Reads a frame slot in place (no copy of the value).
    @inline(__always) init?(at slot: UnsafeMutablePointer<Value?>) {
        switch slot.pointee {
        case .double(let d)?: value = d; isInteger = false
        case .integer(let i)?:
            if i == NA.integer { return nil }
            value = Double(i); isInteger = true
        default: return nil
        }
    }
}

final class UnaryNode: Node {
    let op: UnaryOperator
    let operand: Node
    init(_ op: UnaryOperator, _ operand: Node, span: Span) {
        self.op = op
        self.operand = operand
        super.init(span: span)
    }

    override func eval(_ ip: Interpreter) throws(Control) -> Value {
        let v = try operand.eval(ip)
        ip.visible = true
        if v.attributes != nil, let r = try Dispatch.unary(op, v, ip, at: self) { return r }
        do {
            return try Operators.unary(op, v)
        } catch {
            throw ip.locate(error, at: self, call: self).control
        }
    }
}

/// `a && b` and `a || b`: scalar and short-circuit. `decisive` is the left value that settles
/// the result alone (FALSE for `&&`, TRUE for `||`).
final class ShortCircuitNode: Node {
    let lhs: Node
    let rhs: Node
    let decisive: Int8
    let symbol: String
    init(and: Bool, _ lhs: Node, _ rhs: Node, span: Span) {
        self.lhs = lhs
        self.rhs = rhs
        self.decisive = and ? 0 : 1
        self.symbol = and ? "&&" : "||"
        super.init(span: span)
    }
    override func eval(_ ip: Interpreter) throws(Control) -> Value {
        let a = try ip.scalarLogical(try lhs.eval(ip), "x", symbol, at: self)
        if a == decisive { return .logical(decisive) }
        let b = try ip.scalarLogical(try rhs.eval(ip), "y", symbol, at: self)
        ip.visible = true
        if b == decisive { return .logical(decisive) }
        return .logical(a == NA.logical || b == NA.logical ? NA.logical : 1 - decisive)
    }
}

extension Interpreter {
    /// One operand of `&&`/`||` as a logical scalar.
    func scalarLogical(_ v: Value, _ which: String, _ op: String, at node: Node) throws(Control) -> Int8 {
        switch v {
        case .logical(let b): return b
        case .integer(let i): return i == NA.integer ? NA.logical : (i != 0 ? 1 : 0)
        case .double(let d): return d.isNaN ? NA.logical : (d != 0 ? 1 : 0)
        default: break
        }
        guard let s = v.storage, s.type != .character else {
            throw locate(FnError.runtime("invalid '\(which)' type in 'x \(op) y'"), at: node).control
        }
        if s.count != 1 {
            throw locate(FnError.runtime("'length = \(s.count)' in coercion to 'logical(1)'"), at: node).control
        }
        return s.logicals()[0]
    }
}

/// The operator implementations, shared by operator nodes and the builtins `` `+` `` etc.
enum Operators {
    // MARK: Scalars

    /// The result for two plain scalars, or nil when the general path is needed.
    ///
    /// The same reading of operands as the operator nodes (`Scalar`), for `` `+`(a, b) `` and the
    /// general path.
    @inline(__always) static func scalar(_ op: BinaryOperator, _ a: Value, _ b: Value) -> Value? {
        guard let x = Scalar(a), let y = Scalar(b) else { return nil }
        return scalars(op, x, y)
    }

    /// `op` on two plain numeric scalars; nil when the general path is needed (integer overflow,
    /// an operator without a scalar fast path).
    @inline(__always) static func scalars(_ op: BinaryOperator, _ x: Scalar, _ y: Scalar) -> Value? {
        if x.isInteger && y.isInteger { return integers(op, Int32(x.value), Int32(y.value)) }
        return doubles(op, x.value, y.value)
    }

    /// A comparison of two plain numeric scalars as a Bool; nil when NaN is involved or `op` is not
    /// a comparison (the caller then takes the general path).
    @inline(__always) static func scalarTest(_ op: BinaryOperator, _ a: Scalar, _ b: Scalar) -> Bool? {
        let x = a.value, y = b.value
        if x.isNaN || y.isNaN { return nil }
        switch op {
        case .less, .greater, .lessEqual, .greaterEqual, .equal, .notEqual: return holds(op, x, y)
        default: return nil
        }
    }

    @inline(__always) static func doubles(_ op: BinaryOperator, _ x: Double, _ y: Double) -> Value? {
        switch op {
        case .plus: return .double(x + y)
        case .minus: return .double(x - y)
        case .times: return .double(x * y)
        case .divide: return .double(x / y)
        case .less: return x.isNaN || y.isNaN ? .logical(NA.logical) : .logical(x < y ? 1 : 0)
        case .greater: return x.isNaN || y.isNaN ? .logical(NA.logical) : .logical(x > y ? 1 : 0)
        case .lessEqual: return x.isNaN || y.isNaN ? .logical(NA.logical) : .logical(x <= y ? 1 : 0)
        case .greaterEqual: return x.isNaN || y.isNaN ? .logical(NA.logical) : .logical(x >= y ? 1 : 0)
        case .equal: return x.isNaN || y.isNaN ? .logical(NA.logical) : .logical(x == y ? 1 : 0)
        case .notEqual: return x.isNaN || y.isNaN ? .logical(NA.logical) : .logical(x != y ? 1 : 0)
        default: return otherDoubles(op, x, y)
        }
    }

    /// `^`, `%%` and `%/%` on two doubles (kept out of line: the common operators above inline).
    static func otherDoubles(_ op: BinaryOperator, _ x: Double, _ y: Double) -> Value? {
        switch op {
        case .power: return .double(power(x, y))
        case .modulo: return moduloLosesAccuracy(x, y) ? nil : .double(modulo(x, y))
        case .intDivide: return .double(intDivide(x, y))
        default: return nil
        }
    }

    @inline(__always) static func integers(_ op: BinaryOperator, _ x: Int32, _ y: Int32) -> Value? {
        if x == NA.integer || y == NA.integer { return nil }
        switch op {
        case .plus:
            let (r, o) = x.addingReportingOverflow(y)
            return o || r == NA.integer ? nil : .integer(r)
        case .minus:
            let (r, o) = x.subtractingReportingOverflow(y)
            return o || r == NA.integer ? nil : .integer(r)
        case .times:
            let (r, o) = x.multipliedReportingOverflow(by: y)
            return o || r == NA.integer ? nil : .integer(r)
        case .divide: return .double(Double(x) / Double(y))
        case .power: return .double(power(Double(x), Double(y)))
        case .modulo: return y == 0 ? .integer(NA.integer) : .integer(intModulo(x, y))
        case .intDivide: return y == 0 ? .integer(NA.integer) : .integer(intFloorDivide(x, y))
        case .less: return .logical(x < y ? 1 : 0)
        case .greater: return .logical(x > y ? 1 : 0)
        case .lessEqual: return .logical(x <= y ? 1 : 0)
        case .greaterEqual: return .logical(x >= y ? 1 : 0)
        case .equal: return .logical(x == y ? 1 : 0)
        case .notEqual: return .logical(x != y ? 1 : 0)
        default: return nil
        }
    }

    /// R's `^` (its `R_pow`): `1^y` and `x^0` are 1 even for NA/NaN, and the infinite cases
    /// where C's `pow` has an answer R does not (`(-Inf)^0.5`, `(-2)^Inf`) are NaN.
    @inline(__always) static func power(_ x: Double, _ y: Double) -> Double {
        if y == 2 { return x * x }
        if x == 1 || y == 0 { return 1 }
        if x.isFinite && y.isFinite && x != 0 { return pow(x, y) }
        return infinitePower(x, y)
    }

    /// `power` when `x` is 0 or either operand is not finite.
    static func infinitePower(_ x: Double, _ y: Double) -> Double {
        if x == 0 { return y > 0 ? 0 : y < 0 ? .infinity : y }
        if x.isNaN || y.isNaN { return x + y }
        if x.isInfinite {
            if x > 0 { return y < 0 ? 0 : .infinity }
            // (-Inf)^n for a whole n; other powers of -Inf are NaN.
            if y.isFinite && y == y.rounded(.down) { return y < 0 ? 0 : fmod(y, 2) != 0 ? x : -x }
            return .nan
        }
        // x finite and nonzero, y infinite: a negative base has no limit.
        if x < 0 { return .nan }
        if y > 0 { return x >= 1 ? .infinity : 0 }
        return x < 1 ? .infinity : 0
    }

    /// R's `%%` on doubles (its `myfmod`): the result has the sign of the divisor. `x %% 0` is NaN,
    /// and the remainder is computed as R does, so `1 %% 0.1` is 0.09999999999999995, not 0.
    @inline(__always) static func modulo(_ x: Double, _ y: Double) -> Double {
        if let (a, b) = wholeNumbers(x, y) {
            // `i %% 3`: exact in integer arithmetic, and what R's computation gives for whole numbers.
            let r = a % b
            return Double(r != 0 && (r < 0) != (b < 0) ? r + b : r)
        }
        return fractionalModulo(x, y)
    }

    /// Whether R warns "probable complete loss of accuracy in modulus" for `x %% y`: the quotient is
    /// beyond 2^52, so the remainder keeps none of its digits.
    @inline(__always) static func moduloLosesAccuracy(_ x: Double, _ y: Double) -> Bool {
        let q = x / y
        return q.isFinite && q.magnitude * Double.ulpOfOne > 1
    }

    /// `modulo` for operands that are not both whole numbers.
    static func fractionalModulo(_ x: Double, _ y: Double) -> Double {
        if y == 0 { return .nan }
        if x.isNaN || y.isNaN { return x + y }
        if abs(y) * Double.ulpOfOne > 1 && x.isFinite && abs(x) <= abs(y) {
            // |y| beyond 2^52 (or infinite) and at least |x|: the remainder is exact.
            if abs(x) == abs(y) { return 0 }
            return (x < 0 && y > 0) || (y < 0 && x > 0) ? x + y : x
        }
        let q = x / y
        // R computes the rest in long double (Float80 on x86), and its rounding decides the answer when
        // the quotient is huge: `1 %% 1e-300` is 0 in R, where an exact fused multiply-add gives -2e-33.
        let rest = Accumulator(x) - Accumulator(q.rounded(.down)) * Accumulator(y)
        return Double(rest - (rest / Accumulator(y)).rounded(.down) * Accumulator(y))
    }

    /// R's `%/%` on doubles (its `myfloor`): `1 %/% 0.1` is 9, as `1 %% 0.1` is not 0, and
    /// `5 %/% -Inf` is -1.
    @inline(__always) static func intDivide(_ x: Double, _ y: Double) -> Double {
        if let (a, b) = wholeNumbers(x, y) {
            let q = a / b
            return Double(a % b != 0 && (a < 0) != (b < 0) ? q - 1 : q)
        }
        return fractionalIntDivide(x, y)
    }

    /// `intDivide` for operands that are not both whole numbers.
    static func fractionalIntDivide(_ x: Double, _ y: Double) -> Double {
        let q = x / y
        if y == 0 || abs(q) * Double.ulpOfOne > 1 || !q.isFinite { return q }
        if abs(q) < 1 { return q < 0 || (x < 0 && y > 0) || (x > 0 && y < 0) ? -1 : 0 }
        let whole = q.rounded(.down)
        let rest = Accumulator(x) - Accumulator(whole) * Accumulator(y)
        return whole + Double((rest / Accumulator(y)).rounded(.down))
    }

    /// `x` and `y` as integers when both are whole numbers below 2^53 in magnitude and `y` is not 0.
    @inline(__always) private static func wholeNumbers(_ x: Double, _ y: Double) -> (Int64, Int64)? {
        guard abs(x) < 0x1p53, abs(y) < 0x1p53, y != 0 else { return nil }
        let a = Int64(x), b = Int64(y)
        guard Double(a) == x, Double(b) == y else { return nil }
        return (a, b)
    }

    @inline(__always) static func intModulo(_ x: Int32, _ y: Int32) -> Int32 {
        let r = x % y
        return (r != 0 && ((r < 0) != (y < 0))) ? r + y : r
    }

    @inline(__always) static func intFloorDivide(_ x: Int32, _ y: Int32) -> Int32 {
        let q = x / y
        return (x % y != 0 && ((x < 0) != (y < 0))) ? q - 1 : q
    }

    // MARK: Vectors

    static func binary(_ op: BinaryOperator, _ a: Value, _ b: Value, _ ip: Interpreter) throws(FnError) -> Value {
        switch op {
        case .plus, .minus, .times, .divide, .power, .modulo, .intDivide:
            return try arithmetic(op, a, b, ip)
        case .less, .greater, .lessEqual, .greaterEqual, .equal, .notEqual:
            return try comparison(op, a, b, ip)
        case .and, .or:
            return try logical(op, a, b, ip)
        case .range:
            return try range(a, b, ip)
        default:
            throw FnError.runtime("unsupported operator '\(op.symbol)'")
        }
    }

    /// The operands' atomic storage; NULL is an empty logical.
    static func operand(_ v: Value) -> Storage? {
        if case .null = v { return .logical([]) }
        return v.storage
    }

    /// The length of a recycled result, warning when lengths do not divide.
    static func recycledLength(_ nx: Int, _ ny: Int, _ ip: Interpreter) -> Int {
        if nx == 0 || ny == 0 { return 0 }
        let n = max(nx, ny)
        if n % nx != 0 || n % ny != 0 {
            ip.warn("longer object length is not a multiple of shorter object length")
        }
        return n
    }

    static func resultNames(_ a: Value, _ b: Value, _ n: Int) -> [String]? {
        if let names = a.names, names.count == n { return names }
        if let names = b.names, names.count == n { return names }
        return nil
    }

    /// The names and other attributes a result keeps, as R copies them: from both operands when
    /// their lengths equal the result's (the first's winning), else from the longer one. Arrays
    /// must conform. Arithmetic keeps every attribute (`all`), so `Sys.time() + 60` is still a
    /// time; comparisons and logic keep only `dim` and `dimnames`. The difference of two times is
    /// plain seconds (R makes a difftime, which fn does not have).
    @inline(__always) static func resultAttributes(
        _ op: BinaryOperator, _ a: Value, _ b: Value, _ n: Int, all: Bool
    ) throws(FnError) -> (names: [String]?, attributes: AttributeList?) {
        let names = resultNames(a, b, n)
        if a.attributes == nil && b.attributes == nil { return (names, nil) }
        return (names, try mergedAttributes(op, a, b, n, all: all))
    }

    static func mergedAttributes(
        _ op: BinaryOperator, _ a: Value, _ b: Value, _ n: Int, all: Bool
    ) throws(FnError) -> AttributeList? {
        let da = a.dim, db = b.dim
        if let da, let db, da != db { throw FnError.runtime("non-conformable arrays") }
        for (d, v) in [(da, a), (db, b)] {
            if let d, n > v.length {
                throw FnError.runtime("dims [product \(d.reduce(1, *))] do not match the length of object [\(n)]")
            }
        }
        var out: AttributeList? = nil
        for v in [b, a] where v.length == n {
            for p in v.attributes?.pairs ?? [] where all || p.name == "dim" || p.name == "dimnames" {
                setAttribute(&out, p.name, p.value)
            }
        }
        if op == .minus, a.classAttribute?.contains("POSIXct") == true, b.classAttribute?.contains("POSIXct") == true {
            setAttribute(&out, "class", nil)
        }
        return out
    }

    static func arithmetic(_ op: BinaryOperator, _ a: Value, _ b: Value, _ ip: Interpreter) throws(FnError) -> Value {
        guard let sx = operand(a), let sy = operand(b), sx.type != .character, sy.type != .character else {
            throw FnError.runtime("non-numeric argument to binary operator")
        }
        let nx = sx.count, ny = sy.count
        let n = recycledLength(nx, ny, ip)
        let (names, attributes) = try resultAttributes(op, a, b, n, all: true)
        let integerResult = sx.type <= .integer && sy.type <= .integer && op != .divide && op != .power
        if integerResult {
            let x = sx.integers(), y = sy.integers()
            var out = [Int32](repeating: 0, count: n)
            var overflow = false
            for i in 0..<n {
                let p = x[nx == n ? i : i % nx], q = y[ny == n ? i : i % ny]
                if p == NA.integer || q == NA.integer { out[i] = NA.integer; continue }
                switch op {
                case .plus, .minus, .times:
                    let (r, o): (Int32, Bool)
                    switch op {
                    case .plus: (r, o) = p.addingReportingOverflow(q)
                    case .minus: (r, o) = p.subtractingReportingOverflow(q)
                    default: (r, o) = p.multipliedReportingOverflow(by: q)
                    }
                    if o || r == NA.integer { overflow = true; out[i] = NA.integer } else { out[i] = r }
                case .modulo: out[i] = q == 0 ? NA.integer : intModulo(p, q)
                default: out[i] = q == 0 ? NA.integer : intFloorDivide(p, q)
                }
            }
            if overflow { ip.warn("NAs produced by integer overflow") }
            return Value(Vector(.integer(out), names: names, attributes: attributes))
        }
        let x = sx.doubles(), y = sy.doubles()
        var out = [Double](repeating: 0, count: n)
        var lostAccuracy = false
        x.withUnsafeBufferPointer { xp in
            y.withUnsafeBufferPointer { yp in
                out.withUnsafeMutableBufferPointer { op_ in
                    func loop(_ f: (Double, Double) -> Double) {
                        if nx == n && ny == n {
                            for i in 0..<n { op_[i] = f(xp[i], yp[i]) }
                        } else if ny == 1 {
                            let q = yp[0]
                            for i in 0..<n { op_[i] = f(xp[i % nx], q) }
                        } else {
                            for i in 0..<n { op_[i] = f(xp[i % nx], yp[i % ny]) }
                        }
                    }
                    switch op {
                    case .plus: loop(+)
                    case .minus: loop(-)
                    case .times: loop(*)
                    case .divide: loop(/)
                    case .power: loop(power)
                    case .modulo:
                        loop { a, b in
                            if moduloLosesAccuracy(a, b) { lostAccuracy = true }
                            return modulo(a, b)
                        }
                    default: loop(intDivide)
                    }
                }
            }
        }
        if lostAccuracy { ip.warn("probable complete loss of accuracy in modulus") }
        return Value(Vector(.double(out), names: names, attributes: attributes))
    }

    static func comparison(_ op: BinaryOperator, _ a: Value, _ b: Value, _ ip: Interpreter) throws(FnError) -> Value {
        if Factors.isFactor(a) || Factors.isFactor(b) { return try factorComparison(op, a, b, ip) }
        guard let sx = operand(a), let sy = operand(b) else {
            throw FnError.runtime("comparison (\(op.symbol)) is possible only for atomic and list types")
        }
        let nx = sx.count, ny = sy.count
        let n = recycledLength(nx, ny, ip)
        let (names, attributes) = try resultAttributes(op, a, b, n, all: false)
        var out = [Int8](repeating: 0, count: n)
        if sx.type == .character || sy.type == .character {
            let x = sx.strings(), y = sy.strings()
            for i in 0..<n {
                guard let p = x[i % nx], let q = y[i % ny] else { out[i] = NA.logical; continue }
                out[i] = holds(op, p, q) ? 1 : 0
            }
        } else {
            let x = sx.doubles(), y = sy.doubles()
            for i in 0..<n {
                let p = x[i % nx], q = y[i % ny]
                if p.isNaN || q.isNaN { out[i] = NA.logical; continue }
                out[i] = holds(op, p, q) ? 1 : 0
            }
        }
        return Value(Vector(.logical(out), names: names, attributes: attributes))
    }

    /// A factor compares by its levels (`f == "a"`); only `==` and `!=` unless it is ordered.
    static func factorComparison(_ op: BinaryOperator, _ a: Value, _ b: Value, _ ip: Interpreter) throws(FnError) -> Value {
        if op != .equal && op != .notEqual {
            if Factors.isOrdered(a) || Factors.isOrdered(b) {
                // Ordered factors compare by level position.
                let f = Factors.isOrdered(a) ? a : b
                let levels = Factors.levels(f)
                func codes(_ v: Value) -> Value {
                    if Factors.isFactor(v) { return Factors.plain(v) }
                    return Value(Vector(.integer(Factors.strings(v).map { s in
                        s.flatMap { levels.firstIndex(of: $0) }.map { Int32($0 + 1) } ?? NA.integer
                    })))
                }
                return try comparison(op, codes(a), codes(b), ip)
            }
            ip.warn("‘\(op.symbol)’ not meaningful for factors")
            return Value(Vector(.logical([Int8](repeating: NA.logical, count: max(a.length, b.length)))))
        }
        if Factors.isFactor(a) && Factors.isFactor(b) && Set(Factors.levels(a)) != Set(Factors.levels(b)) {
            throw FnError.runtime("level sets of factors are different")
        }
        func labels(_ v: Value) -> Value {
            Factors.isFactor(v) ? Value(Vector(.character(Factors.labels(v)), names: v.names)) : v
        }
        return try comparison(op, labels(a), labels(b), ip)
    }

    /// `p op q` for a comparison operator.
    @inline(__always) static func holds<T: Comparable>(_ op: BinaryOperator, _ p: T, _ q: T) -> Bool {
        switch op {
        case .less: return p < q
        case .greater: return p > q
        case .lessEqual: return p <= q
        case .greaterEqual: return p >= q
        case .equal: return p == q
        default: return p != q
        }
    }

    static func logical(_ op: BinaryOperator, _ a: Value, _ b: Value, _ ip: Interpreter) throws(FnError) -> Value {
        guard let sx = operand(a), let sy = operand(b), sx.type != .character, sy.type != .character else {
            throw FnError.runtime("operations are possible only for numeric, logical or complex types")
        }
        let nx = sx.count, ny = sy.count
        let n = recycledLength(nx, ny, ip)
        let (names, attributes) = try resultAttributes(op, a, b, n, all: false)
        let x = sx.logicals(), y = sy.logicals()
        var out = [Int8](repeating: 0, count: n)
        for i in 0..<n {
            let p = x[i % nx], q = y[i % ny]
            if op == .and {
                out[i] = (p == 0 || q == 0) ? 0 : ((p == NA.logical || q == NA.logical) ? NA.logical : 1)
            } else {
                out[i] = (p == 1 || q == 1) ? 1 : ((p == NA.logical || q == NA.logical) ? NA.logical : 0)
            }
        }
        return Value(Vector(.logical(out), names: names, attributes: attributes))
    }

    static func unary(_ op: UnaryOperator, _ v: Value) throws(FnError) -> Value {
        switch (op, v) {
        case (.minus, .double(let d)): return .double(-d)
        case (.minus, .integer(let i)): return .integer(i == NA.integer ? i : -i)
        case (.plus, .double), (.plus, .integer): return v
        case (.not, .logical(let b)): return .logical(b == NA.logical ? b : 1 - b)
        default: break
        }
        guard let s = v.storage else {
            if case .null = v, op == .not { return Value(Vector(.logical([]))) }
            throw FnError.runtime(op == .not ? "invalid argument type" : "invalid argument to unary operator")
        }
        let names = v.names
        // `-x` and `!x` of a logical keep every attribute; `!x` of a number only the array ones.
        var kept = v.attributes
        if op == .not, kept != nil, s.type != .logical {
            var arrayOnly: AttributeList? = nil
            for name in ["dim", "dimnames"] { setAttribute(&arrayOnly, name, kept?[name]) }
            kept = arrayOnly
        }
        switch op {
        case .not:
            guard s.type != .character else { throw FnError.runtime("invalid argument type") }
            let out = s.logicals().map { $0 == NA.logical ? $0 : 1 - $0 }
            return Value(Vector(.logical(out), names: names, attributes: kept))
        case .minus, .plus:
            switch s.type {
            case .character: throw FnError.runtime("invalid argument to unary operator")
            case .double:
                let d = s.doubles()
                return Value(Vector(.double(op == .minus ? d.map { -$0 } : d), names: names, attributes: kept))
            case .logical, .integer:
                let d = s.integers()
                return Value(Vector(.integer(op == .minus ? d.map { $0 == NA.integer ? $0 : -$0 } : d), names: names, attributes: kept))
            }
        }
    }

    /// `from:to`.
    static func range(_ a: Value, _ b: Value, _ ip: Interpreter) throws(FnError) -> Value {
        guard let sa = a.storage, let sb = b.storage, sa.count > 0, sb.count > 0 else {
            throw FnError.runtime("argument of length 0")
        }
        if sa.count > 1 { ip.warn("numerical expression has \(sa.count) elements: only the first used") }
        if sb.count > 1 { ip.warn("numerical expression has \(sb.count) elements: only the first used") }
        let from = sa.doubles()[0], to = sb.doubles()[0]
        if from.isNaN || to.isNaN { throw FnError.runtime("NA/NaN argument") }
        let span = abs(to - from)
        try Limits.checkLength(span + 1)
        let n = Int(span + 1e-10) + 1
        let step: Double = from <= to ? 1 : -1
        if from == from.rounded(), abs(from) <= 2147483647, abs(from + step * Double(n - 1)) <= 2147483647 {
            let start = Int32(from), s = Int32(step)
            var out = [Int32](repeating: 0, count: n)
            for i in 0..<n { out[i] = start &+ s &* Int32(i) }
            return Value(Vector(.integer(out)))
        }
        var out = [Double](repeating: 0, count: n)
        for i in 0..<n { out[i] = from + step * Double(i) }
        return Value(Vector(.double(out)))
    }
}
