#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import FnLambda
import FnLanguage
import Synchronization

/// `fn repl [FILE...] [--root DIR] [--timeout SECONDS] [--memory MB]`: sources the files, then reads and
/// evaluates expressions, printing visible values the way R does.
func replCommand(_ arguments: [String]) -> Int32 {
    let usage = """
        usage: fn repl [FILE...] [--root DIR] [--timeout SECONDS] [--memory MB]

        Sources each FILE, then reads expressions; visible values print as R prints them.
        Type :help inside for the commands. --root and --timeout apply to :invoke, as for
        `fn invoke` (root default: LAMBDA_TASK_ROOT, else ./handlers when it exists, else .).
        --memory MB (else AWS_LAMBDA_FUNCTION_MEMORY_SIZE) keeps values within that memory size.
        """
    let options: InvocationOptions
    switch InvocationOptions.parse(arguments, command: "repl", usage: usage, unknownOptionsArePositional: false) {
    case .options(let o): options = o
    case .exit(let code): return code
    }
    let files = options.positional, root = options.root, timeout = options.timeout
    applyMemorySize(options.memory)
    let repl = Repl(root: root ?? ServeDefaults.root(), timeoutSeconds: timeout)
    for file in files { repl.load(file) }
    return repl.run()
}

/// One REPL session: an interpreter whose globals persist, the files it sourced, the output mode.
private final class Repl {
    let interpreter = Interpreter()
    let editor = LineEditor()
    let interrupts = InterruptWatcher()
    let root: String
    let timeoutSeconds: Double
    /// Sourced files in order, for `:reload`.
    var loadedFiles: [String] = []
    var jsonOutput = false
    /// One driver for every `:invoke`: each driver starts a watchdog thread of its own.
    var driver: InvocationDriver<HandlerSession>?

    static let inputName = "<repl>"

    static let help = """
        Enter expressions; a line that leaves an expression unfinished continues on a `+` prompt.
        Values print as R prints them unless invisible (assignments, invisible()).

          :load FILE              source FILE (it is re-sourced by :reload)
          :reload                 re-source every loaded file in order
          :invoke HANDLER [EVENT] call FILE.FUNCTION under the handler root as `fn invoke` does;
                                  EVENT is JSON text or @path (absent: an empty event)
          :ls                     the global variables
          :json [on|off]          print values as JSON instead (toggles without an argument)
          :help                   this text
          :quit                   leave (Ctrl-D on an empty line too)

        Ctrl-C stops a running evaluation; at the prompt it discards the line.
        """

    init(root: String, timeoutSeconds: Double) {
        self.root = root
        self.timeoutSeconds = timeoutSeconds
        interpreter.output = trackedOutput
        interpreter.logThreshold = Logger.thresholdFromEnvironment()
    }

    /// False after output that did not end its line (`cat("x")`): the editor's redraw starts at
    /// column 0, so the prompt first gets a line of its own.
    var atLineStart = true

    func trackedOutput(_ kind: OutputKind, _ text: String) {
        standardOutput(kind, text)
        if let last = text.utf8.last { atLineStart = last == UInt8(ascii: "\n") }
    }

    func run() -> Int32 {
        if editor.isInteractive {
            print("fn repl: :help lists the commands, Ctrl-D leaves")
        }
        var pending = ""
        while true {
            if !atLineStart && editor.isEditing {
                fputs("\n", stdout)
            }
            atLineStart = true
            switch editor.readLine(prompt: pending.isEmpty ? "> " : "+ ") {
            case .endOfInput:
                // An unfinished expression at the end of input gets its syntax error.
                if !pending.isEmpty { evaluate(pending) }
                fflush(stdout)
                return 0
            case .interrupted:
                pending = ""
            case .line(let line):
                editor.addHistory(line)
                if pending.isEmpty, let command = Self.command(line) {
                    if !perform(command.name, command.argument) {
                        fflush(stdout)
                        return 0
                    }
                    continue
                }
                let text = pending.isEmpty ? line : pending + "\n" + line
                if isIncompleteInput(SourceFile(name: Self.inputName, text: text)) {
                    pending = text
                    continue
                }
                pending = ""
                evaluate(text)
            }
        }
    }

    /// `:name argument` when the line is a command (no fn expression starts with a colon).
    static func command(_ line: String) -> (name: String, argument: String)? {
        let trimmed = line.drop { $0 == " " || $0 == "\t" }
        guard trimmed.first == ":" else { return nil }
        let body = trimmed.dropFirst()
        let name = body.prefix { $0 != " " && $0 != "\t" }
        let argument = body.dropFirst(name.count).drop { $0 == " " || $0 == "\t" }
        var end = argument.endIndex
        while end > argument.startIndex, argument[argument.index(before: end)] == " " {
            end = argument.index(before: end)
        }
        return (String(name), String(argument[..<end]))
    }

    /// Runs a command; false when the session should end.
    func perform(_ name: String, _ argument: String) -> Bool {
        switch name {
        case "q", "quit", "exit":
            return false
        case "h", "help", "?":
            print(Self.help)
        case "ls":
            let names = interpreter.globalNames.filter { !$0.hasPrefix(".") }
            fputs(formatForPrint(Value(Vector(.character(names)))), stdout)
        case "json":
            switch argument {
            case "": jsonOutput.toggle()
            case "on": jsonOutput = true
            case "off": jsonOutput = false
            default:
                fail(":json takes on or off")
                return true
            }
            print("JSON output \(jsonOutput ? "on" : "off")")
        case "load":
            guard !argument.isEmpty else {
                fail(":load needs a file name")
                return true
            }
            load(argument)
        case "reload":
            if loadedFiles.isEmpty { print("no files loaded") }
            for file in loadedFiles { load(file) }
        case "invoke":
            invoke(argument)
        default:
            fail("unknown command ':\(name)' (:help lists the commands)")
        }
        return true
    }

    /// Sources a file into the session, keeping it in the `:reload` list when it could be read.
    func load(_ path: String) {
        let bytes: [UInt8]
        switch Files.read(path) {
        case .success(let b): bytes = b
        case .failure(let e):
            fail(e.message)
            return
        }
        if !loadedFiles.contains(path) { loadedFiles.append(path) }
        do {
            _ = try interrupts.running(interpreter.cancellation) { () throws(FnError) -> Value in
                try interpreter.evaluate(SourceFile(name: path, bytes: bytes))
            }
        } catch {
            report(error)
        }
    }

    /// Evaluates typed text one top-level expression at a time, printing each visible value
    /// (`1; 2` prints both, as in R); an error ends the line.
    func evaluate(_ text: String) {
        let source = SourceFile(name: Self.inputName, text: text)
        let program: Program
        do {
            program = try parse(source)
        } catch {
            report(error)
            return
        }
        for expression in program.expressions {
            let value: Value
            do {
                value = try interrupts.running(interpreter.cancellation) { () throws(FnError) -> Value in
                    try interpreter.run(Program(expressions: [expression], source: source))
                }
            } catch {
                report(error)
                return
            }
            if interpreter.visible { show(value) }
        }
    }

    func show(_ value: Value) {
        guard jsonOutput else {
            do { try interpreter.autoPrint(value) } catch { report(error) }
            return
        }
        do {
            print(String(decoding: try JSON.serialize(value), as: UTF8.self))
        } catch {
            report(error)
        }
    }

    /// `:invoke HANDLER [EVENT]`: a fresh handler session per call, like `fn invoke`, so edits to
    /// the handler file are always picked up.
    func invoke(_ argument: String) {
        let handler = String(argument.prefix { $0 != " " && $0 != "\t" })
        guard !handler.isEmpty else {
            fail(":invoke needs a handler: :invoke FILE.FUNCTION [EVENT]")
            return
        }
        let spec = argument.dropFirst(handler.count).drop { $0 == " " || $0 == "\t" }
        guard spec != "-" else {
            fail(":invoke takes the event as JSON text or @path")
            return
        }
        let event: [UInt8]
        switch readEvent(spec.isEmpty ? nil : String(spec)) {
        case .success(let e): event = e
        case .failure(let e):
            fail(e.message)
            return
        }
        let session: HandlerSession
        do {
            session = try HandlerSession(handler: handler, root: root, logThreshold: Logger.thresholdFromEnvironment())
        } catch {
            print(String(decoding: JSONText.error(error), as: UTF8.self))
            return
        }
        session.output = { [unowned self] kind, text in trackedOutput(kind, text) }
        let driver: InvocationDriver<HandlerSession>
        if let existing = self.driver {
            existing.handler = session
            driver = existing
        } else {
            driver = InvocationDriver(handler: session)
            self.driver = driver
        }
        interrupts.watch(session.interpreter.cancellation)
        let result = invokeLocally(driver, event: event, timeoutSeconds: timeoutSeconds)
        let wasInterrupted = interrupts.unwatch()
        fflush(stdout)
        switch result {
        case .success(let json):
            print(String(decoding: json, as: UTF8.self))
        case .failure(let error):
            if wasInterrupted {
                interrupted()
            } else {
                print(String(decoding: JSONText.error(error), as: UTF8.self))
            }
        }
    }

    /// Prints an error R's way; positions inside typed input are left out, as R does.
    func report(_ error: FnError) {
        fflush(stdout)
        if error.kind == .cancelled {
            interrupted()
            return
        }
        var shown = error
        if shown.kind != .syntax, shown.source?.name == Self.inputName {
            shown.source = nil
        }
        writeError(shown.description)
    }

    /// Reported after Ctrl-C stopped an evaluation; a terminal has echoed `^C` on the current line.
    func interrupted() {
        fflush(stdout)
        writeError(editor.isInteractive ? "\nInterrupted" : "Interrupted")
    }

    func fail(_ message: String) {
        fflush(stdout)
        writeError("Error: \(message)")
    }
}

/// Turns Ctrl-C (SIGINT) into cancelling the evaluation in progress, if any. The signal handler
/// only writes a byte to a pipe; a thread of its own reads it and sets the cancellation flag.
private final class InterruptWatcher: @unchecked Sendable {
    private let lock = Lock()
    /// The flag Ctrl-C cancels; guarded by `lock`.
    private var target: CancellationFlag?
    private let interrupted = Atomic<Bool>(false)
    private var fds: [Int32] = [-1, -1]

    init() {
        guard pipe(&fds) == 0 else { return }
        // A signal mask inherited from the parent (a program spawned from one of Swift's worker
        // threads starts with most signals blocked) would keep Ctrl-C from this thread and the
        // watcher started below, and a hang-up or kill request from ending the session.
        SignalPipe.route([SIGINT], to: fds[1], alsoUnblocking: [SIGHUP, SIGTERM])
        let context = Unmanaged.passRetained(self).toOpaque()
        var thread = pthread_t()
        _ = pthread_create(&thread, nil, { raw in
            guard let raw else { return nil }
            Unmanaged<InterruptWatcher>.fromOpaque(raw).takeRetainedValue().watchPipe()
            return nil
        }, context)
        pthread_detach(thread)
    }

    private func watchPipe() {
        var byte: UInt8 = 0
        while true {
            let n = read(fds[0], &byte, 1)
            if n < 0 && errno == EINTR { continue }
            guard n == 1 else { return }
            lock.withLock {
                if let flag = target {
                    interrupted.store(true, ordering: .relaxed)
                    flag.cancel()
                }
            }
        }
    }

    /// Makes Ctrl-C cancel `flag` (reset first) until `unwatch`.
    func watch(_ flag: CancellationFlag) {
        flag.reset()
        interrupted.store(false, ordering: .relaxed)
        lock.withLock { target = flag }
    }

    /// Stops watching; returns whether Ctrl-C cancelled the evaluation meanwhile.
    @discardableResult
    func unwatch() -> Bool {
        lock.withLock { target = nil }
        return interrupted.exchange(false, ordering: .relaxed)
    }

    /// Runs `body` with Ctrl-C cancelling `flag`.
    func running<T>(_ flag: CancellationFlag, _ body: () throws(FnError) -> T) throws(FnError) -> T {
        watch(flag)
        defer { unwatch() }
        return try body()
    }
}

