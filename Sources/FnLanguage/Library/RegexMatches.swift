/// `gregexpr` and `regmatches`. R keeps match lengths in a `match.length` attribute, which fn
/// cannot have (only `names` and `class` exist), so `regexpr` and `gregexpr` return the match
/// starts named by the match lengths: `gregexpr("a+", "baaac")[[1]]` is `c("3" = 2L)`.
/// `regmatches` reads those names, so `regmatches(x, gregexpr(p, x))` works as in R.
extension BuiltinRegistry {
    mutating func registerRegexMatches() {
        define("gregexpr", ["pattern", "text", "ignore.case", "perl", "fixed", "useBytes"]) { args, ip throws(FnError) in
            let options = try RegexOptions(args, ignoreCase: 2, perl: 3, fixed: 4)
            let pattern = try Unpack.string(args[0], "pattern")
            let matcher = try Matcher(pattern, options, ip)
            var out: [Value] = []
            for s in characterElements(try args.required(1, "text")) {
                guard let s else {
                    out.append(Value(Vector(.integer([NA.integer]), names: ["NA"])))
                    continue
                }
                let found = matcher.allMatches(in: s)
                try matcher.throwIfCancelled()
                if found.isEmpty {
                    out.append(Value(Vector(.integer([-1]), names: ["-1"])))
                    continue
                }
                let starts = found.map { Int32($0.start + 1) }
                let lengths = found.map { String($0.length) }
                out.append(Value(Vector(.integer(starts), names: lengths)))
            }
            return .list(List(out))
        }
        define("regmatches", ["x", "m", "invert"]) { args, _ throws(FnError) in
            let x = try args.required(0, "x"), m = try args.required(1, "m")
            if let invert = args[2], try Unpack.flag(invert, "invert", default: false) {
                throw FnError.runtime("regmatches(): 'invert = TRUE' is not supported")
            }
            let strings = characterElements(x)
            if case .list(let l) = m {
                // gregexpr: one character vector of matches per string.
                guard l.count == strings.count else { throw FnError.runtime("'x' and 'm' must have the same length") }
                var out: [Value] = []
                for (s, e) in zip(strings, l.elements) {
                    let found = try matches(s, e)
                    out.append(Value(Vector(.character(found))))
                }
                return .list(List(out, names: x.names))
            }
            // regexpr: the matched substrings of the strings that matched.
            guard m.length == strings.count else { throw FnError.runtime("'x' and 'm' must have the same length") }
            var out: [String?] = []
            for (i, s) in strings.enumerated() {
                out += try matches(s, m.gathered([i]))
            }
            return Value(.character(out))
        }
    }
}

/// The substrings of `s` at the starts in `m`, whose names are the match lengths.
private func matches(_ s: String?, _ m: Value) throws(FnError) -> [String?] {
    guard let s else { return [] }
    guard let starts = m.storage?.integers(), let lengths = m.names?.map({ Int($0) }) else {
        throw FnError.runtime("'m' must come from regexpr() or gregexpr() on the same text")
    }
    let scalars = Array(s.unicodeScalars)
    var out: [String?] = []
    for (start, length) in zip(starts, lengths) {
        guard start != NA.integer, start > 0, let length, length >= 0 else { continue }
        let from = Int(start) - 1
        guard from + length <= scalars.count else {
            throw FnError.runtime("'m' does not match the text: a match runs past the end")
        }
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars[from..<(from + length)])
        out.append(String(view))
    }
    return out
}
