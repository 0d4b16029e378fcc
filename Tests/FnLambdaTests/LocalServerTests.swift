import Glibc
import Testing
@testable import FnLambda

/// A LocalServer on a free port, in this process, in front of a scripted handler.
final class InProcessServer {
    let server: LocalServer<FakeHandler>
    let handler: FakeHandler

    init(timeoutSeconds: Double = 30, _ body: @escaping (FakeHandler, [UInt8]) -> Result<[UInt8], HandlerError> = echo)
        throws
    {
        handler = FakeHandler(body)
        server = try LocalServer(handler: handler, host: "127.0.0.1", port: 0, timeoutSeconds: timeoutSeconds,
                                 logger: quietLogger(), idleSeconds: 5)
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
        let lock = Mutex()
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
        let done = Mutex()
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
}
