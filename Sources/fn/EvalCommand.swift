#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import FnLambda
import FnLanguage

/// Writes interpreter output to the process's stdout/stderr (log lines to stderr with the level).
func standardOutput(_ kind: OutputKind, _ text: String) {
    switch kind {
    case .stdout: fputs(text, stdout)
    case .stderr: fputs(text, stderr)
    case .log(let level): fputs("\(level.name) \(text)", stderr)
    }
}

/// Keeps `ip` alive to the end of the process. `fn run` and `fn eval` exit as soon as they finish,
/// and freeing every value the program left behind first (each list element through Swift's value
/// witnesses) only costs time: 10% of the instructions of a script that leaves three 20,000-element
/// results in globals.
func keepUntilExit(_ ip: Interpreter) {
    _ = Unmanaged.passRetained(ip)
}

/// `fn eval EXPR`: evaluates the text and prints the last value as JSON, as a handler result.
func evalCommand(_ arguments: [String]) -> Int32 {
    guard arguments.count == 1, arguments[0] != "--help", arguments[0] != "-h" else {
        writeError("usage: fn eval EXPR\n\nEvaluates EXPR (one or more expressions) and prints the value of the last one as JSON.")
        return arguments.first == "--help" || arguments.first == "-h" ? 0 : 2
    }
    let ip = Interpreter()
    defer { keepUntilExit(ip) }
    ip.output = standardOutput
    ip.logThreshold = Logger.thresholdFromEnvironment()
    do {
        let value = try ip.evaluate(arguments[0], name: "<eval>")
        fflush(stdout)
        let json = try JSON.serialize(value)
        print(String(decoding: json, as: UTF8.self))
        return 0
    } catch {
        fflush(stdout)
        writeError(error.description)
        return 1
    }
}

/// `fn run FILE [ARGS]`: evaluates a file top to bottom, like Rscript.
func runCommand(_ arguments: [String]) -> Int32 {
    guard let path = arguments.first, path != "--help", path != "-h" else {
        writeError("usage: fn run FILE [ARGS]\n\nRuns FILE top to bottom; output comes from print, cat and message.")
        return arguments.first == nil ? 2 : 0
    }
    let bytes: [UInt8]
    switch Files.read(path) {
    case .success(let b): bytes = b
    case .failure(let e):
        writeError("fn run: \(e.message)")
        return 1
    }
    let ip = Interpreter()
    defer { keepUntilExit(ip) }
    ip.output = standardOutput
    ip.logThreshold = Logger.thresholdFromEnvironment()
    ip.setGlobal(".args", Value(Vector(.character(Array(arguments.dropFirst())))))
    let name = path.split(separator: "/").last.map(String.init) ?? path
    do {
        _ = try ip.evaluate(SourceFile(name: name, bytes: bytes))
        fflush(stdout)
        return 0
    } catch {
        fflush(stdout)
        writeError(error.description)
        return 1
    }
}
