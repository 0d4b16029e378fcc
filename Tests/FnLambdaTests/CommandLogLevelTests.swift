import Testing

/// `fn invoke`, `fn eval` and `fn run` take the `log_*` threshold from the environment, as
/// `fn runtime` and `fn serve` do.
@Suite struct CommandLogLevelTests {
    @Test func invokeHonoursAWSLambdaLogLevel() throws {
        let root = loggingHandlerRoot()
        let command = "'\(fnExecutable)' invoke functions.tail --root '\(root)'"
        let (code, all) = try Subprocess.shell(command)
        #expect(code == 0)
        #expect(all.contains("hello from the handler"), "\(all)")
        #expect(all.contains("an error line"), "\(all)")

        let (errorCode, errorsOnly) = try Subprocess.shell("AWS_LAMBDA_LOG_LEVEL=ERROR " + command)
        #expect(errorCode == 0)
        #expect(!errorsOnly.contains("hello from the handler"), "\(errorsOnly)")
        #expect(errorsOnly.contains("an error line"), "\(errorsOnly)")
        #expect(errorsOnly.contains(#"{"n":1}"#), "\(errorsOnly)")
    }

    @Test func awsLambdaLogLevelWinsOverLogLevel() throws {
        let root = loggingHandlerRoot()
        let (_, output) = try Subprocess.shell(
            "AWS_LAMBDA_LOG_LEVEL=DEBUG LOG_LEVEL=FATAL '\(fnExecutable)' invoke functions.tail --root '\(root)'")
        #expect(output.contains("hello from the handler"), "\(output)")
    }

    @Test func evalAndRunHonourLogLevel() throws {
        let expression = #"log_info("info line"); log_error("error line"); 1"#
        let (code, output) = try Subprocess.shell("LOG_LEVEL=ERROR '\(fnExecutable)' eval '\(expression)'")
        #expect(code == 0)
        #expect(!output.contains("info line"), "\(output)")
        #expect(output.contains("error line"), "\(output)")
        #expect(try Subprocess.shell("'\(fnExecutable)' eval '\(expression)'").1.contains("info line"))

        let script = temporaryDirectory("run") + "/script.fn"
        writeFile(script, "log_debug(\"debug line\")\nlog_warn(\"warn line\")\n")
        let (_, quiet) = try Subprocess.shell("'\(fnExecutable)' run '\(script)'")
        #expect(!quiet.contains("debug line") && quiet.contains("warn line"), "\(quiet)")
        let (_, verbose) = try Subprocess.shell("AWS_LAMBDA_LOG_LEVEL=DEBUG '\(fnExecutable)' run '\(script)'")
        #expect(verbose.contains("debug line"), "\(verbose)")
    }
}
