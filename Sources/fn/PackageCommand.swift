#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import FnLanguage

/// `fn package [--root DIR] [-o FILE] [--handler FILE.FUNCTION] [--strict]`: a zip for Lambda's
/// `provided.al2023` runtime, made without Docker or a zip tool.
///
/// The zip holds this very executable as `bootstrap` (mode 0755: Lambda runs `/var/task/bootstrap`,
/// and fn started under that name is `fn runtime`) and every file under the root at its relative
/// path, so `functions.fn` lands in `LAMBDA_TASK_ROOT`. `fn check` runs on the root first; a root
/// that fails it is not packaged.
func packageCommand(_ arguments: [String]) -> Int32 {
    let usage = """
        usage: fn package [--root DIR] [-o FILE] [--handler FILE.FUNCTION] [--strict]

        Runs `fn check` on the handler root (--root, else LAMBDA_TASK_ROOT, else ./handlers when it
        exists, else the working directory), then writes FILE (default function.zip): this fn
        executable as `bootstrap` (mode 0755) and every file under the root, relative paths kept
        (hidden files skipped). Deploy it with the provided.al2023 runtime:
          aws lambda create-function --runtime provided.al2023 --handler functions.parity \\
            --zip-file fileb://function.zip ...
        --handler and --strict are passed to the check. Package a static fn (built with
        -Xswiftc -static-executable): Lambda's OS-only runtime has no Swift libraries.
        """
    var root: String?
    var output = "function.zip"
    var checkArguments: [String] = []
    var words = CommandArguments(arguments, command: "package", usage: usage)
    while let word = words.next() {
        switch word {
        case "-h", "--help":
            print(usage)
            return 0
        case "--root":
            guard let v = words.value(of: word) else { return 2 }
            root = v
        case "-o", "--output":
            guard let v = words.value(of: word) else { return 2 }
            output = v
        case "--handler":
            guard let v = words.value(of: word) else { return 2 }
            checkArguments += [word, v]
        case "--strict":
            checkArguments.append(word)
        default:
            words.report("unexpected argument '\(word)'", showUsage: true)
            return 2
        }
    }
    let rootDirectory = root ?? ServeDefaults.root()
    guard Files.isDirectory(rootDirectory) else {
        words.report("the root '\(rootDirectory)' is not a directory")
        return 2
    }
    guard checkCommand([rootDirectory] + checkArguments) == 0 else {
        writeError("fn package: not packaged: fn check found problems in \(rootDirectory)")
        return 1
    }

    let executable: [UInt8]
    switch Files.read("/proc/self/exe") {
    case .success(let bytes): executable = bytes
    case .failure(let error):
        writeError("fn package: cannot read the fn executable: \(error.message)")
        return 1
    }
    if ELF.hasInterpreter(executable) {
        writeError("fn package: warning: this fn is dynamically linked; provided.al2023 has no Swift runtime. "
            + "Package a static build: swift build -c release --product fn -Xswiftc -static-executable")
    }

    let outputReal = SourceTree.realPath(output)
    let prefix = rootDirectory.hasSuffix("/") ? rootDirectory : rootDirectory + "/"
    var zip = ZipWriter()
    var count = 0
    do throws(ZipWriter.Failure) {
        try zip.add("bootstrap", executable, mode: 0o755, modified: time(nil))
        for path in SourceTree.files(under: rootDirectory, where: { _ in true }) {
            // The zip being replaced may sit inside the root.
            if let outputReal, SourceTree.realPath(path) == outputReal { continue }
            let relative = path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
            if relative == "bootstrap" {
                writeError("fn package: \(path) would be replaced by fn as the bootstrap: rename it")
                return 1
            }
            var info = stat()
            guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { continue }
            switch Files.read(path) {
            case .success(let bytes):
                try zip.add(relative, bytes, mode: UInt32(info.st_mode) & 0o777, modified: info.st_mtim.tv_sec)
                count += 1
            case .failure(let error):
                writeError("fn package: \(error.message)")
                return 1
            }
        }
        let bytes = try zip.finish()
        if let problem = writeFileAtomically(output, bytes) {
            writeError("fn package: cannot write \(output): \(problem)")
            return 1
        }
        writeError("fn package: wrote \(output) (\(bytes.count) bytes): bootstrap and \(count) file"
            + "\(count == 1 ? "" : "s") from \(rootDirectory)")
        return 0
    } catch {
        writeError("fn package: \(error.message)")
        return 1
    }
}

/// Writes `bytes` to a temporary file beside `path`, then renames it over `path`, so a failed write
/// never leaves half a zip. Returns why it failed, or nil.
private func writeFileAtomically(_ path: String, _ bytes: [UInt8]) -> String? {
    let temporary = path + ".tmp\(getpid())"
    let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard fd >= 0 else { return String(cString: strerror(errno)) }
    var written = 0
    while written < bytes.count {
        let n = bytes.withUnsafeBytes { raw in write(fd, raw.baseAddress.map { $0 + written }, raw.count - written) }
        if n < 0 && errno == EINTR { continue }
        if n <= 0 {
            let problem = String(cString: strerror(errno))
            close(fd)
            unlink(temporary)
            return problem
        }
        written += n
    }
    guard close(fd) == 0, rename(temporary, path) == 0 else {
        let problem = String(cString: strerror(errno))
        unlink(temporary)
        return problem
    }
    return nil
}

/// Just enough ELF reading to tell a static executable from one that needs a dynamic loader.
enum ELF {
    /// True when the 64-bit little-endian ELF image has a PT_INTERP program header.
    static func hasInterpreter(_ image: [UInt8]) -> Bool {
        guard image.count >= 64, image[0] == 0x7F, image[1] == 0x45, image[2] == 0x4C, image[3] == 0x46,
              image[4] == 2, image[5] == 1 else { return false }
        func read(_ offset: Int, _ size: Int) -> Int {
            (0..<size).reduce(0) { $0 | Int(image[offset + $1]) << (8 * $1) }
        }
        let tableOffset = read(0x20, 8), entrySize = read(0x36, 2), entries = read(0x3A, 2)
        for i in 0..<entries {
            let at = tableOffset + i * entrySize
            guard at >= 0, at + 4 <= image.count else { return false }
            if read(at, 4) == 3 { return true }
        }
        return false
    }
}
