/// Code as data: `quote`, `bquote`, `substitute`, formulas, `eval`, and the builtins that take
/// calls apart and put them together (`deparse`, `call`, `as.call`, `match.call`, `sys.call`,
/// `body`, `formals`, ...). Text is never parsed as code at run time: there is no `parse(text =)`.

/// `quote(expr)`, and any other syntax whose value is fixed when it is resolved.
final class QuoteNode: Node {
    let value: Value
    init(_ value: Value, span: Span) {
        self.value = value
        super.init(span: span)
    }
    override func eval(_ ip: Interpreter) throws(Control) -> Value {
        ip.visible = true
        return value
    }
}

/// `y ~ x` and `~ x`: the call itself, classed "formula", with the environment it was made in.
final class FormulaNode: Node {
    let template: Language
    init(_ template: Language, span: Span) {
        self.template = template
        super.init(span: span)
    }
    override func eval(_ ip: Interpreter) throws(Control) -> Value {
        ip.visible = true
        return .language(Language(template.elements, names: template.names, classes: ["formula"], environment: ip.env))
    }
}

/// `substitute(expr, env)`: `expr` with each name bound in `env` replaced by what it stands for
/// there — an argument's expression for a promise, the value for an ordinary variable. In the
/// global environment nothing is replaced.
final class SubstituteNode: Node {
    let template: Value
    let environment: Node?
    init(_ template: Value, environment: Node?, span: Span) {
        self.template = template
        self.environment = environment
        super.init(span: span)
    }
    override func eval(_ ip: Interpreter) throws(Control) -> Value {
        ip.visible = true
        var target = ip.env
        var list: List?
        if let environment {
            switch try environment.eval(ip) {
            case .environment(let e): target = e
            case .list(let l): list = l
            default:
                throw ip.locate(FnError.runtime("invalid environment specified"), at: self).control
            }
        }
        if let list {
            return Substitution.apply(template) { name in
                guard let i = list.names?.firstIndex(of: name) else { return nil }
                return [(nil, list.elements[i])]
            }
        }
        if target.isGlobal { return template }
        return Substitution.apply(template) { name in Substitution.binding(name, in: target) }
    }
}

/// Walking a language object to replace names (`substitute`) or `.()` (`bquote`).
enum Substitution {
    /// What `name` in `e` stands for in `substitute()`: the argument expressions of `...`, a
    /// promise's expression, a variable's value; nil when unbound.
    static func binding(_ name: String, in e: Environment) -> [(String?, Value)]? {
        // A formal the caller did not supply stands for its default's expression (a promise in
        // R), or for the empty name when it has none.
        if name != "...", let f = e.function, let k = f.definition.parameters.firstIndex(where: { $0.name == name }),
            k < 64, e.missingMask & (1 << UInt64(k)) != 0
        {
            if case .function(let params, _)? = f.definition.expression?.kind, k < params.count,
                let d = params[k].defaultValue
            {
                return [(nil, Language.value(of: d))]
            }
            if f.definition.parameters[k].defaultValue == nil, e.slots[k] == nil { return [(nil, .symbol(""))] }
        }
        guard let v = e.ownBinding(name) else { return nil }
        if name == "...", case .list(let dots) = v {
            return dots.elements.indices.map { i in
                let n = dots.names?[i] ?? ""
                return (n.isEmpty ? nil : n, expression(dots.elements[i]))
            }
        }
        return [(nil, expression(v))]
    }

    /// A promise's expression; any other value itself.
    static func expression(_ v: Value) -> Value {
        if case .promise(let p) = v { return p.language }
        return v
    }

    /// `v` with every symbol `lookup` knows replaced; a replacement with several parts (`...`)
    /// is spliced into the call around it.
    static func apply(_ v: Value, _ lookup: (String) -> [(String?, Value)]?) -> Value {
        switch v {
        case .symbol(let name):
            guard let parts = lookup(name), parts.count == 1 else { return v }
            return parts[0].1
        case .language(let l):
            var elements: [Value] = []
            var names: [String] = []
            for (i, element) in l.elements.enumerated() {
                let name = l.names?[i] ?? ""
                if i > 0, case .symbol(let s) = element, s == "...", let parts = lookup(s) {
                    for (n, part) in parts {
                        elements.append(part)
                        names.append(n ?? "")
                    }
                    continue
                }
                elements.append(apply(element, lookup))
                names.append(name)
            }
            return .language(l.with(elements: elements, names: names))
        default:
            return v
        }
    }
}

/// `bquote(expr, where)`: `expr` with `.(x)` replaced by the value of `x` in `where` (default:
/// the calling environment), and `..(x)` spliced in.
final class BquoteNode: Node {
    let template: Value
    let whereNode: Node?
    init(_ template: Value, where whereNode: Node?, span: Span) {
        self.template = template
        self.whereNode = whereNode
        super.init(span: span)
    }
    override func eval(_ ip: Interpreter) throws(Control) -> Value {
        var target = ip.env
        if let whereNode {
            switch try whereNode.eval(ip) {
            case .environment(let e): target = e
            case .list(let l):
                // A list's elements as variables, enclosed by the calling environment.
                target = Environment.holding(l, parent: ip.env)
            default:
                throw ip.locate(FnError.runtime("'where' must be an environment or a list"), at: self).control
            }
        }
        ip.visible = true
        return try unquote(template, ip, target)
    }

    private func unquote(_ v: Value, _ ip: Interpreter, _ e: Environment) throws(Control) -> Value {
        guard case .language(let l) = v else { return v }
        if l.functionName == ".", l.elements.count == 2 {
            return try ip.evaluate(language: l.elements[1], in: e, at: self)
        }
        var elements: [Value] = []
        var names: [String] = []
        for (i, element) in l.elements.enumerated() {
            if i > 0, case .language(let inner) = element, inner.functionName == "..", inner.elements.count == 2 {
                let spliced = try ip.evaluate(language: inner.elements[1], in: e, at: self)
                switch spliced {
                case .list(let parts):
                    for (k, part) in parts.elements.enumerated() {
                        elements.append(part)
                        names.append(parts.names?[k] ?? "")
                    }
                case .null: break
                default:
                    if let s = spliced.storage {
                        for k in 0..<s.count {
                            elements.append(s.element(k))
                            names.append("")
                        }
                    } else {
                        elements.append(spliced)
                        names.append("")
                    }
                }
                continue
            }
            elements.append(try unquote(element, ip, e))
            names.append(l.names?[i] ?? "")
        }
        return .language(l.with(elements: elements, names: names))
    }
}

extension Resolver {
    /// The special forms of code as data, recognised when their name is not a local variable.
    mutating func resolveLanguageForm(_ name: String, _ args: [Argument], _ e: Expr) -> Node? {
        let span = e.span
        func argument(_ formal: String, _ position: Int) -> Expr? {
            if let named = args.first(where: { $0.name == formal }) { return named.value }
            let unnamed = args.filter { $0.name == nil }
            return position < unnamed.count ? unnamed[position].value : nil
        }
        switch name {
        case "quote":
            guard args.count == 1, let x = args[0].value else { return nil }
            return QuoteNode(Language.value(of: x), span: span)
        case "stopifnot":
            guard !args.contains(where: { $0.name == "exprs" || $0.name == "exprObject" || $0.name == "local" }) else { return nil }
            var checks: [(name: String?, node: Node, expression: Expr)] = []
            for a in args {
                guard let v = a.value else { continue }
                checks.append((a.name, resolve(v), v))
            }
            return StopifnotNode(checks, span: span)
        case "alist":
            // alist(x = , y = 10): the arguments unevaluated, an empty one as the empty symbol.
            let values = args.map { a in a.value.map(Language.value(of:)) ?? .symbol("") }
            let names = args.map { $0.name ?? "" }
            return QuoteNode(.list(List(values, names: names.contains { !$0.isEmpty } ? names : nil)), span: span)
        case "~":
            guard case .language(let l) = Language.value(of: e) else { return nil }
            return FormulaNode(l, span: span)
        case "substitute":
            guard let x = argument("expr", 0) else { return QuoteNode(.symbol(""), span: span) }
            return SubstituteNode(Language.value(of: x), environment: argument("env", 1).map { resolve($0) }, span: span)
        case "bquote":
            guard let x = argument("expr", 0) else { return nil }
            return BquoteNode(Language.value(of: x), where: argument("where", 1).map { resolve($0) }, span: span)
        case "evalq":
            // evalq(expr, ...) is eval(quote(expr), ...).
            guard let first = args.first, let x = first.value else { return nil }
            let quoted = CallArgument(name: first.name, value: QuoteNode(Language.value(of: x), span: x.span),
                                      isDots: false, expression: Expr(.call(callee: Expr(.identifier("quote"), x.span),
                                      arguments: [Argument(name: nil, value: x, span: x.span)]), x.span))
            let callee = FunctionLookupNode(location: readLocation("eval"), name: "eval", span: span)
            return makeCall(callee, [quoted] + resolveArguments(Array(args.dropFirst())), e)
        case "withRestarts":
            var expr: Node?
            var restarts: [(String, Node)] = []
            for a in args {
                guard let v = a.value else { continue }
                switch a.name {
                case nil, "expr": if expr == nil { expr = resolve(v) }
                case let n?: restarts.append((n, resolve(v)))
                }
            }
            return WithRestartsNode(expr: expr, restarts: restarts, span: span)
        case "rm", "remove":
            // `rm(a, b)` names its variables: the names are passed as strings.
            let rewritten = args.map { a -> CallArgument in
                if a.name == nil, let v = a.value, case .identifier(let n) = v.kind {
                    return CallArgument(name: nil, value: ConstantNode(.character(n), span: v.span), isDots: false, expression: v)
                }
                return CallArgument(name: a.name, value: a.value.map { resolve($0) }, isDots: false, expression: a.value)
            }
            let callee = FunctionLookupNode(location: readLocation("rm"), name: "rm", span: span)
            return makeCall(callee, rewritten, e)
        case "withVisible":
            guard let x = argument("x", 0) else { return nil }
            return WithVisibleNode(resolve(x), span: span)
        case "delayedAssign":
            guard let x = argument("x", 0), let value = argument("value", 1) else { return nil }
            return DelayedAssignNode(name: resolve(x), value: Language.value(of: value),
                                     evalEnvironment: argument("eval.env", 2).map { resolve($0) },
                                     assignEnvironment: argument("assign.env", 3).map { resolve($0) }, span: span)
        case "subset", "transform", "table": return resolveNSEForm(name, args, e)
        case "with", "within":
            guard let data = argument("data", 0), let x = argument("expr", 1) else { return nil }
            return WithNode(data: resolve(data), expr: Language.value(of: x), within: name == "within", span: span)
        default:
            return nil
        }
    }
}

/// `stopifnot(...)`: evaluates each argument in turn and stops at the first that is not all TRUE,
/// with the argument's name as the message, or its expression (`x > 0 is not TRUE`, `... are not
/// all TRUE` for a longer value) as R writes it.
final class StopifnotNode: Node {
    let checks: [(name: String?, node: Node, expression: Expr)]
    init(_ checks: [(name: String?, node: Node, expression: Expr)], span: Span) {
        self.checks = checks
        super.init(span: span)
    }
    override func eval(_ ip: Interpreter) throws(Control) -> Value {
        for check in checks {
            let v = try check.node.eval(ip)
            if case .logical(1) = v { continue }
            if v.atomicType == .logical, let s = v.storage, s.logicals().allSatisfy({ $0 == 1 }) { continue }
            let message: String
            if let name = check.name, !name.isEmpty {
                message = name
            } else {
                let lines = check.expression.deparsedLines(cutoff: 60)
                let text = lines.count > 1 ? lines[0] + " ...." : lines[0]
                message = text + (v.length == 1 ? " is not TRUE" : " are not all TRUE")
            }
            // An error as stop() raises it from the calling function: calling handlers run first.
            var e = ip.locate(FnError.runtime(message), at: self)
            e.call = ip.callerText ?? ""
            if let i = ip.currentFrameIndex() {
                e.condition = .list(List([.character(message), ip.callLanguage(ofFrame: i)], names: ["message", "call"],
                                         classes: ["simpleError", "error", "condition"]))
            }
            do throws(FnError) {
                _ = try ip.signal(Conditions.object(for: e), restart: nil)
            } catch {
                throw error.control
            }
            e.signalled = true
            throw e.control
        }
        ip.visible = false
        return .null
    }
}

/// `delayedAssign(x, value, eval.env, assign.env)`: binds `x` to a promise of `value`.
final class DelayedAssignNode: Node {
    let name: Node
    let value: Value
    let evalEnvironment: Node?
    let assignEnvironment: Node?
    init(name: Node, value: Value, evalEnvironment: Node?, assignEnvironment: Node?, span: Span) {
        self.name = name
        self.value = value
        self.evalEnvironment = evalEnvironment
        self.assignEnvironment = assignEnvironment
        super.init(span: span)
    }
    override func eval(_ ip: Interpreter) throws(Control) -> Value {
        guard case .character(let n?) = try name.eval(ip) else {
            throw ip.locate(FnError.runtime("invalid first argument"), at: self).control
        }
        func environment(_ node: Node?) throws(Control) -> Environment {
            guard let node else { return ip.env }
            guard case .environment(let e) = try node.eval(ip) else {
                throw ip.locate(FnError.runtime("invalid 'envir' argument"), at: self).control
            }
            return e
        }
        let evalIn = try environment(evalEnvironment)
        let target = try environment(assignEnvironment)
        let node: Node
        if case .language(let l) = value { node = ip.resolved(l) } else if case .symbol(let s) = value {
            node = DynamicVariableNode(name: s, span: span)
        } else {
            node = ConstantNode(value, span: span)
        }
        let promise = Promise(node: node, expression: Language.expr(of: value), environment: evalIn,
                              source: Interpreter.dynamicSource)
        ip.bind(n, .promise(promise), in: target)
        ip.visible = false
        return .null
    }
}

/// `with(data, expr)` evaluates `expr` with the elements of a list (or data frame, or an
/// environment) as variables, enclosed by the calling environment; `within(data, expr)` does the
/// same and returns `data` with the variables `expr` assigned (new ones appended, last made first,
/// as R does), and those it removed dropped.
final class WithNode: Node {
    let data: Node
    let expr: Value
    let within: Bool
    init(data: Node, expr: Value, within: Bool, span: Span) {
        self.data = data
        self.expr = expr
        self.within = within
        super.init(span: span)
    }
    override func eval(_ ip: Interpreter) throws(Control) -> Value {
        let d = try data.eval(ip)
        let scope = FunctionScope()
        let e: Environment
        switch d {
        case .environment(let given):
            e = given
        case .list(let l):
            e = Environment.holding(l, parent: ip.env, scope: scope)
        case .null:
            e = Environment(slotCount: 0, parent: ip.env, scope: scope, dynamic: true)
        default:
            throw ip.locate(FnError.runtime("'data' must be a list, a data frame or an environment"), at: self).control
        }
        let result = try ip.evaluate(language: expr, in: e, at: self)
        guard within, case .list(var l) = d else { return result }
        ip.visible = true
        var names = l.names ?? [String](repeating: "", count: l.count)
        var removed: [Int] = []
        for (i, n) in names.enumerated() where !n.isEmpty {
            if let v = e.ownBinding(n) { l.elements[i] = try ip.forced(v, at: self) } else { removed.append(i) }
        }
        let added = scope.names.filter { !names.contains($0) }
        for n in added.reversed() {
            guard let v = e.ownBinding(n) else { continue }
            l.elements.append(try ip.forced(v, at: self))
            names.append(n)
        }
        for i in removed.reversed() {
            l.elements.remove(at: i)
            names.remove(at: i)
        }
        l.names = names
        if DataFrame.isDataFrame(d) { do throws(FnError) { return try NSE.fitColumns(.list(l)) } catch { throw ip.locate(error, at: self).control } }
        return .list(l)
    }
}

extension Interpreter {
    /// The value of a language object in environment `e` (R's `eval`): a symbol's binding, a
    /// call evaluated, any other value itself.
    func evaluate(language v: Value, in e: Environment, at node: Node?) throws(Control) -> Value {
        switch v {
        case .symbol(let name):
            if name.isEmpty { return v }
            guard let found = try lookupDynamic(name, from: e, at: node) else {
                throw locate(FnError.runtime("object '\(name)' not found"), at: node).control
            }
            return found
        case .language(let l):
            let program = resolved(l)
            unowned(unsafe) let savedEnv = env
            unowned(unsafe) let savedSource = currentSource
            env = e
            currentSource = Interpreter.dynamicSource
            defer {
                env = savedEnv
                currentSource = savedSource
            }
            visible = true
            return try program.eval(self)
        case .promise(let p):
            return try force(p, at: node)
        default:
            visible = true
            return v
        }
    }

    /// `l` resolved for evaluation in any environment (names looked up at run time), cached.
    func resolved(_ l: Language) -> Node {
        if let node = l.resolved { return node }
        var resolver = Resolver(interpreter: self, source: Interpreter.dynamicSource, dynamic: true)
        let node = resolver.resolve(l.expr())
        l.resolved = node
        return node
    }

    /// The source of code made at run time (it has no text: errors in it carry no location).
    static let dynamicSource = SourceFile(name: "<eval>", text: "")

    /// The call frame whose environment is `e`, innermost first.
    func frameIndex(of e: Environment) -> Int? {
        var i = frames.count - 1
        while i >= 0 {
            if frames[i].environment === e { return i }
            i -= 1
        }
        return nil
    }

    /// The frame of the function whose code is running (the innermost whose environment encloses
    /// the current one), for `sys.call()`, `parent.frame()`, `match.call()`.
    func currentFrameIndex() -> Int? {
        var e: Environment? = env
        while let cur = e, !cur.isGlobal {
            if let i = frameIndex(of: cur) { return i }
            e = cur.parent
        }
        return nil
    }

    /// The call of frame `i` as a language object.
    func callLanguage(ofFrame i: Int) -> Value {
        let frame = frames[i]
        if let call = frame.callNode as? CallNode, let expression = call.expression {
            return Language.value(of: expression)
        }
        // A call made without call syntax (do.call, a builtin applying a function): the call
        // as R would build it, the supplied arguments in order of the formals, named after the
        // first one left out.
        let e = frame.environment
        var args: [Value] = []
        var names: [String] = []
        var skipped = false
        for (k, p) in frame.closure.definition.parameters.enumerated() {
            if k == frame.closure.definition.dotsSlot {
                if case .list(let dots)? = e.slots[k] {
                    for (j, v) in dots.elements.enumerated() {
                        args.append(Substitution.expression(v))
                        names.append(dots.names?[j] ?? "")
                    }
                }
                skipped = true
                continue
            }
            guard k < 64, e.missingMask & (1 << UInt64(k)) == 0, let v = e.slots[k] else {
                skipped = true
                continue
            }
            args.append(Substitution.expression(v))
            names.append(skipped ? p.name : "")
        }
        return .language(Language.call(frame.closure.name, args, names: names))
    }

    /// A closure like `c` whose function is `expression`, resolved for environment `e` (for
    /// `body<-`, `formals<-`, `environment<-`).
    func remake(_ c: Closure, expression: Expr, environment e: Environment) -> Value {
        var resolver = Resolver(interpreter: self, source: c.definition.source ?? Interpreter.dynamicSource, dynamic: true)
        guard case .function(let params, let body) = expression.kind else { return .closure(c) }
        let def = resolver.resolveFunction(params, body, span: expression.span, name: c.definition.name)
        return .closure(Closure(definition: def, environment: e))
    }

    static func languageBuiltins() -> [Builtin] {
        var out: [Builtin] = restartBuiltins()
        func define(_ name: String, _ formals: [String], _ body: @escaping BuiltinBody) {
            out.append(Builtin(name, formals, body))
        }
        define("eval", ["expr", "envir", "enclos"]) { args, ip throws(FnError) in
            let expr = args[0] ?? .null
            var target = ip.env
            switch args[1] {
            case nil, .null?: break
            case .environment(let e)?: target = e
            case .list(let l)?:
                var enclosure = ip.env
                if case .environment(let e)? = args[2] { enclosure = e }
                target = Environment.holding(l, parent: enclosure)
            default:
                throw FnError.runtime("invalid 'envir' argument of type '\(args[1]?.typeName ?? "NULL")'")
            }
            do throws(Control) {
                return try ip.evaluate(language: expr, in: target, at: nil)
            } catch {
                throw ip.asError(error)
            }
        }
        define("deparse", ["expr", "width.cutoff", "backtick", "control", "nlines"]) { args, ip throws(FnError) in
            let x = args[0] ?? .null
            var cutoff = 60
            if let w = args[1] {
                let n = try Unpack.int(w, "width.cutoff", default: 60)
                if n < 20 || n > 500 { ip.warn("invalid 'cutoff' value for 'deparse', using default") } else { cutoff = n }
            }
            var lines: [String]
            switch x {
            case .symbol(let name):
                // A lone name is written as it is unless backticks are asked for; in a call it is
                // quoted where needed.
                lines = [try Unpack.flag(args[2], "backtick", default: false) ? quotedName(name) : name]
            case .language:
                lines = Language.deparseLines(x, cutoff: cutoff)
            case .closure(let c):
                if case .function(let parameters, let body)? = c.definition.expression?.kind {
                    lines = Expr.deparsedClosure(parameters, body, cutoff: cutoff)
                } else {
                    lines = ["function (" + c.parameterNames.joined(separator: ", ") + ") ", "NULL"]
                }
            case .vector, .list:
                lines = Expr(.constant(x), .none).deparsedLines(cutoff: cutoff)
            case .integer(NA.integer), .character(nil):
                lines = Expr(.constant(x), .none).deparsedLines(cutoff: nil)  // NA_integer_, NA_character_
            case .double(let d) where NA.isNA(d):
                lines = ["NA_real_"]
            default:
                lines = [ValueDeparser.deparse(x)]
            }
            let limit = try Unpack.int(args[4], "nlines", default: -1)
            if limit >= 0 && limit < lines.count { lines = Array(lines.prefix(limit)) }
            return Value(Vector(.character(lines)))
        }
        define("as.name", ["x"]) { args, _ throws(FnError) in try symbol(args[0]) }
        define("as.symbol", ["x"]) { args, _ throws(FnError) in try symbol(args[0]) }
        define("is.name", ["x"]) { args, _ throws(FnError) in
            if case .symbol? = args[0] { return .true_ }
            return .false_
        }
        define("is.symbol", ["x"]) { args, _ throws(FnError) in
            if case .symbol? = args[0] { return .true_ }
            return .false_
        }
        define("is.call", ["x"]) { args, _ throws(FnError) in
            if case .language? = args[0] { return .true_ }
            return .false_
        }
        define("is.language", ["x"]) { args, _ throws(FnError) in
            switch args[0] {
            case .language?, .symbol?: return .true_
            default: return .false_
            }
        }
        define("is.primitive", ["x"]) { args, _ throws(FnError) in
            if case .builtin? = args[0] { return .true_ }
            return .false_
        }
        define("call", ["name", "..."]) { args, _ throws(FnError) in
            guard case .character(let name?)? = args[0] else {
                throw FnError.runtime("first argument must be a character string")
            }
            return .language(Language.call(name, args.dots, names: args.dotNames.map { $0 ?? "" }))
        }
        define("as.call", ["x"]) { args, _ throws(FnError) in
            switch args[0] {
            case .language?: return args[0]!
            case .list(let l)?:
                guard !l.elements.isEmpty else { throw FnError.runtime("invalid argument list") }
                return .language(Language(l.elements, names: l.names))
            default:
                throw FnError.runtime("invalid argument list")
            }
        }
        define("sys.call", ["which"]) { args, ip throws(FnError) in
            guard let i = try ip.frame(relative: args[0]) else { return .null }
            return ip.callLanguage(ofFrame: i)
        }
        define("sys.function", ["which"]) { args, ip throws(FnError) in
            guard let i = try ip.frame(relative: args[0]) else {
                throw FnError.runtime("not that many frames on the stack")
            }
            return .closure(ip.frames[i].closure)
        }
        define("match.call", ["definition", "call", "expand.dots", "envir"]) { args, ip throws(FnError) in
            // The calling function and its call, unless both are given.
            let i = ip.currentFrameIndex()
            var closure = i.map { ip.frames[$0].closure }
            if case .closure(let c)? = args[0] { closure = c }
            var call = i.map { ip.callLanguage(ofFrame: $0) }
            if let given = args[1], case .language = given { call = given }
            guard let closure, let call else {
                throw FnError.runtime("match.call() was called from outside a function")
            }
            var dotsEnvironment = i.map { ip.frames[$0].callerEnvironment } ?? ip.env
            if case .environment(let e)? = args[3] { dotsEnvironment = e }
            let expand = try Unpack.flag(args[2], "expand.dots", default: true)
            return ip.matchCall(closure, call, callerEnvironment: dotsEnvironment, expandDots: expand)
        }
        define("body", ["fun"]) { args, _ throws(FnError) in
            guard case .closure(let c)? = args[0], case .function(_, let body)? = c.definition.expression?.kind else {
                return .null
            }
            return Language.value(of: body)
        }
        define("formals", ["fun", "envir"]) { args, _ throws(FnError) in
            guard case .closure(let c)? = args[0], case .function(let params, _)? = c.definition.expression?.kind else {
                return .null
            }
            return Language.formals(params)
        }
        define("args", ["name"]) { args, ip throws(FnError) in
            // R's args(): a function with the same formals and a NULL body.
            guard case .closure(let c)? = args[0], case .function(let params, _)? = c.definition.expression?.kind else {
                return .null
            }
            return ip.remake(c, expression: Expr(.function(parameters: params, body: Expr(.constant(.null), .none)), .none),
                             environment: c.environment)
        }
        define("body<-", ["fun", "envir", "value"]) { args, ip throws(FnError) in
            guard case .closure(let c)? = args[0], case .function(let params, _)? = c.definition.expression?.kind else {
                throw FnError.runtime("'fun' must be a function")
            }
            let body = Language.expr(of: args[2] ?? .null)
            return ip.remake(c, expression: Expr(.function(parameters: params, body: body), .none), environment: c.environment)
        }
        define("formals<-", ["fun", "envir", "value"]) { args, ip throws(FnError) in
            guard case .closure(let c)? = args[0], case .function(_, let body)? = c.definition.expression?.kind else {
                throw FnError.runtime("'fun' must be a function")
            }
            guard let params = Language.parameters(args[2] ?? .null, span: .none) else {
                throw FnError.runtime("invalid formal argument list for \"function\"")
            }
            return ip.remake(c, expression: Expr(.function(parameters: params, body: body), .none), environment: c.environment)
        }
        define("all.vars", ["expr", "functions", "unique"]) { args, _ throws(FnError) in
            var names: [String] = []
            Interpreter.collectNames(args[0] ?? .null, functions: try Unpack.flag(args[1], "functions", default: false), into: &names)
            if try Unpack.flag(args[2], "unique", default: true) {
                var seen = Set<String>()
                names = names.filter { seen.insert($0).inserted }
            }
            return Value(Vector(.character(names)))
        }
        define("all.names", ["expr", "functions", "unique"]) { args, _ throws(FnError) in
            var names: [String] = []
            Interpreter.collectNames(args[0] ?? .null, functions: try Unpack.flag(args[1], "functions", default: true), into: &names)
            if try Unpack.flag(args[2], "unique", default: false) {
                var seen = Set<String>()
                names = names.filter { seen.insert($0).inserted }
            }
            return Value(Vector(.character(names)))
        }
        define("match.fun", ["FUN", "descend"]) { args, ip throws(FnError) in
            let f = try args.required(0, "FUN")
            if f.isFunction { return f }
            let name: String
            switch f {
            case .symbol(let s): name = s
            case .character(let s?): name = s
            default: throw FnError.runtime("'\(ValueDeparser.deparse(f))' is not a function, character or symbol")
            }
            do throws(Control) {
                guard let found = try ip.lookupFunction(name, from: ip.env) else {
                    throw FnError.runtime("object '\(name)' of mode 'function' was not found").control
                }
                return found
            } catch {
                throw ip.asError(error)
            }
        }
        define("Recall", ["..."]) { args, ip throws(FnError) in
            guard let i = ip.currentFrameIndex() else { throw FnError.runtime("Recall called from outside a closure") }
            return try ip.callFunction(.closure(ip.frames[i].closure), args.dots, names: args.dotNames)
        }
        return out
    }

    /// `as.name(x)`: a symbol from a string.
    private static func symbol(_ v: Value?) throws(FnError) -> Value {
        switch v {
        case .symbol?: return v!
        case .character(let s?)?: return .symbol(s)
        default:
            guard let s = v?.storage?.strings().first ?? nil else { throw FnError.runtime("invalid type/length (symbol/\(v?.length ?? 0)) in vector allocation") }
            return .symbol(s)
        }
    }

    /// The names in a language object, in order (`all.vars`, `all.names`).
    static func collectNames(_ v: Value, functions: Bool, into names: inout [String]) {
        switch v {
        case .symbol(let s) where !s.isEmpty: names.append(s)
        case .language(let l):
            for (i, e) in l.elements.enumerated() {
                if i == 0, case .symbol(let s) = e {
                    if functions { names.append(s) }
                    continue
                }
                collectNames(e, functions: functions, into: &names)
            }
        case .list(let l):
            for e in l.elements { collectNames(e, functions: functions, into: &names) }
        default: break
        }
    }

    /// The frame `which` names for `sys.call`/`sys.function`: 0 the current one, negative counts
    /// back from it, positive counts from the outermost.
    func frame(relative which: Value?) throws(FnError) -> Int? {
        guard let current = currentFrameIndex() else { return nil }
        let n = try Unpack.int(which, "which", default: 0)
        let i = n > 0 ? n - 1 : current + n
        guard i >= 0 && i <= current else { throw FnError.runtime("not that many frames on the stack") }
        return i
    }

    /// R's `match.call`: the call with every argument named by the formal it matched, in the
    /// order of the formals, `...` expanded from the caller's dots.
    func matchCall(_ c: Closure, _ call: Value, callerEnvironment: Environment, expandDots: Bool) -> Value {
        guard case .language(let l) = call else { return call }
        // The arguments as written, with `...` replaced by what it held in the caller.
        var actual: [(name: String?, value: Value)] = []
        for a in l.arguments {
            if case .symbol("...") = a.value, let parts = Substitution.binding("...", in: callerEnvironment) {
                actual.append(contentsOf: parts.map { (name: $0.0, value: $0.1) })
            } else {
                actual.append(a)
            }
        }
        let formals = c.parameterNames
        var assigned = [Int?](repeating: nil, count: actual.count)
        var taken = Set<Int>()
        for (i, a) in actual.enumerated() {
            if let n = a.name, let f = formals.firstIndex(of: n), n != "..." {
                assigned[i] = f
                taken.insert(f)
            }
        }
        let dots = formals.firstIndex(of: "...")
        var next = 0
        for i in actual.indices where assigned[i] == nil && actual[i].name == nil {
            while next < formals.count, taken.contains(next) || next == dots { if next == dots { break }; next += 1 }
            if next < formals.count, next != dots {
                assigned[i] = next
                taken.insert(next)
                next += 1
            }
        }
        var elements: [Value] = [l.elements[0]]
        var names: [String] = [""]
        for f in formals.indices {
            if f == dots {
                let extra = actual.indices.filter { assigned[$0] == nil }
                if expandDots {
                    for i in extra {
                        elements.append(actual[i].value)
                        names.append(actual[i].name ?? "")
                    }
                } else if !extra.isEmpty {
                    elements.append(.list(List(extra.map { actual[$0].value }, names: extra.map { actual[$0].name ?? "" })))
                    names.append("...")
                }
                continue
            }
            if let i = assigned.firstIndex(of: f) {
                elements.append(actual[i].value)
                names.append(formals[f])
            }
        }
        return .language(l.with(elements: elements, names: names))
    }
}
