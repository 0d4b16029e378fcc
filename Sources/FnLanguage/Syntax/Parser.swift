/// Parses source text into a `Program`, following R's grammar (R 4.x `gram.y`).
///
/// Errors use R's wording (`unexpected symbol`, `unexpected end of input`, ...) and point at the
/// offending token.
public func parse(_ source: SourceFile) throws(FnError) -> Program {
    var parser = Parser(source)
    do {
        return try parser.parseProgram()
    } catch {
        throw FnError(.syntax, error.message, source: source, span: error.span)
    }
}

/// True when `source` is a valid beginning of a program that only lacks more input: an unclosed
/// bracket or string, a trailing binary operator, `if (x)` without a body. The REPL uses it to ask
/// for another line instead of reporting an error.
public func isIncompleteInput(_ source: SourceFile) -> Bool {
    var parser = Parser(source)
    do {
        _ = try parser.parseProgram()
        return false
    } catch {
        return parser.failedAtEndOfInput
    }
}

/// A syntax error inside the parser; `parse` turns it into an `FnError`. Kept small because typed
/// errors are carried in every frame of the recursion: with `FnError` itself each nesting level cost
/// about 2 KB of stack.
struct SyntaxError: Error {
    var message: String
    var span: Span
}

/// A recursive-descent parser with precedence climbing for binary operators. A struct rather than a class
/// so that its state needs no dynamic exclusivity checks.
///
/// Only nesting recurses (parentheses, blocks, calls, prefix operators, right-associative chains);
/// left-associative chains are built in a loop, so `1 + 1 + ...` with 100,000 terms parses with
/// constant stack. Nesting is capped at `maxDepth`.
struct Parser {
    /// The deepest nesting of expressions accepted; deeper input is a syntax error, not a crash.
    static let maxDepth = 256

    private let source: SourceFile
    private var tokens: [Token]
    private var strings: [String]
    private var values: [Value]
    private var pos = 0
    private var depth = 0
    private var mode = NewlineMode.topLevel
    private var encodingError: SyntaxError?

    /// Set when parsing failed because the input ended too early.
    private(set) var failedAtEndOfInput = false

    /// Where newlines end expressions.
    private enum NewlineMode {
        /// At top level: a newline ends an expression, and `else` must be on the same line as the end
        /// of the `if` body.
        case topLevel
        /// Inside `{ }`: newlines end expressions, but `else` may start a following line.
        case braces
        /// Inside `( )` and `[ ]`: newlines are ignored.
        case ignored
    }

    init(_ source: SourceFile) {
        self.source = source
        if let (offset, message) = Lexer.checkEncoding(source.bytes) {
            encodingError = SyntaxError(message: message, span: Span(start: offset, end: offset + 1))
            tokens = []
            strings = []
            values = []
        } else {
            let stream = Lexer.tokenize(source.bytes)
            tokens = stream.tokens
            strings = stream.strings
            values = stream.values
        }
    }

    // MARK: - Token access

    /// The current token; inside `( )` and `[ ]` newlines are skipped first.
    @inline(__always) private mutating func peek() -> Token {
        if mode == .ignored {
            while tokens[pos].kind == .newline { pos += 1 }
        }
        return tokens[pos]
    }

    /// Consumes and returns the current token. Never moves past `.endOfInput`.
    @discardableResult @inline(__always) private mutating func advance() -> Token {
        let t = peek()
        if t.kind != .endOfInput { pos += 1 }
        return t
    }

    /// Skips newlines after tokens that cannot end an expression (binary operators, `else`, ...).
    @inline(__always) private mutating func skipNewlines() {
        while tokens[pos].kind == .newline { pos += 1 }
    }

    @discardableResult private mutating func expect(_ kind: TokenKind) throws(SyntaxError) -> Token {
        let t = peek()
        guard t.kind == kind else { throw unexpected(t) }
        pos += 1
        return t
    }

    private mutating func unexpected(_ t: Token) -> SyntaxError {
        let message: String
        switch t.kind {
        case .invalid:
            message = strings[Int(t.payload)]
        case .endOfInput, .incompleteString:
            failedAtEndOfInput = true
            message = "unexpected " + t.kind.unexpectedName
        default:
            message = "unexpected " + t.kind.unexpectedName
        }
        return SyntaxError(message: message, span: t.span)
    }

    private func error(_ message: String, _ span: Span) -> SyntaxError {
        SyntaxError(message: message, span: span)
    }

    // MARK: - Program and blocks

    mutating func parseProgram() throws(SyntaxError) -> Program {
        if let encodingError { throw encodingError }
        var expressions: [Expr] = []
        while true {
            let t = tokens[pos]
            switch t.kind {
            case .endOfInput:
                return Program(expressions: expressions, source: source)
            case .newline:
                pos += 1
            default:
                expressions.append(try parseExpr(0))
                let end = tokens[pos]
                switch end.kind {
                case .newline, .semicolon: pos += 1
                case .endOfInput: break
                default: throw unexpected(end)
                }
            }
        }
    }

    /// `{ e1; e2 \n e3 }`, with `{` current.
    private mutating func parseBlock() throws(SyntaxError) -> Expr {
        let open = advance()
        let saved = mode
        mode = .braces
        defer { mode = saved }
        var items: [Expr] = []
        while true {
            let t = tokens[pos]
            switch t.kind {
            case .newline, .semicolon:
                pos += 1
            case .rightBrace:
                pos += 1
                return Expr(.block(items), Span(start: Int(open.start), end: Int(t.end)))
            default:
                items.append(try parseExpr(0))
                let end = tokens[pos]
                switch end.kind {
                case .newline, .semicolon, .rightBrace: break
                default: throw unexpected(end)
                }
            }
        }
    }

    // MARK: - Expressions

    /// Binding power of infix and postfix operators, lowest to highest, as in R's `?Syntax`.
    private enum Precedence {
        static let help = 1           // ?
        static let equalAssign = 2    // =  (right)
        static let leftAssign = 3     // <- <<-  (right)
        static let rightAssign = 4    // -> ->>
        static let tilde = 5          // ~
        static let or = 6             // | ||
        static let and = 7            // & &&
        static let not = 8            // unary !
        static let comparison = 9     // == != < > <= >=  (non-associative)
        static let sum = 10           // + -
        static let product = 11       // * /
        static let special = 12       // %any% |>
        static let range = 13         // :
        static let unaryMinus = 14    // unary + -
        static let power = 15         // ^  (right)
        static let postfix = 16       // $ @ [ [[ (
    }

    /// The precedence of `kind` as an infix or postfix operator, or nil when it is not one.
    private static func infixPrecedence(_ kind: TokenKind) -> Int? {
        switch kind {
        case .question: return Precedence.help
        case .equalAssign: return Precedence.equalAssign
        case .leftAssign, .superLeftAssign: return Precedence.leftAssign
        case .rightAssign, .superRightAssign: return Precedence.rightAssign
        case .tilde: return Precedence.tilde
        case .or, .orOr: return Precedence.or
        case .and, .andAnd: return Precedence.and
        case .equalEqual, .notEqual, .less, .greater, .lessEqual, .greaterEqual: return Precedence.comparison
        case .plus, .minus: return Precedence.sum
        case .star, .slash: return Precedence.product
        case .special, .pipe: return Precedence.special
        case .colon: return Precedence.range
        case .caret: return Precedence.power
        case .dollar, .at, .leftParen, .leftBracket, .doubleLeftBracket: return Precedence.postfix
        default: return nil
        }
    }

    /// Parses an expression whose operators all bind at least as tightly as `minPrecedence`.
    private mutating func parseExpr(_ minPrecedence: Int) throws(SyntaxError) -> Expr {
        depth += 1
        defer { depth -= 1 }
        if depth > Parser.maxDepth {
            throw error("expression nested too deeply (limit \(Parser.maxDepth))", peek().span)
        }
        var left = try parsePrefix()
        var lastWasComparison = false
        while true {
            let t = peek()
            guard let precedence = Parser.infixPrecedence(t.kind), precedence >= minPrecedence else { break }
            switch t.kind {
            case .leftParen:
                left = try parseCall(left)
            case .leftBracket, .doubleLeftBracket:
                left = try parseIndex(left)
            case .dollar, .at:
                left = try parseDollar(left)
            default:
                let isComparison = precedence == Precedence.comparison
                if isComparison && lastWasComparison { throw unexpected(t) }
                lastWasComparison = isComparison
                if t.kind == .question { throw error("the help operator '?' is not supported", t.span) }
                pos += 1
                skipNewlines()
                let rightAssociative = precedence == Precedence.power || precedence == Precedence.leftAssign
                    || precedence == Precedence.equalAssign
                let right = try parseExpr(rightAssociative ? precedence : precedence + 1)
                left = try binary(t, left, right)
            }
        }
        return left
    }

    /// Builds the node for `left op right`.
    private mutating func binary(_ op: Token, _ left: Expr, _ right: Expr) throws(SyntaxError) -> Expr {
        let span = left.span.union(right.span)
        let kind: Expr.Kind
        switch op.kind {
        case .plus: kind = .binary(.plus, left, right)
        case .minus: kind = .binary(.minus, left, right)
        case .star: kind = .binary(.times, left, right)
        case .slash: kind = .binary(.divide, left, right)
        case .caret: kind = .binary(.power, left, right)
        case .colon: kind = .binary(.range, left, right)
        case .less: kind = .binary(.less, left, right)
        case .greater: kind = .binary(.greater, left, right)
        case .lessEqual: kind = .binary(.lessEqual, left, right)
        case .greaterEqual: kind = .binary(.greaterEqual, left, right)
        case .equalEqual: kind = .binary(.equal, left, right)
        case .notEqual: kind = .binary(.notEqual, left, right)
        case .and: kind = .binary(.and, left, right)
        case .andAnd: kind = .binary(.andAnd, left, right)
        case .or: kind = .binary(.or, left, right)
        case .orOr: kind = .binary(.orOr, left, right)
        case .special:
            let name = strings[Int(op.payload)]
            switch name {
            case "%%": kind = .binary(.modulo, left, right)
            case "%/%": kind = .binary(.intDivide, left, right)
            case "%in%": kind = .binary(.matchIn, left, right)
            default: kind = .binary(.special(name), left, right)
            }
        case .leftAssign, .equalAssign:
            kind = .assign(target: assignmentTarget(left), value: right, superAssign: false)
        case .superLeftAssign:
            kind = .assign(target: assignmentTarget(left), value: right, superAssign: true)
        case .rightAssign:
            kind = .assign(target: assignmentTarget(right), value: left, superAssign: false)
        case .superRightAssign:
            kind = .assign(target: assignmentTarget(right), value: left, superAssign: true)
        case .tilde:
            // A formula `y ~ x`: a call to `~`, evaluated to itself with class "formula".
            let callee = Expr(.identifier("~"), op.span)
            kind = .call(callee: callee, arguments: [Argument(name: nil, value: left, span: left.span),
                                                     Argument(name: nil, value: right, span: right.span)])
        case .pipe:
            guard case .call(let callee, let arguments) = right.kind else {
                throw error("The pipe operator requires a function call as RHS", right.span)
            }
            let first = Argument(name: nil, value: left, span: left.span)
            kind = .call(callee: callee, arguments: [first] + arguments)
        default:
            throw unexpected(op)
        }
        return Expr(kind, span)
    }

    /// R turns a string target (`"x" <- 1`) into the name `x`.
    private func assignmentTarget(_ e: Expr) -> Expr {
        if case .constant(.character(let name?)) = e.kind { return Expr(.identifier(name), e.span) }
        return e
    }

    /// Parses the operand-position part of an expression: a literal, a name, a bracketed form, a
    /// prefix operator applied to its operand, or a keyword construct.
    private mutating func parsePrefix() throws(SyntaxError) -> Expr {
        let t = peek()
        switch t.kind {
        case .number, .constant:
            pos += 1
            return Expr(.constant(values[Int(t.payload)]), t.span)
        case .null:
            pos += 1
            return Expr(.constant(.null), t.span)
        case .string:
            pos += 1
            let text = strings[Int(t.payload)]
            if let namespaced = try namespacedName(t) { return namespaced }
            return Expr(.constant(.character(text)), t.span)
        case .identifier:
            pos += 1
            if let namespaced = try namespacedName(t) { return namespaced }
            return Expr(.identifier(strings[Int(t.payload)]), t.span)
        case .leftParen:
            pos += 1
            let saved = mode
            mode = .ignored
            defer { mode = saved }
            let inner = try parseExpr(0)
            let close = try expect(.rightParen)
            return Expr(.paren(inner), Span(start: Int(t.start), end: Int(close.end)))
        case .leftBrace:
            return try parseBlock()
        case .minus, .plus, .bang:
            pos += 1
            skipNewlines()
            let operand = try parseExpr(t.kind == .bang ? Precedence.comparison : Precedence.power)
            let op: UnaryOperator = t.kind == .minus ? .minus : t.kind == .plus ? .plus : .not
            return Expr(.unary(op, operand), t.span.union(operand.span))
        case .tilde:
            // A one-sided formula `~ x`: a call to `~` with one argument.
            pos += 1
            skipNewlines()
            let operand = try parseExpr(Precedence.tilde + 1)
            let callee = Expr(.identifier("~"), t.span)
            return Expr(.call(callee: callee, arguments: [Argument(name: nil, value: operand, span: operand.span)]),
                        t.span.union(operand.span))
        case .question:
            throw error("the help operator '?' is not supported", t.span)
        case .kwFunction, .backslash:
            return try parseFunction()
        case .kwIf:
            return try parseIf()
        case .kwFor:
            return try parseFor()
        case .kwWhile:
            pos += 1
            skipNewlines()
            let condition = try parseCondition()
            skipNewlines()
            let body = try parseExpr(0)
            return Expr(.whileLoop(condition: condition, body: body), t.span.union(body.span))
        case .kwRepeat:
            pos += 1
            skipNewlines()
            let body = try parseExpr(0)
            return Expr(.repeatLoop(body: body), t.span.union(body.span))
        case .kwBreak:
            pos += 1
            return Expr(.breakLoop, t.span)
        case .kwNext:
            pos += 1
            return Expr(.nextLoop, t.span)
        default:
            throw unexpected(t)
        }
    }

    /// After a name or string `t` (already consumed): `pkg::name` or `pkg:::name` becomes `name`.
    private mutating func namespacedName(_ t: Token) throws(SyntaxError) -> Expr? {
        let next = peek()
        guard next.kind == .doubleColon || next.kind == .tripleColon else { return nil }
        pos += 1
        let name = peek()
        guard name.kind == .identifier || name.kind == .string else { throw unexpected(name) }
        pos += 1
        return Expr(.identifier(strings[Int(name.payload)]), t.span.union(name.span))
    }

    /// `( condition )` of `if` and `while`; `=` is not allowed at its top level, as in R.
    private mutating func parseCondition() throws(SyntaxError) -> Expr {
        try expect(.leftParen)
        let saved = mode
        mode = .ignored
        defer { mode = saved }
        let condition = try parseExpr(Precedence.leftAssign)
        try expect(.rightParen)
        return condition
    }

    private mutating func parseIf() throws(SyntaxError) -> Expr {
        let start = advance()
        skipNewlines()
        let condition = try parseCondition()
        skipNewlines()
        let then = try parseExpr(0)
        // `else` may follow on a later line only inside braces (or where newlines are ignored anyway);
        // at top level the newline has already ended the `if`.
        var elsePosition: Int? = nil
        switch mode {
        case .ignored:
            if peek().kind == .kwElse { elsePosition = pos }
        case .braces:
            var k = pos
            while tokens[k].kind == .newline { k += 1 }
            if tokens[k].kind == .kwElse { elsePosition = k }
        case .topLevel:
            if tokens[pos].kind == .kwElse { elsePosition = pos }
        }
        guard let elsePosition else {
            return Expr(.ifElse(condition: condition, then: then, otherwise: nil), start.span.union(then.span))
        }
        pos = elsePosition + 1
        skipNewlines()
        let otherwise = try parseExpr(0)
        return Expr(.ifElse(condition: condition, then: then, otherwise: otherwise), start.span.union(otherwise.span))
    }

    private mutating func parseFor() throws(SyntaxError) -> Expr {
        let start = advance()
        skipNewlines()
        try expect(.leftParen)
        let saved = mode
        mode = .ignored
        let variable = peek()
        guard variable.kind == .identifier else { throw unexpected(variable) }
        pos += 1
        try expect(.kwIn)
        let sequence = try parseExpr(Precedence.leftAssign)
        try expect(.rightParen)
        mode = saved
        skipNewlines()
        let body = try parseExpr(0)
        return Expr(.forLoop(variable: strings[Int(variable.payload)], sequence: sequence, body: body),
                    start.span.union(body.span))
    }

    /// `function(a, b = 1, ...) body` or `\(x) body`.
    private mutating func parseFunction() throws(SyntaxError) -> Expr {
        let start = advance()
        if start.kind == .kwFunction { skipNewlines() }
        try expect(.leftParen)
        let saved = mode
        mode = .ignored
        var parameters: [Parameter] = []
        if peek().kind != .rightParen {
            while true {
                let nameToken = peek()
                guard nameToken.kind == .identifier else { throw unexpected(nameToken) }
                pos += 1
                let name = strings[Int(nameToken.payload)]
                if parameters.contains(where: { $0.name == name }) {
                    throw error("repeated formal argument '\(name)'", nameToken.span)
                }
                var defaultValue: Expr? = nil
                if peek().kind == .equalAssign {
                    pos += 1
                    defaultValue = try parseExpr(Precedence.leftAssign)
                }
                parameters.append(Parameter(name: name, defaultValue: defaultValue,
                                            span: nameToken.span.union(defaultValue?.span ?? nameToken.span)))
                let separator = peek()
                if separator.kind == .comma {
                    pos += 1
                } else if separator.kind == .rightParen {
                    break
                } else {
                    throw unexpected(separator)
                }
            }
        }
        try expect(.rightParen)
        mode = saved
        skipNewlines()
        let body = try parseExpr(0)
        return Expr(.function(parameters: parameters, body: body), start.span.union(body.span))
    }

    // MARK: - Postfix forms

    /// `callee(args)`, with `(` current.
    private mutating func parseCall(_ callee: Expr) throws(SyntaxError) -> Expr {
        pos += 1
        let saved = mode
        mode = .ignored
        defer { mode = saved }
        let arguments = try parseArguments(closer: .rightParen, emptyMeansOneArgument: false)
        let close = try expect(.rightParen)
        // R turns a string callee into a name: "f"(1) is f(1).
        var function = callee
        if case .constant(.character(let name?)) = callee.kind { function = Expr(.identifier(name), callee.span) }
        return Expr(.call(callee: function, arguments: arguments),
                    Span(start: Int(callee.span.start), end: Int(close.end)))
    }

    /// `target[args]` or `target[[args]]`, with `[` or `[[` current.
    private mutating func parseIndex(_ target: Expr) throws(SyntaxError) -> Expr {
        let double = advance().kind == .doubleLeftBracket
        let saved = mode
        mode = .ignored
        defer { mode = saved }
        let arguments = try parseArguments(closer: .rightBracket, emptyMeansOneArgument: true)
        var close = try expect(.rightBracket)
        if double { close = try expect(.rightBracket) }
        return Expr(.index(target: target, arguments: arguments, double: double),
                    Span(start: Int(target.span.start), end: Int(close.end)))
    }

    /// `target$name`, `target$"name"`, ``target$`name` `` (and the same with `@`), with `$` current.
    private mutating func parseDollar(_ target: Expr) throws(SyntaxError) -> Expr {
        pos += 1
        skipNewlines()
        let name = peek()
        guard name.kind == .identifier || name.kind == .string else { throw unexpected(name) }
        pos += 1
        return Expr(.dollar(target: target, name: strings[Int(name.payload)]), target.span.union(name.span))
    }

    /// The arguments up to (not including) `closer`. `f()` has no arguments, while `x[]` has one empty
    /// argument, as in R.
    private mutating func parseArguments(closer: TokenKind, emptyMeansOneArgument: Bool) throws(SyntaxError) -> [Argument] {
        var arguments: [Argument] = []
        if peek().kind == closer && !emptyMeansOneArgument { return arguments }
        while true {
            let t = peek()
            if t.kind == .comma || t.kind == closer {
                arguments.append(Argument(name: nil, value: nil, span: Span(start: Int(t.start), end: Int(t.start))))
            } else if let name = argumentName(t) {
                if name.isEmpty { throw error("attempt to use zero-length variable name", t.span) }
                let next = peek()
                if next.kind == .comma || next.kind == closer {
                    arguments.append(Argument(name: name, value: nil, span: t.span))
                } else {
                    let value = try parseExpr(Precedence.leftAssign)
                    arguments.append(Argument(name: name, value: value, span: t.span.union(value.span)))
                }
            } else {
                let value = try parseExpr(Precedence.leftAssign)
                arguments.append(Argument(name: nil, value: value, span: value.span))
            }
            let separator = peek()
            if separator.kind == .comma {
                pos += 1
            } else if separator.kind == closer {
                return arguments
            } else {
                throw unexpected(separator)
            }
        }
    }

    /// When `t` (current) starts `name =`, consumes both and returns the name.
    private mutating func argumentName(_ t: Token) -> String? {
        let name: String
        switch t.kind {
        case .identifier, .string: name = strings[Int(t.payload)]
        case .null: name = "NULL"
        default: return nil
        }
        var k = pos + 1
        while tokens[k].kind == .newline { k += 1 }
        guard tokens[k].kind == .equalAssign else { return nil }
        pos = k + 1
        return name
    }
}
