/// Logging in the style of R's `logger` package: `log_info("served ", n, " items")` pastes its
/// arguments (like `paste0`) and emits one log event at that level when it is at or above the
/// threshold. The runtime turns events into Lambda log lines (text or JSON).
extension BuiltinRegistry {
    mutating func registerLogging() {
        let levels: [(String, LogLevel)] = [
            ("log_trace", .trace), ("log_debug", .debug), ("log_info", .info),
            ("log_warn", .warn), ("log_error", .error), ("log_fatal", .fatal),
        ]
        for (name, level) in levels {
            define(name, ["..."]) { args, ip throws(FnError) in
                ip.visible = false
                guard level >= ip.logThreshold else { return .null }
                let message = try ip.pasteMessage(args.dots)
                ip.output(.log(level), message + "\n")
                return .null
            }
        }
        define("log_threshold", ["level"]) { args, ip throws(FnError) in
            let current = Value.character(ip.logThreshold.name)
            guard let v = args[0] else { return current }
            guard case .character(let name?) = v, let level = LogLevel(name: name) else {
                throw FnError.runtime("log_threshold: level must be one of TRACE, DEBUG, INFO, WARN, ERROR, FATAL")
            }
            ip.logThreshold = level
            ip.visible = false
            return current
        }
    }
}

extension LogLevel {
    /// The level named `name` (case-insensitive; `WARNING` is `WARN`).
    public init?(name: String) {
        switch name.uppercased() {
        case "TRACE": self = .trace
        case "DEBUG": self = .debug
        case "INFO": self = .info
        case "WARN", "WARNING": self = .warn
        case "ERROR": self = .error
        case "FATAL", "CRITICAL": self = .fatal
        default: return nil
        }
    }
}
