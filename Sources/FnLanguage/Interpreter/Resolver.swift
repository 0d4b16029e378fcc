/// Turns parsed expressions into the resolved tree the interpreter runs: every name becomes a
/// frame slot (`local`/`outer`) or a global symbol before evaluation, and special forms
/// (`tryCatch`, `switch`, `missing`, ...) become nodes of their own.
///
/// A function's locals are its parameters plus every name assigned anywhere in its body (not in
/// nested functions). A local read before it is assigned falls back to the enclosing scopes at
/// run time, which keeps R's semantics for `if (cond) x <- 1; x`.
struct Resolver {
    let interpreter: Interpreter
    let source: SourceFile
    /// Enclosing function scopes, innermost last. Empty at top level.
    private var scopes: [FunctionScope] = []
    /// For each scope in `scopes`: true when its body defines no function, so no closure can
    /// assign its locals behind its back.
    private var closureFree: [Bool] = []
    /// For each scope in `scopes`: how many formals its function has (they come first in its slots).
    private var formalCounts: [Int] = []
    /// For each scope in `scopes`: true when its function reflects on frames (`environment()`,
    /// `sys.frames()`, `eval`, ...), so code it calls may reach its variables: they are then passed
    /// as promises, never read at the call.
    private var reflective: [Bool] = []

    /// True for code whose environment is known only at run time (`eval()` of a language object):
    /// names not bound in its own functions are looked up by name (`VariableLocation.dynamic`).
    let dynamic: Bool

    init(interpreter: Interpreter, source: SourceFile, dynamic: Bool = false) {
        self.interpreter = interpreter
        self.source = source
        self.dynamic = dynamic
    }

    mutating func resolveTopLevel(_ expressions: [Expr]) -> [Node] {
        expressions.map { resolve($0) }
    }

    // MARK: Names

    /// Where a read of `name` finds its variable.
    func readLocation(_ name: String) -> VariableLocation {
        for (depth, scope) in scopes.reversed().enumerated() {
            if let slot = scope.slot(of: name) {
                return depth == 0 ? .local(slot) : .outer(depth: depth, slot: slot)
            }
        }
        return dynamic ? .dynamic(name) : .global(interpreter.symbol(name))
    }

    /// Where `name <- value` (or `<<-` with `superAssign`) stores.
    mutating func writeLocation(_ name: String, superAssign: Bool) -> VariableLocation {
        if !superAssign {
            guard let scope = scopes.last else { return dynamic ? .dynamic(name) : .global(interpreter.symbol(name)) }
            return .local(scope.add(name))
        }
        for (depth, scope) in scopes.reversed().enumerated() where depth > 0 {
            if let slot = scope.slot(of: name) { return .outer(depth: depth, slot: slot) }
        }
        return dynamic ? .dynamicSuper(name) : .global(interpreter.symbol(name))
    }

    /// True when `name` is bound in an enclosing function scope (so it is not a special form).
    func isLocallyBound(_ name: String) -> Bool {
        scopes.contains { $0.slot(of: name) != nil }
    }

    // MARK: Expressions

    mutating func resolve(_ e: Expr) -> Node {
        let span = e.span
        switch e.kind {
        case .constant(let v):
            return ConstantNode(v, span: span)
        case .identifier(let name):
            if name.hasPrefix(".."), let n = Int(name.dropFirst(2)), n > 0, !isLocallyBound(name) {
                return DotsElementNode(index: n - 1, span: span)
            }
            switch readLocation(name) {
            case .local(let slot): return LocalVariableNode(slot: slot, name: name, span: span)
            case .outer(let d, let slot): return OuterVariableNode(depth: d, slot: slot, name: name, span: span)
            case .global(let sym): return GlobalVariableNode(symbol: sym, name: name, span: span)
            case .dynamic, .dynamicSuper: return DynamicVariableNode(name: name, span: span)
            }
        case .call(let callee, let args):
            if case .identifier(let name) = callee.kind, !isLocallyBound(name),
                let special = resolveSpecial(name, args, e)
            {
                return special
            }
            let calleeNode: Node
            if case .identifier(let name) = callee.kind {
                calleeNode = FunctionLookupNode(location: readLocation(name), name: name, span: callee.span)
            } else {
                calleeNode = resolve(callee)
            }
            return makeCall(calleeNode, resolveArguments(args), e)
        case .unary(let op, let operand):
            return UnaryNode(op, resolve(operand), span: span)
        case .binary(let op, let lhs, let rhs):
            switch op {
            case .andAnd: return ShortCircuitNode(and: true, resolve(lhs), resolve(rhs), span: span)
            case .orOr: return ShortCircuitNode(and: false, resolve(lhs), resolve(rhs), span: span)
            case .special, .matchIn:
                let fname = op.symbol
                let args = [CallArgument(name: nil, value: resolve(lhs), isDots: false, expression: lhs),
                            CallArgument(name: nil, value: resolve(rhs), isDots: false, expression: rhs)]
                let callee = FunctionLookupNode(location: readLocation(fname), name: fname, span: span)
                return makeCall(callee, args, e)
            default:
                return LocalConstantNode.make(op, resolve(lhs), resolve(rhs), span: span)
            }
        case .assign(let target, let value, let superAssign):
            return resolveAssignment(target, value, superAssign: superAssign, span: span)
        case .index(let target, let args, let double):
            return IndexNode(target: resolve(target), arguments: resolveArguments(args), double: double, span: span)
        case .dollar(let target, let name):
            return DollarNode(target: resolve(target), name: name, span: span)
        case .function(let params, let body):
            return FunctionNode(resolveFunction(params, body, span: span, name: nil), span: span)
        case .block(let body):
            if body.count == 1 { return SingleBlockNode(resolve(body[0]), span: span) }
            return BlockNode(body.map { resolve($0) }, span: span)
        case .paren(let inner):
            return ParenNode(resolve(inner), span: span)
        case .ifElse(let c, let t, let o):
            return IfNode(condition: resolve(c), then: resolve(t), otherwise: o.map { resolve($0) }, span: span)
        case .forLoop(let variable, let seq, let body):
            let seqNode = resolve(seq)
            let loc = writeLocation(variable, superAssign: false)
            return ForNode(variable: loc, sequence: seqNode, body: resolve(body), span: span)
        case .whileLoop(let c, let body):
            return WhileNode(condition: resolve(c), body: resolve(body), span: span)
        case .repeatLoop(let body):
            return RepeatNode(body: resolve(body), span: span)
        case .breakLoop:
            return BreakNode(span: span)
        case .nextLoop:
            return NextNode(span: span)
        }
    }

    mutating func resolveArguments(_ args: [Argument]) -> [CallArgument] {
        args.map { a in
            if a.name == nil, let v = a.value, case .identifier("...") = v.kind {
                return CallArgument(name: nil, value: nil, isDots: true)
            }
            return CallArgument(name: a.name, value: a.value.map { resolve($0) }, isDots: false, expression: a.value)
        }
    }

    /// A call node, with the plan for evaluating each argument of a closure call (see `ArgumentPlan`).
    func makeCall(_ callee: Node, _ arguments: [CallArgument], _ e: Expr) -> CallNode {
        let plans = arguments.filter { $0.value != nil || $0.isDots }.map { a in
            a.value.map(argumentPlan) ?? ArgumentPlan(mode: .lazy)
        }
        return CallNode(callee: callee, arguments: arguments, plans: plans, expression: e, span: e.span)
    }

    /// Whether an argument can be evaluated at the call without R's laziness being observable:
    /// constants always; reads of the calling function's own variables, and arithmetic on them
    /// and constants, when that function defines no closure (nothing the callee runs can assign
    /// them) — see grammar.md, "Arguments and promises".
    func argumentPlan(_ node: Node) -> ArgumentPlan {
        if node is ConstantNode { return ArgumentPlan(mode: .constant) }
        let ownVariables = !scopes.isEmpty && closureFree.last == true && reflective.last == false
        if ownVariables, let local = node as? LocalVariableNode {
            return ArgumentPlan(mode: .local, slotA: Int32(local.slot))
        }
        if ownVariables, let binary = node as? BinaryNode {
            let comparison: Bool
            switch binary.op {
            case .plus, .minus, .times, .divide: comparison = false
            case .less, .greater, .lessEqual, .greaterEqual, .equal, .notEqual: comparison = true
            default: return ArgumentPlan(mode: .lazy)
            }
            func operand(_ n: Node) -> Int32? {
                if let local = n as? LocalVariableNode { return Int32(local.slot) }
                if let c = n as? ConstantNode {
                    switch c.value {
                    case .double: return -1
                    case .integer, .logical: return comparison ? -1 : nil
                    default: return nil
                    }
                }
                return nil
            }
            guard let a = operand(binary.lhs), let b = operand(binary.rhs) else { return ArgumentPlan(mode: .lazy) }
            let mode: ArgumentMode = binary is LocalConstantNode ? .localConstant : .arithmetic
            return ArgumentPlan(mode: mode, slotA: a, slotB: b, integers: comparison)
        }
        return ArgumentPlan(mode: .lazy)
    }

    // MARK: Functions

    mutating func resolveFunction(_ params: [Parameter], _ body: Expr, span: Span, name: String?)
        -> FunctionDefinition
    {
        let scope = FunctionScope()
        var dotsSlot: Int?
        for p in params {
            let slot = scope.add(p.name)
            if p.name == "..." { dotsSlot = slot }
        }
        Resolver.collectLocals(body, into: scope)
        scopes.append(scope)
        formalCounts.append(params.count)
        reflective.append(Resolver.isReflective(body) || params.contains { $0.defaultValue.map(Resolver.isReflective) ?? false })
        closureFree.append(!Resolver.definesFunction(body) && !params.contains { p in
            p.defaultValue.map(Resolver.definesFunction) ?? false })
        let parameters = params.map { p in
            FunctionDefinition.Parameter(name: p.name, defaultValue: p.defaultValue.map { resolve($0) })
        }
        let bodyNode = resolve(body)
        scopes.removeLast()
        closureFree.removeLast()
        formalCounts.removeLast()
        let reflective = self.reflective.removeLast()
        return FunctionDefinition(
            name: name, parameters: parameters, dotsSlot: dotsSlot, scope: scope, body: bodyNode,
            source: source, span: span, expression: Expr(.function(parameters: params, body: body), span),
            isReflective: reflective)
    }

    /// Functions that look at their caller's arguments as code or at the caller's environment.
    static let reflectiveFunctions: Set<String> = [
        "substitute", "match.call", "sys.call", "sys.calls", "sys.function", "parent.frame", "sys.frame",
        "sys.frames", "eval", "evalq", "eval.parent", "UseMethod", "NextMethod", "missing",
        "environment", "assign", "delayedAssign", "get", "get0", "exists", "mget", "rm", "local", "with",
        "within", "subset", "transform", "bquote",
    ]

    /// True when `e` calls one of `reflectiveFunctions` (nested functions included: they may run
    /// `parent.frame()` on this one's behalf).
    static func isReflective(_ e: Expr) -> Bool {
        switch e.kind {
        case .constant, .identifier, .breakLoop, .nextLoop: return false
        case .call(let callee, let args):
            if case .identifier(let name) = callee.kind, reflectiveFunctions.contains(name) { return true }
            return isReflective(callee) || args.contains { $0.value.map(isReflective) ?? false }
        case .unary(_, let x), .paren(let x), .dollar(let x, _), .repeatLoop(let x): return isReflective(x)
        case .binary(_, let l, let r), .assign(let l, let r, _), .whileLoop(let l, let r), .forLoop(_, let l, let r):
            return isReflective(l) || isReflective(r)
        case .index(let target, let args, _):
            return isReflective(target) || args.contains { $0.value.map(isReflective) ?? false }
        case .function(let params, let body):
            return isReflective(body) || params.contains { $0.defaultValue.map(isReflective) ?? false }
        case .block(let items): return items.contains(where: isReflective)
        case .ifElse(let c, let t, let o): return isReflective(c) || isReflective(t) || (o.map(isReflective) ?? false)
        }
    }

    /// Adds every name assigned in `e` (outside nested functions and `local()`) to `scope`.
    static func collectLocals(_ e: Expr, into scope: FunctionScope) {
        switch e.kind {
        case .assign(let target, let value, let superAssign):
            if !superAssign, let name = baseName(target) { _ = scope.add(name) }
            collectLocals(target, into: scope)
            collectLocals(value, into: scope)
        case .forLoop(let v, let seq, let body):
            _ = scope.add(v)
            collectLocals(seq, into: scope)
            collectLocals(body, into: scope)
        case .function:
            return
        case .call(let callee, let args):
            if case .identifier("local") = callee.kind { return }
            collectLocals(callee, into: scope)
            for a in args { if let v = a.value { collectLocals(v, into: scope) } }
        case .unary(_, let x), .paren(let x), .repeatLoop(let x), .dollar(let x, _):
            collectLocals(x, into: scope)
        case .binary(_, let l, let r), .whileLoop(let l, let r):
            collectLocals(l, into: scope)
            collectLocals(r, into: scope)
        case .index(let t, let args, _):
            collectLocals(t, into: scope)
            for a in args { if let v = a.value { collectLocals(v, into: scope) } }
        case .block(let body):
            for x in body { collectLocals(x, into: scope) }
        case .ifElse(let c, let t, let o):
            collectLocals(c, into: scope)
            collectLocals(t, into: scope)
            if let o { collectLocals(o, into: scope) }
        case .constant, .identifier, .breakLoop, .nextLoop:
            return
        }
    }

    /// The variable a replacement target ultimately modifies: `x` in `names(x$a)[2]`.
    static func baseName(_ target: Expr) -> String? {
        switch target.kind {
        case .identifier(let n): return n
        case .constant(.character(let s?)): return s
        case .index(let t, _, _), .dollar(let t, _): return baseName(t)
        case .call(_, let args):
            guard let first = args.first?.value else { return nil }
            return baseName(first)
        default: return nil
        }
    }

    // MARK: Assignment

    /// `x <- c(x, e...)` for a local `x` becomes an `AppendNode` when the `e` cannot change `x`:
    /// they assign nothing and call only functions not bound locally, and the function defines no
    /// closure that could assign `x` with `<<-`.
    mutating func resolveAppend(_ name: String, _ value: Expr, span: Span) -> Node? {
        // In a function that defines no closure nothing can assign the local behind our back; at
        // top level a called function can (`<<-`), which `AppendNode` notices at run time.
        guard closureFree.last == true || (scopes.isEmpty && !dynamic),
            case .call(let callee, let args) = value.kind, case .identifier("c") = callee.kind,
            !isLocallyBound("c"), args.count >= 2, args.allSatisfy({ $0.name == nil && $0.value != nil }),
            case .identifier(name)? = args[0].value?.kind,
            args.dropFirst().allSatisfy({ $0.value.map(cannotAssign) ?? false })
        else { return nil }
        let location = writeLocation(name, superAssign: false)
        switch location {
        case .local, .global: break
        default: return nil
        }
        let call = resolve(value)
        let rest = args.dropFirst().compactMap { $0.value.map { resolve($0) } }
        return AppendNode(location: location, name: name, combineSymbol: interpreter.symbol("c"), rest: rest,
                          call: call, span: span)
    }

    /// True when `e` contains a function literal (or a `local()` block, which makes a scope).
    static func definesFunction(_ e: Expr) -> Bool {
        switch e.kind {
        case .constant, .identifier, .breakLoop, .nextLoop: return false
        case .function: return true
        case .unary(_, let x), .paren(let x), .dollar(let x, _), .repeatLoop(let x): return definesFunction(x)
        case .binary(_, let l, let r), .assign(let l, let r, _), .whileLoop(let l, let r), .forLoop(_, let l, let r):
            return definesFunction(l) || definesFunction(r)
        case .call(let callee, let args):
            if case .identifier("local") = callee.kind { return true }
            return definesFunction(callee) || args.contains { $0.value.map(definesFunction) ?? false }
        case .index(let target, let args, _):
            return definesFunction(target) || args.contains { $0.value.map(definesFunction) ?? false }
        case .block(let items): return items.contains(where: definesFunction)
        case .ifElse(let c, let t, let o):
            return definesFunction(c) || definesFunction(t) || (o.map(definesFunction) ?? false)
        }
    }

    /// True when evaluating `e` cannot assign a local variable of the function being resolved.
    func cannotAssign(_ e: Expr) -> Bool {
        switch e.kind {
        case .constant, .breakLoop, .nextLoop: return true
        case .identifier(let n): return n != "..."
        case .unary(_, let x), .paren(let x), .dollar(let x, _): return cannotAssign(x)
        case .binary(_, let l, let r): return cannotAssign(l) && cannotAssign(r)
        case .index(let target, let args, _):
            return cannotAssign(target) && args.allSatisfy { $0.value.map(cannotAssign) ?? true }
        case .call(let callee, let args):
            guard case .identifier(let f) = callee.kind, !isLocallyBound(f),
                !["assign", "environment", "eval", "evalq", "local", "rm", "on.exit", "sys.function"].contains(f)
            else { return false }
            return args.allSatisfy { $0.value.map(cannotAssign) ?? true }
        case .assign, .function, .block, .ifElse, .forLoop, .whileLoop, .repeatLoop: return false
        }
    }

    mutating func resolveAssignment(_ target: Expr, _ value: Expr, superAssign: Bool, span: Span) -> Node {
        var name: String?
        switch target.kind {
        case .identifier(let n): name = n
        case .constant(.character(let s?)): name = s
        default: break
        }
        if let name {
            if !superAssign, let append = resolveAppend(name, value, span: span) { return append }
            let valueNode: Node
            if case .function(let params, let body) = value.kind {
                valueNode = FunctionNode(resolveFunction(params, body, span: value.span, name: name), span: value.span)
            } else {
                valueNode = resolve(value)
            }
            let location = writeLocation(name, superAssign: superAssign)
            if case .local(let slot) = location, let formals = formalCounts.last, slot < formals {
                // Assigning a formal: `missing()` of it is FALSE from then on, as in R.
                return FormalAssignNode(slot: slot, value: valueNode, span: span)
            }
            return AssignNode(location: location, value: valueNode, span: span)
        }
        // A replacement: peel steps off the target down to the variable.
        var steps: [ReplacementStep] = []
        var cur = target
        while true {
            switch cur.kind {
            case .index(let t, let args, let double):
                steps.append(.index(resolveArguments(args), double: double))
                cur = t
                continue
            case .dollar(let t, let n):
                steps.append(.dollar(n))
                cur = t
                continue
            case .call(let callee, let args):
                if case .identifier(let fname) = callee.kind, let first = args.first?.value, args.first?.name == nil {
                    steps.append(.call(fname, resolveArguments(Array(args.dropFirst()))))
                    cur = first
                    continue
                }
            case .identifier(let n):
                name = n
            case .constant(.character(let s?)):
                name = s
            default:
                break
            }
            break
        }
        guard let base = name else {
            let message = "invalid assignment target"
            return ErrorNode(FnError(.runtime, message, source: source, span: target.span), span: span)
        }
        steps.reverse()
        let location = writeLocation(base, superAssign: superAssign)
        return ReplaceNode(location: location, name: base, steps: steps, value: resolve(value), span: span)
    }
}

/// `..1`, `..2`: an element of the current function's `...`.
final class DotsElementNode: Node {
    let index: Int
    init(index: Int, span: Span) {
        self.index = index
        super.init(span: span)
    }
    override func eval(_ ip: Interpreter) throws(Control) -> Value {
        let dots = try ip.currentDots(at: self, forcing: false)
        guard index < dots.count else {
            throw ip.locate(FnError.runtime("the ... list does not contain \(index + 1) elements"), at: self).control
        }
        return try ip.forced(dots.elements[index], at: self)
    }
}

/// A node that always fails: for constructs the resolver rejects (reported when reached, as R does).
final class ErrorNode: Node {
    let error: FnError
    init(_ error: FnError, span: Span) {
        self.error = error
        super.init(span: span)
    }
    override func eval(_ ip: Interpreter) throws(Control) -> Value {
        throw ip.locate(error, at: self).control
    }
}
