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
    /// An atomic vector that is not a plain scalar (length != 1, or with names or attributes).
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

/// The attributes of a vector or list other than `names`, in the order they were set
/// (`dim`, `dimnames`, `class`, `levels`, or any name given to `attr<-`).
public struct AttributeList {
    public private(set) var pairs: [(name: String, value: Value)]

    public init(_ pairs: [(name: String, value: Value)] = []) { self.pairs = pairs }

    public var isEmpty: Bool { pairs.isEmpty }

    /// The attribute called `name`; setting nil removes it, setting a new name appends it.
    public subscript(name: String) -> Value? {
        get {
            for p in pairs where p.name == name { return p.value }
            return nil
        }
        set {
            if let i = pairs.firstIndex(where: { $0.name == name }) {
                if let newValue { pairs[i].value = newValue } else { pairs.remove(at: i) }
            } else if let newValue {
                pairs.append((name, newValue))
            }
        }
    }

    /// The attribute as strings (the `class` and `levels` attributes).
    func strings(_ name: String) -> [String]? {
        self[name]?.storage.map { $0.strings().map { $0 ?? "NA" } }
    }
}

/// Reads and writes one attribute of an optional attribute list, keeping "no attributes" as nil
/// so a plain vector pays one nil check.
@usableFromInline func setAttribute(_ list: inout AttributeList?, _ name: String, _ value: Value?) {
    guard var current = list else {
        if let value { list = AttributeList([(name, value)]) }
        return
    }
    list = nil
    current[name] = value
    list = current.isEmpty ? nil : current
}

/// An atomic vector with optional names and other attributes.
public struct Vector {
    public var storage: Storage
    /// Element names; when present, `names.count == storage.count`.
    public var names: [String]?
    /// Every other attribute (`dim`, `dimnames`, `class`, ...); nil when there are none.
    public var attributes: AttributeList?

    public init(_ storage: Storage, names: [String]? = nil, classes: [String]? = nil) {
        self.storage = storage
        self.names = names
        if let classes { attributes = AttributeList([("class", Value(Vector(.character(classes))))]) }
    }

    public init(_ storage: Storage, names: [String]?, attributes: AttributeList?) {
        self.storage = storage
        self.names = names
        self.attributes = attributes?.isEmpty == true ? nil : attributes
    }

    public var count: Int { storage.count }

    /// The `class` attribute, when set (e.g. `"POSIXct"`, `"table"`).
    public var classes: [String]? {
        get { attributes?.strings("class") }
        set { setAttribute(&attributes, "class", newValue.map { Value(Vector(.character($0))) }) }
    }

    /// The `dim` attribute as sizes, when set.
    public var dim: [Int]? { attributes?["dim"].flatMap { $0.storage?.integers().map { Int($0) } } }
}

/// A generic vector (R's list) with optional names and other attributes.
public struct List {
    public var elements: [Value]
    /// Element names; when present, `names.count == elements.count`. Unnamed elements have "".
    public var names: [String]?
    /// Every other attribute; nil when there are none.
    public var attributes: AttributeList?

    public init(_ elements: [Value], names: [String]? = nil, classes: [String]? = nil) {
        self.elements = elements
        self.names = names
        if let classes { attributes = AttributeList([("class", Value(Vector(.character(classes))))]) }
    }

    public init(_ elements: [Value], names: [String]?, attributes: AttributeList?) {
        self.elements = elements
        self.names = names
        self.attributes = attributes?.isEmpty == true ? nil : attributes
    }

    public var count: Int { elements.count }

    /// The `class` attribute (conditions are lists of class `c("simpleError", "error", "condition")`).
    public var classes: [String]? {
        get { attributes?.strings("class") }
        set { setAttribute(&attributes, "class", newValue.map { Value(Vector(.character($0))) }) }
    }

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
        if v.names == nil && v.attributes == nil && v.storage.count == 1 {
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
        case .language(let l): return l.names
        default: return nil
        }
    }

    /// The `class` attribute as set (not the implicit class).
    public var classAttribute: [String]? {
        switch self {
        case .vector(let v): return v.attributes?.strings("class")
        case .list(let l): return l.attributes?.strings("class")
        case .language(let l): return l.classes
        default: return nil
        }
    }

    /// The attributes other than `names`, if any.
    public var attributes: AttributeList? {
        switch self {
        case .vector(let v): return v.attributes
        case .list(let l): return l.attributes
        default: return nil
        }
    }

    /// One attribute other than `names`.
    public func attribute(_ name: String) -> Value? { attributes?[name] }

    /// The `dim` attribute as sizes, when set.
    public var dim: [Int]? { attribute("dim").flatMap { $0.storage?.integers().map { Int($0) } } }

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
