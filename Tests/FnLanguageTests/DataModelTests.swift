import Testing
@testable import FnLanguage

/// Attributes, matrices, factors and S3 dispatch as seen from Swift: the value model's
/// invariants and the REPL's printing, which the R-agreement cases cannot reach.
@Suite struct DataModelTests {
    private func json(_ code: String) throws -> String {
        let ip = Interpreter()
        ip.output = { _, _ in }
        return String(decoding: try JSON.serialize(try ip.evaluate(code)), as: UTF8.self)
    }

    @Test func onlyPlainLengthOneVectorsAreInlined() {
        if case .double = Value(Vector(.double([1]))) {} else { Issue.record("a plain scalar is inline") }
        let withAttribute = Vector(.double([1]), names: nil, attributes: AttributeList([("a", .double(2))]))
        if case .vector = Value(withAttribute) {} else { Issue.record("a scalar with an attribute stays a vector") }
        if case .vector = Value(Vector(.double([1]), names: ["x"])) {} else { Issue.record("a named scalar stays a vector") }
    }

    @Test func removingTheLastAttributeLeavesNone() throws {
        var x = Value(Vector(.integer([1, 2])))
        try Attributes.set(&x, "a", .double(1))
        try Attributes.set(&x, "a", .null)
        #expect(x.attributes == nil)
    }

    @Test func classesIsAViewOfTheAttributeList() {
        var v = Vector(.integer([1, 2]))
        v.classes = ["foo"]
        #expect(v.attributes?["class"].flatMap { $0.storage?.strings() } == ["foo"])
        v.classes = nil
        #expect(v.attributes == nil)
    }

    @Test func matricesAreWrittenRowMajor() throws {
        #expect(try json("matrix(1:6, 2)") == "[[1,3,5],[2,4,6]]")
        #expect(try json("matrix(1, 1)") == "[[1]]")
        #expect(try json("list(m = diag(2))") == "{\"m\":[[1,0],[0,1]]}")
        #expect(try json("array(1:8, c(2, 2, 2))") == "[[[1,5],[3,7]],[[2,6],[4,8]]]")
    }

    @Test func factorsAreWrittenAsTheirLevels() throws {
        #expect(try json("factor(c(\"b\", NA, \"a\"))") == "[\"b\",null,\"a\"]")
    }

    @Test func autoPrintCallsThePrintMethod() throws {
        let ip = Interpreter()
        var out = ""
        ip.output = { _, text in out += text }
        let v = try ip.evaluate("print.foo <- function(x, ...) cat(\"a foo\\n\"); structure(1, class = \"foo\")")
        try ip.autoPrint(v)
        #expect(out == "a foo\n")
        out = ""
        try ip.autoPrint(try ip.evaluate("list(a = structure(1, class = \"foo\"))"))
        #expect(out == "$a\na foo\n\n")
        out = ""
        try ip.autoPrint(try ip.evaluate("matrix(1:4, 2)"))
        #expect(out == "     [,1] [,2]\n[1,]    1    3\n[2,]    2    4\n")
    }

    @Test func nextMethodOutsideAMethodIsAnError() {
        #expect(throws: FnError.self) { try capturedOutput("f <- function(x) NextMethod(); f(1)") }
        #expect(throws: FnError.self) { try capturedOutput("UseMethod(\"f\")") }
    }

    @Test(arguments: [
        "diag(-1)", "matrix(0, 1e6, 1e6)", "array(0, c(1e5, 1e5))", "array(1:3, c(2, NA))", "outer(1:1e5, 1:1e5)",
        "x <- integer(0); dim(x) <- c(0, 1e300)", "aperm(array(1:8, c(2, 2, 2)), c(NA, 1, 2))",
        "sweep(matrix(1:4, 2), 1, numeric(0))", "m <- matrix(1:4, 2); m[cbind(1e300, 1)]",
    ])
    func hostileShapesAreErrors(_ code: String) {
        #expect(throws: FnError.self, "\(code)") { try capturedOutput(code) }
    }

    @Test func handMadeFactorCodesOutsideTheLevelsAreNA() throws {
        let ip = Interpreter()
        let v = try ip.evaluate("f <- structure(c(5L, 1L), levels = \"a\", class = \"factor\"); levels(f) <- \"b\"; as.character(f)")
        #expect(String(decoding: try JSON.serialize(v), as: UTF8.self) == "[null,\"b\"]")
    }
}
