import Testing
import FnLanguage
@testable import FnLambda

/// The example handlers in handlers/ answer AWS-shaped events (Events/*.json, after AWS's
/// documented samples) through the same HandlerSession the runtime uses.
@Suite struct ExampleHandlerTests {
    static let handlers = repositoryRoot + "/handlers"

    private func event(_ file: String, replacing edits: [(String, String)] = []) -> String {
        var text = readFile(LibraryHTTPTests.events + file)
        for (old, new) in edits {
            #expect(text.contains(old), "fixture \(file) has no \(old)")
            text = text.replacingAll(old, with: new)
        }
        return text
    }

    /// The handler's result parsed back into an fn value, or its error message as a string.
    private func invoke(_ session: HandlerSession, _ event: String) throws -> Value {
        let context = InvocationContext(requestId: "req-1", deadlineMs: Int64.max / 2)
        switch session.invoke(event: Array(event.utf8), context: context) {
        case .success(let bytes): return try JSON.parse(bytes, simplifyVector: false)
        case .failure(let e): return .character("error: \(e.errorMessage)")
        }
    }

    private func field(_ v: Value, _ name: String) -> Value? {
        guard case .list(let l) = v else { return nil }
        return l.element(named: name)
    }

    private func string(_ v: Value?) -> String? {
        if case .character(let s)? = v { return s }
        return nil
    }

    private func status(_ response: Value) -> Int32? {
        if case .integer(let i)? = field(response, "statusCode") { return i }
        return nil
    }

    /// The response body, parsed as JSON.
    private func body(_ response: Value) throws -> Value {
        try JSON.parse(Array((string(field(response, "body")) ?? "").utf8))
    }

    @Test func apiCreatesAndReadsItemsAcrossPayloadFormats() throws {
        let api = try HandlerSession(handler: "api.handler", root: Self.handlers, output: { _, _ in })

        // POST /items through a REST API (payload 1.0): created, and kept for later invocations.
        let created = try invoke(api, event("apigateway-rest-v1.json"))
        #expect(status(created) == 201)
        #expect(string(field(field(created, "headers") ?? .null, "Location")) == "/items/3")
        #expect(string(field(try body(created), "name")) == "widget")

        // GET /items/3 through an HTTP API (payload 2.0) sees it.
        let read = try invoke(api, event("http-api-v2.json", replacing: [
            ("\"rawPath\": \"/items/7\"", "\"rawPath\": \"/items/3\""), ("{\"id\": \"7\"}", "{\"id\": \"3\"}"),
        ]))
        #expect(status(read) == 200)
        #expect(string(field(field(read, "headers") ?? .null, "Content-Type")) == "application/json")
        if case .integer(let qty)? = field(try body(read), "qty") { #expect(qty == 3) } else { Issue.record("no qty") }

        // GET /items/7: not found.
        let missing = try invoke(api, event("http-api-v2.json"))
        #expect(status(missing) == 404)
        #expect(string(field(try body(missing), "error")) == "no item with id 7")

        // GET /items?in_stock=true lists the two items with stock.
        let listed = try invoke(api, event("http-api-v2.json", replacing: [
            ("\"rawPath\": \"/items/7\"", "\"rawPath\": \"/items\""), ("\"pathParameters\": {\"id\": \"7\"},", ""),
            ("{\"fields\": \"name,qty\", \"page\": \"2\"}", "{\"in_stock\": \"true\"}"),
        ]))
        #expect(status(listed) == 200)
        if case .integer(let count)? = field(try body(listed), "count") { #expect(count == 2) } else {
            Issue.record("no count")
        }
    }

    @Test func apiRejectsBadBodiesAndMethods() throws {
        let api = try HandlerSession(handler: "api.handler", root: Self.handlers, output: { _, _ in })
        let malformed = try invoke(api, event("apigateway-rest-v1.json", replacing: [
            ("\"body\": \"{\\\"name\\\": \\\"widget\\\", \\\"qty\\\": 3}\"", "\"body\": \"{oops\""),
        ]))
        #expect(status(malformed) == 400)
        #expect(string(field(try body(malformed), "error"))?.hasPrefix("http_request(): the JSON body does not parse") == true)
        let unnamed = try invoke(api, event("apigateway-rest-v1.json", replacing: [
            ("\"body\": \"{\\\"name\\\": \\\"widget\\\", \\\"qty\\\": 3}\"", "\"body\": \"[1, 2]\""),
        ]))
        #expect(status(unnamed) == 400)
        let deleted = try invoke(api, event("apigateway-rest-v1.json", replacing: [
            ("\"httpMethod\": \"POST\",\n  \"headers\"", "\"httpMethod\": \"DELETE\",\n  \"headers\""),
        ]))
        #expect(status(deleted) == 405)
        #expect(string(field(field(deleted, "headers") ?? .null, "Allow")) == "GET, POST")
    }

    @Test func webAnswersHTML() throws {
        let web = try HandlerSession(handler: "web.page", root: Self.handlers, output: { _, _ in })
        let posted = try invoke(web, event("function-url.json"))
        #expect(status(posted) == 200)
        #expect(string(field(field(posted, "headers") ?? .null, "Content-Type")) == "text/html; charset=utf-8")
        let html = string(field(posted, "body")) ?? ""
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains("<h1>Bonjour, Ada Lovelace!</h1>"))
        #expect(html.contains("for /hello."))

        let escaped = try invoke(web, event("function-url.json", replacing: [
            ("{\"name\": \"Ada Lovelace\"}", "{\"name\": \"<script>\"}"), ("\"method\": \"POST\"", "\"method\": \"GET\""),
        ]))
        #expect((string(field(escaped, "body")) ?? "").contains("<h1>Hello, &lt;script&gt;!</h1>"))
    }

    @Test func sqsReportsOnlyTheFailedMessages() throws {
        var logged: [String] = []
        let sqs = try HandlerSession(handler: "sqs.process", root: Self.handlers, output: { _, text in logged.append(text) })
        let result = try invoke(sqs, event("sqs.json"))
        guard case .list(let failures)? = field(result, "batchItemFailures") else {
            Issue.record("no batchItemFailures in \(result)")
            return
        }
        let ids = failures.elements.map { string(field($0, "itemIdentifier")) }
        #expect(ids == ["2e1424d4-f796-459a-8184-9c92662be6da", "8c1f3e2a-5b7d-4c9e-a0f1-2b3c4d5e6f70"])
        #expect(logged.contains { $0.contains("order 1: 25.50") })

        // A batch where every message succeeds reports an empty list, as Lambda expects.
        let clean = try invoke(sqs, event("sqs.json", replacing: [
            ("\"body\": \"not json at all\"", "\"body\": \"{\\\"order\\\": 2, \\\"amount\\\": 1}\""),
            ("\"amount\\\": -4}", "\"amount\\\": 4}"),
        ]))
        guard case .list(let none)? = field(clean, "batchItemFailures") else {
            Issue.record("no batchItemFailures in \(clean)")
            return
        }
        #expect(none.count == 0)
    }

    @Test func handlersPassTheStrictCheck() throws {
        let (status, output) = try Subprocess.shell("'\(repositoryRoot)/.build/debug/fn' check --strict '\(Self.handlers)'")
        #expect(status == 0, "\(output)")
    }
}

extension String {
    fileprivate func replacingAll(_ old: String, with new: String) -> String {
        var out = ""
        var rest = self[...]
        while let r = rest.firstRange(of: old) {
            out += rest[..<r.lowerBound]
            out += new
            rest = rest[r.upperBound...]
        }
        return out + rest
    }
}
