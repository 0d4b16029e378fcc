/// Log levels, ordered from most to least verbose.
public enum LogLevel: Int, Comparable, Sendable {
    case trace = 0, debug, info, warn, error, fatal
    public static func < (a: LogLevel, b: LogLevel) -> Bool { a.rawValue < b.rawValue }
}

/// Where a piece of handler output goes.
public enum OutputKind: Sendable, Equatable {
    /// `print`, `cat` (to stdout).
    case stdout
    /// `message`, `warning` reports, `cat(file = stderr())`.
    case stderr
    /// `log_info(...)` and friends.
    case log(LogLevel)
}

/// Evaluates resolved programs. One interpreter is one session: its globals persist.
///
/// PLACEHOLDER API (the evaluator is being written); signatures are stable.
public final class Interpreter {
    /// Receives all output of `print`, `cat`, `message`, `log_*`. Text includes its newlines.
    public var output: (OutputKind, String) -> Void = { _, s in print(s, terminator: "") }

    public init() {}

    /// Parses and evaluates `text`, returning the value of the last expression (NULL when empty).
    public func evaluate(_ text: String, name: String = "<eval>") throws(FnError) -> Value {
        throw FnError.runtime("evaluator not implemented")
    }

    /// Calls a function value (closure or builtin) with evaluated arguments; `names[i]` is the
    /// argument name or nil. Used by builtins such as `lapply`, `do.call`, `Reduce`.
    public func callFunction(_ function: Value, _ args: [Value], names: [String?]) throws(FnError) -> Value {
        throw FnError.runtime("evaluator not implemented")
    }

    /// Records a warning (`warning()` semantics: shown on stderr after the top-level call).
    public func warn(_ message: String) {}
}
