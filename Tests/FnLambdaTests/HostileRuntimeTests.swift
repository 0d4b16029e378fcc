import Glibc
import Testing
@testable import FnLambda
import FnLanguage

/// A logger whose lines land in a temporary file the test can read back.
private final class CapturedLog {
    let path: String
    let fd: Int32
    let logger: Logger

    init() {
        var template = Array("/tmp/fn-hostile-log-XXXXXX".utf8CString)
        fd = mkstemp(&template)
        path = String(cString: template)
        logger = Logger(stdoutFD: fd, stderrFD: fd)
    }

    var text: String {
        guard let file = fopen(path, "r") else { return "" }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = fread(&chunk, 1, chunk.count, file)
            if n <= 0 { break }
            bytes += chunk[0..<n]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    deinit {
        close(fd)
        unlink(path)
    }
}

/// Faults from the Runtime API the loop must survive or report: each case checks what the runtime
/// sent and that every invocation it received was answered (none silently dropped).
@Suite(.serialized) struct HostileRuntimeTests {
    @Test func slowDripResponsesAreReadWhole() throws {
        let drip = FakeRuntimeAPI.next(id: "slow", body: #"{"number":12345}"#)
        guard case .respond(let response) = drip else { return }
        let api = try FakeRuntimeAPI([
            .drip(response, microseconds: 500),
            .drip(HTTPResponse(status: 202, body: Array(#"{"status":"OK"}"#.utf8)), microseconds: 2_000),
            FakeRuntimeAPI.status(500),
        ])
        let handler = FakeHandler(echo)
        #expect(try runLoop(api, handler) == 1)
        #expect(handler.seenContexts.map(\.requestId) == ["slow"])
        #expect(api.requests.map(\.target) == [
            "/2018-06-01/runtime/invocation/next",
            "/2018-06-01/runtime/invocation/slow/response",
            "/2018-06-01/runtime/invocation/next",
        ])
        #expect(text(api.requests[1].body) == #"{"number":12345}"#)
    }

    @Test func connectionClosedMidHeadersReconnects() throws {
        let partial = Array("HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: lo".utf8)
        let api = try FakeRuntimeAPI([
            .sendAndClose(partial),
            FakeRuntimeAPI.next(id: "whole"),
            FakeRuntimeAPI.status(202),
            FakeRuntimeAPI.status(500),
        ])
        let handler = FakeHandler(echo)
        #expect(try runLoop(api, handler) == 1)
        // The half-sent invocation never reached the handler; the retried one was answered.
        #expect(handler.seenContexts.map(\.requestId) == ["whole"])
        #expect(api.requests.map(\.target) == [
            "/2018-06-01/runtime/invocation/next",
            "/2018-06-01/runtime/invocation/next",
            "/2018-06-01/runtime/invocation/whole/response",
            "/2018-06-01/runtime/invocation/next",
        ])
    }

    @Test(arguments: [
        "HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id r1\r\nContent-Length: 2\r\n\r\n{}",
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}",
        "HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: r1\r\n continued\r\nContent-Length: 2\r\n\r\n{}",
        "HTTP/1.1 OK 200\r\n\r\n",
    ])
    func malformedNextResponseStopsWithALogLine(_ raw: String) throws {
        let api = try FakeRuntimeAPI([.sendAndClose(Array(raw.utf8))])
        let handler = FakeHandler(echo)
        let log = CapturedLog()
        #expect(try runLoop(api, handler, logger: log.logger) == 1)
        // Malformed is not retried (asking again will not help), and no handler ran.
        #expect(api.requests.count == 1)
        #expect(handler.seenContexts.isEmpty)
        #expect(log.text.contains("cannot get the next invocation: "), "\(log.text)")
        #expect(log.text.contains("malformed HTTP message"), "\(log.text)")
    }

    @Test func missingRequestIdStopsWithALogLine() throws {
        let api = try FakeRuntimeAPI([
            .respond(HTTPResponse(status: 200, headers: HTTPHeaders([("Content-Type", "application/json")]),
                                  body: Array("{}".utf8))),
        ])
        let handler = FakeHandler(echo)
        let log = CapturedLog()
        #expect(try runLoop(api, handler, logger: log.logger) == 1)
        // Without an id nothing can be answered: the runtime exits (Lambda restarts it) instead of
        // running a handler whose result would be lost.
        #expect(handler.seenContexts.isEmpty)
        #expect(api.requests.count == 1)
        #expect(log.text.contains("no Lambda-Runtime-Aws-Request-Id header"), "\(log.text)")
    }

    @Test func sixMegabyteResponseIsPostedWhole() throws {
        let six = [UInt8](repeating: UInt8(ascii: "a"), count: 6 * 1024 * 1024 - 2)
        let api = try FakeRuntimeAPI([
            FakeRuntimeAPI.next(id: "six"),
            FakeRuntimeAPI.status(202),
            FakeRuntimeAPI.status(500),
        ])
        let handler = FakeHandler { _, _ in .success([0x22] + six + [0x22]) }
        #expect(try runLoop(api, handler) == 1)
        #expect(api.requests[1].target == "/2018-06-01/runtime/invocation/six/response")
        #expect(api.requests[1].body.count == 6 * 1024 * 1024)
        #expect(api.requests[1].headers["Content-Length"] == String(6 * 1024 * 1024))
    }

    @Test func sevenMegabyteResponseRejectedWith413BecomesAnError() throws {
        let seven = [UInt8](repeating: UInt8(ascii: "b"), count: 7 * 1024 * 1024)
        let api = try FakeRuntimeAPI([
            FakeRuntimeAPI.next(id: "seven"),
            FakeRuntimeAPI.status(413),
            FakeRuntimeAPI.status(202),
            FakeRuntimeAPI.next(id: "after"),
            FakeRuntimeAPI.status(202),
            FakeRuntimeAPI.status(500),
        ])
        var calls = 0
        let handler = FakeHandler { _, event in
            calls += 1
            return calls == 1 ? .success(seven) : .success(event)
        }
        let log = CapturedLog()
        #expect(try runLoop(api, handler, logger: log.logger) == 1)
        let requests = api.requests
        #expect(requests.map(\.target) == [
            "/2018-06-01/runtime/invocation/next",
            "/2018-06-01/runtime/invocation/seven/response",
            "/2018-06-01/runtime/invocation/seven/error",
            "/2018-06-01/runtime/invocation/next",
            "/2018-06-01/runtime/invocation/after/response",
            "/2018-06-01/runtime/invocation/next",
        ])
        #expect(requests[1].body.count == 7 * 1024 * 1024)
        #expect(requests[2].headers["Lambda-Runtime-Function-Error-Type"] == "Runtime.ResponseTooLarge")
        #expect(text(requests[2].body).contains("Response payload size (7340032 bytes) exceeded the maximum allowed"))
        #expect(log.text.contains("Runtime.ResponseTooLarge"))
    }
}

/// Hostile events through the real handler path (`HandlerSession.invoke`): every one is answered,
/// with a result or a Lambda error, and the session keeps serving afterwards.
@Suite struct HostileEventTests {
    static func session() throws -> HandlerSession {
        var template = Array("/tmp/fn-hostile-XXXXXX".utf8CString)
        guard mkdtemp(&template) != nil else { throw HandlerError(errorType: "test", errorMessage: "mkdtemp") }
        let root = String(cString: template)
        let source = """
            echo <- function(...) list(...)
            size <- function(s) nchar(s)
            deep <- function(n) { x <- list(); for (i in seq_len(n)) x <- list(x); length(x) }
            big <- function(n) strrep("x", n)
            spin <- function() repeat {}
            """
        let path = root + "/h.fn"
        guard let file = fopen(path, "w") else { throw HandlerError(errorType: "test", errorMessage: "fopen") }
        fputs(source, file)
        fclose(file)
        return try HandlerSession(handler: "h.echo", root: root, output: { _, _ in })
    }

    static let context = InvocationContext(requestId: "r", deadlineMs: Int64.max)

    static func answer(_ session: HandlerSession, _ event: [UInt8]) -> String {
        switch session.invoke(event: event, context: context) {
        case .success(let body): return String(decoding: body, as: UTF8.self)
        case .failure(let e): return "\(e.errorType): \(e.errorMessage)"
        }
    }

    @Test func hostileEventsAreAnsweredAndTheSessionGoesOn() throws {
        let s = try HostileEventTests.session()
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        let deepObject = String(repeating: "{\"a\":", count: 100_000) + "1" + String(repeating: "}", count: 100_000)
        let cases: [([UInt8], String)] = [
            (Array(("{\"x\":" + deep + "}").utf8), "Runtime.UnmarshalError: Unable to parse the event as JSON: "),
            (Array(deepObject.utf8), "Runtime.UnmarshalError: "),
            ([0x7B, 0x22, 0x78, 0x22, 0x3A, 0x22, 0xFF, 0x22, 0x7D], "Runtime.UnmarshalError: "),
            (Array(#"{"x":"a\u0000b"}"#.utf8), "Runtime.UnmarshalError: "),
            ([0x00], "Runtime.UnmarshalError: "),
            // Inf is written as jsonlite writes it (na = "string" for numbers).
            (Array(#"{"x":1e400}"#.utf8), #"{"x":"Inf"}"#),
            (Array(#"{"x":-0,"y":123456789012345678901234567890}"#.utf8), #"{"x":0,"y":1.2345678901234568e+29}"#),
            (Array(#"{"x":"\ud800","x":2}"#.utf8), "{\"x\":\"\u{FFFD}\",\"x.1\":2}"),
            (Array("   ".utf8), "[]"),
        ]
        for (event, expected) in cases {
            let got = HostileEventTests.answer(s, event)
            #expect(got.hasPrefix(expected), "\(String(decoding: event.prefix(40), as: UTF8.self)): \(got.prefix(200))")
        }
        #expect(HostileEventTests.answer(s, Array(#"{"ok":true}"#.utf8)) == #"{"ok":true}"#)
    }

    @Test func largeAndDeepValuesInsideHandlers() throws {
        let s = try HostileEventTests.session()
        let five = "{\"s\":\"" + String(repeating: "é", count: 2_500_000) + "\"}"
        let size = try HandlerSession(handler: "h.size", root: s.root, output: { _, _ in })
        #expect(HostileEventTests.answer(size, Array(five.utf8)) == "2500000")
        let deep = try HandlerSession(handler: "h.deep", root: s.root, output: { _, _ in })
        #expect(HostileEventTests.answer(deep, Array(#"{"n":100000}"#.utf8)) == "1")
        let big = try HandlerSession(handler: "h.big", root: s.root, output: { _, _ in })
        #expect(HostileEventTests.answer(big, Array(#"{"n":1e9}"#.utf8)).hasPrefix("Runtime."))
        #expect(HostileEventTests.answer(big, Array(#"{"n":7340032}"#.utf8)).count == 7_340_034)
    }

    /// Invokes `session` with an empty event and cancels it from another thread after 50 ms.
    static func answerCancelled(_ session: HandlerSession) -> String {
        var thread = pthread_t()
        let box = Unmanaged.passRetained(session)
        pthread_create(&thread, nil, { raw in
            usleep(50_000)
            Unmanaged<HandlerSession>.fromOpaque(raw!).takeRetainedValue().cancel()
            return nil
        }, box.toOpaque())
        let answer = HostileEventTests.answer(session, [])
        pthread_join(thread, nil)
        return answer
    }

    @Test func aSpinningHandlerIsCancelledAndTheSessionServesAgain() throws {
        let s = try HostileEventTests.session()
        let spin = try HandlerSession(handler: "h.spin", root: s.root, output: { _, _ in })
        let first = HostileEventTests.answerCancelled(spin)
        #expect(first.hasPrefix("Runtime."), "\(first)")
        // The flag is reset per invocation: the next one runs (and is cancelled) the same way.
        #expect(HostileEventTests.answerCancelled(spin) == first)
    }
}
