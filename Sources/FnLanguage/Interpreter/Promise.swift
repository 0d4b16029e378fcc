/// R's promises: an argument passed to a closure is evaluated when the function first uses it,
/// once, in the caller's environment.
///
/// A promise sits in the callee's variable (or in its `...`) until a read forces it; the value is
/// then kept in the promise, and the promise lets go of the caller's environment. Arguments whose
/// evaluation cannot be observed (constants, a calling function's own variables, arithmetic on
/// those) are evaluated at the call instead: see `CallNode.argumentsMayBeEager`.
public final class Promise {
    /// The argument as resolved for evaluation.
    let node: Node
    /// The argument as written, for `substitute()`; nil when it was made from a value.
    let expression: Expr?
    /// Where to evaluate: the caller's environment. nil once forced.
    var environment: Environment?
    /// The source file the argument was written in (for error locations).
    let source: SourceFile?
    /// The value, once forced.
    var value: Value?
    /// True while being forced: a promise that needs its own value is R's error.
    var forcing = false

    init(node: Node, expression: Expr?, environment: Environment, source: SourceFile?) {
        self.node = node
        self.expression = expression
        self.environment = environment
        self.source = source
    }

    /// A promise already holding `value` (an argument the caller evaluated eagerly, or one passed
    /// by a builtin), with `expression` for `substitute()`.
    init(value: Value, expression: Expr?) {
        self.node = ConstantNode(value, span: .none)
        self.expression = expression
        self.value = value
        self.source = nil
    }

    /// The argument as a language object: what `substitute(x)` gives for it.
    var language: Value {
        if let expression { return Language.value(of: expression) }
        return value ?? .null
    }
}

extension Interpreter {
    /// The value of `p`, evaluating it in its environment the first time.
    @inline(__always) func force(_ p: Promise, at node: Node?) throws(Control) -> Value {
        if let v = p.value { return v }
        return try forceSlow(p, at: node)
    }

    @inline(never) func forceSlow(_ p: Promise, at node: Node?) throws(Control) -> Value {
        guard let environment = p.environment else { return p.value ?? .null }
        if p.forcing {
            throw locate(FnError.runtime("promise already under evaluation: recursive default argument reference or earlier problems?"), at: node).control
        }
        p.forcing = true
        defer { p.forcing = false }
        unowned(unsafe) let savedEnv = env
        unowned(unsafe) let savedSource = currentSource
        env = environment
        currentSource = p.source
        defer {
            env = savedEnv
            currentSource = savedSource
        }
        let v = try p.node.eval(self)
        p.value = v
        p.environment = nil
        return v
    }

    /// `v` with a promise forced; any other value as it is.
    @inline(__always) func forced(_ v: Value, at node: Node?) throws(Control) -> Value {
        if case .promise(let p) = v { return try force(p, at: node) }
        return v
    }
}
