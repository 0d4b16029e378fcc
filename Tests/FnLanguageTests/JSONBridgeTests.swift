import Testing
@testable import FnLanguage

/// The bridge's two directions as the seed runtime has them: `fromJSON(body)` with jsonlite's
/// defaults in, `toJSON(result, auto_unbox = TRUE)` (full precision) out.
@Suite struct JSONBridgeTests {
    private func result(_ code: String) throws -> String {
        let ip = Interpreter()
        return String(decoding: try JSON.encodeResult(try ip.evaluate(code)), as: UTF8.self)
    }

    @Test func resultsAreWrittenAsToJSONWithAutoUnbox() throws {
        #expect(try result("NULL") == "{}")
        #expect(try result("list(a = NULL, b = NA, c = NA_real_, d = NA_character_)")
            == #"{"a":{},"b":null,"c":"NA","d":null}"#)
        #expect(try result("c(1/0, -1/0, 0/0)") == #"["Inf","-Inf","NaN"]"#)
        #expect(try result("0.1 + 0.2") == "0.30000000000000004")
        #expect(try result("as.Date(\"2024-03-01\") - 1") == #""2024-02-29""#)
        #expect(try result("factor(c(\"b\", \"a\"))") == #"["b","a"]"#)
        #expect(try result("matrix(1:4, 2)") == "[[1,3],[2,4]]")
    }

    @Test func dataFramesAreRowsWithoutTheirNAFields() throws {
        let df = #"fromJSON('[{"a":1,"b":"x","c":{"d":true}},{"a":null,"b":"y"}]')"#
        #expect(try result(df) == #"[{"a":1,"b":"x","c":{"d":true}},{"b":"y","c":{}}]"#)
    }

    @Test func recordArraysBecomeDataFrames() throws {
        let v = try JSON.parse(Array(#"{"Records":[{"body":"a","n":1},{"body":"b"}]}"#.utf8))
        guard case .list(let event) = v, let records = event.element(named: "Records") else {
            Issue.record("no Records")
            return
        }
        #expect(DataFrame.isDataFrame(records))
        #expect(DataFrame.rowCount(records) == 2)
        guard case .list(let columns) = records else { return }
        #expect(columns.names == ["body", "n"])
        #expect(columns.elements[0].storage?.strings() == ["a", "b"])
        #expect(columns.elements[1].storage?.integers() == [1, NA.integer])
    }

    @Test func handlerToJSONHasJsonlitesDefaults() throws {
        let ip = Interpreter()
        let v = try ip.evaluate("toJSON(list(x = pi, y = c(1, NA), z = \"s\"))")
        #expect(v.storage?.strings() == [#"{"x":[3.1416],"y":[1,"NA"],"z":["s"]}"#])
        #expect(v.classAttribute == ["json"])
    }
}
