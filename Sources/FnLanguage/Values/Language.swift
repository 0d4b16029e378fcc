/// R's language objects: calls as values (`quote(f(x, y = 1))`), and the two-way mapping between
/// them and the parser's `Expr` tree.
///
/// A call is its function followed by its arguments, as in R: `quote(x + 1)` is the call
/// `` `+`(x, 1) ``, whose elements are the symbol `+`, the symbol `x` and the double 1, and every
/// syntactic form (`if`, `for`, `{`, `<-`, `[`, `function`, ...) is a call to the function of that
/// name. Language objects are immutable; `cl[[2]] <- v` makes a new one.
public final class Language {
    /// The function (usually a symbol) followed by the arguments.
    public let elements: [Value]
    /// Argument names, one per element ("" where there is none; the function's is always ""), or nil.
    public let names: [String]?
    /// The `class` attribute: `"formula"` for formulas.
    public let classes: [String]?
    /// A formula's environment (R's `.Environment` attribute).
    public let environment: Environment?
    /// The call resolved for `eval`, made on first use (see `Interpreter.evaluate(language:)`).
    var resolved: Node?

    public init(_ elements: [Value], names: [String]? = nil, classes: [String]? = nil, environment: Environment? = nil) {
        self.elements = elements
        self.names = names.flatMap { $0.allSatisfy(\.isEmpty) ? nil : $0 }
        self.classes = classes
        self.environment = environment
    }

    /// The function part: a symbol's name, or nil for `(function(x) x)(1)`-style calls.
    public var functionName: String? {
        if case .symbol(let s)? = elements.first { return s }
        return nil
    }

    /// The arguments with their names (nil when unnamed).
    public var arguments: [(name: String?, value: Value)] {
        (1..<max(1, elements.count)).map { i in
            let n = names?[i] ?? ""
            return (n.isEmpty ? nil : n, elements[i])
        }
    }

    /// A copy with other elements or names (the class and environment kept).
    public func with(elements: [Value], names: [String]?) -> Language {
        Language(elements, names: names, classes: classes, environment: environment)
    }

    /// A call `name(args...)`.
    public static func call(_ name: String, _ args: [Value], names: [String]? = nil) -> Language {
        Language([.symbol(name)] + args, names: names.map { [""] + $0 })
    }
}

extension Language {
    // MARK: Expr → language

    /// The value R's `quote()` gives for `e`: constants stay values, names become symbols and
    /// everything else becomes a call.
    public static func value(of e: Expr) -> Value {
        switch e.kind {
        case .constant(let v):
            return v
        case .identifier(let name):
            return .symbol(name)
        case .call(let callee, let arguments):
            return .language(make(value(of: callee), arguments))
        case .unary(let op, let x):
            return .language(call(op.symbol, [value(of: x)]))
        case .binary(let op, let l, let r):
            return .language(call(op.symbol, [value(of: l), value(of: r)]))
        case .assign(let target, let v, let superAssign):
            return .language(call(superAssign ? "<<-" : "<-", [value(of: target), value(of: v)]))
        case .index(let target, let arguments, let double):
            return .language(make(.symbol(double ? "[[" : "["), [Argument(name: nil, value: target, span: target.span)] + arguments))
        case .dollar(let target, let name):
            return .language(call("$", [value(of: target), .symbol(name)]))
        case .function(let parameters, let body):
            return .language(call("function", [formals(parameters), value(of: body)]))
        case .block(let items):
            return .language(call("{", items.map(value(of:))))
        case .paren(let x):
            return .language(call("(", [value(of: x)]))
        case .ifElse(let c, let t, let o):
            return .language(call("if", [value(of: c), value(of: t)] + (o.map { [value(of: $0)] } ?? [])))
        case .forLoop(let variable, let sequence, let body):
            return .language(call("for", [.symbol(variable), value(of: sequence), value(of: body)]))
        case .whileLoop(let c, let body):
            return .language(call("while", [value(of: c), value(of: body)]))
        case .repeatLoop(let body):
            return .language(call("repeat", [value(of: body)]))
        case .breakLoop:
            return .language(call("break", []))
        case .nextLoop:
            return .language(call("next", []))
        }
    }

    /// A function's formals as R's `formals()` shows them: a named list whose elements are the
    /// defaults, or the empty symbol for none.
    static func formals(_ parameters: [Parameter]) -> Value {
        if parameters.isEmpty { return .null }
        return .list(List(parameters.map { p in p.defaultValue.map(value(of:)) ?? .symbol("") },
                          names: parameters.map(\.name)))
    }

    private static func make(_ function: Value, _ arguments: [Argument]) -> Language {
        var elements = [function]
        var names = [""]
        for a in arguments {
            elements.append(a.value.map(value(of:)) ?? .symbol(""))
            names.append(a.name ?? "")
        }
        return Language(elements, names: names)
    }

    // MARK: language → Expr

    /// The expression a value stands for when evaluated or deparsed: symbols are names, calls are
    /// calls (with R's syntactic forms given back their syntax), anything else is a constant.
    public static func expr(of v: Value, span: Span = .none) -> Expr {
        switch v {
        case .symbol(let name):
            return Expr(.identifier(name), span)
        case .language(let l):
            return l.expr(span: span)
        default:
            return Expr(.constant(v), span)
        }
    }

    func expr(span: Span = .none) -> Expr {
        let args = arguments
        func x(_ i: Int) -> Expr { Language.expr(of: args[i].value, span: span) }
        func node(_ k: Expr.Kind) -> Expr { Expr(k, span) }
        let unnamed = args.allSatisfy { $0.name == nil }
        if let name = functionName, unnamed {
            switch (name, args.count) {
            case ("{", _): return node(.block(args.indices.map(x)))
            case ("(", 1): return node(.paren(x(0)))
            case ("if", 2): return node(.ifElse(condition: x(0), then: x(1), otherwise: nil))
            case ("if", 3): return node(.ifElse(condition: x(0), then: x(1), otherwise: x(2)))
            case ("for", 3):
                if case .symbol(let variable) = args[0].value {
                    return node(.forLoop(variable: variable, sequence: x(1), body: x(2)))
                }
            case ("while", 2): return node(.whileLoop(condition: x(0), body: x(1)))
            case ("repeat", 1): return node(.repeatLoop(body: x(0)))
            case ("break", 0): return node(.breakLoop)
            case ("next", 0): return node(.nextLoop)
            case ("<-", 2), ("=", 2): return node(.assign(target: x(0), value: x(1), superAssign: false))
            case ("<<-", 2): return node(.assign(target: x(0), value: x(1), superAssign: true))
            case ("$", 2), ("@", 2):
                switch args[1].value {
                case .symbol(let field), .character(let field?): return node(.dollar(target: x(0), name: field))
                default: break
                }
            case ("function", 2), ("function", 3), ("function", 4):
                if let parameters = Language.parameters(args[0].value, span: span) {
                    return node(.function(parameters: parameters, body: x(1)))
                }
            case ("-", 1): return node(.unary(.minus, x(0)))
            case ("+", 1): return node(.unary(.plus, x(0)))
            case ("!", 1): return node(.unary(.not, x(0)))
            case (_, 2):
                if let op = Language.binaryOperator(name) { return node(.binary(op, x(0), x(1))) }
            default: break
            }
        }
        if let name = functionName, name == "[" || name == "[[", !args.isEmpty, args[0].name == nil {
            let rest = args.dropFirst().map(argument(span))
            return node(.index(target: x(0), arguments: Array(rest), double: name == "[["))
        }
        let callee = Language.expr(of: elements.first ?? .null, span: span)
        return node(.call(callee: callee, arguments: args.map(argument(span))))
    }

    private func argument(_ span: Span) -> ((name: String?, value: Value)) -> Argument {
        { a in
            if case .symbol("") = a.value { return Argument(name: a.name, value: nil, span: span) }
            return Argument(name: a.name, value: Language.expr(of: a.value, span: span), span: span)
        }
    }

    /// The parameters a `function` call's formals list stands for.
    static func parameters(_ formals: Value, span: Span) -> [Parameter]? {
        switch formals {
        case .null: return []
        case .list(let l):
            guard let names = l.names else { return l.elements.isEmpty ? [] : nil }
            return zip(names, l.elements).map { name, d in
                if case .symbol("") = d { return Parameter(name: name, defaultValue: nil, span: span) }
                return Parameter(name: name, defaultValue: expr(of: d, span: span), span: span)
            }
        default: return nil
        }
    }

    /// The binary operator spelled `name`, when it is one the parser has syntax for.
    static func binaryOperator(_ name: String) -> BinaryOperator? {
        switch name {
        case "+": return .plus
        case "-": return .minus
        case "*": return .times
        case "/": return .divide
        case "^": return .power
        case "%%": return .modulo
        case "%/%": return .intDivide
        case "%in%": return .matchIn
        case "<": return .less
        case ">": return .greater
        case "<=": return .lessEqual
        case ">=": return .greaterEqual
        case "==": return .equal
        case "!=": return .notEqual
        case "&": return .and
        case "&&": return .andAnd
        case "|": return .or
        case "||": return .orOr
        case ":": return .range
        default:
            if name.count >= 2, name.hasPrefix("%"), name.hasSuffix("%") { return .special(name) }
            return nil
        }
    }

    // MARK: Deparsing

    /// R's `deparse()` of a language object or symbol, as lines; with `cutoff` (R's `width.cutoff`)
    /// long lines are broken as R breaks them.
    public static func deparseLines(_ v: Value, cutoff: Int? = nil) -> [String] {
        if case .symbol("") = v { return [""] }
        return expr(of: v).deparsedLines(cutoff: cutoff)
    }
}

extension Language {
    /// The call as a list: `as.list(quote(f(x, y = 1)))`.
    public var list: List { List(elements, names: names) }

    /// `cl[i]` (a call again) and `cl[[i]]` (one element): indexed as the list of its parts.
    func subset(_ idx: [Value?], double: Bool) throws(FnError) -> Value {
        let parts = try Indexing.get(.list(list), idx, double: double)
        guard !double else {
            if case .null = parts, case .character? = idx.first ?? nil { return .null }
            return parts
        }
        guard case .list(let l) = parts, !l.elements.isEmpty else { return parts }
        return .language(Language(l.elements, names: l.names, classes: classes, environment: environment))
    }

    /// `cl[[i]] <- v`, `cl$name <- v`, `cl[i] <- v`: a new call with that part replaced.
    func replacing(_ idx: [Value?], double: Bool, with v: Value) throws(FnError) -> Value {
        var parts = Value.list(list)
        try Indexing.set(&parts, idx, double: double, v)
        guard case .list(let l) = parts, !l.elements.isEmpty else { return parts }
        return .language(Language(l.elements, names: l.names, classes: classes, environment: environment))
    }
}

extension Closure {
    /// The function as written, as R prints it (its source text; deparsed when it was made at
    /// run time).
    public var sourceText: String {
        if let source = definition.source, source !== Interpreter.dynamicSource, definition.span != .none {
            return source.text(definition.span)
        }
        return definition.expression?.deparsed ?? "function(" + parameterNames.joined(separator: ", ") + ") NULL"
    }
}

extension Interpreter {
    /// `v` with a promise forced, for builtins.
    func forcedValue(_ v: Value) throws(FnError) -> Value {
        do throws(Control) { return try forced(v, at: nil) } catch { throw asError(error) }
    }
}
