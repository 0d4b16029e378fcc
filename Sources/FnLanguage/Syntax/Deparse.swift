extension Expr {
    /// The expression as R's `deparse()` would print it: `f(x, y = 2)`, `x + y`, `x[[1]]`,
    /// `function(x) x + 1`. Parentheses appear where the tree has a `.paren` node or where precedence
    /// requires them; blocks span several lines indented by four spaces.
    public var deparsed: String {
        var d = Deparser()
        d.write(self)
        return d.out
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

/// Writes expressions as text, recursing only as deep as `maxDepth`; deeper parts print as `...` so
/// that deparsing a pathological tree for an error message can never overflow the stack.
private struct Deparser {
    var out = ""
    var depth = 0
    static let maxDepth = 256

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

    mutating func write(_ e: Expr) {
        depth += 1
        defer { depth -= 1 }
        if depth > Deparser.maxDepth {
            out += "..."
            return
        }
        switch e.kind {
        case .constant(let v):
            writeConstant(v)
        case .identifier(let name):
            out += quotedName(name)
        case .call(let callee, let arguments) where Deparser.isFormula(callee, arguments):
            // `y ~ x` and `~x`, as R writes formulas.
            if arguments.count == 2, let lhs = arguments[0].value {
                writeOperand(lhs, parenthesize: Deparser.precedence(lhs) <= Deparser.tilde)
                out += " ~ "
            } else {
                out += "~"
            }
            if let rhs = arguments.last?.value {
                writeOperand(rhs, parenthesize: Deparser.precedence(rhs) <= Deparser.tilde)
            }
        case .call(let callee, let arguments):
            if case .identifier(let name) = callee.kind {
                out += quotedName(name)
            } else {
                writeOperand(callee, parenthesize: Deparser.precedence(callee) < Deparser.atom)
            }
            out += "("
            writeArguments(arguments)
            out += ")"
        case .unary(let op, let operand):
            out += op.symbol
            let level = op == .not ? Deparser.comparison : Deparser.power
            writeOperand(operand, parenthesize: Deparser.precedence(operand) < level && !Deparser.isPrefixForm(operand))
        case .binary:
            writeBinaryChain(e)
        case .assign(let target, let value, let superAssign):
            writeOperand(target, parenthesize: Deparser.precedence(target) <= Deparser.assign)
            out += superAssign ? " <<- " : " <- "
            writeOperand(value, parenthesize: Deparser.precedence(value) < Deparser.assign && !Deparser.isPrefixForm(value))
        case .index(let target, let arguments, let double):
            writeOperand(target, parenthesize: Deparser.precedence(target) < Deparser.atom)
            out += double ? "[[" : "["
            writeArguments(arguments)
            out += double ? "]]" : "]"
        case .dollar(let target, let name):
            writeOperand(target, parenthesize: Deparser.precedence(target) < Deparser.atom)
            out += "$" + quotedName(name)
        case .function(let parameters, let body):
            out += "function("
            for (k, p) in parameters.enumerated() {
                if k > 0 { out += ", " }
                out += quotedName(p.name)
                if let d = p.defaultValue {
                    out += " = "
                    write(d)
                }
            }
            out += ") "
            write(body)
        case .block(let items):
            out += "{\n"
            for item in items {
                var inner = Deparser(out: "", depth: depth)
                inner.write(item)
                out += "    " + inner.out.split(separator: "\n", omittingEmptySubsequences: false)
                    .joined(separator: "\n    ") + "\n"
            }
            out += "}"
        case .paren(let inner):
            out += "("
            write(inner)
            out += ")"
        case .ifElse(let condition, let then, let otherwise):
            out += "if ("
            write(condition)
            out += ") "
            if let otherwise {
                // An `if` without `else` in the then-branch would capture our `else`.
                if case .ifElse(_, _, nil) = then.kind { writeOperand(then, parenthesize: true) } else { write(then) }
                out += " else "
                write(otherwise)
            } else {
                write(then)
            }
        case .forLoop(let variable, let sequence, let body):
            out += "for (" + quotedName(variable) + " in "
            write(sequence)
            out += ") "
            write(body)
        case .whileLoop(let condition, let body):
            out += "while ("
            write(condition)
            out += ") "
            write(body)
        case .repeatLoop(let body):
            out += "repeat "
            write(body)
        case .breakLoop:
            out += "break"
        case .nextLoop:
            out += "next"
        }
    }

    mutating func writeOperand(_ e: Expr, parenthesize: Bool) {
        if parenthesize { out += "(" }
        write(e)
        if parenthesize { out += ")" }
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
            switch op {
            case .power, .range, .modulo, .intDivide, .divide: out += op.symbol
            default: out += " " + op.symbol + " "
            }
            let rightLevel = Deparser.precedence(right)
            var parenthesize = rightLevel < level || (rightLevel == level && level != Deparser.power)
            // `a^-b` and `a + if (c) d` read back unchanged, as R prints them.
            if case .unary(let unary, _) = right.kind, unary != .not, level == Deparser.power { parenthesize = false }
            if rightLevel == Deparser.lowest { parenthesize = false }
            writeOperand(right, parenthesize: parenthesize)
        }
    }

    mutating func writeArguments(_ arguments: [Argument]) {
        for (k, a) in arguments.enumerated() {
            if k > 0 { out += ", " }
            if let name = a.name {
                out += quotedName(name) + " = "
            }
            if let value = a.value { write(value) }
        }
    }

    mutating func writeConstant(_ v: Value) {
        switch v {
        case .null: out += "NULL"
        case .logical(let b): out += b == NA.logical ? "NA" : b != 0 ? "TRUE" : "FALSE"
        case .integer(let i): out += i == NA.integer ? "NA_integer_" : "\(i)L"
        case .double(let d): out += NA.isNA(d) ? "NA_real_" : NumberFormat.r15(d)
        case .character(let s): out += s.map(quotedString) ?? "NA_character_"
        case .vector, .list: out += ValueDeparser.deparse(v)
        case .closure, .builtin: out += "<function>"
        case .environment: out += "<environment>"
        case .symbol(let name): out += quotedName(name)
        case .language: write(Language.expr(of: v))
        case .promise(let p): p.value.map { writeConstant($0) } ?? (out += "<promise>")
        }
    }
}
