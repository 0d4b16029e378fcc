#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A session's random number generator: R's defaults since 3.6 — Mersenne-Twister uniforms,
/// normals by inversion, sampling by rejection — seeded as `set.seed` seeds R, so the same
/// seed gives R's numbers bit for bit.
public struct RandomState {
    /// The Mersenne-Twister state (MT19937).
    private var mt = [UInt32](repeating: 0, count: 624)
    /// The next word of `mt` to temper; 624 means "regenerate".
    private var index = 624
    private var seeded = false
    /// `sample.kind = "Rounding"` (R before 3.6) instead of "Rejection".
    var rounding = false

    public init() {}

    /// Seeds as R's `set.seed`: the seed is scrambled by 50 steps of the LCG x → 69069 x + 1,
    /// whose following 625 outputs fill R's seed vector (its first word, the position, is then
    /// reset so the first draw regenerates the whole state).
    mutating func seed(_ value: UInt32) {
        var s = value
        for _ in 0..<50 { s = 69069 &* s &+ 1 }
        s = 69069 &* s &+ 1  // the position word, overwritten below
        for i in 0..<624 {
            s = 69069 &* s &+ 1
            mt[i] = s
        }
        index = 624
        seeded = true
    }

    /// Seeds from the clock and the process id, as R does when no seed was set.
    mutating func seedFromTime() {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        // R mixes microseconds, seconds and the pid; nanoseconds make two sessions started in
        // the same process and microsecond unlikely to share a stream.
        let nanos = UInt32(truncatingIfNeeded: now.tv_nsec)
        let seconds = UInt32(truncatingIfNeeded: now.tv_sec)
        let pid = UInt32(truncatingIfNeeded: getpid())
        seed((pid << 16) ^ (nanos << 7) ^ nanos ^ seconds)
    }

    /// The next 32 random bits.
    private mutating func nextWord() -> UInt32 {
        if !seeded { seedFromTime() }
        if index >= 624 { regenerate() }
        var y = mt[index]
        index += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9d2c_5680
        y ^= (y << 15) & 0xefc6_0000
        y ^= y >> 18
        return y
    }

    private mutating func regenerate() {
        let upper: UInt32 = 0x8000_0000, lower: UInt32 = 0x7fff_ffff
        for k in 0..<624 {
            let y = (mt[k] & upper) | (mt[(k + 1) % 624] & lower)
            mt[k] = mt[(k + 397) % 624] ^ (y >> 1) ^ ((y & 1) == 0 ? 0 : 0x9908_b0df)
        }
        index = 0
    }

    /// A uniform in (0, 1): the word scaled by 2^-32, kept off the endpoints as R does.
    mutating func uniform() -> Double {
        let x = Double(nextWord()) * 2.3283064365386963e-10
        let half = 0.5 * 2.328306437080797e-10
        if x <= 0 { return half }
        if 1 - x <= 0 { return 1 - half }
        return x
    }

    /// A standard normal by inversion: two uniforms give a number with 2^-27 resolution beyond
    /// the first uniform's bits, which AS 241 maps through the normal quantile.
    mutating func normal() -> Double {
        let big = 134_217_728.0
        var u = uniform()
        u = Double(Int32(big * u)) + uniform()
        return Distribution.qnorm(u / big, 0, 1, Tail(lower: true, log: false))
    }

    /// A standard exponential by Ahrens & Dieter's (1972) algorithm SA.
    mutating func exponential() -> Double {
        // q[k] = Σ_{i=1}^{k+1} (ln 2)^i / i!
        let q: [Double] = [
            0.6931471805599453, 0.933373687519046, 0.9888777961838676, 0.9984959252914961,
            0.9998292811061389, 0.9999833164100728, 0.9999985691438767, 0.9999998906925558,
            0.9999999924734159, 0.9999999995283275, 0.9999999999728814, 0.9999999999985598,
            0.999999999999929, 0.9999999999999968, 0.9999999999999999, 1.0,
        ]
        var a = 0.0
        var u = uniform()
        while u <= 0 || u >= 1 { u = uniform() }
        while true {
            u += u
            if u > 1 { break }
            a += q[0]
        }
        u -= 1
        if u <= q[0] { return a + u }
        var i = 0
        var ustar = uniform()
        var umin = ustar
        repeat {
            ustar = uniform()
            if umin > ustar { umin = ustar }
            i += 1
        } while u > q[i]
        return a + umin * q[0]
    }

    /// A uniform integer in [0, n): rejection sampling from the next power of two, as R's
    /// `R_unif_index` (or `floor(n u)` under the pre-3.6 "Rounding" kind).
    mutating func index(below n: Double) -> Double {
        if rounding { return (n * uniform()).rounded(.down) }
        if n <= 0 { return 0 }
        let bits = Int(log2(n).rounded(.up))
        while true {
            var v: Int64 = 0
            var filled = 0
            while filled <= bits {
                v = 65536 &* v &+ Int64((uniform() * 65536).rounded(.down))
                filled += 16
            }
            let candidate = Double(v & ((Int64(1) << bits) - 1))
            if candidate < n { return candidate }
        }
    }
}
