import Testing
@testable import FnLanguage

@Suite struct ValueTests {
    @Test func scalarFormIsChosen() {
        if case .double(let d) = Value(Vector(.double([2.5]))) { #expect(d == 2.5) } else { Issue.record("not scalar") }
        #expect(Value(Vector(.double([1, 2]))).length == 2)
    }
}
