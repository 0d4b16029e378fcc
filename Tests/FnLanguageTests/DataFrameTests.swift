import Testing
@testable import FnLanguage

/// Data frames as seen from Swift: the REPL's printing through `print.data.frame`, the
/// representation other parts of fn rely on, and the name helpers.
@Suite struct DataFrameTests {
    private func run(_ code: String) throws -> (Value, String) {
        let ip = Interpreter()
        var out = ""
        ip.output = { _, text in out += text }
        let v = try ip.evaluate(code)
        return (v, out)
    }

    @Test func theReplPrintsThroughTheDataFrameMethod() throws {
        let ip = Interpreter()
        var out = ""
        ip.output = { _, text in out += text }
        try ip.autoPrint(try ip.evaluate(#"data.frame(x = c(1.5, NA), s = c("a", NA))"#))
        #expect(out == "    x    s\n1 1.5    a\n2  NA <NA>\n")
    }

    @Test func framesKeepTheSharedRepresentation() throws {
        let (v, _) = try run(#"df <- data.frame(a = 1:3, b = c("x", "y", "z")); df[c(3, 1), ]"#)
        #expect(DataFrame.isDataFrame(v))
        #expect(DataFrame.rowCount(v) == 2)
        #expect(DataFrame.rowLabels(v) == ["3", "1"])
        #expect(DataFrame.rowNames(v) == nil)
        #expect(v.names == ["a", "b"])
    }

    @Test func addingARowKeepsAutomaticRowNames() throws {
        let (v, _) = try run(#"df <- data.frame(a = 1:2); df[nrow(df) + 1, ] <- 9L; df"#)
        #expect(DataFrame.rowCount(v) == 3)
        #expect(v.attribute("row.names")?.storage?.integers() == [1, 2, 3])
    }

    @Test func namesAreMadeSyntacticAndUnique() {
        #expect(DataFrame.syntacticName("1x") == "X1x")
        #expect(DataFrame.syntacticName("if") == "if.")
        #expect(DataFrame.syntacticName(nil) == "NA.")
        #expect(DataFrame.makeUnique(["a", "a", "a.1", "a"], sep: ".") == ["a", "a.2", "a.1", "a.3"])
    }

    @Test func wrongLengthColumnsAreAnError() throws {
        #expect(throws: FnError.self) { try run("data.frame(a = 1:3, b = 1:2)") }
        #expect(throws: FnError.self) { try run("df <- data.frame(a = 1:3); df$b <- 1:2") }
    }
}
