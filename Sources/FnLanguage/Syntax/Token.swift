/// The kinds of token the lexer produces.
///
/// Operators follow R's spelling; `**` is lexed as `caret`. Comments and whitespace other than
/// newlines produce no tokens.
enum TokenKind: UInt8, Sendable {
    case endOfInput
    case newline
    case semicolon
    case comma

    /// A numeric literal; its `Value` is in `Lexer.values`.
    case number
    /// `TRUE`, `FALSE`, `NA`, `Inf`, `NaN`, `NA_integer_`, `NA_real_`, `NA_character_`; value in `Lexer.values`.
    case constant
    /// `NULL`, kept apart because it may name an argument (`f(NULL = 1)`) and R reports it as `'NULL'`.
    case null
    /// A string literal; its text is in `Lexer.strings`.
    case string
    /// A name, plain or backtick-quoted; its text is in `Lexer.strings`.
    case identifier

    case kwIf, kwElse, kwRepeat, kwWhile, kwFunction, kwFor, kwIn, kwNext, kwBreak

    case leftParen, rightParen, leftBrace, rightBrace
    /// `[`
    case leftBracket
    /// `[[`. There is no `]]` token: `x[[i]]` closes with two `]` tokens, as in R, so `x[y[1]]` needs no
    /// special case.
    case doubleLeftBracket
    case rightBracket

    case plus, minus, star, slash, caret
    /// `%op%`; the spelling is in `Lexer.strings`.
    case special
    case pipe
    case colon
    case tilde, question
    case less, greater, lessEqual, greaterEqual, equalEqual, notEqual
    case bang
    case and, andAnd, or, orOr
    /// `<-`
    case leftAssign
    /// `<<-`
    case superLeftAssign
    /// `->`
    case rightAssign
    /// `->>`
    case superRightAssign
    /// `=`
    case equalAssign
    case dollar, at
    case doubleColon, tripleColon
    /// `\`, the start of `\(x) body`.
    case backslash

    /// Text the lexer could not read; the message is in `Lexer.strings`.
    case invalid
    /// A string or backtick name with no closing quote before the end of input.
    case incompleteString
}

/// One token: its kind, its byte range in the source, and an index into the lexer's side tables
/// (`strings` or `values`) for kinds that carry a payload.
struct Token: Sendable {
    var kind: TokenKind
    var start: Int32
    var end: Int32
    var payload: Int32

    var span: Span { Span(start: Int(start), end: Int(end)) }
}

extension TokenKind {
    /// How R names the token in "unexpected ..." messages.
    var unexpectedName: String {
        switch self {
        case .endOfInput: return "end of input"
        case .newline: return "end of line"
        case .semicolon: return "';'"
        case .comma: return "','"
        case .number, .constant: return "numeric constant"
        case .null: return "'NULL'"
        case .string: return "string constant"
        case .identifier: return "symbol"
        case .kwIf: return "'if'"
        case .kwElse: return "'else'"
        case .kwRepeat: return "'repeat'"
        case .kwWhile: return "'while'"
        case .kwFunction: return "'function'"
        case .kwFor: return "'for'"
        case .kwIn: return "'in'"
        case .kwNext: return "'next'"
        case .kwBreak: return "'break'"
        case .leftParen: return "'('"
        case .rightParen: return "')'"
        case .leftBrace: return "'{'"
        case .rightBrace: return "'}'"
        case .leftBracket: return "'['"
        case .doubleLeftBracket: return "'[['"
        case .rightBracket: return "']'"
        case .plus: return "'+'"
        case .minus: return "'-'"
        case .star: return "'*'"
        case .slash: return "'/'"
        case .caret: return "'^'"
        case .special: return "SPECIAL"
        case .pipe: return "'|>'"
        case .colon: return "':'"
        case .tilde: return "'~'"
        case .question: return "'?'"
        case .less: return "'<'"
        case .greater: return "'>'"
        case .lessEqual: return "'<='"
        case .greaterEqual: return "'>='"
        case .equalEqual: return "'=='"
        case .notEqual: return "'!='"
        case .bang: return "'!'"
        case .and: return "'&'"
        case .andAnd: return "'&&'"
        case .or: return "'|'"
        case .orOr: return "'||'"
        case .leftAssign, .superLeftAssign: return "assignment"
        case .rightAssign, .superRightAssign: return "'->'"
        case .equalAssign: return "'='"
        case .dollar: return "'$'"
        case .at: return "'@'"
        case .doubleColon: return "'::'"
        case .tripleColon: return "':::'"
        case .backslash: return "'\\'"
        case .invalid: return "input"
        case .incompleteString: return "INCOMPLETE_STRING"
        }
    }
}
