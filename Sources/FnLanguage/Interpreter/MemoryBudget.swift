#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Synchronization

/// Lambda's memory limit as a budget for the values handler code makes.
///
/// A Swift allocation that fails is fatal, so on Lambda a handler that asks for too much would kill
/// the runtime (`Runtime.ExitError`, and a cold start for the next caller). Instead every large
/// allocation is checked first, as R checks its own: when the process's resident memory plus the
/// request would pass the budget, the request is an R error, `cannot allocate vector of size
/// 762.9 Mb`, which the handler can catch and which otherwise fails only that invocation.
///
/// The budget is the function's memory size less a reserve for the runtime itself (an eighth, at
/// least 16 MB). Requests under 1 MB pass without a look at the process, so the check costs one
/// comparison on common paths; growth through many small values is not seen until a large one is
/// asked for. With no memory size configured there is no budget (local tools).
public enum MemoryBudget {
    /// The most resident bytes the process may reach; 0 means no budget.
    private static let limit = Atomic<Int>(0)

    /// Requests smaller than this are not checked.
    static let smallRequest = 1 << 20

    /// Sets the budget from a memory size in MB (Lambda's `AWS_LAMBDA_FUNCTION_MEMORY_SIZE`); nil or
    /// a size that is not positive removes it.
    public static func configure(megabytes: Int?) {
        guard let megabytes, megabytes > 0, megabytes < 1 << 30 else {
            limit.store(0, ordering: .relaxed)
            return
        }
        let total = megabytes << 20
        limit.store(max(total - max(16 << 20, total / 8), 8 << 20), ordering: .relaxed)
    }

    /// Sets the budget from `AWS_LAMBDA_FUNCTION_MEMORY_SIZE`, when it holds a number.
    public static func configureFromEnvironment() {
        configure(megabytes: Files.environment("AWS_LAMBDA_FUNCTION_MEMORY_SIZE").flatMap { Int($0) })
    }

    /// The budget in bytes, 0 when there is none.
    public static var limitBytes: Int { limit.load(ordering: .relaxed) }

    /// Fails when `bytes` more would take the process past the budget.
    @inline(__always) static func check(bytes: Double) throws(FnError) {
        if bytes < Double(smallRequest) { return }
        try checkLarge(bytes)
    }

    @inline(never) private static func checkLarge(_ bytes: Double) throws(FnError) {
        if !allows(bytes: bytes) { throw refusal(bytes: bytes) }
    }

    /// Whether `bytes` more keep the process within the budget (always, without one). For code that
    /// cannot throw where it allocates: it stops, then throws `refusal(bytes:)`.
    static func allows(bytes: Double) -> Bool {
        let limit = limitBytes
        if limit == 0 || Double(residentBytes()) + bytes <= Double(limit) { return true }
        // Memory freed by earlier values may still be resident in malloc's heap (a large temporary
        // raises glibc's mmap threshold, so later ones come from the heap): give it back, look again.
        returnFreedMemory()
        return Double(residentBytes()) + bytes <= Double(limit)
    }

    /// R's error for a request of `bytes` that does not fit.
    static func refusal(bytes: Double) -> FnError {
        FnError(.runtime, "cannot allocate vector of size \(describe(bytes))")
    }

    /// A size as R's message gives it: `762.9 Mb`, `1.2 Gb`, `512 Kb`.
    static func describe(_ bytes: Double) -> String {
        let kb = bytes / 1024
        func tenths(_ x: Double) -> String {
            guard x < 1e15 else { return "\(x)" }
            let t = Int((x * 10).rounded())
            return "\(t / 10).\(t % 10)"
        }
        if kb > 1024 * 1024 { return tenths(kb / 1024 / 1024) + " Gb" }
        if kb > 1024 { return tenths(kb / 1024) + " Mb" }
        return "\(Int(kb.rounded())) Kb"
    }

    /// Returns free heap memory to the system (glibc's `malloc_trim`; Swift's Glibc module does not
    /// import malloc.h, so the C function is declared by name).
    private static func returnFreedMemory() {
        #if canImport(Glibc)
        _ = mallocTrim(0)
        #endif
    }

    /// The process's resident set size, from /proc/self/statm (pages; the second field).
    static func residentBytes() -> Int {
        let fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return 0 }
        defer { close(fd) }
        var buffer = (Int64(0), Int64(0), Int64(0), Int64(0), Int64(0), Int64(0), Int64(0), Int64(0))
        return withUnsafeMutableBytes(of: &buffer) { raw -> Int in
            let n = read(fd, raw.baseAddress, raw.count)
            guard n > 0 else { return 0 }
            var field = 0
            var pages = 0
            for byte in raw.prefix(n) {
                if byte == UInt8(ascii: " ") {
                    field += 1
                    if field > 1 { break }
                } else if field == 1, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                    pages = pages * 10 + Int(byte - UInt8(ascii: "0"))
                }
            }
            return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
        }
    }
}

#if canImport(Glibc)
@_silgen_name("malloc_trim")
private func mallocTrim(_ pad: Int) -> Int32
#endif
