/// `http_request()` and `http_response()`: one shape for the HTTP events Lambda receives from API
/// Gateway REST APIs (payload 1.0), HTTP APIs and Function URLs (payload 2.0) and Application Load
/// Balancers. The kind of event is told from its structure, never from its text.
extension BuiltinRegistry {
    mutating func registerHTTP() {
        define("http_request", []) { _, ip throws(FnError) in
            guard let event = ip.invocation["event"] else {
                throw FnError.runtime("http_request(): there is no current invocation event")
            }
            return try HTTPEvent.request(event)
        }
        define("http_response", ["body", "status", "headers", "is_base64"]) { args, ip throws(FnError) in
            let status = try Unpack.int(args[1], "status", default: 200)
            guard (100...599).contains(status) else {
                throw FnError.runtime("http_response(): 'status' must be an HTTP status code, not \(status)")
            }
            let isBase64 = try Unpack.flag(args[3], "is_base64", default: false)
            var headerNames: [String] = []
            var headerValues: [Value] = []
            if let h = args[2], !h.isNull {
                let names = h.names ?? []
                let values = Unpack.elements(h)
                guard names.count == values.count, !names.contains("") else {
                    throw FnError.runtime("http_response(): 'headers' must be a named list of strings")
                }
                for (n, v) in zip(names, values) {
                    guard let s = Unpack.flatStorage(v), s.count == 1, let text = s.strings()[0] else {
                        throw FnError.runtime("http_response(): header '\(n)' must be one string")
                    }
                    headerNames.append(n)
                    headerValues.append(.character(text))
                }
            }
            let body = args[0] ?? .null
            var text = ""
            var contentType: String?
            switch body {
            case .null: break
            case .character(let s?):
                text = s
                contentType = isBase64 ? "application/octet-stream" : "text/plain; charset=utf-8"
            default:
                if isBase64 { throw FnError.runtime("http_response(): a base64 body must be one string") }
                do throws(FnError) {
                    text = String(decoding: try JSON.serialize(body), as: UTF8.self)
                } catch {
                    throw FnError.runtime("http_response(): \(error.message)")
                }
                contentType = "application/json"
            }
            if let contentType, !headerNames.contains(where: { $0.lowercased() == "content-type" }) {
                headerNames.append("Content-Type")
                headerValues.append(.character(contentType))
            }
            var names = ["statusCode"]
            var values: [Value] = [.integer(Int32(status))]
            if let event = ip.invocation["event"], HTTPEvent.kind(event) == .alb {
                names.append("statusDescription")
                values.append(.character(HTTPEvent.statusLine(status)))
            }
            names += ["headers", "body", "isBase64Encoded"]
            values += [.list(List(headerValues, names: headerNames)), .character(text), .bool(isBase64)]
            return .list(List(values, names: names))
        }
    }
}

/// Reading the HTTP event shapes.
enum HTTPEvent {
    enum Kind { case restV1, httpV2, alb }

    static func kind(_ event: Value) -> Kind? {
        guard case .list(let e) = event, let context = field(e, "requestContext") else { return nil }
        if case .character("2.0")? = field(e, "version").map(scalar), has(context, "http") { return .httpV2 }
        if has(context, "elb") { return .alb }
        if field(e, "httpMethod") != nil { return .restV1 }
        return nil
    }

    static func request(_ event: Value) throws(FnError) -> Value {
        guard let kind = kind(event), case .list(let e) = event else {
            throw FnError.runtime(
                "http_request(): the event is not an HTTP event (API Gateway, Function URL or load balancer)")
        }
        let method: Value, path: Value
        switch kind {
        case .httpV2:
            let http = field(e, "requestContext").flatMap { c in has(c, "http") ? member(c, "http") : nil }
            method = http.flatMap { member($0, "method") } ?? .null
            path = field(e, "rawPath") ?? http.flatMap { member($0, "path") } ?? .null
        case .restV1, .alb:
            method = field(e, "httpMethod") ?? .null
            path = field(e, "path") ?? .null
        }
        var headers = stringMap(field(e, "headers"), lowerCase: true)
        if headers.elements.isEmpty { headers = stringMap(field(e, "multiValueHeaders"), lowerCase: true) }
        if kind == .httpV2, let cookies = field(e, "cookies"), cookies.length > 0,
           headers.element(named: "cookie") == nil {
            let text = characterElements(cookies).compactMap { $0 }.joined(separator: "; ")
            headers.elements.append(.character(text))
            headers.names?.append("cookie")
        }
        var query = stringMap(field(e, "queryStringParameters"), lowerCase: false)
        if query.elements.isEmpty { query = stringMap(field(e, "multiValueQueryStringParameters"), lowerCase: false) }
        if kind == .alb {
            // The load balancer passes query parameters as the client sent them, still escaped.
            for i in query.elements.indices {
                if case .character(let s?) = query.elements[i] { query.elements[i] = .character(try URLCoding.decode(s)) }
            }
            if let names = query.names {
                var decoded: [String] = []
                for n in names { decoded.append(try URLCoding.decode(n)) }
                query.names = decoded
            }
        }
        let pathParams = stringMap(field(e, "pathParameters"), lowerCase: false)

        var rawBody = Value.null
        if case .character(let s?)? = field(e, "body").map(scalar) {
            if case .logical(1)? = field(e, "isBase64Encoded").map(scalar) {
                guard let bytes = Base64.decode(s) else {
                    throw FnError.runtime("http_request(): the body is marked base64 but is not valid base64")
                }
                // Binary bodies that are not text stay base64-encoded: fn strings hold UTF-8 only.
                if let text = String(validating: bytes, as: UTF8.self), !bytes.contains(0) {
                    rawBody = .character(text)
                } else {
                    rawBody = .character(s)
                }
            } else {
                rawBody = .character(s)
            }
        }
        var body = rawBody
        let contentType = headers.element(named: "content-type").flatMap { v -> String? in
            if case .character(let s?) = v { return s.lowercased() }
            return nil
        }
        if let contentType, isJSON(contentType), case .character(let s?) = rawBody {
            if s.allSatisfy({ $0 == " " || $0 == "\n" || $0 == "\r" || $0 == "\t" }) {
                body = .null
            } else {
                do throws(FnError) {
                    body = try JSON.parse(Array(s.utf8))
                } catch {
                    throw FnError.runtime("http_request(): the JSON body does not parse: \(error.message)")
                }
            }
        }
        let names = ["method", "path", "headers", "query", "path_params", "body", "raw_body"]
        let values: [Value] = [method, path, .list(headers), .list(query), .list(pathParams), body, rawBody]
        return .list(List(values, names: names))
    }

    /// `application/json`, `application/problem+json`, with or without parameters.
    private static func isJSON(_ contentType: String) -> Bool {
        let mime = contentType.split(separator: ";").first.map { $0.trimmingSpaces() } ?? ""
        return mime == "application/json" || mime.hasSuffix("+json")
    }

    /// A JSON object of strings (or of string arrays, joined by commas) as a named list of
    /// strings; `null` or absent gives an empty named list.
    private static func stringMap(_ v: Value?, lowerCase: Bool) -> List {
        guard case .list(let l)? = v, let names = l.names else { return List([], names: []) }
        var values: [Value] = []
        for e in l.elements {
            let parts = characterElements(e).compactMap { $0 }
            values.append(.character(parts.joined(separator: ",")))
        }
        return List(values, names: lowerCase ? names.map { $0.lowercased() } : names)
    }

    private static func field(_ l: List, _ name: String) -> Value? {
        guard let v = l.element(named: name), !v.isNull else { return nil }
        return v
    }

    private static func member(_ v: Value, _ name: String) -> Value? {
        guard case .list(let l) = v else { return nil }
        return field(l, name)
    }

    private static func has(_ v: Value, _ name: String) -> Bool {
        guard case .list(let inner)? = member(v, name) else { return false }
        return inner.names != nil
    }

    /// A length-1 atomic value in its inline form.
    private static func scalar(_ v: Value) -> Value {
        if case .vector(let vec) = v, vec.count == 1 { return Value(Vector(vec.storage)) }
        return v
    }

    static func statusLine(_ status: Int) -> String {
        let reasons: [Int: String] = [
            200: "OK", 201: "Created", 202: "Accepted", 204: "No Content", 301: "Moved Permanently",
            302: "Found", 303: "See Other", 304: "Not Modified", 307: "Temporary Redirect",
            308: "Permanent Redirect", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden",
            404: "Not Found", 405: "Method Not Allowed", 409: "Conflict", 410: "Gone",
            413: "Payload Too Large", 415: "Unsupported Media Type", 422: "Unprocessable Entity",
            429: "Too Many Requests", 500: "Internal Server Error", 501: "Not Implemented",
            502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout",
        ]
        return "\(status) \(reasons[status] ?? "Status")"
    }
}

extension Substring {
    fileprivate func trimmingSpaces() -> String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
