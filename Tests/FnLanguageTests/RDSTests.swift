import Glibc
import Testing
@testable import FnLanguage

/// `readRDS` and the other file readers against GNU R: RDS/make-fixtures.R saves objects in every
/// supported form and writes, for each expression, `describe(value)` as R computes it
/// (RDS/describe.fn runs unchanged in R and fn); fn must describe its value the same way.
@Suite struct RDSTests {
    static let directory = OracleSupport.directory(of: #filePath) + "/RDS"

    /// Runs `code` with the fixture directory as the task root.
    static func run(_ code: String, root: String = directory) throws(FnError) -> Value {
        let ip = Interpreter()
        ip.taskRoot = root
        return try ip.evaluate(code, name: "test.fn")
    }

    static func json(_ v: Value) throws -> TestJSON {
        try TestJSON.parse(String(decoding: try JSON.serialize(v), as: UTF8.self))
    }

    static func expected() throws -> [(String, TestJSON)] {
        let all = try TestJSON.parse(try OracleSupport.readFile(directory + "/expected.json"))
        guard case .object(let top) = all else { throw OracleSupport.Failure("expected.json is not an object") }
        return top
    }

    @Test func fixturesAgreeWithR() throws {
        guard case .object(let cases)? = try Self.expected().first(where: { $0.0 == "cases" })?.1 else {
            Issue.record("expected.json has no cases")
            return
        }
        #expect(cases.count >= 40)
        var failures: [String] = []
        for (expression, described) in cases {
            do {
                let value = try Self.run("source(\"describe.fn\")\ndescribe(\(expression))")
                if let d = TestJSON.difference(described, try Self.json(value)) { failures.append("\(expression): \(d)") }
            } catch {
                failures.append("\(expression): \(error)")
            }
        }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }

    /// The fields `predict` reads from R's `lm` and `glm` objects, with R's names.
    @Test func modelsKeepTheFieldsPredictNeeds() throws {
        let top = try Self.expected()
        for model in ["lm", "glm"] {
            let want = try #require(top.first { $0.0 == model }?.1)
            for file in ["\(model)-v3.rds", "\(model)-v2.rds", "\(model)-v3raw.rds"] {
                let got = try Self.run("""
                    m <- readRDS("\(file)")
                    list(coefficients = as.list(m$coefficients), xlevels = m$xlevels, rank = m$qr$rank,
                         family = if (!is.null(m$family)) list(m$family$family, m$family$link) else NULL)
                    """)
                let d = TestJSON.difference(want, try Self.json(got))
                #expect(d == nil, "\(file): \(d ?? "")")
            }
        }
        let classes = try Self.run("""
            m <- readRDS("glm-v3.rds")
            list(class(m), class(m$terms), class(m$model), is.function(m$family$linkinv),
                 class(m$qr$qr), dim(m$qr$qr), names(m$model))
            """)
        #expect(try Self.json(classes) == TestJSON.parse("""
            [["glm","lm"],["terms","formula"],"data.frame",true,["matrix","array"],[32,2],["vs","mpg"]]
            """))
        // The functions R serialized are stubs that say why they cannot run.
        #expect(throws: FnError.self) { try Self.run("readRDS(\"glm-v3.rds\")$family$linkinv(0)") }
    }

    // MARK: Hostile input

    static func read(_ bytes: [UInt8]) throws(FnError) -> Value {
        let ip = Interpreter()
        return try RDSReader.read(bytes, global: ip.globalEnvironment, empty: ip.emptyEnvironment)
    }

    static func fixtureBytes(_ name: String) throws -> [UInt8] {
        try Files.read(directory + "/" + name).get()
    }

    /// An XDR version-2 header followed by `items` (big-endian 32-bit words).
    static func xdr(_ items: [Int32]) -> [UInt8] {
        var out: [UInt8] = Array("X\n".utf8)
        for w in [2, 0x040000, 0x020300] + items {
            let u = UInt32(bitPattern: w)
            out += [UInt8(u >> 24), UInt8(u >> 16 & 0xFF), UInt8(u >> 8 & 0xFF), UInt8(u & 0xFF)]
        }
        return out
    }

    @Test func everyTruncationIsAnError() throws {
        for name in ["lm-v3.rds", "lm-v3raw.rds", "vectors-v2ascii.rds"] {
            let bytes = try Self.fixtureBytes(name)
            #expect(throws: Never.self) { _ = try Self.read(bytes) }
            let step = max(1, bytes.count / 400)
            // An ASCII file without its final newline is still complete.
            for n in stride(from: 0, to: bytes.count - (name.contains("ascii") ? 1 : 0), by: step) {
                #expect(throws: FnError.self, "\(name) cut to \(n) of \(bytes.count) bytes") {
                    _ = try Self.read(Array(bytes[0..<n]))
                }
            }
        }
    }

    @Test func corruptGzipIsAnError() throws {
        let bytes = try Self.fixtureBytes("frame-v3.rds")
        var badCRC = bytes
        badCRC[badCRC.count - 6] ^= 0xFF
        #expect(throws: FnError.self) { _ = try Self.read(badCRC) }
        var badSize = bytes
        badSize[badSize.count - 1] ^= 0x01
        #expect(throws: FnError.self) { _ = try Self.read(badSize) }
        // Flipping bits through the compressed data: an error each time (or, rarely, a value that
        // still checks out), never a crash.
        for i in stride(from: 10, to: bytes.count - 8, by: 3) {
            var b = bytes
            b[i] ^= 0x5A
            _ = try? Self.read(b)
        }
        // Block type 3 does not exist; a dynamic block whose code lengths are over-subscribed.
        let header: [UInt8] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]
        #expect(throws: FnError.self) { _ = try Inflate.gunzip(header + [0x07, 0, 0, 0, 0, 0, 0, 0, 0]) }
        #expect(throws: FnError.self) { _ = try Inflate.gunzip(header + [0x05, 0xE0, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0]) }
    }

    @Test func inflateDecodesEveryBlockType() throws {
        // Stored: "X\n" in one stored block; its CRC-32 and length in the trailer.
        let header: [UInt8] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 3]
        let crc = Inflate.crc32(ArraySlice(Array("X\n".utf8)))
        let trailer: [UInt8] = [UInt8(crc & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 24), 2, 0, 0, 0]
        #expect(try Inflate.gunzip(header + [1, 2, 0, 0xFD, 0xFF, 88, 10] + trailer) == Array("X\n".utf8))
        // Fixed Huffman codes (as zlib writes a short text), with a back-reference.
        var r = Inflate.BitReader(bytes: [75, 76, 74, 78, 4, 35, 133, 140, 212, 156, 156, 124, 8, 9, 0], position: 0)
        var out: [UInt8] = []
        try Inflate.inflate(&r, into: &out, limit: 1000)
        #expect(String(decoding: out, as: UTF8.self) == "abcabcabc hello hello")
        // Dynamic codes: every gzip fixture R wrote.
        #expect(throws: Never.self) { _ = try Self.read(try Self.fixtureBytes("glm-v2.rds")) }
        // The output limit holds.
        var r2 = Inflate.BitReader(bytes: [75, 76, 74, 78, 4, 35, 133, 140, 212, 156, 156, 124, 8, 9, 0], position: 0)
        var small: [UInt8] = []
        #expect(throws: FnError.self) { try Inflate.inflate(&r2, into: &small, limit: 5) }
    }

    @Test func absurdLengthsAreRefusedBeforeAllocating() {
        // INTSXP of 2^31 - 1 elements in a 20-byte file; a long-vector length; a negative one.
        #expect(throws: FnError.self) { _ = try Self.read(Self.xdr([13, Int32.max])) }
        #expect(throws: FnError.self) { _ = try Self.read(Self.xdr([14, -1, 0x7FFF, 0])) }
        #expect(throws: FnError.self) { _ = try Self.read(Self.xdr([19, -5])) }
    }

    static func word(_ w: Int32) -> [UInt8] {
        let u = UInt32(bitPattern: w)
        return [UInt8(u >> 24), UInt8(u >> 16 & 0xFF), UInt8(u >> 8 & 0xFF), UInt8(u & 0xFF)]
    }

    @Test func compactSequencesAreChecked() throws {
        // ALTREP compact_intseq with state c(n, start, by).
        func intseq(_ n: Double, _ start: Double, _ by: Double) -> [UInt8] {
            var b = Self.xdr([238, 2, 1, 9, 14])
            b += Array("compact_intseq".utf8)
            b += Self.word(2) + Self.word(1) + Self.word(9) + Self.word(4) + Array("base".utf8)
            b += Self.word(2) + Self.word(13) + Self.word(1) + Self.word(13) + Self.word(254)
            b += Self.word(14) + Self.word(3)
            for d in [n, start, by] { b += Self.word(Int32(bitPattern: UInt32(d.bitPattern >> 32))) + Self.word(Int32(bitPattern: UInt32(d.bitPattern & 0xFFFF_FFFF))) }
            return b + Self.word(254)
        }
        #expect(try Self.json(try Self.read(intseq(4, 3, -1))) == TestJSON.parse("[3,2,1,0]"))
        #expect(throws: FnError.self) { _ = try Self.read(intseq(3, 1, 1e300)) }
        #expect(throws: FnError.self) { _ = try Self.read(intseq(1e12, 1, 1)) }
        #expect(throws: FnError.self) { _ = try Self.read(intseq(3, 2_147_483_640, 5)) }
    }

    /// An attribute list `name = value` (value given as its serialized words and bytes).
    static func attributes(_ name: String, _ value: [UInt8]) -> [UInt8] {
        var b = word(2 | 1 << 10) + word(1) + word(9) + word(Int32(name.utf8.count)) + Array(name.utf8)
        b += value
        return b + word(254)
    }

    /// Found by the rds fuzz target: a `dim` that does not match the length crashed the JSON writer.
    @Test func attributesAreCheckedAsAttrSetsThem() throws {
        func doubles(_ n: Int32, attr: [UInt8]) -> [UInt8] {
            var b = Self.xdr([14 | 1 << 9, n])
            for _ in 0..<n { b += Self.word(0x3FF0_0000) + Self.word(0) }
            return b + attr
        }
        let ints = { (xs: [Int32]) in Self.word(13) + Self.word(Int32(xs.count)) + xs.flatMap(Self.word) }
        #expect(throws: FnError.self) { _ = try Self.read(doubles(6, attr: Self.attributes("dim", ints([2, 53])))) }
        #expect(try Self.read(doubles(6, attr: Self.attributes("dim", ints([2, 3])))).dim == [2, 3])
        // Factor codes outside the levels; a data frame whose columns are shorter than its rows.
        let factorAttributes = Self.word(2 | 1 << 10) + Self.word(1) + Self.word(9) + Self.word(6) + Array("levels".utf8)
            + Self.word(16) + Self.word(1) + Self.word(9) + Self.word(1) + Array("a".utf8)
            + Self.word(2 | 1 << 10) + Self.word(1) + Self.word(9) + Self.word(5) + Array("class".utf8)
            + Self.word(16) + Self.word(1) + Self.word(9) + Self.word(6) + Array("factor".utf8) + Self.word(254)
        #expect(throws: FnError.self) { _ = try Self.read(Self.xdr([13 | 1 << 9, 2, 1, 5]) + factorAttributes) }
        #expect(throws: Never.self) { _ = try Self.read(Self.xdr([13 | 1 << 9, 2, 1, NA.integer]) + factorAttributes) }
        let frameAttributes = Self.word(2 | 1 << 10) + Self.word(1) + Self.word(9) + Self.word(9) + Array("row.names".utf8)
            + ints([NA.integer, -5])
            + Self.word(2 | 1 << 10) + Self.word(1) + Self.word(9) + Self.word(5) + Array("class".utf8)
            + Self.word(16) + Self.word(1) + Self.word(9) + Self.word(10) + Array("data.frame".utf8) + Self.word(254)
        #expect(throws: FnError.self) { _ = try Self.read(Self.xdr([19 | 1 << 9, 1]) + ints([1, 2]) + frameAttributes) }
    }

    @Test func environmentsCannotBeTheirOwnAncestors() throws {
        // Environment A whose parent B has A (a back-reference) as its parent.
        let v = try Self.read(Self.xdr([4, 0, 4, 0, 255 | 1 << 8, 254, 254, 254, 254, 254, 254]))
        guard case .environment(let e) = v else {
            Issue.record("not an environment")
            return
        }
        var steps = 0
        var next: Environment? = e
        while let x = next, steps < 10 {
            next = x.parent
            steps += 1
        }
        #expect(steps < 10)
    }

    /// Found by the rds fuzz target: a data frame whose `names` attribute is damaged reads, and
    /// writing it as JSON must not index past its (missing) names.
    @Test func aDataFrameWithoutNamesWritesAsJSON() throws {
        let text = "A\u{A}2\u{A}262658\u{A}131840\u{A}787\u{A}3\u{A}13\u{A}3\u{A}1\u{A}2\u{A}3\u{A}16\u{A}3\u{A}262153\u{A}1\u{A}a\u{A}262153\u{A}1\u{A}b\u{A}9\u{A}-1\u{A}14\u{A}3\u{A}0.5\u{A}NA\u{A}2\u{A}1026\u{A}1\u{A}262153\u{A}5\u{A}na:es\u{A}16\u{A}3\u{A}262153\u{A}1\u{A}x\u{A}262153\u{A}1\u{A}y\u{A}262153\u{B}1\u{A}z\u{A}1026\u{A}1\u{A}262153\u{A}5\u{A}class\u{A}16\u{A}1\u{A}262153\u{A}10\u{A}data.frame\u{A}1026\u{A}1\u{A}262153\u{A}9\u{A}row.names\u{A}13\u{A}2\u{A}NA\u{A}-3\u{A}254\u{A}"
        let value = try Self.read(Array(text.utf8))
        #expect(DataFrame.isDataFrame(value))
        let json = try JSON.serialize(value)
        #expect(!json.isEmpty)
    }

    @Test func deepNestingAndUnknownTypesAreErrors() {
        // list(list(list(...))) 100,000 deep: VECSXP of length 1, over and over.
        let deep = Self.xdr(Array(repeating: [19, 1], count: 100_000).flatMap { $0 } + [254])
        #expect(throws: FnError.self) { _ = try Self.read(deep) }
        #expect(throws: FnError.self) { _ = try Self.read(Self.xdr([99])) }
        #expect(throws: FnError.self) { _ = try Self.read(Self.xdr([255 | 7 << 8])) }  // reference to nothing
        #expect(throws: FnError.self) { _ = try Self.read(Array("RDX2\n".utf8)) }
        #expect(throws: FnError.self) { _ = try Self.read(Self.xdr([15, 1, 0, 0, 0, 0])) }  // complex
        let shallow = Self.xdr(Array(repeating: [19, 1], count: 100).flatMap { $0 } + [254])
        #expect(throws: Never.self) { _ = try Self.read(shallow) }
    }

    // MARK: Confinement

    @Test func pathsStayInsideTheTaskRoot() throws {
        let root = OracleSupport.temporaryPath("rds-root")
        mkdir(root, 0o755)
        let outside = OracleSupport.temporaryPath("rds-outside.csv")
        let fd = open(outside, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        _ = write(fd, "a\n1\n", 4)
        close(fd)
        unlink(root + "/link.csv")
        symlink(outside, root + "/link.csv")
        for call in ["readRDS", "read.csv", "readLines", "read.table", "read.delim"] {
            for path in ["../x.rds", outside, "link.csv"] {
                #expect(throws: FnError.self) { _ = try Self.run("\(call)(\"\(path)\")", root: root) }
            }
        }
        do {
            _ = try Self.run("read.csv(\"link.csv\")", root: root)
            Issue.record("a symlink out of the task root was followed")
        } catch {
            #expect(error.message.contains("outside the task root"))
        }
        #expect(throws: FnError.self) { _ = try Self.run("fromJSON(\"\(outside)\")", root: root) }
        // fromJSON still parses JSON text, and reports text that is neither JSON nor a file as JSON.
        #expect(try Self.json(try Self.run("fromJSON('[1, 2]')", root: root)) == TestJSON.parse("[1,2]"))
        #expect(throws: FnError.self) { _ = try Self.run("fromJSON('nope')", root: root) }
    }
}
