#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import FnLanguage

/// Reads and writes the process environment (no Foundation).
enum ProcessEnvironment {
    static func get(_ name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        return String(cString: value)
    }

    static func set(_ name: String, _ value: String?) {
        if let value { setenv(name, value, 1) } else { unsetenv(name) }
    }
}

/// Clocks the runtime needs: wall time for Lambda's epoch deadlines, monotonic time for durations.
enum Clock {
    /// Milliseconds since the Unix epoch.
    static func nowMs() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }

    /// Nanoseconds on a clock that never jumps.
    static func monotonicNs() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    /// `2024-05-01T12:34:56.789Z` for a time in epoch milliseconds.
    static func iso8601(ms: Int64) -> String {
        var seconds = time_t(ms / 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ n: Int32, _ width: Int) -> String {
            let s = String(n)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(ms % 1000), 3))Z"
    }
}

/// The process's peak resident memory in MB, as Lambda's `Max Memory Used` reports it.
///
/// Read from `VmHWM` in /proc/self/status, the peak of this program's own memory: `getrusage`'s
/// `ru_maxrss` survives `execve`, so under `swift run` (or any large parent that execs fn) it
/// reports the parent's peak instead (117 MB was seen here for a 6 MB server).
func maxMemoryUsedMB() -> Int {
    if let kB = peakResidentKilobytes() { return (kB + 1023) / 1024 }
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    return (usage.ru_maxrss + 1023) / 1024
}

/// `VmHWM` from /proc/self/status, in kB; nil where /proc is not mounted.
private func peakResidentKilobytes() -> Int? {
    guard let file = fopen("/proc/self/status", "r") else { return nil }
    defer { fclose(file) }
    var buffer = [CChar](repeating: 0, count: 256)
    while fgets(&buffer, Int32(buffer.count), file) != nil {
        let line = String(cString: buffer)
        guard line.hasPrefix("VmHWM:") else { continue }
        return Int(line.dropFirst(6).filter { $0.isNumber })
    }
    return nil
}

/// Writes all of `bytes` to a file descriptor, unbuffered, so log lines are never lost in a buffer
/// when Lambda freezes or kills the process.
func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
    bytes.withUnsafeBytes { raw in
        guard var base = raw.baseAddress else { return }
        var left = raw.count
        while left > 0 {
            let n = write(fd, base, left)
            if n < 0 {
                if errno == EINTR { continue }
                return
            }
            base += n
            left -= n
        }
    }
}

/// Starts a detached thread running `body`.
func startThread(_ body: @escaping () -> Void) {
    final class Box {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }
    let context = Unmanaged.passRetained(Box(body)).toOpaque()
    var thread = pthread_t()
    var attributes = pthread_attr_t()
    pthread_attr_init(&attributes)
    pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
    let rc = pthread_create(&thread, &attributes, { raw in
        guard let raw else { return nil }
        let box = Unmanaged<Box>.fromOpaque(raw).takeRetainedValue()
        box.body()
        return nil
    }, context)
    pthread_attr_destroy(&attributes)
    if rc != 0 {
        // Without a thread the work still has to happen; run it here rather than drop it.
        Unmanaged<Box>.fromOpaque(context).takeRetainedValue().body()
    }
}

/// Cancels a running invocation shortly before its deadline, from a thread of its own, so a handler
/// stuck in a loop ends with the runtime's own timeout error instead of Lambda killing the process.
///
/// One thread for the process's lifetime: arming and disarming per invocation costs two lock
/// round-trips, no allocation.
final class Watchdog {
    private let mutex = Lock()
    /// On the heap, like Lock's mutex: a condition variable must not move.
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var deadlineMs: Int64?
    /// When the watchdog thread will next look at the deadline; nil while it sleeps with no deadline.
    private var sleepingUntilMs: Int64?
    private var firing = false
    private var fired = false
    private let marginMs: Int64
    private let action: () -> Void

    /// `action` runs on the watchdog thread `marginMs` before an armed deadline.
    init(marginMs: Int64, action: @escaping () -> Void) {
        self.marginMs = marginMs
        self.action = action
        condition.initialize(to: pthread_cond_t())
        pthread_cond_init(condition, nil)
        startThread { [self] in watch() }
    }

    /// Starts watching one invocation's deadline (epoch milliseconds).
    ///
    /// The thread is woken only when it would otherwise look too late: while it sleeps until an
    /// earlier invocation's deadline, a later deadline needs no wake-up (it re-reads the deadline
    /// when it wakes). So back-to-back invocations cost no thread switches.
    func arm(deadlineMs: Int64) {
        mutex.lock()
        self.deadlineMs = deadlineMs
        fired = false
        if let sleeping = sleepingUntilMs, sleeping <= deadlineMs - marginMs {
            // Already due to wake in time.
        } else {
            pthread_cond_signal(condition)
        }
        mutex.unlock()
    }

    /// Stops watching; returns whether the action ran. Waits for an action in progress, so no
    /// cancellation can land on the next invocation.
    func disarm() -> Bool {
        mutex.lock()
        deadlineMs = nil
        while firing { mutex.wait(condition) }
        let result = fired
        fired = false
        mutex.unlock()
        return result
    }

    private func watch() {
        mutex.lock()
        while true {
            guard let deadline = deadlineMs else {
                sleepingUntilMs = nil
                mutex.wait(condition)
                continue
            }
            let wake = deadline - marginMs
            if Clock.nowMs() >= wake {
                deadlineMs = nil
                firing = true
                mutex.unlock()
                action()
                mutex.lock()
                firing = false
                fired = true
                pthread_cond_broadcast(condition)
                continue
            }
            sleepingUntilMs = wake
            var until = timespec(tv_sec: Int(wake / 1000), tv_nsec: Int(wake % 1000) * 1_000_000)
            mutex.wait(condition, until: &until)
        }
    }
}

/// The working directory, or "." if it cannot be read.
func currentDirectory() -> String {
    var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
    guard getcwd(&buffer, buffer.count) != nil else { return "." }
    return String(cString: buffer)
}

/// The self-pipe trick: a signal handler may only do async-signal-safe work, so it writes one
/// byte to a pipe that an ordinary thread or poll loop reads (`fn serve`'s stop, `fn repl`'s Ctrl-C).
public enum SignalPipe {
    /// Makes `signals` write a byte to `writeFD` (without `SA_RESTART`, so a blocking read they
    /// interrupt returns), and unblocks them and `alsoUnblocking` in this thread: a mask inherited
    /// from the parent would otherwise keep them from ever arriving.
    public static func route(_ signals: [Int32], to writeFD: Int32, alsoUnblocking: [Int32] = []) {
        signalPipeWriteFD = writeFD
        for signalNumber in signals {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { _ in
                var byte: UInt8 = 1
                _ = write(signalPipeWriteFD, &byte, 1)
            }
            sigemptyset(&action.sa_mask)
            action.sa_flags = 0
            sigaction(signalNumber, &action, nil)
        }
        var unblock = sigset_t()
        sigemptyset(&unblock)
        for signalNumber in signals + alsoUnblocking { sigaddset(&unblock, signalNumber) }
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
    }
}

/// The write end for `SignalPipe`'s handlers; a global because signal handlers cannot capture.
nonisolated(unsafe) private var signalPipeWriteFD: Int32 = -1
