import Testing
@testable import FnLanguage

/// Golden `.fn` scripts: expected stdout, stderr and errors written in the scripts themselves
/// (format in Golden/README.md), checked against fn and against GNU R.
@Suite struct GoldenTests {
    static let directory = OracleSupport.directory(of: #filePath) + "/Golden"
    static let files = OracleSupport.listDirectory(directory, suffix: ".fn")

    @Test func thereAreGoldenFiles() {
        #expect(Self.files.count >= 20)
    }

    @Test(arguments: files) func scriptBehavesAsExpected(_ file: String) throws {
        let golden = try GoldenFile(path: Self.directory + "/" + file, name: file)
        let interpreter = Interpreter()
        var stdout = ""
        var stderr = ""
        interpreter.output = { kind, text in
            if kind == .stdout { stdout += text } else { stderr += text }
        }
        var failure: FnError?
        do throws(FnError) {
            _ = try interpreter.evaluate(golden.source, name: file)
        } catch {
            failure = error
        }
        #expect(stdout == golden.expectedStdout, "stdout of \(file)")
        #expect(stderr == golden.expectedStderr, "stderr of \(file)")
        switch (golden.expectedError, failure) {
        case (nil, nil):
            break
        case (nil, let error?):
            Issue.record("\(file) failed unexpectedly: \(error)")
        case (let expected?, nil):
            Issue.record("\(file) should fail at \(expected.location) with /\(expected.pattern)/ but did not")
        case (let expected?, let error?):
            #expect(error.location == expected.location, "error location in \(file): \(error)")
            let regex = try Regex(expected.pattern)
            #expect(error.message.contains(regex), "error message in \(file): \(error.message)")
            var remaining = error.stackTrace[...]
            for frame in expected.trace {
                guard let at = remaining.firstIndex(of: frame) else {
                    Issue.record("\(file): stack trace \(error.stackTrace) lacks \(frame) (in this order)")
                    break
                }
                remaining = remaining[(at + 1)...]
            }
        }
    }

    /// Keeps the expectations honest: they must be what GNU R prints for the same script.
    @Test(arguments: files) func goldenOutputIsWhatRPrints(_ file: String) throws {
        let golden = try GoldenFile(path: Self.directory + "/" + file, name: file)
        if golden.fnOnly { return }
        let probe = OracleSupport.run(["Rscript", "--version"])
        try #require(
            probe.status == 0,
            "Rscript is required to check the golden files: apt-get install -y r-base-core r-cran-jsonlite")
        let path = Self.directory + "/" + file
        let stdout = OracleSupport.run(["Rscript", "--vanilla", path], stdoutOnly: true)
        #expect(stdout.output == golden.expectedStdout, "R's stdout for \(file)")
        if let expected = golden.expectedError {
            let all = OracleSupport.run(["Rscript", "--vanilla", path])
            #expect(all.status != 0, "R does not fail on \(file)")
            if !golden.rErrorDiffers {
                let regex = try Regex(expected.pattern)
                #expect(all.output.contains(regex), "R's error for \(file): \(all.output)")
            }
        } else {
            #expect(stdout.status == 0, "R fails on \(file)")
            let both = OracleSupport.run(["Rscript", "--vanilla", path])
            // Combined output minus stdout leaves stderr when the two do not interleave; the
            // scripts that write to both keep stderr lines apart from stdout ones.
            let stderrLines = golden.expectedStderr.split(separator: "\n", omittingEmptySubsequences: false)
            for line in stderrLines where !line.isEmpty {
                #expect(both.output.contains(line), "R's stderr for \(file) lacks \(line)")
            }
        }
    }
}

/// A golden script and the expectations read from its comment lines.
struct GoldenFile {
    struct ExpectedError {
        var location: String
        var pattern: String
        var trace: [String]
    }

    var source: String
    var expectedStdout = ""
    var expectedStderr = ""
    var expectedError: ExpectedError?
    var fnOnly = false
    var rErrorDiffers = false

    init(path: String, name: String) throws {
        source = try OracleSupport.readFile(path)
        var trace: [String] = []
        for raw in source.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = String(raw)
            if line == "#>" {
                expectedStdout += "\n"
            } else if line.hasPrefix("#> ") {
                expectedStdout += line.dropFirst(3) + "\n"
            } else if line == "#2>" {
                expectedStderr += "\n"
            } else if line.hasPrefix("#2> ") {
                expectedStderr += line.dropFirst(4) + "\n"
            } else if line.hasPrefix("### trace: ") {
                trace.append(String(line.dropFirst(11)))
            } else if line.hasPrefix("### ") {
                let rest = line.dropFirst(4)
                guard let space = rest.firstIndex(of: " ") else {
                    throw OracleSupport.Failure("\(name): expected `### L:C \"regex\"`, got \(line)")
                }
                var pattern = rest[rest.index(after: space)...].trimmingSpaces
                if pattern.count >= 2, pattern.hasPrefix("\""), pattern.hasSuffix("\"") {
                    pattern = String(pattern.dropFirst().dropLast())
                }
                expectedError = ExpectedError(location: "\(name):\(rest[..<space])", pattern: pattern, trace: [])
            } else if line.hasPrefix("## fn-only:") {
                fnOnly = true
            } else if line.hasPrefix("## R error differs:") {
                rErrorDiffers = true
            }
        }
        expectedError?.trace = trace
        if !trace.isEmpty && expectedError == nil {
            throw OracleSupport.Failure("\(name): `### trace:` lines without a `### L:C \"regex\"` line")
        }
    }
}

extension Substring {
    fileprivate var trimmingSpaces: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
