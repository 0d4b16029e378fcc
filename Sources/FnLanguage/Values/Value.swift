/// An fn value: `NULL`, an atomic vector, a list, or a function.
///
/// Length-1 unnamed atomic vectors (scalars) are stored inline in the enum so the common case of
/// arithmetic on single numbers never allocates. Every other atomic vector is a `.vector`.
/// Code that builds values should go through `Value(_ vector:)`, which picks the scalar form when
/// it can; code that reads values must accept both forms (a length-1 `.vector` is legal, just slower).
public enum Value {
    case null
    /// A length-1 logical: 0, 1 or `NA.logical`.
    case logical(Int8)
    /// A length-1 integer; `NA.integer` is NA.
    case integer(Int32)
    /// A length-1 double; `NA.double` (a NaN with R's payload) is NA.
    case double(Double)
    /// A length-1 character; `nil` is NA.
    case character(String?)
    /// An atomic vector that is not a plain scalar (length != 1, or with names/class).
    case vector(Vector)
    /// A generic vector (R's `list`), with optional names.
    case list(List)
    /// A user-defined function with its enclosing environment.
    case closure(Closure)
    /// A function implemented in Swift.
    case builtin(Builtin)
    /// An environment (from `environment()`, `new.env()`, `globalenv()`).
    case environment(Environment)
    /// A name as a value (`quote(x)`, `as.name("x")`): R's symbol. The empty name is R's "missing
    /// argument" (the empty index in `quote(x[, 1])`).
    case symbol(String)
    /// An unevaluated call (`quote(f(x))`), formulas (`y ~ x`) included.
    case language(Language)
    /// An argument not evaluated yet. Promises live only in a frame's variables and in `...`;
    /// every read of a variable forces them, so no other code ever sees one.
    case promise(Promise)
}

/// R's NA sentinels, one per atomic type.
public enum NA {
    public static let logical: Int8 = Int8.min
    public static let integer: Int32 = Int32.min
    /// R's NA_real_: a quiet NaN whose low word is 1954.
    public static let double: Double = Double(bitPattern: 0x7FF0_0000_0000_07A2)

    /// True when `d` is R's NA (as opposed to any other NaN).
    @inlinable public static func isNA(_ d: Double) -> Bool {
        d.isNaN && (d.bitPattern & 0xFFFF_FFFF) == 1954
    }
}

/// The types of atomic vectors, in R's coercion order (logical < integer < double < character).
public enum AtomicType: Int, Comparable, Sendable {
    case logical = 0, integer, double, character

    public static func < (a: AtomicType, b: AtomicType) -> Bool { a.rawValue < b.rawValue }

    /// R's `typeof` name.
    public var name: String {
        switch self {
        case .logical: return "logical"
        case .integer: return "integer"
        case .double: return "double"
        case .character: return "character"
        }
    }
}

/// The elements of an atomic vector. Arrays give value semantics with copy on write.
public enum Storage {
    case logical([Int8])
    case integer([Int32])
    case double([Double])
    case character([String?])

    public var count: Int {
        switch self {
        case .logical(let a): return a.count
        case .integer(let a): return a.count
        case .double(let a): return a.count
        case .character(let a): return a.count
        }
    }

    public var type: AtomicType {
        switch self {
        case .logical: return .logical
        case .integer: return .integer
        case .double: return .double
        case .character: return .character
        }
    }

    /// An empty storage of the given type.
    public static func empty(_ type: AtomicType) -> Storage {
        switch type {
        case .logical: return .logical([])
        case .integer: return .integer([])
        case .double: return .double([])
        case .character: return .character([])
        }
    }
}

/// An atomic vector with optional names and class.
public struct Vector {
    public var storage: Storage
    /// Element names; when present, `names.count == storage.count`.
    public var names: [String]?
    /// The `class` attribute, when set (e.g. `"POSIXct"`, `"table"`).
    public var classes: [String]?

    public init(_ storage: Storage, names: [String]? = nil, classes: [String]? = nil) {
        self.storage = storage
        self.names = names
        self.classes = classes
    }

    public var count: Int { storage.count }
}

/// A generic vector (R's list) with optional names and class.
public struct List {
    public var elements: [Value]
    /// Element names; when present, `names.count == elements.count`. Unnamed elements have "".
    public var names: [String]?
    /// The `class` attribute (conditions are lists of class `c("simpleError", "error", "condition")`).
    public var classes: [String]?

    public init(_ elements: [Value], names: [String]? = nil, classes: [String]? = nil) {
        self.elements = elements
        self.names = names
        self.classes = classes
    }

    public var count: Int { elements.count }

    /// The first element named `name`, if any.
    public func element(named name: String) -> Value? {
        guard let names else { return nil }
        for (i, n) in names.enumerated() where n == name { return elements[i] }
        return nil
    }
}

extension Value {
    /// Wraps an atomic vector, choosing the inline scalar form when it is a plain length-1 vector.
    @inlinable public init(_ v: Vector) {
        if v.names == nil && v.classes == nil && v.storage.count == 1 {
            switch v.storage {
            case .logical(let a): self = .logical(a[0])
            case .integer(let a): self = .integer(a[0])
            case .double(let a): self = .double(a[0])
            case .character(let a): self = .character(a[0])
            }
        } else {
            self = .vector(v)
        }
    }

    @inlinable public init(_ s: Storage, names: [String]? = nil) {
        self.init(Vector(s, names: names))
    }

    public static let true_ = Value.logical(1)
    public static let false_ = Value.logical(0)

    @inlinable public static func bool(_ b: Bool) -> Value { .logical(b ? 1 : 0) }
    @inlinable public static func string(_ s: String) -> Value { .character(s) }

    /// The number of elements (`length()` in R).
    public var length: Int {
        switch self {
        case .null: return 0
        case .logical, .integer, .double, .character: return 1
        case .vector(let v): return v.count
        case .list(let l): return l.count
        case .closure, .builtin, .environment, .symbol: return 1
        case .language(let l): return l.elements.count
        case .promise(let p): return p.value?.length ?? 1
        }
    }

    /// R's `typeof`.
    public var typeName: String {
        switch self {
        case .null: return "NULL"
        case .logical: return "logical"
        case .integer: return "integer"
        case .double: return "double"
        case .character: return "character"
        case .vector(let v): return v.storage.type.name
        case .list: return "list"
        case .closure: return "closure"
        case .builtin: return "builtin"
        case .environment: return "environment"
        case .symbol: return "symbol"
        case .language: return "language"
        case .promise: return "promise"
        }
    }

    /// The atomic type, or nil for NULL, lists and functions.
    public var atomicType: AtomicType? {
        switch self {
        case .logical: return .logical
        case .integer: return .integer
        case .double: return .double
        case .character: return .character
        case .vector(let v): return v.storage.type
        default: return nil
        }
    }

    /// The elements as atomic storage (scalars become length-1 storage); nil for non-atomic values.
    public var storage: Storage? {
        switch self {
        case .logical(let x): return .logical([x])
        case .integer(let x): return .integer([x])
        case .double(let x): return .double([x])
        case .character(let x): return .character([x])
        case .vector(let v): return v.storage
        case .null: return nil
        default: return nil
        }
    }

    /// Element names, if any.
    public var names: [String]? {
        switch self {
        case .vector(let v): return v.names
        case .list(let l): return l.names
        default: return nil
        }
    }

    /// The `class` attribute as set (not the implicit class).
    public var classAttribute: [String]? {
        switch self {
        case .vector(let v): return v.classes
        case .list(let l): return l.classes
        case .language(let l): return l.classes
        default: return nil
        }
    }

    public var isFunction: Bool {
        switch self {
        case .closure, .builtin: return true
        default: return false
        }
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }
}
