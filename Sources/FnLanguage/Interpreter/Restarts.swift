/// R's restarts: `withRestarts(expr, name = function(...) ...)` establishes named exits that a
/// calling handler (or any code inside) takes with `invokeRestart(name, ...)`; the value of
/// `withRestarts` is then the restart function's value.

/// One established restart.
struct RestartEntry {
    var name: String
    /// The restart function; nil for the muffling restarts signalling sets up.
    var handler: Value?
    /// Identifies the `withRestarts` call that established it.
    var token: Int
}

final class WithRestartsNode: Node {
    let expr: Node?
    let restarts: [(String, Node)]
    init(expr: Node?, restarts: [(String, Node)], span: Span) {
        self.expr = expr
        self.restarts = restarts
        super.init(span: span)
    }

    override func eval(_ ip: Interpreter) throws(Control) -> Value {
        ip.restartTokens += 1
        let token = ip.restartTokens
        var entries: [RestartEntry] = []
        for (name, node) in restarts { entries.append(RestartEntry(name: name, handler: try node.eval(ip), token: token)) }
        let depth = ip.restarts.count
        ip.restarts.append(contentsOf: entries)
        defer { ip.restarts.removeSubrange(depth...) }
        do {
            return try expr?.eval(ip) ?? .null
        } catch .error(let e) {
            guard let invocation = e.restartInvocation, invocation.token == token, let name = e.restartName,
                let handler = entries.first(where: { $0.name == name })?.handler
            else { throw .error(e) }
            ip.restarts.removeSubrange(depth...)
            let arguments = invocation.arguments
            let names = arguments.elements.indices.map { i -> String? in
                let n = arguments.names?[i] ?? ""
                return n.isEmpty ? nil : n
            }
            return try ip.apply(handler, args: arguments.elements, names: names, callNode: self)
        }
    }
}

/// `withVisible(expr)`: the value and whether it would print.
final class WithVisibleNode: Node {
    let expr: Node
    init(_ expr: Node, span: Span) {
        self.expr = expr
        super.init(span: span)
    }
    override func eval(_ ip: Interpreter) throws(Control) -> Value {
        ip.visible = true
        let v = try expr.eval(ip)
        let visible = ip.visible
        ip.visible = true
        return .list(List([v, .bool(visible)], names: ["value", "visible"]))
    }
}
