// libFuzzer target: any bytes through the JSON reader must give a value or throw an FnError; a value
// that was read must serialize (or throw) and what serializes must read back, twice.
// Compiled into the FnLanguage module by Tests/Fuzz/run.sh; language.swift dispatches to it.

func fuzzJSON(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let value = try? JSON.parse(bytes) else { return 0 }
    guard let written = try? JSON.serialize(value) else { return 0 }
    // The writer's output is JSON by construction; failing to read it back is a bug worth a crash.
    guard let again = try? JSON.parse(written) else {
        fatalError("serialized JSON does not parse: \(String(decoding: written.prefix(200), as: UTF8.self))")
    }
    // Reading and writing is lossy by design, as in jsonlite: `-0` reads as the integer 0, `[[x]]` as
    // list(x) which writes as `[x]`. So the property is only that fn's output always reads back.
    guard let second = try? JSON.serialize(again), (try? JSON.parse(second)) != nil else {
        fatalError("JSON read back from fn's output does not round trip: "
            + String(decoding: written.prefix(200), as: UTF8.self))
    }
    return 0
}
