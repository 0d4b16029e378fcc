/// A variable scope at run time: a function call's frame, a `local()` block, or the global
/// environment.
///
/// Function frames hold their variables in `slots`, indexed by numbers the resolver fixed before
/// evaluation (see `Resolver`). The global environment keeps its variables in the interpreter's
/// symbol-indexed table instead.
public final class Environment {
    /// Local variables; `nil` means "not bound (yet)".
    @usableFromInline var slots: Slots
    /// The enclosing (lexical) environment; nil only for the global environment.
    ///
    /// Unowned so a call does not count references to it: while the call runs, the closure being
    /// called keeps its environment alive; a frame that outlives its call (captured by a closure,
    /// returned by `environment()`) holds it strongly through `kept` from then on (see `keep()`).
    public internal(set) unowned(unsafe) var parent: Environment?
    /// Names of the slots (for `ls()`, `get()`, `exists()` and error messages): the function's, or
    /// the `local()` block's; nil for the global environment.
    var scope: FunctionScope? { function?.definition.scope ?? localScope }
    /// The scope of a `local()` block (function frames use their definition's).
    private let localScope: FunctionScope?
    /// Bit i set: slot i holds a formal whose default has not been evaluated yet.
    @usableFromInline var pendingDefaults: UInt64 = 0
    /// Bit i set: formal i was not supplied by the caller (`missing()`).
    var missingMask: UInt64 = 0
    /// The closure being run in this frame (for defaults and `sys.function`); unowned like `parent`.
    unowned(unsafe) var function: Closure?
    /// Strong references to `parent` and `function` for an environment that lives on its own.
    private(set) var kept: (parent: Environment?, function: Closure?) = (nil, nil)
    /// Expressions registered by `on.exit()`.
    var onExit: [Node]? = nil

    /// True for `new.env()`: variables can be added at run time (`assign`, `e$x <- v`), not only
    /// those the resolver fixed.
    let isDynamic: Bool

    /// An environment that keeps its parent alive (the global environment, `local()` blocks,
    /// `new.env()` with `dynamic`).
    /// True only for R's empty environment, which has no parent but is not the global one.
    let isEmpty: Bool

    init(slotCount: Int, parent: Environment?, scope: FunctionScope?, dynamic: Bool = false, empty: Bool = false) {
        self.slots = Slots(count: slotCount)
        self.parent = parent
        self.localScope = scope
        self.isDynamic = dynamic
        self.isEmpty = empty
        kept.parent = parent
    }

    /// A call frame, bound to its closure by `reuse` before each call.
    init(frameSlots: Int) {
        self.slots = Slots(count: frameSlots)
        self.parent = nil
        self.localScope = nil
        self.isDynamic = false
        self.isEmpty = false
    }

    /// Variables given to a function's frame at run time (`assign()`, `eval()`, `delayedAssign()`)
    /// that its code never assigns, so the resolver gave them no slot. Reads resolved to outer or
    /// global variables look here first once any frame has some (`Interpreter.extraBindings`).
    var extras: [String: Value]?

    /// The value bound to `name` in this environment itself (not its parents), possibly a promise.
    func ownBinding(_ name: String) -> Value? {
        if let slot = scope?.slot(of: name), let v = slots[slot] { return v }
        return extras?[name]
    }

    /// Binds `name` here (nil unbinds it): an existing variable, a new one in a `new.env()`, or an
    /// extra variable of a function's frame. False only for the global environment, whose
    /// variables live in the interpreter (`Interpreter.bind`).
    func bind(_ name: String, _ value: Value?) -> Bool {
        if isGlobal { return false }
        if let slot = scope?.slot(of: name) {
            slots[slot] = value
            if value == nil { extras?[name] = nil }
            return true
        }
        if isDynamic, let scope = localScope {
            let slot = scope.add(name)
            slots.grow(to: slot + 1)
            slots[slot] = value
            return true
        }
        if value == nil {
            extras?[name] = nil
        } else {
            if extras == nil { extras = [:] }
            extras?[name] = value
        }
        return true
    }

    /// The names bound here, promises included.
    var boundNames: [String] {
        var names: [String] = []
        if let scope {
            for (i, n) in scope.names.enumerated() where i < slots.count && slots[i] != nil { names.append(n) }
        }
        if let extras { names.append(contentsOf: extras.keys) }
        return names
    }

    /// How many variables are bound.
    var boundCount: Int { boundNames.count }

    deinit { slots.deallocate() }

    /// Prepares a pooled environment for a new call.
    @inline(__always) func reuse(slotCount: Int, parent: Environment, function: Closure) {
        // Pooled frames come back with every slot nil (see `clear`); only the count may differ.
        slots.resize(to: slotCount)
        self.parent = parent
        self.function = function
        pendingDefaults = 0
        missingMask = 0
    }

    /// Makes a frame that outlives its call keep its parent and function alive.
    func keep() {
        kept = (parent, function)
    }

    /// True when this frame, which has `references` strong references (counted by the caller
    /// while it holds none itself), is referenced only by the frame table and by values in its own
    /// variables that nothing else holds: closures defined in it (`fmt <- function(x) ...`), also
    /// inside lists (`ops <- list(add = function(a, b) a + b)`), `environment()`, and `new.env()`s
    /// made in it. Such a frame is a reference cycle: kept, it would leak with its closures on
    /// every call.
    func isHeldOnlyByItsOwnVariables(references: Int) -> Bool {
        var own = 0
        for i in 0..<slots.count where holdsItself(i) { own += 1 }
        // The addresses are collected first and counted afterwards, when no temporary copy made
        // while collecting holds a reference any more.
        for r in backReferences() where strongReferenceCount(r.object) == 1 {
            // Inside lists, every list on the way must be held only by the one containing it.
            if r.containers.allSatisfy({ strongReferenceCount($0) == 1 }) { own += 1 }
        }
        return own > 0 && references == 1 + own
    }

    /// An object in this frame's variables that refers back to the frame: its address, and the
    /// addresses of the element buffers of the lists it sits in.
    private struct BackReference {
        var object: UnsafeMutableRawPointer
        var containers: [UnsafeMutableRawPointer]
    }

    /// The objects in this frame's variables that refer back to it. Every variable is looked at;
    /// inside lists the walk is bounded (10,000 values, 8 levels). One missed past the bound still
    /// counts among the frame's references but not as its own, so the frame is then kept: the bound
    /// can only keep a frame, never clear one that is in use.
    @inline(never) private func backReferences() -> [BackReference] {
        var found: [BackReference] = []
        var budget = 10_000
        for i in 0..<slots.count where !holdsItself(i) {
            guard let v = slots[i] else { continue }
            collectBackReferences(v, [], &found, &budget)
        }
        return found
    }

    private func collectBackReferences(
        _ v: Value, _ containers: [UnsafeMutableRawPointer], _ found: inout [BackReference], _ budget: inout Int
    ) {
        switch v {
        case .closure(let c) where c.environment === self:
            found.append(BackReference(object: Unmanaged.passUnretained(c).toOpaque(), containers: containers))
        case .environment(let e) where e !== self && e.parent === self && e.kept.parent === self:
            found.append(BackReference(object: Unmanaged.passUnretained(e).toOpaque(), containers: containers))
        case .list(let l) where !l.elements.isEmpty && containers.count < 8:
            // An array is one reference to its element buffer, a Swift object.
            let inner = containers + [unsafeBitCast(l.elements, to: UnsafeMutableRawPointer.self)]
            for e in l.elements {
                guard budget > 0 else { return }
                budget -= 1
                collectBackReferences(e, inner, &found, &budget)
            }
        default:
            break
        }
    }

    /// Whether slot `i` holds this frame itself (`e <- environment()`).
    private func holdsItself(_ i: Int) -> Bool {
        if case .environment(let e)? = slots[i] { return e === self }
        return false
    }

    /// Drops references so a pooled environment keeps nothing alive.
    @inline(__always) func clear() {
        for i in 0..<slots.count { slots[i] = nil }
        parent = nil
        function = nil
        if onExit != nil { onExit = nil }
        if extras != nil { clearExtras() }
    }

    @inline(never) private func clearExtras() { extras = nil }

    /// True for the global environment.
    public var isGlobal: Bool { parent == nil && !isEmpty }
}

/// The strong reference count of the object at `object` (the Swift runtime's own count; reading
/// it changes nothing). Only for objects whose address the caller holds without a reference.
@_silgen_name("swift_retainCount")
func strongReferenceCount(_ object: UnsafeMutableRawPointer) -> Int

/// A frame's variable slots: one allocation per frame object, kept when the frame is pooled.
///
/// Every element up to `capacity` is always initialised (unused ones are nil), so resizing within
/// the capacity only changes `count`. Indices come from the resolver and are always below `count`.
@usableFromInline struct Slots {
    @usableFromInline var base: UnsafeMutablePointer<Value?>
    private var capacity: Int
    @usableFromInline private(set) var count: Int

    init(count: Int) {
        capacity = max(count, 4)
        base = UnsafeMutablePointer<Value?>.allocate(capacity: capacity)
        base.initialize(repeating: nil, count: capacity)
        self.count = count
    }

    @inlinable subscript(_ i: Int) -> Value? {
        get { base[i] }
        nonmutating set { base[i] = newValue }
    }

    /// Sets the count; the slots must all be nil (a cleared frame).
    @inline(__always) mutating func resize(to n: Int) {
        if n > capacity { reallocate(capacity: n) }
        count = n
    }

    /// A bigger buffer of nil slots for `resize` (kept out of line: pooled frames rarely grow).
    @inline(never) private mutating func reallocate(capacity n: Int) {
        base.deinitialize(count: capacity)
        base.deallocate()
        capacity = n
        base = UnsafeMutablePointer<Value?>.allocate(capacity: capacity)
        base.initialize(repeating: nil, count: capacity)
    }

    /// Raises the count to `n`, keeping every value (a `new.env()` gaining a variable).
    mutating func grow(to n: Int) {
        if n > capacity {
            let bigger = UnsafeMutablePointer<Value?>.allocate(capacity: max(n, capacity * 2))
            bigger.moveInitialize(from: base, count: capacity)
            (bigger + capacity).initialize(repeating: nil, count: max(n, capacity * 2) - capacity)
            base.deallocate()
            base = bigger
            capacity = max(n, capacity * 2)
        }
        count = max(count, n)
    }

    func deallocate() {
        base.deinitialize(count: capacity)
        base.deallocate()
    }
}

/// A user-defined function: its resolved definition and the environment it closes over.
public final class Closure {
    let definition: FunctionDefinition
    let environment: Environment

    init(definition: FunctionDefinition, environment: Environment) {
        self.definition = definition
        self.environment = environment
    }

    /// The formal parameter names, in order.
    public var parameterNames: [String] { definition.parameters.map(\.name) }

    /// The name it was first bound to (`parity`), for stack traces; "<anonymous>" otherwise.
    public var name: String { definition.name ?? "<anonymous>" }
}

/// The signature of a Swift-implemented function: matched arguments in, a value out.
public typealias BuiltinBody = (inout Arguments, Interpreter) throws(FnError) -> Value

/// A function implemented in Swift, with the formal names its arguments are matched against.
public final class Builtin {
    public let name: String
    /// Formal names, in order; may include "..." which collects unmatched arguments.
    public let formals: [String]
    /// The position of "..." in `formals`, if any.
    let dotsIndex: Int?
    /// One nil per formal: `Arguments.values` when no formal is filled, or when the interpreter's
    /// spare array of this length is in use (`Interpreter.takeArguments`). Shared by builtins with as
    /// many formals, so start-up builds a few arrays, not one per builtin.
    let unsupplied: [Value?]
    /// All-nil arrays of 0 to 15 elements, shared: the `unsupplied` of builtins with that many
    /// formals, and where an interpreter's spare argument arrays start.
    static let nils: [[Value?]] = (0..<16).map { [Value?](repeating: nil, count: $0) }
    let body: BuiltinBody

    public init(_ name: String, _ formals: [String], _ body: @escaping BuiltinBody) {
        self.name = name
        self.formals = formals
        self.dotsIndex = formals.firstIndex(of: "...")
        self.unsupplied = formals.count < Builtin.nils.count
            ? Builtin.nils[formals.count] : [Value?](repeating: nil, count: formals.count)
        self.body = body
    }
}

/// Arguments of a builtin call after matching against its formals (exact names, then position).
public struct Arguments {
    /// One entry per formal (in `Builtin.formals` order); nil where not supplied. The "..." formal's
    /// entry is always nil: its arguments are in `dots`.
    public var values: [Value?]
    /// Arguments collected by "...", in call order.
    public var dots: [Value]
    /// Names of `dots` entries (nil when unnamed).
    public var dotNames: [String?]
    /// The name of the builtin, for messages.
    public let function: String

    public init(values: [Value?], dots: [Value] = [], dotNames: [String?] = [], function: String) {
        self.values = values
        self.dots = dots
        self.dotNames = dotNames
        self.function = function
    }

    /// The argument for formal `i`, or nil when it was not supplied.
    @inlinable public subscript(_ i: Int) -> Value? { values[i] }

    /// The argument for formal `i`, or R's error for a missing argument.
    public func required(_ i: Int, _ name: String) throws(FnError) -> Value {
        guard let v = values[i] else { throw FnError.runtime("argument \"\(name)\" is missing, with no default") }
        return v
    }
}
