import Testing

/// Words the commands read through `CommandArguments`: a bad value is a usage error (exit 2), never a crash.
@Suite struct CommandArgumentsTests {
    /// A deadline is computed in whole milliseconds; a timeout that has none (`inf`, `1e300`)
    /// used to trap converting to Int64.
    @Test(arguments: ["inf", "1e300", "nan", "0", "-1"])
    func invokeTimeoutWithoutAMillisecondDeadlineIsAUsageError(_ timeout: String) throws {
        let root = loggingHandlerRoot()
        let (code, output) = try Subprocess.shell(
            "'\(fnExecutable)' invoke functions.tail --root '\(root)' --timeout \(timeout)")
        #expect(code == 2, "\(output)")
        #expect(output.contains("--timeout needs a positive number of seconds"), "\(output)")
    }

    @Test func serveTimeoutWithoutAMillisecondDeadlineIsAUsageError() throws {
        let (code, output) = try Subprocess.shell("'\(fnExecutable)' serve --port 0 --timeout inf")
        #expect(code == 2, "\(output)")
        #expect(output.contains("--timeout needs a positive number of seconds"), "\(output)")
    }

    /// `fn serve` reads its default timeout from the environment; one it cannot use is ignored.
    @Test func serveIgnoresAnEnvironmentTimeoutWithoutAMillisecondDeadline() throws {
        let serve = try ServeProcess(launcher: ["/usr/bin/env", "AWS_LAMBDA_FUNCTION_TIMEOUT=inf"])
        let url = "http://127.0.0.1:\(serve.port)/2015-03-31/functions/function/invocations"
        let (code, output) = try Subprocess.shell("curl -sS -X POST \(url) -d '{\"number\": 3}'")
        #expect(code == 0, "\(output)")
        #expect(output.contains(#"{"parity":"odd"}"#), "\(output)")
    }

    @Test func aLargeFiniteTimeoutStillInvokes() throws {
        let root = loggingHandlerRoot()
        let (code, output) = try Subprocess.shell(
            "'\(fnExecutable)' invoke functions.tail --root '\(root)' --timeout 86400")
        #expect(code == 0, "\(output)")
        #expect(output.contains(#"{"n":1}"#), "\(output)")
    }
}
