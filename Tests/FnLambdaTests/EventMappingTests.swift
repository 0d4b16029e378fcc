import Glibc
import Testing
import FnLanguage
@testable import FnLambda

/// The seed runtime's event mapping: every case of Events/cases.txt runs its handler on an
/// AWS-shaped event through HandlerSession, and the answer must be the one GNU R gives for the
/// same handler file through `do.call(f, jsonlite::fromJSON(body))` and
/// `toJSON(result, auto_unbox = TRUE, digits = NA)` (Events/expected, written by Events/generate.R).
@Suite struct EventMappingTests {
    static let directory = repositoryRoot + "/Tests/FnLambdaTests/Events"

    struct Case {
        var name: String
        var handler: String
        var event: String
    }

    static func cases() -> [Case] {
        readFile(directory + "/cases.txt").split(separator: "\n").compactMap { line in
            if line.hasPrefix("#") { return nil }
            let parts = line.split(separator: " ").map(String.init)
            return parts.count == 3 ? Case(name: parts[0], handler: parts[1], event: parts[2]) : nil
        }
    }

    @Test func everyEventSourceIsCovered() {
        let events = Set(Self.cases().map(\.event))
        for file in ["sqs.json", "s3.json", "sns.json", "eventbridge.json", "dynamodb-streams.json",
                     "apigateway-rest-v1.json", "http-api-v2.json", "function-url.json"] {
            #expect(events.contains(file), "no case runs \(file)")
        }
    }

    @Test(arguments: EventMappingTests.cases().map(\.name))
    func handlerAnswersAsR(_ name: String) throws {
        guard let c = Self.cases().first(where: { $0.name == name }) else {
            Issue.record("no case \(name)")
            return
        }
        let session = try HandlerSession(handler: c.handler, root: repositoryRoot + "/handlers", output: { _, _ in })
        let context = InvocationContext(requestId: "req-1", deadlineMs: Int64.max / 2)
        let event = readFile(Self.directory + "/" + c.event)
        let expected = readFile(Self.directory + "/expected/\(name).json")
            .trimmingSuffix(while: { $0 == "\n" })
        switch session.invoke(event: Array(event.utf8), context: context) {
        case .success(let bytes):
            #expect(String(decoding: bytes, as: UTF8.self) == expected)
        case .failure(let e):
            Issue.record("\(name): \(e.errorType): \(e.errorMessage)")
        }
    }

    /// expected/ must be what generate.R writes today, so an edited handler or event cannot leave
    /// a stale answer behind.
    @Test func expectedAnswersAreCurrent() throws {
        let (rstatus, _) = try Subprocess.shell("Rscript -e 'library(jsonlite)'")
        #expect(rstatus == 0, "Rscript with jsonlite is required: apt-get install -y r-base-core r-cran-jsonlite")
        guard rstatus == 0 else { return }
        let fresh = "/tmp/fn-event-answers-\(getpid())"
        let (status, output) = try Subprocess.shell("Rscript '\(Self.directory)/generate.R' '\(fresh)'")
        #expect(status == 0, "\(output)")
        for c in Self.cases() {
            let committed = readFile(Self.directory + "/expected/\(c.name).json")
            #expect(readFile(fresh + "/\(c.name).json") == committed,
                    "expected/\(c.name).json is stale; run Rscript Tests/FnLambdaTests/Events/generate.R and commit it")
        }
        _ = try Subprocess.shell("rm -rf '\(fresh)'")
    }
}

extension String {
    fileprivate func trimmingSuffix(while drop: (Character) -> Bool) -> String {
        var s = self
        while let last = s.last, drop(last) { s.removeLast() }
        return s
    }
}
