import Testing
@testable import FnLanguage

private func deparse(_ text: String) -> String {
    do {
        let program = try parse(SourceFile(name: "<t>", text: text))
        return program.expressions.map(\.deparsed).joined(separator: "\n")
    } catch {
        return "ERR: \(error.message)"
    }
}

@Suite struct DeparseTests {
    /// Source and R's `deparse(parse(text = source)[[1]])` (produced by Rscript).
    static let cases: [(String, String)] = [
        ("f(x, y = 2)", "f(x, y = 2)"),
        ("x + y", "x + y"),
        ("a * b - c/d", "a * b - c/d"),
        ("x[[1]]", "x[[1]]"),
        ("x[1, ]", "x[1, ]"),
        ("x[]", "x[]"),
        ("f()", "f()"),
        ("f(a = )", "f(a = )"),
        ("function(x) x + 1", "function(x) x + 1"),
        ("function(x, y = 2, ...) NULL", "function(x, y = 2, ...) NULL"),
        ("\\(x) x", "function(x) x"),
        ("-2^2", "-2^2"),
        ("(-2)^2", "(-2)^2"),
        ("2^-1", "2^-1"),
        ("x %% y", "x%%y"),
        ("x %/% y", "x%/%y"),
        ("a %in% b", "a %in% b"),
        ("a %o% b", "a %o% b"),
        ("x:y", "x:y"),
        ("x$a", "x$a"),
        ("x@a", "x$a"),
        ("x$`a b`", "x$`a b`"),
        ("`my var` <- 1", "`my var` <- 1"),
        ("x <<- 1", "x <<- 1"),
        ("x = 1", "x <- 1"),
        ("1 -> x", "x <- 1"),
        (#""a\"b\n\t\\""#, #""a\"b\n\t\\""#),
        (#"'it\'s'"#, #""it's""#),
        (#""\001\177""#, #""\001\177""#),
        ("\"é\"", "\"é\""),
        ("if (a) b else c", "if (a) b else c"),
        ("if (a) b", "if (a) b"),
        ("for (i in 1:10) print(i)", "for (i in 1:10) print(i)"),
        ("while (TRUE) break", "while (TRUE) break"),
        ("repeat next", "repeat next"),
        ("{a; b}", "{\n    a\n    b\n}"),
        ("{}", "{\n}"),
        ("function(x) {x + 1}", "function(x) {\n    x + 1\n}"),
        ("if (a) {b} else {c}", "if (a) {\n    b\n} else {\n    c\n}"),
        ("function(x) {\n  if (x) {\n    y\n  }\n}", "function(x) {\n    if (x) {\n        y\n    }\n}"),
        ("f(x) <- 3", "f(x) <- 3"),
        ("x |> f(y)", "f(x, y)"),
        ("5", "5"),
        ("0.1", "0.1"),
        ("5L", "5L"),
        ("TRUE", "TRUE"),
        ("NA", "NA"),
        ("NULL", "NULL"),
        ("NA_character_", "NA_character_"),
        ("NA_integer_", "NA_integer_"),
        ("NA_real_", "NA_real_"),
        ("Inf", "Inf"),
        ("-(a + b)", "-(a + b)"),
        ("!(a & b)", "!(a & b)"),
        ("!a", "!a"),
        ("a && b || c", "a && b || c"),
        ("a == b", "a == b"),
        ("a <= b", "a <= b"),
        ("x[-1]", "x[-1]"),
        ("f(`a b` = 1)", "f(`a b` = 1)"),
        ("-x", "-x"),
        ("- -x", "--x"),
        ("`if`(a, b)", "`if`(a, b)"),
        ("x$`if`", "x$`if`"),
        ("`_x` + `1a` + .a + `.1`", "`_x` + `1a` + .a + `.1`"),
        ("jsonlite::toJSON(x)", "toJSON(x)"),
        ("(function(x) x)(1)", "(function(x) x)(1)"),
        ("a - (b - c)", "a - (b - c)"),
        ("(a <- 1) <- 2", "(a <- 1) <- 2"),
        ("x <- if (a) b else c", "x <- if (a) b else c"),
        ("!!a", "!!a"),
        ("-!a", "-!a"),
        ("a & !b", "a & !b"),
    ]

    @Test(arguments: cases) func matchesR(_ source: String, _ expected: String) {
        #expect(deparse(source) == expected, "\(source)")
    }

    /// Deparsed text parses back to the same tree (up to parentheses deparse adds).
    @Test(arguments: ParserTests.precedence.map(\.0)) func roundTrip(_ source: String) throws {
        let original = try parse(SourceFile(name: "<t>", text: source))
        for e in original.expressions {
            let text = e.deparsed
            let again = try parse(SourceFile(name: "<d>", text: text))
            #expect(again.expressions.count == 1, "\(text)")
            #expect(again.expressions.map { render($0, parens: false) } == [render(e, parens: false)],
                    "\(source) -> \(text)")
        }
    }

    /// Trees built without `.paren` nodes get the parentheses their precedence needs.
    @Test func parenthesesFromPrecedence() {
        func id(_ n: String) -> Expr { Expr(.identifier(n), .none) }
        func num(_ d: Double) -> Expr { Expr(.constant(.double(d)), .none) }
        let sum = Expr(.binary(.plus, id("a"), id("b")), .none)
        #expect(Expr(.binary(.times, sum, id("c")), .none).deparsed == "(a + b) * c")
        #expect(Expr(.binary(.minus, id("c"), sum), .none).deparsed == "c - (a + b)")
        #expect(Expr(.binary(.plus, sum, id("c")), .none).deparsed == "a + b + c")
        #expect(Expr(.binary(.power, Expr(.unary(.minus, num(1)), .none), num(2)), .none).deparsed == "(-1)^2")
        #expect(Expr(.binary(.power, num(-1), num(2)), .none).deparsed == "(-1)^2")
        let power = Expr(.binary(.power, id("a"), id("b")), .none)
        #expect(Expr(.binary(.power, power, id("c")), .none).deparsed == "(a^b)^c")
        #expect(Expr(.binary(.power, id("c"), power), .none).deparsed == "c^a^b")
        #expect(Expr(.unary(.minus, sum), .none).deparsed == "-(a + b)")
        #expect(Expr(.dollar(target: sum, name: "x"), .none).deparsed == "(a + b)$x")
        #expect(Expr(.call(callee: sum, arguments: []), .none).deparsed == "(a + b)()")
        let cmp = Expr(.binary(.less, id("a"), id("b")), .none)
        #expect(Expr(.binary(.less, cmp, id("c")), .none).deparsed == "(a < b) < c")
        let inner = Expr(.ifElse(condition: id("a"), then: id("b"), otherwise: nil), .none)
        #expect(Expr(.ifElse(condition: id("c"), then: inner, otherwise: id("d")), .none).deparsed
                == "if (c) (if (a) b) else d")
    }

    @Test func longChainsDeparseWithoutDeepRecursion() throws {
        let n = 100_000
        let program = try parse(SourceFile(name: "<t>", text: Array(repeating: "1", count: n).joined(separator: "+")))
        let text = program.expressions[0].deparsed
        #expect(text.utf8.count == n * 4 - 3)
        let indexed = try parse(SourceFile(name: "<t>", text: "x" + String(repeating: "[1]", count: n)))
        #expect(indexed.expressions[0].deparsed.hasPrefix("..."))
    }
}
