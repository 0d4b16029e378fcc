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

extension Interpreter {
    /// Condition and restart helpers that need no special evaluation: `errorCondition`,
    /// `warningCondition`, `tryInvokeRestart`, `isRestart`.
    static func restartBuiltins() -> [Builtin] {
        var out: [Builtin] = []
        func define(_ name: String, _ formals: [String], _ body: @escaping BuiltinBody) {
            out.append(Builtin(name, formals, body))
        }
        /// A condition object: `message` and `call`, then the other fields, classed `classes`
        /// followed by `base`.
        func condition(_ args: Arguments, _ base: [String]) throws(FnError) -> Value {
            let message = try Unpack.string(args[0], "message")
            let classes = (args[2]?.storage?.strings() ?? []).map { $0 ?? "NA" }
            var values: [Value] = [.character(message), args[3] ?? .null]
            var names = ["message", "call"]
            for (i, v) in args.dots.enumerated() {
                values.append(v)
                names.append(args.dotNames[i] ?? "")
            }
            return .list(List(values, names: names, classes: classes + base))
        }
        define("errorCondition", ["message", "...", "class", "call"]) { args, _ throws(FnError) in
            try condition(args, ["error", "condition"])
        }
        define("warningCondition", ["message", "...", "class", "call"]) { args, _ throws(FnError) in
            try condition(args, ["warning", "condition"])
        }
        define("isRestart", ["x"]) { args, _ throws(FnError) in
            .bool(args[0]?.classAttribute?.contains("restart") ?? false)
        }
        define("tryInvokeRestart", ["r", "..."]) { args, ip throws(FnError) in
            // invokeRestart when the restart is established; otherwise nothing happens.
            var name: String?
            if case .list(let l)? = args[0], case .character(let n?)? = l.element(named: "name") {
                name = n
            } else if case .character(let n?)? = args[0] {
                name = n
            }
            guard let name, ip.restarts.contains(where: { $0.name == name }) else { return .null }
            do throws(Control) {
                guard let invoke = try ip.lookupFunction("invokeRestart", from: ip.globalEnvironment) else { return .null }
                return try ip.apply(invoke, args: [args[0]!] + args.dots, names: [nil] + args.dotNames, callNode: nil)
            } catch {
                throw ip.asError(error)
            }
        }
        return out
    }
}
