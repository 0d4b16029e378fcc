import Glibc
import Testing
@testable import FnLambda
import FnLanguage

/// A scripted Runtime API: answers requests in order from a list of steps, recording what it got.
/// When the script runs out it closes its listening socket, so the runtime sees the API vanish.
final class FakeRuntimeAPI {
    enum Step {
        /// Answer with this response.
        case respond(HTTPResponse)
        /// Send these raw bytes and close the connection (a peer dying mid-message).
        case sendAndClose([UInt8])
        /// Answer with this response one byte at a time, pausing between bytes (a slow network).
        case drip(HTTPResponse, microseconds: UInt32)
    }

    private let listener: Socket
    private var steps: [Step]
    private let lock = Lock()
    private var _requests: [HTTPRequest] = []
    private var done = false
    private var finished = pthread_cond_t()
    private var finishedMutex = pthread_mutex_t()

    var endpoint: String { "127.0.0.1:\(listener.localPort)" }

    var requests: [HTTPRequest] { lock.withLock { _requests } }

    init(_ steps: [Step]) throws {
        listener = try Socket.listen(host: "127.0.0.1", port: 0)
        self.steps = steps
        startThread { [self] in serve() }
    }

    private func serve() {
        while !steps.isEmpty {
            guard let connection = try? listener.accept() else { return }
            var reader = HTTPReader(source: SocketSource(connection))
            connectionLoop: while !steps.isEmpty {
                guard let request = try? reader.readRequest() else { break }
                lock.withLock { _requests.append(request) }
                switch steps.removeFirst() {
                case .respond(let response):
                    try? connection.send(HTTPWriter.response(response))
                case .sendAndClose(let bytes):
                    try? connection.send(bytes)
                    break connectionLoop
                case .drip(let response, let pause):
                    for byte in HTTPWriter.response(response) {
                        try? connection.send([byte])
                        usleep(pause)
                    }
                }
            }
        }
        listener.shutdownBoth()
    }

    // MARK: Script helpers

    static func next(id: String, body: String = #"{"number":5}"#, extra: [(String, String)] = [],
                     deadlineMs: Int64 = Clock.nowMs() + 60_000) -> Step {
        var headers = HTTPHeaders([
            ("Lambda-Runtime-Aws-Request-Id", id),
            ("Lambda-Runtime-Deadline-Ms", String(deadlineMs)),
            ("Content-Type", "application/json"),
        ])
        for (name, value) in extra { headers.add(name, value) }
        return .respond(HTTPResponse(status: 200, headers: headers, body: Array(body.utf8)))
    }

    static func status(_ code: Int) -> Step {
        .respond(HTTPResponse(status: code, headers: HTTPHeaders([("Content-Type", "application/json")]),
                              body: Array(#"{"status":"OK"}"#.utf8)))
    }
}

/// A handler scripted per test: `body` computes the result; `cancel()` flips a flag `body` can poll.
final class FakeHandler: InvocationHandler {
    var output: (OutputKind, String) -> Void = { _, _ in }
    var logThreshold: LogLevel = .info
    private let lock = Lock()
    private var cancelled = false
    var seenTraceIds: [String?] = []
    var seenContexts: [InvocationContext] = []
    let body: (FakeHandler, [UInt8]) -> Result<[UInt8], HandlerError>

    init(_ body: @escaping (FakeHandler, [UInt8]) -> Result<[UInt8], HandlerError>) {
        self.body = body
    }

    var isCancelled: Bool { lock.withLock { cancelled } }

    /// The order of `prepareForInvocation` and `cancel` calls, for tests of the deadline.
    private(set) var events: [String] = []

    func prepareForInvocation() {
        lock.withLock {
            cancelled = false
            events.append("prepare")
        }
    }

    func invoke(event: [UInt8], context: InvocationContext) -> Result<[UInt8], HandlerError> {
        seenTraceIds.append(getenv("_X_AMZN_TRACE_ID").map { String(cString: $0) })
        seenContexts.append(context)
        return body(self, event)
    }

    func cancel() {
        lock.withLock {
            cancelled = true
            events.append("cancel")
        }
    }

    var eventLog: [String] { lock.withLock { events } }
}

/// A logger writing to /dev/null, for tests that check the wire, not the log.
func quietLogger() -> Logger {
    let fd = open("/dev/null", O_WRONLY)
    return Logger(stdoutFD: fd, stderrFD: fd)
}

func runLoop(_ api: FakeRuntimeAPI, _ handler: FakeHandler, logger: Logger = quietLogger()) throws -> Int32 {
    let client = try RuntimeAPIClient(endpoint: api.endpoint)
    let runtime = LambdaRuntime(client: client, handler: handler, logger: logger,
                                environment: FunctionEnvironment(functionName: "fake"))
    return runtime.run(limit: 100)
}

let echo: (FakeHandler, [UInt8]) -> Result<[UInt8], HandlerError> = { _, event in .success(event) }

// Serialized: the loop sets _X_AMZN_TRACE_ID in the process environment.
@Suite(.serialized) struct RuntimeLoopTests {
    @Test func servesInvocationsUntilTheAPIAnswers500() throws {
        let api = try FakeRuntimeAPI([
            FakeRuntimeAPI.next(id: "r1", extra: [
                ("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:1:function:f"),
                ("Lambda-Runtime-Trace-Id", "Root=1-abc"),
                ("Lambda-Runtime-Client-Context", "{}"),
                ("Lambda-Runtime-Cognito-Identity", "{\"id\":1}"),
                ("Lambda-Runtime-Aws-Tenant-Id", "tenant-7"),
                ("Lambda-Runtime-Invocation-Id", "inv-1"),
            ]),
            FakeRuntimeAPI.status(202),
            FakeRuntimeAPI.next(id: "r2", body: "second"),
            FakeRuntimeAPI.status(202),
            FakeRuntimeAPI.status(500),
        ])
        let handler = FakeHandler(echo)
        #expect(try runLoop(api, handler) == 1)

        let requests = api.requests
        #expect(requests.map { "\($0.method) \($0.target)" } == [
            "GET /2018-06-01/runtime/invocation/next",
            "POST /2018-06-01/runtime/invocation/r1/response",
            "GET /2018-06-01/runtime/invocation/next",
            "POST /2018-06-01/runtime/invocation/r2/response",
            "GET /2018-06-01/runtime/invocation/next",
        ])
        #expect(text(requests[1].body) == #"{"number":5}"#)
        #expect(requests[1].headers["Lambda-Runtime-Invocation-Id"] == "inv-1")
        #expect(requests[3].headers["Lambda-Runtime-Invocation-Id"] == nil)
        #expect(text(requests[3].body) == "second")

        let first = handler.seenContexts[0]
        #expect(first.requestId == "r1")
        #expect(first.invokedFunctionArn == "arn:aws:lambda:us-east-1:1:function:f")
        #expect(first.clientContext == "{}")
        #expect(first.cognitoIdentity == "{\"id\":1}")
        #expect(first.tenantId == "tenant-7")
        #expect(first.functionName == "fake")
        #expect(handler.seenContexts[1].traceId == nil)
        // The trace id is set per invocation and cleared when the next one has none.
        #expect(handler.seenTraceIds == ["Root=1-abc", nil])
    }

    @Test func handlerErrorsArePostedAndTheLoopGoesOn() throws {
        let api = try FakeRuntimeAPI([
            FakeRuntimeAPI.next(id: "bad"),
            FakeRuntimeAPI.status(202),
            FakeRuntimeAPI.next(id: "good"),
            FakeRuntimeAPI.status(202),
        ])
        var calls = 0
        let handler = FakeHandler { _, event in
            calls += 1
            if calls == 1 {
                return .failure(HandlerError(errorType: "simpleError", errorMessage: "boom\nsecond line",
                                             stackTrace: ["parity (functions.fn:2:3)"]))
            }
            return .success(event)
        }
        // The script ends after the second response; the API vanishing is a non-zero exit.
        #expect(try runLoop(api, handler) == 1)
        let requests = api.requests
        #expect(requests[1].target == "/2018-06-01/runtime/invocation/bad/error")
        #expect(requests[1].headers["Content-Type"] == "application/vnd.aws.lambda.error+json")
        #expect(requests[1].headers["Lambda-Runtime-Function-Error-Type"] == "simpleError")
        #expect(text(requests[1].body)
            == #"{"errorMessage":"boom\nsecond line","errorType":"simpleError","stackTrace":["parity (functions.fn:2:3)"]}"#)
        #expect(requests[3].target == "/2018-06-01/runtime/invocation/good/response")
    }

    @Test func responseTooLargeBecomesAnErrorForThatInvocation() throws {
        let api = try FakeRuntimeAPI([
            FakeRuntimeAPI.next(id: "big"),
            FakeRuntimeAPI.status(413),
            FakeRuntimeAPI.status(202),
            FakeRuntimeAPI.next(id: "after"),
            FakeRuntimeAPI.status(202),
            FakeRuntimeAPI.status(500),
        ])
        #expect(try runLoop(api, FakeHandler(echo)) == 1)
        let requests = api.requests
        #expect(requests.map(\.target) == [
            "/2018-06-01/runtime/invocation/next",
            "/2018-06-01/runtime/invocation/big/response",
            "/2018-06-01/runtime/invocation/big/error",
            "/2018-06-01/runtime/invocation/next",
            "/2018-06-01/runtime/invocation/after/response",
            "/2018-06-01/runtime/invocation/next",
        ])
        #expect(requests[2].headers["Lambda-Runtime-Function-Error-Type"] == "Runtime.ResponseTooLarge")
    }

    @Test(arguments: [400, 403, 410])
    func rejectedResponsesAreLoggedAndTheLoopGoesOn(status: Int) throws {
        let api = try FakeRuntimeAPI([
            FakeRuntimeAPI.next(id: "stale"),
            FakeRuntimeAPI.status(status),
            FakeRuntimeAPI.next(id: "fresh"),
            FakeRuntimeAPI.status(202),
            FakeRuntimeAPI.status(500),
        ])
        #expect(try runLoop(api, FakeHandler(echo)) == 1)
        #expect(api.requests.map(\.target).last == "/2018-06-01/runtime/invocation/next")
        #expect(api.requests.count == 5)
    }

    @Test func serverErrorOnAResponseStopsTheLoop() throws {
        let api = try FakeRuntimeAPI([
            FakeRuntimeAPI.next(id: "x"),
            FakeRuntimeAPI.status(500),
            FakeRuntimeAPI.next(id: "never"),
        ])
        #expect(try runLoop(api, FakeHandler(echo)) == 1)
        #expect(api.requests.count == 2)
    }

    @Test func connectionClosedMidBodyReconnects() throws {
        let partial = Array("HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: lost\r\nContent-Length: 100\r\n\r\n{\"numb".utf8)
        let api = try FakeRuntimeAPI([
            .sendAndClose(partial),
            FakeRuntimeAPI.next(id: "retried", body: "7"),
            FakeRuntimeAPI.status(202),
            .sendAndClose([]),
            FakeRuntimeAPI.status(500),
        ])
        let handler = FakeHandler(echo)
        #expect(try runLoop(api, handler) == 1)
        let requests = api.requests
        #expect(requests.map(\.target) == [
            "/2018-06-01/runtime/invocation/next",
            "/2018-06-01/runtime/invocation/next",
            "/2018-06-01/runtime/invocation/retried/response",
            "/2018-06-01/runtime/invocation/next",
            "/2018-06-01/runtime/invocation/next",
        ])
        #expect(handler.seenContexts.map(\.requestId) == ["retried"])
    }

    @Test func missingHeadersAreTolerated() throws {
        let bare = FakeRuntimeAPI.Step.respond(HTTPResponse(
            status: 200, headers: HTTPHeaders([("Lambda-Runtime-Aws-Request-Id", "bare")]), body: []))
        let api = try FakeRuntimeAPI([bare, FakeRuntimeAPI.status(202), FakeRuntimeAPI.status(500)])
        let handler = FakeHandler(echo)
        #expect(try runLoop(api, handler) == 1)
        #expect(handler.seenContexts.first?.deadlineMs == 0)
        #expect(handler.seenContexts.first?.invokedFunctionArn == "")
        #expect(api.requests[1].target == "/2018-06-01/runtime/invocation/bare/response")
    }

    @Test func aStuckHandlerIsCancelledBeforeTheDeadline() throws {
        let api = try FakeRuntimeAPI([
            FakeRuntimeAPI.next(id: "slow", deadlineMs: Clock.nowMs() + 400),
            FakeRuntimeAPI.status(202),
            FakeRuntimeAPI.next(id: "quick", body: "7"),
            FakeRuntimeAPI.status(202),
            FakeRuntimeAPI.status(500),
        ])
        let handler = FakeHandler { handler, event in
            if event == Array("7".utf8) { return .success(event) }
            while !handler.isCancelled { usleep(1000) }
            return .failure(HandlerError(errorType: "Runtime.Cancelled", errorMessage: "cancelled",
                                         stackTrace: ["loop (f.fn:3:5)"]))
        }
        #expect(try runLoop(api, handler) == 1)
        let requests = api.requests
        #expect(requests[1].target == "/2018-06-01/runtime/invocation/slow/error")
        #expect(requests[1].headers["Lambda-Runtime-Function-Error-Type"] == "Runtime.Timeout")
        #expect(text(requests[1].body).hasPrefix(#"{"errorMessage":"Task timed out after 0."#))
        #expect(text(requests[1].body).hasSuffix(#""errorType":"Runtime.Timeout","stackTrace":["loop (f.fn:3:5)"]}"#))
        // The handler was not cancelled again on the next invocation.
        #expect(requests[3].target == "/2018-06-01/runtime/invocation/quick/response")
    }

    @Test func badEndpointIsRejected() {
        #expect(throws: RuntimeAPIError.self) { try RuntimeAPIClient(endpoint: "nonsense") }
        #expect(throws: RuntimeAPIError.self) { try RuntimeAPIClient(endpoint: ":9001") }
        #expect((try? RuntimeAPIClient(endpoint: "[::1]:9001"))?.host == "::1")
    }
}
