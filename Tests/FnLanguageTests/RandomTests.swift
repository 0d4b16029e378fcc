import Testing
@testable import FnLanguage

/// The session's random number generator and the distributions behind it. The R-agreement cases
/// (`=== random`, `=== distributions`, `=== special`) compare values with GNU R; these tests cover
/// what one case cannot: state kept across evaluations, unseeded sessions, limits.
@Suite struct RandomTests {
    private func interpreter() -> Interpreter {
        let ip = Interpreter()
        ip.output = { _, _ in }
        return ip
    }

    private func doubles(_ ip: Interpreter, _ code: String) throws -> [Double] {
        try ip.evaluate(code).storage?.doubles() ?? []
    }

    @Test func theStreamContinuesAcrossEvaluations() throws {
        let ip = interpreter()
        _ = try ip.evaluate("set.seed(42)")
        // R: set.seed(42); sprintf("%.17g", runif(2))
        #expect(try doubles(ip, "runif(1)") == [0.91480604349635541])
        #expect(try doubles(ip, "runif(1)") == [0.93707541329786181])
        _ = try ip.evaluate("set.seed(42)")
        #expect(try doubles(ip, "runif(2)") == [0.91480604349635541, 0.93707541329786181])
    }

    @Test func anUnseededSessionStillDraws() throws {
        let ip = interpreter()
        let x = try doubles(ip, "runif(5)")
        #expect(x.count == 5)
        #expect(x.allSatisfy { $0 > 0 && $0 < 1 })
        #expect(Set(x).count == 5)
    }

    @Test func sessionsAreIndependent() throws {
        let a = interpreter(), b = interpreter()
        _ = try a.evaluate("set.seed(7)")
        _ = try b.evaluate("set.seed(7)")
        let first = try doubles(a, "rnorm(3)")
        _ = try a.evaluate("runif(10)")
        #expect(try doubles(b, "rnorm(3)") == first)
    }

    @Test func samplingWithoutReplacementIsAPermutation() throws {
        let ip = interpreter()
        #expect(try doubles(ip, "set.seed(3); identical(sort(sample(100)), 1:100)") == [1])
        #expect(try doubles(ip, "length(unique(sample(1e8, 1000)))") == [1000])
    }

    @Test func quantilesInvertDistributionFunctions() throws {
        let ip = interpreter()
        let checks = [
            "p <- c(1e-12, 0.01, 0.3, 0.5, 0.9, 0.999); max(abs(pnorm(qnorm(p)) / p - 1))",
            "p <- c(1e-12, 0.01, 0.3, 0.5, 0.9, 0.999); max(abs(pgamma(qgamma(p, 2.5), 2.5) / p - 1))",
            "p <- c(1e-12, 0.01, 0.3, 0.5, 0.9, 0.999); max(abs(pbeta(qbeta(p, 2, 7), 2, 7) / p - 1))",
            "p <- c(1e-12, 0.01, 0.3, 0.5, 0.9, 0.999); max(abs(pt(qt(p, 4), 4) / p - 1))",
        ]
        for code in checks {
            let error = try doubles(ip, code)
            #expect(error.count == 1 && error[0] < 1e-12, "\(code): \(error)")
        }
    }

    @Test func hugeRequestsFailCleanly() throws {
        let ip = interpreter()
        for code in ["runif(1e12)", "sample(1e9, 1e9 - 1)", "rnorm(c(1, 2), 0, 1); rexp(1e10)"] {
            #expect(throws: FnError.self) { try ip.evaluate(code) }
        }
        let x = try doubles(ip, "set.seed(1); rbinom(3, 1e300, 0.5)")
        #expect(x.count == 3 && x.allSatisfy { $0.isFinite && $0 > 4.9e299 && $0 < 5.1e299 })
    }

    @Test func onlyDefaultKindsAreAccepted() {
        let ip = interpreter()
        #expect(throws: FnError.self) { try ip.evaluate(#"set.seed(1, kind = "Wichmann-Hill")"#) }
        #expect(throws: FnError.self) { try ip.evaluate(#"set.seed(1, normal.kind = "Box-Muller")"#) }
    }
}
