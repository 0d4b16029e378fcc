#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import FnLambda
import FnLanguage

/// `fn invoke HANDLER [EVENT] [--root DIR] [--timeout SECONDS] [--memory MB]`: one invocation through the same
/// path as the Lambda runtime; prints the result JSON (exit 0) or the error object (exit 1).
func invokeCommand(_ arguments: [String]) -> Int32 {
    let usage = """
        usage: fn invoke HANDLER [EVENT] [--root DIR] [--timeout SECONDS] [--memory MB]

        HANDLER is FILE.FUNCTION (FILE.fn is read from --root, else LAMBDA_TASK_ROOT, else ./handlers
        when it exists, else the working directory). EVENT is JSON text, - for stdin, or @path;
        absent means an empty event. Prints the result as JSON, or Lambda's error object (exit 1).
        log_* lines below AWS_LAMBDA_LOG_LEVEL (else LOG_LEVEL, default INFO) are not shown.
        --memory (else AWS_LAMBDA_FUNCTION_MEMORY_SIZE) is Lambda's memory size: an allocation that
        would take fn past it is the error "cannot allocate vector of size ...".
        """
    let options: InvocationOptions
    switch InvocationOptions.parse(arguments, command: "invoke", usage: usage, unknownOptionsArePositional: true) {
    case .options(let o): options = o
    case .exit(let code): return code
    }
    let positional = options.positional, root = options.root, timeout = options.timeout
    applyMemorySize(options.memory)
    guard positional.count == 1 || positional.count == 2 else {
        writeError(usage)
        return 2
    }
    let event: [UInt8]
    switch readEvent(positional.count == 2 ? positional[1] : nil) {
    case .success(let e): event = e
    case .failure(let error):
        writeError("fn invoke: \(error.message)")
        return 2
    }
    let session: HandlerSession
    do {
        session = try HandlerSession(handler: positional[0], root: root ?? ServeDefaults.root(),
                                     logThreshold: Logger.thresholdFromEnvironment())
    } catch {
        print(String(decoding: JSONText.error(error), as: UTF8.self))
        return 1
    }
    session.output = standardOutput
    let result = invokeLocally(InvocationDriver(handler: session), event: event, timeoutSeconds: timeout)
    fflush(stdout)
    switch result {
    case .success(let json):
        print(String(decoding: json, as: UTF8.self))
        return 0
    case .failure(let error):
        print(String(decoding: JSONText.error(error), as: UTF8.self))
        return 1
    }
}

/// One invocation of the driver's handler as Lambda would make it: a fresh request id, a deadline
/// `timeoutSeconds` away enforced by the driver, and a local function ARN in the context. Shared by
/// `fn invoke` and the REPL's `:invoke` (which keeps one driver: each starts a watchdog thread).
func invokeLocally(_ driver: InvocationDriver<HandlerSession>, event: [UInt8],
                   timeoutSeconds: Double) -> Result<[UInt8], HandlerError> {
    let session = driver.handler
    let context = InvocationContext(
        requestId: RequestID.make(),
        deadlineMs: Int64(Clock.nowMilliseconds() + timeoutSeconds * 1000),
        invokedFunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:\(session.name.function)",
        functionName: session.name.function,
        memoryLimitMB: FunctionEnvironment.fromProcess().memoryLimitMB)
    return driver.invoke(event: event, context: context)
}

/// The event bytes: JSON text, `-` for stdin, `@path` for a file, nil for an empty event.
func readEvent(_ spec: String?) -> Result<[UInt8], FnError> {
    guard let spec else { return .success([]) }
    if spec == "-" {
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(0, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            out.append(contentsOf: buffer[0..<n])
        }
        return .success(out)
    }
    if spec.hasPrefix("@") {
        switch Files.read(String(spec.dropFirst())) {
        case .success(let b): return .success(b)
        case .failure(let e): return .failure(e)
        }
    }
    return .success(Array(spec.utf8))
}

/// `--root DIR`, `--timeout SECONDS` and `--memory MB`, shared by `fn invoke` and `fn repl`; other
/// words are positional.
struct InvocationOptions {
    var positional: [String] = []
    var root: String?
    var timeout = 3.0
    var memory: Int?

    enum Outcome {
        case options(InvocationOptions)
        /// Help was printed (0) or the words were wrong (2, reported).
        case exit(Int32)
    }

    static func parse(_ arguments: [String], command: String, usage: String, unknownOptionsArePositional: Bool)
        -> Outcome
    {
        var options = InvocationOptions()
        var words = CommandArguments(arguments, command: command, usage: usage)
        while let word = words.next() {
            switch word {
            case "-h", "--help":
                print(usage)
                return .exit(0)
            case "--root":
                guard let v = words.value(of: word) else { return .exit(2) }
                options.root = v
            case "--timeout":
                guard let t = words.seconds(of: word) else { return .exit(2) }
                options.timeout = t
            case "--memory":
                guard let mb = words.megabytes(of: word) else { return .exit(2) }
                options.memory = mb
            default:
                if !unknownOptionsArePositional && word.hasPrefix("-") && word != "-" {
                    words.report("unknown option '\(word)'", showUsage: true)
                    return .exit(2)
                }
                options.positional.append(word)
            }
        }
        return .options(options)
    }
}
