import Glibc
import Testing
@testable import FnLanguage

/// Hostile source text and events: each must give a value or a clean `FnError`, never a crash, a hang
/// or an exhausted memory. Complements ParserLimitTests, JSONReaderTests and LimitTests, which cover
/// parser nesting, JSON nesting/escapes/UTF-8 and vector limits; the cases here go end to end through
/// `Interpreter.evaluate` and `JSON.parse` (Tests/Fuzz finds new ones; crashes found there land here).
@Suite struct HostileInputTests {
    /// Evaluates raw source bytes in a fresh interpreter: the value as JSON, or the error.
    static func run(_ bytes: [UInt8]) -> Result<String, FnError> {
        let ip = Interpreter()
        ip.output = { _, _ in }
        do {
            let value = try ip.evaluate(SourceFile(name: "<hostile>", bytes: bytes))
            return .success(String(decoding: try JSON.serialize(value), as: UTF8.self))
        } catch {
            return .failure(error)
        }
    }

    static func run(_ text: String) -> Result<String, FnError> { run(Array(text.utf8)) }

    static func error(_ bytes: [UInt8]) -> FnError? {
        if case .failure(let e) = run(bytes) { return e }
        return nil
    }

    static func error(_ text: String) -> FnError? { error(Array(text.utf8)) }

    static func value(_ bytes: [UInt8]) -> String? {
        if case .success(let json) = run(bytes) { return json }
        return nil
    }

    static func value(_ text: String) -> String? { value(Array(text.utf8)) }

    // MARK: Source

    @Test func hundredThousandDeepSourceNestingIsASyntaxError() {
        let n = 100_000
        for (open, close) in [("(", ")"), ("{", "}"), ("list(", ")"), ("x[[", "]]"), ("function() ", "")] {
            let text = String(repeating: open, count: n) + "1" + String(repeating: close, count: n)
            let e = HostileInputTests.error(text)
            #expect(e?.kind == .syntax, "\(open)")
            #expect(e?.message.contains("nested too deeply") == true, "\(open)")
        }
    }

    @Test func fiveMegabyteStringLiteralEvaluates() {
        let big = String(repeating: "abcde", count: 1_000_000)
        let text = "x <- \"\(big)\"; c(nchar(x), substr(x, 4999999, 5000000) == \"de\")"
        #expect(HostileInputTests.value(text) == "[5000000,1]")
        #expect(HostileInputTests.value("nchar(paste0(strrep(\"ab\", 2.5e6), \"\"))") == "5000000")
    }

    @Test func invalidUTF8InSourceNeverCrashes() {
        // Source is checked for UTF-8 before lexing: a bad byte anywhere (string, name, backticks) is a
        // syntax error naming the byte.
        let inString: [UInt8] = [0x78, 0x3C, 0x2D, 0x22, 0x61, 0xFF, 0x62, 0x22]
        for bytes: [UInt8] in [inString, [0xFF], [0xC3, 0x28], [0xED, 0xA0, 0x80], [0x31, 0x2B, 0xF4, 0x90, 0x80, 0x80],
                               [0xE2, 0x82], [0x60, 0xFF, 0x60, 0x20, 0x3C, 0x2D, 0x20, 0x31]] {
            let e = HostileInputTests.error(bytes)
            #expect(e?.kind == .syntax, "\(bytes)")
            #expect(e?.message.contains("invalid UTF-8 byte") == true, "\(bytes): \(e?.message ?? "no error")")
        }
    }

    @Test func loneSurrogateEscapesInSourceAreSyntaxErrors() {
        for text in [#""\ud800""#, #""\uDC00x""#, #""\U0000D800""#, #""\u{dfff}""#] {
            let e = HostileInputTests.error(text)
            #expect(e?.kind == .syntax, "\(text)")
            #expect(e?.message.contains("invalid Unicode code point") == true, "\(text): \(e?.message ?? "no error")")
        }
    }

    @Test func extremeNumbersInSource() {
        #expect(HostileInputTests.value("is.infinite(1e400) && 1e400 > 0") == "true")
        #expect(HostileInputTests.value("identical(1 / -0, -Inf)") == "true")
        #expect(HostileInputTests.value("123456789012345678901234567890") == "1.2345678901234568e+29")
        #expect(HostileInputTests.value("is.double(123456789012345678901234567890L)") == "true")
        #expect(HostileInputTests.value("1e-400 == 0") == "true")
        #expect(HostileInputTests.value("0x" + String(repeating: "F", count: 40)) == "1.461501637330903e+48")
        #expect(HostileInputTests.value("is.infinite(1" + String(repeating: "0", count: 400) + ")") == "true")
    }

    @Test func nulBytesInSource() {
        #expect(HostileInputTests.error(#""a\0b""#)?.message == "nul character not allowed")
        #expect(HostileInputTests.error(#""\x00""#)?.kind == .syntax)
        #expect(HostileInputTests.error(#""\u0000""#)?.kind == .syntax)
        // A raw NUL byte is not a token.
        #expect(HostileInputTests.error("x <- 1\u{0}2")?.kind == .syntax)
        #expect(HostileInputTests.error("\u{0}")?.kind == .syntax)
    }

    @Test func deepRecursionThroughBuiltinsIsALimitError() {
        for text in ["f <- function(n) sapply(1, function(i) f(n + 1)); f(1)",
                     "f <- function(n) do.call(f, list(n + 1)); f(1)",
                     "f <- function(n) tryCatch(f(n + 1), finally = NULL); f(1)",
                     "f <- function(n) Reduce(function(a, b) f(a), 1:2, n); f(1)",
                     "f <- function(n = f()) n; f()",
                     "f <- function(...) f(..., 1); f()"] {
            let e = HostileInputTests.error(text)
            #expect(e?.kind == .limit, "\(text): \(e?.message ?? "no error")")
        }
    }

    @Test func hundredThousandDeepValuesAreBuiltAndFreed() {
        // Values nested deeper than any parser allows, built by a loop: reading, comparing, copying
        // and freeing them must not overflow the stack. They live in a function's frame so they are
        // freed during evaluation, on the interpreter's large stack: a Value is freed recursively, and
        // freeing one this deep on a small thread stack (a test thread) crashes — see Tests/Fuzz/README.md.
        func inFrame(_ body: String) -> String {
            "f <- function() { x <- list(); for (i in 1:100000) x <- list(x); \(body) }; f()"
        }
        #expect(HostileInputTests.value(inFrame("c(length(x), length(x[[1]]))")) == "[1,1]")
        #expect(HostileInputTests.value(inFrame("identical(x, x)")) == "true")
        #expect(HostileInputTests.value(inFrame("y <- x; y[[1]] <- 2; identical(x, y)")) == "false")
        #expect(HostileInputTests.value(inFrame("x <- NULL; 1")) == "1")
        #expect(HostileInputTests.value(inFrame("length(unlist(x))")) == "0")
    }

    @Test func repeatWithAnEmptyBodyStopsAtTheDeadline() {
        let ip = Interpreter()
        ip.output = { _, _ in }
        let deadline = Deadline(after: 50, flag: ip.cancellation)
        var error: FnError?
        do { _ = try ip.evaluate("repeat {}") } catch let e { error = e }
        deadline.join()
        #expect(error?.kind == .cancelled)
        // The same interpreter runs the next program once the flag is reset.
        ip.cancellation.reset()
        #expect((try? ip.evaluate("1L")).flatMap { try? JSON.serialize($0) } == Array("1".utf8))
        let again = Deadline(after: 50, flag: ip.cancellation)
        error = nil
        do { _ = try ip.evaluate("while (TRUE) NULL") } catch let e { error = e }
        again.join()
        #expect(error?.kind == .cancelled)
    }

    /// Found by the eval fuzz target (an out-of-memory): `print(1234:67890123)` built a 1.2 GB string.
    /// R stops at `getOption("max.print")` (99,999 entries); fn must too, or one print in a handler
    /// exhausts a Lambda's memory.
    @Test func printOfAHugeVectorStopsAtMaxPrint() throws {
        let ip = Interpreter()
        var out = ""
        ip.output = { kind, text in if kind == .stdout { out += text } }
        _ = try ip.evaluate("print(1:1e6)")
        #expect(out.utf8.count < 1_000_000, "print(1:1e6) wrote \(out.utf8.count) bytes")
        #expect(out.hasSuffix(" [ reached getOption(\"max.print\") -- omitted 900001 entries ]\n"))
    }

    @Test func hugeVectorsFailWithoutAllocating() {
        for text in ["1:1e9", "x <- 1:1e9", "sum(1:1e9)", "seq(1, 1e9)", "rep(\"a\", 1e9)", "character(1e9)",
                     "vector(\"list\", 1e9)", "x <- 1:10; x[1e9] <- 1L", "strrep(\"x\", 1e9)"] {
            let e = HostileInputTests.error(text)
            #expect(e?.kind == .limit, "\(text): \(e?.message ?? "no error")")
        }
    }

    // MARK: Events (JSON)

    @Test func hundredThousandDeepEventIsAJSONError() {
        for (open, close) in [("[", "]"), ("{\"a\":", "}")] {
            let text = String(repeating: open, count: 100_000) + "1" + String(repeating: close, count: 100_000)
            #expect(throws: FnError.self) { try JSON.parse(Array(text.utf8)) }
        }
    }

    @Test func eventNumbers() throws {
        let v = try JSON.parse(Array(#"[1e400, -0, 123456789012345678901234567890, -1e400, 2147483648]"#.utf8))
        guard case .vector(let vector) = v, case .double(let d) = vector.storage else {
            Issue.record("not a double vector: \(v)")
            return
        }
        #expect(d.count == 5)
        #expect(d[0] == .infinity && d[3] == -.infinity)
        #expect(d[1] == 0)
        #expect(d[2] == 1.2345678901234568e29 && d[4] == 2147483648)
        // Reading Inf is allowed; writing it back is a clean serialization error.
        #expect(throws: FnError.self) { try JSON.serialize(v) }
    }

    @Test func eventStringsWithNULAndSurrogates() throws {
        #expect(throws: FnError.self) { try JSON.parse(Array(#"{"a":"x\u0000y"}"#.utf8)) }
        #expect(throws: FnError.self) { try JSON.parse([0x7B, 0x22, 0x61, 0x22, 0x3A, 0x00, 0x7D]) }
        let v = try JSON.parse(Array(#"{"a":"\udc00\ud800","a":"\ud83d\ude00"}"#.utf8))
        let written = String(decoding: try JSON.serialize(v), as: UTF8.self)
        // Duplicate keys are read in order and written as jsonlite does, made unique.
        #expect(written == "{\"a\":\"\u{FFFD}\u{FFFD}\",\"a.1\":\"😀\"}")
    }

    /// Found by the json fuzz target: reading and writing is not a fixed point, by design (jsonlite's
    /// rules), so each round may normalise; it must still always read back.
    @Test func eventRoundTripsNormaliseLikeJsonlite() throws {
        func round(_ text: String) throws -> String {
            String(decoding: try JSON.serialize(try JSON.parse(Array(text.utf8))), as: UTF8.self)
        }
        #expect(try round("-1e-400") == "-0")
        #expect(try round("-0") == "0")
        // Arrays of one-element arrays are arrays (dim 1×1×1×1), written back as they were (jsonlite).
        #expect(try round("[[[[[true]]]]]") == "[[[[[true]]]]]")
        #expect(try round("[[[1,2]],[3]]") == "[[[1,2]],3]")
    }
}

/// Cancels an interpreter after a delay from another thread, as the runtime does at a deadline.
private final class Deadline {
    private var thread = pthread_t()
    private let milliseconds: UInt32
    private let flag: CancellationFlag

    init(after milliseconds: UInt32, flag: CancellationFlag) {
        self.milliseconds = milliseconds
        self.flag = flag
        let unmanaged = Unmanaged.passRetained(self)
        pthread_create(&thread, nil, { raw in
            let me = Unmanaged<Deadline>.fromOpaque(raw!).takeRetainedValue()
            usleep(me.milliseconds * 1000)
            me.flag.cancel()
            return nil
        }, unmanaged.toOpaque())
    }

    func join() { pthread_join(thread, nil) }
}
