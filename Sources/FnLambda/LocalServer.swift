#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import FnLanguage

/// `fn serve`: Lambda's Invoke API on a local socket, in front of one handler session.
///
/// `POST /2015-03-31/functions/{name}/invocations` runs the handler (any name maps to it) and
/// answers like Lambda: 200 with the result, or 200 with the error object and
/// `X-Amz-Function-Error: Unhandled`. Each connection gets a thread and keeps alive; invocations
/// are serialised into the one session (one at a time, like a single Lambda environment), so
/// globals behave as they do in Lambda. `START`/`END`/`REPORT` lines go to stdout.
///
/// `X-Amz-Log-Type: Tail` adds `X-Amz-Log-Result`, the base64 of the last 4 KB of the
/// invocation's log. `X-Amz-Invocation-Type: Event` answers 202 at once and queues the invocation;
/// queued invocations run in order, in the same one-at-a-time session. `DryRun` answers 204.
public final class LocalServer<Handler: InvocationHandler> {
    public let driver: InvocationDriver<Handler>
    private let listener: Socket
    private let logger: Logger
    private let timeoutMs: Int64
    private let environment: FunctionEnvironment
    private let invocationLock = Lock()
    /// Event invocations accepted but not yet run, oldest first, and whether a thread runs them.
    private let eventLock = Lock()
    private var pendingEvents: [InvokeRequest] = []
    private var eventWorkerRunning = false
    private let stopPipe: (read: Int32, write: Int32)
    /// How long an idle keep-alive connection stays open.
    private let idleSeconds: Double

    /// Runs before each invocation, under the invocation lock: the place to reload edited source
    /// files and swap `driver.handler` for a fresh session.
    public var beforeInvocation: ((InvocationDriver<Handler>) -> Void)?

    /// Binds `host:port` (port 0 picks a free one; see `port`). With `handleSignals`, SIGINT and
    /// SIGTERM make `run` return; they are caught before the port opens, so a client that sees the
    /// port can already stop the server.
    public init(handler: Handler, host: String, port: Int, timeoutSeconds: Double, logger: Logger,
                environment: FunctionEnvironment = .fromProcess(), idleSeconds: Double = 60,
                handleSignals: Bool = false) throws(HTTPError) {
        var fds: [Int32] = [0, 0]
        if pipe(&fds) != 0 { throw .io(errno, "pipe") }
        self.stopPipe = (fds[0], fds[1])
        if handleSignals { SignalPipe.route([SIGINT, SIGTERM], to: fds[1]) }
        self.listener = try Socket.listen(host: host, port: port)
        self.driver = InvocationDriver(handler: handler)
        self.logger = logger
        self.timeoutMs = Int64(timeoutSeconds * 1000)
        self.environment = environment
        self.idleSeconds = idleSeconds
        handler.output = { [logger] kind, text in logger.handlerOutput(kind, text) }
        handler.logThreshold = logger.threshold
    }

    /// The bound port.
    public var port: Int { listener.localPort }

    /// Accepts connections until `stop()` or a stop signal (see `init`). Returns the exit code.
    public func run() -> Int32 {
        var fds = [pollfd(fd: listener.fd, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: stopPipe.read, events: Int16(POLLIN), revents: 0)]
        while true {
            let n = poll(&fds, 2, -1)
            if n < 0 {
                if errno == EINTR { continue }
                logger.log(.fatal, "poll failed: \(Errno.describe(errno))")
                return 1
            }
            if fds[1].revents != 0 {
                // A running invocation is cancelled so a stuck handler does not hold up the exit.
                driver.handler.cancel()
                return 0
            }
            guard fds[0].revents != 0 else { continue }
            let connection: Socket
            do {
                connection = try listener.accept()
            } catch {
                logger.log(.error, "accept failed: \(error)")
                continue
            }
            // Handlers run here: a large stack, so deep recursion and deeply nested results stay clean.
            startLargeStackThread { [self] in serve(connection) }
        }
    }

    /// Makes `run` return (thread-safe).
    public func stop() {
        var byte: UInt8 = 1
        _ = write(stopPipe.write, &byte, 1)
    }

    // MARK: Connections

    private func serve(_ socket: Socket) {
        socket.setReceiveTimeout(seconds: idleSeconds)
        var reader = HTTPReader(source: SocketSource(socket), limits: HTTPLimits(maxBodyBytes: InvokeAPI.maxPayloadBytes))
        while true {
            var response: HTTPResponse
            var keepAlive = true
            do throws(HTTPError) {
                guard let request = try reader.readRequest(beforeBody: { headers throws(HTTPError) in
                    // curl asks before sending large bodies; refusing early is the limit's job, below.
                    if headers["Expect"].map({ HTTPHeaders.sameName($0, "100-continue") }) == true {
                        try socket.send(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8))
                    }
                }) else { return }
                keepAlive = request.keepAlive
                response = handle(request)
            } catch {
                switch error {
                case .bodyTooLarge:
                    response = Self.apiError(413, type: RuntimeAPI.ErrorType.requestTooLarge,
                                             message: "Request must be smaller than \(InvokeAPI.maxPayloadBytes) bytes "
                                                 + "for the InvokeFunction operation")
                case .headTooLarge, .tooManyHeaders:
                    response = Self.apiError(431, type: "RequestHeaderFieldsTooLarge", message: "\(error)")
                case .malformed:
                    response = Self.apiError(400, type: "BadRequest", message: "\(error)")
                case .truncated, .io, .timedOut, .address:
                    return
                }
                keepAlive = false
            }
            if !keepAlive { response.headers.set("Connection", "close") }
            do {
                try socket.send(HTTPWriter.responseHead(status: response.status, reason: response.reason,
                                                        headers: response.headers, bodyCount: response.body.count),
                                response.body)
            } catch {
                return
            }
            if !keepAlive {
                drain(socket)
                return
            }
        }
    }

    /// After refusing a request, reads what the client is still sending before closing, so the
    /// client sees our answer instead of a connection reset.
    private func drain(_ socket: Socket) {
        socket.shutdownWrite()
        socket.setReceiveTimeout(seconds: 2)
        var scratch = [UInt8](repeating: 0, count: 64 * 1024)
        var total = 0
        while total < 64 * 1024 * 1024 {
            let n = (try? scratch.withUnsafeMutableBytes { try socket.receive(into: $0) }) ?? 0
            if n <= 0 { return }
            total += n
        }
    }

    // MARK: Invoke API

    /// Routes one request: the invoke path, or Lambda-shaped 404/405 errors.
    func handle(_ request: HTTPRequest) -> HTTPResponse {
        let path = request.path
        guard path.hasPrefix(InvokeAPI.functionsPrefix), path.hasSuffix(InvokeAPI.invocationsSuffix),
              path.count > InvokeAPI.functionsPrefix.count + InvokeAPI.invocationsSuffix.count else {
            return Self.apiError(404, type: "UnknownOperationException",
                                 message: "Unknown operation \(request.method) \(path)")
        }
        let name = path.dropFirst(InvokeAPI.functionsPrefix.count).dropLast(InvokeAPI.invocationsSuffix.count)
        guard !name.contains("/") else {
            return Self.apiError(404, type: "UnknownOperationException",
                                 message: "Unknown operation \(request.method) \(path)")
        }
        guard request.method == "POST" else {
            var response = Self.apiError(405, type: "MethodNotAllowedException",
                                         message: "\(request.method) is not allowed on \(path); use POST")
            response.headers.add("Allow", "POST")
            return response
        }
        let invocationType = request.headers[InvokeAPI.invocationTypeHeader] ?? "RequestResponse"
        if invocationType == "DryRun" { return HTTPResponse(status: 204) }

        let invocation = InvokeRequest(requestId: RequestID.make(), functionName: String(name), event: request.body,
                                    clientContext: request.headers["X-Amz-Client-Context"])
        var headers = HTTPHeaders([
            ("Content-Type", RuntimeAPI.MediaType.json),
            (InvokeAPI.requestIdHeader, invocation.requestId),
            ("X-Amz-Executed-Version", environment.functionVersion),
        ])
        if invocationType == "Event" {
            // Lambda queues an asynchronous invocation and answers at once; it runs later, after
            // the ones queued before it.
            enqueue(invocation)
            return HTTPResponse(status: 202, headers: headers)
        }
        let tail = request.headers[InvokeAPI.logTypeHeader] == "Tail"
        let (result, log) = run(invocation, tail: tail)
        if tail { headers.add(InvokeAPI.logResultHeader, base64(log)) }
        switch result {
        case .success(let body):
            return HTTPResponse(status: 200, headers: headers, body: body)
        case .failure(let error):
            headers.add(InvokeAPI.functionErrorHeader, InvokeAPI.unhandled)
            return HTTPResponse(status: 200, headers: headers, body: JSONText.error(error))
        }
    }

    /// What an invocation needs from its request, kept while an Event invocation waits its turn.
    struct InvokeRequest {
        var requestId: String
        var functionName: String
        var event: [UInt8]
        var clientContext: String?
    }

    /// Runs one invocation in the session, between `START` and `REPORT` lines; with `tail`, also
    /// returns the last 4 KB of what it logged. The deadline starts now, not when it was queued.
    private func run(_ invocation: InvokeRequest, tail: Bool) -> (Result<[UInt8], HandlerError>, [UInt8]) {
        invocationLock.withLock {
            beforeInvocation?(driver)
            let requestId = invocation.requestId
            var context = InvocationContext(
                requestId: requestId, deadlineMs: Clock.nowMs() + timeoutMs,
                invokedFunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:\(invocation.functionName)",
                clientContext: invocation.clientContext,
                functionName: invocation.functionName, functionVersion: environment.functionVersion,
                memoryLimitMB: environment.memoryLimitMB, logGroupName: environment.logGroupName,
                logStreamName: environment.logStreamName)
            if context.functionName.isEmpty { context.functionName = environment.functionName }

            if tail { logger.startCapture(limit: InvokeAPI.logResultBytes) }
            logger.requestId = requestId
            logger.raw("START RequestId: \(requestId) Version: \(context.functionVersion)")
            let started = Clock.monotonicNs()
            let result = driver.invoke(event: invocation.event, context: context)
            let ms = Double(Clock.monotonicNs() - started) / 1_000_000
            if case .failure(let error) = result { logger.error(error, prefix: "Invoke Error") }
            logger.raw("END RequestId: \(requestId)")
            logger.raw("REPORT RequestId: \(requestId)\tDuration: \(InvocationDriver<Handler>.twoDecimals(ms)) ms\t"
                + "Billed Duration: \(Int(ms.rounded(.up))) ms\tMemory Size: \(context.memoryLimitMB) MB\t"
                + "Max Memory Used: \(maxMemoryUsedMB()) MB")
            logger.requestId = nil
            return (result, tail ? logger.finishCapture() : [])
        }
    }

    // MARK: Event invocations

    /// Queues an Event invocation; one worker thread runs the queue in order while it is non-empty.
    private func enqueue(_ invocation: InvokeRequest) {
        let startWorker = eventLock.withLock { () -> Bool in
            pendingEvents.append(invocation)
            if eventWorkerRunning { return false }
            eventWorkerRunning = true
            return true
        }
        if startWorker { startLargeStackThread { [self] in runPendingEvents() } }
    }

    private func runPendingEvents() {
        while true {
            let next = eventLock.withLock { () -> InvokeRequest? in
                if pendingEvents.isEmpty {
                    eventWorkerRunning = false
                    return nil
                }
                return pendingEvents.removeFirst()
            }
            guard let next else { return }
            // The result has no one to go to; an error is in the log, as Lambda logs it.
            _ = run(next, tail: false)
        }
    }

    /// A Lambda API error: `X-Amzn-ErrorType` and `{"Type": "User", "message": ...}`, which boto3
    /// and the AWS CLI turn into a named exception.
    static func apiError(_ status: Int, type: String, message: String) -> HTTPResponse {
        var body: [UInt8] = Array(#"{"Type":"User","message":"#.utf8)
        JSONText.appendString(message, to: &body)
        body.append(UInt8(ascii: "}"))
        return HTTPResponse(status: status, headers: HTTPHeaders([
            ("Content-Type", RuntimeAPI.MediaType.json),
            (InvokeAPI.errorTypeHeader, type),
        ]), body: body)
    }
}


extension InvokeAPI {
    static let invocationTypeHeader = "X-Amz-Invocation-Type"
    /// `Tail` asks for the invocation's log in `X-Amz-Log-Result` (synchronous invocations only).
    static let logTypeHeader = "X-Amz-Log-Type"
    static let logResultHeader = "X-Amz-Log-Result"
    /// How much of the log `X-Amz-Log-Result` carries: Lambda's "last 4 KB".
    static let logResultBytes = 4096
}

/// RFC 4648 base64 with padding (the language has its own for `base64_enc`, internal to it).
func base64(_ bytes: [UInt8]) -> String {
    let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    var out: [UInt8] = []
    out.reserveCapacity((bytes.count + 2) / 3 * 4)
    var i = 0
    while i < bytes.count {
        let count = min(3, bytes.count - i)
        var n = UInt32(bytes[i]) << 16
        if count > 1 { n |= UInt32(bytes[i + 1]) << 8 }
        if count > 2 { n |= UInt32(bytes[i + 2]) }
        out.append(alphabet[Int(n >> 18 & 63)])
        out.append(alphabet[Int(n >> 12 & 63)])
        out.append(count > 1 ? alphabet[Int(n >> 6 & 63)] : UInt8(ascii: "="))
        out.append(count > 2 ? alphabet[Int(n & 63)] : UInt8(ascii: "="))
        i += 3
    }
    return String(decoding: out, as: UTF8.self)
}
