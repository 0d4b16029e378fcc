import Glibc
import Synchronization
import Testing
@testable import FnLanguage

/// Evaluates `text` in a fresh interpreter and returns the result as JSON text.
private func json(_ text: String, _ ip: Interpreter = Interpreter()) throws -> String {
    ip.output = { _, _ in }
    return String(decoding: try JSON.serialize(try ip.evaluate(text)), as: UTF8.self)
}

/// The error `text` raises.
private func failure(_ text: String) -> FnError? {
    let ip = Interpreter()
    ip.output = { _, _ in }
    do {
        _ = try ip.evaluate(text)
        return nil
    } catch {
        return error
    }
}

@Suite struct FrameTests {
    /// Builtin calls reuse one argument array per formal count (`takeArguments`): calls of the same
    /// count nested in the arguments, in handlers, in `on.exit`, through `Reduce`, `do.call` and
    /// `sapply`, and after a call that failed while holding the array, each see only their own
    /// arguments (`substr("abc", 2)` finds `stop` missing). The results are R's.
    @Test func builtinCallsOfOneFormalCountSeeOnlyTheirOwnArguments() throws {
        let program = """
            f <- function(s) substr(s, 1, tryCatch(stop("no"), error = function(e) nchar(substr("xyz", 2, 3))))
            g <- function() { on.exit(substr("zz", 1, 1)); substr("hello", 1, 1) }
            h <- function() tryCatch(substr("abc", 2), error = function(e) "missing")
            c(substr("abcdef", nchar(substr("ab", 1, 1)), nchar(f("hello"))),
              tryCatch(substr(as.integer("x"), 1, 2), warning = function(w) substr(conditionMessage(w), 1, 3)),
              Reduce(function(a, b) substr(paste0(a, b), 1, 3), c("ab", "cd", "ef")),
              do.call(substr, list("hello", 2, do.call(nchar, list("abcd")))),
              g(), unname(sapply(c("abc", "defg"), substr, 2, substr("3", 1, 1))),
              tryCatch(substr("abc", 1, stop("x")), error = function(e) h()),
              tryCatch(substr("abc", 1, 2), finally = h()), h())
            """
        #expect(try json(program) == #"["ab","NAs","abc","ell","h","bc","ef","missing","ab","missing"]"#)
    }

    @Test func capturedFramesAreNotReused() throws {
        // Each closure keeps its own frame although frames of finished calls are pooled.
        let program = """
            make <- function(n) function() n
            fs <- lapply(1:5, make)
            g <- function(a, b) a + b
            for (i in 1:100) g(i, i)
            sapply(fs, function(f) f())
            """
        #expect(try json(program) == "[1,2,3,4,5]")
    }

    /// Calls to global functions borrow the closure from the global table. A function that
    /// replaces its own binding keeps running on its closure (its definition, defaults and
    /// environment), which is let go when the top-level evaluation ends. (ASan, in CI, sees a
    /// closure freed too early.)
    @Test func aFunctionThatReplacesItsOwnBindingKeepsRunning() throws {
        let ip = Interpreter()
        let program = """
            f <- function(n, d = n * 2) {
              f <<- NULL
              g <- function() d + n
              g()
            }
            x <- 0  # the last value would otherwise still hold the closure
            r <- f(3)
            c(r, is.null(f))
            """
        #expect(try json(program, ip) == "[9,1]")
        #expect(ip.retiredClosures.isEmpty)
        // Replaced deep in a recursion, and by a different function.
        let recursion = """
            count <- function(n) if (n == 0) { count <<- function(n) -1; 0 } else 1 + count(n - 1)
            x <- 0
            c(count(50), count(5))
            """
        #expect(try json(recursion) == "[50,-1]")
        // Replaced while the call's own arguments are evaluated, before its body starts.
        let argument = """
            f <- function(x, d = x * 2) x + d
            g <- function() { f <<- NULL; 1 }
            x <- 0
            c(f(g()), is.null(f))
            """
        #expect(try json(argument) == "[3,1]")
    }

    /// A running function that keeps replacing a global function it calls (a state machine) lets
    /// the replaced closures go once their calls return, not when the whole invocation ends.
    @Test func replacedClosuresAreLetGoWhenTheirCallsHaveReturned() throws {
        let ip = Interpreter()
        ip.bindBase("retired_count", .builtin(Builtin("retired_count", []) { _, ip throws(FnError) in
            .integer(Int32(ip.retiredClosures.count))
        }))
        let program = """
            make <- function(i) function() { step <<- make(i + 1); i }
            step <- make(1)
            run <- function(n) { s <- 0; for (k in 1:n) s <- s + step(); c(s, retired_count() <= 16) }
            run(1000)
            """
        #expect(try json(program, ip) == "[500500,1]")
        #expect(ip.retiredClosures.isEmpty)
    }

    @Test func counterClosureKeepsState() throws {
        let program = """
            counter <- function() { i <- 0; function() { i <<- i + 1; i } }
            c1 <- counter(); c2 <- counter()
            c1(); c1(); c2()
            c(c1(), c2())
            """
        #expect(try json(program) == "[3,2]")
    }

    @Test func localReadBeforeAssignmentFallsBackToGlobal() throws {
        #expect(try json("x <- 10; f <- function() { y <- x; x <- 1; c(y, x) }; f()") == "[10,1]")
    }

    @Test func lazyDefaultSeesLaterArguments() throws {
        #expect(try json("f <- function(x, n = length(x) * k, k = 2) n; f(1:3)") == "6")
    }

    @Test func positionalFastPathFillsDefaultsAndDots() throws {
        #expect(try json("f <- function(a, b = a + 1, ...) c(a, b, length(list(...))); f(1)") == "[1,2,0]")
        #expect(try json("f <- function(a, ...) list(...); f(1, 2, z = 3)") == #"{"1":2,"z":3}"#)
    }

    /// Builtin calls reuse one argument array per formal count (`Interpreter.takeArguments`): a formal
    /// supplied in one call is missing in the next, also when calls with as many formals nest, run
    /// from inside a closure, or end in an error. Values from R.
    @Test func builtinArgumentsDoNotCarryOverBetweenCalls() throws {
        #expect(try json("a <- round(2.567, 2); b <- round(2.567); c(a, b)") == "[2.57,3]")
        #expect(try json("round(round(2.567, 2) * 10)") == "26")
        #expect(try json("sapply(1:3, function(i) round(i / 3, i))") == "[0.3,0.67,1]")
        #expect(try json("substr(substr(\"abcdef\", 2, 5), 2, 3)") == "\"cd\"")
        #expect(try json("tryCatch(round(\"x\", 1), error = function(e) 0); round(1.44)") == "1")
    }
}

@Suite struct LimitTests {
    @Test func infiniteRecursionIsAnErrorNotACrash() {
        let e = failure("f <- function(n) f(n + 1); f(1)")
        #expect(e?.kind == .limit)
        #expect(e?.message.hasPrefix("evaluation nested too deeply") == true)
    }

    @Test func hugeVectorsFailCleanly() {
        for text in ["1:1e10", "numeric(1e10)", "rep(1, 1e10)", "x <- 1; x[1e10] <- 2", "seq_len(1e9)",
                     "x <- numeric(1e7); unlist(rep(list(x), 20))", "x <- numeric(6e7); c(x, x)"] {
            let e = failure(text)
            #expect(e?.kind == .limit, "\(text)")
            #expect(e?.message.contains("the limit is 100000000 elements") == true, "\(text)")
        }
    }

    @Test func hugeStringsFailCleanly() {
        for text in ["strrep(\"ab\", 1e9)", "sprintf(\"%999999999999d\", 1)", "formatC(1, width = 1e9)",
                     "x <- strrep(\"a\", 1e8); paste0(x, x, x)"] {
            #expect(failure(text)?.kind == .limit, "\(text)")
        }
    }

    @Test func hugeIndicesReadNA() throws {
        #expect(try json("x <- 1:3; x[1e300]") == "null")
        #expect(try json("x <- 1:3; x[-1e300]") == "[1,2,3]")
        #expect(failure("x <- list(1); x[[1e300]]")?.message == "subscript out of bounds")
    }

    /// Evaluates `code` (which must write output first) while another thread sets the
    /// cancellation flag as soon as that output appears; returns the error it ended with.
    private func cancelledFromAnotherThread(_ code: String) -> FnError? {
        let ip = Interpreter()
        let started = Atomic<Bool>(false)
        ip.output = { _, _ in started.store(true, ordering: .relaxed) }
        let flag = ip.cancellation
        let canceller = Thread {
            while !started.load(ordering: .relaxed) {}
            flag.cancel()
        }
        var error: FnError?
        do { _ = try ip.evaluate(code) } catch let e { error = e }
        canceller.join()
        return error
    }

    @Test func cancellationStopsALoopFromAnotherThread() {
        #expect(cancelledFromAnotherThread("cat('go'); repeat { x <- 1 }")?.kind == .cancelled)
    }

    /// A closure kept in one of its function's own variables refers to the frame that refers to
    /// it. When nothing else holds either, the frame is cleared at return and reused, instead of
    /// leaking with its closure on every call; when the closure escapes, the frame goes with it.
    @Test func framesHeldOnlyByTheirOwnClosuresAreReclaimed() throws {
        let ip = Interpreter()
        _ = try ip.evaluate("h <- function(items) { fmt <- function(x) x + 1; lapply(items, fmt) }; h(1:3)")
        // An identifier, not a reference: holding the frame would make it look escaped.
        let reused = ip.frameTable.frames[0].map(ObjectIdentifier.init)
        _ = try ip.evaluate("h(1:3)")
        #expect(reused != nil && ip.frameTable.frames[0].map(ObjectIdentifier.init) == reused)
        // A returned closure keeps its frame: the table lets that frame go and the closure still works.
        #expect(try json("make <- function() { g <- function(n) if (n == 0) 0 else g(n - 1) + 1; g }; f <- make(); f(3)", ip)
            == "3")
        #expect(ip.frameTable.frames[0].map(ObjectIdentifier.init) != reused)
        // Two closures, one returned: the frame must stay whole.
        #expect(try json("two <- function() { g <- function() 41; h <- function() g() + 1; h }; two()()", ip) == "42")
        // environment() kept in a local, and a new.env() made in the frame.
        #expect(try json("k <- function() { e <- environment(); n <- new.env(); n$v <- 2; n$v }; k(); k()", ip) == "2")
    }

    /// Closures kept in a list in a local (a table of helpers) are reclaimed with their frame too,
    /// unless the list, or one of the closures, outlives the call.
    @Test func framesHeldOnlyByClosuresInTheirOwnListsAreReclaimed() throws {
        let ip = Interpreter()
        let ops = """
            ops <- function(x) {
              fs <- list(inc = function(v) v + 1, nested = list(dbl = function(v) v * 2), n = 3)
              fs$nested$dbl(fs$inc(x))
            }
            ops(1)
            """
        #expect(try json(ops, ip) == "4")
        let reused = ip.frameTable.frames[0].map(ObjectIdentifier.init)
        #expect(try json("ops(2)", ip) == "6")
        #expect(reused != nil && ip.frameTable.frames[0].map(ObjectIdentifier.init) == reused)
        // The list is returned: the frame leaves the table and the closures still work.
        #expect(try json("mk <- function(k) { fs <- list(get = function() k); fs }; m <- mk(7); m$get()", ip) == "7")
        let afterEscape = ip.frameTable.frames[0].map(ObjectIdentifier.init)
        #expect(afterEscape != reused)
        // One closure from the list escapes into a global.
        #expect(try json("keep <- function() { fs <- list(a = function() 5); g <<- fs$a; 1 }; keep(); g()", ip) == "5")
        #expect(ip.frameTable.frames[0].map(ObjectIdentifier.init) != afterEscape)
        // The list is shared with a global.
        #expect(try json("share <- function() { fs <- list(a = function() 6); h <<- fs; 1 }; share(); h$a()", ip) == "6")
    }

    /// A deadline stops a long run of regex searches inside one builtin call: this `gsub` rescans
    /// the rest of the text after every match (quadratic: minutes on 200,000 characters).
    @Test func cancellationStopsRegexSearches() {
        #expect(cancelledFromAnotherThread("cat('go'); gsub('a|a*b', '-', strrep('a', 200000))")?.kind == .cancelled)
        #expect(cancelledFromAnotherThread("cat('go'); strsplit(strrep('a', 200000), 'a*b|a')")?.kind == .cancelled)
    }

    /// A big list beside a helper closure (`items <- as.list(1:20000); f <- function(x) ...`) does
    /// not make the frame look escaped: the walk through lists is bounded, but a closure held
    /// directly by a variable is still counted, as it was before lists were looked into.
    @Test func aBigListBesideAHelperClosureDoesNotKeepTheFrame() throws {
        let ip = Interpreter()
        let program = """
            h <- function(n) { items <- as.list(seq_len(n)); f <- function(x) x + 1; length(lapply(items, f)) }
            h(20000)
            """
        #expect(try json(program, ip) == "20000")
        let reused = ip.frameTable.frames[0].map(ObjectIdentifier.init)
        #expect(try json("h(20000)", ip) == "20000")
        #expect(reused != nil && ip.frameTable.frames[0].map(ObjectIdentifier.init) == reused)
    }

    /// A deadline ends `Sys.sleep` like a loop: the sleep is cut short with the cancellation error.
    @Test func cancellationEndsASleep() {
        #expect(cancelledFromAnotherThread("cat('go'); Sys.sleep(600); 'slept'")?.kind == .cancelled)
    }
}

@Suite struct ConditionTests {
    @Test func warningsFromBuiltinsAndOperatorsReachTryCatch() throws {
        #expect(try json(#"tryCatch(as.integer("x"), warning = function(w) conditionMessage(w))"#)
            == #""NAs introduced by coercion""#)
        #expect(try json("tryCatch(.Machine$integer.max + 1L, warning = function(w) \"overflow\")") == #""overflow""#)
    }

    @Test func uncaughtWarningsAreReportedOnStderr() throws {
        let ip = Interpreter()
        var stderr = ""
        ip.output = { kind, text in if kind == .stderr { stderr += text } }
        _ = try ip.evaluate("f <- function() { warning(\"careful\"); 1 }; f()")
        #expect(stderr == "Warning message:\nIn f() : careful\n")
    }

    @Test func errorsCarryTheCallAndAStackThroughBuiltins() {
        let e = failure("""
            check <- function(x) if (x > 2) stop("too big: ", x) else x
            all_ok <- function(xs) sapply(xs, check)
            all_ok(1:5)
            """)
        #expect(e?.message == "too big: 3")
        #expect(e?.stackTrace.first == "check (<eval>:1:33)")
        #expect(e?.stackTrace.dropFirst().first == "all_ok (<eval>:2:24)")
    }

    @Test func customConditionClassesSelectTheHandler() throws {
        let program = """
            cond <- structure(list(message = "nope", call = NULL), class = c("myError", "error", "condition"))
            tryCatch(stop(cond), myError = function(e) paste("mine:", conditionMessage(e)),
                     error = function(e) "generic")
            """
        #expect(try json(program) == #""mine: nope""#)
    }

    @Test func onExitRunsOnErrorAndFinallyRuns() throws {
        let program = """
            log <- character(0)
            f <- function() { on.exit(log <<- c(log, "exit")); stop("x") }
            tryCatch(f(), error = function(e) log <<- c(log, "caught"), finally = log <<- c(log, "finally"))
            log
            """
        #expect(try json(program) == #"["exit","caught","finally"]"#)
    }
}

/// A minimal joinable thread for the tests that need a second thread (no Foundation).
final class Thread {
    private var thread = pthread_t()
    private let body: () -> Void

    init(_ body: @escaping () -> Void) {
        self.body = body
        let unmanaged = Unmanaged.passRetained(self)
        pthread_create(&thread, nil, { raw in
            let me = Unmanaged<Thread>.fromOpaque(raw!).takeRetainedValue()
            me.body()
            return nil
        }, unmanaged.toOpaque())
    }

    func join() { pthread_join(thread, nil) }
}
