// libFuzzer target: any bytes through the lexer and parser must return a program or throw an FnError.
// What parses must also deparse, and the deparsed text must parse again (a deparser that writes
// unreadable text would break `fn check` output and error messages).
// Compiled into the FnLanguage module by Tests/Fuzz/run.sh; language.swift dispatches to it.

func fuzzParse(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let source = SourceFile(name: "<fuzz>", bytes: Array(UnsafeBufferPointer(start: data, count: size)))
    _ = isIncompleteInput(source)
    guard let program = try? parse(source) else { return 0 }
    for expression in program.expressions {
        let text = expression.deparsed
        _ = try? parse(SourceFile(name: "<deparsed>", text: text))
    }
    return 0
}
