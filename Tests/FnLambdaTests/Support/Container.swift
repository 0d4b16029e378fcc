import Glibc
@testable import FnLambda

/// Images built once per test run for the container tests, with Debian's podman and runc.
///
/// Two settings make podman work on these machines: `--runtime runc` (crun refuses their cgroups)
/// and `CONTAINERS_CONF` naming a file with `[containers]` / `default_ulimits = []`. No base
/// image can be pulled, and none is needed: fn is one static executable.
enum ContainerImages {
    /// Tags are per worktree, so test runs in two checkouts do not replace each other's images.
    static let tag: String = {
        let name = repositoryRoot.split(separator: "/").last.map(String.init) ?? "fn"
        return String(name.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" })
    }()

    /// `localhost/fn-test-scratch`: `FROM scratch` with the static, stripped fn as
    /// `/var/runtime/bootstrap`, handlers/ (plus the emulator tests' tests.fn) as `/var/task`, and
    /// AWS's emulator as the entrypoint, its invoke API on port 8080: the layout of provided:al2023.
    static var scratch: String { "localhost/fn-test-scratch:\(tag)" }
    /// `localhost/fn-test-provided`: a stand-in for `public.ecr.aws/lambda/provided:al2023`: the
    /// emulator at the base image's path as entrypoint, running `/var/runtime/bootstrap` with the
    /// handler from CMD, and `LAMBDA_TASK_ROOT=/var/task`.
    static var standIn: String { "localhost/fn-test-provided:\(tag)" }
    /// The shipped Dockerfile's runtime stage built on the stand-in (`--build-arg BASE_IMAGE`).
    static var dockerfile: String { "localhost/fn-test-dockerfile:\(tag)" }

    /// Builds all three images, once; a failure says what to do. The value is the build context,
    /// which holds the stripped static fn (`fn`) and the emulator (`aws-lambda-rie`).
    static let ready: Result<String, SubprocessError> = {
        do {
            return .success(try build())
        } catch let error as SubprocessError {
            return .failure(error)
        } catch {
            return .failure(SubprocessError(message: "\(error)"))
        }
    }()

    private static func build() throws -> String {
        let (version, versionOutput) = try podman("--version")
        guard version == 0 else {
            throw SubprocessError(message: "podman is missing (run Tests/scripts/install-test-deps.sh): \(versionOutput)")
        }
        let rie = try Emulator.binary.get()
        let context = temporaryDirectory("image")

        // The binary the image ships, built as bench/ builds it (so either reuses the other's build).
        let build = "cd '\(repositoryRoot)' && swift build -c release --product fn -Xswiftc -static-executable "
            + "--scratch-path .build-static"
        let (built, buildOutput) = try Subprocess.shell(build)
        guard built == 0 else { throw SubprocessError(message: "static build failed:\n\(buildOutput.suffix(3000))") }
        let (copied, copyOutput) = try Subprocess.shell(
            "strip -o '\(context)/fn' '\(repositoryRoot)/.build-static/release/fn' && cp '\(rie)' '\(context)/aws-lambda-rie'"
                + " && mkdir '\(context)/handlers' && cp -R '\(repositoryRoot)/handlers/.' '\(context)/handlers/'")
        guard copied == 0 else { throw SubprocessError(message: copyOutput) }
        writeFile(context + "/handlers/tests.fn", testHandlers)
        writeFile(context + "/handlers/memory.fn", memoryHandlers + "\ndispatch <- function(name) get(name)()\n")

        writeFile(context + "/Scratch.Containerfile", """
            FROM scratch
            COPY aws-lambda-rie /usr/local/bin/aws-lambda-rie
            COPY fn /var/runtime/bootstrap
            COPY handlers/ /var/task/
            ENV LAMBDA_TASK_ROOT=/var/task
            WORKDIR /var/task
            ENTRYPOINT ["/usr/local/bin/aws-lambda-rie", "--runtime-interface-emulator-address", "0.0.0.0:8080", \
            "/var/runtime/bootstrap"]
            CMD ["functions.parity"]

            """)
        writeFile(context + "/StandIn.Containerfile", """
            FROM scratch
            COPY aws-lambda-rie /usr/local/bin/aws-lambda-rie
            ENV LAMBDA_TASK_ROOT=/var/task
            WORKDIR /var/task
            ENTRYPOINT ["/usr/local/bin/aws-lambda-rie", "/var/runtime/bootstrap"]

            """)
        // The shipped Dockerfile with its build stage (which needs the swift image) replaced by the
        // binary built above; the global ARGs and the runtime stage are kept word for word.
        let lines = readFile(repositoryRoot + "/Dockerfile").split(separator: "\n", omittingEmptySubsequences: false)
        guard let firstFrom = lines.firstIndex(where: { $0.hasPrefix("FROM ") }),
              let lastFrom = lines.lastIndex(where: { $0.hasPrefix("FROM ") }), firstFrom < lastFrom else {
            throw SubprocessError(message: "the Dockerfile has no build and runtime stages")
        }
        let derived = lines[..<firstFrom].filter { $0.hasPrefix("ARG ") }
            + ["FROM scratch AS build", "COPY fn /out/fn"] + lines[lastFrom...]
        writeFile(context + "/Dockerfile.test", derived.joined(separator: "\n"))

        for (image, file, arguments) in [
            (scratch, "Scratch.Containerfile", ""),
            (standIn, "StandIn.Containerfile", ""),
            (dockerfile, "Dockerfile.test", "--build-arg BASE_IMAGE=\(standIn)"),
        ] {
            try buildImage(image, file: context + "/" + file, context: context, arguments: arguments)
        }
        return context
    }

    /// `podman build` of `file` as `image`, keeping no intermediate stage images; the previous run's
    /// image of that name, now untagged, is removed (which fails harmlessly while it is in use).
    static func buildImage(_ image: String, file: String, context: String, arguments: String = "") throws {
        let (known, previous) = try podman("image inspect --format '{{.Id}}' \(image)")
        let (code, output) = try podman("build -q --layers=false -t \(image) -f '\(file)' \(arguments) '\(context)'")
        guard code == 0 else { throw SubprocessError(message: "podman build of \(image) failed:\n\(output)") }
        let id = previous.trimmingWhitespace()
        if known == 0, !id.isEmpty, !output.contains(id) { _ = try podman("rmi \(id)") }
    }

    /// The containers.conf these machines need.
    static let configuration: String = {
        let path = temporaryDirectory("containers") + "/containers.conf"
        writeFile(path, "[containers]\ndefault_ulimits = []\n")
        return path
    }()

    /// Runs `podman --runtime runc ARGUMENTS` (a shell command line); returns its exit code and output.
    static func podman(_ arguments: String) throws -> (Int32, String) {
        var environment = Environment.inherited()
        environment["CONTAINERS_CONF"] = configuration
        return try Subprocess.shell("podman --runtime runc \(arguments)", environment: environment)
    }
}

/// One running container, its invoke API published on a free port of 127.0.0.1; removed on deinit.
final class Container {
    let name: String
    let port: Int

    /// `podman run -d` of `image` with `environment` and, when given, `command` replacing the CMD;
    /// `options` go to `podman run` (`--memory 192m`).
    init(_ image: String, command: [String] = [], environment: [String: String] = [:], options: String = "") throws {
        _ = try ContainerImages.ready.get()
        port = freePort()
        name = "fn-test-\(getpid())-\(port)"
        let env = environment.map { "-e '\($0.key)=\($0.value)'" }.joined(separator: " ")
        let (code, output) = try ContainerImages.podman(
            "run -d --name \(name) -p 127.0.0.1:\(port):8080 \(options) \(env) \(image) \(command.joined(separator: " "))")
        guard code == 0 else { throw SubprocessError(message: "podman run failed:\n\(output)") }
        // The published port accepts connections once the emulator inside listens.
        let deadline = Clock.nowMs() + 20_000
        while Clock.nowMs() < deadline {
            if let response = try? httpRequest(port: port, method: "GET", path: "/"), response.status > 0 { return }
            usleep(50_000)
        }
        throw SubprocessError(message: "the container did not answer on port \(port):\n\(log)")
    }

    var invocationsURL: String { "http://127.0.0.1:\(port)/2015-03-31/functions/function/invocations" }

    /// One invocation with curl; the body answered.
    func curl(_ event: String) throws -> String {
        let (code, output) = try Subprocess.shell("curl -sS -X POST \(invocationsURL) -d '\(event)'")
        guard code == 0 else { throw SubprocessError(message: "curl failed: \(output)") }
        return output
    }

    /// `podman logs`: the emulator's lines and everything the runtime wrote.
    var log: String { (try? ContainerImages.podman("logs \(name)").1) ?? "" }

    deinit {
        _ = try? ContainerImages.podman("rm -f -t 1 \(name)")
    }
}

private extension String {
    func trimmingWhitespace() -> String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}
