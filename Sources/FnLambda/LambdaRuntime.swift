import FnLanguage

/// The custom runtime: fetch an invocation, run it, post the result, forever.
///
/// A handler error never stops the loop. The loop stops, with a non-zero exit code so Lambda
/// restarts the environment, only when the Runtime API is gone or answers 5xx.
public final class LambdaRuntime<Handler: InvocationHandler> {
    let client: RuntimeAPIClient
    let driver: InvocationDriver<Handler>
    let logger: Logger
    let environment: FunctionEnvironment

    public init(client: RuntimeAPIClient, handler: Handler, logger: Logger,
                environment: FunctionEnvironment = .fromProcess(), marginMs: Int64 = 100) {
        self.client = client
        self.driver = InvocationDriver(handler: handler, marginMs: marginMs)
        self.logger = logger
        self.environment = environment
        handler.output = { [logger] kind, text in logger.handlerOutput(kind, text) }
        handler.logThreshold = logger.threshold
    }

    /// Runs until the Runtime API fails; returns the process exit code. `limit` bounds the
    /// number of invocations (tests); nil runs forever.
    public func run(limit: Int? = nil) -> Int32 {
        var served = 0
        while limit.map({ served < $0 }) ?? true {
            served += 1
            let invocation: Invocation
            do {
                invocation = try client.next(environment: environment)
            } catch {
                logger.requestId = nil
                logger.log(.fatal, "cannot get the next invocation: \(error)")
                return 1
            }
            let context = invocation.context
            logger.requestId = context.requestId
            // X-Ray SDKs read the trace header from the environment, per invocation.
            ProcessEnvironment.set(RuntimeAPI.Environment.traceId, context.traceId)

            let status: Int
            var posted = "response"
            do {
                switch driver.invoke(event: invocation.event, context: context) {
                case .success(let body):
                    status = try client.respond(to: context, body: body).status
                    if status == 413 {
                        let error = HandlerError(
                            errorType: RuntimeAPI.ErrorType.responseTooLarge,
                            errorMessage: "Response payload size (\(body.count) bytes) exceeded the maximum allowed")
                        logger.error(error, prefix: "Invoke Error")
                        try check(client.reportError(error, for: context).status, posting: "error")
                        continue
                    }
                case .failure(let error):
                    logger.error(error, prefix: "Invoke Error")
                    posted = "error"
                    status = try client.reportError(error, for: context).status
                }
                try check(status, posting: posted)
            } catch {
                logger.log(.fatal, "cannot report invocation \(context.requestId): \(error)")
                return 1
            }
        }
        return 0
    }

    /// 2xx is fine; 4xx concerns this invocation only (it timed out, the id is stale, ...), so it is
    /// logged and the loop goes on; 5xx means the environment is broken.
    private func check(_ status: Int, posting what: String) throws(RuntimeAPIError) {
        switch status {
        case 200..<300:
            return
        case 400..<500:
            logger.log(.warn, "Runtime API rejected the \(what) with status \(status)")
        default:
            throw .status(status, "posting the \(what)")
        }
    }
}

/// `fn runtime [HANDLER]`: the process Lambda starts as `bootstrap`.
public enum RuntimeMain {
    /// Reads the environment, loads the handler, reports an init error or runs the loop.
    /// Returns the process exit code.
    public static func run(handlerArgument: String?) -> Int32 {
        typealias E = RuntimeAPI.Environment
        let logger = Logger.fromEnvironment()
        MemoryBudget.configureFromEnvironment()
        guard let endpoint = ProcessEnvironment.get(E.runtimeAPI), !endpoint.isEmpty else {
            logger.log(.fatal, "\(E.runtimeAPI) is not set: `fn runtime` runs inside Lambda or its emulator; "
                + "use `fn serve` or `fn invoke` locally")
            return 2
        }
        let client: RuntimeAPIClient
        do {
            client = try RuntimeAPIClient(endpoint: endpoint)
        } catch {
            logger.log(.fatal, "\(error)")
            return 2
        }
        let handlerName = ProcessEnvironment.get(E.handler).flatMap { $0.isEmpty ? nil : $0 } ?? handlerArgument ?? ""
        let root = ProcessEnvironment.get(E.taskRoot).flatMap { $0.isEmpty ? nil : $0 } ?? currentDirectory()

        let session: HandlerSession
        do throws(HandlerError) {
            if handlerName.isEmpty {
                throw HandlerError(errorType: "Runtime.MalformedHandlerName",
                                   errorMessage: "No handler: set _HANDLER or pass file.function to `fn runtime`")
            }
            session = try HandlerSession(handler: handlerName, root: root, logThreshold: logger.threshold,
                                         output: { [logger] kind, text in logger.handlerOutput(kind, text) })
        } catch {
            logger.error(error, prefix: "Init Error")
            do {
                _ = try client.reportInitError(error)
            } catch {
                logger.log(.fatal, "cannot report the init error: \(error)")
            }
            return 1
        }
        return LambdaRuntime(client: client, handler: session, logger: logger).run()
    }
}
