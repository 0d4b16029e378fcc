#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import FnLanguage

/// Notices edits to the `.fn` files under a root between invocations of `fn serve`.
///
/// A snapshot is each file's path, size and modification time; comparing two costs one `stat`
/// per file, which is nothing next to a local invocation.
final class SourceWatcher {
    struct Stamp: Equatable {
        var path: String
        var size: Int
        var seconds: Int
        var nanoseconds: Int
    }

    let root: String
    private var stamps: [Stamp]

    init(root: String) {
        self.root = root
        stamps = SourceWatcher.snapshot(root)
    }

    /// The files added, removed or modified since the last call (or since creation).
    func changedFiles() -> [String] {
        let now = SourceWatcher.snapshot(root)
        defer { stamps = now }
        guard now != stamps else { return [] }
        var changed: [String] = []
        for stamp in now where !stamps.contains(stamp) { changed.append(stamp.path) }
        for stamp in stamps where !now.contains(where: { $0.path == stamp.path }) { changed.append(stamp.path) }
        return changed
    }

    static func snapshot(_ root: String) -> [Stamp] {
        SourceTree.fnFiles(under: root).compactMap { path in
            var info = stat()
            guard stat(path, &info) == 0 else { return nil }
            return Stamp(path: path, size: Int(info.st_size), seconds: Int(info.st_mtim.tv_sec),
                         nanoseconds: Int(info.st_mtim.tv_nsec))
        }
    }
}
