/// Evaluates resolved programs. One interpreter is one session: its globals persist.
public final class Interpreter {
    public init() {}
}
