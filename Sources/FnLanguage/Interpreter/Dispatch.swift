/// S3 dispatch: `UseMethod`, `NextMethod`, the group generics `Ops`, `Math` and `Summary`, and
/// the builtins R makes internally generic, which call a user's method when their first argument
/// has a class attribute.
///
/// A method runs with a `DispatchedCall` as its call node: the state `NextMethod` continues from
/// (the generic, the class vector and how far along it dispatch got). While a method runs, the
/// base bindings `.Generic` and `.Class` hold the generic's name and the classes after the one
/// dispatched on, so `switch(.Generic, ...)` in an `Ops` method works as in R.
extension Resolver {
    /// `UseMethod(generic, object)` and `NextMethod(generic, object, ...)`.
    mutating func resolveDispatch(_ name: String, _ args: [Argument], _ span: Span) -> Node {
        var positional: [Node] = []
        var extra: [CallArgument] = []
        var generic: Node?, object: Node?
        for a in args {
            guard let v = a.value else { continue }
            switch a.name {
            case "generic"?: generic = resolve(v)
            case "object"?: object = resolve(v)
            case let n?: extra.append(CallArgument(name: n, value: resolve(v), isDots: false))
            case nil: positional.append(resolve(v))
            }
        }
        if generic == nil, !positional.isEmpty { generic = positional.removeFirst() }
        if object == nil, !positional.isEmpty { object = positional.removeFirst() }
        if name == "UseMethod" { return UseMethodNode(generic: generic, object: object, span: span) }
        return NextMethodNode(extra: extra, span: span)
    }
}

/// The call node a dispatched method runs under: what `NextMethod` needs to continue.
final class DispatchedCall: Node {
    let generic: String
    /// The group generic the method was found for (`Ops`, `Math`, `Summary`), if any.
    let group: String?
    let classes: [String]
    /// The index in `classes` of the class whose method runs; `classes.count` for the default.
    let position: Int
    /// The builtin that is the internal default, for builtins R makes generic.
    let builtin: Builtin?
    /// The call of the generic, when it is a builtin's (`cbind(a, b)` names columns by its symbols).
    unowned(unsafe) let original: Node?
    init(generic: String, group: String?, classes: [String], position: Int, builtin: Builtin?, span: Span,
         original: Node? = nil) {
        self.generic = generic
        self.group = group
        self.classes = classes
        self.position = position
        self.builtin = builtin
        self.original = original
        super.init(span: span)
    }
}

final class UseMethodNode: Node {
    let generic: Node?
    let object: Node?
    init(generic: Node?, object: Node?, span: Span) {
        self.generic = generic
        self.object = object
        super.init(span: span)
    }

    override func eval(_ ip: Interpreter) throws(Control) -> Value {
        guard let f = ip.env.function, !ip.env.isGlobal else {
            throw ip.locate(FnError.runtime("UseMethod called from outside a function"), at: self).control
        }
        guard let g = try generic?.eval(ip), case .character(let name?) = g else {
            throw ip.locate(FnError.runtime("'generic' argument must be a character string"), at: self).control
        }
        let (args, names) = try Dispatch.currentArguments(ip, f)
        let target: Value
        if let object { target = try object.eval(ip) } else { target = try args.first.map { v throws(Control) in try ip.forced(v, at: self) } ?? .null }
        let classes = Attributes.dispatchClass(target)
        let callSpan = ip.frames.last?.callSpan ?? span
        if let result = try Dispatch.dispatch(ip, generic: name, group: nil, classes: classes, from: 0, builtin: nil,
                                              args, names, span: callSpan) {
            throw .returned(result)
        }
        let shown = classes.count == 1 ? classes[0] : "c(" + classes.map { "'\($0)'" }.joined(separator: ", ") + ")"
        throw ip.locate(FnError.runtime("no applicable method for '\(name)' applied to an object of class \"\(shown)\""),
                        at: self).control
    }
}

final class NextMethodNode: Node {
    let extra: [CallArgument]
    init(extra: [CallArgument], span: Span) {
        self.extra = extra
        super.init(span: span)
    }

    override func eval(_ ip: Interpreter) throws(Control) -> Value {
        guard let f = ip.env.function, let call = ip.frames.last?.callNode as? DispatchedCall else {
            throw ip.locate(FnError.runtime("NextMethod called from outside a method dispatch"), at: self).control
        }
        var (args, names) = try Dispatch.currentArguments(ip, f)
        for a in extra {
            guard let v = a.value else { continue }
            let value = try v.eval(ip)
            if let k = names.firstIndex(where: { $0 == a.name }) { args[k] = value } else {
                args.append(value)
                names.append(a.name)
            }
        }
        if let result = try Dispatch.dispatch(ip, generic: call.generic, group: call.group, classes: call.classes,
                                              from: call.position + 1, builtin: call.builtin, args, names,
                                              span: call.span)
        {
            return result
        }
        if let b = call.builtin ?? Dispatch.internalDefault(ip, call.generic) {
            return try Dispatch.callInternal(ip, b, args, names, at: self)
        }
        throw ip.locate(FnError.runtime("no more methods for '\(call.generic)'"), at: self).control
    }
}

enum Dispatch {
    /// The builtins that dispatch on a classed first argument, with their group generic.
    static let internalGenerics: [String: String?] = {
        var out: [String: String?] = [:]
        for n in ["print", "format", "toString", "as.character", "as.numeric", "as.double", "as.integer",
                  "as.logical", "as.list", "as.vector", "length", "summary", "[", "[[", "$", "[<-", "[[<-", "$<-",
                  "unique", "rev", "sort", "c", "names", "levels", "t", "dim", "mean", "median", "seq", "rep",
                  "head", "tail", "all.equal", "split", "xtfrm", "duplicated", "anyNA", "is.na", "as.matrix",
                  "diff", "cut", "is.numeric"] + DataFrame.generics {
            out[n] = .some(nil)
        }
        for n in ["abs", "sign", "sqrt", "floor", "ceiling", "trunc", "round", "signif", "exp", "log", "expm1",
                  "log1p", "cos", "sin", "tan", "cumsum", "cumprod", "cummax", "cummin", "log2", "log10"] {
            out[n] = "Math"
        }
        for n in ["sum", "prod", "max", "min", "range", "all", "any"] { out[n] = "Summary" }
        for op in ["+", "-", "*", "/", "^", "%%", "%/%", "==", "!=", "<", ">", "<=", ">=", "&", "|", "!"] {
            out[op] = "Ops"
        }
        return out
    }()

    /// The arguments a generic passes on to its method: the current values of the formals the
    /// call supplied (the first by position, the others by name), then the `...` arguments.
    static func currentArguments(_ ip: Interpreter, _ f: Closure) throws(Control) -> ([Value], [String?]) {
        let e = ip.env
        var args: [Value] = [], names: [String?] = []
        for (i, p) in f.definition.parameters.enumerated() {
            if i == f.definition.dotsSlot {
                if case .list(let l)? = e.slots[i] {
                    for (k, v) in l.elements.enumerated() {
                        args.append(v)
                        let n = l.names?[k] ?? ""
                        names.append(n.isEmpty ? nil : n)
                    }
                }
                continue
            }
            if i < 64 && e.missingMask & (1 << UInt64(i)) != 0 { continue }
            var v = e.slots[i]
            if v == nil { v = try ip.forceDefault(e, i) }
            guard let v else { continue }
            args.append(v)
            names.append(args.count == 1 ? nil : p.name)
        }
        return (args, names)
    }

    /// Finds and calls the method for `generic` on `classes[from...]`, then the default; nil when
    /// there is none (the builtin's own behaviour applies).
    static func dispatch(
        _ ip: Interpreter, generic: String, group: String?, classes: [String], from: Int, builtin: Builtin?,
        _ args: [Value], _ names: [String?], span: Span, original: Node? = nil
    ) throws(Control) -> Value? {
        let env = ip.env
        var k = from
        while k <= classes.count {
            let suffix = k < classes.count ? classes[k] : "default"
            var found = try userMethod(ip, generic + "." + suffix, env)
            var foundGroup: String? = nil
            if found == nil, let group {
                found = try userMethod(ip, group + "." + suffix, env)
                foundGroup = group
            }
            if let method = found {
                let call = DispatchedCall(generic: generic, group: group ?? foundGroup, classes: classes, position: k,
                                          builtin: builtin, span: span, original: original)
                return try withDispatchState(ip, generic, Array(classes.dropFirst(min(k, classes.count)))) {
                    () throws(Control) -> Value in
                    try withExtendedLifetime(call) { () throws(Control) -> Value in
                        try ip.apply(method, args: args, names: names, callNode: call)
                    }
                }
            }
            k += 1
        }
        return nil
    }

    /// The function called `name`, a user's or a builtin method (`print.factor`).
    private static func userMethod(_ ip: Interpreter, _ name: String, _ env: Environment) throws(Control) -> Value? {
        try ip.lookupFunction(name, from: env)
    }

    /// Sets `.Generic` and `.Class` for the method's run and restores them after.
    private static func withDispatchState(
        _ ip: Interpreter, _ generic: String, _ classes: [String], _ body: () throws(Control) -> Value
    ) throws(Control) -> Value {
        let g = ip.symbol(".Generic"), c = ip.symbol(".Class")
        while ip.base.count <= max(g, c) { ip.base.append(nil) }
        let saved = (ip.base[g], ip.base[c])
        ip.base[g] = .character(generic)
        ip.base[c] = Value(Vector(.character(classes)))
        defer {
            ip.base[g] = saved.0
            ip.base[c] = saved.1
        }
        return try body()
    }

    /// The builtin behind a generic name, when there is one.
    static func internalDefault(_ ip: Interpreter, _ generic: String) -> Builtin? {
        guard let id = ip.symbolIDs[generic], id < ip.base.count, case .builtin(let b)? = ip.base[id] else { return nil }
        return b
    }

    /// Runs a builtin's own behaviour, without dispatching again.
    static func callInternal(_ ip: Interpreter, _ b: Builtin, _ args: [Value], _ names: [String?], at node: Node)
        throws(Control) -> Value
    {
        var args = args
        for i in args.indices { args[i] = try ip.forced(args[i], at: node) }
        do throws(FnError) {
            var matched = try ip.matchBuiltinArguments(b, args, names)
            ip.visible = true
            return try b.body(&matched, ip)
        } catch {
            throw ip.locate(error, at: node, call: node).control
        }
    }

    /// The hook in `Interpreter.callBuiltin`: runs a builtin, or the user's method for it when it
    /// is internally generic and its first argument has a class attribute.
    @inline(__always) static func run(_ b: Builtin, _ args: inout Arguments, _ ip: Interpreter, _ callNode: Node?)
        throws(FnError) -> Value
    {
        let first: Value?
        if !args.values.isEmpty, let v = args.values[0] { first = v } else { first = args.dots.first }
        if let first, first.attributes != nil, let r = try classedBuiltin(b, args, first, ip, callNode) { return r }
        return try b.body(&args, ip)
    }

    private static func classedBuiltin(_ b: Builtin, _ args: Arguments, _ first: Value, _ ip: Interpreter,
                                       _ callNode: Node?) throws(FnError) -> Value?
    {
        guard let classes = first.classAttribute, let group = internalGenerics[b.name] else { return nil }
        // Rebuild the call's arguments: the formals in order, `...` in place.
        var values: [Value] = [], names: [String?] = []
        for (i, formal) in b.formals.enumerated() {
            if formal == "..." {
                values += args.dots
                names += args.dotNames
            } else if let v = args.values[i] {
                values.append(v)
                names.append(values.count == 1 ? nil : formal)
            }
        }
        do throws(Control) {
            return try dispatch(ip, generic: b.name, group: group, classes: classes, from: 0, builtin: b,
                                values, names, span: callNode?.span ?? .none, original: callNode)
        } catch {
            throw ip.asError(error)
        }
    }

    /// An operator on classed operands: the method for either operand's class (`+.money`, then
    /// `Ops.money`), the first operand's first; nil when neither has one.
    static func binary(_ op: BinaryOperator, _ a: Value, _ b: Value, _ ip: Interpreter, at node: Node)
        throws(Control) -> Value?
    {
        for x in [a, b] {
            guard let classes = x.classAttribute else { continue }
            if let r = try dispatch(ip, generic: op.symbol, group: "Ops", classes: classes, from: 0,
                                    builtin: internalDefault(ip, op.symbol), [a, b], [nil, nil], span: node.span)
            {
                return r
            }
        }
        return nil
    }

    /// `-x`, `+x`, `!x` on a classed operand: its `-.cls` or `Ops.cls` method, called with one
    /// argument; nil when there is none.
    static func unary(_ op: UnaryOperator, _ x: Value, _ ip: Interpreter, at node: Node) throws(Control) -> Value? {
        guard let classes = x.classAttribute else { return nil }
        return try dispatch(ip, generic: op.symbol, group: "Ops", classes: classes, from: 0,
                            builtin: internalDefault(ip, op.symbol), [x], [nil], span: node.span)
    }

    /// `x[i]`, `x[[i]]`, `x$name` and their replacement forms on a classed `x`: the user's method,
    /// or nil. An empty index (`x[, 1]`) is not passed on, so such calls use the builtin.
    static func index(_ ip: Interpreter, _ generic: String, _ x: Value, _ idx: [Value?], value: Value? = nil,
                      drop: Value? = nil, at node: Node) throws(Control) -> Value?
    {
        guard let classes = x.classAttribute, idx.allSatisfy({ $0 != nil }) || DataFrame.isDataFrame(x) else { return nil }
        var args = [x] + idx.map { $0 ?? DataFrame.emptyIndex }
        var names = [String?](repeating: nil, count: args.count)
        if let drop {
            args.append(drop)
            names.append("drop")
        }
        if let value {
            args.append(value)
            names.append("value")
        }
        return try dispatch(ip, generic: generic, group: nil, classes: classes, from: 0,
                            builtin: internalDefault(ip, generic), args, names, span: node.span)
    }

    static func index(ip: Interpreter, _ generic: String, _ x: Value, _ idx: [Value?], value: Value, at node: Node)
        throws(Control) -> Value?
    {
        try index(ip, generic, x, idx, value: value, at: node)
    }
}

extension Interpreter {
    /// Prints `value` as the REPL shows a visible result: as `print(value)` does, so through the
    /// user's `print` method for a classed value or a list's classed elements.
    public func autoPrint(_ value: Value) throws(FnError) {
        var viaPrint = value.classAttribute != nil
        if case .list = value { viaPrint = true }
        if viaPrint, let print = Dispatch.internalDefault(self, "print") {
            _ = try callFunction(.builtin(print), [value], names: [nil])
            return
        }
        output(.stdout, formatForPrint(value))
    }
}
