/// Function calls: looking up the function, evaluating arguments, matching them to formals, and
/// running closures and builtins.

/// The callee of `name(...)`: R skips bindings that are not functions when looking up a call.
final class FunctionLookupNode: Node {
    let location: VariableLocation
    let name: String
    init(location: VariableLocation, name: String, span: Span) {
        self.location = location
        self.name = name
        super.init(span: span)
    }
    override func eval(_ ip: Interpreter) throws(Control) -> Value {
        let found: Value?
        switch location {
        case .global(let symbol):
            if ip.extraBindings, let v = try ip.lookupFunction(name, from: ip.env) { return v }
            if let v = ip.globals[symbol], v.isFunction { return v }
            if let v = ip.base[symbol], v.isFunction { return v }
            found = nil
        case .local(let slot):
            if let v = ip.locals[slot], v.isFunction { return v }
            found = try ip.lookupFunction(name, from: ip.env)
        case .outer(let depth, _):
            found = try ip.lookupFunction(name, from: ip.extraBindings ? ip.env : ip.environment(depth: depth))
        case .dynamic, .dynamicSuper:
            found = try ip.lookupFunction(name, from: ip.env)
        }
        if let found { return found }
        throw ip.locate(FnError.runtime("could not find function \"\(name)\""), at: self).control
    }
}

/// How a closure call evaluates one argument: as a promise (R's rule), or at the call where that
/// cannot be told apart (the resolver decides, see `Resolver.argumentPlan`).
enum ArgumentMode: UInt8 {
    /// A promise, forced when the callee first uses it.
    case lazy
    /// A constant: its value.
    case constant
    /// A variable of the calling function (`slotA`): its value, or the promise it holds, unforced.
    case local
    /// `a op b` on the calling function's variables (`slotA`, `slotB`; -1 for a constant) when
    /// they hold plain numbers: cannot fail, warn or call anything, so it is computed at the call.
    case arithmetic
    /// The commonest arithmetic, `n - 1`: a `LocalConstantNode`, which checks its local itself.
    case localConstant
}

struct ArgumentPlan {
    var mode: ArgumentMode
    var slotA: Int32 = -1
    var slotB: Int32 = -1
    /// Integer and logical operands are fine too (comparisons, which cannot overflow).
    var integers = false
}

final class CallNode: Node {
    let callee: Node
    let arguments: [CallArgument]
    /// One per entry of `arguments`: how a closure call evaluates it. A plain buffer the call path
    /// reads without reference counting or bounds checks.
    let plans: UnsafeMutablePointer<ArgumentPlan>
    /// The call as written, for `sys.call()`, `match.call()` and `substitute()`.
    let expression: Expr?
    /// Argument names when no `...` is spliced in (then names are known statically).
    let names: [String?]
    let splicesDots: Bool
    /// No names and no `...`: closures may take the positional fast path.
    let positional: Bool

    /// The argument expressions of a positional call, in order; `arguments` keeps them alive, so
    /// evaluating them counts no references.
    let positionalArguments: [Unmanaged<Node>]
    /// The symbol of a positional call's callee when it is a global name (`fib(n - 1)`), else -1.
    let globalCallee: Int

    init(callee: Node, arguments: [CallArgument], plans: [ArgumentPlan]? = nil, expression: Expr? = nil, span: Span) {
        self.callee = callee
        self.arguments = arguments.filter { $0.value != nil || $0.isDots }
        let given = plans ?? self.arguments.map { _ in ArgumentPlan(mode: .lazy) }
        self.plans = UnsafeMutablePointer<ArgumentPlan>.allocate(capacity: max(1, given.count))
        self.plans.initialize(from: given, count: given.count)
        self.expression = expression
        self.names = self.arguments.map(\.name)
        self.splicesDots = arguments.contains { $0.isDots }
        self.positional = !splicesDots && self.names.allSatisfy { $0 == nil }
        self.positionalArguments = positional ? self.arguments.compactMap { $0.value.map(Unmanaged.passUnretained) } : []
        if positional, let lookup = callee as? FunctionLookupNode, case .global(let symbol) = lookup.location {
            globalCallee = symbol
        } else {
            globalCallee = -1
        }
        super.init(span: span)
    }

    deinit { plans.deallocate() }

    override func eval(_ ip: Interpreter) throws(Control) -> Value {
        // The commonest call, a global function with positional arguments, borrows the function
        // from the global table rather than copying it out through the callee node.
        if globalCallee >= 0, let borrowed = ip.globals.borrowedClosure(at: globalCallee) {
            let call = try withBorrowed(borrowed) { c throws(Control) -> Value? in
                guard positionalArguments.count <= c.definition.positionalCapacity else { return nil }
                return try ip.applyClosurePositional(c, self)
            }
            if let call { return call }
        }
        let f = try callee.eval(ip)
        if positional, case .closure(let c) = f, positionalArguments.count <= c.definition.positionalCapacity {
            return try ip.applyClosurePositional(c, self)
        }
        // A builtin without `...` called by position (`length(x)`, `is.null(x)`): the arguments go
        // straight into its formals, with no argument array in between.
        if positional, case .builtin(let b) = f, b.dotsIndex == nil, positionalArguments.count <= b.formals.count {
            return try callPositional(b, ip)
        }
        if case .closure(let c) = f {
            var values: [Value] = []
            var names: [String?] = []
            try ip.closureArguments(self, reflective: c.definition.isReflective, into: &values, names: &names)
            return try ip.applyClosure(c, args: values, names: names, callNode: self)
        }
        if splicesDots {
            var values: [Value] = []
            var names: [String?] = []
            try ip.evaluateArguments(arguments, into: &values, names: &names, at: self)
            return try ip.apply(f, args: values, names: names, callNode: self)
        }
        var values: [Value] = []
        values.reserveCapacity(arguments.count)
        for a in arguments {
            // Non-dots arguments always have a value (empty ones were filtered out).
            if let node = a.value { values.append(try node.eval(ip)) }
        }
        return try ip.apply(f, args: values, names: names, callNode: self)
    }
}

extension CallNode {
    /// Calls builtin `b`, which has no `...`, with this call's positional arguments evaluated
    /// straight into its formals. Out of line, so the closure paths of `eval` stay small.
    @inline(never) fileprivate func callPositional(_ b: Builtin, _ ip: Interpreter) throws(Control) -> Value {
        var values = ip.takeArguments(b)
        for (i, argument) in positionalArguments.enumerated() {
            values[i] = try withBorrowed(argument) { node throws(Control) in try node.eval(ip) }
        }
        return try ip.callBuiltin(b, self) {
            // Moved, not copied: `giveBack` then finds the array unshared and empties it in place.
            var moved: [Value?] = []
            swap(&moved, &values)
            return Arguments(values: moved, function: b.name)
        }
    }
}

/// Runs `body` on the object `u` refers to without counting a reference to it; the caller knows
/// something else keeps the object alive meanwhile.
@inline(__always) func withBorrowed<Object: AnyObject, T, E>(
    _ u: Unmanaged<Object>, _ body: (Object) throws(E) -> T
) throws(E) -> T {
    // `_withUnsafeGuaranteedRef` rethrows untyped errors; keep the typed error outside it.
    let outcome: Result<T, E> = u._withUnsafeGuaranteedRef { object in
        do throws(E) { return .success(try body(object)) } catch { return .failure(error) }
    }
    return try outcome.get()
}

extension Interpreter {
    /// One argument of a call to a closure: evaluated now when `plan` allows it and the callee
    /// does not look at its arguments as code, else a promise over the current environment.
    @inline(__always) func closureArgument(
        _ node: Node, _ plan: ArgumentPlan, reflective: Bool, call: CallNode, index: Int
    ) throws(Control) -> Value {
        switch plan.mode {
        case .constant:
            return try node.eval(self)
        case .local where !reflective:
            if let v = locals[Int(plan.slotA)] { return v }
        case .arithmetic where !reflective, .localConstant where !reflective:
            if isPlainNumber(plan.slotA, plan.integers) && isPlainNumber(plan.slotB, plan.integers) {
                return try node.eval(self)
            }
        default:
            break
        }
        return makePromise(node, call.arguments[index].expression)
    }

    /// Whether an argument with `plan` is a constant, or arithmetic on plain numbers the callee
    /// cannot observe being computed now.
    @inline(__always) func isEvaluatedNow(_ plan: ArgumentPlan, reflective: Bool) -> Bool {
        switch plan.mode {
        case .constant: return true
        case .arithmetic: return !reflective && isPlainNumber(plan.slotA, plan.integers) && isPlainNumber(plan.slotB, plan.integers)
        default: return false
        }
    }

    /// Argument `i` of `call` when it is not evaluated at once: a calling function's variable as it
    /// stands (a promise in it passed on unforced), or a new promise.
    @inline(never) func laterArgument(_ call: CallNode, _ i: Int, reflective: Bool) -> Value {
        let plan = call.plans[i]
        if plan.mode == .local && !reflective, let v = locals[Int(plan.slotA)] { return v }
        guard let node = call.arguments[i].value else { return .null }
        return makePromise(node, call.arguments[i].expression)
    }

    /// A promise of `node` in the current environment (out of line: the call path stays small).
    @inline(never) func makePromise(_ node: Node, _ expression: Expr?) -> Value {
        .promise(Promise(node: node, expression: expression, environment: env, source: currentSource))
    }

    /// Whether local `slot` holds a plain double (or, with `integers`, an integer or logical);
    /// true for -1 (a constant operand).
    @inline(__always) func isPlainNumber(_ slot: Int32, _ integers: Bool) -> Bool {
        if slot < 0 { return true }
        switch locals[Int(slot)] {
        case .double?: return true
        case .integer?, .logical?: return integers
        default: return false
        }
    }

    /// The arguments of a call to a closure, as promises or values (see `closureArgument`), with
    /// `...` spliced in as it is: its promises are passed on unforced.
    func closureArguments(
        _ call: CallNode, reflective: Bool, into values: inout [Value], names: inout [String?]
    ) throws(Control) {
        values.reserveCapacity(call.arguments.count)
        for (i, a) in call.arguments.enumerated() {
            if a.isDots {
                let dots = try currentDots(at: call, forcing: false)
                values.append(contentsOf: dots.elements)
                if let n = dots.names {
                    names.append(contentsOf: n.map { $0.isEmpty ? nil : $0 })
                } else {
                    names.append(contentsOf: repeatElement(nil, count: dots.count))
                }
            } else if let node = a.value {
                values.append(try closureArgument(node, call.plans[i], reflective: reflective, call: call, index: i))
                names.append(a.name)
            }
        }
    }

    /// Evaluates call arguments, splicing `...` where it appears.
    func evaluateArguments(
        _ arguments: [CallArgument], into values: inout [Value], names: inout [String?], at node: Node
    ) throws(Control) {
        for a in arguments {
            if a.isDots {
                let dots = try currentDots(at: node)
                values.append(contentsOf: dots.elements)
                if let n = dots.names {
                    names.append(contentsOf: n.map { $0.isEmpty ? nil : $0 })
                } else {
                    names.append(contentsOf: repeatElement(nil, count: dots.count))
                }
            } else if let v = a.value {
                values.append(try v.eval(self))
                names.append(a.name)
            }
        }
    }

    /// The `...` of the innermost function that has one, its promises forced (unless `forcing` is
    /// false: then as stored, for passing on to another closure).
    func currentDots(at node: Node?, forcing: Bool = true) throws(Control) -> List {
        var e: Environment? = env
        while let cur = e, !cur.isGlobal {
            if let f = cur.function, let slot = f.definition.dotsSlot {
                guard case .list(var l)? = cur.slots[slot] else { return List([]) }
                if forcing {
                    for i in l.elements.indices {
                        if case .promise(let p) = l.elements[i] { l.elements[i] = try force(p, at: node) }
                    }
                }
                return l
            }
            e = cur.parent
        }
        throw locate(FnError.runtime("'...' used in an incorrect context"), at: node).control
    }

    /// Calls `f` with evaluated arguments.
    func apply(_ f: Value, args: [Value], names: [String?], callNode: Node?) throws(Control) -> Value {
        switch f {
        case .closure(let c):
            return try applyClosure(c, args: args, names: names, callNode: callNode)
        case .builtin(let b):
            return try callBuiltin(b, callNode) { () throws(FnError) in
                try matchBuiltinArguments(b, args, names, callNode: callNode)
            }
        default:
            throw locate(FnError.runtime("attempt to apply non-function"), at: callNode).control
        }
    }

    /// Runs builtin `b` on the arguments `match` gives, with the call site for its messages and its
    /// warnings raised to an enclosing `tryCatch(warning = )`.
    @inline(__always) func callBuiltin(
        _ b: Builtin, _ callNode: Node?, _ match: () throws(FnError) -> Arguments
    ) throws(Control) -> Value {
        visible = true
        let savedBuiltinCall = activeBuiltinCall
        if callNode != nil { activeBuiltinCall = callNode }
        defer { activeBuiltinCall = savedBuiltinCall }
        let warningsBefore = warnings.count
        do throws(FnError) {
            var matched = try match()
            let result = try Dispatch.run(b, &matched, self, callNode)
            giveBack(&matched.values)
            try raiseCaughtWarnings(since: warningsBefore, at: callNode)
            return result
        } catch {
            throw locate(error, at: callNode, call: callNode).control
        }
    }

    /// An all-nil `Arguments.values` array for a call of `b`: the spare one for its formal count
    /// when no call of that count is running, so the common builtin call allocates no array.
    /// `giveBack` returns it.
    @inline(__always) func takeArguments(_ b: Builtin) -> [Value?] {
        let n = b.formals.count
        guard n < spareArguments.count else { return b.unsupplied }
        var values: [Value?] = []
        swap(&values, &spareArguments[n])
        return values.count == n ? values : b.unsupplied
    }

    /// Empties `values` after a builtin call and keeps it as the spare array of its length, if that
    /// spare is out. A builtin that kept the array (none does) would only cost a copy here.
    @inline(__always) func giveBack(_ values: inout [Value?]) {
        let n = values.count
        guard n < spareArguments.count, spareArguments[n].count != n else { return }
        for i in 0..<n where values[i] != nil { values[i] = nil }
        swap(&values, &spareArguments[n])
    }

    /// Matches arguments to a builtin's formals: exact names first, then positions; the rest go
    /// to `...` when the builtin has it.
    func matchBuiltinArguments(_ b: Builtin, _ args: [Value], _ names: [String?], callNode: Node? = nil)
        throws(FnError) -> Arguments
    {
        let formals = b.formals
        let dotsIndex = b.dotsIndex
        let unnamed = names.allSatisfy { $0 == nil }
        // Everything goes to a leading `...`: with `...` the only formal (`list(id = x)`, `c(a, b)`),
        // or with no names (`paste0("item-", i)`). The arrays are passed on as they are.
        if dotsIndex == 0 && names.count == args.count && (formals.count == 1 || unnamed) {
            return Arguments(values: b.unsupplied, dots: args, dotNames: names, function: b.name)
        }
        var values = takeArguments(b)
        // No names (`sum(x)`, `rep(x, 3)`): formals before `...` by position, the rest to `...` in
        // one piece.
        let positional = dotsIndex ?? formals.count
        if unnamed && (args.count <= positional || dotsIndex != nil) {
            let direct = min(args.count, positional)
            for i in 0..<direct { values[i] = args[i] }
            let dots = args.count > direct ? Array(args[direct...]) : []
            return Arguments(values: values, dots: dots, dotNames: [String?](repeating: nil, count: dots.count),
                             function: b.name)
        }
        var dots: [Value] = []
        var dotNames: [String?] = []
        var used = [Bool](repeating: false, count: args.count)
        var anyNamed = false
        for (i, name) in names.enumerated() {
            guard let name else { continue }
            anyNamed = true
            if let f = formals.firstIndex(of: name), f != dotsIndex {
                if values[f] != nil {
                    throw FnError.runtime("formal argument \"\(name)\" matched by multiple actual arguments")
                }
                values[f] = args[i]
                used[i] = true
            }
        }
        var next = 0
        for i in args.indices where !used[i] {
            if anyNamed, let name = names[i] {
                // Named but matching no formal: only `...` can take it.
                guard dotsIndex != nil else {
                    throw FnError.runtime("unused argument (\(name) = \(argumentText(i, args[i], callNode)))")
                }
                dots.append(args[i])
                dotNames.append(name)
                continue
            }
            // Formals after `...` are matched by name only.
            while next < formals.count, values[next] != nil || dotsIndex.map({ next > $0 }) == true {
                next += 1
            }
            if next < formals.count, next != dotsIndex {
                values[next] = args[i]
                next += 1
            } else if dotsIndex != nil {
                dots.append(args[i])
                dotNames.append(nil)
            } else {
                throw FnError.runtime("unused argument (\(argumentText(i, args[i], callNode)))")
            }
        }
        return Arguments(values: values, dots: dots, dotNames: dotNames, function: b.name)
    }

    /// Runs a closure: a fresh frame, arguments bound to slots, the body, then `on.exit`.
    func applyClosure(_ c: Closure, args: [Value], names: [String?], callNode: Node?) throws(Control) -> Value {
        try checkCallLimits(at: callNode)
        let depth = enterFrame(c.definition, parent: c.environment, function: c)
        do throws(FnError) {
            try withFrame(depth) { frame throws(FnError) in
                try bindArguments(c.definition, frame, args, names, callNode: callNode)
            }
        } catch {
            leaveFrame(depth)
            throw locate(error, at: callNode, call: callNode).control
        }
        return try run(c, depth: depth, callNode: callNode)
    }

    /// The common call `f(a, b)` with positional arguments only: each argument is evaluated
    /// straight into the new frame's slot, with no argument array.
    func applyClosurePositional(_ c: Closure, _ call: CallNode) throws(Control) -> Value {
        try checkCallLimits(at: call)
        let def = c.definition
        let depth = enterFrame(def, parent: c.environment, function: c)
        let slots = withFrame(depth) { $0.slots.base }
        let arguments = call.positionalArguments
        let count = arguments.count
        var i = 0
        do {
            // The frame's slots are nil (see `Environment.clear`): initialized without releasing anything.
            let reflective = def.isReflective
            while i < count {
                // Constants and plain arithmetic are evaluated here, as before promises existed;
                // anything else is decided out of line.
                let plan = call.plans[i]
                if plan.mode == .localConstant && !reflective, let v = withBorrowed(arguments[i], { node in
                    unsafeDowncast(node, to: LocalConstantNode.self).valueIfPlain(self)
                }) {
                    (slots + i).initialize(to: v)
                } else if isEvaluatedNow(plan, reflective: reflective) {
                    (slots + i).initialize(to: try withBorrowed(arguments[i]) { node throws(Control) in try node.eval(self) })
                } else {
                    (slots + i).initialize(to: laterArgument(call, i, reflective: reflective))
                }
                i += 1
            }
        } catch {
            leaveFrame(depth)
            throw error
        }
        if count < def.parameters.count { withFrame(depth) { markUnsupplied(def, $0) } }
        return try run(c, depth: depth, callNode: call)
    }

    @inline(__always) func checkCallLimits(at callNode: Node?) throws(Control) {
        // The stack is measured every 8th level: 8 calls fit easily in the headroom kept below the limit.
        let depth = frames.count
        if depth >= limits.maxCallDepth || (depth & 7 == 0 && stackLimit != 0 && StackBounds.current() < stackLimit) {
            throw locate(
                FnError(.limit, "evaluation nested too deeply: infinite recursion / options(expressions=)?"),
                at: callNode
            ).control
        }
        if cancellation.isCancelled {
            throw cancelledError(at: callNode ?? Node(span: .none))
        }
    }

    /// Runs a closure's body in the frame at `depth` (its arguments bound), then its `on.exit`
    /// expressions.
    @inline(__always) func run(_ c: Closure, depth: Int, callNode: Node?) throws(Control) -> Value {
        let def = c.definition
        var callSpan = Span.none
        var hasCallSite = true
        if let callNode {
            callSpan = callNode.span
        } else if let site = activeBuiltinCall {
            callSpan = site.span
        } else {
            hasCallSite = false
        }
        unowned(unsafe) let savedEnv = env
        unowned(unsafe) let savedSource = currentSource
        withFrame(depth) { frame in
            frames.append(CallFrame(
                closure: c, callSource: currentSource, callSpan: callSpan,
                callNode: callNode, environment: frame, hasCallSite: hasCallSite, callerEnvironment: env))
            env = frame
        }
        currentSource = def.source
        let result: Value
        do {
            result = try def.body.eval(self)
        } catch .returned(let v) {
            result = v
        } catch {
            return try leave(depth, savedEnv, savedSource, result: .null, failure: signalled(error), callNode: callNode)
        }
        if withFrame(depth, { $0.onExit != nil }) {
            return try leave(depth, savedEnv, savedSource, result: result, failure: nil, callNode: callNode)
        }
        env = savedEnv
        currentSource = savedSource
        frames.removeLast()
        leaveFrame(depth)
        return result
    }

    /// An error leaving the innermost function, offered first to the calling handlers (R runs them
    /// where the error is raised, before any `on.exit` runs); `stop()` has done so already.
    @inline(never) func signalled(_ failure: Control) -> Control {
        guard case .error(var e) = failure, !e.signalled, !callingHandlers.isEmpty, e.kind != .cancelled,
            e.restartName == nil
        else { return failure }
        e.signalled = true
        do {
            _ = try signal(Conditions.object(for: e), restart: nil)
        } catch {
            return .error(error)
        }
        return .error(e)
    }

    /// The slow way out of a call: runs its `on.exit` expressions, restores the caller's state and
    /// rethrows a failure (`break`/`next` that escaped the function become an error, as in R).
    private func leave(
        _ depth: Int, _ savedEnv: Environment, _ savedSource: SourceFile?,
        result: Value, failure: Control?, callNode: Node?
    ) throws(Control) -> Value {
        var result = result
        var failure = failure
        let exits = withFrame(depth) { frame in
            defer { frame.onExit = nil }
            return frame.onExit
        }
        if let exits {
            let wasVisible = visible
            for node in exits {
                do {
                    _ = try node.eval(self)
                } catch .returned(let v) {
                    // `on.exit(return(v))` sets the value, even when the body failed, as in R.
                    result = v
                    failure = nil
                } catch {
                    if failure == nil { failure = error }
                }
            }
            visible = wasVisible
        }
        env = savedEnv
        currentSource = savedSource
        frames.removeLast()
        leaveFrame(depth)
        if let failure {
            switch failure {
            case .breakLoop, .nextLoop:
                throw locate(FnError.runtime("no loop for break/next, jumping to top level"), at: callNode).control
            default:
                throw failure
            }
        }
        return result
    }

    // MARK: Frames

    /// Takes the frame for a new call, one level below the innermost: the environment left at that
    /// depth by the previous call there, or a new one. Returns its depth, for `withFrame` and
    /// `leaveFrame`.
    ///
    /// Frames are kept by depth so a call touches no reference counts: the table holds the only
    /// strong reference, and the call reaches its frame through `withFrame`.
    @inline(__always) func enterFrame(_ def: FunctionDefinition, parent: Environment, function: Closure) -> Int {
        let depth = frameTable.depth
        if depth == frameTable.capacity { frameTable.grow() }
        let slot = frameTable.frames + depth
        if slot.pointee == nil { slot.pointee = Environment(frameSlots: def.slotCount) }
        frameTable.depth = depth + 1
        withFrame(depth) { $0.reuse(slotCount: def.slotCount, parent: parent, function: function) }
        return depth
    }

    /// Runs `body` on the frame at `depth` without counting a reference to it.
    @inline(__always) func withFrame<T, E>(_ depth: Int, _ body: (Environment) throws(E) -> T) throws(E) -> T {
        try withBorrowed(UnsafeRawPointer(frameTable.frames + depth).load(as: Unmanaged<Environment>.self), body)
    }

    /// Whether the returning frame at `depth` is kept alive only by closures or environments in
    /// its own variables (see `Environment.isHeldOnlyByItsOwnVariables`).
    private func isReferenceCycle(_ depth: Int) -> Bool {
        // Counted through the frame's address: no reference is held while counting.
        let object = UnsafeRawPointer(frameTable.frames + depth).load(as: UnsafeMutableRawPointer.self)
        let references = strongReferenceCount(object)
        return withFrame(depth) { $0.isHeldOnlyByItsOwnVariables(references: references) }
    }

    /// Ends the call at `depth`. A frame nothing else refers to is cleared and stays for the next
    /// call at that depth; one that outlives its call (a closure or a value holds it) keeps its
    /// parent and function alive itself and leaves the table.
    @inline(__always) func leaveFrame(_ depth: Int) {
        let slot = frameTable.frames + depth
        if isKnownUniquelyReferenced(&slot.pointee!) || isReferenceCycle(depth) {
            withFrame(depth) { $0.clear() }
        } else {
            withFrame(depth) { $0.keep() }
            slot.pointee = nil
        }
        frameTable.depth = depth
    }

    /// R's argument matching for closures: exact names, then positions, the rest into `...`.
    func bindArguments(
        _ def: FunctionDefinition, _ frame: Environment, _ args: [Value], _ names: [String?], callNode: Node? = nil
    ) throws(FnError) {
        let params = def.parameters
        let dotsSlot = def.dotsSlot
        var dotValues: [Value] = []
        var dotNames: [String] = []
        var anyDotName = false
        // Fast path: all positional, enough formals before any `...`.
        var allPositional = true
        for n in names where n != nil { allPositional = false; break }
        if allPositional && args.count <= (dotsSlot ?? params.count) {
            for i in args.indices { frame.slots[i] = args[i] }
        } else {
            var used = [Bool](repeating: false, count: args.count)
            for (i, name) in names.enumerated() {
                guard let name else { continue }
                if let p = params.firstIndex(where: { $0.name == name }), p != dotsSlot {
                    if frame.slots[p] != nil {
                        throw FnError.runtime("formal argument \"\(name)\" matched by multiple actual arguments")
                    }
                    frame.slots[p] = args[i]
                    used[i] = true
                }
            }
            var next = 0
            for i in args.indices where !used[i] {
                if let name = names[i] {
                    guard dotsSlot != nil else {
                        throw FnError.runtime("unused argument (\(name) = \(argumentText(i, args[i], callNode)))")
                    }
                    dotValues.append(args[i])
                    dotNames.append(name)
                    anyDotName = true
                    continue
                }
                while next < params.count, frame.slots[next] != nil, next != dotsSlot { next += 1 }
                if next < params.count, next != dotsSlot {
                    frame.slots[next] = args[i]
                    next += 1
                } else if dotsSlot != nil {
                    dotValues.append(args[i])
                    dotNames.append("")
                } else {
                    throw FnError.runtime("unused argument (\(argumentText(i, args[i], callNode)))")
                }
            }
        }
        if let dotsSlot {
            frame.slots[dotsSlot] = .list(List(dotValues, names: anyDotName ? dotNames : nil))
        }
        markUnsupplied(def, frame)
    }

    /// Records formals the caller did not supply: `missing()` is TRUE for them, and those with a
    /// default get it evaluated on first use. An unfilled `...` becomes empty.
    @inline(__always) func markUnsupplied(_ def: FunctionDefinition, _ frame: Environment) {
        let params = def.parameters
        for i in params.indices where frame.slots[i] == nil {
            if i == def.dotsSlot {
                frame.slots[i] = .list(List([]))
            } else if i < 64 {
                frame.missingMask |= 1 << UInt64(i)
                if params[i].defaultValue != nil { frame.pendingDefaults |= 1 << UInt64(i) }
            }
        }
    }

    /// When a `tryCatch(warning = )` or `withCallingHandlers(warning = )` is active, the warnings
    /// recorded since `count` go to the handlers (Conditions.swift); one caught by a `tryCatch` ends
    /// the operation that raised it, as in R.
    @inline(__always) func raiseCaughtWarnings(since count: Int, at node: Node?) throws(FnError) {
        guard warnings.count > count && (warningCatchers > 0 || warningsAreErrors) else { return }
        try signalRecordedWarnings(since: count, at: node)
    }

    /// The error that carries a warning condition to an enclosing `tryCatch(warning = )`.
    func warningError(_ message: String, call: String?) -> FnError {
        var e = FnError(.runtime, message)
        let callValue: Value = call.map { .character($0) } ?? .null
        e.condition = .list(List([.character(message), callValue], names: ["message", "call"],
                                 classes: ["simpleWarning", "warning", "condition"]))
        return e
    }

    /// Argument `i` for "unused argument (...)" messages: as written at the call site, as R
    /// shows it (so `f(Sys.getenv("KEY"))` does not echo the secret); deparsed when there is no
    /// call text (`do.call`, a handler's event fields, `...` spliced in).
    func argumentText(_ i: Int, _ value: Value, _ callNode: Node?) -> String {
        if let call = callNode as? CallNode, !call.splicesDots, i < call.arguments.count,
            let node = call.arguments[i].value, let source = currentSource
        {
            return source.text(node.span)
        }
        return ValueDeparser.deparse(value, limit: 60, keepInteger: false)
    }
}
