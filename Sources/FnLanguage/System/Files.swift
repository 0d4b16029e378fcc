#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Reading files and the environment with libc (the shipped binary carries no Foundation).
public enum Files {
    /// The whole file, or the `strerror` text of why it could not be read.
    public static func read(_ path: String) -> Result<[UInt8], FnError> {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { return .failure(FnError.runtime("cannot open file '\(path)': \(errnoText())")) }
        defer { close(fd) }
        var st = stat()
        if fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR {
            return .failure(FnError.runtime("cannot open file '\(path)': Is a directory"))
        }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return .failure(FnError.runtime("cannot read file '\(path)': \(errnoText())"))
            }
            if n == 0 { break }
            out.append(contentsOf: chunk[0..<n])
        }
        return .success(out)
    }

    /// True when `path` names an existing directory.
    public static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// An environment variable.
    public static func environment(_ name: String) -> String? {
        guard let p = getenv(name) else { return nil }
        return String(cString: p)
    }

    static func errnoText() -> String {
        guard let s = strerror(errno) else { return "error \(errno)" }
        return String(cString: s)
    }
}
