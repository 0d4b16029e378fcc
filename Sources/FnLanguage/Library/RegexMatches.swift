/// `gregexpr` and `regmatches`. As in R, `regexpr` and `gregexpr` return the match starts with
/// the lengths in a `match.length` attribute (and, when the pattern and text are ASCII,
/// `index.type` "chars" and `useBytes` TRUE), which `regmatches` reads.
extension BuiltinRegistry {
    mutating func registerRegexMatches() {
        define("gregexpr", ["pattern", "text", "ignore.case", "perl", "fixed", "useBytes"]) { args, ip throws(FnError) in
            let options = try RegexOptions(args, ignoreCase: 2, perl: 3, fixed: 4)
            let pattern = try Unpack.string(args[0], "pattern")
            let matcher = try Matcher(pattern, options, ip)
            var out: [Value] = []
            let texts = characterElements(try args.required(1, "text"))
            let ascii = allASCII(pattern, texts)
            for s in texts {
                guard let s else {
                    out.append(regexMatches([NA.integer], [NA.integer], ascii: false))
                    continue
                }
                let found = matcher.allMatches(in: s)
                try matcher.throwIfCancelled()
                if found.isEmpty {
                    out.append(regexMatches([-1], [-1], ascii: ascii))
                    continue
                }
                out.append(regexMatches(found.map { Int32($0.start + 1) }, found.map { Int32($0.length) }, ascii: ascii))
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
                    let (starts, lengths) = try matchPositions(e)
                    let found = try matches(s, starts, lengths)
                    out.append(Value(Vector(.character(found))))
                }
                return .list(List(out, names: x.names))
            }
            // regexpr: the matched substrings of the strings that matched.
            guard m.length == strings.count else { throw FnError.runtime("'x' and 'm' must have the same length") }
            let (starts, lengths) = try matchPositions(m)
            var out: [String?] = []
            for (i, s) in strings.enumerated() {
                out += try matches(s, [starts[i]], [lengths[i]])
            }
            return Value(.character(out))
        }
    }
}

/// The result of `regexpr` (or one element of `gregexpr`'s): match starts with their lengths in
/// `match.length`; R adds `index.type` and `useBytes` when the pattern and text are all ASCII.
func regexMatches(_ starts: [Int32], _ lengths: [Int32], ascii: Bool) -> Value {
    var attributes = AttributeList([("match.length", Value(Vector(.integer(lengths))))])
    if ascii {
        attributes["index.type"] = .character("chars")
        attributes["useBytes"] = .logical(1)
    }
    return .vector(Vector(.integer(starts), names: nil, attributes: attributes))
}

/// Whether the pattern and every string that is not NA are ASCII.
func allASCII(_ pattern: String, _ texts: [String?]) -> Bool {
    pattern.utf8.allSatisfy { $0 < 128 } && texts.allSatisfy { $0?.utf8.allSatisfy { $0 < 128 } ?? true }
}

/// The match starts of `m` and its `match.length` attribute.
private func matchPositions(_ m: Value) throws(FnError) -> ([Int32], [Int32]) {
    guard let starts = m.storage?.integers(), let lengths = m.attribute("match.length")?.storage?.integers(),
          lengths.count == starts.count else {
        throw FnError.runtime("'m' must come from regexpr() or gregexpr() on the same text")
    }
    return (starts, lengths)
}

/// The substrings of `s` at `starts` with these lengths.
private func matches(_ s: String?, _ starts: [Int32], _ lengths: [Int32]) throws(FnError) -> [String?] {
    guard let s else { return [] }
    let scalars = Array(s.unicodeScalars)
    var out: [String?] = []
    for (start, length32) in zip(starts, lengths) {
        let length = Int(length32)
        guard start != NA.integer, start > 0, length32 != NA.integer, length >= 0 else { continue }
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
