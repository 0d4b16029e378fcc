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
    // One round may normalise (as jsonlite does: the double -0 is written `-0`, which reads back as
    // the integer 0); after that, reading and writing must be a fixed point.
    guard let second = try? JSON.serialize(again) else {
        fatalError("JSON read back from fn's output does not serialize: \(String(decoding: written.prefix(200), as: UTF8.self))")
    }
    if let third = (try? JSON.parse(second)).flatMap({ try? JSON.serialize($0) }), third != second {
        fatalError("JSON round trip not stable: \(String(decoding: second.prefix(200), as: UTF8.self)) vs "
            + String(decoding: third.prefix(200), as: UTF8.self))
    }
    return 0
}
