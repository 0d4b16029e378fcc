/// Calls that do not evaluate their arguments first: `missing`, `return`, `on.exit`, `switch`,
/// `tryCatch`, `try`, `local`, `suppressWarnings`, `suppressMessages`, `withCallingHandlers`, and
/// `match.arg` without `choices`. They are recognised at
/// resolve time when the name is not a local variable.

extension Resolver {
    mutating func resolveSpecial(_ name: String, _ args: [Argument], _ e: Expr) -> Node? {
        if let form = resolveLanguageForm(name, args, e) { return form }
        let span = e.span
        switch name {
        case "missing":
            guard args.count == 1, let v = args[0].value, case .identifier(let n) = v.kind else {
                return ErrorNode(FnError(.runtime, "invalid use of 'missing'", source: source, span: span), span: span)
            }
            if case .local(let slot) = readLocation(n) { return MissingNode(slot: slot, span: span) }
            return ErrorNode(FnError(.runtime, "'missing' can only be used for arguments", source: source, span: span), span: span)
        case "return":
            return ReturnNode(args.first?.value.map { resolve($0) }, span: span)
        case "on.exit":
            var expr: Node?
            var add: Node?
            var after: Node?
            var positional = 0
            for a in args {
                if a.name == "add" { add = a.value.map { resolve($0) }; continue }
                if a.name == "after" { after = a.value.map { resolve($0) }; continue }
                if a.name == "expr" || (a.name == nil && positional == 0) {
                    expr = a.value.map { resolve($0) }
                    positional += 1
                } else if a.name == nil && positional == 1 {
                    add = a.value.map { resolve($0) }
                    positional += 1
                } else if a.name == nil && positional == 2 {
                    after = a.value.map { resolve($0) }
                    positional += 1
                }
            }
            return OnExitNode(expr: expr, add: add, after: after, span: span)
        case "switch":
            guard let first = args.first, let subject = first.value else { return nil }
            let arms = args.dropFirst().map { (name: $0.name, value: $0.value.map { resolve($0) }) }
            return SwitchNode(subject: resolve(subject), arms: Array(arms), span: span)
        case "tryCatch", "try":
            var expr: Node?
            var handlers: [(String, Node)] = []
            var finally: Node?
            var silent: Node?
            for a in args {
                guard let v = a.value else { continue }
                switch a.name {
                case nil, "expr":
                    if expr == nil { expr = resolve(v) } else if name == "try" { silent = resolve(v) }
                case "finally": finally = resolve(v)
                case "silent": silent = resolve(v)
                case let n?: handlers.append((n, resolve(v)))
                }
            }
            if name == "try" { return TryNode(expr: expr, silent: silent, span: span) }
            return TryCatchNode(expr: expr, handlers: handlers, finally: finally, span: span)
        case "UseMethod", "NextMethod": return resolveDispatch(name, args, span)
        case "local":
            guard let body = args.first?.value else { return nil }
            let def = resolveFunction([], body, span: span, name: "local")
            return LocalNode(def, span: span)
        case "match.arg":
            return resolveMatchArg(args, span)
        case "withCallingHandlers":
            var expr: Node?
            var handlers: [(String, Node)] = []
            for a in args {
                guard let v = a.value else { continue }
                switch a.name {
                case nil, "expr": if expr == nil { expr = resolve(v) }
                case let n?: handlers.append((n, resolve(v)))
                }
            }
            return WithCallingHandlersNode(expr: expr, handlers: handlers, span: span)
        case "suppressWarnings", "suppressMessages":
            guard let body = args.first?.value else { return nil }
            return SuppressNode(resolve(body), warnings: name == "suppressWarnings", span: span)
        default:
            return nil
        }
    }
}

extension Resolver {
    /// `match.arg(arg)` (no `choices`) takes its choices from the default of the calling function's
    /// formal `arg`, which needs the call site; with `choices` it is the plain builtin (nil here).
    mutating func resolveMatchArg(_ args: [Argument], _ span: Span) -> Node? {
        var named: [String: Expr] = [:], positional: [Expr] = []
        for a in args {
            guard let v = a.value else { continue }
            if let n = a.name { named[n] = v } else { positional.append(v) }
        }
        // Fill the formals R's way: names first, then positions in formal order.
        for formal in ["arg", "choices", "several.ok"] where named[formal] == nil && !positional.isEmpty {
            named[formal] = positional.removeFirst()
        }
        if named["choices"] != nil || !positional.isEmpty
            || named.keys.contains(where: { !["arg", "several.ok"].contains($0) }) { return nil }
        let arg = named["arg"], severalOK = named["several.ok"]
        guard let arg, case .identifier(let name) = arg.kind, case .local(let slot) = readLocation(name) else {
            let message = "match.arg(arg) without 'choices' needs 'arg' to be a formal argument of the calling function"
            return ErrorNode(FnError(.runtime, message, source: source, span: span), span: span)
        }
        return MatchArgNode(slot: slot, name: name, value: resolve(arg), severalOK: severalOK.map { resolve($0) },
                            span: span)
    }
}

/// `match.arg(arg)`: matches `arg` against the choices its formal's default evaluates to.
final class MatchArgNode: Node {
    let slot: Int
    let name: String
    let value: Node
    let severalOK: Node?
    init(slot: Int, name: String, value: Node, severalOK: Node?, span: Span) {
        self.slot = slot
        self.name = name
        self.value = value
        self.severalOK = severalOK
        super.init(span: span)
    }
    override func eval(_ ip: Interpreter) throws(Control) -> Value {
        guard let f = ip.env.function, slot < f.definition.parameters.count,
            let choicesNode = f.definition.parameters[slot].defaultValue
        else {
            let message = "match.arg(\(name)): '\(name)' is not a formal argument with a default to take the choices from"
            throw ip.locate(FnError.runtime(message), at: self).control
        }
        let arg = try value.eval(ip)
        // R evaluates the formal's default again, in the function's frame.
        let choices = try choicesNode.eval(ip)
        let several = try severalOK.map { n throws(Control) in try ip.truth(try n.eval(ip), at: self) } ?? false
        ip.visible = true
        do {
            return try MatchArg.match(arg, choices, severalOK: several)
        } catch {
            throw ip.locate(error, at: self, call: self).control
        }
    }
}

final class MissingNode: Node {
    let slot: Int
    init(slot: Int, span: Span) {
        self.slot = slot
        super.init(span: span)
    }
    override func eval(_ ip: Interpreter) throws(Control) -> Value {
        ip.visible = true
        let e = ip.env
        guard let f = e.function, slot < f.definition.parameters.count else {
            throw ip.locate(FnError.runtime("'missing' can only be used for arguments"), at: self).control
        }
        if slot == f.definition.dotsSlot {
            if case .list(let l)? = e.slots[slot] { return .bool(l.count == 0) }
            return .true_
        }
        return .bool(MissingNode.isMissing(e, slot))
    }

    /// Whether formal `slot` of frame `e` is missing: not supplied, or supplied as the bare name
    /// of a missing argument of the caller (`f <- function(a) g(a)` called as `f()`), as in R.
    static func isMissing(_ e: Environment, _ slot: Int) -> Bool {
        if slot < 64 && e.missingMask & (1 << UInt64(slot)) != 0 { return true }
        guard case .promise(let p)? = e.slots[slot], p.value == nil, let caller = p.environment,
            case .identifier(let name)? = p.expression?.kind, let f = caller.function,
            let formal = f.definition.parameters.firstIndex(where: { $0.name == name }), formal != f.definition.dotsSlot
        else { return false }
        return isMissing(caller, formal)
    }
}

final class ReturnNode: Node {
    let value: Node?
    init(_ value: Node?, span: Span) {
        self.value = value
        super.init(span: span)
    }
    override func eval(_ ip: Interpreter) throws(Control) -> Value {
        let v = try value?.eval(ip) ?? .null
        if ip.env.isGlobal {
            throw ip.locate(FnError.runtime("no function to return from, jumping to top level"), at: self).control
        }
        throw .returned(v)
    }
}

final class OnExitNode: Node {
    let expr: Node?
    let add: Node?
    let after: Node?
    init(expr: Node?, add: Node?, after: Node?, span: Span) {
        self.expr = expr
        self.add = add
        self.after = after
        super.init(span: span)
    }
    override func eval(_ ip: Interpreter) throws(Control) -> Value {
        let adding = try add.map { n throws(Control) in try ip.truth(try n.eval(ip), at: self) } ?? false
        let last = try after.map { n throws(Control) in try ip.truth(try n.eval(ip), at: self) } ?? true
        let frame = ip.env
        if frame.isGlobal { return .null }
        if adding, let expr {
            frame.onExit = last ? (frame.onExit ?? []) + [expr] : [expr] + (frame.onExit ?? [])
        } else {
            frame.onExit = expr.map { [$0] }
        }
        ip.visible = false
        return .null
    }
}

final class SwitchNode: Node {
    let subject: Node
    let arms: [(name: String?, value: Node?)]
    init(subject: Node, arms: [(name: String?, value: Node?)], span: Span) {
        self.subject = subject
        self.arms = arms
        super.init(span: span)
    }
    override func eval(_ ip: Interpreter) throws(Control) -> Value {
        let x = try subject.eval(ip)
        guard let s = x.storage, s.count == 1 else {
            throw ip.locate(FnError.runtime("EXPR must be a length 1 vector"), at: self).control
        }
        if case .character(let a) = s {
            let key = a[0] ?? "NA"
            var start: Int? = arms.firstIndex { $0.name == key }
            if start == nil {
                let defaults = arms.indices.filter { arms[$0].name == nil }
                if defaults.count > 1 {
                    throw ip.locate(FnError.runtime("duplicate 'switch' defaults"), at: self).control
                }
                start = defaults.first
            }
            guard var k = start else {
                ip.visible = false
                return .null
            }
            // An empty arm falls through to the next non-empty one.
            while k < arms.count, arms[k].value == nil { k += 1 }
            guard k < arms.count, let node = arms[k].value else { return .null }
            return try node.eval(ip)
        }
        let d = s.doubles()[0]
        guard !d.isNaN, d >= 1, d < Double(arms.count + 1), let node = arms[Int(d) - 1].value else {
            ip.visible = false
            return .null
        }
        return try node.eval(ip)
    }
}

/// `local(expr)`: evaluates `expr` in a new environment enclosed by the current one.
final class LocalNode: Node {
    let definition: FunctionDefinition
    init(_ definition: FunctionDefinition, span: Span) {
        self.definition = definition
        super.init(span: span)
    }
    override func eval(_ ip: Interpreter) throws(Control) -> Value {
        let frame = Environment(slotCount: definition.slotCount, parent: ip.env, scope: definition.scope)
        let saved = ip.env
        ip.env = frame
        defer { ip.env = saved }
        return try definition.body.eval(ip)
    }
}

final class SuppressNode: Node {
    let body: Node
    let warnings: Bool
    init(_ body: Node, warnings: Bool, span: Span) {
        self.body = body
        self.warnings = warnings
        super.init(span: span)
    }
    override func eval(_ ip: Interpreter) throws(Control) -> Value {
        // A muffling frame keeps the conditions from the handlers outside, as R's calling handler does.
        let muffled = warnings ? "warning" : "message"
        ip.callingHandlers.append(CallingHandlerFrame(handlers: [(muffled, nil)], exitingDepth: ip.handledClasses.count))
        defer { ip.callingHandlers.removeLast() }
        if warnings {
            // Warnings builtins record are dropped here unless a handler inside takes them first.
            let before = ip.warnings.count, catchers = ip.warningCatchers
            ip.warningCatchers = 0
            defer {
                ip.warningCatchers = catchers
                ip.warnings.removeSubrange(min(before, ip.warnings.count)...)
            }
            return try body.eval(ip)
        }
        let saved = ip.output
        ip.output = { kind, text in if kind != .stderr { saved(kind, text) } }
        defer { ip.output = saved }
        return try body.eval(ip)
    }
}

/// `withCallingHandlers(expr, warning = function(w) ..., message = ..., <class> = ...)`: handlers
/// that run where a condition is signalled, without unwinding (Interpreter.signal). An error still
/// unwinds after its handlers have run.
final class WithCallingHandlersNode: Node {
    let expr: Node?
    let handlers: [(String, Node)]
    init(expr: Node?, handlers: [(String, Node)], span: Span) {
        self.expr = expr
        self.handlers = handlers
        super.init(span: span)
    }

    override func eval(_ ip: Interpreter) throws(Control) -> Value {
        var functions: [(String, Value?)] = []
        for (name, node) in handlers { functions.append((name, try node.eval(ip))) }
        // Builtins' own warnings are offered to handlers only while someone listens for them.
        let listens = functions.contains { ["warning", "simpleWarning", "condition"].contains($0.0) }
        if listens { ip.warningCatchers += 1 }
        ip.callingHandlers.append(CallingHandlerFrame(handlers: functions, exitingDepth: ip.handledClasses.count))
        var popped = false
        defer {
            if !popped { ip.callingHandlers.removeLast() }
            if listens { ip.warningCatchers -= 1 }
        }
        do {
            return try expr?.eval(ip) ?? .null
        } catch .error(let e) {
            // Warnings, messages and `stop()` errors were offered to this frame when signalled; any
            // other error reaches its handlers here, after the calls inside have exited.
            if e.signalled || e.restartName != nil { throw .error(e) }
            let condition = Conditions.object(for: e)
            let classes = Conditions.classes(of: condition)
            guard classes.contains("error") else { throw .error(e) }
            ip.callingHandlers.removeLast()
            popped = true
            for (name, handler) in functions where classes.contains(name) {
                guard let handler else { continue }
                _ = try ip.apply(handler, args: [condition], names: [nil], callNode: self)
            }
            throw .error(e)
        }
    }
}

/// `tryCatch(expr, error = function(e) ..., warning = ..., <class> = ..., finally = ...)`.
final class TryCatchNode: Node {
    let expr: Node?
    let handlers: [(String, Node)]
    let finally: Node?
    init(expr: Node?, handlers: [(String, Node)], finally: Node?, span: Span) {
        self.expr = expr
        self.handlers = handlers
        self.finally = finally
        super.init(span: span)
    }

    override func eval(_ ip: Interpreter) throws(Control) -> Value {
        var functions: [(String, Value)] = []
        for (name, node) in handlers { functions.append((name, try node.eval(ip))) }
        let catchesWarnings = functions.contains { $0.0 == "warning" || $0.0 == "condition" }
        if catchesWarnings { ip.warningCatchers += 1 }
        ip.handledClasses.append(functions.map(\.0))
        defer { ip.handledClasses.removeLast() }
        var result: Value = .null
        var failure: Control?
        // Calls unwound by the error have already restored the environment, source and frames.
        do {
            result = try expr?.eval(ip) ?? .null
        } catch .error(let e) {
            if catchesWarnings { ip.warningCatchers -= 1 }
            let condition = Conditions.object(for: e)
            let classes = Conditions.classes(of: condition)
            if let handler = functions.first(where: { classes.contains($0.0) })?.1 {
                do {
                    result = try ip.apply(handler, args: [condition], names: [nil], callNode: self)
                } catch {
                    failure = error
                }
            } else {
                failure = .error(e)
            }
            return try finish(ip, result, failure)
        } catch {
            failure = error
        }
        if catchesWarnings { ip.warningCatchers -= 1 }
        return try finish(ip, result, failure)
    }

    private func finish(_ ip: Interpreter, _ result: Value, _ failure: Control?) throws(Control) -> Value {
        if let finally {
            let wasVisible = ip.visible
            _ = try finally.eval(ip)
            ip.visible = wasVisible
        }
        if let failure { throw failure }
        return result
    }
}

/// `try(expr, silent = FALSE)`: an error becomes an invisible "try-error" string, reported on
/// stderr unless silent.
final class TryNode: Node {
    let expr: Node?
    let silent: Node?
    init(expr: Node?, silent: Node?, span: Span) {
        self.expr = expr
        self.silent = silent
        super.init(span: span)
    }
    override func eval(_ ip: Interpreter) throws(Control) -> Value {
        do {
            return try expr?.eval(ip) ?? .null
        } catch .error(let e) where Conditions.classes(of: Conditions.object(for: e)).contains("error") {
            let quiet = try silent.map { n throws(Control) in try ip.truth(try n.eval(ip), at: self) } ?? false
            let text = Conditions.errorText(e) + "\n"
            if !quiet { ip.output(.stderr, text) }
            ip.visible = false
            let cond = Conditions.object(for: e)
            return .vector(Vector(.character([text]), classes: ["try-error"]))
                .withAttribute(condition: cond)
        }
    }
}

extension Value {
    /// try-error values carry no extra attributes in fn (the condition is dropped).
    func withAttribute(condition: Value) -> Value { self }
}
