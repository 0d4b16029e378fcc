/// Variable reads and assignments, resolved to slots or global symbols.

final class ConstantNode: Node {
    let value: Value
    init(_ value: Value, span: Span) {
        self.value = value
        super.init(span: span)
    }
    override func eval(_ ip: Interpreter) throws(Control) -> Value { value }
}

final class LocalVariableNode: Node {
    let slot: Int
    let name: String
    init(slot: Int, name: String, span: Span) {
        self.slot = slot
        self.name = name
        super.init(span: span)
    }
    override func eval(_ ip: Interpreter) throws(Control) -> Value {
        if let v = ip.locals[slot] { return v }
        return try ip.unboundSlot(ip.env, slot, name, at: self)
    }
}

final class OuterVariableNode: Node {
    let depth: Int
    let slot: Int
    let name: String
    init(depth: Int, slot: Int, name: String, span: Span) {
        self.depth = depth
        self.slot = slot
        self.name = name
        super.init(span: span)
    }
    override func eval(_ ip: Interpreter) throws(Control) -> Value {
        let e = ip.environment(depth: depth)
        if let v = e.slots[slot] { return v }
        return try ip.unboundSlot(e, slot, name, at: self)
    }
}

final class GlobalVariableNode: Node {
    let symbol: Int
    let name: String
    init(symbol: Int, name: String, span: Span) {
        self.symbol = symbol
        self.name = name
        super.init(span: span)
    }
    override func eval(_ ip: Interpreter) throws(Control) -> Value {
        if let v = ip.globals[symbol] ?? ip.base[symbol] { return v }
        throw ip.locate(FnError.runtime("object '\(name)' not found"), at: self).control
    }
}

/// `name <- value` (and `<<-`, `=`, `->`) for a plain name.
final class AssignNode: Node {
    let location: VariableLocation
    let value: Node
    init(location: VariableLocation, value: Node, span: Span) {
        self.location = location
        self.value = value
        super.init(span: span)
    }
    override func eval(_ ip: Interpreter) throws(Control) -> Value {
        let v = try value.eval(ip)
        ip.store(location, v)
        ip.visible = false
        return v
    }
}

/// One step of a complex assignment target, outermost first: `x$a[2] <- v` is `[.dollar("a"), .index([2])]`.
enum ReplacementStep {
    case index([CallArgument], double: Bool)
    case dollar(String)
    /// `f(x, extra...) <- v` calls `` `f<-`(x, extra..., value = v) ``.
    case call(String, [CallArgument])
}

/// `x[i] <- v`, `x$a$b <- v`, `names(x)[2] <- v`: R's replacement semantics, modifying the
/// variable's value in place when nothing else shares it.
final class ReplaceNode: Node {
    let location: VariableLocation
    let name: String
    let steps: [ReplacementStep]
    let value: Node
    init(location: VariableLocation, name: String, steps: [ReplacementStep], value: Node, span: Span) {
        self.location = location
        self.name = name
        self.steps = steps
        self.value = value
        super.init(span: span)
    }

    override func eval(_ ip: Interpreter) throws(Control) -> Value {
        let v = try value.eval(ip)
        // Evaluate the index arguments before taking the variable out of its slot.
        var indices: [[Value?]] = []
        indices.reserveCapacity(steps.count)
        for step in steps {
            switch step {
            case .index(let args, _): indices.append(try ip.evaluateIndexArguments(args))
            case .call(_, let args): indices.append(try ip.evaluateIndexArguments(args))
            case .dollar: indices.append([])
            }
        }
        guard var container = try ip.take(location, name, at: self) else {
            throw ip.locate(FnError.runtime("object '\(name)' not found"), at: self).control
        }
        let original = container
        do {
            try ip.replace(&container, steps[...], indices[...], with: v, at: self)
        } catch {
            ip.store(location, original)
            throw error
        }
        ip.store(location, container)
        ip.visible = false
        return v
    }
}

extension Interpreter {
    /// The environment `depth` parents above the current one.
    @inline(__always) func environment(depth: Int) -> Environment {
        var e = env
        for _ in 0..<depth { e = e.parent ?? globalEnvironment }
        return e
    }

    /// Writes a variable.
    @inline(__always) func store(_ location: VariableLocation, _ value: Value?) {
        switch location {
        case .local(let slot): locals[slot] = value
        case .outer(let depth, let slot): environment(depth: depth).slots[slot] = value
        case .global(let symbol): globals[symbol] = value
        }
    }

    /// Reads a variable for modification, leaving its slot empty so the value is uniquely
    /// referenced (in-place updates then never copy). A local not bound yet is copied from the
    /// enclosing scopes, as R does. nil when the name is bound nowhere.
    func take(_ location: VariableLocation, _ name: String, at node: Node) throws(Control) -> Value? {
        switch location {
        case .local(let slot):
            if let v = locals[slot] {
                locals[slot] = nil
                return v
            }
            return try lookupDynamic(name, from: env, at: node)
        case .outer(let depth, let slot):
            let e = environment(depth: depth)
            if let v = e.slots[slot] {
                e.slots[slot] = nil
                return v
            }
            return try lookupDynamic(name, from: e, at: node)
        case .global(let symbol):
            if let v = globals[symbol] {
                globals[symbol] = nil
                return v
            }
            return base[symbol]
        }
    }

    /// A slot read found nothing: force a pending default, report a missing argument, or look
    /// the name up in the enclosing scopes (a local assigned later in the function).
    func unboundSlot(_ e: Environment, _ slot: Int, _ name: String, at node: Node) throws(Control) -> Value {
        if let v = try forceDefault(e, slot) { return v }
        if let f = e.function, slot < f.definition.parameters.count, slot != f.definition.dotsSlot {
            throw locate(FnError.runtime("argument \"\(name)\" is missing, with no default"), at: node).control
        }
        if let v = try lookupDynamic(name, from: e.parent ?? globalEnvironment, at: node) { return v }
        throw locate(FnError.runtime("object '\(name)' not found"), at: node).control
    }

    /// Evaluates a formal's default in its frame the first time it is read.
    func forceDefault(_ e: Environment, _ slot: Int) throws(Control) -> Value? {
        guard slot < 64, e.pendingDefaults & (1 << UInt64(slot)) != 0,
            let closure = e.function, let expr = closure.definition.parameters[slot].defaultValue
        else { return nil }
        e.pendingDefaults &= ~(1 << UInt64(slot))
        unowned(unsafe) let savedEnv = env
        unowned(unsafe) let savedSource = currentSource
        env = e
        currentSource = closure.definition.source
        defer {
            env = savedEnv
            currentSource = savedSource
        }
        let v = try expr.eval(self)
        e.slots[slot] = v
        return v
    }

    /// Looks a name up by walking environments from `start` outwards (the slow path).
    func lookupDynamic(_ name: String, from start: Environment, at node: Node?) throws(Control) -> Value? {
        var e: Environment? = start
        while let cur = e {
            if cur.isGlobal {
                guard let id = symbolIDs[name] else { return nil }
                return globals[id] ?? base[id]
            }
            if let scope = cur.scope, let slot = scope.slot(of: name) {
                if let v = cur.slots[slot] { return v }
                if let v = try forceDefault(cur, slot) { return v }
            }
            e = cur.parent
        }
        return nil
    }

    /// Finds the function `name` as R's call lookup does: bindings that are not functions are skipped.
    func lookupFunction(_ name: String, from start: Environment) throws(Control) -> Value? {
        var e: Environment? = start
        while let cur = e {
            if cur.isGlobal {
                guard let id = symbolIDs[name] else { return nil }
                if let v = globals[id], v.isFunction { return v }
                if let v = base[id], v.isFunction { return v }
                return nil
            }
            if let scope = cur.scope, let slot = scope.slot(of: name) {
                var v = cur.slots[slot]
                if v == nil { v = try forceDefault(cur, slot) }
                if let v, v.isFunction { return v }
            }
            e = cur.parent
        }
        return nil
    }
}
