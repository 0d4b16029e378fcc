#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import FnLambda
import FnLanguage

/// `fn serve [HANDLER] [--root DIR] [--host H] [--port N] [--timeout SECONDS] [--memory MB]`: Lambda's Invoke API
/// on a local port, for curl, the AWS CLI and boto3.
func serveCommand(_ arguments: [String]) -> Int32 {
    let usage = """
        usage: fn serve [HANDLER] [--root DIR] [--host H] [--port N] [--timeout SECONDS] [--memory MB]

        Serves HANDLER (default functions.parity) at
        POST http://H:N/2015-03-31/functions/function/invocations  (default 127.0.0.1:9000).
        --root defaults to LAMBDA_TASK_ROOT, else ./handlers if it exists, else the working
        directory. --timeout is the invocation deadline (default AWS_LAMBDA_FUNCTION_TIMEOUT, else 300).
        --memory is Lambda's memory size (default AWS_LAMBDA_FUNCTION_MEMORY_SIZE): an allocation that
        would take fn past it is the error "cannot allocate vector of size ...".
        Invocations run one at a time in one session; SIGINT/SIGTERM stop the server.
        X-Amz-Log-Type: Tail returns the log's last 4 KB in X-Amz-Log-Result; X-Amz-Invocation-Type:
        Event answers 202 and runs the invocation afterwards, in order.
        """
    var handler: String?
    var root: String?
    var host = "127.0.0.1"
    var port = 9000
    var timeout = ServeDefaults.timeoutSeconds()
    var memory: Int?
    var words = CommandArguments(arguments, command: "serve", usage: usage)
    while let word = words.next() {
        switch word {
        case "-h", "--help":
            print(usage)
            return 0
        case "--root":
            guard let v = words.value(of: word) else { return 2 }
            root = v
        case "--host":
            guard let v = words.value(of: word) else { return 2 }
            host = v
        case "--port":
            guard let v = words.value(of: word) else { return 2 }
            guard let n = Int(v), (0..<65536).contains(n) else {
                words.report("--port needs a port number (0-65535)")
                return 2
            }
            port = n
        case "--timeout":
            guard let seconds = words.seconds(of: word) else { return 2 }
            timeout = seconds
        case "--memory":
            guard let mb = words.megabytes(of: word) else { return 2 }
            memory = mb
        default:
            if word.hasPrefix("-") || handler != nil {
                words.report("unexpected argument '\(word)'", showUsage: true)
                return 2
            }
            handler = word
        }
    }
    applyMemorySize(memory)
    let handlerName = handler ?? "functions.parity"
    let rootDirectory = root ?? ServeDefaults.root()

    let logger = Logger.fromEnvironment()
    func loadSession() throws(HandlerError) -> HandlerSession {
        try HandlerSession(handler: handlerName, root: rootDirectory, logThreshold: logger.threshold,
                           output: { [logger] kind, text in logger.handlerOutput(kind, text) })
    }
    let session: HandlerSession
    do throws(HandlerError) {
        session = try loadSession()
    } catch {
        writeError("fn serve: cannot load \(handlerName) from \(rootDirectory): \(error.errorType): \(error.errorMessage)")
        return 1
    }
    let server: LocalServer<HandlerSession>
    do {
        server = try LocalServer(handler: session, host: host, port: port, timeoutSeconds: timeout, logger: logger,
                                 handleSignals: true)
    } catch {
        writeError("fn serve: cannot listen on \(host):\(port): \(error)")
        return 1
    }
    // Edits under the root are picked up by the next invocation; a file that no longer loads is
    // reported and the last good version keeps serving.
    let watcher = SourceWatcher(root: rootDirectory)
    server.beforeInvocation = { driver in
        let changed = watcher.changedFiles()
        guard !changed.isEmpty else { return }
        for path in changed {
            guard case .success(let bytes) = Files.read(path) else { continue }
            let name = path.hasPrefix(rootDirectory + "/") ? String(path.dropFirst(rootDirectory.count + 1)) : path
            do throws(FnError) {
                _ = try parse(SourceFile(name: name, bytes: bytes))
            } catch {
                logger.log(.error, "fn serve: \(error.location ?? name): \(error.message)")
            }
        }
        do throws(HandlerError) {
            driver.handler = try loadSession()
            logger.log(.info, "fn serve: reloaded \(handlerName) after changes to \(changed.count) file(s)")
        } catch {
            logger.log(.error, "fn serve: not reloaded, still serving the last good version: "
                + "\(error.errorType): \(error.errorMessage)")
        }
    }
    let shownHost = host.contains(":") ? "[\(host)]" : host
    print("fn serve: \(handlerName) from \(rootDirectory) at "
        + "http://\(shownHost):\(server.port)/2015-03-31/functions/function/invocations")
    fflush(stdout)
    let code = server.run()
    print("fn serve: stopped")
    return code
}

enum ServeDefaults {
    /// `LAMBDA_TASK_ROOT`, else `./handlers` when it exists, else the working directory.
    static func root() -> String {
        if let root = getenv("LAMBDA_TASK_ROOT").map({ String(cString: $0) }), !root.isEmpty { return root }
        var info = stat()
        if stat("handlers", &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR { return "handlers" }
        return "."
    }

    static func timeoutSeconds() -> Double {
        // A value that cannot be a deadline (`inf`, `-5`) is ignored rather than trapping later.
        getenv("AWS_LAMBDA_FUNCTION_TIMEOUT").flatMap { Double(String(cString: $0)) }
            .flatMap { CommandArguments.isTimeout($0) ? $0 : nil } ?? 300
    }
}

