import Testing
import FnLanguage

/// The builtins that can run for seconds on large vectors (sorting, pasting) look at the
/// invocation's cancellation flag as they go, so a deadline stops them, not only the next call or
/// loop iteration after them.
@Suite struct LongBuiltinDeadlineTests {
    /// The flag is set before the call and nothing but the builtin runs: only the builtin can notice.
    @Test(arguments: ["sort(x)", "sort(c('b', 'a'), decreasing = TRUE)", "order(x, -x)", "paste(x)",
                      "paste0('a', x, collapse = '')",
                      "toJSON(list(a = x, b = x))"])
    func aCancelledInvocationStopsInsideTheBuiltin(call: String) throws {
        let ip = Interpreter()
        _ = try ip.evaluate("x <- c(3, 1, 2)")
        ip.cancellation.cancel()
        do {
            let value = try ip.evaluate(call)
            Issue.record("\(call) finished despite the cancellation: \(value)")
        } catch {
            #expect(error.kind == .cancelled, "\(call): \(error)")
        }
        ip.cancellation.reset()
        let again = try JSON.serialize(try ip.evaluate("paste(sort(x), collapse = ' ')"))
        #expect(String(decoding: again, as: UTF8.self) == #""1 2 3""#)
    }
}
