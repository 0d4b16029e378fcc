/// The table of builtins every interpreter starts with. Each `Library/*.swift` file adds its
/// group in an extension (`registerStrings()`, ...) called from `registerAll()`.
public struct BuiltinRegistry {
    public private(set) var builtins: [Builtin] = []

    public init() {}

    /// Adds a builtin named `name` whose arguments are matched against `formals`.
    public mutating func define(_ name: String, _ formals: [String], _ body: @escaping BuiltinBody) {
        builtins.append(Builtin(name, formals, body))
    }

    /// Adds a constant binding in the base environment (`pi`, `letters`, ...).
    public mutating func constant(_ name: String, _ value: Value) {
        constants.append((name, value))
    }

    public private(set) var constants: [(String, Value)] = []

    /// Every group of builtins.
    public static func standard() -> BuiltinRegistry {
        var r = BuiltinRegistry()
        r.registerAll()
        return r
    }
}
