import FnLanguage

/// What the runtime loop and the local server drive: one loaded handler.
///
/// `HandlerSession` is the implementation; the protocol exists so the loop's fault handling can
/// be tested against scripted handlers without the interpreter.
public protocol InvocationHandler: AnyObject {
    /// Runs one invocation; `event` is the raw request body.
    func invoke(event: [UInt8], context: InvocationContext) -> Result<[UInt8], HandlerError>
    /// Clears a cancellation left by an earlier invocation. The driver calls it before it arms
    /// the deadline, so a deadline already due when the invocation starts is never lost.
    func prepareForInvocation()
    /// Stops a running invocation at its next check (called from another thread).
    func cancel()
    /// Where the handler's output goes.
    var output: (OutputKind, String) -> Void { get set }
    /// The least severe `log_*` level the handler emits (the runtime's configured level).
    var logThreshold: LogLevel { get set }
}

extension HandlerSession: InvocationHandler {
    public var logThreshold: LogLevel {
        get { interpreter.logThreshold }
        set { interpreter.logThreshold = newValue }
    }
}

/// Runs invocations one at a time with a deadline: the watchdog cancels a handler that would
/// overrun it, and the result is then the runtime's own timeout error.
///
/// This is the single invocation path of `fn runtime` and `fn serve`.
public final class InvocationDriver<Handler: InvocationHandler> {
    public var handler: Handler
    private var watchdog: Watchdog?
    private let marginMs: Int64

    /// `marginMs`: how long before the deadline to cancel, leaving time to report the error.
    public init(handler: Handler, marginMs: Int64 = 100) {
        self.handler = handler
        self.marginMs = marginMs
    }

    /// Invokes the handler; a timeout becomes `Runtime.Timeout` with the handler's stack trace.
    public func invoke(event: [UInt8], context: InvocationContext) -> Result<[UInt8], HandlerError> {
        let started = Clock.nowMs()
        // Before arming: the watchdog may cancel at once when the deadline is (nearly) past.
        handler.prepareForInvocation()
        let watchdog = context.deadlineMs > 0 ? armedWatchdog(deadlineMs: context.deadlineMs) : nil
        let result = handler.invoke(event: event, context: context)
        guard let watchdog, watchdog.disarm(), case .failure(let error) = result else { return result }
        let seconds = Double(max(0, context.deadlineMs - started)) / 1000
        return .failure(HandlerError(
            errorType: RuntimeAPI.ErrorType.timeout,
            errorMessage: "Task timed out after \(Self.twoDecimals(seconds)) seconds",
            stackTrace: error.stackTrace))
    }

    private func armedWatchdog(deadlineMs: Int64) -> Watchdog {
        let watchdog: Watchdog
        if let existing = self.watchdog {
            watchdog = existing
        } else {
            // Created on first use so a process that never sees a deadline never starts the thread; the
            // closure holds the driver weakly so a replaced handler is the one cancelled.
            watchdog = Watchdog(marginMs: marginMs) { [weak self] in self?.handler.cancel() }
            self.watchdog = watchdog
        }
        watchdog.arm(deadlineMs: deadlineMs)
        return watchdog
    }

    static func twoDecimals(_ value: Double) -> String {
        let hundredths = Int((value * 100).rounded())
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}
