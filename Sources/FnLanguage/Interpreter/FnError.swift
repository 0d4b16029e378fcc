/// An error raised while parsing, evaluating, or converting values: a value with a position and a
/// message a user can act on.
public struct FnError: Error, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The source text does not parse.
        case syntax
        /// A runtime error (`stop()`, a type error, an unknown name, ...).
        case runtime
        /// JSON text that cannot be read, or a value with no JSON form.
        case json
        /// A resource limit was exceeded (nesting, recursion depth, memory).
        case limit
        /// Evaluation was cancelled (deadline or interrupt).
        case cancelled
    }

    public var kind: Kind
    public var message: String
    /// Where it happened, when known.
    public var source: SourceFile?
    public var span: Span?
    /// The deparsed call that raised it (`stop("x")` inside `f` reports `f(1)`), when known.
    public var call: String?
    /// Innermost first: `parity (functions.fn:2:3)`.
    public var stackTrace: [String] = []
    /// The R condition object when the error came from `stop(cond)` or carries a class.
    public var condition: Value?
    /// True when the calling handlers already ran for it where it was raised (`stop()`).
    var signalled = false

    public init(_ kind: Kind, _ message: String, source: SourceFile? = nil, span: Span? = nil) {
        self.kind = kind
        self.message = message
        self.source = source
        self.span = span
    }

    public static func runtime(_ message: String) -> FnError { FnError(.runtime, message) }

    /// The error for evaluation stopped by its cancellation flag (a deadline, Ctrl-C).
    static func cancelled() -> FnError {
        FnError(.cancelled, "evaluation cancelled: the invocation's time limit was reached")
    }

    /// `file:line:col` of the error, when known.
    public var location: String? {
        guard let source, let span else { return nil }
        return source.describe(span.start)
    }

    /// The message as R prints it: `Error in f(x) : msg` / `Error: msg`, prefixed by the location.
    public var description: String {
        switch kind {
        case .syntax:
            var s = (location.map { "\($0): " } ?? "") + message
            if let source, let span {
                let (line, col) = source.location(of: span.start)
                let text = source.lineText(line)
                s += "\n" + text + "\n" + String(repeating: " ", count: max(0, col - 1)) + "^"
            }
            return s
        default:
            let prefix = location.map { "\($0): " } ?? ""
            if let call, !call.isEmpty { return prefix + "Error in \(call) : \(message)" }
            return prefix + "Error: \(message)"
        }
    }
}
