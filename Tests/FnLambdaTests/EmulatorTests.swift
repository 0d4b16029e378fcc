import Glibc
import Testing
@testable import FnLambda

/// Handlers the emulator tests load besides handlers/functions.fn.
let testHandlers = #"""
counter <- 0

count <- function() {
  counter <<- counter + 1
  list(count = counter)
}

whoami <- function(context) {
  list(request_id = context$aws_request_id, function_name = context$function_name)
}

logs <- function() {
  log_debug("debug line")
  log_info("info line")
  log_warn("warn line")
  log_error("error line")
  list(ok = TRUE)
}

spin <- function(stop = TRUE) {
  if (stop) repeat {}
  "alive"
}

deep <- function(n = 0, go = TRUE) {
  if (go) deep(n + 1) else "alive"
}
"""#

/// A task root holding a copy of handlers/ plus tests.fn and a file that does not parse.
func makeTaskRoot() throws -> String {
    let root = temporaryDirectory("task")
    _ = try Subprocess.shell("cp -R '\(repositoryRoot)/handlers/.' '\(root)/'")
    writeFile(root + "/tests.fn", testHandlers)
    writeFile(root + "/broken.fn", "ok <- function() 1\nf <- function(x {\n  x\n}\n")
    return root
}

/// Every test here starts the real emulator, whose Runtime API port is fixed: they run one at a time.
@Suite(.serialized) struct EmulatorTests {
    @Test func parityAndAThousandInvocationsInOneProcess() throws {
        let emulator = try Emulator(handler: "functions.parity", taskRoot: try makeTaskRoot())
        #expect(try emulator.invokeText(#"{"number": 0}"#) == #"{"parity":"even"}"#)
        #expect(try emulator.invokeText(#"{"number": 5}"#) == #"{"parity":"odd"}"#)
        #expect(try emulator.invokeText(#"{"number": 8}"#) == #"{"parity":"even"}"#)
        #expect(try emulator.invokeText(#"{"number": -3}"#) == #"{"parity":"odd"}"#)
        #expect(try emulator.invokeText(#"{"number": "12"}"#) == #"{"parity":"even"}"#)
        let pids = emulator.runtimePids
        #expect(pids.count == 1)
        var wrong = 0
        for i in 0..<1000 {
            let expected = i % 2 == 0 ? #"{"parity":"even"}"# : #"{"parity":"odd"}"#
            if try emulator.invokeText(#"{"number": \#(i)}"#) != expected { wrong += 1 }
        }
        #expect(wrong == 0)
        #expect(emulator.runtimePids == pids)
    }

    @Test func badEventsAreErrorsAndTheRuntimeKeepsServing() throws {
        let emulator = try Emulator(handler: "functions.parity", taskRoot: try makeTaskRoot())
        // The emulator starts the runtime on the first invocation.
        #expect(try emulator.invokeText(#"{"number": 1}"#) == #"{"parity":"odd"}"#)
        let pids = emulator.runtimePids
        #expect(pids.count == 1)
        for event in ["not json", #"{"nope":1}"#, #"{"number":"abc"}"#, ""] {
            let response = try emulator.invoke(event)
            let body = text(response.body)
            #expect(response.status == 200, "\(event)")
            #expect(body.hasPrefix(#"{"errorMessage":""#), "\(event): \(body)")
            #expect(body.contains(#""errorType":""#), "\(event): \(body)")
            #expect(try emulator.invokeText(#"{"number": 5}"#) == #"{"parity":"odd"}"#, "after \(event)")
        }
        #expect(emulator.runtimePids == pids)
    }

    @Test func globalsPersistAcrossInvocations() throws {
        let emulator = try Emulator(handler: "tests.count", taskRoot: try makeTaskRoot())
        #expect(try emulator.invokeText("") == #"{"count":1}"#)
        #expect(try emulator.invokeText("{}") == #"{"count":2}"#)
        #expect(try emulator.invokeText("") == #"{"count":3}"#)
    }

    @Test func contextFormalSeesRequestIdAndFunctionName() throws {
        let emulator = try Emulator(handler: "tests.whoami", taskRoot: try makeTaskRoot(),
                                    environment: ["AWS_LAMBDA_FUNCTION_NAME": "parity-fn"])
        let body = try emulator.invokeText("{}")
        // The emulator prints the request id it generated on its START line.
        let start = emulator.log.split(separator: "\n").first { $0.hasPrefix("START RequestId: ") }
        let requestId = start.map { String($0.dropFirst("START RequestId: ".count).prefix(36)) } ?? "?"
        #expect(body == #"{"request_id":"\#(requestId)","function_name":"parity-fn"}"#)
    }

    @Test(arguments: [
        ("nodot", "Runtime.MalformedHandlerName"),
        ("missing.parity", "Runtime.ImportModuleError"),
        ("broken.ok", "Runtime.UserCodeSyntaxError"),
        ("functions.nope", "Runtime.HandlerNotFound"),
    ])
    func initErrorsAreReported(handler: String, errorType: String) throws {
        let emulator = try Emulator(handler: handler, taskRoot: try makeTaskRoot())
        let response = try emulator.invoke("{}")
        let body = text(response.body)
        #expect(response.status == 502)
        #expect(body.contains(#""errorType":"\#(errorType)""#), "\(body)")
        if errorType == "Runtime.UserCodeSyntaxError" {
            #expect(body.contains("broken.fn:2:"), "\(body)")
        }
    }

    @Test func jsonLogLinesCarryLevelAndRequestIdAndHonourTheThreshold() throws {
        let emulator = try Emulator(handler: "tests.logs", taskRoot: try makeTaskRoot(), environment: [
            "AWS_LAMBDA_LOG_FORMAT": "JSON", "AWS_LAMBDA_LOG_LEVEL": "WARN", "LOG_LEVEL": "DEBUG",
        ])
        #expect(try emulator.invokeText("{}") == #"{"ok":true}"#)
        let log = emulator.log
        let start = log.split(separator: "\n").first { $0.hasPrefix("START RequestId: ") }
        let requestId = start.map { String($0.dropFirst("START RequestId: ".count).prefix(36)) } ?? "?"
        let lines = log.split(separator: "\n").filter { $0.hasPrefix("{\"timestamp\":") }
        let warn = lines.first { $0.contains(#""message":"warn line""#) }
        let error = lines.first { $0.contains(#""message":"error line""#) }
        #expect(warn?.contains(#""level":"WARN""#) == true, "\(log)")
        #expect(warn?.contains(#""requestId":"\#(requestId)""#) == true, "\(log)")
        #expect(error?.contains(#""level":"ERROR""#) == true)
        #expect(!log.contains("info line"))
        #expect(!log.contains("debug line"))
    }

    @Test func logLevelFallsBackToLOG_LEVEL() throws {
        let emulator = try Emulator(handler: "tests.logs", taskRoot: try makeTaskRoot(),
                                    environment: ["LOG_LEVEL": "DEBUG"])
        #expect(try emulator.invokeText("{}") == #"{"ok":true}"#)
        let line = emulator.log.split(separator: "\n").first { $0.contains("debug line") }
        #expect(line?.contains("\tDEBUG\tdebug line") == true, "\(emulator.log)")
    }

    @Test func anInfiniteLoopTimesOutCleanlyAndTheProcessSurvives() throws {
        let emulator = try Emulator(handler: "tests.spin", taskRoot: try makeTaskRoot(),
                                    environment: ["AWS_LAMBDA_FUNCTION_TIMEOUT": "2"])
        #expect(try emulator.invokeText(#"{"stop": false}"#) == #""alive""#)
        let pids = emulator.runtimePids
        let body = try emulator.invokeText("{}")
        #expect(body.hasPrefix(#"{"errorMessage":"Task timed out after "#), "\(body)")
        #expect(body.contains(#""errorType":"Runtime.Timeout""#), "\(body)")
        #expect(body.contains("spin (tests.fn:"), "\(body)")
        #expect(try emulator.invokeText(#"{"stop": false}"#) == #""alive""#)
        #expect(emulator.runtimePids == pids)
    }

    @Test func infiniteRecursionIsACleanError() throws {
        let emulator = try Emulator(handler: "tests.deep", taskRoot: try makeTaskRoot())
        #expect(try emulator.invokeText(#"{"go": false}"#) == #""alive""#)
        let pids = emulator.runtimePids
        let body = try emulator.invokeText("{}")
        #expect(body.hasPrefix(#"{"errorMessage":""#), "\(body)")
        #expect(try emulator.invokeText(#"{"go": false}"#) == #""alive""#)
        #expect(emulator.runtimePids == pids)
    }

    /// The final image's layout (see Dockerfile): fn at /var/runtime/bootstrap, handlers/ in
    /// LAMBDA_TASK_ROOT=/var/task (the working directory), and the entrypoint exporting
    /// `_HANDLER` from the Dockerfile's CMD.
    @Test func dockerImageLayoutServesParity() throws {
        let dockerfile = readFile(repositoryRoot + "/Dockerfile")
        let cmd = dockerfile.split(separator: "\n").last { $0.hasPrefix("CMD ") }
        #expect(cmd == #"CMD ["functions.parity"]"#)
        let handler = cmd.map { String($0.dropFirst(#"CMD [""#.count).dropLast(2)) } ?? ""
        let image = temporaryDirectory("image")
        let task = image + "/var/task"
        _ = try Subprocess.shell("mkdir -p '\(task)' && cp -R '\(repositoryRoot)/handlers/.' '\(task)/'")
        let emulator = try Emulator(handler: handler, taskRoot: task)
        #expect(try emulator.invokeText(#"{"number": 5}"#) == #"{"parity":"odd"}"#)
    }
}
