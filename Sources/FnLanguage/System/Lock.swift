#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A mutex (pthread), for the few places state crosses threads.
///
/// Not `Synchronization.Mutex`: on Linux that one hands a contended lock over through the kernel
/// (`FUTEX_LOCK_PI`) inside the uninstrumented standard library, so ThreadSanitizer cannot see the
/// ordering and reports the guarded state as raced. It intercepts pthread calls.
public final class Lock: @unchecked Sendable {
    /// On the heap: a pthread mutex must not move, and Swift does not promise a stored property's
    /// address stays the same between `&` accesses.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)

    public init() {
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    public func withLock<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }

    public func lock() { pthread_mutex_lock(mutex) }
    public func unlock() { pthread_mutex_unlock(mutex) }

    /// Waits on `condition`, which must be used with this lock only; the lock is held again on return.
    public func wait(_ condition: UnsafeMutablePointer<pthread_cond_t>) { pthread_cond_wait(condition, mutex) }

    /// `wait`, giving up at `deadline` (CLOCK_REALTIME, as pthread_cond_timedwait reads it).
    public func wait(_ condition: UnsafeMutablePointer<pthread_cond_t>, until deadline: inout timespec) {
        pthread_cond_timedwait(condition, mutex, &deadline)
    }
}
