// The libFuzzer entry point for the FnLanguage targets: parse, json, eval, regex and rds share one binary (one
// build of the module instead of three); FN_FUZZ_TARGET, set by run.sh, picks the target.
import Glibc

let fuzzTarget: (UnsafePointer<UInt8>, Int) -> CInt = {
    switch getenv("FN_FUZZ_TARGET").map({ String(cString: $0) }) {
    case "parse": return fuzzParse
    case "json": return fuzzJSON
    case "eval": return fuzzEval
    case "regex": return fuzzRegex
    case "rds": return fuzzRDS
    default: fatalError("set FN_FUZZ_TARGET to parse, json, eval, regex or rds")
    }
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLanguage(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    fuzzTarget(data, size)
}
