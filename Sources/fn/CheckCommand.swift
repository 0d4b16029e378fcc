#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import FnLambda
import FnLanguage

/// `fn check [PATH...] [--handler file.function] [--strict] [--format text|json]`: static checks of `.fn`
/// files without running them. Exit 0 when clean, 1 on errors (or on warnings with `--strict`), 2 on bad usage.
func checkCommand(_ arguments: [String]) -> Int32 {
    let usage = """
        usage: fn check [PATH...] [--handler FILE.FUNCTION] [--strict] [--format text|json]

        Parses every .fn file under each PATH (directories are searched recursively; default: the
        handler root, LAMBDA_TASK_ROOT, else ./handlers if it exists, else the working directory) and
        reports file:line:col: error|warning: message for syntax errors, calls to functions defined
        nowhere, and variables never assigned. --handler also requires FILE.fn under the first PATH
        to define FUNCTION at top level as a function. Exit 0 when clean, 1 on errors; warnings fail
        only with --strict. --format json prints a JSON array of {file, line, column, severity, message}.
        """
    var paths: [String] = []
    var handler: HandlerName?
    var handlerText = ""
    var strict = false
    var json = false
    var words = CommandArguments(arguments, command: "check", usage: usage)
    while let word = words.next() {
        switch word {
        case "-h", "--help":
            print(usage)
            return 0
        case "--strict":
            strict = true
        case "--format":
            guard let value = words.value(of: word) else { return 2 }
            guard value == "json" || value == "text" else {
                words.report("--format must be text or json, not '\(value)'")
                return 2
            }
            json = value == "json"
        case "--handler":
            guard let value = words.value(of: word) else { return 2 }
            do throws(HandlerError) {
                handler = try HandlerName(value)
                handlerText = value
            } catch {
                words.report(error.errorMessage)
                return 2
            }
        default:
            if word.hasPrefix("-") && word != "-" {
                words.report("unknown option '\(word)'", showUsage: true)
                return 2
            }
            paths.append(word)
        }
    }
    if paths.isEmpty { paths = [ServeDefaults.root()] }

    var diagnostics: [Diagnostic] = []
    var files: [String] = []
    for path in paths {
        if Files.isDirectory(path) {
            files += SourceTree.fnFiles(under: path)
        } else {
            files.append(path)
        }
    }
    var handlerPath: String?
    var handlerRealPath: String?
    if let handler {
        let base = Files.isDirectory(paths[0]) ? paths[0] : SourceTree.directory(of: paths[0])
        let path = SourceTree.join(base, handler.fileName)
        handlerPath = path
        handlerRealPath = SourceTree.realPath(path)
        if handlerRealPath == nil || !files.contains(where: { SourceTree.realPath($0) == handlerRealPath }) {
            files.append(path)
        }
    }

    let checker = Checker()
    var seen: Set<String> = []
    for path in files {
        let real = SourceTree.realPath(path)
        // The same file reached through two PATHs is checked once.
        guard seen.insert(real ?? path).inserted else { continue }
        let isHandler = path == handlerPath || (real != nil && real == handlerRealPath)
        let bytes: [UInt8]
        switch Files.read(path) {
        case .success(let b):
            bytes = b
        case .failure(let error):
            let message = isHandler
                ? "handler '\(handlerText)': \(error.message)" : error.message
            diagnostics.append(Diagnostic(file: path, line: 0, column: 0, severity: .error, message: message))
            continue
        }
        let source = SourceFile(name: path, bytes: bytes)
        let program: Program
        do throws(FnError) {
            program = try parse(source)
        } catch {
            diagnostics.append(Checker.diagnostic(for: error, in: source))
            continue
        }
        var found = checker.check(program)
        if let handler, isHandler,
            let problem = checker.checkHandler(handlerText, function: handler.function, in: program)
        {
            // Keep the file's findings in line order.
            let at = found.firstIndex { ($0.line, $0.column) > (problem.line, problem.column) } ?? found.endIndex
            found.insert(problem, at: at)
        }
        diagnostics += found
    }

    let errors = diagnostics.filter { $0.severity == .error }.count
    let warnings = diagnostics.count - errors
    if json {
        print(jsonText(diagnostics))
    } else {
        for d in diagnostics { print(d.description) }
        fflush(stdout)
        let plural = { (n: Int, word: String) in "\(n) \(word)\(n == 1 ? "" : "s")" }
        writeError("fn check: \(plural(seen.count, "file")), \(plural(errors, "error")), \(plural(warnings, "warning"))")
    }
    return errors > 0 || (strict && warnings > 0) ? 1 : 0
}

/// The diagnostics as a JSON array of `{file, line, column, severity, message}` (position null when absent).
private func jsonText(_ diagnostics: [Diagnostic]) -> String {
    let names = ["file", "line", "column", "severity", "message"]
    let items: [Value] = diagnostics.map { d in
        let line: Value = d.line > 0 ? .integer(Int32(clamping: d.line)) : .null
        let column: Value = d.line > 0 ? .integer(Int32(clamping: d.column)) : .null
        return .list(List([.string(d.file), line, column, .string(d.severity.rawValue), .string(d.message)],
                          names: names))
    }
    do {
        return String(decoding: try JSON.serialize(.list(List(items))), as: UTF8.self)
    } catch {
        // Only strings, integers and NULL go in, all of which have a JSON form.
        return "[]"
    }
}

/// Finding `.fn` files with libc's directory calls.
enum SourceTree {
    /// Every `.fn` file under `directory`, recursively, in name order. Hidden entries are skipped and
    /// symbolic links to directories are not followed (they could loop).
    static func fnFiles(under directory: String) -> [String] {
        files(under: directory) { $0.hasSuffix(".fn") }
    }

    /// Every file (or link to one) under `directory` whose name `include` accepts, recursively, in the
    /// order `fnFiles` describes.
    static func files(under directory: String, where include: (String) -> Bool) -> [String] {
        var found: [String] = []
        var pending = [directory]
        while let dir = pending.popLast() {
            guard let handle = opendir(dir) else { continue }
            var entries: [String] = []
            while let entry = readdir(handle) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
                }
                if !name.hasPrefix(".") { entries.append(name) }
            }
            closedir(handle)
            var subdirectories: [String] = []
            for name in entries.sorted() {
                let path = join(dir, name)
                var info = stat()
                guard lstat(path, &info) == 0 else { continue }
                let type = info.st_mode & S_IFMT
                if type == S_IFDIR {
                    subdirectories.append(path)
                } else if include(name), type == S_IFREG || type == S_IFLNK {
                    found.append(path)
                }
            }
            // Depth first, in name order: a directory's files come before its subdirectories' files.
            pending += subdirectories.reversed()
        }
        return found
    }

    static func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// The canonical path, or nil when it does not exist.
    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
