/// Reading data files shipped with a handler: `readRDS`, `readLines`, `read.table`/`read.csv`/
/// `read.delim`, and `fromJSON` of a path. Every path is confined to the task root exactly as
/// `source()` confines its files (resolved with symlinks followed, refused when the result lies
/// outside); relative paths start at the task root, the working directory of a Lambda function.
/// Nothing here writes: the task root is read-only on Lambda.
extension BuiltinRegistry {
    mutating func registerReadFiles() {
        define("readRDS", ["file", "refhook"]) { args, ip throws(FnError) in
            let bytes = try DataFile.read(try args.required(0, "file"), ip, "readRDS")
            return try RDSReader.read(bytes, global: ip.globalEnvironment, empty: ip.emptyEnvironment)
        }
        define("readLines", ["con", "n", "ok", "warn", "encoding", "skipNul"]) { args, ip throws(FnError) in
            let bytes = try DataFile.read(try args.required(0, "con"), ip, "readLines")
            var lines = DataFile.lines(bytes)
            if let n = args[1], let limit = n.storage?.integers().first, limit != NA.integer, limit >= 0 {
                lines = Array(lines.prefix(Int(limit)))
            }
            return Value(Vector(.character(lines)))
        }
        let tableFormals = ["file", "header", "sep", "quote", "dec", "na.strings", "colClasses", "nrows",
                            "skip", "check.names", "stringsAsFactors", "comment.char", "strip.white",
                            "blank.lines.skip", "fill", "row.names", "col.names", "encoding", "fileEncoding"]
        for (name, defaults) in [("read.table", TableReader.Options(header: false, sep: nil, quote: "\"'", comment: "#")),
                                 ("read.csv", TableReader.Options(header: true, sep: ",", quote: "\"", comment: "")),
                                 ("read.delim", TableReader.Options(header: true, sep: "\t", quote: "\"", comment: ""))] {
            define(name, tableFormals) { args, ip throws(FnError) in
                let bytes = try DataFile.read(try args.required(0, "file"), ip, name)
                var o = defaults
                try o.unpack(args)
                return try TableReader(options: o).read(bytes)
            }
        }
    }
}

/// Reading one confined file for the builtins above.
enum DataFile {
    static func read(_ file: Value, _ ip: Interpreter, _ function: String) throws(FnError) -> [UInt8] {
        guard file.atomicType == .character, let s = file.storage?.strings(), s.count == 1, let name = s[0] else {
            throw FnError.runtime("\(function)(): 'file' must be a single file name")
        }
        let (path, _) = try SourcePath.resolve(name, root: ip.taskRoot, from: nil, function: function)
        switch Files.read(path) {
        case .success(let b): return b
        case .failure(let e): throw e
        }
    }

    /// The lines of a text file (LF or CRLF; a final line without a newline counts).
    static func lines(_ bytes: [UInt8]) -> [String?] {
        var out: [String?] = []
        var start = 0
        for i in bytes.indices where bytes[i] == 10 {
            var end = i
            if end > start, bytes[end - 1] == 13 { end -= 1 }
            out.append(String(decoding: bytes[start..<end], as: UTF8.self))
            start = i + 1
        }
        if start < bytes.count { out.append(String(decoding: bytes[start...], as: UTF8.self)) }
        return out
    }

    /// `fromJSON(path)`: jsonlite reads a file when `txt` is one string that is not JSON and names
    /// an existing file. Returns the file's text, or nil when `txt` is JSON (or no such file).
    static func jsonText(_ txt: Value, _ ip: Interpreter) throws(FnError) -> String? {
        guard let s = txt.storage?.strings(), s.count == 1, let t = s[0], t.utf8.count < 2084,
              !t.utf8.contains(10), let first = t.utf8.first(where: { $0 != 32 && $0 != 9 && $0 != 13 })
        else { return nil }
        if "{[\"-0123456789".utf8.contains(first) || ["true", "false", "null"].contains(t) { return nil }
        let path: String
        do throws(FnError) {
            (path, _) = try SourcePath.resolve(t, root: ip.taskRoot, from: nil, function: "fromJSON")
        } catch {
            if error.message.contains("outside the task root") { throw error }
            return nil  // not a file: let the parser report the invalid JSON
        }
        switch Files.read(path) {
        case .success(let b): return String(decoding: b, as: UTF8.self)
        case .failure(let e): throw e
        }
    }
}
