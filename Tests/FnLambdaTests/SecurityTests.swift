import Glibc
import Testing
import FnLanguage
@testable import FnLambda

/// Issue 7's security checklist, through the path real invocations take (`HandlerSession`, and the
/// runtime loop against a scripted Runtime API). `source()` confinement is mostly LibrarySourceTests';
/// the trust model these tests hold the runtime to is in README.md ("Trust model").
@Suite(.serialized) struct SecurityTests {
    static let handlers = """
        first <- function(x) x
        echo <- function(...) list(...)
        counter <- 0
        count <- function(...) { counter <<- counter + 1; counter }

        secret <- function() Sys.getenv("FN_SECURITY_TEST_SECRET")
        inner <- function(key) stop("inner failed")
        passes_it_down <- function() inner(secret())
        adds_to_it <- function() secret() + 1
        tests_it <- function() if (secret()) 1
        indexes_it <- function() secret()[[5]]
        recurses_with_it <- function(key = secret()) recurses_with_it(key)
        returns_it_unserialisable <- function() list(key = secret(), f = function() 1)
        spins_with_it <- function() { key <- secret(); repeat {} }
        """

    static func taskRoot() -> String {
        let root = temporaryDirectory("security")
        writeFile(root + "/h.fn", handlers)
        return root
    }

    static func answer(_ session: HandlerSession, _ event: String) -> String {
        let context = InvocationContext(requestId: "r", deadlineMs: Int64.max / 2)
        switch session.invoke(event: Array(event.utf8), context: context) {
        case .success(let body): return String(decoding: body, as: UTF8.self)
        case .failure(let e): return "\(e.errorType): \(e.errorMessage)"
        }
    }

    /// `text` as a JSON string literal.
    static func jsonString(_ text: String) -> String {
        var out = "\""
        for c in text.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            default: out.unicodeScalars.append(c)
            }
        }
        return out + "\""
    }

    @Test func eventDataIsNeverEvaluatedAsCode() throws {
        let root = SecurityTests.taskRoot()
        let marker = root + "/pwned"
        let code = ["stop('x')", "system('touch \(marker)')", "quit(status = 3)", "counter <<- 100",
                    "Sys.setenv(FN_SECURITY_TEST_SET = 'yes')", "source('/etc/passwd')", "`+`(1, 2)",
                    "function() 1", "x\"); stop(\"y", "eval(parse(text = 'stop(1)'))"]
        let first = try HandlerSession(handler: "h.first", root: root, output: { _, _ in })
        let echo = try HandlerSession(handler: "h.echo", root: root, output: { _, _ in })
        let count = try HandlerSession(handler: "h.count", root: root, output: { _, _ in })
        #expect(SecurityTests.answer(count, "{}") == "1")
        for text in code {
            let literal = SecurityTests.jsonString(text)
            // As a value: the handler gets the string, and returns it unchanged.
            #expect(SecurityTests.answer(first, "{\"x\": \(literal)}") == literal)
            // As a field name: it names an argument (a string), it is not parsed.
            #expect(SecurityTests.answer(echo, "{\(literal): 1}") == "{\(literal):1}")
            // As the whole event: not JSON, so an unmarshal error, not an evaluation.
            #expect(SecurityTests.answer(first, text).hasPrefix("Runtime.UnmarshalError: "), "\(text)")
            // Inside the count session too, so `counter <<- 100` had its chance to run.
            _ = SecurityTests.answer(count, "{\"x\": \(literal)}")
        }
        #expect(SecurityTests.answer(count, "{}") == String(code.count + 2))
        #expect(access(marker, F_OK) != 0)
        #expect(getenv("FN_SECURITY_TEST_SET") == nil)
    }

    /// LibrarySourceTests covers `../`, absolute paths and a symlinked file; a symlinked directory
    /// inside the root that leads out is refused the same way, even when an event names the path.
    @Test func sourceCannotLeaveTheRootThroughASymlinkedDirectory() throws {
        let base = temporaryDirectory("security-source")
        mkdir(base + "/root", 0o755)
        mkdir(base + "/outside", 0o755)
        writeFile(base + "/outside/code.fn", "leaked <- 42\n")
        symlink(base + "/outside", base + "/root/out")
        writeFile(base + "/root/h.fn", "h <- function(p) { source(p); leaked }\n")
        let session = try HandlerSession(handler: "h.h", root: base + "/root", output: { _, _ in })
        for path in ["out/code.fn", "out/../outside/code.fn", "./out/code.fn"] {
            #expect(SecurityTests.answer(session, "{\"p\": \"\(path)\"}")
                    == "simpleError: source(): '\(path)' is outside the task root")
        }
    }

    /// The runtime's own errors, its log lines and the stack traces it reports never carry an
    /// environment value, even when the failing code holds one: handlers read the environment with
    /// `Sys.getenv`, and secrets (keys, tokens) arrive that way. (A handler can still put a value into
    /// a message itself, and builtins that R words with the offending value, such as
    /// `object 'x' not found`, do echo what they were given: see README's trust model.)
    @Test func environmentValuesAreNotEchoedInErrorsOrLogs() throws {
        let secret = "fn-secret-\(getpid())-Zq8"
        setenv("FN_SECURITY_TEST_SECRET", secret, 1)
        defer { unsetenv("FN_SECURITY_TEST_SECRET") }
        let root = SecurityTests.taskRoot()
        let failing: [(String, String)] = [
            ("passes_it_down", "inner failed"),
            ("adds_to_it", "non-numeric argument to binary operator"),
            ("tests_it", "argument is not interpretable as logical"),
            ("indexes_it", "subscript out of bounds"),
            ("recurses_with_it", "evaluation nested too deeply"),
            ("returns_it_unserialisable", ""),
        ]
        var steps: [FakeRuntimeAPI.Step] = []
        for (name, _) in failing {
            steps.append(FakeRuntimeAPI.next(id: name, body: "{}"))
            steps.append(FakeRuntimeAPI.status(202))
        }
        // A handler stopped at its deadline (the runtime keeps 50 ms or so of margin).
        steps.append(FakeRuntimeAPI.next(id: "spins_with_it", body: "{}", deadlineMs: Clock.nowMs() + 400))
        steps.append(FakeRuntimeAPI.status(202))
        steps.append(FakeRuntimeAPI.status(500))
        let api = try FakeRuntimeAPI(steps)

        // One session per handler function, switched by request id: the loop serves one handler.
        let sessions = try Dictionary(uniqueKeysWithValues: (failing.map(\.0) + ["spins_with_it"]).map {
            ($0, try HandlerSession(handler: "h.\($0)", root: root, output: { _, _ in }))
        })
        let handler = SwitchingHandler(sessions)
        let logPath = temporaryDirectory("security-log") + "/log"
        let fd = open(logPath, O_CREAT | O_WRONLY | O_TRUNC, 0o600)
        defer { close(fd) }
        let client = try RuntimeAPIClient(endpoint: api.endpoint)
        let runtime = LambdaRuntime(client: client, handler: handler, logger: Logger(stdoutFD: fd, stderrFD: fd),
                                    environment: FunctionEnvironment(functionName: "security"))
        _ = runtime.run(limit: 100)

        let posted = api.requests.filter { $0.target.hasSuffix("/error") }
        #expect(posted.count == failing.count + 1, "\(api.requests.map(\.target))")
        for request in posted {
            let body = text(request.body)
            #expect(!body.contains(secret), "\(request.target): \(body)")
            #expect(!body.contains("fn-secret"), "\(request.target): \(body)")
        }
        for (name, message) in failing where !message.isEmpty {
            let body = posted.first { $0.target.contains("/\(name)/") }.map { text($0.body) } ?? ""
            #expect(body.contains(message), "\(name): \(body)")
        }
        let timeout = posted.first { $0.target.contains("/spins_with_it/") }
        #expect(timeout?.headers["Lambda-Runtime-Function-Error-Type"] == "Runtime.Timeout")
        let log = readFile(logPath)
        #expect(log.contains("inner failed"))
        #expect(!log.contains(secret), "\(log)")
    }
}

/// Dispatches each invocation to the session named by its request id, so one runtime loop can
/// exercise several handler functions.
private final class SwitchingHandler: InvocationHandler {
    let sessions: [String: HandlerSession]
    var output: (OutputKind, String) -> Void = { _, _ in } {
        didSet { for s in sessions.values { s.output = output } }
    }
    var logThreshold: LogLevel = .info {
        didSet { for s in sessions.values { s.logThreshold = logThreshold } }
    }

    init(_ sessions: [String: HandlerSession]) { self.sessions = sessions }

    func invoke(event: [UInt8], context: InvocationContext) -> Result<[UInt8], HandlerError> {
        guard let session = sessions[context.requestId] else {
            return .failure(HandlerError(errorType: "test", errorMessage: "no session \(context.requestId)"))
        }
        return session.invoke(event: event, context: context)
    }

    /// Called by the watchdog thread: cancels every session (each is reset before an invocation), so
    /// no state is shared with the loop's thread.
    func cancel() { for session in sessions.values { session.cancel() } }
    func prepareForInvocation() { for session in sessions.values { session.prepareForInvocation() } }
}
