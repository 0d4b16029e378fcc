// libFuzzer target: fn's regex engine (Sources/FnLanguage/Regex) through `Matcher`, as the builtins use it.
// Byte 0 holds the flags (bit 0 perl, bit 1 ignore.case, bit 2 fixed); the rest is the pattern, a NUL,
// then the text (with no NUL the pattern is its own text). Compiling may throw an FnError; a pattern
// that compiles must then give answers that agree with each other (see the checks below): a wrong
// answer is a crash here, like a trap or a sanitizer report.
// Compiled into the FnLanguage module by Tests/Fuzz/run.sh; language.swift dispatches to it.

/// The most thread steps one search may take here: the text is cut so that (program size) x (text
/// bytes + 1) stays below it, keeping every input well inside libFuzzer's timeout under ASan
/// (gsub is a search per match, so the whole run is bounded by matches x this).
private let regexFuzzBudget = 100_000

func fuzzRegex(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    var options = RegexOptions()
    options.perl = data[0] & 1 != 0
    options.ignoreCase = data[0] & 2 != 0
    options.fixed = data[0] & 4 != 0
    let rest = UnsafeBufferPointer(start: data + 1, count: size - 1)
    let cut = rest.firstIndex(of: 0)
    let pattern = String(decoding: rest[..<(cut ?? rest.count)], as: UTF8.self)
    let fullText = cut.map { String(decoding: rest[($0 + 1)...], as: UTF8.self) } ?? pattern

    let cached = try? Matcher(pattern, options, groups: .max)
    guard let syntax = try? RegexCache.syntax(pattern, options),
          let program = try? RegexProgram(syntax, pattern: pattern, perl: options.perl) else {
        check(cached == nil, "the cache compiled a pattern that does not compile", pattern, fullText)
        return 0
    }
    guard let cached else { fail("the cache rejected a pattern that compiles", pattern, fullText) }
    let text = prefix(fullText, bytes: regexFuzzBudget / program.code.count - 1)
    checkMachine(program, pattern, text)
    checkSelfMatch(text, options)
    // R special-cases an empty fixed pattern in each builtin; the matcher follows, so skip the rest.
    if cached.emptyLiteral {
        _ = (cached.matches(text), cached.allMatches(in: text), cached.split(text))
        return 0
    }
    checkMatcher(cached, syntax, options, pattern, text)
    return 0
}

/// The searches of the machine itself, in UTF-8 bytes: ranges inside the text, on scalar boundaries,
/// groups inside the match, `exists` agreeing with `best`, and the linear bound on the work.
private func checkMachine(_ program: RegexProgram, _ pattern: String, _ text: String) {
    var utf8 = text
    utf8.withUTF8 { bytes in
        let n = bytes.count
        var starts = [0, n]
        var middle = n / 2
        while middle < n && bytes[middle] & 0xC0 == 0x80 { middle += 1 }
        starts.append(middle)
        for start in starts {
            let machine = RegexMachine(program, groups: .max)
            let found = machine.search(bytes, from: start)
            let bound = 2 * program.code.count * (n - start + 1)
            check(machine.steps <= bound, "\(machine.steps) steps, more than \(bound)", pattern, text)
            let exists = RegexMachine(program, groups: 0).search(bytes, from: start, mode: .exists)
            check((found == nil) == (exists == nil), "exists and best disagree from \(start)", pattern, text)
            guard let found else { continue }
            check(found.lowerBound >= start && found.upperBound <= n, "match \(found) outside", pattern, text)
            let slots = machine.slots
            for k in stride(from: 0, to: slots.count, by: 2) {
                let (from, to) = (slots[k], slots[k + 1])
                if from == -1 && to == -1 && k > 0 { continue }
                check(from >= found.lowerBound && from <= to && to <= found.upperBound,
                      "group \(k / 2) at \(from)..<\(to) outside the match \(found)", pattern, text)
                for edge in [from, to] where edge < n {
                    check(bytes[edge] & 0xC0 != 0x80, "group \(k / 2) splits a scalar at \(edge)", pattern, text)
                }
            }
        }
    }
}

/// A literal pattern (escaped, or `fixed`) made from the text's first scalars finds exactly them.
private func checkSelfMatch(_ text: String, _ options: RegexOptions) {
    var literal = String.UnicodeScalarView()
    var pattern = ""
    for c in text.unicodeScalars.prefix(16) {
        // R's default engine (TRE) with ignore.case does not match a titlecase letter (U+01C5) to itself.
        if options.ignoreCase && !options.perl && RegexCase.lower(c) != c && RegexCase.upper(c) != c { return }
        literal.append(c)
        if !options.fixed && ".[]{}()*+?^$|\\".unicodeScalars.contains(c) { pattern.unicodeScalars.append("\\") }
        pattern.unicodeScalars.append(c)
    }
    guard !literal.isEmpty else { return }
    let subject = String(literal)
    guard let matcher = try? Matcher(pattern, options) else { fail("an escaped literal does not compile", pattern, subject) }
    let found = matcher.firstMatch(in: subject)
    check(found?.start == 0 && found?.length == literal.count, "a literal does not match itself: \(String(describing: found))",
          pattern, subject)
}

/// The Matcher operations against each other, in scalars.
private func checkMatcher(
    _ matcher: Matcher, _ syntax: RegexSyntax, _ options: RegexOptions, _ pattern: String, _ text: String
) {
    let scalars = Array(text.unicodeScalars)
    let n = scalars.count
    func piece(_ from: Int, _ to: Int) -> String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars[from..<to])
        return String(view)
    }
    let first = matcher.firstMatch(in: text)
    check(matcher.matches(text) == (first != nil), "matches and firstMatch disagree", pattern, text)
    let all = matcher.allMatches(in: text)
    var end = 0
    var lastEmptyAt = -1
    for m in all {
        check(m.start >= end && m.start > lastEmptyAt && m.length >= 0 && m.start + m.length <= n,
              "allMatches out of order or outside: \(all)", pattern, text)
        end = m.start + m.length
        if m.length == 0 { lastEmptyAt = m.start }
    }
    if text.isEmpty {
        check(all.isEmpty, "a match in the empty string reported by allMatches", pattern, text)
    } else {
        check(all.first?.start == first?.start && all.first?.length == first?.length,
              "allMatches does not begin with firstMatch", pattern, text)
    }

    // sub with a plain replacement: the first match and nothing else is replaced.
    let replaced = matcher.replace(text, Replacement("<>", perl: options.perl), all: false)
    let expected = first.map { piece(0, $0.start) + "<>" + piece($0.start + $0.length, n) } ?? text
    check(replaced == expected, "sub gave \(replaced), not \(expected)", pattern, text)

    // strsplit: with no match the string itself; the pieces never hold more than the text.
    let parts = matcher.split(text)
    if first == nil { check(parts == (text.isEmpty ? [] : [text]), "split without a match: \(parts)", pattern, text) }
    let partBytes = parts.reduce(0) { $0 + ($1?.utf8.count ?? 0) }
    check(partBytes <= text.utf8.count, "split made text: \(parts)", pattern, text)

    // The pattern wrapped in one more group matches the same, and `\\k` of that group is the match:
    // replacing every match by itself is the identity, and `\\U\\k` upper-cases exactly the matches.
    let group = syntax.captureCount + 1
    guard group <= 9 else { return }
    let wrapped = RegexSyntax(root: .group(syntax.root, capture: group), captureCount: group, hasLazy: syntax.hasLazy)
    guard let program = try? RegexProgram(wrapped, pattern: pattern, perl: options.perl) else { return }
    let inGroup = Matcher(program: program, groups: .max)
    let allWrapped = inGroup.allMatches(in: text)
    check(allWrapped.map { [$0.start, $0.length] } == all.map { [$0.start, $0.length] },
          "a group around the pattern changes its matches: \(allWrapped) against \(all)", pattern, text)
    for every in [false, true] {
        let same = inGroup.replace(text, Replacement("\\\(group)", perl: options.perl), all: every)
        check(same == text, "replacing by the whole match (all: \(every)) gave \(same)", pattern, text)
    }
    let upper = inGroup.replace(text, Replacement("\\U\\\(group)", perl: true), all: true)
    var expectedUpper = ""
    var at = 0
    for m in all where m.length > 0 {
        expectedUpper += piece(at, m.start) + piece(m.start, m.start + m.length).uppercased()
        at = m.start + m.length
    }
    expectedUpper += piece(at, n)
    check(upper == expectedUpper, "\\U gave \(upper), not \(expectedUpper)", pattern, text)
}

/// The longest prefix of `s` of at most `bytes` UTF-8 bytes that ends on a scalar boundary.
private func prefix(_ s: String, bytes: Int) -> String {
    guard s.utf8.count > bytes else { return s }
    var out = String.UnicodeScalarView()
    var used = 0
    for c in s.unicodeScalars {
        used += String(c).utf8.count
        if used > bytes { break }
        out.append(c)
    }
    return String(out)
}

private func check(_ condition: Bool, _ message: @autoclosure () -> String, _ pattern: String, _ text: String) {
    if !condition { fail(message(), pattern, text) }
}

private func fail(_ message: String, _ pattern: String, _ text: String) -> Never {
    fatalError("regex: \(message); pattern \(String(reflecting: pattern)), text \(String(reflecting: text))")
}
