#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Keeps deep recursion a clean error instead of a crash. Evaluation runs on threads made by
/// `runWithLargeStack`, which record the lowest stack address evaluation may reach; closure calls
/// compare the stack pointer against it.
enum StackBounds {
    /// Headroom kept free below the limit for builtins, printing and error handling.
    static let margin: UInt = 1 << 20

    /// Thread-specific storage for the current thread's limit (absent: not a large-stack thread).
    static let key: pthread_key_t = {
        var k = pthread_key_t()
        pthread_key_create(&k, nil)
        return k
    }()

    /// The lowest address evaluation may use on this thread, or 0 when this thread was not made
    /// by `runWithLargeStack`.
    static func limitForCurrentThread() -> UInt {
        UInt(bitPattern: pthread_getspecific(key))
    }

    /// The current stack pointer (approximately).
    @inline(never) static func current() -> UInt {
        var marker: UInt8 = 0
        return withUnsafeMutablePointer(to: &marker) { UInt(bitPattern: $0) }
    }
}

private final class LargeStackBox {
    let body: () -> Void
    let size: UInt
    init(body: @escaping () -> Void, size: UInt) {
        self.body = body
        self.size = size
    }
}

/// Runs `body` on a new thread with a large stack (deep recursion in user code needs it) and
/// waits for it. The `fn` commands run entirely inside one; `Interpreter` hops onto one by itself
/// when called from any other thread.
public func runWithLargeStack<T>(bytes: Int = 1 << 30, _ body: @escaping () -> T) -> T {
    var result: T?
    guard let thread = createLargeStackThread(bytes: bytes, detached: false, { result = body() }) else {
        return body()
    }
    pthread_join(thread, nil)
    guard let result else { return body() }
    return result
}

/// Starts a detached thread with a large stack for work that evaluates fn code or frees fn values
/// (a server's connections): a value nested 100,000 deep is freed recursively, which overflows an
/// ordinary thread's stack. Runs `body` on the calling thread if no thread can be made.
public func startLargeStackThread(bytes: Int = 1 << 30, _ body: @escaping () -> Void) {
    if createLargeStackThread(bytes: bytes, detached: true, body) == nil { body() }
}

/// Creates a thread with a `bytes` stack that records its evaluation stack limit, then runs `body`.
private func createLargeStackThread(bytes: Int, detached: Bool, _ body: @escaping () -> Void) -> pthread_t? {
    let box = LargeStackBox(body: body, size: UInt(bytes))
    var attr = pthread_attr_t()
    pthread_attr_init(&attr)
    defer { pthread_attr_destroy(&attr) }
    pthread_attr_setstacksize(&attr, bytes)
    if detached { pthread_attr_setdetachstate(&attr, Int32(PTHREAD_CREATE_DETACHED)) }
    var thread = pthread_t()
    let unmanaged = Unmanaged.passRetained(box)
    let rc = pthread_create(&thread, &attr, { raw in
        guard let raw else { return nil }
        let box = Unmanaged<LargeStackBox>.fromOpaque(raw).takeRetainedValue()
        let top = StackBounds.current()
        let limit = top - box.size + StackBounds.margin
        pthread_setspecific(StackBounds.key, UnsafeRawPointer(bitPattern: limit))
        box.body()
        return nil
    }, unmanaged.toOpaque())
    if rc != 0 {
        unmanaged.release()
        return nil
    }
    return thread
}
