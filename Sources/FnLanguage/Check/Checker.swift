/// One finding of `fn check`: a position in a file, a severity and a message.
public struct Diagnostic: Equatable, Sendable, CustomStringConvertible {
    public enum Severity: String, Sendable {
        case error, warning
    }

    /// The file as named on the command line (`handlers/functions.fn`).
    public var file: String
    /// 1-based; 0 when the finding is about the file as a whole (it does not exist).
    public var line: Int
    /// 1-based, in characters; 0 with `line`.
    public var column: Int
    public var severity: Severity
    public var message: String

    public init(file: String, line: Int, column: Int, severity: Severity, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.severity = severity
        self.message = message
    }

    /// `file:line:col: severity: message`, the form editors and CI annotate from (`file: ...` without a position).
    public var description: String {
        let position = line > 0 ? "\(file):\(line):\(column)" : file
        return "\(position): \(severity.rawValue): \(message)"
    }
}

/// Static checks over parsed fn code, without evaluating anything: syntax errors, calls to functions that
/// exist nowhere, reads of variables that are never assigned, and handler definitions.
///
/// Names are judged the way the resolver binds them: a function's scope is its parameters plus every name
/// assigned anywhere in its body (so a read before the assignment is fine, as it may be at run time), and
/// the global scope is everything assigned at top level plus every `<<-` and `assign("name", ...)` target
/// in the file. Calls are looser: a name defined anywhere in the file is accepted, since a function value
/// may reach the call through a parameter or a list.
///
/// ```swift
/// let checker = Checker()
/// for d in checker.check(SourceFile(name: "f.fn", text: "f <- function() g()")) { print(d) }
/// // f.fn:1:17: error: could not find function "g"
/// ```
public struct Checker {
    /// Calls the resolver turns into special forms: they are not bindings, but they are always callable.
    public static let specialForms: Set<String> = [
        "tryCatch", "try", "switch", "missing", "return", "on.exit", "local", "suppressWarnings", "suppressMessages",
        "withCallingHandlers", "with", "within", "quote", "bquote", "~", "substitute", "evalq", "withRestarts",
        "withVisible", "delayedAssign", "rm", "remove", "UseMethod", "NextMethod", "stopifnot", "match.arg",
    ]
    /// Calls whose arguments are code read against data (`subset(df, x > 1)`, `with(df, mean(y))`) or
    /// not evaluated at all (`quote`, `~`): only the first `n` arguments are checked as code.
    public static let quotingForms: [String: Int] = [
        "with": 1, "within": 1, "subset": 1, "transform": 1, "quote": 0, "bquote": 0, "~": 0, "substitute": 0,
        "evalq": 0, "rm": 0, "remove": 0, "delayedAssign": 1, "aggregate": 0,
    ]
    /// Globals the commands bind before running a file (`fn run` sets `.args`).
    public static let commandGlobals: Set<String> = [".args"]

    private let builtins: Interpreter

    /// `builtins` answers which names are bound in the base environment; a fresh `Interpreter` by default.
    public init(builtins: Interpreter = Interpreter()) {
        self.builtins = builtins
    }

    /// Parses `source` and checks it; a file that does not parse yields its one syntax error.
    public func check(_ source: SourceFile) -> [Diagnostic] {
        do throws(FnError) {
            return check(try parse(source))
        } catch {
            return [Checker.diagnostic(for: error, in: source)]
        }
    }

    /// Checks a parsed program: unknown functions (errors) and never-assigned variables (warnings),
    /// in source order.
    public func check(_ program: Program) -> [Diagnostic] {
        var walk = Walk(builtins: builtins, source: program.source)
        walk.run(program.expressions)
        return walk.findings
            .sorted { ($0.offset, $0.order) < ($1.offset, $1.order) }
            .map { $0.diagnostic }
    }

    /// An error when `function` is not defined at the top level of `program` as a function literal
    /// (`name <- function(...) ...`), as `fn runtime` needs for the handler `handler`; nil when it is.
    public func checkHandler(_ handler: String, function: String, in program: Program) -> Diagnostic? {
        var assignedOtherwise: Expr?
        for e in program.expressions {
            guard case .assign(let target, let value, _) = e.kind, Checker.assignedName(target) == function else {
                continue
            }
            if case .function = value.kind { return nil }
            assignedOtherwise = assignedOtherwise ?? e
        }
        let source = program.source
        if let e = assignedOtherwise {
            let (line, column) = source.location(of: e.span.start)
            return Diagnostic(file: source.name, line: line, column: column, severity: .error,
                              message: "handler '\(handler)': '\(function)' is not assigned a function literal "
                                + "at top level (write `\(function) <- function(...) ...`)")
        }
        return Diagnostic(file: source.name, line: 1, column: 1, severity: .error,
                          message: "handler '\(handler)': no function '\(function)' is defined at top level "
                            + "of \(source.name)")
    }

    /// A diagnostic for an error from `parse` (or reading the file).
    public static func diagnostic(for error: FnError, in source: SourceFile) -> Diagnostic {
        let position = error.span.map { (error.source ?? source).location(of: $0.start) }
        return Diagnostic(file: source.name, line: position?.line ?? 0, column: position?.column ?? 0,
                          severity: .error, message: error.message)
    }

    /// The variable an assignment to `target` binds directly (`x <- ...`, `"x" <- ...`), if any.
    static func assignedName(_ target: Expr) -> String? {
        switch target.kind {
        case .identifier(let n): return n
        case .constant(.character(let s?)): return s
        default: return nil
        }
    }

    /// The variable a replacement modifies: `x` in `names(x$a)[2] <- v` (the resolver's rule).
    static func baseName(_ target: Expr) -> String? {
        var current = target
        while true {
            switch current.kind {
            case .identifier(let n): return n
            case .constant(.character(let s?)): return s
            case .index(let t, _, _), .dollar(let t, _): current = t
            case .call(_, let args):
                guard let first = args.first?.value else { return nil }
                current = first
            default: return nil
            }
        }
    }

    /// The string literal naming the variable in `assign("name", value)`, if the call is one.
    static func assignCallTarget(_ callee: Expr, _ args: [Argument]) -> String? {
        guard case .identifier("assign") = callee.kind else { return nil }
        let argument = args.first { $0.name == "x" } ?? args.first { $0.name == nil }
        guard let value = argument?.value, case .constant(.character(let s?)) = value.kind else { return nil }
        return s
    }

    /// Every child expression of `e`, for walks that do not care about structure.
    static func children(_ e: Expr) -> [Expr] {
        switch e.kind {
        case .constant, .identifier, .breakLoop, .nextLoop:
            return []
        case .call(let callee, let arguments):
            return [callee] + arguments.compactMap { $0.value }
        case .unary(_, let x), .paren(let x), .repeatLoop(let x), .dollar(let x, _):
            return [x]
        case .binary(_, let l, let r), .assign(let l, let r, _), .whileLoop(let l, let r), .forLoop(_, let l, let r):
            return [l, r]
        case .index(let target, let arguments, _):
            return [target] + arguments.compactMap { $0.value }
        case .function(let parameters, let body):
            return parameters.compactMap { $0.defaultValue } + [body]
        case .block(let items):
            return items
        case .ifElse(let c, let t, let o):
            return [c, t] + (o.map { [$0] } ?? [])
        }
    }
}

/// One pass over a program. Every walk uses an explicit stack: left-associative chains (`1 + 1 + ...`,
/// long pipes) are as deep as they are long, and the parser only caps nesting.
private struct Walk {
    struct Finding {
        var offset: Int32
        var order: Int
        var diagnostic: Diagnostic
    }

    enum Work {
        case visit(Expr)
        case enter(Set<String>)
        case leave
    }

    let builtins: Interpreter
    let source: SourceFile
    var findings: [Finding] = []
    /// Names bound anywhere in the file: assignments at any level, parameters, loop variables.
    var definedAnywhere: Set<String> = []
    /// The global scope: top-level assignments and loop variables, every `<<-` and `assign()` target.
    var globals: Set<String> = []
    /// Enclosing function (and `local`) scopes, innermost last.
    var scopes: [Set<String>] = []
    var isKnownBuiltin: [String: Bool] = [:]

    init(builtins: Interpreter, source: SourceFile) {
        self.builtins = builtins
        self.source = source
    }

    mutating func run(_ expressions: [Expr]) {
        collectFileBindings(expressions)
        globals.formUnion(Walk.locals(of: expressions))
        var work: [Work] = expressions.reversed().map { .visit($0) }
        while let item = work.popLast() {
            switch item {
            case .enter(let scope): scopes.append(scope)
            case .leave: scopes.removeLast()
            case .visit(let e): visit(e, &work)
            }
        }
    }

    /// Fills `definedAnywhere` and the file-wide part of `globals`.
    mutating func collectFileBindings(_ expressions: [Expr]) {
        var pending = expressions
        while let e = pending.popLast() {
            switch e.kind {
            case .assign(let target, _, let superAssign):
                if let name = Checker.baseName(target) {
                    definedAnywhere.insert(name)
                    if superAssign { globals.insert(name) }
                }
            case .forLoop(let variable, _, _):
                definedAnywhere.insert(variable)
            case .function(let parameters, _):
                for p in parameters { definedAnywhere.insert(p.name) }
            case .call(let callee, let args):
                if let name = Checker.assignCallTarget(callee, args) {
                    definedAnywhere.insert(name)
                    globals.insert(name)
                }
            default:
                break
            }
            pending.append(contentsOf: Checker.children(e))
        }
    }

    /// The names a scope body binds: plain assignments and loop variables outside nested functions and
    /// `local()` (the resolver's `collectLocals`).
    static func locals(of expressions: [Expr]) -> Set<String> {
        var names: Set<String> = []
        var pending = expressions
        while let e = pending.popLast() {
            switch e.kind {
            case .assign(let target, _, let superAssign):
                if !superAssign, let name = Checker.baseName(target) { names.insert(name) }
            case .forLoop(let variable, _, _):
                names.insert(variable)
            case .function:
                continue
            case .call(let callee, _):
                if case .identifier("local") = callee.kind { continue }
            default:
                break
            }
            pending.append(contentsOf: Checker.children(e))
        }
        return names
    }

    func isBoundInScope(_ name: String) -> Bool {
        scopes.contains { $0.contains(name) }
    }

    mutating func isBuiltin(_ name: String) -> Bool {
        if let known = isKnownBuiltin[name] { return known }
        let known = builtins.global(name) != nil
        isKnownBuiltin[name] = known
        return known
    }

    mutating func report(_ severity: Diagnostic.Severity, _ message: String, at span: Span) {
        let (line, column) = source.location(of: span.start)
        let diagnostic = Diagnostic(file: source.name, line: line, column: column, severity: severity, message: message)
        findings.append(Finding(offset: span.start, order: findings.count, diagnostic: diagnostic))
    }

    /// A call to `name` must find a function somewhere: in the file, the base environment, or the resolver.
    mutating func checkCallee(_ name: String, at span: Span) {
        if definedAnywhere.contains(name) || Checker.specialForms.contains(name) || isBuiltin(name) { return }
        report(.error, "could not find function \"\(name)\"", at: span)
    }

    /// A read of the variable `name` must find a binding in scope.
    mutating func checkRead(_ name: String, at span: Span) {
        if name == "..." || isDotsElement(name) { return }
        if isBoundInScope(name) || globals.contains(name) || Checker.commandGlobals.contains(name) { return }
        if isBuiltin(name) { return }
        report(.warning, "object '\(name)' is never assigned", at: span)
    }

    func isDotsElement(_ name: String) -> Bool {
        guard name.hasPrefix("..") else { return false }
        return Int(name.dropFirst(2)).map { $0 > 0 } ?? false
    }

    mutating func visit(_ e: Expr, _ work: inout [Work]) {
        func push(_ expressions: [Expr]) {
            for x in expressions.reversed() { work.append(.visit(x)) }
        }
        switch e.kind {
        case .constant, .breakLoop, .nextLoop:
            break
        case .identifier(let name):
            checkRead(name, at: e.span)
        case .call(let callee, let args):
            let values = args.compactMap { $0.value }
            switch callee.kind {
            case .identifier(let name):
                checkCallee(name, at: callee.span)
                if let checked = Checker.quotingForms[name], !isBoundInScope(name) {
                    push(Array(values.prefix(checked)))
                    return
                }
                if name == "local", !isBoundInScope(name), let body = args.first?.value {
                    // `local(body)` evaluates `body` in a scope of its own, like a function without parameters.
                    work.append(contentsOf: [.leave, .visit(body), .enter(Walk.locals(of: [body]))])
                    push(Array(args.dropFirst().compactMap { $0.value }))
                    return
                }
            case .constant(.character(let name?)):
                checkCallee(name, at: callee.span)
            default:
                work.append(.visit(callee))
            }
            push(values)
        case .unary(_, let x), .paren(let x), .repeatLoop(let x), .dollar(let x, _):
            work.append(.visit(x))
        case .binary(let op, let l, let r):
            if case .special(let name) = op { checkCallee(name, at: e.span) }
            push([l, r])
        case .assign(let target, let value, _):
            visitAssignmentTarget(target, &work)
            work.append(.visit(value))
        case .index(let target, let args, _):
            push([target] + args.compactMap { $0.value })
        case .function(let parameters, let body):
            let scope = Set(parameters.map { $0.name }).union(Walk.locals(of: [body]))
            // Defaults are evaluated in the function's own frame, so they see its parameters and locals.
            work.append(.leave)
            push(parameters.compactMap { $0.defaultValue } + [body])
            work.append(.enter(scope))
        case .block(let items):
            push(items)
        case .ifElse(let c, let t, let o):
            push([c, t] + (o.map { [$0] } ?? []))
        case .forLoop(_, let sequence, let body), .whileLoop(let sequence, let body):
            push([sequence, body])
        }
    }

    /// The left side of an assignment: the assigned variable itself is a binding, not a read; replacement
    /// functions (`names(x) <- v` calls `names<-`) must exist; index arguments are reads.
    mutating func visitAssignmentTarget(_ target: Expr, _ work: inout [Work]) {
        var current = target
        while true {
            switch current.kind {
            case .identifier, .constant(.character(_?)):
                return
            case .index(let t, let args, _):
                for a in args.reversed() { if let v = a.value { work.append(.visit(v)) } }
                current = t
            case .dollar(let t, _):
                current = t
            case .call(let callee, let args):
                guard case .identifier(let name) = callee.kind, let first = args.first?.value, args[0].name == nil
                else {
                    report(.error, "invalid assignment target", at: current.span)
                    return
                }
                checkCallee(name + "<-", at: callee.span)
                for a in args.dropFirst().reversed() { if let v = a.value { work.append(.visit(v)) } }
                current = first
            default:
                report(.error, "invalid assignment target", at: current.span)
                return
            }
        }
    }
}
