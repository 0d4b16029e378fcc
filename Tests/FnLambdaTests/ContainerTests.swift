import Glibc
import Testing

/// The image run for real: podman containers of a `FROM scratch` image in provided:al2023's layout
/// and of the shipped Dockerfile's runtime stage, driven by curl, the AWS CLI and boto3.
///
/// The first test pays for the static release build of fn (minutes on 2 cores; bench/ shares it).
/// Where podman cannot build or run containers these tests fail with podman's own message.
@Suite(.serialized) struct ContainerTests {
    @Test func parityThroughCurlTheAWSCLIAndBoto3() throws {
        let container = try Container(ContainerImages.scratch)
        #expect(try container.curl(#"{"number": 5}"#) == #"{"parity":"odd"}"#)
        #expect(try container.curl(#"{"number": 0}"#) == #"{"parity":"even"}"#)
        #expect(try container.curl(#"{"number": -3}"#) == #"{"parity":"odd"}"#)
        #expect(try container.curl(#"{"number": "12"}"#) == #"{"parity":"even"}"#)

        let out = temporaryDirectory("cli") + "/out.json"
        let (code, output) = try Subprocess.shell(
            "aws lambda invoke --endpoint-url http://127.0.0.1:\(container.port) --no-sign-request --region us-east-1 "
                + "--function-name function --payload '{\"number\": 8}' \(out)")
        #expect(code == 0, "\(output)")
        #expect(readFile(out) == #"{"parity":"even"}"#)

        let (pythonCode, pythonOutput) = try runPython("""
            import boto3, json
            from botocore import UNSIGNED
            from botocore.config import Config
            client = boto3.client("lambda", endpoint_url="http://127.0.0.1:\(container.port)", region_name="us-east-1",
                                  config=Config(signature_version=UNSIGNED))
            ok = client.invoke(FunctionName="function", Payload=json.dumps({"number": 7}))
            print(ok["StatusCode"], ok["Payload"].read().decode())
            """)
        #expect(pythonCode == 0, "\(pythonOutput)")
        #expect(pythonOutput == "200 {\"parity\":\"odd\"}\n", "\(pythonOutput)")

        // One runtime process served them all; the emulator logged a REPORT line for each.
        let log = container.log
        #expect(log.contains("exec '/var/runtime/bootstrap' (cwd=/var/task, handler=functions.parity)"), "\(log)")
        #expect(log.split(separator: "\n").filter { $0.hasPrefix("REPORT RequestId: ") }.count == 6, "\(log)")
        #expect(log.split(separator: "\n").filter { $0.contains("INIT START") }.count == 1, "\(log)")
    }

    @Test func handlerErrorsAreLambdaErrorObjectsAndTheRuntimeGoesOn() throws {
        let container = try Container(ContainerImages.scratch)
        let unused = try container.curl(#"{"nope": 1}"#)
        #expect(unused.hasPrefix(#"{"errorMessage":"unused argument (nope = 1)","errorType":"simpleError""#), "\(unused)")
        let notJSON = try container.curl("not json")
        #expect(notJSON.contains(#""errorType":"Runtime.UnmarshalError""#), "\(notJSON)")
        #expect(try container.curl(#"{"number": 1}"#) == #"{"parity":"odd"}"#)
        #expect(container.log.split(separator: "\n").filter { $0.contains("INIT START") }.count == 1, "\(container.log)")
    }

    @Test func aTimeoutIsReportedAndTheNextInvocationAnswers() throws {
        let container = try Container(ContainerImages.scratch, command: ["tests.spin"],
                                      environment: ["AWS_LAMBDA_FUNCTION_TIMEOUT": "2"])
        #expect(try container.curl(#"{"stop": false}"#) == #""alive""#)
        let body = try container.curl("{}")
        #expect(body.hasPrefix(#"{"errorMessage":"Task timed out after "#), "\(body)")
        #expect(body.contains(#""errorType":"Runtime.Timeout""#), "\(body)")
        #expect(try container.curl(#"{"stop": false}"#) == #""alive""#)
    }

    @Test func jsonLogsCarryTheRequestId() throws {
        let container = try Container(ContainerImages.scratch, command: ["tests.logs"],
                                      environment: ["AWS_LAMBDA_LOG_FORMAT": "JSON"])
        #expect(try container.curl("{}") == #"{"ok":true}"#)
        let log = container.log
        let start = log.split(separator: "\n").first { $0.hasPrefix("START RequestId: ") }
        let requestId = start.map { String($0.dropFirst("START RequestId: ".count).prefix(36)) } ?? "?"
        let warn = log.split(separator: "\n").first { $0.hasPrefix("{") && $0.contains(#""message":"warn line""#) }
        #expect(warn?.contains(#""level":"WARN""#) == true, "\(log)")
        #expect(warn?.contains(#""requestId":"\#(requestId)""#) == true, "\(log)")
        #expect(!log.contains("debug line"))
    }

    @Test func theImageCMDIsOverriddenByTheRunCommand() throws {
        let container = try Container(ContainerImages.scratch, command: ["tests.count"])
        #expect(try container.curl("") == #"{"count":1}"#)
        #expect(try container.curl("{}") == #"{"count":2}"#)
    }

    /// A zip deployment as provided.al2023 runs it: `fn package` by the static fn, unpacked into
    /// /var/task of an image that holds nothing else but the emulator, which starts /var/task/bootstrap.
    @Test func aZipPackagedByTheStaticFnServesInAnEmptyImage() throws {
        let context = try ContainerImages.ready.get()
        let out = temporaryDirectory("zip-image")
        let (code, output) = try Subprocess.shell(
            "cd '\(out)' && '\(context)/fn' package --root '\(repositoryRoot)/handlers' -o function.zip")
        #expect(code == 0, "\(output)")
        #expect(!output.contains("dynamically linked"), "\(output)")
        _ = try PackageTests.unpack(out + "/function.zip", into: out + "/task")
        _ = try Subprocess.shell("cp '\(context)/aws-lambda-rie' '\(out)/'")
        writeFile(out + "/Containerfile", """
            FROM scratch
            COPY aws-lambda-rie /usr/local/bin/aws-lambda-rie
            COPY task/ /var/task/
            ENV LAMBDA_TASK_ROOT=/var/task
            WORKDIR /var/task
            ENTRYPOINT ["/usr/local/bin/aws-lambda-rie", "/var/task/bootstrap"]
            CMD ["functions.parity"]

            """)
        let image = "localhost/fn-test-zip:\(ContainerImages.tag)"
        try ContainerImages.buildImage(image, file: out + "/Containerfile", context: out)
        let container = try Container(image)
        #expect(try container.curl(#"{"number": 5}"#) == #"{"parity":"odd"}"#)
        #expect(try container.curl(#"{"number": 8}"#) == #"{"parity":"even"}"#)
        #expect(container.log.contains("exec '/var/task/bootstrap'"), "\(container.log)")
    }

    /// Lambda's memory limit for real: a memory cgroup (`podman run --memory`), with fn told the
    /// function's memory size as Lambda tells it. The cgroup has room for the emulator besides the
    /// 128 MB (on Lambda the platform's own processes are not in the function's memory).
    @Test func overLimitHandlersInAMemoryCgroupAreErrorsAndTheRuntimeLives() throws {
        let container = try Container(ContainerImages.scratch, command: ["memory.dispatch"],
                                      environment: ["AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128"], options: "--memory 192m")
        for name in ["one", "many", "grow", "pasted", "repped", "ranged", "regexed", "outered", "jsoned"] {
            let body = try container.curl(#"{"name": "\#(name)"}"#)
            #expect(body.hasPrefix(#"{"errorMessage":"cannot allocate vector of size "#), "\(name): \(body)")
            #expect(try container.curl(#"{"name": "small"}"#) == "1000000", "after \(name)")
        }
        let log = container.log
        #expect(log.split(separator: "\n").filter { $0.contains("INIT START") }.count == 1, "\(log)")
    }

    /// The cgroup's limit is real: told a memory size past it, fn is killed by it, and the emulator
    /// starts a new runtime (a cold start) for the next invocation.
    @Test func withoutATrueMemorySizeTheCgroupKillsTheRuntime() throws {
        let container = try Container(ContainerImages.scratch, command: ["memory.dispatch"],
                                      environment: ["AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "3008"], options: "--memory 192m")
        #expect(try container.curl(#"{"name": "small"}"#) == "1000000")
        let killed = try container.curl(#"{"name": "many"}"#)
        #expect(!killed.hasPrefix(#"{"errorMessage":"cannot allocate"#), "\(killed)")
        #expect(try container.curl(#"{"name": "small"}"#) == "1000000")
        let log = container.log
        #expect(log.split(separator: "\n").filter { $0.contains("INIT START") }.count == 2, "\(log)")
    }

    /// The shipped Dockerfile's runtime stage (its FROM ARG, COPY paths and CMD) on the stand-in base.
    @Test func theDockerfilesRuntimeStageServesParity() throws {
        let (code, output) = try ContainerImages.podman(
            "image inspect --format '{{.Config.Cmd}} {{.Config.Entrypoint}}' \(ContainerImages.dockerfile)")
        #expect(code == 0, "\(output)")
        #expect(output == "[functions.parity] [/usr/local/bin/aws-lambda-rie /var/runtime/bootstrap]\n", "\(output)")
        let container = try Container(ContainerImages.dockerfile)
        #expect(try container.curl(#"{"number": 5}"#) == #"{"parity":"odd"}"#)
        #expect(try container.curl(#"{"number": 8}"#) == #"{"parity":"even"}"#)
        #expect(container.log.contains("handler=functions.parity"), "\(container.log)")

        let other = try Container(ContainerImages.dockerfile, command: ["tests.count"])
        #expect(try other.curl("") == #"{"count":1}"#)
    }
}
