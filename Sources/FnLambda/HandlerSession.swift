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

/// A handler name `file.function`: split at the first dot; `file` may contain `/`.
public struct HandlerName: Sendable, Equatable {
    public var file: String
    public var function: String

    public init(_ text: String) throws(HandlerError) {
        guard let dot = text.firstIndex(of: "."), dot != text.startIndex else {
            throw HandlerError(errorType: "Runtime.MalformedHandlerName",
                               errorMessage: "Bad handler '\(text)': expected FILE.FUNCTION, e.g. functions.parity")
        }
        file = String(text[..<dot])
        function = String(text[text.index(after: dot)...])
        if function.isEmpty || file.hasSuffix("/") {
            throw HandlerError(errorType: "Runtime.MalformedHandlerName",
                               errorMessage: "Bad handler '\(text)': expected FILE.FUNCTION, e.g. functions.parity")
        }
    }

    /// The handler file's name relative to the task root (`functions.fn`).
    public var fileName: String { file + ".fn" }
}

/// One sourced handler: the single invocation path shared by `fn runtime`, `fn invoke` and
/// `fn serve` (resolve → source once → bind JSON to arguments → call → encode).
public final class HandlerSession {
    public let name: HandlerName
    public let root: String
    /// The session: globals set by the file or by invocations persist between invocations.
    public let interpreter: Interpreter
    private let function: Value
    private let wantsContext: Bool

    /// Resolves `handler` (`file.function`) under `root` and sources the file. Throws a
    /// `HandlerError` typed `Runtime.MalformedHandlerName`, `Runtime.ImportModuleError`,
    /// `Runtime.UserCodeSyntaxError` or `Runtime.HandlerNotFound`. `logThreshold` and `output`
    /// apply from the start, so output while the file is sourced is logged like the rest.
    public init(handler: String, root: String, logThreshold: LogLevel = .info,
                output: ((OutputKind, String) -> Void)? = nil) throws(HandlerError) {
        name = try HandlerName(handler)
        self.root = root
        let path = root.isEmpty ? name.fileName : (root.hasSuffix("/") ? root : root + "/") + name.fileName
        let bytes: [UInt8]
        switch Files.read(path) {
        case .success(let b): bytes = b
        case .failure(let e):
            throw HandlerError(errorType: "Runtime.ImportModuleError",
                               errorMessage: "Unable to import module '\(name.file)': \(e.message)")
        }
        interpreter = Interpreter()
        interpreter.logThreshold = logThreshold
        interpreter.taskRoot = root.isEmpty ? "." : root
        if let output { interpreter.output = output }
        let source = SourceFile(name: name.fileName, bytes: bytes)
        let program: Program
        do {
            program = try parse(source)
        } catch {
            let location = error.location.map { "\($0): " } ?? ""
            throw HandlerError(errorType: "Runtime.UserCodeSyntaxError",
                               errorMessage: "Syntax error in module '\(name.file)': \(location)\(error.message)",
                               stackTrace: error.location.map { [$0] } ?? [])
        }
        do {
            _ = try interpreter.run(program)
        } catch {
            throw HandlerError(errorType: "Runtime.ImportModuleError",
                               errorMessage: "Unable to import module '\(name.file)': \(error.message)",
                               stackTrace: error.stackTrace)
        }
        guard let f = interpreter.global(name.function), f.isFunction else {
            throw HandlerError(errorType: "Runtime.HandlerNotFound",
                               errorMessage: "Handler '\(name.function)' missing on module '\(name.file)'"
                                   + (interpreter.global(name.function) != nil ? " (it is not a function)" : ""))
        }
        function = f
        if case .closure(let c) = f { wantsContext = c.parameterNames.contains("context") } else { wantsContext = false }
    }

    /// Where the handler's output (`print`, `cat`, `message`, `log_*`) goes; the runtime's logger
    /// sets it. Default: stdout / stderr as text.
    public var output: (OutputKind, String) -> Void {
        get { interpreter.output }
        set { interpreter.output = newValue }
    }

    /// Asks a running invocation to stop at its next call or loop back-edge (thread-safe).
    public func cancel() { interpreter.cancellation.cancel() }

    /// Clears the cancellation of an earlier invocation; called before the next one's deadline is
    /// armed (not by `invoke`, which would lose a cancellation made in between).
    public func prepareForInvocation() { interpreter.cancellation.reset() }

    /// Runs one invocation: `event` is the raw request body. Returns the JSON result bytes, or
    /// the handler's error. Never fails any other way.
    ///
    /// The seed runtime's mapping: the body is read as `jsonlite::fromJSON(body)` (arrays of
    /// records are data frames, arrays of arrays matrices), an object's fields are the named
    /// arguments and any other value one positional argument (`do.call`), and the result is
    /// written as `toJSON(result, auto_unbox = TRUE)` with full-precision numbers.
    public func invoke(event: [UInt8], context: InvocationContext) -> Result<[UInt8], HandlerError> {
        var args: [Value] = []
        var names: [String?] = []
        var parsedEvent = Value.null
        let body = event.drop { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
        if !body.isEmpty {
            let value: Value
            do {
                value = try JSON.parse(event)
            } catch {
                return .failure(HandlerError(errorType: "Runtime.UnmarshalError",
                                             errorMessage: "Unable to parse the event as JSON: \(error.message)"))
            }
            parsedEvent = value
            if body.first == UInt8(ascii: "{"), case .list(let l) = value {
                args = l.elements
                names = l.names ?? []
            } else {
                args = [value]
                names = [nil]
            }
        }
        if wantsContext && !names.contains("context") {
            args.append(contextValue(context))
            names.append("context")
        }
        // The whole event stays available for `http_request()`.
        interpreter.invocation = ["deadline_ms": .double(Double(context.deadlineMs)), "event": parsedEvent]
        defer { interpreter.flushWarnings() }
        let result: Value
        do {
            result = try interpreter.callTopLevel(function, args, names: names)
        } catch {
            return .failure(HandlerSession.handlerError(error))
        }
        do {
            return .success(try JSON.encodeResult(result))
        } catch {
            return .failure(HandlerError(errorType: "Runtime.MarshalError",
                                         errorMessage: "Unable to marshal the result as JSON: \(error.message)"))
        }
    }

    /// The Lambda error for an fn error: the condition's class for R conditions, a `Runtime.*`
    /// type for limits and cancellation.
    public static func handlerError(_ e: FnError) -> HandlerError {
        let type: String
        switch e.kind {
        case .cancelled: type = "Runtime.Timeout"
        case .limit: type = "Runtime.LimitExceeded"
        case .json: type = "Runtime.MarshalError"
        default:
            if case .list(let l)? = e.condition, let first = l.classes?.first {
                type = first
            } else {
                type = "simpleError"
            }
        }
        return HandlerError(errorType: type, errorMessage: e.message, stackTrace: e.stackTrace)
    }

    /// The `context` argument: lambdr's and Python's names.
    private func contextValue(_ c: InvocationContext) -> Value {
        func str(_ s: String?) -> Value { s.map { .character($0) } ?? .null }
        func json(_ s: String?) -> Value {
            guard let s, !s.isEmpty else { return .null }
            return (try? JSON.parse(Array(s.utf8))) ?? .character(s)
        }
        let fields: [(String, Value)] = [
            ("aws_request_id", .character(c.requestId)),
            ("invoked_function_arn", .character(c.invokedFunctionArn)),
            ("function_name", .character(c.functionName)),
            ("function_version", .character(c.functionVersion)),
            ("memory_limit_in_mb", .integer(Int32(clamping: c.memoryLimitMB))),
            ("log_group_name", .character(c.logGroupName)),
            ("log_stream_name", .character(c.logStreamName)),
            ("deadline_ms", .double(Double(c.deadlineMs))),
            ("trace_id", str(c.traceId)),
            ("client_context", json(c.clientContext)),
            ("identity", json(c.cognitoIdentity)),
            ("tenant_id", str(c.tenantId)),
        ]
        return .list(List(fields.map(\.1), names: fields.map(\.0)))
    }
}
