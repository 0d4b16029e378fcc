extension Expr {
    /// The expression as R's `deparse()` would print it: `f(x, y = 2)`, `x + y`, `x[[1]]`,
    /// `function(x) x + 1`. Parentheses appear where the tree has a `.paren` node or where precedence
    /// requires them; blocks span several lines indented by four spaces.
    public var deparsed: String {
        deparsedLines(cutoff: nil).joined(separator: "\n")
    }

    /// The lines of R's `deparse(expr, width.cutoff = cutoff)`: once a line is longer than `cutoff`
    /// bytes, it is broken after the next argument's comma or after a spaced binary operator (`+`,
    /// `==`, `&`, `%in%`, `~`, ...), and the rest of that call or operand is indented one level
    /// more. With no cutoff, lines break only inside braces.
    public func deparsedLines(cutoff: Int?) -> [String] {
        var d = Deparser(cutoff: cutoff)
        d.write(self)
        return d.finish()
    }

    /// R's `deparse()` of a closure: `function (x, y = 2) ` (R's spacing for a function value, not
    /// for `quote(function(x) ...)`) on the first line, the body on the lines after.
    public static func deparsedClosure(_ parameters: [Parameter], _ body: Expr, cutoff: Int?) -> [String] {
        var d = Deparser(cutoff: cutoff)
        d.put("function (")
        d.writeParameters(parameters)
        d.put(") ")
        d.newline()
        d.write(body)
        return d.finish()
    }
}

/// Names that must be backtick-quoted to be read back as names.
private let reservedWords: Set<String> = [
    "if", "else", "repeat", "while", "function", "for", "in", "next", "break", "TRUE", "FALSE", "NULL",
    "Inf", "NaN", "NA", "NA_integer_", "NA_real_", "NA_character_",
]

/// True when `name` reads back as the same name without backticks.
func isSyntacticName(_ name: String) -> Bool {
    if reservedWords.contains(name) { return false }
    let scalars = Array(name.unicodeScalars)
    guard let first = scalars.first else { return false }
    if first == "." {
        if scalars.count > 1 && scalars[1].properties.numericType != nil && scalars[1].isASCII { return false }
    } else if !first.properties.isAlphabetic {
        return false
    }
    for s in scalars {
        if s == "." || s == "_" { continue }
        if s.isASCII {
            guard (s >= "a" && s <= "z") || (s >= "A" && s <= "Z") || (s >= "0" && s <= "9") else { return false }
        } else if !s.properties.isAlphabetic {
            switch s.properties.generalCategory {
            case .decimalNumber, .nonspacingMark, .spacingMark: continue
            default: return false
            }
        }
    }
    return true
}

/// `name`, or `` `name` `` when it is not syntactic.
func quotedName(_ name: String) -> String {
    if isSyntacticName(name) { return name }
    var s = "`"
    for c in name.unicodeScalars {
        switch c {
        case "`": s += "\\`"
        case "\\": s += "\\\\"
        default: s.unicodeScalars.append(c)
        }
    }
    return s + "`"
}

/// A string literal with R's escapes: `"a\"b\n"`.
func quotedString(_ text: String) -> String {
    var s = "\""
    for c in text.unicodeScalars {
        switch c {
        case "\"": s += "\\\""
        case "\\": s += "\\\\"
        case "\n": s += "\\n"
        case "\t": s += "\\t"
        case "\r": s += "\\r"
        case "\u{07}": s += "\\a"
        case "\u{08}": s += "\\b"
        case "\u{0C}": s += "\\f"
        case "\u{0B}": s += "\\v"
        default:
            if c.value < 0x20 || c.value == 0x7F {
                let octal = String(c.value, radix: 8)
                s += "\\" + String(repeating: "0", count: 3 - octal.count) + octal
            } else {
                s.unicodeScalars.append(c)
            }
        }
    }
    return s + "\""
}

/// Writes expressions as lines of text, recursing only as deep as `maxDepth`; deeper parts print
/// as `...` so that deparsing a pathological tree for an error message can never overflow the stack.
private struct Deparser {
    var lines: [String] = []
    var line = ""
    /// Indentation level of the next line: four spaces each for the first four, two after, as R.
    var indent = 0
    var atLineStart = true
    var depth = 0
    /// How many braces enclose what is being written: inside them R puts an `if`'s branches on
    /// lines of their own...
    var braces = 0
    /// ...except within the arguments of `c()` or `list()`.
    var inList = 0
    /// R's `width.cutoff`; nil never breaks a line.
    let cutoff: Int?
    static let maxDepth = 256

    init(cutoff: Int?) {
        self.cutoff = cutoff
    }

    // Binding power of each form, matching the parser's table.
    static let lowest = 0       // function, if, for, while, repeat: they extend as far right as possible
    static let assign = 3
    static let tilde = 5
    static let not = 8
    static let comparison = 9
    static let unaryMinus = 14
    static let power = 15
    static let atom = 17

    static func precedence(_ op: BinaryOperator) -> Int {
        switch op {
        case .or, .orOr: return 6
        case .and, .andAnd: return 7
        case .less, .greater, .lessEqual, .greaterEqual, .equal, .notEqual: return comparison
        case .plus, .minus: return 10
        case .times, .divide: return 11
        case .modulo, .intDivide, .matchIn, .special: return 12
        case .range: return 13
        case .power: return power
        }
    }

    static func precedence(_ e: Expr) -> Int {
        switch e.kind {
        case .binary(let op, _, _): return precedence(op)
        case .assign: return assign
        case .unary(let op, _): return op == .not ? not : unaryMinus
        case .function, .ifElse, .forLoop, .whileLoop, .repeatLoop: return lowest
        case .constant(let v):
            switch v {
            case .double(let d) where d < 0 || (d == 0 && d.sign == .minus): return unaryMinus
            case .integer(let i) where i < 0 && i != NA.integer: return unaryMinus
            default: return atom
            }
        default: return atom
        }
    }

    /// True for a call to `~` with one or two unnamed arguments (a formula).
    static func isFormula(_ callee: Expr, _ arguments: [Argument]) -> Bool {
        guard case .identifier("~") = callee.kind, arguments.count == 1 || arguments.count == 2 else { return false }
        return arguments.allSatisfy { $0.name == nil && $0.value != nil }
    }

    /// True for forms that begin with a keyword or prefix operator and so can stand on the right of
    /// an operator without parentheses.
    static func isPrefixForm(_ e: Expr) -> Bool {
        switch e.kind {
        case .function, .ifElse, .forLoop, .whileLoop, .repeatLoop: return true
        case .unary: return true
        default: return false
        }
    }

    // MARK: Lines

    mutating func put(_ s: String) {
        if atLineStart {
            atLineStart = false
            for level in 0..<indent { line += level < 4 ? "    " : "  " }
        }
        line += s
    }

    mutating func newline() {
        lines.append(line)
        line = ""
        atLineStart = true
    }

    mutating func finish() -> [String] {
        lines.append(line)
        return lines
    }

    /// Starts a new line when this one is past the cutoff; the first break in a construct indents
    /// the rest of it (`broken` remembers that, for the caller to undo).
    mutating func breakIfLong(_ broken: inout Bool) {
        guard let cutoff, line.utf8.count > cutoff else { return }
        if !broken {
            broken = true
            indent += 1
        }
        newline()
    }

    // MARK: Forms

    mutating func write(_ e: Expr) {
        depth += 1
        defer { depth -= 1 }
        if depth > Deparser.maxDepth {
            put("...")
            return
        }
        switch e.kind {
        case .constant(let v):
            writeConstant(v)
        case .identifier(let name):
            put(quotedName(name))
        case .call(let callee, let arguments) where Deparser.isFormula(callee, arguments):
            // `y ~ x` and `~x`, as R writes formulas.
            var broken = false
            if arguments.count == 2, let lhs = arguments[0].value {
                writeOperand(lhs, parenthesize: Deparser.precedence(lhs) <= Deparser.tilde)
                put(" ~ ")
                breakIfLong(&broken)
            } else {
                put("~")
            }
            if let rhs = arguments.last?.value {
                writeOperand(rhs, parenthesize: Deparser.precedence(rhs) <= Deparser.tilde)
            }
            if broken { indent -= 1 }
        case .call(let callee, let arguments):
            var listLike = false
            switch callee.kind {
            case .identifier(let name):
                put(quotedName(name))
                listLike = name == "c" || name == "list"
            case .call(let inner, _):
                // `(f(g)(h))(i)`: R brackets a callee whose own function is a call.
                if case .identifier = inner.kind {
                    write(callee)
                } else {
                    writeOperand(callee, parenthesize: true)
                }
            default:
                writeOperand(callee, parenthesize: Deparser.precedence(callee) < Deparser.atom)
            }
            put("(")
            if listLike { inList += 1 }
            writeArguments(arguments)
            if listLike { inList -= 1 }
            put(")")
        case .unary(let op, let operand):
            put(op.symbol)
            let level = op == .not ? Deparser.comparison : Deparser.power
            writeOperand(operand, parenthesize: Deparser.precedence(operand) < level && !Deparser.isPrefixForm(operand))
        case .binary:
            writeBinaryChain(e)
        case .assign(let target, let value, let superAssign):
            writeOperand(target, parenthesize: Deparser.precedence(target) <= Deparser.assign)
            put(superAssign ? " <<- " : " <- ")
            writeOperand(value, parenthesize: Deparser.precedence(value) < Deparser.assign && !Deparser.isPrefixForm(value))
        case .index(let target, let arguments, let double):
            writeOperand(target, parenthesize: Deparser.precedence(target) < Deparser.atom)
            put(double ? "[[" : "[")
            writeArguments(arguments)
            put(double ? "]]" : "]")
        case .dollar(let target, let name):
            writeOperand(target, parenthesize: Deparser.precedence(target) < Deparser.atom)
            put("$" + quotedName(name))
        case .function(let parameters, let body):
            put("function(")
            writeParameters(parameters)
            put(") ")
            write(body)
        case .block(let items):
            put("{")
            indent += 1
            braces += 1
            for item in items {
                newline()
                write(item)
            }
            braces -= 1
            indent -= 1
            newline()
            put("}")
        case .paren(let inner):
            put("(")
            write(inner)
            put(")")
        case .ifElse(let condition, let then, let otherwise):
            put("if (")
            write(condition)
            put(") ")
            if braces > 0 && inList == 0 {
                // Within braces R writes a branch that is not itself braced on a line of its own,
                // and `else` at the start of the next line.
                var then = then
                if otherwise != nil, case .ifElse(_, _, nil) = then.kind { then = Expr(.paren(then), then.span) }
                if case .block = then.kind {
                    write(then)
                } else {
                    indent += 1
                    newline()
                    write(then)
                    indent -= 1
                }
                if let otherwise {
                    newline()
                    put("else ")
                    write(otherwise)
                }
            } else if let otherwise {
                // An `if` without `else` in the then-branch would capture our `else`.
                if case .ifElse(_, _, nil) = then.kind { writeOperand(then, parenthesize: true) } else { write(then) }
                put(" else ")
                write(otherwise)
            } else {
                write(then)
            }
        case .forLoop(let variable, let sequence, let body):
            put("for (" + quotedName(variable) + " in ")
            write(sequence)
            put(") ")
            write(body)
        case .whileLoop(let condition, let body):
            put("while (")
            write(condition)
            put(") ")
            write(body)
        case .repeatLoop(let body):
            put("repeat ")
            write(body)
        case .breakLoop:
            put("break")
        case .nextLoop:
            put("next")
        }
    }

    mutating func writeOperand(_ e: Expr, parenthesize: Bool) {
        if parenthesize { put("(") }
        write(e)
        if parenthesize { put(")") }
    }

    /// Writes `a + b - c ...` walking the left spine in a loop, so long chains need no deep recursion.
    mutating func writeBinaryChain(_ e: Expr) {
        var chain: [(BinaryOperator, Expr)] = []
        var node = e
        while case .binary(let op, let left, let right) = node.kind {
            chain.append((op, right))
            node = left
            let level = Deparser.precedence(op)
            // Keep walking only while the left operand prints without parentheses at this level.
            guard case .binary(let leftOp, _, _) = left.kind, Deparser.precedence(leftOp) == level,
                  level != Deparser.power, level != Deparser.comparison
            else { break }
        }
        let (innermostOp, _) = chain[chain.count - 1]
        let innermostLevel = Deparser.precedence(innermostOp)
        let leftLevel = Deparser.precedence(node)
        let rightAssociative = innermostLevel == Deparser.power
        let parenthesizeLeft = leftLevel < innermostLevel
            || (leftLevel == innermostLevel && (rightAssociative || innermostLevel == Deparser.comparison))
        writeOperand(node, parenthesize: parenthesizeLeft)
        for (op, right) in chain.reversed() {
            let level = Deparser.precedence(op)
            // R writes these operators without spaces, and never breaks a line after them.
            var broken = false
            switch op {
            case .power, .range, .modulo, .intDivide, .divide:
                put(op.symbol)
            default:
                put(" " + op.symbol + " ")
                breakIfLong(&broken)
            }
            let rightLevel = Deparser.precedence(right)
            var parenthesize = rightLevel < level || (rightLevel == level && level != Deparser.power)
            // `a^-b` and `a + if (c) d` read back unchanged, as R prints them.
            if case .unary(let unary, _) = right.kind, unary != .not, level == Deparser.power { parenthesize = false }
            if rightLevel == Deparser.lowest { parenthesize = false }
            writeOperand(right, parenthesize: parenthesize)
            if broken { indent -= 1 }
        }
    }

    mutating func writeArguments(_ arguments: [Argument]) {
        var broken = false
        for (k, a) in arguments.enumerated() {
            if let name = a.name {
                put(quotedName(name) + " = ")
            }
            if let value = a.value { write(value) }
            if k < arguments.count - 1 {
                put(", ")
                breakIfLong(&broken)
            }
        }
        if broken { indent -= 1 }
    }

    mutating func writeParameters(_ parameters: [Parameter]) {
        var broken = false
        for (k, p) in parameters.enumerated() {
            put(quotedName(p.name))
            if let d = p.defaultValue {
                put(" = ")
                write(d)
            }
            if k < parameters.count - 1 {
                put(", ")
                breakIfLong(&broken)
            }
        }
        if broken { indent -= 1 }
    }

    /// A value's source text (`c(1, 2, 3)`, `list(a = 1)`), broken as R breaks a long vector: after
    /// any element (its comma included) that ends a line past the cutoff, with no extra indent.
    mutating func writeValueText(_ text: String) {
        guard cutoff != nil, let (head, items) = Deparser.splitCall(text), head == "c(" || head == "list(" else {
            put(text)
            return
        }
        put(head)
        if head == "list(" {
            // Broken as a call's arguments.
            var broken = false
            for (k, item) in items.enumerated() {
                put(item)
                if k < items.count - 1 {
                    put(", ")
                    breakIfLong(&broken)
                }
            }
            if broken { indent -= 1 }
            put(")")
            return
        }
        var broken = true  // a vector's continuation lines keep the current indent
        for (k, item) in items.enumerated() {
            put(item)
            if k < items.count - 1 { put(", ") }
            breakIfLong(&broken)
        }
        put(")")
    }

    /// `f(a, b = "x, y", c(1, 2))` as `f(` and its top-level arguments; nil for anything else.
    static func splitCall(_ text: String) -> (String, [String])? {
        let chars = Array(text.unicodeScalars)
        guard chars.last == ")", let open = chars.firstIndex(of: "("), open > 0 else { return nil }
        var items: [String] = []
        var current = String.UnicodeScalarView()
        var depth = 0
        var quote: Unicode.Scalar?
        var escaped = false
        var i = open + 1
        while i < chars.count - 1 {
            let c = chars[i]
            if let q = quote {
                if escaped { escaped = false } else if c == "\\" { escaped = true } else if c == q { quote = nil }
            } else if c == "\"" || c == "'" || c == "`" {
                quote = c
            } else if c == "(" || c == "[" {
                depth += 1
            } else if c == ")" || c == "]" {
                depth -= 1
                if depth < 0 { return nil }
            } else if c == ",", depth == 0, i + 1 < chars.count, chars[i + 1] == " " {
                items.append(String(current))
                current = String.UnicodeScalarView()
                i += 2
                continue
            }
            current.append(c)
            i += 1
        }
        guard depth == 0, quote == nil else { return nil }
        if !current.isEmpty { items.append(String(current)) }
        var head = String.UnicodeScalarView()
        head.append(contentsOf: chars[...open])
        return (String(head), items)
    }

    mutating func writeConstant(_ v: Value) {
        switch v {
        case .null: put("NULL")
        case .logical(let b): put(b == NA.logical ? "NA" : b != 0 ? "TRUE" : "FALSE")
        case .integer(let i): put(i == NA.integer ? "NA_integer_" : "\(i)L")
        case .double(let d): put(NA.isNA(d) ? "NA_real_" : NumberFormat.r15(d))
        case .character(let s): put(s.map(quotedString) ?? "NA_character_")
        case .vector, .list: writeValueText(ValueDeparser.deparse(v))
        case .closure, .builtin: put("<function>")
        case .environment: put("<environment>")
        case .symbol(let name): put(quotedName(name))
        case .language: write(Language.expr(of: v))
        case .promise(let p):
            if let value = p.value { writeConstant(value) } else { put("<promise>") }
        }
    }
}
