import Glibc
import Testing
@testable import FnLambda

/// `fn serve` as a user runs it, driven by curl, the AWS CLI and boto3.
final class ServeProcess {
    let process: Subprocess
    let port: Int

    /// `launcher` runs before fn and execs it with the remaining arguments.
    init(arguments: [String] = [], root: String = repositoryRoot + "/handlers", launcher: [String] = []) throws {
        port = freePort()
        let log = temporaryPath("serve") + ".log"
        process = try Subprocess(launcher + [fnExecutable, "serve", "--port", String(port), "--root", root]
                                     + arguments,
                                 environment: Environment.inherited(), logPath: log)
        guard waitForPort(port, process: process) else {
            throw SubprocessError(message: "fn serve did not start (\(process.logPath)):\n\(readFile(process.logPath))")
        }
    }

    deinit { process.terminate() }
}

/// A root whose `functions.fn` logs in every way a handler can, and one that is slow.
func loggingHandlerRoot() -> String {
    let root = temporaryDirectory("logging")
    writeFile(root + "/functions.fn", """
        tail <- function(n = 1) {
          log_info("hello from the handler")
          log_error("an error line")
          cat("a cat line\\n")
          list(n = n)
        }
        slow <- function(n, seconds = 0) {
          Sys.sleep(seconds)
          log_info(paste("slow handler", n, "done"))
          if (n == 2) stop("event 2 failed")
          list(n = n)
        }

        """)
    return root
}

/// Runs a Python script (boto3 clients) and returns its exit code and output.
func runPython(_ script: String) throws -> (Int32, String) {
    let path = temporaryDirectory("boto") + "/script.py"
    writeFile(path, script)
    return try Subprocess.shell("python3 \(path)")
}

@Suite struct ServeCommandTests {
    @Test func curlInvokesParityAndTheLogHasStartEndReport() throws {
        let serve = try ServeProcess()
        let url = "http://127.0.0.1:\(serve.port)/2015-03-31/functions/function/invocations"
        let (code, output) = try Subprocess.shell("curl -sS -X POST \(url) -d '{\"number\": 5}'")
        #expect(code == 0)
        #expect(output == #"{"parity":"odd"}"#)
        let log = serve.process.log
        #expect(log.contains("START RequestId: "))
        #expect(log.contains("END RequestId: "))
        let report = log.split(separator: "\n").first { $0.hasPrefix("REPORT RequestId: ") }
        #expect(report?.contains("\tDuration: ") == true)
        #expect(report?.contains("\tMax Memory Used: ") == true)
    }

    /// Max Memory Used is fn's own peak, not that of a bigger parent that exec'd it (`swift run`
    /// does): Linux keeps `ru_maxrss` across execve.
    @Test func reportedMemoryIsTheServersOwnNotTheLaunchersPeak() throws {
        let launcher = ["/usr/bin/env", "python3", "-c",
                        "import os, sys; held = b'x' * (300 << 20); os.execv(sys.argv[1], sys.argv[1:])"]
        let serve = try ServeProcess(launcher: launcher)
        let url = "http://127.0.0.1:\(serve.port)/2015-03-31/functions/function/invocations"
        let (code, _) = try Subprocess.shell("curl -sS -X POST \(url) -d '{\"number\": 5}'")
        #expect(code == 0)
        let report = serve.process.log.split(separator: "\n").first { $0.hasPrefix("REPORT RequestId: ") }
        let field = report?.split(separator: "\t").first { $0.hasPrefix("Max Memory Used: ") }
        let mb = field.flatMap { Int($0.dropFirst("Max Memory Used: ".count).prefix { $0.isNumber }) }
        #expect(mb != nil, "\(report ?? "no REPORT line")")
        // The launcher held 300 MB when it exec'd fn; fn itself needs a few MB.
        #expect((mb ?? 1000) < 100, "\(report ?? "")")
    }

    @Test func editedHandlersAreReloadedAndBrokenOnesReported() throws {
        let root = temporaryDirectory("reload")
        writeFile(root + "/functions.fn", "parity <- function(number) list(version = 1)\n")
        let serve = try ServeProcess(root: root)
        let url = "http://127.0.0.1:\(serve.port)/2015-03-31/functions/function/invocations"
        func invoke() throws -> String { try Subprocess.shell("curl -sS -X POST \(url) -d '{\"number\": 1}'").1 }
        #expect(try invoke() == #"{"version":1}"#)

        writeFile(root + "/functions.fn", "parity <- function(number) list(version = 22)\n")
        #expect(try invoke() == #"{"version":22}"#)

        // A file that no longer parses: reported with its location, the last good version serves.
        writeFile(root + "/functions.fn", "parity <- function(number) list(version = )3\n")
        #expect(try invoke() == #"{"version":22}"#)
        #expect(serve.process.log.contains("functions.fn:1:"), "\(serve.process.log)")
        #expect(serve.process.log.contains("still serving the last good version"))

        writeFile(root + "/functions.fn", "parity <- function(number) list(version = 333)\n")
        #expect(try invoke() == #"{"version":333}"#)
    }

    @Test func awsCLIInvokes() throws {
        let serve = try ServeProcess()
        let out = temporaryDirectory("cli") + "/out.json"
        let (code, output) = try Subprocess.shell(
            "aws lambda invoke --endpoint-url http://127.0.0.1:\(serve.port) --no-sign-request --region us-east-1 "
                + "--function-name function --payload '{\"number\": 8}' \(out)")
        #expect(code == 0, "\(output)")
        #expect(output.contains("\"StatusCode\": 200"), "\(output)")
        #expect(readFile(out) == #"{"parity":"even"}"#)

        let (errorCode, errorOutput) = try Subprocess.shell(
            "aws lambda invoke --endpoint-url http://127.0.0.1:\(serve.port) --no-sign-request --region us-east-1 "
                + "--function-name function --payload '{\"nope\": 1}' \(out)")
        #expect(errorCode == 0)
        #expect(errorOutput.contains("\"FunctionError\": \"Unhandled\""), "\(errorOutput)")
        #expect(readFile(out).contains(#""errorType":"#))
    }

    @Test func boto3Invokes() throws {
        let serve = try ServeProcess()
        let script = """
            import boto3, json
            from botocore import UNSIGNED
            from botocore.config import Config
            client = boto3.client("lambda", endpoint_url="http://127.0.0.1:\(serve.port)", region_name="us-east-1",
                                  config=Config(signature_version=UNSIGNED))
            ok = client.invoke(FunctionName="function", Payload=json.dumps({"number": 7}))
            print(ok["StatusCode"], ok["Payload"].read().decode(), ok.get("FunctionError"))
            bad = client.invoke(FunctionName="function", Payload=b"not json")
            print(bad["StatusCode"], bad.get("FunctionError"), "errorType" in json.loads(bad["Payload"].read()))
            try:
                client.invoke(FunctionName="function", Payload=b"x" * (6 * 1024 * 1024 + 1))
            except client.exceptions.ClientError as e:
                # Real Lambda answers 413 with this code (not the model's RequestTooLargeException).
                print(e.response["ResponseMetadata"]["HTTPStatusCode"], e.response["Error"]["Code"])
            """
        let (code, output) = try runPython(script)
        #expect(code == 0, "\(output)")
        #expect(output == "200 {\"parity\":\"odd\"} None\n200 Unhandled True\n413 RequestEntityTooLargeException\n", "\(output)")
    }

    /// A result nested 100,000 deep is a marshal error, and freeing it does not overflow the
    /// connection thread's stack: the server goes on (it died here before connections got large stacks).
    @Test func aDeeplyNestedResultIsAnErrorAndTheServerLives() throws {
        let root = temporaryDirectory("deep")
        writeFile(root + "/functions.fn", """
            deep <- function() { x <- list(); for (i in 1:100000) x <- list(x); x }
            """)
        let serve = try ServeProcess(arguments: ["functions.deep"], root: root)
        let url = "http://127.0.0.1:\(serve.port)/2015-03-31/functions/function/invocations"
        for _ in 0..<2 {
            let (code, output) = try Subprocess.shell("curl -sS -X POST \(url) -d '{}'")
            #expect(code == 0, "\(output)\n\(serve.process.log)")
            #expect(output.contains("\"errorType\":\"Runtime.MarshalError\""), "\(output)")
        }
    }

    @Test func sigtermStopsCleanly() throws {
        let serve = try ServeProcess()
        serve.process.signal(SIGTERM)
        #expect(serve.process.wait(seconds: 10) == 0)
        #expect(serve.process.log.contains("fn serve: stopped"))
    }

    @Test func badArgumentsAreUsageErrors() throws {
        let (code, output) = try Subprocess.shell("'\(fnExecutable)' serve --port nope")
        #expect(code == 2)
        #expect(output.contains("--port needs a port number"))
    }

    @Test func awsCLIAndBoto3GetTheLogTail() throws {
        let serve = try ServeProcess(arguments: ["functions.tail"], root: loggingHandlerRoot())
        let out = temporaryDirectory("cli") + "/out.json"
        let (code, output) = try Subprocess.shell(
            "aws lambda invoke --endpoint-url http://127.0.0.1:\(serve.port) --no-sign-request --region us-east-1 "
                + "--function-name function --payload '{\"n\": 3}' --log-type Tail --query LogResult --output text "
                + "\(out) | base64 -d")
        #expect(code == 0, "\(output)")
        #expect(readFile(out) == #"{"n":3}"#)
        #expect(output.hasPrefix("START RequestId: "), "\(output)")
        #expect(output.contains("\tINFO\thello from the handler\n"), "\(output)")
        #expect(output.contains("\tERROR\tan error line\n"), "\(output)")
        #expect(output.contains("a cat line\n"), "\(output)")
        #expect(output.contains("\nREPORT RequestId: "), "\(output)")

        let script = """
            import base64, boto3
            from botocore import UNSIGNED
            from botocore.config import Config
            client = boto3.client("lambda", endpoint_url="http://127.0.0.1:\(serve.port)", region_name="us-east-1",
                                  config=Config(signature_version=UNSIGNED))
            tail = client.invoke(FunctionName="function", Payload=b"{}", LogType="Tail")
            log = base64.b64decode(tail["LogResult"]).decode()
            print(log.startswith("START RequestId: " + tail["ResponseMetadata"]["RequestId"]),
                  "hello from the handler" in log, "REPORT RequestId: " in log)
            print("LogResult" in client.invoke(FunctionName="function", Payload=b"{}"))
            """
        let (botoCode, botoOutput) = try runPython(script)
        #expect(botoCode == 0, "\(botoOutput)")
        #expect(botoOutput == "True True True\nFalse\n", "\(botoOutput)")
    }

    @Test func eventInvocationsAnswerBeforeTheHandlerFinishes() throws {
        let serve = try ServeProcess(arguments: ["functions.slow"], root: loggingHandlerRoot())
        let url = "http://127.0.0.1:\(serve.port)/2015-03-31/functions/function/invocations"
        func event(_ body: String) throws -> String {
            try Subprocess.shell("curl -sS -o /dev/null -w '%{http_code}' -X POST "
                + "-H 'X-Amz-Invocation-Type: Event' \(url) -d '\(body)'").1
        }
        #expect(try event(#"{"n": 1, "seconds": 2}"#) == "202")
        // The handler sleeps 2 s before it logs; the 202 came first.
        #expect(!serve.process.log.contains("slow handler 1 done"), "\(serve.process.log)")
        #expect(try event(#"{"n": 2}"#) == "202")
        #expect(eventually(seconds: 30) { serve.process.log.contains("Invoke Error") }, "\(serve.process.log)")
        let log = serve.process.log
        let lines = log.split(separator: "\n")
        let order = ["slow handler 1 done", "slow handler 2 done", #"Invoke Error {"errorMessage":"event 2 failed""#]
            .map { marker in lines.firstIndex { $0.contains(marker) } }
        #expect(order.allSatisfy { $0 != nil } && order == order.sorted { ($0 ?? 0) < ($1 ?? 0) }, "\(log)")
        // The AWS CLI's asynchronous invoke sees Lambda's answer.
        let (code, output) = try Subprocess.shell(
            "aws lambda invoke --endpoint-url http://127.0.0.1:\(serve.port) --no-sign-request --region us-east-1 "
                + "--function-name function --invocation-type Event --payload '{\"n\": 3}' /dev/null")
        #expect(code == 0, "\(output)")
        #expect(output.contains("\"StatusCode\": 202"), "\(output)")
    }
}
