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
        let path = temporaryDirectory("boto") + "/invoke.py"
        writeFile(path, script)
        let (code, output) = try Subprocess.shell("python3 \(path)")
        #expect(code == 0, "\(output)")
        #expect(output == "200 {\"parity\":\"odd\"} None\n200 Unhandled True\n413 RequestEntityTooLargeException\n", "\(output)")
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
}
