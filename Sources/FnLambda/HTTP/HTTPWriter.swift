/// Writes HTTP/1.1 message heads; bodies are sent as they are, after the head.
///
/// `Content-Length` is always written from the body's size, never taken from the caller, so a
/// message cannot lie about its framing. CR and LF in names or values are replaced by spaces so a
/// value that came from user code (an error type, say) cannot inject header lines.
public enum HTTPWriter {
    /// `METHOD target HTTP/1.1`, the headers, `Content-Length` and the blank line.
    public static func requestHead(method: String, target: String, headers: HTTPHeaders,
                                   bodyCount: Int) -> [UInt8] {
        head(startLineSize: method.utf8.count + target.utf8.count + 10, headers: headers, bodyCount: bodyCount) { w in
            w.put(method)
            w.put(literal: " ")
            w.put(target)
            w.put(literal: " HTTP/1.1")
        }
    }

    /// `HTTP/1.1 status reason`, the headers, `Content-Length` and the blank line.
    public static func responseHead(status: Int, reason: String? = nil, headers: HTTPHeaders,
                                    bodyCount: Int) -> [UInt8] {
        let code = String(status), reason = reason ?? HTTPResponse.reasonPhrase(status)
        return head(startLineSize: code.utf8.count + reason.utf8.count + 10, headers: headers, bodyCount: bodyCount) { w in
            w.put(literal: "HTTP/1.1 ")
            w.put(code)
            w.put(literal: " ")
            w.put(reason)
        }
    }

    /// A whole request (head and body) in one array; handy for tests and small messages.
    public static func request(_ request: HTTPRequest) -> [UInt8] {
        requestHead(method: request.method, target: request.target, headers: request.headers,
                    bodyCount: request.body.count) + request.body
    }

    /// A whole response (head and body) in one array.
    public static func response(_ response: HTTPResponse) -> [UInt8] {
        responseHead(status: response.status, reason: response.reason, headers: response.headers,
                     bodyCount: response.body.count) + response.body
    }

    /// The start line (`startLineSize` bytes, written by `startLine`), the fields, `Content-Length` and
    /// the blank line, written into one array sized up front.
    private static func head(startLineSize: Int, headers: HTTPHeaders, bodyCount: Int,
                             _ startLine: (inout HeadWriter) -> Void) -> [UInt8] {
        let length = String(bodyCount)
        var size = startLineSize + 2
        headers.forEachField { name, value in
            if !isFraming(name) { size += name.count + value.count + 4 }
        }
        size += 16 + length.utf8.count + 4
        return [UInt8](unsafeUninitializedCapacity: size) { out, count in
            var w = HeadWriter(out: out)
            startLine(&w)
            w.put(literal: "\r\n")
            headers.forEachField { name, value in
                guard !isFraming(name) else { return }
                w.put(name)
                w.put(literal: ": ")
                w.put(value)
                w.put(literal: "\r\n")
            }
            w.put(literal: "Content-Length: ")
            w.put(length)
            w.put(literal: "\r\n\r\n")
            count = w.count
        }
    }

    /// The framing fields, which the writer sets itself from the body it is given.
    private static func isFraming(_ name: UnsafeBufferPointer<UInt8>) -> Bool {
        HTTPHeaders.sameName(name, "Content-Length") || HTTPHeaders.sameName(name, "Transfer-Encoding")
    }

    /// Writes bytes into a buffer sized for them: the writer's own syntax as it is, everything else
    /// with CR, LF and NUL replaced by spaces.
    private struct HeadWriter {
        let out: UnsafeMutableBufferPointer<UInt8>
        var count = 0

        mutating func put(literal: StaticString) {
            for byte in UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount) {
                append(byte)
            }
        }

        mutating func put(_ text: String) {
            var text = text
            text.withUTF8 { put($0) }
        }

        mutating func put(_ bytes: UnsafeBufferPointer<UInt8>) {
            for byte in bytes {
                append(byte == 13 || byte == 10 || byte == 0 ? UInt8(ascii: " ") : byte)
            }
        }

        private mutating func append(_ byte: UInt8) {
            // The size is computed from the same pieces; a miscount is a bug, never a write past the end.
            precondition(count < out.count, "HTTP head larger than its computed size")
            out[count] = byte
            count += 1
        }
    }
}
