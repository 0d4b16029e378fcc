// libFuzzer target: any bytes through the JSON reader must give a value or throw an FnError; a value
// that was read must serialize (or throw) and what serializes must read back.
// Compiled into the FnLanguage module by Tests/Fuzz/run.sh; language.swift dispatches to it.

func fuzzJSON(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let value = try? JSON.parse(bytes) else { return 0 }
    guard let written = try? JSON.serialize(value) else { return 0 }
    // The writer's output is JSON by construction; failing to read it back is a bug worth a crash.
    guard let again = try? JSON.parse(written) else {
        fatalError("serialized JSON does not parse: \(String(decoding: written.prefix(200), as: UTF8.self))")
    }
    // Reading is idempotent after one round: the second serialization equals the first.
    if let rewritten = try? JSON.serialize(again), rewritten != written {
        fatalError("JSON round trip not stable: \(String(decoding: written.prefix(200), as: UTF8.self)) vs "
            + String(decoding: rewritten.prefix(200), as: UTF8.self))
    }
    return 0
}
