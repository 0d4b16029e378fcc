import Testing
@testable import FnLanguage

/// Errors and warnings raised by library functions carry R's messages.
@Suite struct LibraryConditionTests {
    /// The condition `code` raises, as "E: message" or "W: message", caught by `tryCatch`.
    private func condition(_ code: String) throws -> String {
        let ip = Interpreter()
        ip.output = { _, _ in }
        let wrapped = "tryCatch(\(code), error = function(c) paste(\"E:\", conditionMessage(c)), "
            + "warning = function(c) paste(\"W:\", conditionMessage(c)))"
        let v = try ip.evaluate(wrapped)
        guard case .character(let s?) = v else { return "no condition" }
        return s
    }

    @Test(arguments: [
        ("sqrt(\"a\")", "E: non-numeric argument to mathematical function"),
        ("sqrt(-1)", "W: NaNs produced"),
        ("as.integer(\"x\")", "W: NAs introduced by coercion"),
        ("sum(\"a\")", "E: invalid 'type' (character) of argument"),
        ("max(numeric(0))", "W: no non-missing arguments to max; returning -Inf"),
        ("mean(\"a\")", "W: argument is not numeric or logical: returning NA"),
        ("seq(1, 10, by = -1)", "E: wrong sign in 'by' argument"),
        ("seq_len(-1)", "E: argument must be coercible to non-negative integer"),
        ("rep(1:2, times = c(1, 2, 3))", "E: invalid 'times' argument"),
        ("sprintf(\"%d\", 1.5)", "E: invalid format '%d'; use format %f, %e, %g or %a for numeric objects"),
        ("sprintf(\"%d\", \"a\")", "E: invalid format '%d'; use format %s for character objects"),
        ("vapply(1:2, function(i) \"a\", numeric(1))",
         "E: values must be type 'double',\n but FUN(X[[1]]) result is type 'character'"),
        ("vapply(1:2, function(i) c(1, 2), numeric(1))",
         "E: values must be length 1,\n but FUN(X[[1]]) result is length 2"),
        ("which(\"a\")", "E: argument to 'which' is not logical"),
        ("as.integer(3e10)", "W: NAs introduced by coercion to integer range"),
        ("log(-1)", "W: NaNs produced"),
        ("all(c(1, 2))", "W: coercing argument of type 'double' to logical"),
        ("lapply(1:2, \"nonexistent_fn\")", "E: object 'nonexistent_fn' of mode 'function' was not found"),
        ("startsWith(1, \"a\")", "E: non-character object(s)"),
        ("max(character(0))", "W: no non-missing arguments, returning NA"),
        ("stopifnot(\"x must be positive\" = -1 > 0)", "E: x must be positive"),
    ])
    func raisesRsCondition(_ testCase: (String, String)) throws {
        #expect(try condition(testCase.0) == testCase.1, "\(testCase.0)")
    }

    @Test func invalidRegexIsAnError() throws {
        #expect(try condition("grepl(\"(\", \"a\")").hasPrefix("E: invalid regular expression '('"))
    }

    @Test func uncaughtWarningsAreReported() throws {
        let out = try capturedOutput("x <- as.numeric(c(\"1\", \"b\"))")
        #expect(out.stderr.contains("NAs introduced by coercion"))
    }

    @Test func stopifnotPassesOnAllTrue() throws {
        #expect(try condition("stopifnot(TRUE, c(TRUE, TRUE), 1 < 2)") == "no condition")
    }
}
