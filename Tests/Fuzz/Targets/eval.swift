// libFuzzer target: programs (mutated from the golden .fn cases with the token dictionary) are
// evaluated under a deadline. Any FnError is fine — syntax, runtime, cancellation, limits — a trap is not.
// Compiled into the FnLanguage module by Tests/Fuzz/run.sh; language.swift dispatches to it.
import Glibc
import Synchronization

/// The deadline: a watchdog thread cancels the interpreter when one input has run too long, the
/// same way the runtime cancels a handler at its invocation deadline.
final class Watchdog: Sendable {
    /// Bumped at the start and end of every input; the watchdog cancels when it sees no change.
    let generation = Atomic<Int>(0)
    let running = Atomic<Bool>(false)
    /// The current input's interpreter flag: a fresh interpreter per input keeps crashes reproducible.
    let flag = Mutex<CancellationFlag?>(nil)

    func watch() {
        var seen = -1
        var ticks = 0
        while true {
            usleep(10_000)
            let now = generation.load(ordering: .relaxed)
            if running.load(ordering: .relaxed), now == seen {
                ticks += 1
                // 100 ms per input: enough for any sane program, short enough for many execs/s.
                if ticks >= 10 { flag.withLock { $0?.cancel() } }
            } else {
                seen = now
                ticks = 0
            }
        }
    }
}

nonisolated(unsafe) var fuzzWatchdog: Watchdog?

func fuzzEval(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let watchdog: Watchdog
    if let w = fuzzWatchdog {
        watchdog = w
    } else {
        watchdog = Watchdog()
        Thread { watchdog.watch() }.start()
        fuzzWatchdog = watchdog
    }
    let interpreter = Interpreter()
    interpreter.output = { _, _ in }
    interpreter.logThreshold = .fatal
    watchdog.flag.withLock { $0 = interpreter.cancellation }
    watchdog.generation.add(1, ordering: .relaxed)
    watchdog.running.store(true, ordering: .relaxed)
    defer {
        watchdog.running.store(false, ordering: .relaxed)
        watchdog.generation.add(1, ordering: .relaxed)
    }
    let source = SourceFile(name: "<fuzz>", bytes: Array(UnsafeBufferPointer(start: data, count: size)))
    if let value = try? interpreter.evaluate(source) {
        _ = try? JSON.serialize(value)
    }
    _ = interpreter.takeWarnings()
    return 0
}

/// A detached pthread running one closure (Foundation's Thread is not available to the sources).
final class Thread {
    let body: () -> Void
    init(_ body: @escaping () -> Void) { self.body = body }

    func start() {
        var id = pthread_t()
        let box = Unmanaged.passRetained(self).toOpaque()
        pthread_create(&id, nil, { raw in
            guard let raw else { return nil }
            let thread = Unmanaged<Thread>.fromOpaque(raw).takeRetainedValue()
            thread.body()
            return nil
        }, box)
        pthread_detach(id)
    }
}
