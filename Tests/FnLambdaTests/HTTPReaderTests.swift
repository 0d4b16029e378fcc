import Testing
@testable import FnLambda

/// Serves scripted chunks, one per read, to exercise split reads.
struct ChunkSource: ByteSource {
    var chunks: [[UInt8]]

    init(_ chunks: [[UInt8]]) { self.chunks = chunks }

    /// The text split into pieces of `size` bytes.
    init(_ text: String, pieceSize: Int) {
        let bytes = Array(text.utf8)
        chunks = stride(from: 0, to: bytes.count, by: pieceSize).map { Array(bytes[$0..<min($0 + pieceSize, bytes.count)]) }
    }

    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(HTTPError) -> Int {
        guard !chunks.isEmpty else { return 0 }
        let n = min(buffer.count, chunks[0].count)
        chunks[0].withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: n) }
        chunks[0].removeFirst(n)
        if chunks[0].isEmpty { chunks.removeFirst() }
        return n
    }
}

func reader(_ text: String, pieceSize: Int = 1 << 20, limits: HTTPLimits = HTTPLimits()) -> HTTPReader<ChunkSource> {
    HTTPReader(source: ChunkSource(text, pieceSize: pieceSize), limits: limits, bufferSize: 32)
}

func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

@Suite struct HTTPReaderTests {
    @Test func readsResponseWithContentLength() throws {
        var r = reader("HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nContent-Length: 16\r\n\r\n{\"status\":\"OK\"}\n")
        let response = try #require(try r.readResponse())
        #expect(response.status == 202)
        #expect(response.reason == "Accepted")
        #expect(response.headers["content-type"] == "application/json")
        #expect(text(response.body) == "{\"status\":\"OK\"}\n")
        #expect(try r.readResponse() == nil)
    }

    @Test(arguments: [1, 2, 3, 7, 1000])
    func splitReadsGiveTheSameMessages(pieceSize: Int) throws {
        let wire = "POST /a?b=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
            + "GET /next HTTP/1.1\nHost: x\n\n"
            + "POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n10\r\n0123456789abcdef\r\n0\r\nTrailer: t\r\n\r\n"
        var r = reader(wire, pieceSize: pieceSize)
        let first = try #require(try r.readRequest())
        #expect(first.method == "POST")
        #expect(first.target == "/a?b=1")
        #expect(first.path == "/a")
        #expect(text(first.body) == "hello")
        let second = try #require(try r.readRequest())
        #expect(second.method == "GET")
        #expect(second.headers["HOST"] == "x")
        #expect(second.body.isEmpty)
        let third = try #require(try r.readRequest())
        #expect(text(third.body) == "abc0123456789abcdef")
        #expect(try r.readRequest() == nil)
    }

    /// Every way a head can end (CR LF CR LF, LF LF, LF CR LF, CR LF LF), fed in pieces of every size up
    /// to the whole message, through a buffer smaller than one head: the reader finds each blank line
    /// however the reads split it, and the body after it starts at the right byte.
    @Test func headEndsAreFoundHoweverTheReadsSplitThem() throws {
        let ends = ["\r\n\r\n", "\n\n", "\n\r\n", "\r\n\n"]
        let wire = ends.enumerated().map { i, end in
            "POST /\(i) HTTP/1.1\r\nHost: h\(i)\nContent-Length: 2\r\nX-Long: \(String(repeating: "v", count: 40))"
                + end + "b\(i)"
        }.joined()
        for pieceSize in 1...wire.utf8.count {
            var r = reader(wire, pieceSize: pieceSize)
            for i in ends.indices {
                let request = try #require(try r.readRequest(), "piece size \(pieceSize), message \(i)")
                #expect(request.target == "/\(i)" && request.headers["host"] == "h\(i)")
                #expect(request.headers["x-long"] == String(repeating: "v", count: 40))
                #expect(text(request.body) == "b\(i)", "piece size \(pieceSize), message \(i)")
            }
            #expect(try r.readRequest() == nil)
        }
    }

    @Test func chunkedResponse() throws {
        var r = reader("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", pieceSize: 4)
        let response = try #require(try r.readResponse())
        #expect(text(response.body) == "hello")
    }

    @Test func responseWithoutLengthReadsToClose() throws {
        var r = reader("HTTP/1.0 200 OK\r\n\r\nall of it", pieceSize: 3)
        let response = try #require(try r.readResponse())
        #expect(text(response.body) == "all of it")
        #expect(!response.keepAlive)
    }

    @Test func noBodyForHeadAnd204() throws {
        var r = reader("HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n")
        #expect(try r.readResponse()?.body == [])
        #expect(try r.readResponse(method: "HEAD")?.status == 200)
    }

    @Test func largeBodyReadsStraightThrough() throws {
        let body = String(repeating: "x", count: 100_000)
        var r = reader("POST / HTTP/1.1\r\nContent-Length: 100000\r\n\r\n" + body, pieceSize: 4096)
        #expect(try r.readRequest()?.body.count == 100_000)
    }

    @Test func keepAliveRules() throws {
        var r = reader("GET / HTTP/1.1\r\nConnection: close\r\n\r\nGET / HTTP/1.0\r\n\r\nGET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n")
        #expect(try r.readRequest()?.keepAlive == false)
        #expect(try r.readRequest()?.keepAlive == false)
        #expect(try r.readRequest()?.keepAlive == true)
    }

    @Test(arguments: [
        "GET /\r\n\r\n",
        "GET / HTTP/2.0\r\n\r\n",
        "G(T / HTTP/1.1\r\n\r\n",
        "GET / HTTP/1.1\r\nNo colon here\r\n\r\n",
        "GET / HTTP/1.1\r\nBad Name: x\r\n\r\n",
        "GET / HTTP/1.1\r\nA: b\r\n folded\r\n\r\n",
        "POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
        "POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
        "POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nContent-Length: 1 2\r\n\r\nab",
        "POST / HTTP/1.1\r\nContent-Length: +5\r\n\r\nhello",
        "POST / HTTP/1.1\r\nContent-Length:\r\n\r\n",
        "POST / HTTP/1.1\r\nContent-Length: 5, 6\r\n\r\nhello",
        "POST / HTTP/1.1\r\nContent-Length: 5,\r\n\r\nhello",
        "POST / HTTP/1.1\r\nContent-Length: 1234567890123456789\r\n\r\n",
        "GET / x HTTP/1.1\r\n\r\n",
        "GET  / HTTP/1.1\r\n\r\n",
        "GET / HTTP/1.1\r\nName : x\r\n\r\n",
        "GET / HTTP/1.1\r\n: x\r\n\r\n",
        "GET / HTTP/1.1\r\nA: b\rc\r\n\r\n",
    ])
    func malformedRequestsAreRejected(wire: String) {
        var r = reader(wire)
        #expect {
            _ = try r.readRequest()
        } throws: { error in
            guard case .malformed = error as? HTTPError else { return false }
            return true
        }
    }

    @Test(arguments: ["HTTP/1.1 abc\r\n\r\n", "HTTP/1.1 2000 OK\r\n\r\n", "HTTP/1.1 099 Low\r\n\r\n",
                      "HTTP/2 200 OK\r\n\r\n", "HTTP/1.1 +20 OK\r\n\r\n", "HTTP/1.1\r\n\r\n", "\r\n\r\n"])
    func malformedStatusLine(wire: String) {
        var r = reader(wire)
        #expect(throws: HTTPError.malformed("bad status line")) { try r.readResponse() }
    }

    /// Optional whitespace, bare LF line ends, repeated equal lengths, an empty value and an
    /// empty reason phrase are all accepted.
    @Test func tolerantParsing() throws {
        var request = reader("POST /p HTTP/1.0\nContent-Length:  5 , 5\t\nX-Empty:\nX-Pad: \t v w \n\nhello")
        let r = try #require(try request.readRequest())
        #expect(r.method == "POST" && r.target == "/p" && r.version == "HTTP/1.0")
        #expect(text(r.body) == "hello")
        #expect(r.headers["x-empty"] == "" && r.headers["X-PAD"] == "v w")
        var response = reader("HTTP/1.1 200\r\nContent-Length: 2\r\n\r\nok")
        let s = try #require(try response.readResponse())
        #expect(s.status == 200 && s.reason == "" && text(s.body) == "ok")
    }

    @Test func truncatedMessages() {
        var head = reader("HTTP/1.1 200 OK\r\nContent-Le")
        #expect(throws: HTTPError.truncated) { try head.readResponse() }
        var body = reader("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", pieceSize: 2)
        #expect(throws: HTTPError.truncated) { try body.readResponse() }
        var chunk = reader("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab")
        #expect(throws: HTTPError.truncated) { try chunk.readResponse() }
    }

    @Test func limits() {
        let small = HTTPLimits(maxHeadBytes: 100, maxHeaderCount: 3, maxBodyBytes: 10)
        var head = reader("GET / HTTP/1.1\r\nA: " + String(repeating: "a", count: 200) + "\r\n\r\n", pieceSize: 16, limits: small)
        #expect(throws: HTTPError.headTooLarge(limit: 100)) { try head.readRequest() }
        var count = reader("GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n", limits: small)
        #expect(throws: HTTPError.tooManyHeaders(limit: 3)) { try count.readRequest() }
        var body = reader("POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\n", limits: small)
        #expect(throws: HTTPError.bodyTooLarge(limit: 10)) { try body.readRequest() }
        var chunked = reader("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n6\r\nabcdef\r\n0\r\n\r\n",
                             limits: small)
        #expect(throws: HTTPError.bodyTooLarge(limit: 10)) { try chunked.readRequest() }
    }

    @Test func leadingBlankLinesBeforeARequestAreIgnored() throws {
        var r = reader("\r\n\r\nGET / HTTP/1.1\r\n\r\n", pieceSize: 1)
        #expect(try r.readRequest()?.method == "GET")
    }

    @Test func beforeBodySeesHeadersAndCanRefuse() {
        var r = reader("POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabc")
        #expect(throws: HTTPError.bodyTooLarge(limit: 1)) {
            try r.readRequest(beforeBody: { headers throws(HTTPError) in
                if headers["expect"] == "100-continue" { throw .bodyTooLarge(limit: 1) }
            })
        }
    }
}

/// Field names compare as ASCII bytes, case-insensitively (RFC 9110 §5.1), not as Swift strings.
@Suite struct HTTPHeaderNameTests {
    @Test func namesCompareByBytesNotByCanonicalEquivalence() {
        // "é" + "e\u{301}" and "e\u{301}" + "é": equal as Swift strings, equally long, different bytes.
        #expect(!HTTPHeaders.sameName("X-\u{E9}e\u{301}", "X-e\u{301}\u{E9}"))
        #expect(HTTPHeaders.sameName("content-LENGTH", "Content-Length"))
        #expect(!HTTPHeaders.sameName("Content-Lengti", "Content-Length"))
    }
}

@Suite struct HTTPWriterTests {
    @Test func writesRequestAndItReadsBack() throws {
        let request = HTTPRequest(method: "POST", target: "/x", headers: HTTPHeaders([("A", "1"), ("Content-Length", "999")]),
                                  body: Array("body".utf8))
        let wire = HTTPWriter.request(request)
        #expect(text(wire) == "POST /x HTTP/1.1\r\nA: 1\r\nContent-Length: 4\r\n\r\nbody")
        var r = HTTPReader(source: ChunkSource([wire]))
        let back = try #require(try r.readRequest())
        #expect(back.body == request.body)
        #expect(back.headers["a"] == "1")
    }

    @Test func headerInjectionIsNeutralised() {
        let wire = HTTPWriter.responseHead(status: 200, headers: HTTPHeaders([("X-Type", "a\r\nSet-Cookie: x")]), bodyCount: 0)
        #expect(text(wire) == "HTTP/1.1 200 OK\r\nX-Type: a  Set-Cookie: x\r\nContent-Length: 0\r\n\r\n")
    }

    /// Every part the caller or a peer supplies is written byte for byte except CR, LF and NUL, which
    /// become spaces, and the head is exactly as long as the writer sized it (it traps otherwise).
    @Test func everyByteOfThePartsIsWrittenOrNeutralised() throws {
        let all = (0...255).map { UInt8($0) }
        // A head read from a peer keeps its bytes, obs-text included (0x80...0xFF alone are not UTF-8).
        let value = all.filter { $0 > 32 }
        let wire = Array("GET / HTTP/1.1\r\nX-Bytes: ".utf8) + value + Array("\r\ncontent-LENGTH: 0\r\n\r\n".utf8)
        var r = HTTPReader(source: ChunkSource([wire]))
        var headers = try #require(try r.readRequest()).headers
        headers.add("N\r\na\0me", "v\r\nX-Injected: 1\0")
        headers.add("Transfer-encoding", "chunked")
        let head = HTTPWriter.requestHead(method: "GE\nT", target: "/\r\n\0x", headers: headers, bodyCount: 12)
        let expected = Array("GE T /   x HTTP/1.1\r\nX-Bytes: ".utf8) + value
            + Array("\r\nN  a me: v  X-Injected: 1 \r\nContent-Length: 12\r\n\r\n".utf8)
        #expect(head == expected)
        let response = HTTPWriter.responseHead(status: 599, reason: "\r\n\0é", headers: HTTPHeaders(), bodyCount: 0)
        #expect(text(response) == "HTTP/1.1 599    é\r\nContent-Length: 0\r\n\r\n")
    }

    @Test func errorJSONEscapes() {
        let error = HandlerError(errorType: "T\"x", errorMessage: "line1\nline2\t\u{1}é", stackTrace: ["f (a.fn:1:2)", "\\"])
        #expect(text(JSONText.error(error))
            == #"{"errorMessage":"line1\nline2\t\u0001é","errorType":"T\"x","stackTrace":["f (a.fn:1:2)","\\"]}"#)
    }

    @Test func headersAreCaseInsensitive() {
        var headers = HTTPHeaders([("Content-Type", "a")])
        headers.set("content-type", "b")
        #expect(headers.count == 1)
        #expect(headers["CONTENT-TYPE"] == "b")
    }
}
