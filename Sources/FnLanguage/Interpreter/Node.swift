/// A node of the resolved tree: what the interpreter evaluates. Built by `Resolver` from `Expr`,
/// with every variable already turned into a slot or a global symbol.
class Node {
    let span: Span
    init(span: Span) { self.span = span }

    func eval(_ ip: Interpreter) throws(Control) -> Value { .null }

    /// Evaluates the node as the condition of `owner` (`if`, `while`): its truth, with R's errors
    /// for NA and lengths other than one located at `owner`. Comparisons override this to skip
    /// building a logical value.
    func test(_ ip: Interpreter, for owner: Node) throws(Control) -> Bool {
        try ip.truth(try eval(ip), at: owner)
    }
}

/// The names of a function's local slots: parameters first, then every other local.
final class FunctionScope {
    private(set) var names: [String] = []
    /// Slot by name, built once a scope grows past a few names (a `new.env()` used as a map).
    private var index: [String: Int]?

    func slot(of name: String) -> Int? {
        if let index { return index[name] }
        for (i, n) in names.enumerated() where n == name { return i }
        return nil
    }

    func add(_ name: String) -> Int {
        if let s = slot(of: name) { return s }
        names.append(name)
        if index != nil {
            index?[name] = names.count - 1
        } else if names.count > 32 {
            index = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
        }
        return names.count - 1
    }
}

/// A resolved function literal: parameters, body and the layout of its frame.
///
/// Immutable once resolved, so the call path reads its fields without counting references.
final class FunctionDefinition {
    struct Parameter {
        var name: String
        var defaultValue: Node?
    }

    let parameters: [Parameter]
    /// The slot of `...`, when the function has it.
    let dotsSlot: Int?
    /// The name it was defined under (`parity <- function...`), for stack traces.
    let name: String?
    let scope: FunctionScope
    let body: Node
    let source: SourceFile?
    let span: Span
    /// How many slots a frame needs: parameters, then every other local.
    let slotCount: Int
    /// How many arguments can be bound by position alone (those before `...`).
    let positionalCapacity: Int
    /// True when some parameter has a default (its frame then tracks pending defaults).
    let hasDefaults: Bool
    /// The function as written (`function(x) x + 1`): for `body()`, `formals()`, printing, and
    /// for resolving it again when its environment or body is replaced.
    let expression: Expr?
    /// True when the body looks at its arguments as code or at its caller's environment
    /// (`substitute`, `match.call`, `sys.call`, `parent.frame`, `eval`, ...): every argument is
    /// then passed as a promise, never evaluated at the call (see `CallNode.modes`).
    let isReflective: Bool

    init(
        name: String?, parameters: [Parameter], dotsSlot: Int?, scope: FunctionScope, body: Node,
        source: SourceFile?, span: Span, expression: Expr? = nil, isReflective: Bool = true
    ) {
        self.expression = expression
        self.isReflective = isReflective
        self.name = name
        self.parameters = parameters
        self.dotsSlot = dotsSlot
        self.scope = scope
        self.body = body
        self.source = source
        self.span = span
        slotCount = scope.names.count
        positionalCapacity = dotsSlot ?? parameters.count
        hasDefaults = parameters.contains { $0.defaultValue != nil }
    }
}

/// Where a variable lives, fixed by the resolver.
enum VariableLocation {
    /// A slot of the current frame.
    case local(Int)
    /// A slot of an enclosing frame, `depth` parents up.
    case outer(depth: Int, slot: Int)
    /// A global (or base) binding, by symbol.
    case global(Int)
    /// Looked up by name from the current environment at run time: code evaluated by `eval()`,
    /// whose environment is known only then.
    case dynamic(String)
    /// `name <<- v` in such code: the first enclosing environment that binds `name`, else global.
    case dynamicSuper(String)
}

/// One argument at a call site.
struct CallArgument {
    var name: String?
    /// nil for an empty argument (`x[1, ]`).
    var value: Node?
    /// True for `...` passed on (`f(...)`): splices the caller's dots.
    var isDots: Bool
    /// The argument as written, for promises (`substitute()`) and `match.call()`.
    var expression: Expr? = nil
}
