#if canImport(Glibc)
import Glibc
#endif

/// Wall-clock time without Foundation.
public enum Clock {
    /// Milliseconds since the Unix epoch.
    public static func nowMilliseconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Double(ts.tv_sec) * 1000 + Double(ts.tv_nsec) / 1_000_000
    }

    /// Seconds since the Unix epoch.
    public static func nowSeconds() -> Double { nowMilliseconds() / 1000 }

    /// Nanoseconds of a monotonic clock (for durations).
    public static func monotonicNanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}
