/// R's conditions: errors and warnings as values (lists with `message` and `call`, classed
/// `simpleError`/`simpleWarning`), `stop()`, `warning()`, `conditionMessage()`.
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

    /// "Error in call : message" / "Error: message", as R prints an uncaught error.
    static func errorText(_ e: FnError) -> String {
        if let call = e.call, !call.isEmpty { return "Error in \(call) : \(e.message)" }
        return "Error: \(e.message)"
    }
}

extension Interpreter {
    /// The text of the closure call `stop()`/`warning()` is reporting from (R's `sys.call(-1)`).
    var callerText: String? {
        guard let frame = frames.last, let node = frame.callNode, let src = frame.callSource else { return nil }
        return src.text(node.span)
    }

    static func conditionBuiltins() -> [Builtin] {
        [
            Builtin("stop", ["...", "call."]) { args, ip throws(FnError) in
                let withCall = args[1].map { v in v.storage?.logicals().first == 1 } ?? true
                if args.dots.count == 1, case .list(let l) = args.dots[0], l.classes?.contains("condition") == true {
                    var e = FnError(.runtime, Conditions.message(of: args.dots[0]))
                    e.condition = args.dots[0]
                    e.call = ""
                    if case .character(let c?)? = l.element(named: "call") { e.call = c }
                    throw e
                }
                var e = FnError(.runtime, try ip.pasteMessage(args.dots))
                e.call = withCall ? (ip.callerText ?? "") : ""
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
                if ip.warningCatchers > 0 {
                    var e = ip.warningError(message, call: callText)
                    if let condition { e.condition = condition }
                    throw e
                }
                let prefix = callText.map { "In \($0) : " } ?? ""
                ip.warn(prefix + message)
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
            Builtin("conditionCall", ["c"]) { args, _ throws(FnError) in
                guard case .list(let l)? = args[0] else { return .null }
                return l.element(named: "call") ?? .null
            },
            Builtin("signalCondition", ["cond"]) { args, ip throws(FnError) in
                let c = try args.required(0, "cond")
                // With no active tryCatch handler for its class, signalling does nothing (R returns NULL).
                let classes = Conditions.classes(of: c)
                if !ip.handledClasses.contains(where: { $0.contains(where: classes.contains) }) { return .null }
                var e = FnError(.runtime, Conditions.message(of: c))
                e.condition = c
                throw e
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
