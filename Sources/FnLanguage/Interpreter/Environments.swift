extension Environment {
    /// A new environment whose variables are the named elements of `l` (what `eval`, `with`,
    /// `bquote` and `as.environment` make of a list or data frame).
    static func holding(_ l: List, parent: Environment, scope: FunctionScope = FunctionScope()) -> Environment {
        let e = Environment(slotCount: 0, parent: parent, scope: scope, dynamic: true)
        for (i, v) in l.elements.enumerated() {
            if let n = l.names?[i], !n.isEmpty { _ = e.bind(n, v) }
        }
        return e
    }
}

/// Environments as values: `environment()`, `parent.frame()`, `new.env()`, `assign`/`get`/
/// `exists`/`mget`/`rm`, `delayedAssign`, `sys.frames()`, `environmentName()`, ...
extension Interpreter {
    /// The environment an `envir`/`pos` argument names (default: the calling environment).
    func environmentArgument(_ v: Value?, _ formal: String) throws(FnError) -> Environment {
        switch v {
        case nil, .null?: return env
        case .environment(let e)?: return e
        case .list(let l)?:
            return Environment.holding(l, parent: emptyEnvironment)
        default:
            if let n = v?.storage?.doubles().first, n == -1 { return env }
            throw FnError.runtime("invalid '\(formal)' argument")
        }
    }

    /// `name`'s binding starting at `e` (its parents too when `inherits`), forcing a promise;
    /// with `functionsOnly` skips non-functions as R's `mode = "function"` does.
    func binding(_ name: String, in e: Environment, inherits: Bool, functionsOnly: Bool = false) throws(FnError) -> Value? {
        do throws(Control) {
            if functionsOnly { return try lookupFunction(name, from: e) }
            if inherits { return try lookupDynamic(name, from: e, at: nil) }
            if e.isGlobal {
                guard let id = symbolIDs[name], let v = globals[id] else { return nil }
                return try forced(v, at: nil)
            }
            guard let v = e.ownBinding(name) else { return nil }
            return try forced(v, at: nil)
        } catch {
            throw asError(error)
        }
    }

    /// The names bound in `e`, sorted, hidden ones (starting with ".") only with `all`.
    func names(in e: Environment, all: Bool) -> [String] {
        let names = e.isGlobal ? globalNames : e.boundNames.filter { $0 != "..." }.sorted()
        return all ? names : names.filter { !$0.hasPrefix(".") }
    }

    /// `as.list(e)`: the variables bound in `e` (not those starting with "."), promises forced.
    func environmentList(_ e: Environment) throws(FnError) -> Value {
        var values: [Value] = []
        var names: [String] = []
        for n in self.names(in: e, all: false) {
            guard let v = try binding(n, in: e, inherits: false) else { continue }
            values.append(v)
            names.append(n)
        }
        return .list(List(values, names: names))
    }

    /// The environment `n` calls up from the function whose code is running (`parent.frame(n)`).
    func parentFrame(_ n: Int) -> Environment {
        var e = env
        for _ in 0..<max(n, 1) {
            var cur: Environment? = e
            var found: Environment?
            while let c = cur, !c.isGlobal {
                if let i = frameIndex(of: c) {
                    found = frames[i].callerEnvironment
                    break
                }
                cur = c.parent
            }
            guard let next = found else { return globalEnvironment }
            e = next
        }
        return e
    }

    static func environmentBuiltins() -> [Builtin] {
        var out: [Builtin] = []
        func define(_ name: String, _ formals: [String], _ body: @escaping BuiltinBody) {
            out.append(Builtin(name, formals, body))
        }
        define("environment", ["fun"]) { args, ip throws(FnError) in
            switch args[0] {
            case .closure(let c)?: return .environment(c.environment)
            case .language(let l)?: return l.environment.map { .environment($0) } ?? .null
            case nil, .null?: return .environment(ip.env)
            default: return .null
            }
        }
        define("environment<-", ["fun", "value"]) { args, ip throws(FnError) in
            guard case .environment(let e)? = args[1] else { throw FnError.runtime("replacement object is not an environment") }
            switch args[0] {
            case .closure(let c)?:
                guard let expression = c.definition.expression else { return .closure(Closure(definition: c.definition, environment: e)) }
                return ip.remake(c, expression: expression, environment: e)
            case .language(let l)?:
                return .language(Language(l.elements, names: l.names, classes: l.classes, environment: e))
            default:
                throw FnError.runtime("'fun' must be a function")
            }
        }
        define("globalenv", []) { _, ip throws(FnError) in .environment(ip.globalEnvironment) }
        define("emptyenv", []) { _, ip throws(FnError) in .environment(ip.emptyEnvironment) }
        define("baseenv", []) { _, ip throws(FnError) in .environment(ip.globalEnvironment) }
        define("topenv", ["envir"]) { _, ip throws(FnError) in .environment(ip.globalEnvironment) }
        define("is.environment", ["x"]) { args, _ throws(FnError) in
            if case .environment = try args.required(0, "x") { return .true_ }
            return .false_
        }
        define("new.env", ["hash", "parent", "size"]) { args, ip throws(FnError) in
            var parent = ip.env
            if let p = args[1] {
                guard case .environment(let e) = p else { throw FnError.runtime("'enclos' must be an environment") }
                parent = e
            }
            return .environment(Environment(slotCount: 0, parent: parent, scope: FunctionScope(), dynamic: true))
        }
        define("parent.frame", ["n"]) { args, ip throws(FnError) in
            let n = try Unpack.int(args[0], "n", default: 1)
            guard n >= 1 else { throw FnError.runtime("invalid 'n' value") }
            return .environment(ip.parentFrame(n))
        }
        define("parent.env", ["env"]) { args, ip throws(FnError) in
            guard case .environment(let e)? = args[0] else { throw FnError.runtime("argument is not an environment") }
            if e.isEmpty { throw FnError.runtime("the empty environment has no parent") }
            return .environment(e.parent ?? ip.emptyEnvironment)
        }
        define("environmentName", ["env"]) { args, ip throws(FnError) in
            guard case .environment(let e)? = args[0] else { return .character("") }
            if e.isGlobal { return .character("R_GlobalEnv") }
            if e.isEmpty { return .character("R_EmptyEnv") }
            return .character("")
        }
        define("sys.frame", ["which"]) { args, ip throws(FnError) in
            // 0 is the global environment, positive counts from the outermost call, negative back
            // from the current one.
            let which = try Unpack.int(args[0], "which", default: 0)
            if which == 0 { return .environment(ip.globalEnvironment) }
            let current = ip.currentFrameIndex() ?? -1
            let i = which > 0 ? which - 1 : current + which
            guard i >= 0 && i <= current else { throw FnError.runtime("not that many frames on the stack") }
            return .environment(ip.frames[i].environment)
        }
        define("sys.parent", ["n"]) { args, ip throws(FnError) in
            // The number of the frame parent.frame(n) is (0 for the global environment).
            let n = try Unpack.int(args[0], "n", default: 1)
            let target = ip.parentFrame(n)
            return .integer(Int32(ip.frameIndex(of: target).map { $0 + 1 } ?? 0))
        }
        define("eval.parent", ["expr", "n"]) { args, ip throws(FnError) in
            let n = try Unpack.int(args[1], "n", default: 1)
            guard n >= 1 else { throw FnError.runtime("invalid 'n' value") }
            do throws(Control) {
                return try ip.evaluate(language: args[0] ?? .null, in: ip.parentFrame(n), at: nil)
            } catch {
                throw ip.asError(error)
            }
        }
        define("as.environment", ["x"]) { args, ip throws(FnError) in
            switch args[0] {
            case .environment?: return args[0]!
            case .list?: return .environment(try ip.environmentArgument(args[0], "x"))
            default:
                if let n = args[0]?.storage?.doubles().first, n == 1 { return .environment(ip.globalEnvironment) }
                throw FnError.runtime("invalid object for 'as.environment'")
            }
        }
        define("sys.frames", []) { _, ip throws(FnError) in
            guard let current = ip.currentFrameIndex() else { return .null }
            return .list(List((0...current).map { .environment(ip.frames[$0].environment) }))
        }
        define("sys.calls", []) { _, ip throws(FnError) in
            guard let current = ip.currentFrameIndex() else { return .null }
            return .list(List((0...current).map { ip.callLanguage(ofFrame: $0) }))
        }
        define("sys.nframe", []) { _, ip throws(FnError) in
            .integer(Int32(ip.currentFrameIndex().map { $0 + 1 } ?? 0))
        }
        define("exists", ["x", "where", "envir", "frame", "mode", "inherits"]) { args, ip throws(FnError) in
            let name = try Unpack.string(args[0], "x")
            let e = try ip.environmentArgument(args[2] ?? args[1], "envir")
            let inherits = try Unpack.flag(args[5], "inherits", default: true)
            let functions = (try? Unpack.string(args[4], "mode")) == "function"
            return .bool(try ip.binding(name, in: e, inherits: inherits, functionsOnly: functions) != nil)
        }
        define("get", ["x", "pos", "envir", "mode", "inherits"]) { args, ip throws(FnError) in
            let name = try Unpack.string(args[0], "x")
            let e = try ip.environmentArgument(args[2] ?? args[1], "envir")
            let functions = (try? Unpack.string(args[3], "mode")) == "function"
            guard let v = try ip.binding(name, in: e, inherits: try Unpack.flag(args[4], "inherits", default: true),
                                         functionsOnly: functions)
            else {
                throw FnError.runtime(functions ? "object '\(name)' of mode 'function' was not found" : "object '\(name)' not found")
            }
            return v
        }
        define("get0", ["x", "envir", "mode", "inherits", "ifnotfound"]) { args, ip throws(FnError) in
            let name = try Unpack.string(args[0], "x")
            let e = try ip.environmentArgument(args[1], "envir")
            return try ip.binding(name, in: e, inherits: try Unpack.flag(args[3], "inherits", default: true)) ?? args[4] ?? .null
        }
        define("mget", ["x", "envir", "mode", "ifnotfound", "inherits"]) { args, ip throws(FnError) in
            let names = (args[0]?.storage?.strings() ?? []).map { $0 ?? "NA" }
            let e = try ip.environmentArgument(args[1], "envir")
            let inherits = try Unpack.flag(args[4], "inherits", default: false)
            var values: [Value] = []
            for n in names {
                if let v = try ip.binding(n, in: e, inherits: inherits) {
                    values.append(v)
                } else if case .list(let l)? = args[3], let fallback = l.elements.first {
                    values.append(fallback)
                } else {
                    throw FnError.runtime("value for '\(n)' not found")
                }
            }
            return .list(List(values, names: names))
        }
        define("assign", ["x", "value", "pos", "envir", "inherits", "immediate"]) { args, ip throws(FnError) in
            let name = try Unpack.string(args[0], "x")
            let v = try args.required(1, "value")
            var target = try ip.environmentArgument(args[3] ?? args[2], "envir")
            if try Unpack.flag(args[4], "inherits", default: false) {
                var e: Environment? = target
                while let cur = e, !cur.isGlobal {
                    if cur.ownBinding(name) != nil {
                        target = cur
                        break
                    }
                    e = cur.parent
                    if e == nil || e?.isGlobal == true { target = ip.globalEnvironment }
                }
            }
            ip.bind(name, v, in: target)
            ip.visible = false
            return v
        }
        define("rm", ["...", "list", "envir", "inherits"]) { args, ip throws(FnError) in
            var names: [String] = []
            for v in args.dots {
                switch v {
                case .character(let s?): names.append(s)
                default: throw FnError.runtime("... must contain names or character strings")
                }
            }
            names += (args[1]?.storage?.strings() ?? []).map { $0 ?? "NA" }
            let e = try ip.environmentArgument(args[2], "envir")
            for n in names {
                if try ip.binding(n, in: e, inherits: false) == nil {
                    ip.warn("In rm(\(n)) : object '\(n)' not found")
                    continue
                }
                ip.bind(n, nil, in: e)
            }
            ip.visible = false
            return .null
        }
        define("ls", ["name", "pos", "envir", "all.names", "pattern", "sorted"]) { args, ip throws(FnError) in
            let e = try ip.environmentArgument(args[2] ?? args[0], "envir")
            var names = ip.names(in: e, all: try Unpack.flag(args[3], "all.names", default: false))
            if let pattern = args[4] {
                let matcher = try Matcher(try Unpack.string(pattern, "pattern"), RegexOptions(), ip)
                names = names.filter { matcher.matches($0) }
                try matcher.throwIfCancelled()
            }
            return Value(Vector(.character(names)))
        }
        define("list2env", ["x", "envir", "parent"]) { args, ip throws(FnError) in
            var target: Environment
            if case .environment(let e)? = args[1] {
                target = e
            } else {
                var parent = ip.env
                if case .environment(let p)? = args[2] { parent = p }
                target = Environment(slotCount: 0, parent: parent, scope: FunctionScope(), dynamic: true)
            }
            guard case .list(let l)? = args[0] else { throw FnError.runtime("first argument must be a named list") }
            for (i, v) in l.elements.enumerated() {
                guard let n = l.names?[i], !n.isEmpty else { throw FnError.runtime("names(x) must be a character vector of the same length as x") }
                ip.bind(n, v, in: target)
            }
            return .environment(target)
        }
        define("nargs", []) { _, ip throws(FnError) in
            guard let i = ip.currentFrameIndex() else { return .integer(0) }
            let e = ip.frames[i].environment
            guard let f = e.function else { return .integer(0) }
            var n = 0
            for i in f.definition.parameters.indices where i != f.definition.dotsSlot {
                if i < 64 && e.missingMask & (1 << UInt64(i)) == 0 { n += 1 }
            }
            if let d = f.definition.dotsSlot, case .list(let l)? = e.slots[d] { n += l.count }
            return .integer(Int32(n))
        }
        define("...length", []) { _, ip throws(FnError) in
            do throws(Control) {
                return .integer(Int32(try ip.currentDots(at: nil, forcing: false).count))
            } catch {
                throw ip.asError(error)
            }
        }
        define("...elt", ["n"]) { args, ip throws(FnError) in
            let n = try Unpack.int(args[0], "n", default: 0)
            do throws(Control) {
                let dots = try ip.currentDots(at: nil, forcing: false)
                guard n >= 1, n <= dots.count else {
                    throw FnError.runtime("the ... list does not contain \(n) elements").control
                }
                return try ip.forced(dots.elements[n - 1], at: nil)
            } catch {
                throw ip.asError(error)
            }
        }
        return out
    }
}
