import Testing
@testable import FnLanguage

/// Runs `code` and returns what it wrote to stdout and stderr.
func capturedOutput(_ code: String) throws(FnError) -> (stdout: String, stderr: String) {
    let ip = Interpreter()
    var out = "", err = ""
    ip.output = { kind, text in
        if kind == .stdout { out += text } else { err += text }
    }
    _ = try ip.evaluate(code)
    return (out, err)
}

/// `print` and `cat` must write exactly what GNU R writes.
@Suite struct LibraryPrintTests {
    @Test(arguments: libraryPrintCases)
    func printsLikeR(_ testCase: (String, String)) throws {
        let (code, expected) = testCase
        #expect(try capturedOutput(code).stdout == expected, "\(code)")
    }

    @Test func printReturnsItsArgument() throws {
        let ip = Interpreter()
        ip.output = { _, _ in }
        let v = try ip.evaluate("x <- print(c(1, 2)); sum(x)")
        #expect(String(decoding: try JSON.serialize(v), as: UTF8.self) == "3")
    }

    @Test func formatForPrintIsPublicAndMatchesPrint() throws {
        let ip = Interpreter()
        let v = try ip.evaluate("list(a = 1:3, b = \"x\")")
        #expect(formatForPrint(v) == "$a\n[1] 1 2 3\n\n$b\n[1] \"x\"\n\n")
    }

    @Test func functionsPrintTheirSourceAsWritten() throws {
        #expect(try capturedOutput("f <- function(x, y = 2)   x # kept\nprint(f)").stdout == "function(x, y = 2)   x\n")
        // Made at run time (no source text): deparsed.
        #expect(try capturedOutput("g <- function(x) x; body(g) <- quote(x * 2); print(g)").stdout == "function(x) x * 2\n")
    }

    @Test func catAcceptsListsOfScalars() throws {
        // R 4.2 refuses lists in cat(); fn accepts lists of scalars.
        #expect(try capturedOutput("cat(list(1, \"a\", TRUE), \"\\n\")").stdout == "1 a TRUE \n")
        #expect(throws: FnError.self) { try capturedOutput("cat(list(1:2))") }
    }

    @Test func catToStderr() throws {
        let out = try capturedOutput("cat(\"oops\\n\", file = stderr()); cat(\"ok\\n\", file = stdout())")
        #expect(out.stderr == "oops\n")
        #expect(out.stdout == "ok\n")
    }

    @Test func messageWritesToStderrWithNewline() throws {
        let out = try capturedOutput("message(\"n = \", 3, TRUE); message(\"no newline\", appendLF = FALSE)")
        #expect(out.stderr == "n = 3TRUE\nno newline")
        #expect(out.stdout == "")
    }

    @Test func writeLinesJoinsWithNewlines() throws {
        #expect(try capturedOutput("writeLines(c(\"a\", \"b\"))").stdout == "a\nb\n")
    }

    @Test func printsTimesInUTC() throws {
        let out = try capturedOutput("print(structure(1700000000, class = c(\"POSIXct\", \"POSIXt\")))")
        #expect(out.stdout == "[1] \"2023-11-14 22:13:20 UTC\"\n")
    }
}
