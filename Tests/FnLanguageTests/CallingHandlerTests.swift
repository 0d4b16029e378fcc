import Testing
@testable import FnLanguage

/// `withCallingHandlers`, `invokeRestart` and how they leave stderr: what the R-agreement cases
/// (which compare values) cannot see.
@Suite struct CallingHandlerTests {
    /// Runs `code` and returns its value's deparsed text with everything written to stderr.
    private func run(_ code: String) throws -> (value: String, stderr: String) {
        let ip = Interpreter()
        var stderr = ""
        ip.output = { kind, text in if kind == .stderr { stderr += text } }
        let v = try ip.evaluate(code)
        return (ValueDeparser.deparse(v, limit: 200, keepInteger: true), stderr)
    }

    @Test func mutedWarningIsNotReported() throws {
        let r = try run("""
            f <- function() { warning("careful"); "v" }
            withCallingHandlers(f(), warning = function(w) invokeRestart("muffleWarning"))
            """)
        #expect(r.value == "\"v\"")
        #expect(r.stderr == "")
    }

    @Test func unmutedWarningIsReportedOnceWithItsCall() throws {
        let r = try run("""
            f <- function() { warning("careful"); "v" }
            n <- 0
            withCallingHandlers(f(), warning = function(w) n <<- n + 1)
            n
            """)
        #expect(r.value == "1")
        #expect(r.stderr == "Warning message:\nIn f() : careful\n")
    }

    @Test func builtinWarningSeenOnceWhenNotMuffled() throws {
        let r = try run("""
            n <- 0
            withCallingHandlers(sapply(c("1", "x"), as.numeric), warning = function(w) n <<- n + 1)
            n
            """)
        #expect(r.value == "1")
        #expect(r.stderr.contains("NAs introduced by coercion"))
    }

    @Test func mutedMessageIsNotPrinted() throws {
        let r = try run("""
            withCallingHandlers({ message("quiet"); 1 }, message = function(m) invokeRestart("muffleMessage"))
            """)
        #expect(r.value == "1")
        #expect(r.stderr == "")
    }

    @Test func unmutedMessageIsPrintedAfterTheHandler() throws {
        let r = try run("""
            withCallingHandlers(message("loud"),
                                message = function(m) cat("seen: ", conditionMessage(m), file = stderr()))
            """)
        #expect(r.stderr == "seen:  loud\nloud\n")
    }

    @Test func suppressMessagesHidesMessagesFromOuterHandlers() throws {
        let r = try run("""
            n <- 0
            withCallingHandlers(suppressMessages(message("x")), message = function(m) n <<- n + 1)
            n
            """)
        #expect(r.value == "0")
        #expect(r.stderr == "")
    }

    @Test func restartOutsideAHandlerIsAnError() {
        #expect(throws: FnError.self) { try run("invokeRestart(\"muffleWarning\")") }
    }

    @Test func warningHandlerMayRaiseAnError() throws {
        let r = try run("""
            tryCatch(withCallingHandlers(as.integer("x"), warning = function(w) stop("strict: ", conditionMessage(w))),
                     error = function(e) conditionMessage(e))
            """)
        #expect(r.value == "\"strict: NAs introduced by coercion\"")
        #expect(r.stderr == "")
    }

    @Test func withCallingHandlersIsNotAValue() {
        #expect(throws: FnError.self) { try run("f <- withCallingHandlers") }
    }
}
