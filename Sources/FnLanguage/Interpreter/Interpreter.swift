import Synchronization

/// Log levels, ordered from most to least verbose.
public enum LogLevel: Int, Comparable, Sendable {
    case trace = 0, debug, info, warn, error, fatal
    public static func < (a: LogLevel, b: LogLevel) -> Bool { a.rawValue < b.rawValue }

    /// The upper-case name used in log lines (`INFO`).
    public var name: String {
        switch self {
        case .trace: return "TRACE"
        case .debug: return "DEBUG"
        case .info: return "INFO"
        case .warn: return "WARN"
        case .error: return "ERROR"
        case .fatal: return "FATAL"
        }
    }
}

/// Where a piece of handler output goes.
public enum OutputKind: Sendable, Equatable {
    /// `print`, `cat` (to stdout).
    case stdout
    /// `message`, `warning` reports.
    case stderr
    /// `log_info(...)` and friends.
    case log(LogLevel)
}

/// A thread-safe flag that asks a running evaluation to stop at its next call or loop back-edge.
public final class CancellationFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    public init() {}
    public func cancel() { flag.store(true, ordering: .relaxed) }
    public func reset() { flag.store(false, ordering: .relaxed) }
    @inline(__always) public var isCancelled: Bool { flag.load(ordering: .relaxed) }
}

/// Resource limits of an interpreter.
public struct Limits: Sendable {
    /// Nested closure calls (R's `expressions` option defaults to 5000).
    public var maxCallDepth = 5000
    public init() {}

    /// The most elements any vector may have: 10^8.
    public static let vectorLength = 100_000_000

    /// The most bytes one string may have: 256 MiB.
    public static let stringBytes = 1 << 28

    /// Fails cleanly when a string of `n` bytes would be over the string limit.
    @inline(__always) public static func checkStringLength(_ n: Double) throws(FnError) {
        try MemoryBudget.check(bytes: n)
        if !(n <= Double(stringBytes)) {
            throw FnError(.limit, "cannot make a string of \(NumberFormat.r15(n)) bytes: the limit is \(stringBytes) bytes")
        }
    }

    /// Fails cleanly when a result of `n` elements would be over the vector limit.
    @inline(__always) public static func checkLength(_ n: Double) throws(FnError) {
        try MemoryBudget.check(bytes: n * 8)
        if !(n <= Double(vectorLength)) {
            throw FnError(.limit, "cannot allocate a vector of length \(NumberFormat.r15(n)): the limit is \(vectorLength) elements")
        }
    }
}

/// One active closure call, for stack traces, `Recall` and `nargs`.
///
/// The references are unowned: every one is kept alive by the call in progress (the callee value,
/// the resolved tree, the frame variable), and skipping their reference counting is a measurable
/// part of a call's cost.
struct CallFrame {
    /// The function being run.
    unowned(unsafe) var closure: Closure
    /// Where it was called from (in the caller's source).
    unowned(unsafe) var callSource: SourceFile?
    var callSpan: Span
    /// The call (`f(1)`), for "Error in f(1) : ..." messages; nil when a builtin made the call.
    unowned(unsafe) var callNode: Node?
    unowned(unsafe) var environment: Environment
    /// False for the outermost call made by the host (a handler invocation), which has no site.
    var hasCallSite: Bool
    /// The environment the call was made from (`parent.frame()`).
    unowned(unsafe) var callerEnvironment: Environment

    /// Its name, for stack traces.
    var name: String { closure.name }
}

/// The active calls, innermost last: a growable buffer of plain records, so entering and
/// leaving a call is a store and a count change (no array uniqueness checks or reference counts).
struct CallStack {
    private var base: UnsafeMutablePointer<CallFrame>
    private var capacity: Int
    private(set) var count = 0

    init() {
        capacity = 64
        base = UnsafeMutablePointer<CallFrame>.allocate(capacity: capacity)
    }

    var last: CallFrame? { count > 0 ? base[count - 1] : nil }

    subscript(_ i: Int) -> CallFrame { base[i] }

    @inline(__always) mutating func append(_ frame: CallFrame) {
        if count == capacity { grow() }
        (base + count).initialize(to: frame)
        count += 1
    }

    @inline(__always) mutating func removeLast() { count -= 1 }

    mutating func truncate(to n: Int) { count = min(count, n) }

    private mutating func grow() {
        let bigger = UnsafeMutablePointer<CallFrame>.allocate(capacity: capacity * 2)
        bigger.moveInitialize(from: base, count: count)
        base.deallocate()
        base = bigger
        capacity *= 2
    }

    /// Frees the buffer; the stack must not be used afterwards.
    func deallocate() { base.deallocate() }

    /// The frames from innermost to outermost.
    var innermostFirst: [CallFrame] { (0..<count).reversed().map { base[$0] } }
}

/// Values by symbol number, in one buffer: a global function call reads its closure in place
/// (a reference count on the closure, no copy of the whole `Value`).
struct Bindings {
    private var values: UnsafeMutablePointer<Value?>
    private var capacity: Int
    private(set) var count = 0

    init() {
        capacity = 256
        values = UnsafeMutablePointer<Value?>.allocate(capacity: capacity)
    }

    @inline(__always) subscript(_ i: Int) -> Value? {
        get { values[i] }
        nonmutating set { values[i] = newValue }
    }

    /// The closure bound at `i`, read in place and not retained: the table keeps it alive, and
    /// `Interpreter.setGlobal(_:_:)` keeps a running closure alive when its binding changes.
    @inline(__always) func borrowedClosure(at i: Int) -> Unmanaged<Closure>? {
        if case .closure(let c)? = values[i] { return Unmanaged.passUnretained(c) }
        return nil
    }

    /// Adds an unbound entry at the end.
    mutating func appendUnbound() {
        if count == capacity {
            let bigger = UnsafeMutablePointer<Value?>.allocate(capacity: capacity * 2)
            bigger.moveInitialize(from: values, count: count)
            values.deallocate()
            values = bigger
            capacity *= 2
        }
        (values + count).initialize(to: nil)
        count += 1
    }

    func deallocate() {
        values.deinitialize(count: count)
        values.deallocate()
    }
}

/// Call frames by depth (see `Interpreter.enterFrame`): `frames[0..<depth]` belong to active
/// calls; entries above `depth` are cleared frames kept for the next calls that deep.
struct FrameTable {
    private(set) var frames: UnsafeMutablePointer<Environment?>
    private(set) var capacity: Int
    var depth = 0

    init() {
        capacity = 64
        frames = UnsafeMutablePointer<Environment?>.allocate(capacity: capacity)
        frames.initialize(repeating: nil, count: capacity)
    }

    /// Whether an active call runs `closure`. Frames are bound to their closure before the
    /// arguments are evaluated, so this includes a call whose arguments are being evaluated.
    func isRunning(_ closure: Closure) -> Bool {
        (0..<depth).contains { frames[$0]?.function === closure }
    }

    mutating func grow() {
        let bigger = UnsafeMutablePointer<Environment?>.allocate(capacity: capacity * 2)
        bigger.moveInitialize(from: frames, count: capacity)
        (bigger + capacity).initialize(repeating: nil, count: capacity)
        frames.deallocate()
        frames = bigger
        capacity *= 2
    }

    /// Drops the kept frames above `depth` beyond the first `keep`, after a deep recursion.
    mutating func trim(keeping keep: Int) {
        guard keep < capacity else { return }
        for i in max(depth, keep)..<capacity { frames[i] = nil }
    }

    func deallocate() {
        frames.deinitialize(count: capacity)
        frames.deallocate()
    }
}

/// Evaluates fn programs. One interpreter is one session: its global variables persist between
/// `evaluate` calls and handler invocations.
public final class Interpreter {
    /// Receives all output of `print`, `cat`, `message`, `log_*`. Text includes its newlines.
    public var output: (OutputKind, String) -> Void = { _, s in print(s, terminator: "") }
    /// Set from another thread to stop the running evaluation (deadline, Ctrl-C).
    public let cancellation = CancellationFlag()
    public var limits = Limits()
    /// The minimum level `log_*` builtins emit.
    public var logThreshold: LogLevel = .info
    /// Values bound for the current handler invocation (`remaining_time_ms()`, `http_request()`).
    public var invocation: [String: Value] = [:]
    /// The directory `source()` resolves paths in and may not leave (the handler's task root);
    /// nil means the working directory.
    public var taskRoot: String?
    /// How many `source()` calls are running, to stop a file that sources itself.
    var sourceDepth = 0

    // MARK: Symbols and environments

    /// Interned names: the global and base environments are arrays indexed by symbol.
    var symbolIDs: [String: Int] = [:]
    var symbolNames: [String] = []
    /// Global variables by symbol; written through `setGlobal(_:_:)`.
    var globals = Bindings()
    /// Running closures whose global binding was replaced (see `setGlobal(_:_:)`).
    var retiredClosures: [Closure] = []
    /// The length of `retiredClosures` at which the closures no longer running are let go.
    private var retiredClosuresLimit = 16
    /// Builtins and base constants by symbol (behind globals).
    var base: [Value?] = []
    /// The global environment object (`environment()` at top level, closures' parent).
    public let globalEnvironment = Environment(slotCount: 0, parent: nil, scope: nil)
    /// R's empty environment (`emptyenv()`): binds nothing and has no parent.
    public let emptyEnvironment = Environment(slotCount: 0, parent: nil, scope: FunctionScope(), dynamic: true, empty: true)

    // MARK: Evaluation state

    /// The environment whose slots local variable nodes read.
    ///
    /// Unowned: whoever installs an environment here keeps it alive until it restores the previous
    /// one (a call's frame variable, `local()`'s frame, the global environment), and not counting
    /// references on every variable access is a measurable part of evaluation.
    unowned(unsafe) var env: Environment {
        didSet { locals = env.slots.base }
    }
    /// The slots of `env`, cached: local variable nodes read and write here without touching the
    /// environment object.
    var locals: UnsafeMutablePointer<Value?>
    /// The source file being evaluated (for error locations); kept alive like `env`, by the
    /// function definition or program being run.
    unowned(unsafe) var currentSource: SourceFile?
    var frames = CallStack()
    /// The builtin call being run (`vapply(xs, f)`): the call site of closures it calls.
    ///
    /// Unowned: it is set only while that call runs, and the call's node is part of the tree being run.
    unowned(unsafe) var activeBuiltinCall: Node?
    /// False after an assignment or `invisible()`; the REPL prints only visible values.
    public internal(set) var visible = true
    /// Warnings raised by `warning()` not caught by a handler, in order.
    public internal(set) var warnings: [String] = [] {
        didSet { if signalledWarnings > warnings.count { signalledWarnings = warnings.count } }
    }
    /// `warnings[..<signalledWarnings]` have already been offered to the condition handlers.
    var signalledWarnings = 0
    /// The active `withCallingHandlers` (and `suppress*`) frames, innermost last.
    var callingHandlers: [CallingHandlerFrame] = []
    /// Restarts `invokeRestart` may use while a calling handler runs (`"muffleWarning"`).
    var restarts: [RestartEntry] = []
    /// `options()`, with R's defaults.
    var options = Options()
    /// `options(warn = 2)` or more: warnings become errors (checked where builtins return).
    var warningsAreErrors = false
    /// The last token given to a `withRestarts` frame.
    var restartTokens = 0
    /// How many active `tryCatch` calls have a warning (or condition) handler.
    var warningCatchers = 0
    /// The condition classes handled by the active `tryCatch` calls, innermost last
    /// (`signalCondition` does nothing when no active handler takes its condition).
    var handledClasses: [[String]] = []
    /// The frames of the active calls by depth, each reused by the next call at its depth.
    var frameTable = FrameTable()
    /// The lowest stack address evaluation may reach before failing cleanly.
    var stackLimit: UInt = 0
    /// True once some function frame was given a variable its code does not assign (`assign()`,
    /// `eval()`): from then on reads the resolver sent to outer or global variables check the
    /// frames in between first (`extraBinding`).
    var extraBindings = false
    /// Counts writes to global variables: `x <- c(x, ...)` at top level appends in place only when
    /// evaluating the new elements wrote no global (see `AppendNode`).
    var globalWrites = 0
    /// Spare `Arguments.values` arrays for builtin calls, by formal count (see `takeArguments`). They
    /// start as the shared all-nil arrays; the first call that fills one makes it its own.
    var spareArguments = Builtin.nils
    /// The session's random number generator (`set.seed`, `runif`, `sample`, ...).
    var random = RandomState()

    public init() {
        env = globalEnvironment
        locals = globalEnvironment.slots.base
        let registry = BuiltinRegistry.standard()
        for b in registry.builtins { bindBase(b.name, .builtin(b)) }
        for (name, value) in registry.constants { bindBase(name, value) }
        for b in Interpreter.coreBuiltins() { bindBase(b.name, .builtin(b)) }
    }

    deinit {
        frames.deallocate()
        frameTable.deallocate()
        globals.deallocate()
    }

    // MARK: Public API

    /// Parses and evaluates `text`, returning the value of the last expression (NULL when empty).
    public func evaluate(_ text: String, name: String = "<eval>") throws(FnError) -> Value {
        try evaluate(SourceFile(name: name, text: text))
    }

    /// Parses and evaluates a source file at top level.
    public func evaluate(_ source: SourceFile) throws(FnError) -> Value {
        let program = try parse(source)
        return try run(program)
    }

    /// Evaluates a parsed program at top level.
    public func run(_ program: Program) throws(FnError) -> Value {
        var resolver = Resolver(interpreter: self, source: program.source)
        let nodes = resolver.resolveTopLevel(program.expressions)
        return try withTopLevel(source: program.source) { () throws(Control) -> Value in
            var result = Value.null
            defer { flushWarnings() }
            for node in nodes {
                visible = true
                result = try node.eval(self)
                flushWarnings()
            }
            return result
        }
    }

    /// Calls a function value (closure or builtin) with evaluated arguments; `names[i]` is the
    /// argument name or nil. Used by builtins such as `lapply`, `do.call`, `Reduce`.
    public func callFunction(_ function: Value, _ args: [Value], names: [String?]) throws(FnError) -> Value {
        do {
            return try apply(function, args: args, names: names, callNode: nil)
        } catch {
            throw asError(error)
        }
    }

    /// Calls a function from outside any evaluation (the handler entry point): sets up stack
    /// limits and top-level state like `evaluate`.
    public func callTopLevel(_ function: Value, _ args: [Value], names: [String?]) throws(FnError) -> Value {
        try withTopLevel(source: nil) { () throws(Control) -> Value in
            try apply(function, args: args, names: names, callNode: nil)
        }
    }

    /// Records a warning (`warning()` semantics: kept in `warnings` until the caller takes them).
    public func warn(_ message: String) {
        warnings.append(message)
    }

    /// Reports pending warnings on stderr the way R does after a top-level call, and clears them.
    public func flushWarnings() {
        let pending = takeWarnings()
        guard !pending.isEmpty, options.warn >= 0 else { return }
        if options.warn == 1 {
            // options(warn = 1): each warning as it stands, "Warning in call : message".
            for w in pending {
                output(.stderr, w.hasPrefix("In ") ? "Warning in " + w.dropFirst(3) + "\n" : "Warning: \(w)\n")
            }
            return
        }
        if pending.count == 1 {
            output(.stderr, "Warning message:\n\(pending[0])\n")
        } else {
            var text = "Warning messages:\n"
            for (i, w) in pending.enumerated() { text += "\(i + 1): \(w)\n" }
            output(.stderr, text)
        }
    }

    /// Returns and clears the pending warnings.
    public func takeWarnings() -> [String] {
        defer { warnings.removeAll() }
        return warnings
    }

    /// The value of a global variable (or base binding), if bound.
    public func global(_ name: String) -> Value? {
        guard let id = symbolIDs[name] else { return nil }
        return globals[id] ?? base[id]
    }

    /// Binds a global variable.
    public func setGlobal(_ name: String, _ value: Value?) {
        setGlobal(symbol(name), value)
    }

    /// Binds global `symbol`. Calls to global functions borrow the closure from the table
    /// (`CallNode.eval`), so a running closure whose binding changes (`f <<- NULL` inside `f`) is
    /// kept in `retiredClosures` until the top-level evaluation ends.
    @inline(__always) func setGlobal(_ symbol: Int, _ value: Value?) {
        if frameTable.depth > 0, case .closure(let old)? = globals[symbol], frameTable.isRunning(old) {
            retire(old)
        }
        globals[symbol] = value
        globalWrites &+= 1
    }

    /// Keeps a running closure alive after its global binding changed. Closures retired earlier
    /// whose calls have all returned are let go each time the list doubles, so a loop that keeps
    /// replacing a function it calls (`step <<- make(i + 1)`) holds a few closures, not one per
    /// iteration until the top-level evaluation ends. Nothing borrows a closure that no active
    /// frame runs: a call borrows its closure only until its frame is entered.
    private func retire(_ closure: Closure) {
        if retiredClosures.count >= retiredClosuresLimit {
            var running = Set<ObjectIdentifier>()
            for depth in 0..<frameTable.depth {
                if let f = frameTable.frames[depth]?.function { running.insert(ObjectIdentifier(f)) }
            }
            retiredClosures.removeAll { !running.contains(ObjectIdentifier($0)) }
            retiredClosuresLimit = max(16, 2 * retiredClosures.count)
        }
        retiredClosures.append(closure)
    }

    /// Names of the bound global variables, sorted (`ls()` at top level).
    public var globalNames: [String] {
        var names: [String] = []
        for i in 0..<globals.count where globals[i] != nil { names.append(symbolNames[i]) }
        return names.sorted()
    }

    // MARK: Symbols

    /// The symbol number of `name`, interning it.
    func symbol(_ name: String) -> Int {
        if let id = symbolIDs[name] { return id }
        let id = symbolNames.count
        symbolIDs[name] = id
        symbolNames.append(name)
        globals.appendUnbound()
        base.append(nil)
        return id
    }

    func bindBase(_ name: String, _ value: Value) {
        base[symbol(name)] = value
    }

    // MARK: Top level

    /// Runs `body` as a top-level evaluation: resets the evaluation state, installs the stack
    /// limit, and turns escaping control flow into errors.
    func withTopLevel(source: SourceFile?, _ body: () throws(Control) -> Value) throws(FnError) -> Value {
        let limit = StackBounds.limitForCurrentThread()
        if limit == 0 {
            // Not on a large-stack thread: hop onto one so deep recursion fails cleanly.
            return try withoutActuallyEscaping(body) { (escapable) throws(FnError) -> Value in
                let outcome: Result<Value, FnError> = runWithLargeStack {
                    do throws(FnError) {
                        return .success(try self.withTopLevel(source: source, escapable))
                    } catch {
                        return .failure(error)
                    }
                }
                return try outcome.get()
            }
        }
        unowned(unsafe) let savedEnv = env
        unowned(unsafe) let savedSource = currentSource
        let savedFrames = frames.count
        let savedDepth = frameTable.depth
        let savedLimit = stackLimit
        stackLimit = limit
        defer {
            env = savedEnv
            currentSource = savedSource
            frames.truncate(to: savedFrames)
            frameTable.depth = savedDepth
            if savedDepth == 0 {
                frameTable.trim(keeping: 256)
                retiredClosures.removeAll()
                retiredClosuresLimit = 16
            }
            stackLimit = savedLimit
        }
        if source != nil { currentSource = source }
        do {
            return try body()
        } catch {
            throw asError(error)
        }
    }

    /// Runs a builtin-level operation inside evaluation, locating its error at `node`.
    @inline(__always) func lifted<T>(_ node: Node, _ body: () throws(FnError) -> T) throws(Control) -> T {
        do {
            return try body()
        } catch {
            throw locate(error, at: node, call: node).control
        }
    }

    /// The user-facing error for control flow that escaped to the top.
    func asError(_ control: Control) -> FnError {
        switch control {
        case .error(let e): return e
        case .returned:
            return FnError.runtime("no function to return from, jumping to top level")
        case .breakLoop, .nextLoop:
            return FnError.runtime("no loop for break/next, jumping to top level")
        }
    }

    // MARK: Errors

    /// Completes an error raised at `node`: location, call text, and the call stack.
    func locate(_ error: FnError, at node: Node?, call: Node? = nil) -> FnError {
        var e = error
        if e.span == nil, let node {
            e.span = node.span
            e.source = currentSource
        }
        if e.call == nil, let call, let source = currentSource {
            e.call = source.text(call.span)
        }
        if e.stackTrace.isEmpty { e.stackTrace = stackTrace(innermost: e.source, e.span) }
        return e
    }

    /// `name (file:line:col)` frames, innermost first.
    func stackTrace(innermost source: SourceFile?, _ span: Span?) -> [String] {
        var trace: [String] = []
        var whereSource = source, whereSpan = span
        for frame in frames.innermostFirst {
            let loc = whereSource.flatMap { s in whereSpan.map { s.describe($0.start) } }
            trace.append(loc.map { "\(frame.name) (\($0))" } ?? frame.name)
            whereSource = frame.callSource
            whereSpan = frame.hasCallSite ? frame.callSpan : nil
        }
        if let s = whereSource, let sp = whereSpan { trace.append("<toplevel> (\(s.describe(sp.start)))") }
        // Runaway recursion would give thousands of identical frames: keep both ends.
        if trace.count > 60 {
            let omitted = trace.count - 50
            trace = Array(trace.prefix(40)) + ["... \(omitted) frames omitted ..."] + Array(trace.suffix(10))
        }
        return trace
    }

    /// The error for a cancelled evaluation.
    func cancelledError(at node: Node) -> Control {
        var e = FnError.cancelled()
        e = locate(e, at: node)
        return .error(e)
    }
}
