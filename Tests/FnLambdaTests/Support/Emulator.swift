import Glibc
@testable import FnLambda

/// AWS's Lambda Runtime Interface Emulator running `fn` as the bootstrap, laid out like the
/// `provided:al2023` image: `<root>/var/runtime/bootstrap` is fn (so Lambda's entrypoint finds it),
/// `_HANDLER` is exported as the entrypoint does from CMD, and the working directory is the task root.
///
/// The emulator's Runtime API port (9001) is fixed: only one may run at a time.
final class Emulator {
    let process: Subprocess
    let port: Int
    let root: String

    /// The emulator binary, fetched into the user's cache by Tests/scripts/fetch-rie.sh.
    static let binary: Result<String, SubprocessError> = {
        guard let (code, output) = try? Subprocess.shell("'\(repositoryRoot)/Tests/scripts/fetch-rie.sh'"),
              code == 0, let path = output.split(separator: "\n").last else {
            return .failure(SubprocessError(message: "Tests/scripts/fetch-rie.sh failed"))
        }
        return .success(String(path))
    }()

    /// Starts the emulator. `taskRoot` nil exports no `LAMBDA_TASK_ROOT` (the emulator sets none).
    /// `bootstrap` is the executable to run (a zip deployment's `/var/task/bootstrap`); by default
    /// fn linked as `/var/runtime/bootstrap`.
    init(handler: String, taskRoot: String?, directory: String? = nil, environment: [String: String] = [:],
         bootstrap: String? = nil) throws {
        let rie = try Self.binary.get()
        root = temporaryDirectory("rie")
        let runtimeDirectory = root + "/var/runtime"
        _ = try Subprocess.shell("mkdir -p '\(runtimeDirectory)' && ln -s '\(fnExecutable)' '\(runtimeDirectory)/bootstrap'")
        port = freePort()
        var env = Environment.inherited()
        env["_HANDLER"] = handler
        if let taskRoot { env["LAMBDA_TASK_ROOT"] = taskRoot }
        for (name, value) in environment { env[name] = value }
        process = try Subprocess(
            [rie, "--runtime-interface-emulator-address", "127.0.0.1:\(port)", bootstrap ?? runtimeDirectory + "/bootstrap"],
            environment: env, directory: directory ?? taskRoot, logPath: root + "/rie.log")
        guard waitForPort(port, process: process) else {
            throw SubprocessError(message: "the emulator did not start:\n\(process.log)")
        }
    }

    /// `POST /2015-03-31/functions/function/invocations` with `event` as the body.
    func invoke(_ event: String) throws -> HTTPResponse {
        try httpRequest(port: port, path: "/2015-03-31/functions/function/invocations", body: event)
    }

    /// The body of an invocation as text.
    func invokeText(_ event: String) throws -> String {
        text(try invoke(event).body)
    }

    /// Pids of the emulator's children: the runtime (fn) while one is running.
    var runtimePids: [pid_t] { childPids(of: process.pid) }

    /// The emulator's output, including everything the runtime wrote.
    var log: String { process.log }

    deinit {
        // The emulator stops its runtime on SIGTERM; a killed emulator would leave fn orphaned on /next.
        let children = runtimePids
        process.signal(SIGTERM)
        let deadline = Clock.nowMs() + 3000
        while process.isRunning && Clock.nowMs() < deadline { usleep(10_000) }
        if process.isRunning { process.terminate() }
        for child in children { kill(child, SIGKILL) }
    }
}

/// Processes whose parent is `parent`, from /proc.
func childPids(of parent: pid_t) -> [pid_t] {
    guard let dir = opendir("/proc") else { return [] }
    defer { closedir(dir) }
    var result: [pid_t] = []
    while let entry = readdir(dir) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        guard let pid = pid_t(name) else { continue }
        // /proc/PID/stat: "pid (comm) state ppid ..."; comm may hold spaces, so split after the last ')'.
        let stat = readFile("/proc/\(pid)/stat")
        guard let close = stat.lastIndex(of: ")") else { continue }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        if fields.count > 1, pid_t(fields[1]) == parent { result.append(pid) }
    }
    return result.sorted()
}
