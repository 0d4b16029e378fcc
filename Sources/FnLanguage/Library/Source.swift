#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// `source(file)`: splits a handler into files. Paths are relative to the directory of the file
/// that calls `source` and must stay inside the task root, so a handler cannot read files the
/// deployment package does not contain.
extension BuiltinRegistry {
    mutating func registerSource() {
        define("source", ["file", "local", "echo", "..."]) { args, ip throws(FnError) in
            let file = try Unpack.string(args[0], "file")
            if let local = args[1], (try? Unpack.flag(local, "local", default: false)) != false {
                throw FnError.runtime("source(): only 'local = FALSE' is supported (the global environment)")
            }
            let (path, name) = try SourcePath.resolve(file, root: ip.taskRoot, from: ip.currentSource?.name)
            let bytes: [UInt8]
            switch Files.read(path) {
            case .success(let b): bytes = b
            case .failure(let e): throw e
            }
            let value = try ip.sourceGlobally(SourceFile(name: name, bytes: bytes))
            ip.visible = false
            return .list(List([value, .true_], names: ["value", "visible"]))
        }
    }
}

/// Resolving `source()` paths against the task root.
enum SourcePath {
    /// The file's real path and its name relative to the root (which errors and stack traces
    /// show). `from` is the name of the calling file, relative to the root.
    /// `function` names the caller in errors (`readRDS()`, `read.csv()`, ...).
    static func resolve(_ file: String, root: String?, from: String?,
                        function: String = "source") throws(FnError) -> (String, String) {
        let rootText = root.map { $0.isEmpty ? "." : $0 } ?? "."
        guard let realRoot = realPath(rootText) else {
            throw FnError.runtime("\(function)(): cannot find the task root '\(rootText)'")
        }
        var directory = ""
        if let from, let slash = from.lastIndex(of: "/"), !from.hasPrefix("/"), !from.hasPrefix("<") {
            directory = String(from[...slash])
        }
        let candidate = file.hasPrefix("/") ? file : realRoot + "/" + directory + file
        guard let real = realPath(candidate) else {
            // A missing file outside the root is reported as outside, so probing reveals nothing.
            if file.hasPrefix("/") || lexicallyEscapes(directory + file) {
                throw FnError.runtime("\(function)(): '\(file)' is outside the task root")
            }
            throw FnError.runtime("cannot open file '\(file)': No such file or directory")
        }
        let prefix = realRoot == "/" ? "/" : realRoot + "/"
        guard real.hasPrefix(prefix) else {
            throw FnError.runtime("\(function)(): '\(file)' is outside the task root")
        }
        return (real, String(real.dropFirst(prefix.count)))
    }

    /// True when `..` components climb above the start of a relative path.
    private static func lexicallyEscapes(_ path: String) -> Bool {
        var depth = 0
        for part in path.split(separator: "/") {
            if part == ".." { depth -= 1 } else if part != "." { depth += 1 }
            if depth < 0 { return true }
        }
        return false
    }

    private static func realPath(_ path: String) -> String? {
        guard let p = realpath(path, nil) else { return nil }
        defer { free(p) }
        return String(cString: p)
    }
}

extension Interpreter {
    /// Evaluates a file's expressions at top level, in the global environment, from inside a
    /// running evaluation (`source()`): errors carry the file's name and line.
    func sourceGlobally(_ source: SourceFile) throws(FnError) -> Value {
        guard sourceDepth < 64 else {
            throw FnError(.limit, "source(): files nested more than 64 deep (does a file source itself?)")
        }
        let program = try parse(source)
        let savedEnv = env
        sourceDepth += 1
        env = globalEnvironment
        defer {
            env = savedEnv
            sourceDepth -= 1
        }
        return try run(program)
    }
}
