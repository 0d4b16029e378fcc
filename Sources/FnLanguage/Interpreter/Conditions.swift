/// R's conditions: errors, warnings and messages as values (lists with `message` and `call`,
/// classed `simpleError`/`simpleWarning`/`simpleMessage`), `stop()`, `warning()`,
/// `conditionMessage()`, and how a signalled condition reaches `withCallingHandlers` and
/// `tryCatch` handlers.
enum Conditions {
    /// The condition object an error carries (or a simpleError made from it).
    static func object(for e: FnError) -> Value {
        if let c = e.condition { return c }
        let classes: [String]
        switch e.kind {
        case .cancelled: classes = ["interrupt", "condition"]
        default: classes = ["simpleError", "error", "condition"]
        }
        let call: Value = e.call.flatMap { $0.isEmpty ? nil : .character($0) } ?? .null
        return .list(List([.character(e.message), call], names: ["message", "call"], classes: classes))
    }

    /// The class vector of a condition.
    static func classes(of condition: Value) -> [String] {
        condition.classAttribute ?? []
    }

    /// The message of a condition object.
    static func message(of condition: Value) -> String {
        if case .list(let l) = condition, case .character(let m?)? = l.element(named: "message") { return m }
        return ""
    }

    /// A `simpleWarning` condition object.
    static func warning(_ message: String, call: String?) -> Value {
        .list(List([.character(message), call.map { .character($0) } ?? .null], names: ["message", "call"],
                   classes: ["simpleWarning", "warning", "condition"]))
    }

    /// "Error in call : message" / "Error: message", as R prints an uncaught error.
    static func errorText(_ e: FnError) -> String {
        if let call = e.call, !call.isEmpty { return "Error in \(call) : \(e.message)" }
        return "Error: \(e.message)"
    }
}

/// One `withCallingHandlers` call's handlers (or a `suppressWarnings`/`suppressMessages` call's
/// muffling) while its expression runs.
struct CallingHandlerFrame {
    /// Handlers by condition class in argument order; a nil function muffles the condition.
    var handlers: [(String, Value?)]
    /// `handledClasses.count` when the frame was set up: the `tryCatch` calls from this index on
    /// are inside it.
    var exitingDepth: Int
}

/// What signalling a condition came to.
enum SignalOutcome {
    /// A calling handler invoked the muffling restart: the signaller goes on quietly.
    case muffled
    /// A `tryCatch` handles it: the signaller throws the condition to unwind there.
    case unwind
    /// No handler took it: the default action (record the warning, print the message, go on).
    case proceed
}

extension FnError {
    /// The restart `invokeRestart(name)` is unwinding to, if this error is one.
    var restartName: String? {
        guard case .list(let l)? = condition, l.classes == ["restart"], case .character(let n?)? = l.elements.first
        else { return nil }
        return n
    }

    /// The `withRestarts` frame (its token) and arguments of a restart invoked by name.
    var restartInvocation: (token: Int, arguments: List)? {
        guard case .list(let l)? = condition, l.classes == ["restart"], l.count == 3,
            case .integer(let token) = l.elements[1], case .list(let arguments) = l.elements[2]
        else { return nil }
        return (Int(token), arguments)
    }
}

extension Interpreter {
    /// Offers `condition` to the active handlers, innermost first, as R's signalling does: calling
    /// handlers run where the condition was raised, each with only the handlers outside its own
    /// frame active, until one invokes `restart` or a `tryCatch` nearer than the next frame takes it.
    func signal(_ condition: Value, restart: String?) throws(FnError) -> SignalOutcome {
        let classes = Conditions.classes(of: condition)
        let matches = { (names: [String]) in names.contains(where: classes.contains) }
        var upper = handledClasses.count
        var index = callingHandlers.count - 1
        while index >= 0 {
            let frame = callingHandlers[index]
            let lower = min(frame.exitingDepth, upper)
            if handledClasses[lower..<upper].contains(where: matches) { return .unwind }
            upper = lower
            for (name, handler) in frame.handlers where classes.contains(name) {
                guard let handler else { return .muffled }
                let savedFrames = callingHandlers, savedExiting = handledClasses
                callingHandlers.removeSubrange(index...)
                handledClasses.removeSubrange(lower...)
                if let restart { restarts.append(RestartEntry(name: restart, handler: nil, token: 0)) }
                defer {
                    callingHandlers = savedFrames
                    handledClasses = savedExiting
                    if restart != nil { restarts.removeLast() }
                }
                do {
                    _ = try apply(handler, args: [condition], names: [nil], callNode: activeBuiltinCall)
                } catch .error(let e) where restart != nil && e.restartName == restart {
                    return .muffled
                } catch {
                    throw asError(error)
                }
            }
            index -= 1
        }
        return handledClasses[0..<upper].contains(where: matches) ? .unwind : .proceed
    }

    /// Offers the warnings builtins recorded since `count` (and not yet offered) to the handlers:
    /// muffled ones are dropped, and the first one a `tryCatch` takes is thrown to it.
    func signalRecordedWarnings(since count: Int, at node: Node?) throws(FnError) {
        let call = node.flatMap { n in currentSource.map { $0.text(n.span) } }
        var i = max(count, signalledWarnings)
        while i < warnings.count {
            let message = warnings[i]
            let outcome: SignalOutcome
            do {
                outcome = try signal(Conditions.warning(message, call: call), restart: "muffleWarning")
            } catch {
                // A handler's error ends the operation: its warnings were never delivered.
                warnings.removeSubrange(min(count, warnings.count)...)
                throw error
            }
            switch outcome {
            case .muffled:
                warnings.remove(at: i)
            case .unwind:
                warnings.removeSubrange(count...)
                throw warningError(message, call: call)
            case .proceed:
                if warningsAreErrors {
                    warnings.removeSubrange(count...)
                    throw convertedWarning(message)
                }
                i += 1
            }
        }
        signalledWarnings = warnings.count
    }

    /// The error a warning becomes under `options(warn = 2)`.
    func convertedWarning(_ message: String) -> FnError {
        var text = Substring(message)
        if text.hasPrefix("In ") {
            let bytes = Array(text.utf8)
            for i in 0..<max(0, bytes.count - 2) where bytes[i] == 32 && bytes[i + 1] == 58 && bytes[i + 2] == 32 {
                text = Substring(String(decoding: bytes[(i + 3)...], as: UTF8.self))
                break
            }
        }
        return FnError.runtime("(converted from warning) " + text)
    }

    /// The text of the closure call `stop()`/`warning()` is reporting from (R's `sys.call(-1)`).
    var callerText: String? {
        guard let frame = frames.last, let node = frame.callNode, let src = frame.callSource else { return nil }
        return src.text(node.span)
    }

    static func conditionBuiltins() -> [Builtin] {
        [
            Builtin("stop", ["...", "call."]) { args, ip throws(FnError) in
                let withCall = args[1].map { v in v.storage?.logicals().first == 1 } ?? true
                var e: FnError
                if args.dots.count == 1, case .list(let l) = args.dots[0], l.classes?.contains("condition") == true {
                    e = FnError(.runtime, Conditions.message(of: args.dots[0]))
                    e.condition = args.dots[0]
                    e.call = ""
                    switch l.element(named: "call") {
                    case .character(let c?)?: e.call = c
                    case let call? where call.typeName == "language": e.call = Language.deparseLines(call).joined(separator: " ")
                    default: break
                    }
                } else {
                    e = FnError(.runtime, try ip.pasteMessage(args.dots))
                    e.call = withCall ? (ip.callerText ?? "") : ""
                    if withCall, let i = ip.currentFrameIndex() {
                        e.condition = .list(List([.character(e.message), ip.callLanguage(ofFrame: i)], names: ["message", "call"],
                                                 classes: ["simpleError", "error", "condition"]))
                    }
                }
                // Calling handlers run here, before anything unwinds, as in R.
                _ = try ip.signal(Conditions.object(for: e), restart: nil)
                e.signalled = true
                throw e
            },
            Builtin("warning", ["...", "call."]) { args, ip throws(FnError) in
                let withCall = args[1].map { v in v.storage?.logicals().first == 1 } ?? true
                let callText = withCall ? ip.callerText : nil
                let message: String
                var condition: Value? = nil
                if args.dots.count == 1, case .list(let l) = args.dots[0], l.classes?.contains("condition") == true {
                    message = Conditions.message(of: args.dots[0])
                    condition = args.dots[0]
                } else {
                    message = try ip.pasteMessage(args.dots)
                }
                var cond = condition ?? Conditions.warning(message, call: callText)
                // The condition's call is the calling function's call, as a call (R's sys.call(-1)).
                if condition == nil, withCall, let i = ip.currentFrameIndex(), case .list(var l) = cond {
                    l.elements[1] = ip.callLanguage(ofFrame: i)
                    cond = .list(l)
                }
                switch try ip.signal(cond, restart: "muffleWarning") {
                case .unwind:
                    var e = ip.warningError(message, call: callText)
                    e.condition = cond
                    throw e
                case .proceed:
                    if ip.warningsAreErrors { throw ip.convertedWarning(message) }
                    let prefix = callText.map { "In \($0) : " } ?? ""
                    ip.warn(prefix + message)
                    // Already offered to the handlers: the call's own check must not offer it again.
                    ip.signalledWarnings = ip.warnings.count
                case .muffled:
                    break
                }
                ip.visible = false
                return .character(message)
            },
            Builtin("simpleError", ["message", "call"]) { args, _ throws(FnError) in
                let m = try args.required(0, "message")
                return .list(List([m, args[1] ?? .null], names: ["message", "call"],
                                  classes: ["simpleError", "error", "condition"]))
            },
            Builtin("simpleCondition", ["message", "call"]) { args, _ throws(FnError) in
                let m = try args.required(0, "message")
                return .list(List([m, args[1] ?? .null], names: ["message", "call"],
                                  classes: ["simpleCondition", "condition"]))
            },
            Builtin("simpleWarning", ["message", "call"]) { args, _ throws(FnError) in
                let m = try args.required(0, "message")
                return .list(List([m, args[1] ?? .null], names: ["message", "call"],
                                  classes: ["simpleWarning", "warning", "condition"]))
            },
            Builtin("conditionMessage", ["c"]) { args, _ throws(FnError) in
                let c = try args.required(0, "c")
                guard case .list(let l) = c, let m = l.element(named: "message") else {
                    throw FnError.runtime("no applicable method for 'conditionMessage' applied to an object of class \"\(c.typeName)\"")
                }
                return m
            },
            Builtin("signalCondition", ["cond"]) { args, ip throws(FnError) in
                let c = try args.required(0, "cond")
                // Calling handlers run; unless a tryCatch takes it, signalling returns NULL.
                guard try ip.signal(c, restart: nil) == .unwind else { return .null }
                var e = FnError(.runtime, Conditions.message(of: c))
                e.condition = c
                throw e
            },
            Builtin("simpleMessage", ["message", "call"]) { args, _ throws(FnError) in
                let m = try args.required(0, "message")
                return .list(List([m, args[1] ?? .null], names: ["message", "call"],
                                  classes: ["simpleMessage", "message", "condition"]))
            },
            Builtin("invokeRestart", ["r", "..."]) { args, ip throws(FnError) in
                var r: String
                if case .list(let l)? = args[0], case .character(let n?)? = l.element(named: "name") {
                    r = n
                } else {
                    r = try Unpack.string(args[0], "r")
                }
                guard let entry = ip.restarts.last(where: { $0.name == r }) else {
                    throw FnError.runtime("no 'restart' '\(r)' found")
                }
                var e = FnError(.runtime, "restart '\(r)' invoked outside of its handler")
                if entry.handler == nil {
                    e.condition = .list(List([.character(r)], names: ["name"], classes: ["restart"]))
                } else {
                    let named = args.dotNames.contains { $0 != nil }
                    let arguments = List(args.dots, names: named ? args.dotNames.map { $0 ?? "" } : nil)
                    e.condition = .list(List([.character(r), .integer(Int32(entry.token)), .list(arguments)],
                                             names: ["name", "token", "arguments"], classes: ["restart"]))
                }
                throw e
            },
            Builtin("computeRestarts", ["cond"]) { _, ip throws(FnError) in
                // R's top level always offers "abort".
                .list(List((ip.restarts.reversed().map(\.name) + ["abort"]).map { name in
                    .list(List([.character(name)], names: ["name"], classes: ["restart"]))
                }))
            },
            Builtin("conditionCall", ["c"]) { args, _ throws(FnError) in
                guard case .list(let l)? = args[0] else { return .null }
                return l.element(named: "call") ?? .null
            },
        ]
    }

    /// The message of `stop(...)`/`warning(...)`: the arguments pasted together with no separator.
    func pasteMessage(_ parts: [Value]) throws(FnError) -> String {
        var s = ""
        for p in parts {
            guard let st = p.storage else {
                if case .null = p { continue }
                throw FnError.runtime("cannot coerce type '\(p.typeName)' to vector of type 'character'")
            }
            for x in st.strings() { s += x ?? "NA" }
        }
        return s
    }
}
