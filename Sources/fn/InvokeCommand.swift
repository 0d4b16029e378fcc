#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import FnLambda
import FnLanguage

/// `fn invoke HANDLER [EVENT] [--root DIR] [--timeout SECONDS]`: one invocation through the same
/// path as the Lambda runtime; prints the result JSON (exit 0) or the error object (exit 1).
func invokeCommand(_ arguments: [String]) -> Int32 {
    let usage = """
        usage: fn invoke HANDLER [EVENT] [--root DIR] [--timeout SECONDS]

        HANDLER is FILE.FUNCTION (FILE.fn is read from --root, else LAMBDA_TASK_ROOT, else ./handlers
        when it exists, else the working directory). EVENT is JSON text, - for stdin, or @path;
        absent means an empty event. Prints the result as JSON, or Lambda's error object (exit 1).
        """
    var positional: [String] = []
    var root: String?
    var timeout = 3.0
    var i = 0
    while i < arguments.count {
        let a = arguments[i]
        switch a {
        case "-h", "--help":
            print(usage)
            return 0
        case "--root", "--timeout":
            guard i + 1 < arguments.count else {
                writeError("fn invoke: \(a) needs a value\n\(usage)")
                return 2
            }
            if a == "--root" {
                root = arguments[i + 1]
            } else {
                guard let t = Double(arguments[i + 1]), t > 0 else {
                    writeError("fn invoke: --timeout needs a positive number of seconds")
                    return 2
                }
                timeout = t
            }
            i += 2
            continue
        default:
            positional.append(a)
        }
        i += 1
    }
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
        session = try HandlerSession(handler: positional[0], root: root ?? ServeDefaults.root())
    } catch {
        print(String(decoding: JSONText.error(error), as: UTF8.self))
        return 1
    }
    session.output = standardOutput
    let context = InvocationContext(
        requestId: RequestID.make(),
        deadlineMs: Int64(Clock.nowMilliseconds() + timeout * 1000),
        invokedFunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:\(session.name.function)",
        functionName: session.name.function)
    let driver = InvocationDriver(handler: session)
    let result = driver.invoke(event: event, context: context)
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

/// The event bytes: JSON text, `-` for stdin, `@path` for a file, nil for an empty event.
private func readEvent(_ spec: String?) -> Result<[UInt8], FnError> {
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
