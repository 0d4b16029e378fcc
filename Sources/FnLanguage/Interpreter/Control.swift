/// How evaluation leaves a node other than by producing a value: an error, or R's non-local
/// control flow (`return()`, `break`, `next`).
///
/// Typed throws make these as cheap as a return, so loops and `return()` need no special paths.
enum Control: Error {
    indirect case error(FnError)
    case returned(Value)
    case breakLoop
    case nextLoop
}

extension FnError {
    /// Lifts a language error into evaluation control flow.
    @inline(__always) var control: Control { .error(self) }
}
