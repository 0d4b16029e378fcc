import Glibc
import FnLanguage
import Testing

/// Held from creating a pipe until its ends are close-on-exec and the child is spawned, so no
/// process started by a parallel test inherits a pipe end.
private let spawnLock = Lock()

/// Spawn attributes giving the child an empty signal mask: test threads block most signals and a
/// child would inherit that (tmux passes it on to the REPL in its pane).
private func withCleanSignalMask<T>(_ body: (inout posix_spawnattr_t) -> T) -> T {
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var empty = sigset_t()
    sigemptyset(&empty)
    posix_spawnattr_setsigmask(&attributes, &empty)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK))
    return body(&attributes)
}

/// `fn repl` with scripts piped in: plain line reading, values printed R-style, commands.
@Suite struct ReplPipedTests {
    @Test func printsVisibleValuesTheWayRDoes() throws {
        let run = try ReplProcess.pipe("""
            x <- c(1, 2, 3)
            x
            list(a = 1, b = "x")
            double <- function(n) {
              n * 2
            }
            double(21)
            1; 2
            invisible(5)
            (y <- "shown")
            NULL
            """)
        #expect(run.stdout == """
            [1] 1 2 3
            $a
            [1] 1

            $b
            [1] "x"

            [1] 42
            [1] 1
            [1] 2
            [1] "shown"
            NULL

            """)
        #expect(run.stderr == "")
        #expect(run.status == 0)
    }

    @Test func logLevelComesFromTheEnvironment() throws {
        let script = "log_info(\"quiet please\")\nlog_error(\"loud\")"
        let filtered = try ReplProcess.pipe(script, environment: ["AWS_LAMBDA_LOG_LEVEL=ERROR"])
        #expect(!(filtered.stdout + filtered.stderr).contains("quiet please"))
        #expect((filtered.stdout + filtered.stderr).contains("loud"))
        let plain = try ReplProcess.pipe(script, environment: ["AWS_LAMBDA_LOG_LEVEL=", "LOG_LEVEL="])
        #expect((plain.stdout + plain.stderr).contains("quiet please"))
    }

    @Test func errorsAreReportedAndTheSessionGoesOn() throws {
        let run = try ReplProcess.pipe("""
            stop("boom")
            f <- function() stop("inside")
            f()
            missing_name + 1
            1 +* 2
            warning("careful")
            "still here"
            2 *
            """)
        #expect(run.stdout == "[1] \"still here\"\n")
        #expect(run.stderr == """
            Error: boom
            Error in f() : inside
            Error: object 'missing_name' not found
            <repl>:1:4: unexpected '*'
            1 +* 2
               ^
            Warning message:
            careful
            <repl>:1:4: unexpected end of input
            2 *
               ^

            """)
        #expect(run.status == 0)
    }

    @Test func multiLineInputContinuesUntilComplete() throws {
        let run = try ReplProcess.pipe("""
            g <- function(a,
                          b) {
              if (a > b)
                "first"
              else
                "second"
            }
            g(2, 1); g(1,
            2)
            s <- "two
            lines"
            cat(s, "\\n")
            """)
        #expect(run.stdout == "[1] \"first\"\n[1] \"second\"\ntwo\nlines \n")
        #expect(run.stderr == "")
    }

    @Test func jsonTogglesTheOutputFormat() throws {
        let run = try ReplProcess.pipe("""
            :json
            list(a = 1, b = c(TRUE, FALSE), c = NULL)
            z <- 3
            function(x) x
            :json off
            c(a = 1)
            :json on
            "back"
            :json maybe
            """)
        #expect(run.stdout == """
            JSON output on
            {"a":1,"b":[true,false],"c":null}
            JSON output off
            a 
            1 
            JSON output on
            "back"

            """)
        #expect(run.stderr.contains("Error"))
        #expect(run.stderr.contains(":json takes on or off"))
    }

    @Test func lsListsGlobalNames() throws {
        let run = try ReplProcess.pipe("""
            :ls
            zeta <- 1
            alpha <- function() NULL
            .hidden <- 2
            :ls
            """)
        #expect(run.stdout == "character(0)\n[1] \"alpha\" \"zeta\" \n")
    }

    @Test func loadAndReloadSourceFiles() throws {
        let dir = try ReplFiles.temporaryDirectory()
        defer { ReplFiles.remove(dir) }
        let first = dir + "/first.fn"
        let second = dir + "/second.fn"
        try ReplFiles.write(first, "greeting <- \"hello\"\nshout <- function() toupper(greeting)\n")
        try ReplFiles.write(second, "count <- 1\n")
        let run = try ReplProcess.pipe("""
            shout()
            :load \(second)
            count
            :load \(dir)/absent.fn
            """, arguments: [first])
        #expect(run.stdout == "[1] \"HELLO\"\n[1] 1\n")
        #expect(run.stderr.contains("absent.fn"))

        // :reload re-reads the files in order: edit both while the REPL waits on its input.
        let session = try ReplProcess.start(arguments: [first])
        session.send("count <- 99\n:load \(second)\ncount\n")
        try session.waitForOutput("[1] 1\n")
        try ReplFiles.write(first, "greeting <- \"bye\"\nshout <- function() toupper(greeting)\n")
        try ReplFiles.write(second, "count <- 2\n")
        session.send(":reload\nshout()\ncount\n:quit\nthis_is_not_read\n")
        let done = try session.finish()
        #expect(done.stdout == "[1] 1\n[1] \"BYE\"\n[1] 2\n")
        #expect(done.stderr == "")
        #expect(done.status == 0)
    }

    @Test func reloadWithoutFilesSaysSo() throws {
        let run = try ReplProcess.pipe(":reload\n")
        #expect(run.stdout == "no files loaded\n")
    }

    @Test func invokeCallsHandlersLikeFnInvoke() throws {
        let run = try ReplProcess.pipe("""
            :invoke functions.parity {"number": 5}
            :invoke functions.parity {"number": 8}
            :invoke functions.nothing {}
            :invoke functions.parity {not json
            :invoke
            """, arguments: ["--root", ReplFiles.repositoryRoot + "/handlers"])
        let lines = run.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 4)
        #expect(lines.first == #"{"parity":"odd"}"#)
        #expect(lines.dropFirst().first == #"{"parity":"even"}"#)
        #expect(lines.dropFirst(2).first?.contains(#""errorType":"Runtime.HandlerNotFound""#) == true)
        #expect(lines.dropFirst(3).first?.contains(#""errorType":"Runtime.UnmarshalError""#) == true)
        #expect(run.stderr == "Error: :invoke needs a handler: :invoke FILE.FUNCTION [EVENT]\n")
    }

    @Test func invokePicksUpEditsToTheHandlerFile() throws {
        let dir = try ReplFiles.temporaryDirectory()
        defer { ReplFiles.remove(dir) }
        try ReplFiles.write(dir + "/app.fn", "version <- function() list(v = 1)\n")
        let session = try ReplProcess.start(arguments: ["--root", dir])
        session.send(":invoke app.version\n")
        try session.waitForOutput("{\"v\":1}\n")
        try ReplFiles.write(dir + "/app.fn", "version <- function() list(v = 2)\n")
        session.send(":invoke app.version\n")
        let done = try session.finish()
        #expect(done.stdout == "{\"v\":1}\n{\"v\":2}\n")
        #expect(done.stderr == "")
    }

    @Test func invokePassesTheContext() throws {
        let dir = try ReplFiles.temporaryDirectory()
        defer { ReplFiles.remove(dir) }
        try ReplFiles.write(dir + "/app.fn", """
            hello <- function(name, context) {
              cat("handling", name, "\\n")
              list(greeting = paste("hi", name), fn = context$function_name,
                   arn = context$invoked_function_arn, has_id = nchar(context$aws_request_id) == 36)
            }
            fails <- function() stop("handler broke")
            """)
        try ReplFiles.write(dir + "/event.json", #"{"name": "file"}"#)
        let run = try ReplProcess.pipe("""
            :invoke app.hello {"name": "ada"}
            :invoke app.hello @\(dir)/event.json
            :invoke app.fails
            hello
            """, arguments: ["--root", dir])
        #expect(run.stdout == """
            handling ada 
            {"greeting":"hi ada","fn":"hello","arn":"arn:aws:lambda:us-east-1:000000000000:function:hello","has_id":true}
            handling file 
            {"greeting":"hi file","fn":"hello","arn":"arn:aws:lambda:us-east-1:000000000000:function:hello","has_id":true}
            {"errorMessage":"handler broke","errorType":"simpleError","stackTrace":["fails (app.fn:6:21)"]}

            """)
        // The handler runs in its own session: the REPL's globals are untouched.
        #expect(run.stderr == "Error: object 'hello' not found\n")
    }

    @Test func helpQuitAndUnknownCommands() throws {
        let run = try ReplProcess.pipe("""
            :help
            :nope
            :quit
            "never evaluated"
            """)
        #expect(run.stdout.contains(":invoke HANDLER [EVENT]"))
        #expect(run.stdout.contains(":reload"))
        #expect(!run.stdout.contains("never evaluated"))
        #expect(run.stderr == "Error: unknown command ':nope' (:help lists the commands)\n")
        #expect(run.status == 0)
    }

    @Test func badOptionsAreRejected() throws {
        let run = try ReplProcess.pipe("", arguments: ["--timeout", "soon"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("--timeout needs a positive number of seconds"))
        let missing = try ReplProcess.pipe("1\n", arguments: ["/nonexistent/file.fn"])
        #expect(missing.stdout == "[1] 1\n")
        #expect(missing.stderr.contains("/nonexistent/file.fn"))
    }
}

/// `fn repl` in a real terminal (tmux): line editing, history, Ctrl-C, Ctrl-D.
@Suite struct ReplTerminalTests {
    @Test func editsLinesAndRecallsHistory() throws {
        let tmux = try Tmux.start(ReplFiles.fnExecutable + " repl")
        defer { tmux.stop() }
        try tmux.waitForPrompt()
        // Left arrows move into the line; typing inserts there.
        tmux.keys("x <- c(3, 4)", "Enter", "sum(x)", "Left", "Left", "Left", "Left", "Left", "Left", "Left")
        tmux.keys("-", "Enter")
        try tmux.waitForScreen { $0.contains("[1] -7") }
        // Up recalls the last line; Home/End, Ctrl-A/E, Ctrl-K, Ctrl-U, Ctrl-W, Delete, Backspace.
        tmux.keys("Up", "Home", "Delete", "End", "BSpace", "BSpace", "BSpace", "max(x)", "Enter")
        try tmux.waitForScreen { $0.contains("> summax(x)") && $0.contains("could not find function \"summax\"") }
        tmux.keys("garbage", "C-u", "paste(\"a\", \"b\") junk words", "C-w", "C-w", "Enter")
        try tmux.waitForScreen { $0.contains("[1] \"a b\"") }
        tmux.keys("1 + 2 + 3", "C-a", "C-k", "10", "C-e", " * 2", "Enter")
        try tmux.waitForScreen { $0.contains("[1] 20") }
        // Multi-byte characters: the cursor moves over whole characters.
        tmux.keys("\"日本é\"", "Left", "Left", "ü", "Enter")
        try tmux.waitForScreen { $0.contains("[1] \"日本üé\"") }
        // History holds every line; Up twice reaches the one before last.
        tmux.keys("Up", "Up", "Enter")
        try tmux.waitForScreen { $0.components("[1] 20") == 2 }
    }

    @Test func ctrlCInterruptsEvaluationAndCtrlDLeaves() throws {
        let dir = try ReplFiles.temporaryDirectory()
        defer { ReplFiles.remove(dir) }
        try ReplFiles.write(dir + "/slow.fn", "spin <- function() { cat(\"spinning\\n\"); repeat {} }\n")
        // A timeout far beyond the test's waits: only Ctrl-C can end the handler in time.
        let tmux = try Tmux.start(ReplFiles.fnExecutable + " repl --root " + dir + " --timeout 600")
        defer { tmux.stop() }
        try tmux.waitForPrompt()
        // The loop announces itself so Ctrl-C surely lands while it runs, not at the prompt.
        tmux.keys("n <- 0", "Enter", "{ cat(\"looping\\n\"); repeat n <- n + 1 }", "Enter")
        try tmux.waitForScreen { $0.split(separator: "\n").contains("looping") }
        tmux.keys("C-c")
        try tmux.waitForScreen { $0.contains("Interrupted") }
        tmux.keys("n > 0", "Enter")
        try tmux.waitForScreen { $0.contains("[1] TRUE") }
        // The same for a handler run by :invoke.
        tmux.keys(":invoke slow.spin", "Enter")
        try tmux.waitForScreen { $0.split(separator: "\n").contains("spinning") }
        tmux.keys("C-c")
        try tmux.waitForScreen { $0.components("Interrupted") == 2 }
        // Output without a final newline does not lose its line to the next prompt.
        tmux.keys("cat(\"partial\")", "Enter")
        try tmux.waitForScreen { $0.split(separator: "\n").contains("partial") }
        // Ctrl-C at the prompt discards the line, also a continuation.
        tmux.keys("this is discarded", "C-c", "f <- function() {", "Enter")
        try tmux.waitForScreen { $0.split(separator: "\n").last == "+" }
        tmux.keys("C-c", "40 + 2", "Enter")
        try tmux.waitForScreen { $0.contains("[1] 42") }
        #expect(!tmux.screen().contains("Error"))
        tmux.keys("C-d")
        try tmux.waitForExit()
    }
}

// MARK: - Helpers

/// A `fn repl` child process with its stdin a pipe and stdout / stderr captured in files.
private final class ReplProcess {
    let pid: pid_t
    let stdinFD: Int32
    let outPath: String
    let errPath: String

    private init(pid: pid_t, stdinFD: Int32, outPath: String, errPath: String) {
        self.pid = pid
        self.stdinFD = stdinFD
        self.outPath = outPath
        self.errPath = errPath
    }

    struct Finished {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `fn repl ARGUMENTS` with `script` (plus a final newline) as its whole input.
    static func pipe(_ script: String, arguments: [String] = [], environment: [String] = []) throws -> Finished {
        let process = try start(arguments: arguments, environment: environment)
        process.send(script.isEmpty ? "" : script + "\n")
        return try process.finish()
    }

    /// `environment` holds extra `NAME=value` entries on top of the test's own environment.
    static func start(arguments: [String], environment: [String] = []) throws -> ReplProcess {
        try spawnLock.withLock { () throws -> ReplProcess in try spawn(arguments: arguments, environment: environment) }
    }

    private static func spawn(arguments: [String], environment: [String]) throws -> ReplProcess {
        var fds: [Int32] = [-1, -1]
        // Close-on-exec: a process spawned meanwhile by a parallel test must not hold the write end,
        // or this REPL would never see the end of its input. (pipe2 is not visible from Swift.)
        guard Glibc.pipe(&fds) == 0 else { throw ReplTestError("pipe failed") }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        let base = ReplFiles.temporaryPath("repl")
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[0], 0)
        posix_spawn_file_actions_addclose(&actions, fds[0])
        posix_spawn_file_actions_addclose(&actions, fds[1])
        posix_spawn_file_actions_addopen(&actions, 1, base + ".out", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, base + ".err", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let argv = ([ReplFiles.fnExecutable, "repl"] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var inherited: [String] = []
        var entry = environ
        while let e = entry.pointee {
            inherited.append(String(cString: e))
            entry += 1
        }
        let overridden = Set(environment.map { $0.prefix { $0 != "=" } })
        inherited.removeAll { overridden.contains($0.prefix { $0 != "=" }) }
        let envp = (inherited + environment).map { strdup($0) } + [nil]
        defer { envp.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = withCleanSignalMask { posix_spawn(&pid, ReplFiles.fnExecutable, &actions, &$0, argv, envp) }
        close(fds[0])
        guard rc == 0 else {
            close(fds[1])
            throw ReplTestError("cannot start \(ReplFiles.fnExecutable): error \(rc)")
        }
        return ReplProcess(pid: pid, stdinFD: fds[1], outPath: base + ".out", errPath: base + ".err")
    }

    func send(_ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { write(stdinFD, $0.baseAddress, $0.count) }
            guard n > 0 else { return }
            bytes = bytes.dropFirst(n)
        }
    }

    /// Waits (up to 10 s) until stdout is exactly `text`.
    func waitForOutput(_ text: String) throws {
        for _ in 0..<1000 {
            if readFile(outPath) == text { return }
            usleep(10_000)
        }
        let now = readFile(outPath)
        throw ReplTestError("stdout never became \(text.debugDescription); it is \(now.debugDescription)")
    }

    /// Closes stdin (end of input) and waits for the exit.
    func finish() throws -> Finished {
        close(stdinFD)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let code = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        defer {
            unlink(outPath)
            unlink(errPath)
        }
        return Finished(status: code, stdout: readFile(outPath), stderr: readFile(errPath))
    }
}

/// A tmux server of its own (a private socket) running one command in a 120x30 window.
private final class Tmux {
    let socket: String

    private init(socket: String) { self.socket = socket }

    static func start(_ command: String) throws -> Tmux {
        guard ReplFiles.run(["tmux", "-V"]).status == 0 else {
            throw ReplTestError("tmux is not installed; the terminal tests of fn repl need it (apt-get install tmux)")
        }
        let tmux = Tmux(socket: "fn-repl-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        let started = ReplFiles.run(["tmux", "-L", tmux.socket, "-f", "/dev/null", "new-session", "-d",
                                     "-x", "120", "-y", "30", command])
        guard started.status == 0 else { throw ReplTestError("tmux new-session failed: \(started.output)") }
        return tmux
    }

    /// Sends keys by tmux name (`Enter`, `Left`, `C-c`) or literal text.
    func keys(_ keys: String...) {
        let named: Set<String> = ["Enter", "Left", "Right", "Up", "Down", "Home", "End", "Delete", "BSpace",
                                  "C-a", "C-c", "C-d", "C-e", "C-k", "C-u", "C-w", "C-l"]
        for key in keys {
            let argv = named.contains(key)
                ? ["tmux", "-L", socket, "send-keys", "-t", "0", key]
                : ["tmux", "-L", socket, "send-keys", "-t", "0", "-l", key]
            _ = ReplFiles.run(argv)
        }
    }

    /// The visible screen with trailing blanks trimmed.
    func screen() -> String {
        ReplFiles.run(["tmux", "-L", socket, "capture-pane", "-p", "-t", "0"]).output
    }

    /// Polls the screen (up to 10 s) until `condition` holds.
    func waitForScreen(_ condition: (String) -> Bool) throws {
        var last = ""
        for _ in 0..<500 {
            last = screen()
            if condition(last) { return }
            usleep(20_000)
        }
        throw ReplTestError("the terminal never showed what was expected; the screen:\n\(last)")
    }

    /// Waits for the first prompt (capture-pane drops its trailing space), so keys are not typed
    /// before the editor has the terminal.
    func waitForPrompt() throws {
        try waitForScreen { $0.split(separator: "\n").last == ">" }
    }

    /// Waits (up to 10 s) until the command has exited and with it the tmux session.
    func waitForExit() throws {
        for _ in 0..<500 {
            if ReplFiles.run(["tmux", "-L", socket, "has-session"]).status != 0 { return }
            usleep(20_000)
        }
        throw ReplTestError("fn repl did not exit; the screen:\n\(screen())")
    }

    /// Ends the REPL (even a stuck one) and the tmux server.
    func stop() {
        let pane = ReplFiles.run(["tmux", "-L", socket, "display-message", "-p", "-t", "0", "#{pane_pid}"])
        if let pid = pid_t(pane.output.filter { $0.isNumber }), pid > 0 { kill(pid, SIGKILL) }
        _ = ReplFiles.run(["tmux", "-L", socket, "kill-server"])
        // The server leaves its socket file behind (in TMUX_TMPDIR, else /tmp, per user).
        let directory = getenv("TMUX_TMPDIR").map { String(cString: $0) } ?? "/tmp"
        unlink("\(directory)/tmux-\(getuid())/\(socket)")
    }
}

private struct ReplTestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

private enum ReplFiles {
    static let repositoryRoot: String = {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        return parts.joined(separator: "/")
    }()

    /// The `fn` executable built next to this test bundle.
    static let fnExecutable: String = {
        var buffer = [CChar](repeating: 0, count: 4096)
        if readlink("/proc/self/exe", &buffer, buffer.count - 1) > 0 {
            var parts = String(cString: buffer).split(separator: "/", omittingEmptySubsequences: false)
            parts.removeLast()
            let candidate = parts.joined(separator: "/") + "/fn"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return repositoryRoot + "/.build/debug/fn"
    }()

    static func temporaryPath(_ name: String) -> String {
        "/tmp/fn-repl-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))-\(name)"
    }

    static func temporaryDirectory() throws -> String {
        var template = Array("/tmp/fn-repl-test-XXXXXX".utf8CString)
        let made: String? = template.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress, mkdtemp(base) != nil else { return nil }
            return String(cString: base)
        }
        guard let made else { throw ReplTestError("mkdtemp failed") }
        return made
    }

    static func remove(_ directory: String) {
        _ = run(["rm", "-rf", directory])
    }

    static func write(_ path: String, _ text: String) throws {
        guard let file = fopen(path, "w") else { throw ReplTestError("cannot write \(path)") }
        defer { fclose(file) }
        let bytes = Array(text.utf8)
        guard fwrite(bytes, 1, bytes.count, file) == bytes.count else { throw ReplTestError("short write to \(path)") }
    }

    /// Runs a program from PATH to completion; stdout and stderr combined.
    static func run(_ argv: [String]) -> (status: Int32, output: String) {
        let log = temporaryPath("run.log")
        defer { unlink(log) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let cArgs = argv.map { strdup($0) } + [nil]
        defer { cArgs.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = spawnLock.withLock {
            withCleanSignalMask { posix_spawnp(&pid, argv[0], &actions, &$0, cArgs, environ) }
        }
        guard spawned == 0 else { return (127, "") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let code = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return (code, readFile(log))
    }
}

private extension String {
    /// How many times `needle` occurs.
    func components(_ needle: String) -> Int {
        var count = 0
        var rest = self[...]
        while let range = rest.firstRange(of: needle) {
            count += 1
            rest = rest[range.upperBound...]
        }
        return count
    }
}
