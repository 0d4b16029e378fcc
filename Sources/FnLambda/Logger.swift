import FnLanguage

/// The runtime's log: its own lines and the handler's output, in Lambda's Text or JSON format.
///
/// - Text (default): `print`/`cat` pass through to stdout and `message` to stderr unchanged;
///   leveled lines read `timestamp<TAB>requestId<TAB>LEVEL<TAB>message`, with newlines inside a
///   message turned into carriage returns so CloudWatch keeps it as one event (as the Node runtime does).
/// - JSON: every piece of output is one object per line: `timestamp`, `level`, `message`,
///   `requestId` (plus `errorType`, `errorMessage`, `stackTrace` for errors).
///
/// The level threshold (`AWS_LAMBDA_LOG_LEVEL`, else `LOG_LEVEL`, default INFO) filters leveled
/// lines (`log_*` and the runtime's own). `print`, `cat` and `message` are the program's output
/// and are never dropped; in JSON they are INFO objects.
public final class Logger {
    public enum Format: Sendable { case text, json }

    public let format: Format
    public let threshold: LogLevel
    /// The invocation in progress, stamped on every line.
    public var requestId: String?
    private let stdoutFD: Int32
    private let stderrFD: Int32
    /// The tail of what was written since `startCapture`, for `X-Amz-Log-Type: Tail`.
    private var capture: LogTail?
    private let captureLock = Lock()

    public init(format: Format = .text, threshold: LogLevel = .info, stdoutFD: Int32 = 1, stderrFD: Int32 = 2) {
        self.format = format
        self.threshold = threshold
        self.stdoutFD = stdoutFD
        self.stderrFD = stderrFD
    }

    /// Reads `AWS_LAMBDA_LOG_FORMAT` and `AWS_LAMBDA_LOG_LEVEL` (else `LOG_LEVEL`).
    public static func fromEnvironment() -> Logger {
        typealias E = RuntimeAPI.Environment
        let format: Format = ProcessEnvironment.get(E.logFormat).map { $0.uppercased() == "JSON" } == true ? .json : .text
        return Logger(format: format, threshold: thresholdFromEnvironment())
    }

    /// The level `AWS_LAMBDA_LOG_LEVEL` (else `LOG_LEVEL`) names, default INFO: what every fn
    /// command hands the interpreter as its `log_*` threshold.
    public static func thresholdFromEnvironment() -> LogLevel {
        typealias E = RuntimeAPI.Environment
        let levelName = ProcessEnvironment.get(E.logLevel) ?? ProcessEnvironment.get(E.fallbackLogLevel)
        return levelName.flatMap { LogLevel(name: $0) } ?? .info
    }

    /// Starts keeping the last `limit` bytes of everything this logger writes, to both streams.
    public func startCapture(limit: Int) {
        captureLock.withLock { capture = LogTail(limit: limit) }
    }

    /// Stops capturing and returns what was kept (empty if nothing was being captured).
    public func finishCapture() -> [UInt8] {
        captureLock.withLock {
            defer { capture = nil }
            return capture?.bytes ?? []
        }
    }

    /// Receives the handler's output (wired to `HandlerSession.output`).
    public func handlerOutput(_ kind: OutputKind, _ text: String) {
        switch (kind, format) {
        case (.stdout, .text):
            write(stdoutFD, Array(text.utf8))
        case (.stderr, .text):
            write(stderrFD, Array(text.utf8))
        case (.stdout, .json), (.stderr, .json):
            // cat("a"); cat("b\n") arrives in pieces; each piece is one object (no buffering, so
            // nothing is lost if the process dies), without the newline that ends it.
            var message = Substring(text)
            if message.hasSuffix("\n") { message = message.dropLast() }
            if message.isEmpty { return }
            emit(.info, String(message), stream: kind == .stderr ? stderrFD : stdoutFD)
        case (.log(let level), _):
            // The interpreter already applied its threshold, which the handler may have changed
            // with log_threshold(); filtering again here would undo that.
            emit(level, text.hasSuffix("\n") ? String(text.dropLast()) : text, stream: stdoutFD)
        }
    }

    /// One leveled line, if at or above the threshold.
    public func log(_ level: LogLevel, _ message: String) {
        guard level >= threshold else { return }
        emit(level, message, stream: stdoutFD)
    }

    /// An invocation or init error as one event: Lambda's error JSON in Text, fields in JSON.
    public func error(_ error: HandlerError, prefix: String) {
        guard LogLevel.error >= threshold else { return }
        switch format {
        case .text:
            let body = String(decoding: JSONText.error(error), as: UTF8.self)
            emit(.error, "\(prefix) \(body)", stream: stdoutFD)
        case .json:
            var extra: [UInt8] = []
            extra.append(contentsOf: #","errorType":"#.utf8)
            JSONText.appendString(error.errorType, to: &extra)
            extra.append(contentsOf: #","errorMessage":"#.utf8)
            JSONText.appendString(error.errorMessage, to: &extra)
            extra.append(contentsOf: #","stackTrace":["#.utf8)
            for (i, frame) in error.stackTrace.enumerated() {
                if i > 0 { extra.append(UInt8(ascii: ",")) }
                JSONText.appendString(frame, to: &extra)
            }
            extra.append(UInt8(ascii: "]"))
            emit(.error, "\(prefix) \(error.errorType): \(error.errorMessage)", stream: stdoutFD, extra: extra)
        }
    }

    /// A line exactly as given, in either format (Lambda's `START`/`END`/`REPORT` platform lines).
    public func raw(_ line: String) {
        write(stdoutFD, Array((line + "\n").utf8))
    }

    private func emit(_ level: LogLevel, _ message: String, stream: Int32, extra: [UInt8] = []) {
        let timestamp = Clock.iso8601(ms: Clock.nowMs())
        var out: [UInt8] = []
        out.reserveCapacity(message.utf8.count + 96)
        switch format {
        case .text:
            out.append(contentsOf: timestamp.utf8)
            out.append(9)
            out.append(contentsOf: (requestId ?? "undefined").utf8)
            out.append(9)
            out.append(contentsOf: level.name.utf8)
            out.append(9)
            for byte in message.utf8 { out.append(byte == 10 ? 13 : byte) }
        case .json:
            out.append(contentsOf: #"{"timestamp":""#.utf8)
            out.append(contentsOf: timestamp.utf8)
            out.append(contentsOf: #"","level":""#.utf8)
            out.append(contentsOf: level.name.utf8)
            out.append(contentsOf: #"","message":"#.utf8)
            JSONText.appendString(message, to: &out)
            if let requestId {
                out.append(contentsOf: #","requestId":"#.utf8)
                JSONText.appendString(requestId, to: &out)
            }
            out.append(contentsOf: extra)
            out.append(UInt8(ascii: "}"))
        }
        out.append(10)
        write(stream, out)
    }

    private func write(_ fd: Int32, _ bytes: [UInt8]) {
        writeAll(fd, bytes)
        captureLock.withLock { capture?.append(bytes) }
    }
}

/// The last `limit` bytes of a stream, cut at a byte, not a character: Lambda's log tail is
/// bytes, so its first character may arrive partial.
struct LogTail {
    let limit: Int
    private var buffer: [UInt8] = []

    init(limit: Int) { self.limit = limit }

    mutating func append(_ bytes: [UInt8]) {
        buffer.append(contentsOf: bytes)
        // Trimming only past twice the limit keeps appends amortised linear.
        if buffer.count > 2 * limit { buffer.removeFirst(buffer.count - limit) }
    }

    var bytes: [UInt8] { Array(buffer.suffix(limit)) }
}
