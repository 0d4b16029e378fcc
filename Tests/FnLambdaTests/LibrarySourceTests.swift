import Glibc
import Testing
import FnLanguage
@testable import FnLambda

/// `source()` inside handlers: relative to the calling file, confined to the task root.
@Suite struct LibrarySourceTests {
    /// A task root holding `files` (path → text), plus a file outside it and a symlink to it.
    private func taskRoot(_ files: [String: String]) -> String {
        let base = temporaryDirectory("source")
        mkdir(base + "/root", 0o755)
        mkdir(base + "/root/lib", 0o755)
        writeFile(base + "/secret.fn", "secret <- 42\n")
        symlink(base + "/secret.fn", base + "/root/link.fn")
        for (path, text) in files { writeFile(base + "/root/" + path, text) }
        return base + "/root"
    }

    private func run(_ root: String, _ handler: String, _ event: String) throws -> Result<String, HandlerError> {
        let session = try HandlerSession(handler: handler, root: root, output: { _, _ in })
        let context = InvocationContext(requestId: "req-1", deadlineMs: Int64.max / 2)
        return session.invoke(event: Array(event.utf8), context: context).map { String(decoding: $0, as: UTF8.self) }
    }

    private func value(_ r: Result<String, HandlerError>) -> String {
        switch r {
        case .success(let s): return s
        case .failure(let e): return "error: \(e.errorMessage)"
        }
    }

    @Test func sourcesRelativeToTheCallingFile() throws {
        let root = taskRoot([
            "main.fn": "source(\"lib/helpers.fn\")\nh <- function(x) list(v = double_it(x), w = triple(x))\n",
            "lib/helpers.fn": "double_it <- function(x) x * 2\nsource(\"more.fn\")\n",
            "lib/more.fn": "triple <- function(x) {\n  if (x < 0) stop(\"negative\")\n  x * 3\n}\n",
        ])
        #expect(value(try run(root, "main.h", #"{"x": 2}"#)) == #"{"v":4,"w":6}"#)
        guard case .failure(let e) = try run(root, "main.h", #"{"x": -2}"#) else {
            Issue.record("expected an error")
            return
        }
        #expect(e.errorMessage == "negative")
        #expect(e.stackTrace.first == "triple (lib/more.fn:2:14)")
    }

    @Test(arguments: ["../secret.fn", "link.fn", "/etc/passwd", "lib/../../secret.fn"])
    func refusesPathsOutsideTheRoot(path: String) throws {
        let root = taskRoot(["main.fn": "h <- function() { source(\"\(path)\"); secret }\n"])
        guard case .failure(let e) = try run(root, "main.h", "") else {
            Issue.record("expected an error")
            return
        }
        #expect(e.errorMessage == "source(): '\(path)' is outside the task root")
    }

    @Test func errorsWhileSourcingNameTheSourcedFile() throws {
        let root = taskRoot([
            "main.fn": "source(\"lib/bad.fn\")\nh <- function() 1\n",
            "lib/bad.fn": "x <- 1\ny <- undefined_thing + 1\n",
        ])
        #expect(throws: HandlerError.self) { try run(root, "main.h", "") }
        do {
            _ = try HandlerSession(handler: "main.h", root: root, output: { _, _ in })
        } catch {
            #expect(error.errorType == "Runtime.ImportModuleError")
            #expect(error.stackTrace == ["<toplevel> (lib/bad.fn:2:6)"])
        }
    }

    @Test func aFileSourcingItselfIsALimitError() throws {
        let root = taskRoot(["main.fn": "h <- function() source(\"self.fn\")\n", "self.fn": "source(\"self.fn\")\n"])
        guard case .failure(let e) = try run(root, "main.h", "") else {
            Issue.record("expected an error")
            return
        }
        #expect(e.errorType == "Runtime.LimitExceeded")
    }

    @Test func sourcedDefinitionsAreGlobal() throws {
        let root = taskRoot([
            "main.fn": "h <- function() { source(\"lib/defs.fn\"); exists(\"helper\") }\n",
            "lib/defs.fn": "helper <- function() 1\n",
        ])
        #expect(value(try run(root, "main.h", "")) == "true")
    }
}
