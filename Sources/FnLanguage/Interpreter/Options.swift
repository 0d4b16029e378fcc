/// R's `options()`: session-wide settings with R's defaults. fn honours `warn` (negative: drop
/// warnings; 1: report each at once; 2 or more: turn them into errors), `digits` and `scipen` in
/// printing, and `stringsAsFactors`; the others are kept for code that reads them.
struct Options {
    /// Settings by name, with R's default values.
    var values: [String: Value] = [
        "digits": .integer(7),
        "scipen": .integer(0),
        "warn": .integer(0),
        "OutDec": .character("."),
        "stringsAsFactors": .false_,
        "width": .integer(80),
        "expressions": .integer(5000),
        "keep.source": .false_,
        "warning.length": .integer(1000),
        "nwarnings": .integer(50),
        "max.print": .integer(99999),
        "useFancyQuotes": .true_,
        "encoding": .character("native.enc"),
        "na.action": .character("na.omit"),
        "show.error.messages": .true_,
        "timeout": .integer(60),
        "digits.secs": .null,
    ]

    /// `options("warn")` as a number.
    var warn: Int {
        switch values["warn"] {
        case .integer(let i)?: return Int(i)
        case .double(let d)? where !d.isNaN: return Int(d)
        default: return 0
        }
    }
}

extension Interpreter {
    /// The value of option `name`, if set.
    public func option(_ name: String) -> Value? {
        guard let v = options.values[name], !v.isNull else { return nil }
        return v
    }

    static func optionBuiltins() -> [Builtin] {
        [
            Builtin("options", ["..."]) { args, ip throws(FnError) in
                // No arguments: every option, sorted by name.
                if args.dots.isEmpty {
                    let names = ip.options.values.keys.filter { !(ip.options.values[$0]?.isNull ?? true) }.sorted()
                    return .list(List(names.map { ip.options.values[$0] ?? .null }, names: names))
                }
                var settings: [(String, Value)] = []
                var queries: [String] = []
                for (i, v) in args.dots.enumerated() {
                    if let name = args.dotNames[i] {
                        settings.append((name, v))
                    } else if case .list(let l) = v {
                        for (k, e) in l.elements.enumerated() {
                            guard let n = l.names?[k], !n.isEmpty else { throw FnError.runtime("list argument has no valid names") }
                            settings.append((n, e))
                        }
                    } else if case .null = v {
                        continue
                    } else if let s = v.storage, s.type == .character {
                        queries.append(contentsOf: s.strings().map { $0 ?? "NA" })
                    } else {
                        throw FnError.runtime("invalid argument")
                    }
                }
                var oldNames: [String] = []
                var oldValues: [Value] = []
                for n in queries {
                    oldNames.append(n)
                    oldValues.append(ip.options.values[n] ?? .null)
                }
                for (n, v) in settings {
                    try Interpreter.checkOption(n, v)
                    oldNames.append(n)
                    oldValues.append(ip.options.values[n] ?? .null)
                    ip.options.values[n] = v.isNull ? nil : v
                }
                if !settings.isEmpty { ip.visible = false }
                ip.warningsAreErrors = ip.options.warn >= 2
                return .list(List(oldValues, names: oldNames))
            },
            Builtin("getOption", ["x", "default"]) { args, ip throws(FnError) in
                let name = try Unpack.string(args[0], "x")
                return ip.option(name) ?? args[1] ?? .null
            },
        ]
    }

    /// R's checks on the options fn uses.
    private static func checkOption(_ name: String, _ v: Value) throws(FnError) {
        switch name {
        case "digits":
            guard let d = v.storage?.doubles().first, d >= 1, d <= 22 else {
                throw FnError.runtime("invalid 'digits' parameter, allowed 1...22")
            }
        case "warn", "scipen":
            guard v.storage?.count == 1, let d = v.storage?.doubles().first, !d.isNaN else {
                throw FnError.runtime("invalid value for '\(name)'")
            }
        default:
            break
        }
    }
}
