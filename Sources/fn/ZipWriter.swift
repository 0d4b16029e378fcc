#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A zip archive built in memory, entries stored uncompressed, with Unix permissions.
///
/// The format is PKWARE's APPNOTE: per entry a local file header and the data, then a central
/// directory (one record per entry, carrying the Unix mode in its external attributes) and the
/// end-of-central-directory record. Lambda, `unzip` and Python's `zipfile` read it. No zip64: an
/// archive past 4 GB or 65,535 entries is refused (Lambda's own limit is 250 MB unzipped).
///
///     var zip = ZipWriter()
///     try zip.add("bootstrap", data, mode: 0o755, modified: time(nil))
///     let bytes = try zip.finish()
struct ZipWriter {
    struct Failure: Error {
        var message: String
    }

    private var archive: [UInt8] = []
    private var directory: [UInt8] = []
    private var entries = 0

    /// Appends a file entry. `path` is relative, with `/` separators; `mode` holds permission bits.
    mutating func add(_ path: String, _ data: [UInt8], mode: UInt32, modified: time_t) throws(Failure) {
        let name = Array(path.utf8)
        guard !name.isEmpty, name.count <= 0xFFFF else { throw Failure(message: "bad entry name '\(path)'") }
        guard data.count <= 0xFFFF_FFFE, archive.count <= 0xFFFF_FFFE - data.count - 30 - name.count,
              entries < 0xFFFF else {
            throw Failure(message: "archive too large for a zip without zip64 at '\(path)'")
        }
        let crc = CRC32.checksum(data)
        let (dosTime, dosDate) = Self.dosTimestamp(modified)
        let offset = UInt32(archive.count)
        // Bit 11: the name is UTF-8.
        let flags: UInt16 = 0x0800

        // The fields a local header and a central directory record share, in the same order:
        // version needed (2.0), flags, method (stored), time, date, CRC, sizes, name and extra lengths.
        var shared: [UInt8] = []
        shared.le16(20)
        shared.le16(flags)
        shared.le16(0)
        shared.le16(dosTime)
        shared.le16(dosDate)
        shared.le32(crc)
        shared.le32(UInt32(data.count))
        shared.le32(UInt32(data.count))
        shared.le16(UInt16(name.count))
        shared.le16(0)

        archive.le32(0x0403_4B50)   // local file header
        archive += shared
        archive += name
        archive += data

        directory.le32(0x0201_4B50) // central directory record
        directory.le16(3 << 8 | 20) // made by: Unix, 2.0 (so readers honour the mode below)
        directory += shared
        directory.le16(0)           // comment length
        directory.le16(0)           // disk number
        directory.le16(0)           // internal attributes
        directory.le32((UInt32(S_IFREG) | (mode & 0o7777)) << 16)
        directory.le32(offset)
        directory += name
        entries += 1
    }

    /// The archive: the entries, the central directory and its end record.
    func finish() throws(Failure) -> [UInt8] {
        guard archive.count + directory.count <= 0xFFFF_FFFE else {
            throw Failure(message: "archive too large for a zip without zip64")
        }
        var out = archive
        out += directory
        out.le32(0x0605_4B50)
        out.le16(0)                 // this disk
        out.le16(0)                 // disk with the directory
        out.le16(UInt16(entries))
        out.le16(UInt16(entries))
        out.le32(UInt32(directory.count))
        out.le32(UInt32(archive.count))
        out.le16(0)                 // comment length
        return out
    }

    /// MS-DOS time and date fields (UTC, two-second resolution, years 1980-2107).
    static func dosTimestamp(_ seconds: time_t) -> (time: UInt16, date: UInt16) {
        var t = seconds
        var parts = tm()
        guard gmtime_r(&t, &parts) != nil else { return (0, 0x21) }
        let year = min(max(Int(parts.tm_year) + 1900, 1980), 2107)
        let time = UInt16(parts.tm_hour) << 11 | UInt16(parts.tm_min) << 5 | UInt16(parts.tm_sec / 2)
        let date = UInt16(year - 1980) << 9 | UInt16(parts.tm_mon + 1) << 5 | UInt16(parts.tm_mday)
        return (time, date)
    }
}

/// CRC-32 as zip uses it (the reflected IEEE 802.3 polynomial 0xEDB88320), table driven.
enum CRC32 {
    static let table: [UInt32] = (0..<256).map { (n: UInt32) -> UInt32 in
        var c = n
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func checksum(_ data: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        table.withUnsafeBufferPointer { table in
            for byte in data { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        }
        return crc ^ 0xFFFF_FFFF
    }
}

private extension Array where Element == UInt8 {
    mutating func le16(_ v: UInt16) {
        append(UInt8(v & 0xFF))
        append(UInt8(v >> 8))
    }

    mutating func le32(_ v: UInt32) {
        for shift in stride(from: 0, to: 32, by: 8) { append(UInt8((v >> UInt32(shift)) & 0xFF)) }
    }
}
