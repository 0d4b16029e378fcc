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
        if let v = ip.locals[slot] {
            if case .promise(let p) = v { return try ip.force(p, at: self) }
            return v
        }
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
        if ip.extraBindings, let v = try ip.extraBinding(name, below: depth, at: self) { return v }
        let e = ip.environment(depth: depth)
        if let v = e.slots[slot] {
            if case .promise(let p) = v { return try ip.force(p, at: self) }
            return v
        }
        return try ip.unboundSlot(e, slot, name, at: self)
    }
}

/// A name in code evaluated by `eval()`: looked up by name from the current environment.
final class DynamicVariableNode: Node {
    let name: String
    init(name: String, span: Span) {
        self.name = name
        super.init(span: span)
    }
    override func eval(_ ip: Interpreter) throws(Control) -> Value {
        if let v = try ip.lookupDynamic(name, from: ip.env, at: self) { return v }
        throw ip.locate(FnError.runtime("object '\(name)' not found"), at: self).control
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
        if ip.extraBindings, let v = try ip.extraBinding(name, below: Int.max, at: self) { return v }
        if let v = ip.globals[symbol] ?? ip.base[symbol] {
            if case .promise(let p) = v { return try ip.force(p, at: self) }
            return v
        }
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

/// `x <- value` where `x` is one of the function's formals: also records that `x` is no longer
/// missing and its default no longer pending.
final class FormalAssignNode: Node {
    let slot: Int
    let value: Node
    init(slot: Int, value: Node, span: Span) {
        self.slot = slot
        self.value = value
        super.init(span: span)
    }
    override func eval(_ ip: Interpreter) throws(Control) -> Value {
        let v = try value.eval(ip)
        ip.locals[slot] = v
        if slot < 64 {
            let e = ip.env
            let bit = ~(UInt64(1) << UInt64(slot))
            e.missingMask &= bit
            e.pendingDefaults &= bit
        }
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
    /// One `[`, `[[` or `$` step (no replacement function in the target).
    let isSingleStep: Bool

    init(location: VariableLocation, name: String, steps: [ReplacementStep], value: Node, span: Span) {
        self.location = location
        self.name = name
        self.steps = steps
        self.value = value
        if steps.count == 1, case .call = steps[0] { isSingleStep = false } else { isSingleStep = steps.count == 1 }
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
        if isSingleStep {
            // `x[[i]] <- v`, `x[i] <- v`, `x$a <- v`: the value is modified in place (appending to
            // it is amortised constant time), so no copy is kept to restore: these replacements
            // check their arguments before they change anything.
            do {
                try ip.replace(&container, steps[...], indices[...], with: v, at: self)
            } catch {
                ip.store(location, container)
                throw error
            }
        } else {
            let original = container
            do {
                try ip.replace(&container, steps[...], indices[...], with: v, at: self)
            } catch {
                ip.store(location, original)
                throw error
            }
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
        case .global(let symbol): setGlobal(symbol, value)
        case .dynamic(let name): bind(name, value, in: env)
        case .dynamicSuper(let name):
            var e = env.parent
            while let cur = e, !cur.isGlobal {
                if cur.ownBinding(name) != nil {
                    _ = cur.bind(name, value)
                    return
                }
                e = cur.parent
            }
            setGlobal(name, value)
        }
    }

    /// Binds `name` in environment `e` (nil unbinds), as `assign()` and code run by `eval()` do.
    func bind(_ name: String, _ value: Value?, in e: Environment) {
        if e.isGlobal {
            setGlobal(name, value)
            return
        }
        if !e.isDynamic && e.scope?.slot(of: name) == nil { extraBindings = true }
        _ = e.bind(name, value)
    }

    /// The innermost binding of `name` among the run-time extras of the environments between the
    /// current one and `depth` parents up (exclusive): they shadow what the resolver found.
    func extraBinding(_ name: String, below depth: Int, at node: Node?) throws(Control) -> Value? {
        var e: Environment? = env
        var d = 0
        while let cur = e, !cur.isGlobal, d < depth {
            if let v = cur.extras?[name] { return try forced(v, at: node) }
            e = cur.parent
            d += 1
        }
        return nil
    }

    /// Reads a variable for modification, leaving its slot empty so the value is uniquely
    /// referenced (in-place updates then never copy). A local not bound yet is copied from the
    /// enclosing scopes, as R does. nil when the name is bound nowhere.
    func take(_ location: VariableLocation, _ name: String, at node: Node) throws(Control) -> Value? {
        switch location {
        case .local(let slot):
            if let v = locals[slot] {
                locals[slot] = nil
                return try forced(v, at: node)
            }
            return try lookupDynamic(name, from: env, at: node)
        case .outer(let depth, let slot):
            let e = environment(depth: depth)
            if let v = e.slots[slot] {
                e.slots[slot] = nil
                return try forced(v, at: node)
            }
            return try lookupDynamic(name, from: e, at: node)
        case .global(let symbol):
            if let v = globals[symbol] {
                setGlobal(symbol, nil)
                return try forced(v, at: node)
            }
            return base[symbol]
        case .dynamic(let name), .dynamicSuper(let name):
            return try lookupDynamic(name, from: env, at: node)
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
        let bit: UInt64 = slot < 64 ? 1 << UInt64(slot) : 0
        guard e.pendingDefaults & bit != 0,
            let closure = e.function, let expr = closure.definition.parameters[slot].defaultValue
        else { return nil }
        // The pending bit stays set once the default is in the slot: `missing()` then still says
        // TRUE, while a value the body assigned (bit clear) makes it FALSE, as in R.
        if e.forcingDefaults & bit != 0 {
            throw locate(FnError.runtime("promise already under evaluation: recursive default argument reference or earlier problems?"),
                         at: nil).control
        }
        e.forcingDefaults |= bit
        unowned(unsafe) let savedEnv = env
        unowned(unsafe) let savedSource = currentSource
        env = e
        currentSource = closure.definition.source
        defer {
            env = savedEnv
            currentSource = savedSource
            e.forcingDefaults &= ~bit
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
                guard let id = symbolIDs[name], let v = globals[id] ?? base[id] else { return nil }
                return try forced(v, at: node)
            }
            if let scope = cur.scope, let slot = scope.slot(of: name) {
                if let v = cur.slots[slot] { return try forced(v, at: node) }
                if let v = try forceDefault(cur, slot) { return v }
            }
            if let v = cur.extras?[name] { return try forced(v, at: node) }
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
                var v = try cur.slots[slot].map { v throws(Control) in try forced(v, at: nil) }
                if v == nil { v = try forceDefault(cur, slot) }
                if let v, v.isFunction { return v }
            }
            if let v = try cur.extras?[name].map({ v throws(Control) in try forced(v, at: nil) }), v.isFunction { return v }
            e = cur.parent
        }
        return nil
    }
}

/// `x <- c(x, ...)`: the way R code grows a vector in a loop.
///
/// Written as a plain call, every iteration copies all of `x` (quadratic in the loop count). Here
/// the new elements are evaluated first, then `x` is taken out of its variable (so nothing else
/// refers to its elements) and, when `x` and every new element are plain atomic values of one type
/// without names or class, the elements are appended in place: amortised constant time per element.
/// Any other case gives exactly `c(x, ...)`. The resolver builds this node only when `c` is not a
/// local name and the other arguments assign nothing (so evaluating them first cannot change `x`);
/// at run time a user-defined global `c` also takes the general path.
final class AppendNode: Node {
    let location: VariableLocation
    let name: String
    /// The symbol of `c`, to notice a user-defined global `c`.
    let combineSymbol: Int
    /// The arguments after `x`, unnamed.
    let rest: [Node]
    /// `c(x, ...)` as written, for when `c` is not the builtin.
    let call: Node

    init(location: VariableLocation, name: String, combineSymbol: Int, rest: [Node], call: Node, span: Span) {
        self.location = location
        self.name = name
        self.combineSymbol = combineSymbol
        self.rest = rest
        self.call = call
        super.init(span: span)
    }

    override func eval(_ ip: Interpreter) throws(Control) -> Value {
        guard ip.globals[combineSymbol] == nil else {
            let v = try call.eval(ip)
            ip.store(location, v)
            ip.visible = false
            return v
        }
        // A global may be assigned by a function the new elements call (`<<-`): hold its value
        // until they are evaluated, and append in place only if no global was written meanwhile.
        var before: Value? = nil
        var writes = 0
        if case .global(let symbol) = location {
            before = ip.globals[symbol]
            writes = ip.globalWrites
        }
        var values: [Value] = []
        values.reserveCapacity(rest.count)
        for node in rest { values.append(try node.eval(ip)) }
        if case .global = location {
            if ip.globalWrites != writes {
                guard let old = before else {
                    throw ip.locate(FnError.runtime("object '\(name)' not found"), at: self).control
                }
                return try combine(old, values, ip)
            }
            before = nil
        }
        guard var x = try ip.take(location, name, at: self) else {
            throw ip.locate(FnError.runtime("object '\(name)' not found"), at: self).control
        }
        if !AppendNode.appendInPlace(&x, values) {
            do throws(FnError) {
                x = try Combine.values([x] + values, names: [String?](repeating: nil, count: values.count + 1))
            } catch {
                ip.store(location, x)
                throw ip.locate(error, at: call, call: call).control
            }
        }
        ip.store(location, x)
        ip.visible = false
        return x
    }

    /// `c(old, values...)` stored, the general way.
    private func combine(_ old: Value, _ values: [Value], _ ip: Interpreter) throws(Control) -> Value {
        let x: Value
        do throws(FnError) {
            x = try Combine.values([old] + values, names: [String?](repeating: nil, count: values.count + 1))
        } catch {
            throw ip.locate(error, at: call, call: call).control
        }
        ip.store(location, x)
        ip.visible = false
        return x
    }

    /// The atomic type of a plain value (no names, no class), or nil.
    private static func plainType(_ v: Value) -> AtomicType? {
        switch v {
        case .logical: return .logical
        case .integer: return .integer
        case .double: return .double
        case .character: return .character
        case .vector(let vec): return vec.names == nil && vec.attributes == nil ? vec.storage.type : nil
        default: return nil
        }
    }

    /// Appends `values` to `x` in place when all are plain and of `x`'s type; false (with `x`
    /// unchanged) otherwise.
    static func appendInPlace(_ x: inout Value, _ values: [Value]) -> Bool {
        guard let type = plainType(x) else { return false }
        var added = 0
        for v in values {
            if case .null = v { continue }
            guard plainType(v) == type else { return false }
            added += v.length
        }
        guard Double(x.length + added) <= Double(Limits.vectorLength) else { return false }
        var vector: Vector
        switch x {
        case .vector(let v): vector = v
        case .logical(let b): vector = Vector(.logical([b]))
        case .integer(let i): vector = Vector(.integer([i]))
        case .double(let d): vector = Vector(.double([d]))
        case .character(let s): vector = Vector(.character([s]))
        default: return false
        }
        // Drop every other reference to the storage so the appends below do not copy it.
        x = .null
        var storage = vector.storage
        vector.storage = .logical([])
        switch storage {
        case .logical(var a):
            storage = .logical([])
            for v in values { if case .logical(let b) = v { a.append(b) } else if let s = v.storage { a += s.logicals() } }
            storage = .logical(a)
        case .integer(var a):
            storage = .integer([])
            for v in values { if case .integer(let i) = v { a.append(i) } else if let s = v.storage { a += s.integers() } }
            storage = .integer(a)
        case .double(var a):
            storage = .double([])
            for v in values { if case .double(let d) = v { a.append(d) } else if let s = v.storage { a += s.doubles() } }
            storage = .double(a)
        case .character(var a):
            storage = .character([])
            for v in values { if case .character(let c) = v { a.append(c) } else if let s = v.storage { a += s.strings() } }
            storage = .character(a)
        }
        vector.storage = storage
        x = Value(vector)
        return true
    }
}
