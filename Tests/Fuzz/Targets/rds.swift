// libFuzzer target: byte 0 picks the path. Even: the rest is a file for readRDS (XDR, ASCII or gzip;
// a value or an FnError, and a value read is written as JSON or refused, never a crash). Odd: the rest
// is a raw DEFLATE stream, inflated with a 1 MiB cap and no CRC to stop mutations early.
// Compiled into the FnLanguage module by Tests/Fuzz/run.sh; language.swift dispatches to it.

let fuzzRDSInterpreter = Interpreter()

func fuzzRDS(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    if data[0] & 1 == 1 {
        var reader = Inflate.BitReader(bytes: bytes, position: 0)
        var out: [UInt8] = []
        _ = try? Inflate.inflate(&reader, into: &out, limit: 1 << 20)
        return 0
    }
    let ip = fuzzRDSInterpreter
    guard let value = try? RDSReader.read(bytes, global: ip.globalEnvironment, empty: ip.emptyEnvironment) else {
        return 0
    }
    _ = try? JSON.serialize(value)
    return 0
}
