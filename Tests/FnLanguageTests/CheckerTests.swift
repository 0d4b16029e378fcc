import Testing
@testable import FnLanguage

/// `Checker`: each kind of finding, and silence on code that runs cleanly.
@Suite struct CheckerTests {
    static let checker = Checker()

    static func check(_ text: String, name: String = "t.fn") -> [Diagnostic] {
        checker.check(SourceFile(name: name, text: text))
    }

    /// `line:col: severity: message` without the file name, for compact expectations.
    static func lines(_ text: String) -> [String] {
        check(text).map { "\($0.line):\($0.column): \($0.severity.rawValue): \($0.message)" }
    }

    @Test func syntaxErrorIsReportedWithItsPosition() {
        let found = Self.check("f <- function(x) {\n  x +\n}\n", name: "bad.fn")
        #expect(found.count == 1)
        #expect(found.first?.severity == .error)
        #expect(found.first?.file == "bad.fn")
        #expect(found.first?.line == 3)
        #expect(found.first?.column == 1)
        #expect(found.first?.description.hasPrefix("bad.fn:3:1: error: ") == true)
    }

    @Test func callToUndefinedFunctionIsAnError() {
        #expect(Self.lines("f <- function(x) {\n  helper(x)\n}\n") == [#"2:3: error: could not find function "helper""#])
    }

    @Test func callsToBuiltinsSpecialFormsAndFileFunctionsAreFine() {
        let text = """
            g <- function(x) x * 2
            f <- function(x, cb) {
              on.exit(cat("done\\n"))
              r <- tryCatch(stop("boom"), error = function(e) conditionMessage(e), finally = NULL)
              s <- suppressWarnings(as.integer("x"))
              if (missing(cb)) cb <- identity
              t <- switch(x, a = , b = 2, 3)
              v <- local({ w <- 1; w + 1 })
              return(list(g(x), cb(x), r, s, t, v, nchar("abc"), try(log(-1), silent = TRUE)))
            }
            """
        #expect(Self.check(text).isEmpty)
    }

    @Test func aFunctionDefinedAnywhereInTheFileMayBeCalled() {
        // `inner` is a parameter of another function: the call may receive it as a value at run time.
        #expect(Self.check("apply1 <- function(inner, x) inner(x)\nh <- function() inner(1)\n").isEmpty)
    }

    @Test func readOfNeverAssignedVariableIsAWarning() {
        #expect(Self.lines("f <- function(x) {\n  x + y\n}\n") == ["2:7: warning: object 'y' is never assigned"])
    }

    @Test func variablesOfOtherFunctionsAreNotInScope() {
        let text = "f <- function() { secret <- 1; secret }\ng <- function() secret\n"
        #expect(Self.lines(text) == ["2:17: warning: object 'secret' is never assigned"])
    }

    @Test func bindingsInScopeAreFine() {
        let text = """
            total <- 0
            f <- function(x, n = length(x), ...) {
              for (i in seq_len(n)) acc <- i
              g <- function(k) k + acc + x + outerLater + total + ..1
              outerLater <- 3
              counter <<- 1
              assign("dynamic", 2)
              list(g(1), pi, letters[1], T, LETTERS, month.name, ..., dynamic, counter)
            }
            """
        #expect(Self.check(text).isEmpty)
    }

    @Test func superAssignedAndAssignedNamesAreGlobal() {
        let text = "init <- function() { cache <<- list(); assign(\"ready\", TRUE) }\nget_it <- function() c(cache, ready)\n"
        #expect(Self.check(text).isEmpty)
    }

    @Test func replacementAssignmentsBindTheirBaseAndNeedTheReplacementFunction() {
        let text = "f <- function() {\n  x <- list()\n  names(x) <- \"a\"\n  x$b[[1]] <- 2\n  widths(x) <- 1\n  x\n}\n"
        #expect(Self.lines(text) == [#"5:3: error: could not find function "widths<-""#])
    }

    @Test func userDefinedReplacementFunctionsAndOperatorsAreFound() {
        let text = "`second<-` <- function(x, value) { x[2] <- value; x }\n`%+%` <- function(a, b) paste(a, b)\n"
            + "v <- 1:3\nsecond(v) <- 9L\nw <- \"a\" %+% \"b\"\n"
        #expect(Self.check(text).isEmpty)
        #expect(Self.lines("x <- 1 %o% 2\n") == [#"1:6: error: could not find function "%o%""#])
    }

    @Test func indexArgumentsOnTheLeftAreReads() {
        #expect(Self.lines("x <- list()\nx[[key]] <- 1\n") == ["2:4: warning: object 'key' is never assigned"])
    }

    @Test func localHasAScopeOfItsOwn() {
        let text = "v <- local({\n  hidden <- 2\n  hidden * 2\n})\nw <- hidden\n"
        #expect(Self.lines(text) == ["5:6: warning: object 'hidden' is never assigned"])
    }

    @Test func pipesAndLambdasAreChecked() {
        #expect(Self.check("r <- 1:3 |> vapply(\\(x) x * 2, numeric(1)) |> sum()\n").isEmpty)
        #expect(Self.lines("r <- 1:3 |> transmogrify()\n") == [#"1:13: error: could not find function "transmogrify""#])
    }

    @Test func invalidAssignmentTargetIsAnError() {
        #expect(Self.lines("(x) <- 1\n") == ["1:1: error: invalid assignment target"])
    }

    @Test func findingsComeInSourceOrder() {
        let found = Self.check("a <- function() {\n  b(cc)\n  d\n}\n")
        #expect(found.map { $0.message } == [
            #"could not find function "b""#, "object 'cc' is never assigned", "object 'd' is never assigned",
        ])
    }

    @Test func handlerMustBeATopLevelFunctionLiteral() throws {
        let program = try parse(SourceFile(name: "functions.fn", text: "parity <- function(number) number\nn <- 5\n"))
        #expect(Self.checker.checkHandler("functions.parity", function: "parity", in: program) == nil)
        let missing = Self.checker.checkHandler("functions.odd", function: "odd", in: program)
        #expect(missing?.severity == .error)
        #expect(missing?.message.contains("handler 'functions.odd'") == true)
        let notFunction = Self.checker.checkHandler("functions.n", function: "n", in: program)
        #expect(notFunction?.line == 2)
        #expect(notFunction?.message.contains("not assigned a function literal") == true)
        let nested = try parse(SourceFile(name: "f.fn", text: "setup <- function() { h <- function() 1 }\n"))
        #expect(Self.checker.checkHandler("f.h", function: "h", in: nested) != nil)
    }

    @Test func longLeftAssociativeChainsDoNotExhaustTheStack() {
        let sum = "x <- " + Array(repeating: "1", count: 100_000).joined(separator: " + ") + " + y\n"
        // `y` is the last character before the newline.
        #expect(Self.lines(sum) == ["1:\(sum.utf8.count - 1): warning: object 'y' is never assigned"])
        let pipe = "x <- 1" + String(repeating: " |> abs()", count: 50_000) + "\n"
        #expect(Self.check(pipe).isEmpty)
    }

    @Test func deepNestingIsASyntaxErrorNotACrash() {
        let text = String(repeating: "(", count: 10_000) + "1" + String(repeating: ")", count: 10_000)
        let found = Self.check(text)
        #expect(found.count == 1)
        #expect(found.first?.severity == .error)
    }

    @Test func theExampleHandlerIsClean() throws {
        let path = OracleSupport.directory(of: #filePath) + "/../../handlers/functions.fn"
        let text = try OracleSupport.readFile(path)
        #expect(text.contains("parity"))
        let program = try parse(SourceFile(name: "functions.fn", text: text))
        #expect(Self.checker.check(program).isEmpty)
        #expect(Self.checker.checkHandler("functions.parity", function: "parity", in: program) == nil)
    }

    static let goldenDirectory = OracleSupport.directory(of: #filePath) + "/Golden"
    /// The golden scripts that must run without an error (no `###` expectation).
    static let cleanGoldenFiles = OracleSupport.listDirectory(goldenDirectory, suffix: ".fn").filter { file in
        guard let text = try? OracleSupport.readFile(goldenDirectory + "/" + file) else { return true }
        return !text.split(separator: "\n").contains { $0.hasPrefix("###") }
    }

    @Test func thereAreCleanGoldenFiles() {
        #expect(Self.cleanGoldenFiles.count >= 10)
    }

    @Test(arguments: cleanGoldenFiles) func goldenScriptsThatRunCleanlyHaveNoFindings(_ file: String) throws {
        let text = try OracleSupport.readFile(Self.goldenDirectory + "/" + file)
        #expect(Self.check(text, name: file) == [])
    }
}
