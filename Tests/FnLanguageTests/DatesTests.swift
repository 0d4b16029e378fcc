import Testing
@testable import FnLanguage

/// Dates, date-times and difftimes through the REPL's printing, the JSON bridge's text and the
/// string functions (the R-agreement cases cover the values; these cover the other ways out).
@Suite struct DatesTests {
    /// What the REPL shows for each line of `code` (values printed as `autoPrint` does).
    private func repl(_ code: String) throws -> String {
        let ip = Interpreter()
        var out = ""
        ip.output = { kind, text in if kind == .stdout { out += text } }
        for line in code.split(separator: "\n") {
            let v = try ip.evaluate(String(line))
            if ip.visible { try ip.autoPrint(v) }
        }
        return out
    }

    @Test func replPrintsDatesAsR() throws {
        #expect(try repl("as.Date(\"2024-03-01\")") == "[1] \"2024-03-01\"\n")
        #expect(try repl("as.POSIXct(\"2024-03-01 10:00:00\", tz = \"UTC\")") == "[1] \"2024-03-01 10:00:00 UTC\"\n")
        #expect(try repl("as.Date(character(0))") == "Date of length 0\n")
    }

    @Test func replPrintsDifftimesThroughTheirMethod() throws {
        #expect(try repl("as.Date(\"2024-03-04\") - as.Date(\"2024-03-01\")") == "Time difference of 3 days\n")
        #expect(try repl("as.Date(c(\"2024-03-04\", \"2024-03-11\")) - as.Date(\"2024-03-01\")")
            == "Time differences in days\n[1]  3 10\n")
    }

    @Test func stringsAreWhatJSONWrites() throws {
        let ip = Interpreter()
        let d = try ip.evaluate("c(as.Date(\"2024-03-01\"), NA)")
        #expect(Time.strings(d) == ["2024-03-01", nil])
        let t = try ip.evaluate("as.POSIXct(c(\"2024-03-01 10:00:00\", \"2024-03-02 00:00:00\"), tz = \"UTC\")")
        #expect(Time.strings(t) == ["2024-03-01 10:00:00", "2024-03-02 00:00:00"])
        #expect(Time.strings(try ip.evaluate("1")) == nil)
    }

    @Test func pasteAndSprintfShowTheDate() throws {
        let ip = Interpreter()
        let v = try ip.evaluate("paste(\"due\", as.Date(\"2024-03-01\") + 1, sprintf(\"(%s)\", as.Date(\"2024-01-01\")))")
        #expect(characterElements(v) == ["due 2024-03-02 (2024-01-01)"])
    }
}
