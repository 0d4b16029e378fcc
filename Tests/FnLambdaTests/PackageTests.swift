import Glibc
import Testing

/// `fn package` run as a process, its zip read back by Python's `zipfile` (a reader that is not ours).
@Suite struct PackageTests {
    /// Runs `fn package ARGUMENTS` in `directory`; returns the exit code and stdout+stderr.
    static func fnPackage(_ arguments: [String], in directory: String) throws -> (Int32, String) {
        let quoted = arguments.map { "'\($0)'" }.joined(separator: " ")
        return try Subprocess.shell("cd '\(directory)' && unset LAMBDA_TASK_ROOT && '\(fnExecutable)' package \(quoted)")
    }

    /// Extracts `zip` into `directory` with Python's zipfile, applying each entry's Unix mode as
    /// Lambda does, and returns one line per entry: `name mode size` (mode in octal).
    static func unpack(_ zip: String, into directory: String) throws -> [String] {
        let script = """
            import os, sys, zipfile
            z = zipfile.ZipFile(sys.argv[1])
            bad = z.testzip()
            if bad: sys.exit("bad CRC: " + bad)
            for info in z.infolist():
                path = z.extract(info, sys.argv[2])
                os.chmod(path, (info.external_attr >> 16) & 0o7777)
                print(info.filename, oct(info.external_attr >> 16), info.file_size)
            """
        let (code, output) = try Subprocess.shell("python3 -c '\(script)' '\(zip)' '\(directory)'")
        try #require(code == 0, "\(output)")
        return output.split(separator: "\n").map(String.init)
    }

    @Test func zipHoldsFnAsBootstrapAndTheHandlerFiles() throws {
        let root = try makeTaskRoot()
        _ = try Subprocess.shell("rm '\(root)/broken.fn' && mkdir -p '\(root)/data' && printf 'a,b\\n1,2\\n' > '\(root)/data/table.csv' && touch '\(root)/.hidden'")
        let out = temporaryDirectory("package")
        let (code, output) = try Self.fnPackage(["--root", root, "-o", "function.zip"], in: out)
        #expect(code == 0, "\(output)")
        #expect(output.contains("fn package: wrote function.zip"), "\(output)")

        let unpacked = temporaryDirectory("unpacked")
        let entries = try Self.unpack(out + "/function.zip", into: unpacked)
        let names = entries.compactMap { $0.split(separator: " ").first.map(String.init) }
        // The root's own files (the shipped handlers and tests.fn, not hidden ones), then the data folder.
        let (_, listing) = try Subprocess.shell("cd '\(root)' && LC_ALL=C ls -p | grep -v /")
        let files = listing.split(separator: "\n").map(String.init).sorted()
        #expect(files.contains("functions.fn") && files.contains("tests.fn"))
        #expect(names == ["bootstrap"] + files + ["data/table.csv"])
        #expect(entries.first?.hasPrefix("bootstrap 0o100755 ") == true, "\(entries)")
        #expect(entries.dropFirst().allSatisfy { $0.contains(" 0o100644 ") }, "\(entries)")
        #expect(readFile(unpacked + "/bootstrap") == readFile(fnExecutable))
        #expect(readFile(unpacked + "/functions.fn") == readFile(repositoryRoot + "/handlers/functions.fn"))
        #expect(readFile(unpacked + "/data/table.csv") == "a,b\n1,2\n")
        #expect(access(unpacked + "/bootstrap", X_OK) == 0)
        // The debug build links the Swift runtime dynamically: Lambda's OS-only runtime would lack it.
        #expect(output.contains("warning: this fn is dynamically linked"), "\(output)")
    }

    @Test func aRootThatFailsTheCheckIsNotPackaged() throws {
        let root = try makeTaskRoot()
        let out = temporaryDirectory("package")
        let (code, output) = try Self.fnPackage(["--root", root, "-o", "f.zip"], in: out)
        #expect(code == 1)
        #expect(output.contains("broken.fn:2:"), "\(output)")
        #expect(output.contains("fn package: not packaged"), "\(output)")
        #expect(access(out + "/f.zip", F_OK) != 0)
    }

    @Test func strictAndHandlerArePassedToTheCheck() throws {
        let root = temporaryDirectory("package-root")
        writeFile(root + "/functions.fn", "parity <- function(number) list(n = nmber)\n")
        let out = temporaryDirectory("package")
        let (loose, _) = try Self.fnPackage(["--root", root, "-o", "a.zip"], in: out)
        #expect(loose == 0)
        let (strict, output) = try Self.fnPackage(["--root", root, "-o", "b.zip", "--strict"], in: out)
        #expect(strict == 1, "\(output)")
        let (missing, text) = try Self.fnPackage(["--root", root, "-o", "c.zip", "--handler", "functions.nope"], in: out)
        #expect(missing == 1, "\(text)")
        #expect(access(out + "/b.zip", F_OK) != 0 && access(out + "/c.zip", F_OK) != 0)
    }

    @Test func aFileNamedBootstrapInTheRootIsRefused() throws {
        let root = temporaryDirectory("package-root")
        writeFile(root + "/functions.fn", "parity <- function(number) 1\n")
        writeFile(root + "/bootstrap", "#!/bin/sh\n")
        let out = temporaryDirectory("package")
        let (code, output) = try Self.fnPackage(["--root", root, "-o", "f.zip"], in: out)
        #expect(code == 1)
        #expect(output.contains("would be replaced by fn as the bootstrap"), "\(output)")
    }

    @Test func theDefaultRootIsHandlersAndTheZipInsideTheRootIsSkipped() throws {
        let project = temporaryDirectory("package-project")
        _ = try Subprocess.shell("mkdir '\(project)/handlers' && cp '\(repositoryRoot)/handlers/functions.fn' '\(project)/handlers/'")
        // A second run replaces the zip and does not pack the old one into the new one.
        for _ in 0..<2 {
            let (code, output) = try Self.fnPackage(["-o", "handlers/function.zip"], in: project)
            #expect(code == 0, "\(output)")
        }
        let entries = try Self.unpack(project + "/handlers/function.zip", into: temporaryDirectory("unpacked"))
        #expect(entries.map { $0.split(separator: " ")[0] } == ["bootstrap", "functions.fn"])
    }

    @Test func badUsageExitsTwo() throws {
        let out = temporaryDirectory("package")
        #expect(try Self.fnPackage(["--root", out + "/missing"], in: out).0 == 2)
        #expect(try Self.fnPackage(["extra"], in: out).0 == 2)
        #expect(try Self.fnPackage(["-o"], in: out).0 == 2)
    }

    /// The README's SAM template is the file cfn-lint checks here.
    @Test func samTemplateIsLintCleanAndIsTheOneInTheREADME() throws {
        let path = repositoryRoot + "/Tests/Deploy/template.yaml"
        let (code, output) = try Subprocess.shell("cfn-lint '\(path)'")
        #expect(code == 0, "\(output)")
        let template = readFile(path)
        #expect(template.contains("Runtime: provided.al2023"))
        #expect(template.contains("PackageType: Image"))
        #expect(readFile(repositoryRoot + "/README.md").contains("```yaml\n" + template + "```\n"))
    }
}

extension EmulatorTests {
    /// A zip deployment as Lambda runs it: the zip unpacked into the task root, its `bootstrap`
    /// started by the emulator with LAMBDA_TASK_ROOT and the working directory there.
    @Test func packagedZipServesParityUnderTheEmulator() throws {
        let out = temporaryDirectory("package")
        let (code, output) = try PackageTests.fnPackage(["--root", repositoryRoot + "/handlers", "-o", "function.zip"],
                                                        in: out)
        try #require(code == 0, "\(output)")
        let task = temporaryDirectory("zip-task")
        _ = try PackageTests.unpack(out + "/function.zip", into: task)
        let emulator = try Emulator(handler: "functions.parity", taskRoot: task, bootstrap: task + "/bootstrap")
        #expect(try emulator.invokeText(#"{"number": 5}"#) == #"{"parity":"odd"}"#)
        #expect(try emulator.invokeText(#"{"number": 8}"#) == #"{"parity":"even"}"#)
        #expect(try emulator.invokeText(#"{"nope": 1}"#).contains(#""errorType":"simpleError""#))
        #expect(try emulator.invokeText(#"{"number": 3}"#) == #"{"parity":"odd"}"#)
    }
}
