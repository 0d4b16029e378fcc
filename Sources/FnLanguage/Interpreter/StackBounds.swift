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
    nonisolated(unsafe) static let key: pthread_key_t = {
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
    let box = LargeStackBox(body: { result = body() }, size: UInt(bytes))
    var attr = pthread_attr_t()
    pthread_attr_init(&attr)
    pthread_attr_setstacksize(&attr, bytes)
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
    pthread_attr_destroy(&attr)
    if rc != 0 {
        unmanaged.release()
        return body()
    }
    pthread_join(thread, nil)
    guard let result else { return body() }
    return result
}
