/// gzip (RFC 1952) and DEFLATE (RFC 1951) decoding, for `readRDS` of files `saveRDS` compressed.
///
/// Written for hostile input: every read is bounds-checked, Huffman tables are validated when
/// built (over-subscribed or incomplete code sets are errors), distances may not reach before the
/// start of the output, and the output is capped so a small file cannot expand without limit.
enum Inflate {
    /// True when `bytes` starts with the gzip magic number.
    static func isGzip(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b
    }

    /// The decompressed contents of a gzip file (every member, concatenated, as gunzip does),
    /// after checking each member's CRC-32 and length. `limit` caps the output size.
    static func gunzip(_ bytes: [UInt8], limit: Int = 1 << 31) throws(FnError) -> [UInt8] {
        var out: [UInt8] = []
        var pos = 0
        repeat {
            let start = out.count
            pos = try member(bytes, from: pos, into: &out, limit: limit)
            let data = out[start...]
            guard pos + 8 <= bytes.count else { throw corrupt("the gzip trailer is truncated") }
            let crc = le32(bytes, pos), size = le32(bytes, pos + 4)
            pos += 8
            guard crc32(data) == crc else { throw corrupt("CRC-32 mismatch (the file is damaged)") }
            guard UInt32(truncatingIfNeeded: data.count) == size else {
                throw corrupt("the decompressed length does not match the gzip trailer")
            }
            // Trailing zero padding after the last member is tolerated, as gzip does.
        } while pos + 2 <= bytes.count && bytes[pos] == 0x1f && bytes[pos + 1] == 0x8b
        return out
    }

    private static func member(_ b: [UInt8], from start: Int, into out: inout [UInt8], limit: Int) throws(FnError) -> Int {
        guard start + 10 <= b.count else { throw corrupt("the gzip header is truncated") }
        guard b[start] == 0x1f, b[start + 1] == 0x8b else { throw corrupt("not a gzip file") }
        guard b[start + 2] == 8 else { throw corrupt("unknown compression method \(b[start + 2])") }
        let flags = b[start + 3]
        guard flags & 0xE0 == 0 else { throw corrupt("reserved gzip header flags are set") }
        var p = start + 10
        if flags & 4 != 0 {  // FEXTRA
            guard p + 2 <= b.count else { throw corrupt("the gzip header is truncated") }
            p += 2 + Int(b[p]) + Int(b[p + 1]) << 8
        }
        for bit: UInt8 in [8, 16] where flags & bit != 0 {  // FNAME, FCOMMENT: zero-terminated
            while p < b.count && b[p] != 0 { p += 1 }
            p += 1
        }
        if flags & 2 != 0 { p += 2 }  // FHCRC
        guard p <= b.count else { throw corrupt("the gzip header is truncated") }
        var reader = BitReader(bytes: b, position: p)
        try inflate(&reader, into: &out, limit: limit)
        return reader.alignedPosition
    }

    /// Decodes a raw DEFLATE stream into `out`.
    static func inflate(_ r: inout BitReader, into out: inout [UInt8], limit: Int) throws(FnError) {
        var final = false
        while !final {
            final = try r.bits(1) == 1
            switch try r.bits(2) {
            case 0:
                r.align()
                let len = try r.bits(16), nlen = try r.bits(16)
                guard len ^ 0xFFFF == nlen else { throw corrupt("a stored block's length check fails") }
                guard out.count + len <= limit else { throw tooLarge(limit) }
                out.append(contentsOf: try r.bytes(len))
            case 1:
                try codes(&r, Huffman.fixedLiterals, Huffman.fixedDistances, &out, limit)
            case 2:
                let (lit, dist) = try dynamicTables(&r)
                try codes(&r, lit, dist, &out, limit)
            default:
                throw corrupt("invalid block type 3")
            }
        }
    }

    private static let lengthBase: [Int] = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
                                            35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
    private static let lengthExtra: [Int] = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,
                                             3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    private static let distBase: [Int] = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385,
                                          513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577]
    private static let distExtra: [Int] = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7,
                                           8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]
    private static let codeLengthOrder: [Int] = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]

    private static func codes(_ r: inout BitReader, _ lit: Huffman, _ dist: Huffman,
                              _ out: inout [UInt8], _ limit: Int) throws(FnError) {
        // A few bytes can expand a thousandfold: the output is checked against Lambda's memory
        // budget as it grows (every 16 MB), so a bomb is an R error rather than a killed process.
        var nextCheck = (out.count | 0xFF_FFFF) + 1
        while true {
            if out.count >= nextCheck {
                try MemoryBudget.check(bytes: Double(out.count) * 2)
                nextCheck += 1 << 24
            }
            let sym = try lit.decode(&r)
            if sym < 256 {
                guard out.count < limit else { throw tooLarge(limit) }
                out.append(UInt8(sym))
            } else if sym == 256 {
                return
            } else {
                let li = sym - 257
                guard li < 29 else { throw corrupt("invalid length code \(sym)") }
                let length = lengthBase[li] + (try r.bits(lengthExtra[li]))
                let ds = try dist.decode(&r)
                guard ds < 30 else { throw corrupt("invalid distance code \(ds)") }
                let distance = distBase[ds] + (try r.bits(distExtra[ds]))
                guard distance <= out.count else { throw corrupt("a distance reaches before the start of the data") }
                guard out.count + length <= limit else { throw tooLarge(limit) }
                let from = out.count - distance
                for i in 0..<length { out.append(out[from + i]) }
            }
        }
    }

    private static func dynamicTables(_ r: inout BitReader) throws(FnError) -> (Huffman, Huffman) {
        let hlit = try r.bits(5) + 257, hdist = try r.bits(5) + 1, hclen = try r.bits(4) + 4
        guard hlit <= 286, hdist <= 30 else { throw corrupt("too many length or distance codes") }
        var clen = [Int](repeating: 0, count: 19)
        for i in 0..<hclen { clen[codeLengthOrder[i]] = try r.bits(3) }
        let cl = try Huffman(lengths: clen, what: "code length")
        var lengths: [Int] = []
        lengths.reserveCapacity(hlit + hdist)
        while lengths.count < hlit + hdist {
            let sym = try cl.decode(&r)
            switch sym {
            case 0...15:
                lengths.append(sym)
            case 16:
                guard let last = lengths.last else { throw corrupt("a repeat code has nothing to repeat") }
                lengths.append(contentsOf: repeatElement(last, count: 3 + (try r.bits(2))))
            case 17:
                lengths.append(contentsOf: repeatElement(0, count: 3 + (try r.bits(3))))
            default:
                lengths.append(contentsOf: repeatElement(0, count: 11 + (try r.bits(7))))
            }
        }
        guard lengths.count == hlit + hdist else { throw corrupt("code lengths overrun the table") }
        guard lengths[256] != 0 else { throw corrupt("no end-of-block code") }
        return (try Huffman(lengths: Array(lengths[0..<hlit]), what: "literal/length"),
                try Huffman(lengths: Array(lengths[hlit...]), what: "distance"))
    }

    /// CRC-32 (the polynomial gzip and zlib use).
    static func crc32(_ data: ArraySlice<UInt8>) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for byte in data { c = crcTable[Int((c ^ UInt32(byte)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }

    private static let crcTable: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    private static func le32(_ b: [UInt8], _ p: Int) -> UInt32 {
        UInt32(b[p]) | UInt32(b[p + 1]) << 8 | UInt32(b[p + 2]) << 16 | UInt32(b[p + 3]) << 24
    }

    static func corrupt(_ why: String) -> FnError { FnError.runtime("corrupt gzip data: \(why)") }

    private static func tooLarge(_ limit: Int) -> FnError {
        FnError(.limit, "gzip data expands beyond \(limit) bytes")
    }

    /// Reads DEFLATE's least-significant-bit-first bit stream.
    struct BitReader {
        let bytes: [UInt8]
        var position: Int
        private var buffer: UInt64 = 0
        private var count = 0

        init(bytes: [UInt8], position: Int) {
            self.bytes = bytes
            self.position = position
        }

        /// The next `n` (≤ 16) bits as a number.
        mutating func bits(_ n: Int) throws(FnError) -> Int {
            if n == 0 { return 0 }
            while count < n {
                guard position < bytes.count else { throw corrupt("the compressed data is truncated") }
                buffer |= UInt64(bytes[position]) << UInt64(count)
                position += 1
                count += 8
            }
            let v = Int(buffer & ((1 << UInt64(n)) - 1))
            buffer >>= UInt64(n)
            count -= n
            return v
        }

        /// Drops the bits left in the current byte.
        mutating func align() {
            position -= count / 8
            buffer = 0
            count = 0
        }

        /// The next `n` whole bytes (after `align()`).
        mutating func bytes(_ n: Int) throws(FnError) -> ArraySlice<UInt8> {
            guard n <= bytes.count - position else { throw corrupt("a stored block is truncated") }
            defer { position += n }
            return bytes[position..<position + n]
        }

        /// The byte position after the last bit read (whole bytes only).
        var alignedPosition: Int { position - count / 8 }
    }

    /// A canonical Huffman code, decoded bit by bit with counts per length (RFC 1951 §3.2.2).
    struct Huffman {
        private var counts = [Int](repeating: 0, count: 16)
        private var symbols: [Int] = []

        init(lengths: [Int], what: String) throws(FnError) {
            for l in lengths { counts[l] += 1 }
            counts[0] = 0
            var left = 1
            for len in 1...15 {
                left = left * 2 - counts[len]
                guard left >= 0 else { throw corrupt("over-subscribed \(what) Huffman code") }
            }
            // An incomplete code is allowed only for a single distance code (RFC 1951 allows one).
            let used = counts.reduce(0, +)
            if left > 0 && used > 1 { throw corrupt("incomplete \(what) Huffman code") }
            var offsets = [Int](repeating: 0, count: 16)
            for len in 1..<15 { offsets[len + 1] = offsets[len] + counts[len] }
            symbols = [Int](repeating: 0, count: used)
            for (sym, l) in lengths.enumerated() where l != 0 {
                symbols[offsets[l]] = sym
                offsets[l] += 1
            }
        }

        func decode(_ r: inout BitReader) throws(FnError) -> Int {
            var code = 0, first = 0, index = 0
            for len in 1...15 {
                code |= try r.bits(1)
                let n = counts[len]
                if code - n < first { return symbols[index + (code - first)] }
                index += n
                first = (first + n) << 1
                code <<= 1
            }
            throw corrupt("invalid Huffman code")
        }

        static let fixedLiterals: Huffman = {
            var l = [Int](repeating: 8, count: 288)
            for i in 144..<256 { l[i] = 9 }
            for i in 256..<280 { l[i] = 7 }
            // The fixed code is complete; building it cannot fail.
            return (try? Huffman(lengths: l, what: "fixed")) ?? Huffman()
        }()

        static let fixedDistances: Huffman = {
            // 32 codes keep the code complete; 30 and 31 are rejected when decoded.
            (try? Huffman(lengths: [Int](repeating: 5, count: 32), what: "fixed")) ?? Huffman()
        }()

        private init() {}
    }
}
