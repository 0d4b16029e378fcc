/// Writes HTTP/1.1 message heads; bodies are sent as they are, after the head.
///
/// `Content-Length` is always written from the body's size, never taken from the caller, so a
/// message cannot lie about its framing. CR and LF in names or values are replaced by spaces so a
/// value that came from user code (an error type, say) cannot inject header lines.
public enum HTTPWriter {
    /// `METHOD target HTTP/1.1`, the headers, `Content-Length` and the blank line.
    public static func requestHead(method: String, target: String, headers: HTTPHeaders,
                                   bodyCount: Int) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        appendSafe(method, to: &out)
        out.append(UInt8(ascii: " "))
        appendSafe(target, to: &out)
        out.append(contentsOf: " HTTP/1.1\r\n".utf8)
        appendFields(headers, bodyCount: bodyCount, to: &out)
        return out
    }

    /// `HTTP/1.1 status reason`, the headers, `Content-Length` and the blank line.
    public static func responseHead(status: Int, reason: String? = nil, headers: HTTPHeaders,
                                    bodyCount: Int) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        out.append(contentsOf: "HTTP/1.1 \(status) ".utf8)
        appendSafe(reason ?? HTTPResponse.reasonPhrase(status), to: &out)
        out.append(contentsOf: "\r\n".utf8)
        appendFields(headers, bodyCount: bodyCount, to: &out)
        return out
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

    private static func appendFields(_ headers: HTTPHeaders, bodyCount: Int, to out: inout [UInt8]) {
        for field in headers.fields {
            if HTTPHeaders.sameName(field.name, "Content-Length") || HTTPHeaders.sameName(field.name, "Transfer-Encoding") {
                continue
            }
            appendSafe(field.name, to: &out)
            out.append(contentsOf: ": ".utf8)
            appendSafe(field.value, to: &out)
            out.append(contentsOf: "\r\n".utf8)
        }
        out.append(contentsOf: "Content-Length: \(bodyCount)\r\n\r\n".utf8)
    }

    private static func appendSafe(_ text: String, to out: inout [UInt8]) {
        let from = out.count
        out.append(contentsOf: text.utf8)
        for i in from..<out.count where out[i] == 13 || out[i] == 10 || out[i] == 0 {
            out[i] = UInt8(ascii: " ")
        }
    }
}
