import FnLanguage

/// An error a handler invocation ends with, in the shape Lambda reports:
/// `{"errorMessage", "errorType", "stackTrace"}`.
public struct HandlerError: Error, Sendable {
    public var errorType: String
    public var errorMessage: String
    public var stackTrace: [String]

    public init(errorType: String, errorMessage: String, stackTrace: [String] = []) {
        self.errorType = errorType
        self.errorMessage = errorMessage
        self.stackTrace = stackTrace
    }
}

/// One sourced handler: the single invocation path shared by `fn runtime`, `fn invoke` and
/// `fn serve` (resolve → source once → bind JSON to arguments → call → encode).
///
/// PLACEHOLDER: the real implementation lands with the interpreter.
public final class HandlerSession {
    /// Resolves `handler` (`file.function`) under `root` and sources the file.
    /// Throws a `HandlerError` whose `errorType` is one of `Runtime.MalformedHandlerName`,
    /// `Runtime.ImportModuleError`, `Runtime.UserCodeSyntaxError`, `Runtime.HandlerNotFound`.
    public init(handler: String, root: String) throws(HandlerError) {
        throw HandlerError(errorType: "Runtime.HandlerNotFound", errorMessage: "not implemented")
    }

    /// Runs one invocation: `event` is the raw request body. Returns the JSON result bytes, or
    /// the handler's error. Never throws any other way; never crashes on bad input.
    public func invoke(event: [UInt8], context: InvocationContext) -> Result<[UInt8], HandlerError> {
        .failure(HandlerError(errorType: "Runtime.Unknown", errorMessage: "not implemented"))
    }

    /// Asks a running invocation to stop at its next call or loop back-edge (thread-safe).
    /// The invocation then fails with `errorType` "Runtime.Timeout" hmm -- see `invoke`.
    public func cancel() {}

    /// Where the handler's output (`print`, `cat`, `message`, `log_*`) goes; the runtime's logger
    /// sets it. Default: stdout / stderr as text.
    public var output: (OutputKind, String) -> Void = { _, s in print(s, terminator: "") }
}
