import Testing
@testable import FnLanguage

/// Fully parenthesised rendering of a tree, in the same notation as the R script used to produce the
/// expected strings (`fp()` over `parse(text=)`): binary and assignment nodes as `(l op r)`, unary as
/// `(-x)`, `[(x, i)` for indexing, `if(c, a, b)` for keyword forms. `=` and `->` show as `<-`.
func render(_ e: Expr, parens: Bool = true) -> String {
    func render(_ e: Expr) -> String { FnLanguageTests.render(e, parens: parens) }
    func argument(_ a: Argument) -> String { (a.name.map { $0 + "=" } ?? "") + (a.value.map(render) ?? "") }
    switch e.kind {
    case .constant:
        return e.deparsed
    case .identifier(let name):
        return name
    case .call(let callee, let arguments):
        let head: String
        if case .identifier(let name) = callee.kind { head = name } else { head = "{" + render(callee) + "}" }
        return head + "(" + arguments.map(argument).joined(separator: ", ") + ")"
    case .unary(let op, let x):
        return "(" + op.symbol + render(x) + ")"
    case .binary(let op, let l, let r):
        return "(" + render(l) + " " + op.symbol + " " + render(r) + ")"
    case .assign(let target, let value, let superAssign):
        return "(" + render(target) + (superAssign ? " <<- " : " <- ") + render(value) + ")"
    case .index(let target, let arguments, let double):
        return (double ? "[[(" : "[(") + ([render(target)] + arguments.map(argument)).joined(separator: ", ") + ")"
    case .dollar(let target, let name):
        return "(" + render(target) + " $ " + name + ")"
    case .function(let parameters, let body):
        let ps = parameters.map { p in p.name + (p.defaultValue.map { "=" + render($0) } ?? "") }
        return "function(" + ps.joined(separator: ", ") + ") " + render(body)
    case .block(let items):
        return "{" + items.map(render).joined(separator: "; ") + "}"
    case .paren(let x):
        return parens ? "(" + render(x) + ")" : render(x)
    case .ifElse(let c, let t, let o):
        return "if(" + ([c, t] + (o.map { [$0] } ?? [])).map(render).joined(separator: ", ") + ")"
    case .forLoop(let v, let s, let b):
        return "for(" + v + ", " + render(s) + ", " + render(b) + ")"
    case .whileLoop(let c, let b):
        return "while(" + render(c) + ", " + render(b) + ")"
    case .repeatLoop(let b):
        return "repeat(" + render(b) + ")"
    case .breakLoop:
        return "break()"
    case .nextLoop:
        return "next()"
    }
}

/// Parses `text` and renders each top-level expression, joined by ` ;; `; a syntax error renders as
/// `ERR: line:col: message`.
func parsed(_ text: String) -> String {
    do {
        let program = try parse(SourceFile(name: "<t>", text: text))
        return program.expressions.map { render($0) }.joined(separator: " ;; ")
    } catch {
        return "ERR: " + errorLine(error)
    }
}

/// `line:col: message` of a syntax error.
func errorLine(_ error: FnError) -> String {
    let firstLine = error.description.split(separator: "\n", omittingEmptySubsequences: false)[0]
    return String(firstLine.dropFirst("<t>:".count))
}

func parseError(_ bytes: [UInt8]) -> String {
    do {
        _ = try parse(SourceFile(name: "<t>", bytes: bytes))
        return "no error"
    } catch {
        return errorLine(error)
    }
}

@Suite struct ParserTests {
    /// Source and its tree as GNU R 4 parses it (expected strings produced by Rscript).
    static let precedence: [(String, String)] = [
        ("x <- y = 5", "((x <- y) <- 5)"),
        ("x = y <- 5", "(x <- (y <- 5))"),
        ("a = b -> c", "(a <- (c <- b))"),
        ("a <- b -> c", "(a <- (c <- b))"),
        ("a -> b -> c", "(c <- (b <- a))"),
        ("a ->> b", "(b <<- a)"),
        ("a <<- b", "(a <<- b)"),
        ("x ->> y <- 1", "((y <<- x) <- 1)"),
        ("a = b = c", "(a <- (b <- c))"),
        ("a <- b <- c", "(a <- (b <- c))"),
        ("-2^2", "(-(2 ^ 2))"),
        ("-1:3", "((-1) : 3)"),
        ("!x == y", "(!(x == y))"),
        ("2^-1", "(2 ^ (-1))"),
        ("a %in% b * 2", "((a %in% b) * 2)"),
        ("a ^ -b + c", "((a ^ (-b)) + c)"),
        ("a ^ -b ^ c", "(a ^ (-(b ^ c)))"),
        ("a == !b & c", "((a == (!b)) & c)"),
        ("-a:b^c", "((-a) : (b ^ c))"),
        ("a:-b", "(a : (-b))"),
        ("!a + b", "(!(a + b))"),
        ("a + !b", "(a + (!b))"),
        ("-!a + b", "(-(!(a + b)))"),
        ("!-a + b", "(!((-a) + b))"),
        ("!a & b", "((!a) & b)"),
        ("a || b && c", "(a || (b && c))"),
        ("a | b & c", "(a | (b & c))"),
        ("a & b | c && d || e", "(((a & b) | (c && d)) || e)"),
        ("a || b | c", "((a || b) | c)"),
        ("-a$b", "(-(a $ b))"),
        ("-a[1]^2", "(-([(a, 1) ^ 2))"),
        ("2^3^4", "(2 ^ (3 ^ 4))"),
        ("x**2**3", "(x ^ (2 ^ 3))"),
        ("a - b - c", "((a - b) - c)"),
        ("a / b * c", "((a / b) * c)"),
        ("1 - -1", "(1 - (-1))"),
        ("- - 1", "(-(-1))"),
        ("!!a", "(!(!a))"),
        ("a %o% b %o% c", "((a %o% b) %o% c)"),
        ("a + b %o% c", "(a + (b %o% c))"),
        ("a : b %o% c", "((a : b) %o% c)"),
        ("a:b:c", "((a : b) : c)"),
        ("x %% y %/% z", "((x %% y) %/% z)"),
        ("x %/% y * z", "((x %/% y) * z)"),
        ("a * b %% c", "(a * (b %% c))"),
        ("x |> f()", "f(x)"),
        ("x |> f(y)", "f(x, y)"),
        ("x |> f(y) |> g()", "g(f(x, y))"),
        ("-x |> f()", "f((-x))"),
        ("x |> f() + 1", "(f(x) + 1)"),
        ("a + x |> f()", "(a + f(x))"),
        ("a:b |> f()", "f((a : b))"),
        ("x[[1]][2]", "[([[(x, 1), 2)"),
        ("x[y[1]]", "[(x, [(y, 1))"),
        ("a[[b[[1]]]]", "[[(a, [[(b, 1))"),
        ("x[[1] ]", "[[(x, 1)"),
        ("f()()", "{f()}()"),
        ("f(x)[1]$a", "([(f(x), 1) $ a)"),
        ("x$a$b", "((x $ a) $ b)"),
        ("x@a$b", "((x $ a) $ b)"),
        ("a$b(1)", "{(a $ b)}(1)"),
        ("x$'a b'", "(x $ a b)"),
        ("f(a = 1, b)", "f(a=1, b)"),
        ("f(a = , b)", "f(a=, b)"),
        ("f(,)", "f(, )"),
        ("f(, a)", "f(, a)"),
        ("f(a, )", "f(a, )"),
        ("x[1, ]", "[(x, 1, )"),
        ("x[, 1]", "[(x, , 1)"),
        ("x[]", "[(x, )"),
        ("x[[]]", "[[(x, )"),
        ("x[a = 1]", "[(x, a=1)"),
        ("f('a' = 1, `b c` = 2)", "f(a=1, b c=2)"),
        ("f(NULL = 1)", "f(NULL=1)"),
        ("'f'(1)", "f(1)"),
        ("f(a <- 1)", "f((a <- 1))"),
        ("f(a = b <- 1)", "f(a=(b <- 1))"),
        ("x[1] <- 2", "([(x, 1) <- 2)"),
        ("names(x)[2] <- 'a'", "([(names(x), 2) <- \"a\")"),
        ("x$a$b <- 1", "(((x $ a) $ b) <- 1)"),
        ("f(x) <- v", "(f(x) <- v)"),
        ("'x' <- 1", "(x <- 1)"),
        ("1 -> 'x'", "(x <- 1)"),
        ("(a = 1)", "((a <- 1))"),
        ("{a = 1; b <- 2}", "{(a <- 1); (b <- 2)}"),
        ("((1))", "((1))"),
        ("a < b", "(a < b)"),
        ("a > b", "(a > b)"),
        ("a <= b", "(a <= b)"),
        ("a >= b", "(a >= b)"),
        ("a != b", "(a != b)"),
        ("a == b + 1", "(a == (b + 1))"),
        ("a + 1 == b", "((a + 1) == b)"),
        ("a & b == c", "(a & (b == c))"),
        ("-a * b", "((-a) * b)"),
        ("-(a * b)", "(-((a * b)))"),
        ("+a", "(+a)"),
        ("a * -b", "(a * (-b))"),
        ("a - (b - c)", "(a - ((b - c)))"),
        ("(a - b) - c", "(((a - b)) - c)"),
        ("2 ^ (3 ^ 4)", "(2 ^ ((3 ^ 4)))"),
        ("(2 ^ 3) ^ 4", "(((2 ^ 3)) ^ 4)"),
        ("-2 ^ -2", "(-(2 ^ (-2)))"),
        ("a^b[1]", "(a ^ [(b, 1))"),
        ("a^b$c", "(a ^ (b $ c))"),
        ("a^f(x)", "(a ^ f(x))"),
        ("-f(x)", "(-f(x))"),
        ("!f(x)", "(!f(x))"),
        ("x[-1]", "[(x, (-1))"),
        ("x[-(1:2)]", "[(x, (-((1 : 2))))"),
        ("1:10 * 2", "((1 : 10) * 2)"),
        ("1:n-1", "((1 : n) - 1)"),
        ("a <- -1", "(a <- (-1))"),
        ("TRUE & NA", "(TRUE & NA)"),
        ("NULL", "NULL"),
        ("x[[i]][[j]] <- v", "([[([[(x, i), j) <- v)"),
        ("x <- NA_character_", "(x <- NA_character_)"),
        ("1 +\n 2", "(1 + 2)"),
        ("1\n+2", "1 ;; (+2)"),
        ("x <-\n 3", "(x <- 3)"),
        ("-\n1", "(-1)"),
        ("!\nx", "(!x)"),
        ("x$\na", "(x $ a)"),
        ("if (a)\n b", "if(a, b)"),
        ("if (a) b else\n c", "if(a, b, c)"),
        ("if (a) b\n\n", "if(a, b)"),
        ("if\n(a) b", "if(a, b)"),
        ("for (i in 1:3)\n i", "for(i, (1 : 3), i)"),
        ("while (TRUE)\n 1", "while(TRUE, 1)"),
        ("repeat\n break", "repeat(break())"),
        ("{a\nb}", "{a; b}"),
        ("{a;b}", "{a; b}"),
        ("{a;;b}", "{a; b}"),
        ("{;}", "{}"),
        ("{1;}", "{1}"),
        ("{}", "{}"),
        ("{\n}", "{}"),
        ("{\n 1\n ;\n 2}", "{1; 2}"),
        ("(a\n+b)", "((a + b))"),
        ("f(a\n,b)", "f(a, b)"),
        ("f(a\n=\n1)", "f(a=1)"),
        ("x[a\n]", "[(x, a)"),
        ("x[[a\n]\n]", "[[(x, a)"),
        ("f\n(1)", "f ;; (1)"),
        ("(f\n(1))", "(f(1))"),
        ("(x\n[1])", "([(x, 1))"),
        ("1;2", "1 ;; 2"),
        ("1;\n2", "1 ;; 2"),
        ("{if (a) b\nelse c}", "{if(a, b, c)}"),
        ("{if (a) b\n#c\n\nelse c}", "{if(a, b, c)}"),
        ("(if (a) b\nelse c)", "(if(a, b, c))"),
        ("f(if (a) b\nelse c)", "f(if(a, b, c))"),
        ("{x <- if (a) b\n else c}", "{(x <- if(a, b, c))}"),
        ("{if (a) if (b) 1\n else 2}", "{if(a, if(b, 1, 2))}"),
        ("if (a) if (b) 1 else 2", "if(a, if(b, 1, 2))"),
        ("{if (a) 1\n}", "{if(a, 1)}"),
        ("{if (a) 1\n2}", "{if(a, 1); 2}"),
        ("if (a) b else c + 1", "if(a, b, (c + 1))"),
        ("x <- if (a) b else c", "(x <- if(a, b, c))"),
        ("if (a) b <- 1 else c <- 2", "if(a, (b <- 1), (c <- 2))"),
        ("if (a) x = 1 else y = 2", "if(a, (x <- 1), (y <- 2))"),
        ("f(if (a) x = 1)", "f(if(a, (x <- 1)))"),
        ("while (a) b <- 1", "while(a, (b <- 1))"),
        ("repeat x = 1", "repeat((x <- 1))"),
        ("for (i in x) y = i", "for(i, x, (y <- i))"),
        ("{x\ny}", "{x; y}"),
        ("a <- {1}", "(a <- {1})"),
        ("{1}(2)", "{{1}}(2)"),
        ("TRUE", "TRUE"),
        ("T", "T"),
        ("Inf", "Inf"),
        ("NaN", "NaN"),
        ("NA", "NA"),
        ("NA_integer_", "NA_integer_"),
        ("NA_real_", "NA_real_"),
        ("break", "break()"),
        ("next", "next()"),
        ("x\n\n\ny", "x ;; y"),
        ("# only a comment\nx # trailing", "x"),
        // Formulas: `~` binds looser than `|` and tighter than assignment, as in R.
        ("a ~ b", "~(a, b)"),
        ("~ b + c", "~((b + c))"),
        ("y ~ x | g", "~(y, (x | g))"),
        ("f <- y ~ x", "(f <- ~(y, x))"),
    ]

    @Test(arguments: precedence) func matchesR(_ source: String, _ expected: String) {
        #expect(parsed(source) == expected, "\(source)")
    }

    @Test func functions() {
        #expect(parsed("function(a, b = 1, ...) a + b") == "function(a, b=1, ...) (a + b)")
        #expect(parsed("\\(x) x + 1") == "function(x) (x + 1)")
        #expect(parsed("\\(x) \\(y) x + y") == "function(x) function(y) (x + y)")
        #expect(parsed("f <- function(x)\n x") == "(f <- function(x) x)")
        #expect(parsed("function(x) x <- 1") == "function(x) (x <- 1)")
        #expect(parsed("function(x) x\n(1)") == "function(x) x ;; (1)")
        #expect(parsed("(function(x) x)(1)") == "{(function(x) x)}(1)")
        #expect(parsed("lapply(xs, function(x) x + 1, 2)") == "lapply(xs, function(x) (x + 1), 2)")
        #expect(parsed("function(x = y <- 1) 1") == "function(x=(y <- 1)) 1")
        #expect(parsed("function() 1 + function() 2") == "function() (1 + function() 2)")
        #expect(parsed("function(x) if (x) 1 else 2 + 3") == "function(x) if(x, 1, (2 + 3))")
        #expect(parsed("f(function(x) y = 1)") == "f(function(x) (y <- 1))")
    }

    @Test func namespacesAndStrings() {
        #expect(parsed("jsonlite::toJSON(x)") == "toJSON(x)")
        #expect(parsed("base:::`+`(1, 2)") == "+(1, 2)")
        #expect(parsed("a::'b'") == "b")
        #expect(parsed("'a'::b") == "b")
        #expect(parsed("-a::b$c") == "(-(b $ c))")
        #expect(parsed("`a b`(1)") == "a b(1)")
        #expect(parsed("x$`a b` <- 1") == "((x $ a b) <- 1)")
        #expect(parsed("x$\"\"") == "(x $ )")
    }

    @Test func pipeToACall() throws {
        let program = try parse(SourceFile(name: "<t>", text: "x |> f(y = 2)"))
        guard case .call(let callee, let arguments) = program.expressions[0].kind else {
            Issue.record("not a call")
            return
        }
        guard case .identifier("f") = callee.kind else { Issue.record("callee"); return }
        #expect(arguments.count == 2)
        #expect(arguments[0].name == nil)
        #expect(arguments[1].name == "y")
    }

    @Test func emptyArgumentsHaveNoValue() throws {
        let program = try parse(SourceFile(name: "<t>", text: "f(a = , , b)"))
        guard case .call(_, let arguments) = program.expressions[0].kind else { Issue.record("call"); return }
        #expect(arguments.map(\.name) == ["a", nil, nil])
        #expect(arguments.map { $0.value == nil } == [true, true, false])
    }

    @Test func spansAreByteOffsets() throws {
        let source = SourceFile(name: "<t>", text: "é <- f(x, 10)")
        let program = try parse(source)
        let e = program.expressions[0]
        #expect(e.span == Span(start: 0, end: 14))
        guard case .assign(let target, let value, _) = e.kind else { Issue.record("assign"); return }
        #expect(source.text(target.span) == "é")
        #expect(source.text(value.span) == "f(x, 10)")
        #expect(source.location(of: value.span.start) == (1, 6))
    }

    @Test func constants() throws {
        func value(_ text: String) throws -> Value {
            let program = try parse(SourceFile(name: "<t>", text: text))
            guard case .constant(let v) = program.expressions[0].kind else { throw FnError.runtime("not constant") }
            return v
        }
        if case .logical(1) = try value("TRUE") {} else { Issue.record("TRUE") }
        if case .logical(0) = try value("FALSE") {} else { Issue.record("FALSE") }
        if case .null = try value("NULL") {} else { Issue.record("NULL") }
        if case .double(let d) = try value("Inf") { #expect(d == .infinity) } else { Issue.record("Inf") }
        if case .double(let d) = try value("NaN") { #expect(d.isNaN && !NA.isNA(d)) } else { Issue.record("NaN") }
        if case .logical(NA.logical) = try value("NA") {} else { Issue.record("NA") }
        if case .integer(NA.integer) = try value("NA_integer_") {} else { Issue.record("NA_integer_") }
        if case .double(let d) = try value("NA_real_") { #expect(NA.isNA(d)) } else { Issue.record("NA_real_") }
        if case .character(nil) = try value("NA_character_") {} else { Issue.record("NA_character_") }
        if case .character("a\nb") = try value("'a\\nb'") {} else { Issue.record("string") }
        #expect(parsed("T <- F") == "(T <- F)")
    }

    /// Errors, located as R locates them (R puts "end of input" on the line after the text; we put it
    /// just past the last character).
    static let errors: [(String, String)] = [
        ("a b", "1:3: unexpected symbol"),
        ("1 2", "1:3: unexpected numeric constant"),
        ("1 TRUE", "1:3: unexpected numeric constant"),
        ("1 NULL", "1:3: unexpected 'NULL'"),
        ("1 'a'", "1:3: unexpected string constant"),
        ("if (a) b\nelse c", "2:1: unexpected 'else'"),
        ("function(x) if (x) 1\nelse 2", "2:1: unexpected 'else'"),
        ("else", "1:1: unexpected 'else'"),
        (")", "1:1: unexpected ')'"),
        ("(1))", "1:4: unexpected ')'"),
        ("1 +", "1:4: unexpected end of input"),
        ("f(", "1:3: unexpected end of input"),
        ("{\n", "2:1: unexpected end of input"),
        ("x <- <- 1", "1:6: unexpected assignment"),
        ("<<- 1", "1:1: unexpected assignment"),
        ("-> 1", "1:1: unexpected '->'"),
        ("= 1", "1:1: unexpected '='"),
        ("* 1", "1:1: unexpected '*'"),
        ("%% 1", "1:1: unexpected SPECIAL"),
        ("|> f()", "1:1: unexpected '|>'"),
        ("[[", "1:1: unexpected '[['"),
        ("x\n[1]", "2:1: unexpected '['"),
        ("in", "1:1: unexpected 'in'"),
        ("$ a", "1:1: unexpected '$'"),
        (", 1", "1:1: unexpected ','"),
        ("%a", "1:1: unexpected input"),
        ("a %b", "1:3: unexpected input"),
        ("a # b\n ^ c", "2:2: unexpected '^'"),
        ("1 < 2 < 3", "1:7: unexpected '<'"),
        ("1 == 2 == 3", "1:8: unexpected '=='"),
        ("a < b > c", "1:7: unexpected '>'"),
        ("a == b + c < d", "1:12: unexpected '<'"),
        ("f(g(x) = 1)", "1:8: unexpected '='"),
        ("f(a+b = 2)", "1:7: unexpected '='"),
        ("f(a = b = 1)", "1:9: unexpected '='"),
        ("if (x = 1) 2", "1:7: unexpected '='"),
        ("while (x = 1) 2", "1:10: unexpected '='"),
        ("for (i in x = 1) 2", "1:13: unexpected '='"),
        ("function(x = y = 1) 1", "1:16: unexpected '='"),
        ("x |> f", "1:6: The pipe operator requires a function call as RHS"),
        ("x |> (f())", "1:6: The pipe operator requires a function call as RHS"),
        ("function(a, a) 1", "1:13: repeated formal argument 'a'"),
        ("function(..., ...) 1", "1:15: repeated formal argument '...'"),
        ("?x", "1:1: the help operator '?' is not supported"),
        ("x$1", "1:3: unexpected numeric constant"),
        ("x$NULL", "1:3: unexpected 'NULL'"),
        ("x$if", "1:3: unexpected 'if'"),
        ("a::b::c", "1:5: unexpected '::'"),
        ("1;;2", "1:3: unexpected ';'"),
        (";", "1:1: unexpected ';'"),
        ("a <- ;", "1:6: unexpected ';'"),
        ("((1);(2))", "1:5: unexpected ';'"),
        ("x[1;2]", "1:4: unexpected ';'"),
        ("\\x", "1:2: unexpected symbol"),
        ("x[[1]]]", "1:7: unexpected ']'"),
        ("{1\n}\n}", "3:1: unexpected '}'"),
        ("1.2.3", "1:4: unexpected numeric constant"),
        ("1e", "1:1: unexpected input"),
        ("1e+", "1:1: unexpected input"),
        ("0x", "1:1: unexpected input"),
        (".2a", "1:3: unexpected symbol"),
        ("1i", "1:1: complex numbers are not supported"),
        ("if x", "1:4: unexpected symbol"),
        ("for i in x", "1:5: unexpected symbol"),
        ("for (1 in x) 1", "1:6: unexpected numeric constant"),
        ("for (i x) 1", "1:8: unexpected symbol"),
        ("function(1) 1", "1:10: unexpected numeric constant"),
        ("function(x y) 1", "1:12: unexpected symbol"),
        ("function(x, 'a') 1", "1:13: unexpected string constant"),
        ("f(1 2)", "1:5: unexpected numeric constant"),
        ("1 +\n\n 2 3", "3:4: unexpected numeric constant"),
        ("if (a) 1 else\n\n 2 3", "3:4: unexpected numeric constant"),
        ("`` <- 1", "1:1: attempt to use zero-length variable name"),
        ("f(`` = 1)", "1:3: attempt to use zero-length variable name"),
        ("f(\"\" = 1)", "1:3: attempt to use zero-length variable name"),
        ("'abc", "1:1: unexpected INCOMPLETE_STRING"),
        ("x <- \"abc\ndef", "1:6: unexpected INCOMPLETE_STRING"),
        ("r\"(abc)", "1:1: unexpected INCOMPLETE_STRING"),
        ("r\"abc\"", "1:1: malformed raw string literal"),
        ("'\\q'", "1:2: '\\q' is an unrecognized escape in character string"),
        ("x <- 'a\\é'", "1:8: '\\é' is an unrecognized escape in character string"),
        ("'\\0'", "1:2: nul character not allowed"),
        ("'\\x00'", "1:2: nul character not allowed"),
        ("'\\u0000'", "1:2: nul character not allowed"),
        ("'\\777'", "1:2: exceeded maximum allowed octal value \\377"),
        ("'\\x'", "1:2: '\\x' used without hex digits in character string"),
        ("'\\xg'", "1:2: '\\x' used without hex digits in character string"),
        ("'\\u{41'", "1:2: invalid \\u{xxxx} sequence (missing '}')"),
        ("'\\U{110000}'", "1:2: invalid Unicode code point \\U110000 in character string"),
        ("'\\uD800'", "1:2: invalid Unicode code point \\ud800 in character string"),
        ("'\\xff'", "1:1: string contains invalid UTF-8 (from \\x or octal escapes)"),
        ("é b", "1:3: unexpected symbol"),
        ("x ¤ y", "1:3: unexpected input"),
        ("x _y", "1:3: unexpected input"),
    ]

    @Test(arguments: errors) func errorMessage(_ source: String, _ expected: String) {
        #expect(parsed(source) == "ERR: " + expected, "\(source)")
    }

    @Test func errorDescriptionShowsTheLineAndACaret() {
        do {
            _ = try parse(SourceFile(name: "handler.fn", text: "x <- 1\ny <- x y\n"))
            Issue.record("no error")
        } catch {
            #expect(error.kind == .syntax)
            #expect(error.description == "handler.fn:2:8: unexpected symbol\ny <- x y\n       ^")
        }
    }

    @Test func invalidBytesAreSyntaxErrors() {
        #expect(parseError([0x61, 0x20, 0xFF]) == "1:3: invalid UTF-8 byte 0xFF in source")
        #expect(parseError([0x0A, 0x27, 0xC3, 0x28, 0x27]) == "2:2: invalid UTF-8 byte 0xC3 in source")
        #expect(parseError([0x61, 0x00]) == "1:2: nul character not allowed")
        #expect(parseError([0x23, 0x20, 0xED, 0xA0, 0x80]) == "1:3: invalid UTF-8 byte 0xED in source")
        #expect(parseError(Array("x <- 'é'".utf8)) == "no error")
    }

    @Test func incompleteInput() {
        func incomplete(_ text: String) -> Bool { isIncompleteInput(SourceFile(name: "<repl>", text: text)) }
        for text in ["1 +", "f(1,", "x[[1]", "{", "{\n x <- 1\n", "'abc", "\"a\nb", "`abc", "r\"(x", "if (x)",
                     "if (x) 1 else", "function(x)", "\\(x)", "x <-", "for (i in 1:3)", "while (TRUE)", "repeat",
                     "x |>", "-", "!", "x$", "f(a =", "(1 +\n 2", "# c\n1 *\n"] {
            #expect(incomplete(text), "\(text)")
        }
        for text in ["", "1", "1 + 2", "if (x) 1", "f(1)", "x <- 1\n", "# only a comment", "1 2", ")", "%a",
                     "'\\q", "1 +\n 2 3", "if (x) 1\nelse", "function(a, a)"] {
            #expect(!incomplete(text), "\(text)")
        }
    }
}

/// Inputs that would overflow the stack of a naive recursive parser.
@Suite struct ParserLimitTests {
    static let tooDeep = "1:257: expression nested too deeply (limit 256)"

    @Test func deepNestingIsAnErrorNotACrash() {
        let n = 100_000
        for open in ["(", "{", "-", "!", "f(", "x[", "x[[", "if (a) ", "function() ", "+", "\\() "] {
            let result = parsed(String(repeating: open, count: n) + "1")
            #expect(result.hasPrefix("ERR: 1:") && result.hasSuffix("expression nested too deeply (limit 256)"),
                    "\(open): \(result.prefix(80))")
        }
        #expect(parsed(String(repeating: "(", count: n)) == "ERR: " + ParserLimitTests.tooDeep)
        #expect(parsed(String(repeating: "a <- ", count: n) + "1").hasSuffix("expression nested too deeply (limit 256)"))
        #expect(parsed(Array(repeating: "2", count: n).joined(separator: "^")).hasSuffix("(limit 256)"))
    }

    @Test func nestingUpToTheLimitParses() {
        let depth = 200
        let text = String(repeating: "(", count: depth) + "1" + String(repeating: ")", count: depth)
        #expect(parsed(text) == text)
    }

    @Test func longLeftAssociativeChainsParse() throws {
        let n = 100_000
        let sum = Array(repeating: "1", count: n).joined(separator: " + ")
        let program = try parse(SourceFile(name: "<t>", text: sum))
        var terms = 1
        var node = program.expressions[0]
        while case .binary(.plus, let left, _) = node.kind {
            terms += 1
            node = left
        }
        #expect(terms == n)
        let chained = "x" + String(repeating: "[1]", count: n) + String(repeating: "$a", count: n)
        #expect(throws: Never.self) { _ = try parse(SourceFile(name: "<t>", text: chained)) }
    }

    @Test func manyStatementsParse() throws {
        let text = String(repeating: "x <- f(x, 'a', 1.5) + y[[2]]\n", count: 20_000)
        let program = try parse(SourceFile(name: "<t>", text: text))
        #expect(program.expressions.count == 20_000)
    }
}
