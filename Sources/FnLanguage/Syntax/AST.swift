/// A half-open byte range `[start, end)` in a `SourceFile`.
public struct Span: Sendable, Equatable {
    public var start: Int32
    public var end: Int32

    public init(start: Int, end: Int) {
        self.start = Int32(truncatingIfNeeded: start)
        self.end = Int32(truncatingIfNeeded: end)
    }

    public static let none = Span(start: 0, end: 0)

    /// The smallest span covering both.
    public func union(_ other: Span) -> Span {
        Span(start: Int(min(start, other.start)), end: Int(max(end, other.end)))
    }
}

/// A binary operator. `%op%` operators other than the built-in ones are `.special(name)`.
public enum BinaryOperator: Equatable, Sendable {
    case plus, minus, times, divide, power, modulo, intDivide, matchIn
    case less, greater, lessEqual, greaterEqual, equal, notEqual
    case and, andAnd, or, orOr
    case range          // `:`
    case special(String) // `%xyz%`, called as the function named "%xyz%"

    /// The R spelling, used in error messages and as the function name for `` `+`(1, 2) `` style calls.
    public var symbol: String {
        switch self {
        case .plus: return "+"
        case .minus: return "-"
        case .times: return "*"
        case .divide: return "/"
        case .power: return "^"
        case .modulo: return "%%"
        case .intDivide: return "%/%"
        case .matchIn: return "%in%"
        case .less: return "<"
        case .greater: return ">"
        case .lessEqual: return "<="
        case .greaterEqual: return ">="
        case .equal: return "=="
        case .notEqual: return "!="
        case .and: return "&"
        case .andAnd: return "&&"
        case .or: return "|"
        case .orOr: return "||"
        case .range: return ":"
        case .special(let s): return s
        }
    }
}

/// A unary operator.
public enum UnaryOperator: Equatable, Sendable {
    case minus, plus, not

    public var symbol: String {
        switch self {
        case .minus: return "-"
        case .plus: return "+"
        case .not: return "!"
        }
    }
}

/// One argument in a call or index expression: `name = value`, `value`, or empty (`x[1, ]`).
public struct Argument {
    public var name: String?
    /// nil for an empty argument (`f(a = )`, `x[, 1]`).
    public var value: Expr?
    public var span: Span

    public init(name: String?, value: Expr?, span: Span) {
        self.name = name
        self.value = value
        self.span = span
    }
}

/// One formal parameter of a function: `name`, `name = default`, or `...`.
public struct Parameter {
    public var name: String
    public var defaultValue: Expr?
    public var span: Span

    public init(name: String, defaultValue: Expr?, span: Span) {
        self.name = name
        self.defaultValue = defaultValue
        self.span = span
    }
}

/// A parsed expression: what the parser produces and the resolver consumes.
///
/// The tree is plain data; it is never evaluated directly (see `Resolver`).
public final class Expr {
    /// Never changed once built, except by `deinit` (see there).
    public internal(set) var kind: Kind
    public let span: Span

    public init(_ kind: Kind, _ span: Span) {
        self.kind = kind
        self.span = span
    }

    // A left-associative chain (`1 + 1 + ...` with 100,000 terms, `x[1][1]...`) is a tree that deep, and
    // releasing it node by node through nested deinits would overflow the stack. Instead each node detaches
    // the children that would die with it and releases them from a loop.
    deinit {
        switch kind {
        case .constant, .identifier, .breakLoop, .nextLoop: return
        default: break
        }
        var pending: [Expr] = []
        Expr.detachChildren(of: self, into: &pending)
        while var e = pending.popLast() {
            if isKnownUniquelyReferenced(&e) { Expr.detachChildren(of: e, into: &pending) }
        }
    }

    private static func detachChildren(of e: Expr, into pending: inout [Expr]) {
        let kind = e.kind
        e.kind = .breakLoop
        switch kind {
        case .constant, .identifier, .breakLoop, .nextLoop:
            break
        case .call(let callee, let arguments):
            pending.append(callee)
            for a in arguments { if let v = a.value { pending.append(v) } }
        case .unary(_, let x), .paren(let x), .repeatLoop(let x), .dollar(let x, _):
            pending.append(x)
        case .binary(_, let l, let r), .assign(let l, let r, _), .whileLoop(let l, let r), .forLoop(_, let l, let r):
            pending.append(l)
            pending.append(r)
        case .index(let target, let arguments, _):
            pending.append(target)
            for a in arguments { if let v = a.value { pending.append(v) } }
        case .function(let parameters, let body):
            for p in parameters { if let d = p.defaultValue { pending.append(d) } }
            pending.append(body)
        case .block(let items):
            pending.append(contentsOf: items)
        case .ifElse(let c, let t, let o):
            pending.append(c)
            pending.append(t)
            if let o { pending.append(o) }
        }
    }

    public enum Kind {
        /// A literal: numbers, strings, `TRUE`, `FALSE`, `NULL`, `NA`, `NA_integer_`, `NA_real_`,
        /// `NA_character_`, `Inf`, `NaN`.
        case constant(Value)
        /// A name. `pkg::name` and `pkg:::name` parse as the plain name.
        case identifier(String)
        /// `callee(args)`. `x |> f(y)` is parsed as `f(x, y)`.
        case call(callee: Expr, arguments: [Argument])
        case unary(UnaryOperator, Expr)
        case binary(BinaryOperator, Expr, Expr)
        /// `target <- value`, `target = value`, `value -> target` (and `<<-`/`->>` with `superAssign`).
        case assign(target: Expr, value: Expr, superAssign: Bool)
        /// `target[args]` (`double == false`) or `target[[args]]` (`double == true`).
        case index(target: Expr, arguments: [Argument], double: Bool)
        /// `target$name` (also `target$"name"` and `` target$`name` ``); `@` is the same.
        case dollar(target: Expr, name: String)
        /// `function(params) body` or `\(params) body`.
        case function(parameters: [Parameter], body: Expr)
        /// `{ e1; e2 }`
        case block([Expr])
        /// `( e )`
        case paren(Expr)
        case ifElse(condition: Expr, then: Expr, otherwise: Expr?)
        case forLoop(variable: String, sequence: Expr, body: Expr)
        case whileLoop(condition: Expr, body: Expr)
        case repeatLoop(body: Expr)
        case breakLoop
        case nextLoop
    }
}

/// A parsed file or text: the expressions at top level, in order.
public struct Program {
    public var expressions: [Expr]
    public var source: SourceFile

    public init(expressions: [Expr], source: SourceFile) {
        self.expressions = expressions
        self.source = source
    }
}
