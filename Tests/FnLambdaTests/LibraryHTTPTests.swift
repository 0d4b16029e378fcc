import Testing
import FnLanguage
@testable import FnLambda

/// `http_request()` and `http_response()` on AWS's documented event shapes (Events/*.json).
@Suite struct LibraryHTTPTests {
    static let events = repositoryRoot + "/Tests/FnLambdaTests/Events/"

    /// The JSON result of `code` (the body of a handler `function(...)`) run on the event file.
    private func run(_ code: String, event file: String) throws -> String {
        let root = temporaryDirectory("http")
        writeFile(root + "/h.fn", "h <- function(...) {\n\(code)\n}\n")
        let session = try HandlerSession(handler: "h.h", root: root, output: { _, _ in })
        let event = readFile(Self.events + file)
        #expect(!event.isEmpty, "missing fixture \(file)")
        let context = InvocationContext(requestId: "req-1", deadlineMs: Int64.max / 2)
        switch session.invoke(event: Array(event.utf8), context: context) {
        case .success(let bytes): return String(decoding: bytes, as: UTF8.self)
        case .failure(let e): return "error: \(e.errorMessage)"
        }
    }

    @Test func restAPIv1() throws {
        let code = "r <- http_request(); list(r$method, r$path, r$headers$`content-type`, r$query$tag, "
            + "length(r$path_params), r$body$name, r$body$qty, r$raw_body)"
        #expect(try run(code, event: "apigateway-rest-v1.json")
            == #"["POST","/items","application/json","b",0,"widget",3,"{\"name\": \"widget\", \"qty\": 3}"]"#)
    }

    @Test func httpAPIv2() throws {
        let code = "r <- http_request(); list(r$method, r$path, r$query, r$path_params$id, r$headers$cookie, "
            + "is.null(r$body))"
        #expect(try run(code, event: "http-api-v2.json")
            == #"["GET","/items/7",{"fields":"name,qty","page":"2"},"7","session=abc123; theme=dark",true]"#)
    }

    @Test func functionURLDecodesBase64Bodies() throws {
        let code = "r <- http_request(); list(r$method, r$path, r$query$name, r$body, length(r$path_params))"
        #expect(try run(code, event: "function-url.json") == #"["POST","/hello","Ada Lovelace","greeting=Bonjour",0]"#)
    }

    @Test func loadBalancerDecodesQueryAndAddsStatusDescription() throws {
        #expect(try run("http_request()$query", event: "alb.json") == #"{"query":"1234ABCD","q":"a b"}"#)
        #expect(try run("http_response(\"ok\", 404L)$statusDescription", event: "alb.json") == #""404 Not Found""#)
    }

    @Test func otherEventsAreNotHTTP() throws {
        #expect(try run("http_request()", event: "sqs.json")
            == "error: http_request(): the event is not an HTTP event (API Gateway, Function URL or load balancer)")
    }

    @Test func responseShape() throws {
        let code = "http_response(list(id = 7L, tags = c(\"a\", \"b\")), 201L, headers = list(`X-Id` = \"7\"))"
        #expect(try run(code, event: "http-api-v2.json")
            == #"{"statusCode":201,"headers":{"X-Id":"7","Content-Type":"application/json"},"#
            + #""body":"{\"id\":7,\"tags\":[\"a\",\"b\"]}","isBase64Encoded":false}"#)
        let html = "http_response(\"<p>hi</p>\", headers = list(`content-type` = \"text/html\"))"
        #expect(try run(html, event: "function-url.json")
            == #"{"statusCode":200,"headers":{"content-type":"text/html"},"body":"<p>hi</p>","isBase64Encoded":false}"#)
    }
}
