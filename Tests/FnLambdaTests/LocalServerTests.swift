import Glibc
import Testing
@testable import FnLambda
import FnLanguage

/// A LocalServer on a free port, in this process, in front of a scripted handler.
final class InProcessServer {
    let server: LocalServer<FakeHandler>
    let handler: FakeHandler

    init(timeoutSeconds: Double = 30, logger: Logger = quietLogger(),
         _ body: @escaping (FakeHandler, [UInt8]) -> Result<[UInt8], HandlerError> = echo) throws
    {
        handler = FakeHandler(body)
        server = try LocalServer(handler: handler, host: "127.0.0.1", port: 0, timeoutSeconds: timeoutSeconds,
                                 logger: logger, idleSeconds: 5)
        startThread { [server] in _ = server.run() }
    }

    var port: Int { server.port }

    deinit { server.stop() }
}

/// Sends raw bytes and reads one response.
func rawExchange(port: Int, _ bytes: [UInt8]) throws -> HTTPResponse? {
    let socket = try Socket.connect(host: "127.0.0.1", port: port)
    socket.setReceiveTimeout(seconds: 10)
    try socket.send(bytes)
    var reader = HTTPReader(source: SocketSource(socket))
    return try reader.readResponse()
}

let invokePath = "/2015-03-31/functions/function/invocations"

/// A logger writing both streams to a fresh file, and the file's path.
func fileLogger() -> (Logger, String) {
    let path = temporaryPath("log")
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0o644)
    return (Logger(stdoutFD: fd, stderrFD: fd), path)
}

/// RFC 4648 base64 decoding (padding required); nil for anything else.
func decodeBase64(_ text: String) -> [UInt8]? {
    let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    let chars = Array(text.utf8)
    guard chars.count % 4 == 0 else { return nil }
    var out: [UInt8] = []
    for start in stride(from: 0, to: chars.count, by: 4) {
        var n: UInt32 = 0
        var padding = 0
        for c in chars[start..<start + 4] {
            n <<= 6
            if c == UInt8(ascii: "=") {
                padding += 1
            } else {
                guard padding == 0, let v = alphabet.firstIndex(of: c) else { return nil }
                n |= UInt32(v)
            }
        }
        out.append(UInt8(n >> 16 & 255))
        if padding < 2 { out.append(UInt8(n >> 8 & 255)) }
        if padding < 1 { out.append(UInt8(n & 255)) }
    }
    return out
}

/// How many REPORT lines a log holds.
func reports(in log: String) -> Int {
    log.split(separator: "\n").filter { $0.hasPrefix("REPORT RequestId: ") }.count
}

/// Polls `condition` every 10 ms for up to `seconds`; its last value.
func eventually(seconds: Double = 20, _ condition: () -> Bool) -> Bool {
    let deadline = Clock.nowMs() + Int64(seconds * 1000)
    while Clock.nowMs() < deadline {
        if condition() { return true }
        usleep(10_000)
    }
    return condition()
}

@Suite struct LocalServerTests {
    @Test func invokesTheHandlerWithTheBody() throws {
        let server = try InProcessServer()
        let response = try httpRequest(port: server.port, path: invokePath, body: #"{"number":5}"#)
        #expect(response.status == 200)
        #expect(text(response.body) == #"{"number":5}"#)
        #expect(response.headers["Content-Type"] == "application/json")
        #expect(response.headers["X-Amzn-RequestId"]?.count == 36)
        #expect(response.headers["X-Amz-Function-Error"] == nil)
        // Any function name maps to the served handler, and the context says which was asked for.
        _ = try httpRequest(port: server.port, path: "/2015-03-31/functions/other-name/invocations", body: "1")
        #expect(server.handler.seenContexts.last?.functionName == "other-name")
        #expect(server.handler.seenContexts.last?.invokedFunctionArn.hasSuffix(":function:other-name") == true)
    }

    @Test func handlerErrorsAre200WithTheFunctionErrorHeader() throws {
        let server = try InProcessServer { _, _ in
            .failure(HandlerError(errorType: "simpleError", errorMessage: "no", stackTrace: ["f (a.fn:1:1)"]))
        }
        let response = try httpRequest(port: server.port, path: invokePath, body: "{}")
        #expect(response.status == 200)
        #expect(response.headers["X-Amz-Function-Error"] == "Unhandled")
        #expect(text(response.body) == #"{"errorMessage":"no","errorType":"simpleError","stackTrace":["f (a.fn:1:1)"]}"#)
    }

    @Test func unknownPathsAre404AndWrongMethods405() throws {
        let server = try InProcessServer()
        let missing = try httpRequest(port: server.port, method: "GET", path: "/nope")
        #expect(missing.status == 404)
        #expect(missing.headers["X-Amzn-ErrorType"] == "UnknownOperationException")
        #expect(try httpRequest(port: server.port, path: "/2015-03-31/functions//invocations").status == 404)
        #expect(try httpRequest(port: server.port, path: "/2015-03-31/functions/a/b/invocations").status == 404)
        let wrong = try httpRequest(port: server.port, method: "GET", path: invokePath)
        #expect(wrong.status == 405)
        #expect(wrong.headers["Allow"] == "POST")
        #expect(server.handler.seenContexts.isEmpty)
    }

    @Test func malformedRequestsAre400AndTheServerLivesOn() throws {
        let server = try InProcessServer()
        let bad = try rawExchange(port: server.port, Array("BLAH\r\n\r\n".utf8))
        #expect(bad?.status == 400)
        #expect(bad?.headers["Connection"] == "close")
        let badLength = try rawExchange(port: server.port, Array("POST / HTTP/1.1\r\nContent-Length: x\r\n\r\n".utf8))
        #expect(badLength?.status == 400)
        #expect(try httpRequest(port: server.port, path: invokePath, body: "1").status == 200)
    }

    @Test func bodiesOver6MBGetLambdasError() throws {
        let server = try InProcessServer()
        let big = String(repeating: "x", count: 6 * 1024 * 1024 + 1)
        let response = try httpRequest(port: server.port, path: invokePath, body: big)
        #expect(response.status == 413)
        #expect(response.headers["X-Amzn-ErrorType"] == "RequestEntityTooLargeException")
        #expect(text(response.body).contains("Request must be smaller than 6291456 bytes"))
        let fits = String(repeating: "x", count: 6 * 1024 * 1024)
        #expect(try httpRequest(port: server.port, path: invokePath, body: fits).body.count == fits.utf8.count)
    }

    @Test func keepAliveServesManyRequestsOnOneConnection() throws {
        let server = try InProcessServer()
        let socket = try Socket.connect(host: "127.0.0.1", port: server.port)
        socket.setReceiveTimeout(seconds: 10)
        var reader = HTTPReader(source: SocketSource(socket))
        for i in 0..<5 {
            let request = HTTPRequest(method: "POST", target: invokePath, body: Array("\(i)".utf8))
            try socket.send(HTTPWriter.request(request))
            let response = try #require(try reader.readResponse())
            #expect(text(response.body) == "\(i)")
        }
        // HTTP/1.0 without keep-alive: the server answers and closes.
        try socket.send(Array("POST \(invokePath) HTTP/1.0\r\nContent-Length: 1\r\n\r\n9".utf8))
        #expect(try reader.readResponse()?.headers["Connection"] == "close")
        #expect(try reader.readResponse() == nil)
    }

    @Test func expect100ContinueIsAnswered() throws {
        let server = try InProcessServer()
        let socket = try Socket.connect(host: "127.0.0.1", port: server.port)
        socket.setReceiveTimeout(seconds: 10)
        try socket.send(Array("POST \(invokePath) HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n".utf8))
        var reader = HTTPReader(source: SocketSource(socket))
        #expect(try reader.readResponse()?.status == 100)
        try socket.send(Array("42".utf8))
        #expect(try reader.readResponse()?.body == Array("42".utf8))
    }

    @Test func concurrentClientsAreSerialisedIntoTheSession() throws {
        let lock = Lock()
        var running = 0
        var overlapped = false
        let server = try InProcessServer { _, event in
            lock.withLock {
                running += 1
                if running > 1 { overlapped = true }
            }
            usleep(1000)
            lock.withLock { running -= 1 }
            return .success(event)
        }
        let done = Lock()
        var results: [String] = []
        var threadsLeft = 8
        for t in 0..<8 {
            startThread {
                for i in 0..<10 {
                    let body = (try? httpRequest(port: server.port, path: invokePath, body: "\(t)-\(i)")).map { text($0.body) }
                    done.withLock { results.append(body == "\(t)-\(i)" ? "ok" : "bad") }
                }
                done.withLock { threadsLeft -= 1 }
            }
        }
        while done.withLock({ threadsLeft }) > 0 { usleep(5000) }
        #expect(results.count == 80)
        #expect(results.allSatisfy { $0 == "ok" })
        #expect(lock.withLock { !overlapped })
    }

    @Test func aStuckHandlerTimesOut() throws {
        let server = try InProcessServer(timeoutSeconds: 0.5) { handler, event in
            while !handler.isCancelled { usleep(1000) }
            return .failure(HandlerError(errorType: "Runtime.Cancelled", errorMessage: "cancelled"))
        }
        let response = try httpRequest(port: server.port, path: invokePath, body: "{}")
        #expect(response.headers["X-Amz-Function-Error"] == "Unhandled")
        #expect(text(response.body).contains(#""errorType":"Runtime.Timeout""#))
    }

    @Test func base64MatchesRFC4648() {
        let cases = ["": "", "f": "Zg==", "fo": "Zm8=", "foo": "Zm9v", "foob": "Zm9vYg==", "fooba": "Zm9vYmE=",
                     "foobar": "Zm9vYmFy"]
        for (plain, encoded) in cases {
            #expect(base64(Array(plain.utf8)) == encoded)
        }
        let allBytes = (0...255).map { UInt8($0) }
        #expect(decodeBase64(base64(allBytes)) == allBytes)
    }

    @Test func logTypeTailReturnsTheInvocationsLog() throws {
        let (logger, logPath) = fileLogger()
        let server = try InProcessServer(logger: logger) { handler, event in
            handler.output(.stdout, "the handler's own line\n")
            handler.output(.log(.info), "a log_info line")
            return .success(event)
        }
        let plain = try httpRequest(port: server.port, path: invokePath, body: "1")
        #expect(plain.headers["X-Amz-Log-Result"] == nil)

        let before = readFile(logPath).utf8.count
        let response = try httpRequest(port: server.port, path: invokePath, body: "2",
                                       headers: [("X-Amz-Log-Type", "Tail")])
        #expect(text(response.body) == "2")
        let encoded = try #require(response.headers["X-Amz-Log-Result"])
        let tail = text(try #require(decodeBase64(encoded)))
        // Exactly this invocation's lines, START through REPORT, as they went to the server's log.
        #expect(Array(tail.utf8) == Array(readFile(logPath).utf8.dropFirst(before)))
        let requestId = try #require(response.headers["X-Amzn-RequestId"])
        #expect(tail.hasPrefix("START RequestId: \(requestId) "))
        #expect(tail.contains("the handler's own line\n"))
        #expect(tail.contains("\tINFO\ta log_info line\n"))
        #expect(tail.contains("\nREPORT RequestId: \(requestId)\t"))
        #expect(tail.hasSuffix(" MB\n"))
    }

    /// Over 4 KB, the last 4096 bytes, cut at a byte as Lambda cuts it: here inside a 2-byte
    /// character, so the tail starts with its second byte.
    @Test func logTailIsTheLastFourKilobytesCutAtAByte() throws {
        let (logger, logPath) = fileLogger()
        let line = "é" + String(repeating: "x", count: 98) + "\n"  // 101 bytes
        let server = try InProcessServer(logger: logger) { handler, event in
            for _ in 0..<100 { handler.output(.stdout, line) }
            return .failure(HandlerError(errorType: "simpleError", errorMessage: "failed after logging"))
        }
        let response = try httpRequest(port: server.port, path: invokePath, body: "{}",
                                       headers: [("X-Amz-Log-Type", "Tail")])
        #expect(response.headers["X-Amz-Function-Error"] == "Unhandled")
        let encoded = try #require(response.headers["X-Amz-Log-Result"])
        let tail = try #require(decodeBase64(encoded))
        let log = Array(readFile(logPath).utf8)
        #expect(log.count > 8192)
        #expect(tail.count == 4096)
        #expect(tail == Array(log.suffix(4096)))
        #expect(text(tail).contains("Invoke Error"))
        #expect(text(tail).contains("\nREPORT RequestId: "))
    }

    @Test func eventInvocationsAnswer202AtOnceAndRunInOrder() throws {
        let (logger, logPath) = fileLogger()
        let lock = Lock()
        var released = false
        var finished: [String] = []
        let server = try InProcessServer(logger: logger) { _, event in
            // Held until the test has its 202s: a client that waited for the handler would hang here.
            var waited = 0
            while !lock.withLock({ released }) && waited < 30_000 {
                usleep(1000)
                waited += 1
            }
            lock.withLock { finished.append(text(event)) }
            return text(event) == "bad" ? .failure(HandlerError(errorType: "simpleError", errorMessage: "bad event"))
                                        : .success(event)
        }
        let event = [("X-Amz-Invocation-Type", "Event")]
        for body in ["1", "bad", "3"] {
            let response = try httpRequest(port: server.port, path: invokePath, body: body,
                                           headers: event + [("X-Amz-Log-Type", "Tail")])
            #expect(response.status == 202)
            #expect(response.body.isEmpty)
            #expect(response.headers["X-Amzn-RequestId"]?.count == 36)
            // Lambda returns logs for synchronous invocations only.
            #expect(response.headers["X-Amz-Log-Result"] == nil)
        }
        #expect(lock.withLock { finished }.isEmpty)
        lock.withLock { released = true }
        #expect(eventually { lock.withLock { finished.count } == 3 })
        #expect(lock.withLock { finished } == ["1", "bad", "3"])
        // The failed one's error is in the log, between its START and REPORT.
        #expect(eventually { reports(in: readFile(logPath)) == 3 })
        #expect(readFile(logPath).contains(#"Invoke Error {"errorMessage":"bad event","errorType":"simpleError""#))
        // A synchronous invocation after them still works.
        #expect(text(try httpRequest(port: server.port, path: invokePath, body: "4").body) == "4")
    }
}
