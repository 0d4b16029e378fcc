/// Placeholder: the parser is being written (see issue 2). `parse` turns source text into a `Program`.
public func parse(_ source: SourceFile) throws(FnError) -> Program {
    throw FnError(.syntax, "parser not implemented", source: source, span: .none)
}
