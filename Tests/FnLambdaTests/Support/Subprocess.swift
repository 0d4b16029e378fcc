import Glibc
@testable import FnLambda
import FnLanguage

/// A child process started with posix_spawn: arguments, environment, working directory, and its
/// stdout+stderr captured in a file.
final class Subprocess {
    let pid: pid_t
    let logPath: String
    private var exited: Int32?

    /// Starts `arguments[0]` (a path) with exactly `environment`.
    init(_ arguments: [String], environment: [String: String], directory: String? = nil, logPath: String) throws {
        self.logPath = logPath
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        // glibc's addchdir_np is not visible to Swift here; a shell `cd` then `exec` does the same.
        let arguments = directory.map { ["/bin/sh", "-c", "cd \"$0\" && exec \"$@\"", $0] + arguments } ?? arguments
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        // The test runner's threads may block signals; the child starts with none blocked and default actions.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for number in [SIGINT, SIGTERM, SIGPIPE, SIGQUIT] { sigaddset(&defaults, number) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, arguments[0], &actions, &attributes, argv, envp)
        guard rc == 0 else { throw SubprocessError(message: "cannot start \(arguments[0]): \(Errno.describe(rc))") }
        self.pid = pid
    }

    /// Waits for the exit; returns the exit status (128 + signal when killed).
    @discardableResult
    func wait() -> Int32 {
        if let exited { return exited }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let code = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        exited = code
        return code
    }

    /// Waits at most `seconds` for the exit; nil if it is still running then.
    func wait(seconds: Double) -> Int32? {
        let deadline = Clock.nowMs() + Int64(seconds * 1000)
        while isRunning {
            if Clock.nowMs() > deadline { return nil }
            usleep(10_000)
        }
        return wait()
    }

    /// Whether the process is still running (not reaped).
    var isRunning: Bool {
        if exited != nil { return false }
        var status: Int32 = 0
        let rc = waitpid(pid, &status, WNOHANG)
        if rc == pid {
            exited = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
            return false
        }
        return true
    }

    func signal(_ number: Int32) {
        if exited == nil { kill(pid, number) }
    }

    /// Kills the process (and reaps it).
    func terminate() {
        signal(SIGKILL)
        wait()
    }

    /// Everything the process wrote so far.
    var log: String { readFile(logPath) }

    deinit {
        if exited == nil { terminate() }
    }

    /// Runs a command line through /bin/sh to completion; returns its exit code and output.
    static func shell(_ command: String, environment: [String: String] = Environment.inherited()) throws -> (Int32, String) {
        let log = temporaryPath("sh") + ".log"
        let process = try Subprocess(["/bin/sh", "-c", command], environment: environment, logPath: log)
        let code = process.wait()
        return (code, readFile(log))
    }
}

struct SubprocessError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

enum Environment {
    /// This process's environment minus anything that would steer a runtime under test.
    static func inherited() -> [String: String] {
        var result: [String: String] = [:]
        var pointer = environ
        while let entry = pointer.pointee {
            let text = String(cString: entry)
            if let eq = text.firstIndex(of: "=") {
                let name = String(text[..<eq])
                if !name.hasPrefix("AWS_LAMBDA_") && name != "_HANDLER" && name != "LAMBDA_TASK_ROOT"
                    && name != "LOG_LEVEL" && name != "_X_AMZN_TRACE_ID" {
                    result[name] = String(text[text.index(after: eq)...])
                }
            }
            pointer += 1
        }
        return result
    }
}

func readFile(_ path: String) -> String {
    guard case .success(let bytes) = Files.read(path) else { return "" }
    return String(decoding: bytes, as: UTF8.self)
}

func writeFile(_ path: String, _ text: String) {
    guard let file = fopen(path, "wb") else { return }
    fputs(text, file)
    fclose(file)
}

/// A fresh directory under /tmp.
func temporaryDirectory(_ prefix: String) -> String {
    var template = Array("/tmp/fn-\(prefix)-XXXXXX".utf8CString)
    guard let path = mkdtemp(&template) else { return "/tmp" }
    return String(cString: path)
}

func temporaryPath(_ prefix: String) -> String {
    temporaryDirectory(prefix) + "/out"
}

/// The repository root (this file is Tests/FnLambdaTests/Support/Subprocess.swift).
let repositoryRoot: String = {
    var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(4)
    return parts.joined(separator: "/")
}()

/// The `fn` executable `swift test` built next to this test bundle.
let fnExecutable: String = {
    var buffer = [CChar](repeating: 0, count: 4096)
    let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
    if n > 0 {
        let exe = String(cString: buffer)
        var parts = exe.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast()
        let candidate = parts.joined(separator: "/") + "/fn"
        if access(candidate, X_OK) == 0 { return candidate }
    }
    return repositoryRoot + "/.build/debug/fn"
}()

/// Sends one HTTP request on a fresh connection and reads the response.
func httpRequest(port: Int, method: String = "POST", path: String, body: String = "",
                 headers: [(String, String)] = []) throws -> HTTPResponse {
    let socket = try Socket.connect(host: "127.0.0.1", port: port)
    socket.setReceiveTimeout(seconds: 30)
    let request = HTTPRequest(method: method, target: path,
                              headers: HTTPHeaders([("Host", "127.0.0.1:\(port)")] + headers), body: Array(body.utf8))
    try socket.send(HTTPWriter.request(request))
    var reader = HTTPReader(source: SocketSource(socket))
    guard let response = try reader.readResponse(method: method) else { throw HTTPError.truncated }
    return response
}

/// Waits until something accepts connections on `port` (or `process` dies); false on timeout.
func waitForPort(_ port: Int, process: Subprocess, seconds: Double = 10) -> Bool {
    let deadline = Clock.nowMs() + Int64(seconds * 1000)
    while Clock.nowMs() < deadline {
        if (try? Socket.connect(host: "127.0.0.1", port: port)) != nil { return true }
        if !process.isRunning { return false }
        usleep(20_000)
    }
    return false
}

/// A port nothing listens on right now.
func freePort() -> Int {
    (try? Socket.listen(host: "127.0.0.1", port: 0).localPort) ?? 9555
}
