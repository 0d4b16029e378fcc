/// A node of the resolved tree: what the interpreter evaluates. Built by `Resolver` from `Expr`.
class Node {
    let span: Span
    init(span: Span) { self.span = span }
}

/// The names of a function's local slots.
final class FunctionScope {
    var names: [String] = []
}

/// A resolved function literal.
final class FunctionDefinition {
    struct Parameter { var name: String; var defaultValue: Node? }
    var parameters: [Parameter] = []
    var name: String?
    let scope = FunctionScope()
    init() {}
}
