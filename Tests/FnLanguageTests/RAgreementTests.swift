import Glibc
import Testing
@testable import FnLanguage

/// fn against GNU R: every case in RAgreement/cases.txt must produce the JSON R produced
/// (RAgreement/fixture.jsonl, written by generate.R), or be listed in RAgreement/differences.md.
@Suite struct RAgreementTests {
    static let directory = OracleSupport.directory(of: #filePath) + "/RAgreement"

    @Test func casesAgreeWithR() throws {
        let cases = try RCase.loadFixture(Self.directory + "/fixture.jsonl")
        let listed = try KnownDifferences.load(Self.directory + "/differences.md")
        #expect(cases.count >= 350)

        var tally: [(area: String, agree: Int, listed: Int, unexpected: Int)] = []
        var unexpected: [String] = []
        var nowAgreeing: [String] = []
        for rCase in cases {
            let verdict = rCase.runInFn()
            if tally.last?.area != rCase.area { tally.append((rCase.area, 0, 0, 0)) }
            let isListed = listed.names.contains(rCase.name)
            switch (verdict, isListed) {
            case (nil, false):
                tally[tally.count - 1].agree += 1
            case (nil, true):
                tally[tally.count - 1].agree += 1
                nowAgreeing.append(rCase.name)
            case (.some, true):
                tally[tally.count - 1].listed += 1
            case (.some(let reason), false):
                tally[tally.count - 1].unexpected += 1
                unexpected.append("\(rCase.name)\n    \(reason)")
            }
        }

        var report = "R agreement: \(cases.count) cases\n| area | cases | agree | listed differences | disagree |\n"
        report += "|---|---:|---:|---:|---:|\n"
        for row in tally {
            report += "| \(row.area) | \(row.agree + row.listed + row.unexpected) | \(row.agree) | \(row.listed) | "
            report += "\(row.unexpected) |\n"
        }
        let total = tally.reduce((0, 0, 0)) { ($0.0 + $1.agree, $0.1 + $1.listed, $0.2 + $1.unexpected) }
        report += "| total | \(cases.count) | \(total.0) | \(total.1) | \(total.2) |\n"
        print(report)
        if !unexpected.isEmpty {
            print("Disagreements not listed in differences.md:\n" + unexpected.joined(separator: "\n"))
        }

        #expect(unexpected.count == 0, "cases disagree with R; see the list printed above")
        #expect(nowAgreeing.count == 0, "listed in differences.md but agreeing with R now: \(nowAgreeing)")
        let known = Set(cases.map(\.name))
        let stale = listed.names.filter { !known.contains($0) }.sorted()
        #expect(stale.count == 0, "differences.md names cases that are not in the fixture: \(stale)")
    }

    /// The fixture must be what generate.R writes today, so nobody edits expectations by hand.
    @Test func fixtureIsCurrent() throws {
        let rscript = OracleSupport.run(["Rscript", "--version"])
        try #require(
            rscript.status == 0,
            "Rscript is required to check the R fixture: apt-get install -y r-base-core r-cran-jsonlite")
        let fresh = OracleSupport.temporaryPath("fixture.jsonl")
        defer { unlink(fresh) }
        let run = OracleSupport.run(
            ["Rscript", Self.directory + "/generate.R", Self.directory + "/cases.txt", fresh])
        try #require(run.status == 0, "generate.R failed:\n\(run.output)")
        let committed = try OracleSupport.readFile(Self.directory + "/fixture.jsonl")
        let regenerated = try OracleSupport.readFile(fresh)
        if committed != regenerated {
            let a = committed.split(separator: "\n", omittingEmptySubsequences: false)
            let b = regenerated.split(separator: "\n", omittingEmptySubsequences: false)
            let line = (0..<min(a.count, b.count)).first { a[$0] != b[$0] } ?? min(a.count, b.count)
            Issue.record(
                """
                fixture.jsonl is stale; run Tests/FnLanguageTests/RAgreement/generate and commit it.
                first difference at line \(line + 1):
                committed:   \(line < a.count ? String(a[line]) : "<end>")
                regenerated: \(line < b.count ? String(b[line]) : "<end>")
                """)
        }
    }

    @Test func comparisonToleratesOnlyRoundingToFifteenDigits() throws {
        let r = try TestJSON.parse("[0.333333333333333, 9.00719925474099e+15, 1e-300]")
        let fn = try TestJSON.parse("[0.3333333333333333, 9007199254740993, 1e-300]")
        #expect(TestJSON.difference(r, fn) == nil)
        let off = try TestJSON.parse("[0.333333333333334, 9.00719925474099e+15, 1e-300]")
        #expect(TestJSON.difference(off, fn) != nil)
        #expect(TestJSON.difference(try TestJSON.parse(#"{"a":1,"b":2}"#), try TestJSON.parse(#"{"b":2,"a":1}"#)) != nil)
        #expect(TestJSON.difference(try TestJSON.parse("[1,null]"), try TestJSON.parse("[1,null]")) == nil)
        #expect(TestJSON.difference(try TestJSON.parse("\"\\u00e9\\ud83d\\ude00\""), .string("é😀")) == nil)
    }
}

/// One case of the fixture and what R made of it.
struct RCase {
    var name: String
    var code: String
    var area: String { String(name.prefix { $0 != ":" }) }
    /// R's result as parsed JSON, or nil when R signalled an error.
    var value: TestJSON?
    var error: String?
    var compareMessage: Bool
    var stdout: String
    var warnings: [String]

    static func loadFixture(_ path: String) throws -> [RCase] {
        let text = try OracleSupport.readFile(path)
        var cases: [RCase] = []
        for line in text.split(separator: "\n") {
            guard case .object(let fields) = try TestJSON.parse(String(line)) else {
                throw OracleSupport.Failure("fixture line is not an object: \(line.prefix(80))")
            }
            func field(_ key: String) -> TestJSON? { fields.first { $0.0 == key }?.1 }
            guard case .string(let name)? = field("name"), case .string(let code)? = field("code") else {
                throw OracleSupport.Failure("fixture line without name/code: \(line.prefix(80))")
            }
            var rCase = RCase(
                name: name, code: code, value: field("value"), error: nil,
                compareMessage: field("compareMessage") == .bool(true), stdout: "", warnings: [])
            if case .string(let message)? = field("error") { rCase.error = message }
            if case .string(let out)? = field("stdout") { rCase.stdout = out }
            if case .array(let ws)? = field("warnings") {
                rCase.warnings = ws.compactMap { if case .string(let s) = $0 { return s } else { return nil } }
            }
            cases.append(rCase)
        }
        return cases
    }

    /// Evaluates the case with a fresh fn interpreter; nil when fn agrees with R, else the reason.
    func runInFn() -> String? {
        let interpreter = Interpreter()
        var stdout = ""
        var stderr = ""
        interpreter.output = { kind, text in
            if kind == .stdout { stdout += text } else { stderr += text }
        }
        let result: Result<Value, FnError>
        do throws(FnError) {
            result = .success(try interpreter.evaluate(code, name: "case"))
        } catch {
            result = .failure(error)
        }

        if let rError = error {
            switch result {
            case .success(let value):
                let json = (try? JSON.serialize(value)).map { String(decoding: $0, as: UTF8.self) } ?? "<no JSON>"
                return "R errors (\(rError)) but fn returned \(json)"
            case .failure(let fnError):
                if compareMessage && fnError.message != rError {
                    return "error message: R \"\(rError)\", fn \"\(fnError.message)\""
                }
                return nil
            }
        }

        let value: Value
        switch result {
        case .failure(let fnError):
            return "fn error: \(fnError.message)"
        case .success(let v):
            value = v
        }
        let fnJSON: TestJSON
        do {
            let bytes = try JSON.serialize(value)
            fnJSON = try TestJSON.parse(String(decoding: bytes, as: UTF8.self))
        } catch {
            return "fn value has no JSON form: \(error)"
        }
        guard let rValue = self.value else { return "fixture has neither value nor error" }
        if let difference = TestJSON.difference(rValue, fnJSON) {
            return "value: R \(rValue.text), fn \(fnJSON.text) (\(difference))"
        }
        // capture.output in R ends every line with a newline, including an unterminated last one.
        let fnOut = stdout.isEmpty || stdout.hasSuffix("\n") ? stdout : stdout + "\n"
        if fnOut != self.stdout {
            return "stdout: R \(String(reflecting: self.stdout)), fn \(String(reflecting: stdout))"
        }
        // fn reports warnings on stderr R-style after each top-level call ("Warning message:\nIn f() :
        // msg"); R's message must appear there, and without R warnings fn's stderr must stay empty.
        let fnStderr = stderr + interpreter.takeWarnings().map { $0 + "\n" }.joined()
        for warning in warnings where !fnStderr.contains(warning) {
            return "R warns \"\(warning)\"; fn stderr: \(String(reflecting: fnStderr))"
        }
        if warnings.isEmpty && !fnStderr.isEmpty {
            return "R writes nothing to stderr; fn: \(String(reflecting: fnStderr))"
        }
        return nil
    }
}

/// The cases fn deliberately answers differently from R: differences.md lists each case name on
/// its own line indented by four spaces, under a heading that gives the reason.
struct KnownDifferences {
    var names: Set<String>

    static func load(_ path: String) throws -> KnownDifferences {
        let text = try OracleSupport.readFile(path)
        var names = Set<String>()
        for line in text.split(separator: "\n") where line.hasPrefix("    ") {
            names.insert(String(line.dropFirst(4)))
        }
        return KnownDifferences(names: names)
    }
}

/// A parsed JSON document for comparing R's and fn's output; key order is kept.
enum TestJSON: Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([TestJSON])
    case object([(String, TestJSON)])

    static func == (a: TestJSON, b: TestJSON) -> Bool { difference(a, b) == nil && difference(b, a) == nil }

    /// Where `a` and `b` differ, or nil. Numbers are equal when they agree to 15 significant digits,
    /// because jsonlite (`digits = NA`) writes 15 and fn writes the shortest round-trip form.
    static func difference(_ a: TestJSON, _ b: TestJSON, at path: String = "$") -> String? {
        switch (a, b) {
        case (.null, .null):
            return nil
        case (.bool(let x), .bool(let y)):
            return x == y ? nil : "\(path) differs"
        case (.number(let x), .number(let y)):
            if x == y { return nil }
            // Rounding to 15 significant digits moves a number by at most half a unit in the 15th digit.
            let halfUnit = 0.5 * pow(10, floor(log10(max(abs(x), abs(y)))) - 14)
            return abs(x - y) <= halfUnit * (1 + 1e-9) ? nil : "\(path): \(x) vs \(y)"
        case (.string(let x), .string(let y)):
            return x == y ? nil : "\(path) differs"
        case (.array(let xs), .array(let ys)):
            if xs.count != ys.count { return "\(path): length \(xs.count) vs \(ys.count)" }
            for (i, (x, y)) in zip(xs, ys).enumerated() {
                if let d = difference(x, y, at: "\(path)[\(i)]") { return d }
            }
            return nil
        case (.object(let xs), .object(let ys)):
            if xs.map(\.0) != ys.map(\.0) { return "\(path): keys \(xs.map(\.0)) vs \(ys.map(\.0))" }
            for ((key, x), (_, y)) in zip(xs, ys) {
                if let d = difference(x, y, at: "\(path).\(key)") { return d }
            }
            return nil
        default:
            return "\(path): different kinds"
        }
    }

    /// Compact JSON text, for messages.
    var text: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .number(let d): return d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : "\(d)"
        case .string(let s): return String(reflecting: s)
        case .array(let xs): return "[" + xs.map(\.text).joined(separator: ",") + "]"
        case .object(let kvs): return "{" + kvs.map { String(reflecting: $0.0) + ":" + $0.1.text }.joined(separator: ",") + "}"
        }
    }

    static func parse(_ text: String) throws -> TestJSON {
        var parser = Parser(bytes: Array(text.utf8))
        let value = try parser.value()
        parser.skipSpace()
        guard parser.i == parser.bytes.count else { throw parser.failure("trailing text") }
        return value
    }

    private struct Parser {
        var bytes: [UInt8]
        var i = 0

        func failure(_ what: String) -> OracleSupport.Failure {
            OracleSupport.Failure("bad JSON at byte \(i): \(what): \(String(decoding: bytes, as: UTF8.self).prefix(120))")
        }

        mutating func skipSpace() {
            while i < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[i]) { i += 1 }
        }

        mutating func expect(_ literal: String) throws {
            for b in literal.utf8 {
                guard i < bytes.count, bytes[i] == b else { throw failure("expected \(literal)") }
                i += 1
            }
        }

        mutating func value() throws -> TestJSON {
            skipSpace()
            guard i < bytes.count else { throw failure("unexpected end") }
            switch bytes[i] {
            case UInt8(ascii: "n"): try expect("null"); return .null
            case UInt8(ascii: "t"): try expect("true"); return .bool(true)
            case UInt8(ascii: "f"): try expect("false"); return .bool(false)
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "["):
                i += 1
                var items: [TestJSON] = []
                skipSpace()
                if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
                while true {
                    items.append(try value())
                    skipSpace()
                    guard i < bytes.count else { throw failure("unterminated array") }
                    if bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
                    try expect(",")
                }
            case UInt8(ascii: "{"):
                i += 1
                var fields: [(String, TestJSON)] = []
                skipSpace()
                if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return .object(fields) }
                while true {
                    skipSpace()
                    let key = try string()
                    skipSpace()
                    try expect(":")
                    fields.append((key, try value()))
                    skipSpace()
                    guard i < bytes.count else { throw failure("unterminated object") }
                    if bytes[i] == UInt8(ascii: "}") { i += 1; return .object(fields) }
                    try expect(",")
                }
            default:
                let start = i
                while i < bytes.count, "+-0123456789.eE".utf8.contains(bytes[i]) { i += 1 }
                guard let d = Double(String(decoding: bytes[start..<i], as: UTF8.self)) else {
                    throw failure("bad number")
                }
                return .number(d)
            }
        }

        mutating func hex4() throws -> UInt32 {
            guard i + 4 <= bytes.count, let v = UInt32(String(decoding: bytes[i..<i + 4], as: UTF8.self), radix: 16)
            else { throw failure("bad \\u escape") }
            i += 4
            return v
        }

        mutating func string() throws -> String {
            try expect("\"")
            var out: [UInt8] = []
            while true {
                guard i < bytes.count else { throw failure("unterminated string") }
                let b = bytes[i]
                i += 1
                if b == UInt8(ascii: "\"") { break }
                guard b == UInt8(ascii: "\\") else { out.append(b); continue }
                guard i < bytes.count else { throw failure("unterminated escape") }
                let e = bytes[i]
                i += 1
                switch e {
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800..<0xDC00).contains(scalar) {
                        try expect("\\u")
                        let low = try hex4()
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let u = Unicode.Scalar(scalar) else { throw failure("bad code point") }
                    out.append(contentsOf: Array(String(Character(u)).utf8))
                default: out.append(e)
                }
            }
            return String(decoding: out, as: UTF8.self)
        }
    }
}

/// File, process and path helpers shared by the oracle suites (R agreement and golden cases).
enum OracleSupport {
    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// The directory holding a source file, from `#filePath`.
    static func directory(of filePath: String) -> String {
        String(filePath[..<(filePath.lastIndex(of: "/") ?? filePath.endIndex)])
    }

    static func readFile(_ path: String) throws -> String {
        String(decoding: try Files.read(path).get(), as: UTF8.self)
    }

    /// The names in a directory that end in `suffix`, sorted.
    static func listDirectory(_ path: String, suffix: String) -> [String] {
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name.hasSuffix(suffix) { names.append(name) }
        }
        return names.sorted()
    }

    static func temporaryPath(_ name: String) -> String {
        "/tmp/fn-oracle-\(getpid())-\(UInt32.random(in: 0...UInt32.max))-\(name)"
    }

    /// Runs a program found on PATH and returns its exit status with stdout and stderr combined
    /// (status 127 when it cannot be started).
    static func run(_ argv: [String], stdoutOnly: Bool = false) -> (status: Int32, output: String) {
        var pipeFDs: [Int32] = [0, 0]
        guard pipe(&pipeFDs) == 0 else { return (127, "pipe failed") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addclose(&actions, pipeFDs[0])
        posix_spawn_file_actions_adddup2(&actions, pipeFDs[1], 1)
        if stdoutOnly {
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        } else {
            posix_spawn_file_actions_adddup2(&actions, pipeFDs[1], 2)
        }
        posix_spawn_file_actions_addclose(&actions, pipeFDs[1])
        var cArgs = argv.map { strdup($0) } + [nil]
        defer { for p in cArgs { free(p) } }
        var pid: pid_t = 0
        let spawned = posix_spawnp(&pid, argv[0], &actions, nil, &cArgs, environ)
        close(pipeFDs[1])
        defer { close(pipeFDs[0]) }
        guard spawned == 0 else { return (127, "cannot start \(argv[0])") }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(pipeFDs[0], &buffer, buffer.count)
            if n <= 0 { break }
            bytes.append(contentsOf: buffer[0..<n])
        }
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        let exitCode = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return (exitCode, String(decoding: bytes, as: UTF8.self))
    }
}
