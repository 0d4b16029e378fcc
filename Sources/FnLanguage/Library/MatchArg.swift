/// R's `match.arg`: pick one of a set of strings by exact or unique partial match. The builtin is
/// the two-argument form; `match.arg(arg)` with choices from the caller's formals is a special form.
extension BuiltinRegistry {
    mutating func registerMatchArg() {
        define("match.arg", ["arg", "choices", "several.ok"]) { args, _ throws(FnError) in
            let arg = try args.required(0, "arg")
            let choices = try args.required(1, "choices")
            let severalOK = try Unpack.flag(args[2], "several.ok", default: false)
            return try MatchArg.match(arg, choices, severalOK: severalOK)
        }
    }
}

enum MatchArg {
    /// `match.arg(arg, choices, several.ok)` on values, with R's checks and messages.
    static func match(_ arg: Value, _ choices: Value, severalOK: Bool) throws(FnError) -> Value {
        let options = choices.isNull ? [] : characterElements(choices)
        if arg.isNull { return options.isEmpty ? .null : .character(options[0]) }
        guard arg.atomicType == .character else { throw FnError.runtime("'arg' must be NULL or a character vector") }
        let given = characterElements(arg)
        if !severalOK {
            // The default value itself (all the choices) means the first one.
            if given == options && arg.names == nil && choices.atomicType == .character {
                return .character(given[0])
            }
            if given.count > 1 { throw FnError.runtime("'arg' must be of length 1") }
        } else if given.isEmpty {
            throw FnError.runtime("'arg' must be of length >= 1")
        }
        let found = given.compactMap { g in g.flatMap { partialMatch($0, options) } }
        if found.isEmpty {
            var distinct: [String] = []
            for case let c? in options where !c.isEmpty && !distinct.contains(c) { distinct.append(c) }
            let list = distinct.map { "\u{201C}\($0)\u{201D}" }.joined(separator: ", ")
            throw FnError.runtime("'arg' should be \(distinct.count == 1 ? "" : "one of ")\(list)")
        }
        if !severalOK && found.count > 1 { throw FnError.runtime("there is more than one match in 'match.arg'") }
        return Value(.character(found.map { options[$0] }))
    }

    /// R's `pmatch` for one string: the exact match, else the only choice it is a prefix of.
    static func partialMatch(_ s: String, _ options: [String?]) -> Int? {
        if s.isEmpty { return nil }
        if let exact = options.firstIndex(where: { $0 == s }) { return exact }
        let prefixed = options.indices.filter { options[$0]?.hasPrefix(s) == true }
        return prefixed.count == 1 ? prefixed[0] : nil
    }

    /// A builtin's own option argument (`ties.method`), matched like `match.arg(arg)` against its
    /// choices; absent or `NULL` gives `fallback`.
    static func choice(_ v: Value?, _ options: [String], default fallback: String) throws(FnError) -> String {
        guard let v, !v.isNull else { return fallback }
        let r = try match(v, Value(.character(options)), severalOK: false)
        return characterElements(r).first.flatMap { $0 } ?? fallback
    }
}
