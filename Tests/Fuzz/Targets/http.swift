// libFuzzer target: arbitrary bytes through HTTPReader, as requests and as responses, delivered in
// chunks whose sizes the input picks, must give messages or an HTTPError, never a trap.
// Compiled together with Sources/FnLambda/HTTP by Tests/Fuzz/run.sh.

/// Hands out the fuzz input in chunks of 1...16 bytes so buffer-boundary paths are exercised.
struct ChunkedBytes: ByteSource {
    var bytes: [UInt8]
    var offset = 0
    var chunk: Int

    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(HTTPError) -> Int {
        let n = min(buffer.count, bytes.count - offset, chunk)
        guard n > 0 else { return 0 }
        for i in 0..<n { buffer[i] = bytes[offset + i] }
        offset += n
        chunk = chunk % 16 + 1
        return n
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTP(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    let chunk = Int(data[0] % 16) + 1
    // Small limits so the fuzzer reaches every limit check with short inputs.
    let limits = HTTPLimits(maxHeadBytes: 512, maxHeaderCount: 8, maxBodyBytes: 1024)
    var requests = HTTPReader(source: ChunkedBytes(bytes: bytes, chunk: chunk), limits: limits, bufferSize: 64)
    for _ in 0..<8 {
        guard let request = try? requests.readRequest() else { break }
        _ = request.headers["Content-Length"]
        checkWrittenBack(request)
    }
    var responses = HTTPReader(source: ChunkedBytes(bytes: bytes, chunk: chunk), limits: limits, bufferSize: 64)
    for _ in 0..<8 {
        let method = data[0] & 0x80 == 0 ? "GET" : "HEAD"
        guard let response = try? responses.readResponse(method: method) else { break }
        _ = response.body.count
    }
    return 0
}

/// A request read from a peer, written again (the writer sizes its head from the same parts and traps
/// on a miscount), reads back with the same line, fields and body; only the framing is the writer's.
private func checkWrittenBack(_ request: HTTPRequest) {
    // The reader lets NUL and a lone CR through in a target; the writer makes them spaces, on purpose.
    if request.target.utf8.contains(where: { $0 == 0 || $0 == 13 }) { return }
    let wire = HTTPWriter.request(request)
    var reader = HTTPReader(source: ChunkedBytes(bytes: wire, chunk: 16))
    guard let back = try? reader.readRequest() else { fatalError("a written request does not read back") }
    var expected = request.headers
    expected.remove("Content-Length")
    expected.remove("Transfer-Encoding")
    expected.add("Content-Length", String(request.body.count))
    guard back.method == request.method, back.target == request.target, back.headers == expected,
          back.body == request.body else {
        fatalError("a written request reads back different: \(back) against \(request)")
    }
}
