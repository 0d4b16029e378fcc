#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The process environment and clock (`Sys.getenv`, `Sys.setenv`, `Sys.time`, `Sys.sleep`, `Sys.Date`) and
/// `stopifnot`. Times are shown in UTC, the time zone Lambda runs in.
extension BuiltinRegistry {
    mutating func registerSystem() {
        define("Sys.getenv", ["x", "unset", "names"]) { args, _ throws(FnError) in
            let unset = try args[1].map { v throws(FnError) -> String? in
                if case .character(nil) = v { return nil }
                if case .logical(NA.logical) = v { return nil }  // `unset = NA`
                return try Unpack.string(v, "unset")
            } ?? ""
            guard let x = args[0], !x.isNull else { return allEnvironment() }
            guard x.atomicType == .character, let s = x.storage else { throw FnError.runtime("wrong type for argument") }
            let keys = s.strings()
            let values: [String?] = keys.map { k in
                guard let k, let p = getenv(k) else { return unset }
                return String(cString: p)
            }
            let useNames: Bool
            if let n = args[2], let b = n.storage?.logicals().first, b != NA.logical { useNames = b != 0 } else {
                useNames = keys.count > 1
            }
            return Value(.character(values), names: useNames ? keys.map { $0 ?? "NA" } : nil)
        }
        define("Sys.setenv", ["..."]) { args, _ throws(FnError) in
            var out: [Int8] = []
            for (i, v) in args.dots.enumerated() {
                guard let name = args.dotNames[i], !name.isEmpty else {
                    throw FnError.runtime("all arguments must be named")
                }
                let value = characterElements(v).first.flatMap { $0 } ?? "NA"
                out.append(setenv(name, value, 1) == 0 ? 1 : 0)
            }
            return Value(.logical(out))
        }
        define("Sys.unsetenv", ["x"]) { args, _ throws(FnError) in
            let keys = characterElements(try args.required(0, "x"))
            return Value(.logical(keys.map { k in k.map { unsetenv($0) == 0 ? 1 : 0 } ?? 0 }))
        }
        define("Sys.time", []) { _, _ throws(FnError) in
            var ts = timespec()
            clock_gettime(CLOCK_REALTIME, &ts)
            let seconds = Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
            return .vector(Vector(.double([seconds]), classes: ["POSIXct", "POSIXt"]))
        }
        define("Sys.sleep", ["time"]) { args, ip throws(FnError) in
            // R reads the first element as a number (a string that is not one is NA, with R's warning).
            let v = try args.required(0, "time")
            let time = v.storage.flatMap { $0.doubles().first } ?? .nan
            if case .character(let strings)? = v.storage, strings.first != nil, strings[0] != nil, time.isNaN {
                ip.warn("NAs introduced by coercion")
            }
            guard !time.isNaN, time >= 0 else { throw FnError.runtime("invalid 'time' value") }
            // In slices, so an invocation's deadline (or Ctrl-C) ends the sleep as it ends a loop.
            func seconds() -> Double { Double(Clock.monotonicNanoseconds()) / 1e9 }
            let until = seconds() + min(time, 1e9)
            while true {
                if ip.cancellation.isCancelled {
                    throw FnError.cancelled()
                }
                let left = until - seconds()
                if left <= 0 { break }
                let slice = min(left, 0.05)
                var request = timespec(tv_sec: Int(slice), tv_nsec: Int((slice - slice.rounded(.down)) * 1e9))
                _ = nanosleep(&request, nil)  // woken early by a signal: the loop measures again
            }
            ip.visible = false
            return .null
        }
        define("Sys.Date", []) { _, _ throws(FnError) in
            var ts = timespec()
            clock_gettime(CLOCK_REALTIME, &ts)
            let days = (Double(ts.tv_sec) / 86400).rounded(.down)
            return .vector(Vector(.double([days]), classes: ["Date"]))
        }
        define("stopifnot", ["..."]) { args, _ throws(FnError) in
            for (i, v) in args.dots.enumerated() {
                let ok: Bool
                if case .logical(1) = v { continue }
                if v.atomicType == .logical, let s = v.storage {
                    ok = s.logicals().allSatisfy { $0 == 1 }
                } else {
                    ok = false
                }
                if ok { continue }
                if let name = args.dotNames[i], !name.isEmpty { throw FnError.runtime(name) }
                // The evaluator passes values, not expressions, so the argument is named by position.
                let verb = v.length == 1 ? "is not TRUE" : "are not all TRUE"
                throw FnError.runtime("argument \(i + 1) \(verb)")
            }
            return .null
        }
    }
}

/// `Sys.getenv()`: every variable, sorted by name, as a named character vector.
private func allEnvironment() -> Value {
    var pairs: [(String, String)] = []
    var p = environ
    while let entry = p.pointee {
        let text = String(cString: entry)
        if let eq = text.firstIndex(of: "=") {
            pairs.append((String(text[..<eq]), String(text[text.index(after: eq)...])))
        }
        p += 1
    }
    pairs.sort { collate($0.0, $1.0) < 0 }
    return Value(.character(pairs.map { $0.1 }), names: pairs.map { $0.0 })
}
