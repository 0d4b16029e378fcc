/// One invocation as `/next` delivers it.
public struct Invocation {
    public var context: InvocationContext
    public var event: [UInt8]
}

/// Why talking to the Runtime API failed.
public enum RuntimeAPIError: Error, CustomStringConvertible {
    /// The API could not be reached, or the connection broke and a fresh one failed too.
    case transport(HTTPError)
    /// The API answered with a status the caller cannot work with.
    case status(Int, String)
    /// `AWS_LAMBDA_RUNTIME_API` is not `host:port`.
    case badEndpoint(String)

    public var description: String {
        switch self {
        case .transport(let error): "Runtime API unreachable: \(error)"
        case .status(let status, let body): "Runtime API answered \(status): \(body.prefix(512))"
        case .badEndpoint(let endpoint): "\(RuntimeAPI.Environment.runtimeAPI) is not host:port: \(endpoint)"
        }
    }
}

/// An HTTP/1.1 client for Lambda's Runtime API: one keep-alive connection, reopened when the
/// peer closes it. `GET /next` blocks for as long as Lambda keeps the environment frozen, so
/// there is no receive timeout.
public final class RuntimeAPIClient {
    let host: String
    let port: Int
    /// The `Host` header's value, built once.
    private let hostHeader: String
    private var connection: (socket: Socket, reader: HTTPReader<SocketSource>)?
    private let limits: HTTPLimits
    private let userAgent = "fn-runtime/0.1"

    /// `endpoint` is `host:port` as in `AWS_LAMBDA_RUNTIME_API` (`[::1]:9001` for IPv6).
    public init(endpoint: String) throws(RuntimeAPIError) {
        guard let colon = endpoint.lastIndex(of: ":"), let port = Int(endpoint[endpoint.index(after: colon)...]),
              port > 0, port < 65536 else {
            throw .badEndpoint(endpoint)
        }
        var host = String(endpoint[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw .badEndpoint(endpoint) }
        self.host = host
        self.port = port
        self.hostHeader = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        // Events are at most 6 MB, but a generous limit keeps a surprise from becoming a crash loop.
        self.limits = HTTPLimits(maxBodyBytes: 64 * 1024 * 1024)
    }

    /// Waits for the next invocation. Any status but 200 is an error: Lambda only answers
    /// otherwise when the environment is broken.
    public func next(environment: FunctionEnvironment) throws(RuntimeAPIError) -> Invocation {
        let response = try exchange(method: "GET", path: RuntimeAPI.next, headers: HTTPHeaders(), body: [])
        guard response.status == 200 else {
            throw .status(response.status, String(decoding: response.body, as: UTF8.self))
        }
        let context = InvocationContext(headers: response.headers, environment: environment)
        guard !context.requestId.isEmpty else {
            throw .status(response.status, "no \(RuntimeAPI.Header.requestId) header")
        }
        return Invocation(context: context, event: response.body)
    }

    /// Posts a result; returns the API's status (202 when accepted).
    public func respond(to context: InvocationContext, body: [UInt8]) throws(RuntimeAPIError) -> HTTPResponse {
        var headers = HTTPHeaders([("Content-Type", RuntimeAPI.MediaType.json)])
        if let id = context.invocationId { headers.add(RuntimeAPI.Header.invocationId, id) }
        return try exchange(method: "POST", path: RuntimeAPI.response(requestId: context.requestId),
                            headers: headers, body: body)
    }

    /// Posts an invocation error; returns the API's status (202 when accepted).
    public func reportError(_ error: HandlerError, for context: InvocationContext) throws(RuntimeAPIError)
        -> HTTPResponse
    {
        var headers = Self.errorHeaders(error)
        if let id = context.invocationId { headers.add(RuntimeAPI.Header.invocationId, id) }
        return try exchange(method: "POST", path: RuntimeAPI.error(requestId: context.requestId),
                            headers: headers, body: JSONText.error(error))
    }

    /// Posts an error that stopped initialisation.
    public func reportInitError(_ error: HandlerError) throws(RuntimeAPIError) -> HTTPResponse {
        try exchange(method: "POST", path: RuntimeAPI.initError, headers: Self.errorHeaders(error),
                     body: JSONText.error(error))
    }

    private static func errorHeaders(_ error: HandlerError) -> HTTPHeaders {
        HTTPHeaders([
            ("Content-Type", RuntimeAPI.MediaType.error),
            (RuntimeAPI.Header.functionErrorType, error.errorType),
        ])
    }

    /// Sends one request and reads its response. When the connection breaks (the peer closed a kept-alive
    /// connection, or died mid-message), it reconnects and tries once more; a second failure means
    /// the API is gone.
    private func exchange(method: String, path: String, headers: HTTPHeaders, body: [UInt8])
        throws(RuntimeAPIError) -> HTTPResponse
    {
        var headers = headers
        headers.add("Host", hostHeader)
        headers.add("User-Agent", userAgent)
        let head = HTTPWriter.requestHead(method: method, target: path, headers: headers, bodyCount: body.count)
        var lastError = HTTPError.truncated
        for _ in 0..<2 {
            do throws(HTTPError) {
                var conn: (socket: Socket, reader: HTTPReader<SocketSource>)
                if let existing = connection { conn = existing } else { conn = try open() }
                connection = nil
                try conn.socket.send(head, body)
                guard let response = try conn.reader.readResponse(method: method) else { throw .truncated }
                if response.keepAlive { connection = conn }
                return response
            } catch {
                connection = nil
                lastError = error
                // A malformed answer will not get better by asking again.
                if case .malformed = error { break }
            }
        }
        throw .transport(lastError)
    }

    private func open() throws(HTTPError) -> (socket: Socket, reader: HTTPReader<SocketSource>) {
        let socket = try Socket.connect(host: host, port: port)
        return (socket, HTTPReader(source: SocketSource(socket), limits: limits))
    }
}
