import Glibc
import Testing
import FnLanguage

/// `fn check` run as a process: exit codes, text and JSON output, `--handler`, `--strict`, directory walks.
@Suite struct CheckCommandTests {
    /// The `fn` executable built next to this test bundle (or in .build/debug).
    static let executable: String = {
        var buffer = [CChar](repeating: 0, count: 4096)
        if readlink("/proc/self/exe", &buffer, buffer.count - 1) > 0 {
            let exe = String(cString: buffer)
            let candidate = String(exe[..<(exe.lastIndex(of: "/") ?? exe.endIndex)]) + "/fn"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        return parts.joined(separator: "/") + "/.build/debug/fn"
    }()

    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `fn check ARGUMENTS` in `directory` without LAMBDA_TASK_ROOT.
    static func fnCheck(_ arguments: [String], in directory: String) throws -> Run {
        // Output goes to a directory of its own: `directory` may be the repository.
        let outputs = tree([:])
        let out = outputs + "/stdout"
        let err = outputs + "/stderr"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, err, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        // A shell changes directory so that relative paths and the default root are the test's.
        let argv = ["/bin/sh", "-c", "cd \"$0\" && unset LAMBDA_TASK_ROOT && exec \"$@\"", directory, executable,
                    "check"] + arguments
        let cArguments = argv.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, "/bin/sh", &actions, nil, cArguments, environ)
        try #require(rc == 0, "cannot start \(executable)")
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let code = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return Run(status: code, stdout: try CheckTestFiles.read(out), stderr: try CheckTestFiles.read(err))
    }

    /// A fresh directory holding `files` (relative path → text).
    static func tree(_ files: [String: String]) -> String {
        var template = Array("/tmp/fn-check-XXXXXX".utf8CString)
        let root = mkdtemp(&template).map { String(cString: $0) } ?? "/tmp"
        for (path, text) in files {
            var directory = root
            for part in path.split(separator: "/").dropLast() {
                directory += "/\(part)"
                mkdir(directory, 0o755)
            }
            if let file = fopen(root + "/" + path, "wb") {
                fputs(text, file)
                fclose(file)
            }
        }
        return root
    }

    static let parity = "parity <- function(number) {\n  list(parity = if (number %% 2 == 0) \"even\" else \"odd\")\n}\n"

    @Test func cleanHandlerRootExitsZeroAndPrintsNothing() throws {
        let root = Self.tree(["handlers/functions.fn": Self.parity])
        let run = try Self.fnCheck([], in: root)
        #expect(run.status == 0)
        #expect(run.stdout == "")
        #expect(run.stderr == "fn check: 1 file, 0 errors, 0 warnings\n")
    }

    @Test func errorsAreReportedAsFileLineColumnAndExitOne() throws {
        let root = Self.tree([
            "handlers/functions.fn": Self.parity,
            "handlers/broken.fn": "f <- function(x) {\n  x +\n}\n",
            "handlers/calls.fn": "g <- function() helper(1)\n",
        ])
        let run = try Self.fnCheck(["handlers"], in: root)
        #expect(run.status == 1)
        #expect(run.stdout == """
            handlers/broken.fn:3:1: error: unexpected '}'
            handlers/calls.fn:1:17: error: could not find function "helper"

            """)
        #expect(run.stderr.contains("3 files, 2 errors, 0 warnings"))
    }

    @Test func warningsFailOnlyWithStrict() throws {
        let root = Self.tree(["functions.fn": "h <- function(event) event + offset\n"])
        let relaxed = try Self.fnCheck(["."], in: root)
        #expect(relaxed.status == 0)
        #expect(relaxed.stdout == "./functions.fn:1:30: warning: object 'offset' is never assigned\n")
        let strict = try Self.fnCheck([".", "--strict"], in: root)
        #expect(strict.status == 1)
        #expect(strict.stdout == relaxed.stdout)
    }

    @Test func jsonFormatIsAnArrayOfObjects() throws {
        let root = Self.tree(["a.fn": "x <- y\nz <- nothing_here()\n"])
        let run = try Self.fnCheck(["a.fn", "--format", "json"], in: root)
        #expect(run.status == 1)
        let parsed = try JSON.parse(Array(run.stdout.utf8), simplifyVector: false)
        guard case .list(let items) = parsed else {
            Issue.record("not an array: \(run.stdout)")
            return
        }
        #expect(items.count == 2)
        guard case .list(let first)? = items.elements.first else { return }
        #expect(first.names == ["file", "line", "column", "severity", "message"])
        #expect(run.stdout == #"[{"file":"a.fn","line":1,"column":6,"severity":"warning","#
            + #""message":"object 'y' is never assigned"},{"file":"a.fn","line":2,"column":6,"severity":"error","#
            + #""message":"could not find function \"nothing_here\""}]"# + "\n")
        #expect(run.stderr == "")
    }

    @Test func jsonFormatOfACleanTreeIsAnEmptyArray() throws {
        let root = Self.tree(["handlers/functions.fn": Self.parity])
        let run = try Self.fnCheck(["--format", "json"], in: root)
        #expect(run.status == 0)
        #expect(run.stdout == "[]\n")
    }

    @Test func handlerThatExistsPasses() throws {
        let root = Self.tree(["handlers/functions.fn": Self.parity])
        let run = try Self.fnCheck(["--handler", "functions.parity"], in: root)
        #expect(run.status == 0)
        #expect(run.stdout == "")
    }

    @Test func handlerFunctionMissingOrNotAFunctionIsAnError() throws {
        let root = Self.tree(["handlers/functions.fn": Self.parity + "limit <- 10\n"])
        let missing = try Self.fnCheck(["--handler", "functions.odd"], in: root)
        #expect(missing.status == 1)
        #expect(missing.stdout == "handlers/functions.fn:1:1: error: handler 'functions.odd': no function 'odd' is "
            + "defined at top level of handlers/functions.fn\n")
        let value = try Self.fnCheck(["handlers", "--handler", "functions.limit"], in: root)
        #expect(value.status == 1)
        #expect(value.stdout.hasPrefix("handlers/functions.fn:4:1: error: handler 'functions.limit': 'limit' is not"))
    }

    @Test func handlerProblemComesInLineOrderWithTheFilesOtherFindings() throws {
        let root = Self.tree(["handlers/greet.fn": "greet <- function(name) {\n  paste(\"hello\", nme)\n}\n"])
        let run = try Self.fnCheck(["--handler", "greet.hello"], in: root)
        #expect(run.status == 1)
        #expect(run.stdout == """
            handlers/greet.fn:1:1: error: handler 'greet.hello': no function 'hello' is defined at top level of \
            handlers/greet.fn
            handlers/greet.fn:2:18: warning: object 'nme' is never assigned

            """)
    }

    @Test func handlerFileMissingIsAnErrorNamingTheHandler() throws {
        let root = Self.tree(["handlers/functions.fn": Self.parity])
        let run = try Self.fnCheck(["--handler", "app/main.handle", "--format", "json"], in: root)
        #expect(run.status == 1)
        #expect(run.stdout.hasPrefix(#"[{"file":"handlers/app/main.fn","line":null,"column":null,"severity":"error","#
            + #""message":"handler 'app/main.handle': cannot open file 'handlers/app/main.fn'"#))
    }

    @Test func handlerOutsideTheGivenFilesIsStillChecked() throws {
        // The handler file is found under the first PATH's directory even when only another file is named.
        let root = Self.tree(["src/util.fn": "u <- function() 1\n", "src/main.fn": "run <- 1\n"])
        let run = try Self.fnCheck(["src/util.fn", "--handler", "main.run"], in: root)
        #expect(run.status == 1)
        #expect(run.stdout.contains("src/main.fn:1:1: error: handler 'main.run'"))
        #expect(run.stderr.contains("2 files"))
    }

    @Test func malformedHandlerNameIsAUsageError() throws {
        let root = Self.tree(["handlers/functions.fn": Self.parity])
        let run = try Self.fnCheck(["--handler", "parity"], in: root)
        #expect(run.status == 2)
        #expect(run.stderr.contains("Bad handler 'parity'"))
    }

    @Test func directoriesAreWalkedRecursivelyInNameOrder() throws {
        let root = Self.tree([
            "code/b.fn": "b <- missing_b()\n",
            "code/a.fn": "a <- missing_a()\n",
            "code/nested/deeper/c.fn": "c1 <- missing_c()\n",
            "code/notes.txt": "not fn code ( (\n",
            "code/.hidden/d.fn": "d <- missing_d()\n",
        ])
        let run = try Self.fnCheck(["code/"], in: root)
        #expect(run.status == 1)
        #expect(run.stdout == """
            code/a.fn:1:6: error: could not find function "missing_a"
            code/b.fn:1:6: error: could not find function "missing_b"
            code/nested/deeper/c.fn:1:7: error: could not find function "missing_c"

            """)
    }

    @Test func aPathThatDoesNotExistIsAnError() throws {
        let root = Self.tree([:])
        let run = try Self.fnCheck(["nowhere.fn"], in: root)
        #expect(run.status == 1)
        #expect(run.stdout.hasPrefix("nowhere.fn: error: cannot open file 'nowhere.fn'"))
    }

    @Test func unknownOptionIsAUsageError() throws {
        let root = Self.tree([:])
        let run = try Self.fnCheck(["--pedantic"], in: root)
        #expect(run.status == 2)
        #expect(run.stderr.contains("unknown option '--pedantic'"))
        let format = try Self.fnCheck(["--format", "xml"], in: root)
        #expect(format.status == 2)
    }

    @Test func theRepositoryHandlersPassStrict() throws {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        let repository = parts.joined(separator: "/")
        let run = try Self.fnCheck(["--strict", "handlers", "--handler", "functions.parity"], in: repository)
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
    }
}

/// Reads a whole file; a missing one is an error.
private enum CheckTestFiles {
    static func read(_ path: String) throws -> String {
        String(decoding: try Files.read(path).get(), as: UTF8.self)
    }
}

/// The image build rejects handlers that `fn check --strict` rejects.
@Suite struct CheckInDockerfileTests {
    @Test func buildStageChecksTheHandlers() throws {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        let dockerfile = try CheckTestFiles.read(parts.joined(separator: "/") + "/Dockerfile")
        let lines = dockerfile.split(separator: "\n").map(String.init)
        let check = lines.firstIndex(of: "RUN /out/fn check --strict handlers")
        let copy = lines.firstIndex(of: "COPY handlers ./handlers")
        let runtimeStage = lines.lastIndex { $0.hasPrefix("FROM ") }
        try #require(check != nil && copy != nil && runtimeStage != nil, "\(dockerfile)")
        #expect(copy! < check! && check! < runtimeStage!)
    }
}
