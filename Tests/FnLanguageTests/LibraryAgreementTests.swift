import Testing
@testable import FnLanguage

/// Every library expression's JSON must equal what GNU R and jsonlite produce for it.
@Suite struct LibraryAgreementTests {
    @Test(arguments: libraryAgreementCases)
    func agreesWithR(_ testCase: (String, String)) {
        let (expression, expected) = testCase
        let ip = Interpreter()
        ip.output = { _, _ in }
        do {
            let v = try ip.evaluate(expression)
            let json = String(decoding: try JSON.serialize(v), as: UTF8.self)
            #expect(json == expected, "\(expression)")
        } catch {
            #expect("ERROR: " + error.message == expected, "\(expression)")
        }
    }
}
