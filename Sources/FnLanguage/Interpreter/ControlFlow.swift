/// Blocks, conditionals and loops.

final class BlockNode: Node {
    let body: [Node]
    init(_ body: [Node], span: Span) {
        self.body = body
        super.init(span: span)
    }
    override func eval(_ ip: Interpreter) throws(Control) -> Value {
        var result = Value.null
        ip.visible = true
        for node in body { result = try node.eval(ip) }
        return result
    }
}

/// `{ x }`: a block of one expression, the usual loop or `if` body (no array to walk).
final class SingleBlockNode: Node {
    let statement: Node
    init(_ statement: Node, span: Span) {
        self.statement = statement
        super.init(span: span)
    }
    override func eval(_ ip: Interpreter) throws(Control) -> Value {
        ip.visible = true
        return try statement.eval(ip)
    }
}

/// The missing `else` of an `if`: an invisible NULL.
final class InvisibleNullNode: Node {
    override func eval(_ ip: Interpreter) throws(Control) -> Value {
        ip.visible = false
        return .null
    }
}

final class ParenNode: Node {
    let inner: Node
    init(_ inner: Node, span: Span) {
        self.inner = inner
        super.init(span: span)
    }
    override func eval(_ ip: Interpreter) throws(Control) -> Value {
        let v = try inner.eval(ip)
        ip.visible = true
        return v
    }
}

final class IfNode: Node {
    let condition: Node
    let then: Node
    /// The `else` branch; an `InvisibleNullNode` when there is none.
    let otherwise: Node
    init(condition: Node, then: Node, otherwise: Node?, span: Span) {
        self.condition = condition
        self.then = then
        self.otherwise = otherwise ?? InvisibleNullNode(span: span)
        super.init(span: span)
    }
    override func eval(_ ip: Interpreter) throws(Control) -> Value {
        if try condition.test(ip, for: self) { return try then.eval(ip) }
        return try otherwise.eval(ip)
    }
}

final class ForNode: Node {
    let variable: VariableLocation
    let sequence: Node
    let body: Node
    init(variable: VariableLocation, sequence: Node, body: Node, span: Span) {
        self.variable = variable
        self.sequence = sequence
        self.body = body
        super.init(span: span)
    }
    override func eval(_ ip: Interpreter) throws(Control) -> Value {
        let seq = try sequence.eval(ip)
        // The elements are read from the unwrapped storage: no copy of the vector per iteration.
        switch seq {
        case .null: break
        case .logical, .integer, .double, .character: try iterate(ip, 1) { _ in seq }
        case .vector(let v):
            switch v.storage {
            case .logical(let a): try iterate(ip, a.count) { .logical(a[$0]) }
            case .integer(let a): try iterate(ip, a.count) { .integer(a[$0]) }
            case .double(let a): try iterate(ip, a.count) { .double(a[$0]) }
            case .character(let a): try iterate(ip, a.count) { .character(a[$0]) }
            }
        case .list(let l):
            let elements = l.elements
            try iterate(ip, elements.count) { elements[$0] }
        default:
            throw ip.locate(FnError.runtime("invalid for() loop sequence"), at: self).control
        }
        ip.visible = false
        return .null
    }

    @inline(__always)
    private func iterate(_ ip: Interpreter, _ count: Int, _ element: (Int) -> Value) throws(Control) {
        var i = 0
        while i < count {
            ip.store(variable, element(i))
            if try !ip.iterate(body, of: self) { break }
            i += 1
        }
    }
}

final class WhileNode: Node {
    let condition: Node
    let body: Node
    init(condition: Node, body: Node, span: Span) {
        self.condition = condition
        self.body = body
        super.init(span: span)
    }
    override func eval(_ ip: Interpreter) throws(Control) -> Value {
        while try condition.test(ip, for: self) {
            if try !ip.iterate(body, of: self) { break }
        }
        ip.visible = false
        return .null
    }
}

final class RepeatNode: Node {
    let body: Node
    init(body: Node, span: Span) {
        self.body = body
        super.init(span: span)
    }
    override func eval(_ ip: Interpreter) throws(Control) -> Value {
        while try ip.iterate(body, of: self) {}
        ip.visible = false
        return .null
    }
}

final class BreakNode: Node {
    override func eval(_ ip: Interpreter) throws(Control) -> Value { throw .breakLoop }
}

final class NextNode: Node {
    override func eval(_ ip: Interpreter) throws(Control) -> Value { throw .nextLoop }
}

/// `function(params) body`: makes a closure over the current environment.
final class FunctionNode: Node {
    let definition: FunctionDefinition
    init(_ definition: FunctionDefinition, span: Span) {
        self.definition = definition
        super.init(span: span)
    }
    override func eval(_ ip: Interpreter) throws(Control) -> Value {
        .closure(Closure(definition: definition, environment: ip.env))
    }
}

extension Value {
    /// Element `i` as a value: a scalar for atomic vectors, the element for lists.
    public func element(_ i: Int) -> Value {
        switch self {
        case .logical, .integer, .double, .character: return self
        case .vector(let v): return v.storage.element(i)
        case .list(let l): return l.elements[i]
        default: return self
        }
    }
}

extension Interpreter {
    /// One pass through a loop body: the back-edge's cancellation check, then the body, with
    /// `next` ending the pass. False when `break` ends the loop.
    @inline(__always) func iterate(_ body: Node, of loop: Node) throws(Control) -> Bool {
        if cancellation.isCancelled { throw cancelledError(at: loop) }
        do {
            _ = try body.eval(self)
        } catch .breakLoop {
            return false
        } catch .nextLoop {
        }
        return true
    }

    /// R's test of an `if`/`while` condition: length 1, not NA, interpretable as logical.
    @inline(__always) func truth(_ v: Value, at node: Node) throws(Control) -> Bool {
        switch v {
        case .logical(let b):
            if b == NA.logical { break }
            return b != 0
        case .integer(let i):
            if i == NA.integer { break }
            return i != 0
        case .double(let d):
            if d.isNaN { break }
            return d != 0
        default:
            return try slowTruth(v, at: node)
        }
        throw locate(FnError.runtime("missing value where TRUE/FALSE needed"), at: node).control
    }

    private func slowTruth(_ v: Value, at node: Node) throws(Control) -> Bool {
        if v.length == 0 { throw locate(FnError.runtime("argument is of length zero"), at: node).control }
        if v.length > 1 { throw locate(FnError.runtime("the condition has length > 1"), at: node).control }
        guard let s = v.storage else {
            throw locate(FnError.runtime("argument is not interpretable as logical"), at: node).control
        }
        let b = s.logicals()[0]
        if b == NA.logical {
            if case .character(let c) = s, c[0] != nil {
                throw locate(FnError.runtime("argument is not interpretable as logical"), at: node).control
            }
            throw locate(FnError.runtime("missing value where TRUE/FALSE needed"), at: node).control
        }
        return b != 0
    }
}
