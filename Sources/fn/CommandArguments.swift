#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import FnLanguage

/// A command's words, read one at a time: flags, options with a value, and positional words.
///
/// Problems are reported on stderr as `fn COMMAND: message`, followed by the usage when the words
/// were malformed; the command then exits with 2.
///
///     var words = CommandArguments(arguments, command: "serve", usage: usage)
///     while let word = words.next() {
///         switch word {
///         case "--port": guard let v = words.value(of: word) else { return 2 } ...
///         default: ...
///         }
///     }
struct CommandArguments {
    let command: String
    let usage: String
    private let words: [String]
    private var index = 0

    init(_ words: [String], command: String, usage: String) {
        self.words = words
        self.command = command
        self.usage = usage
    }

    /// The next word, or nil after the last.
    mutating func next() -> String? {
        guard index < words.count else { return nil }
        defer { index += 1 }
        return words[index]
    }

    /// The word after `option`, its value; nil, reported, when there is none.
    mutating func value(of option: String) -> String? {
        guard let value = next() else {
            report("\(option) needs a value", showUsage: true)
            return nil
        }
        return value
    }

    /// The value after `option` as a timeout in seconds; nil, reported, when it is not positive or
    /// too large for a deadline in milliseconds (`inf`, `1e300` would trap converting to Int64).
    mutating func seconds(of option: String) -> Double? {
        guard let text = value(of: option) else { return nil }
        guard let seconds = Double(text), CommandArguments.isTimeout(seconds) else {
            report("\(option) needs a positive number of seconds")
            return nil
        }
        return seconds
    }

    /// Whether `seconds` can be a timeout: positive and at most about 31 years.
    static func isTimeout(_ seconds: Double) -> Bool { seconds > 0 && seconds <= 1e9 }

    /// The value after `option` as a memory size in MB (1 to 1048576); nil, reported, otherwise.
    mutating func megabytes(of option: String) -> Int? {
        guard let text = value(of: option) else { return nil }
        guard let mb = Int(text), mb >= 1, mb <= 1 << 20 else {
            report("\(option) needs a memory size in MB (1-1048576)")
            return nil
        }
        return mb
    }

    /// Writes `fn COMMAND: message` (and the usage) to stderr.
    func report(_ message: String, showUsage: Bool = false) {
        writeError("fn \(command): \(message)" + (showUsage ? "\n\(usage)" : ""))
    }
}

/// Writes one line to stderr.
func writeError(_ text: String) {
    fputs(text + "\n", stderr)
}

/// Lambda's memory size for this process: `--memory MB` when given (exported as
/// AWS_LAMBDA_FUNCTION_MEMORY_SIZE, so the context and REPORT lines agree), else that variable.
/// Handler values are kept within a budget under it (see MemoryBudget).
func applyMemorySize(_ megabytes: Int?) {
    if let megabytes { setenv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", String(megabytes), 1) }
    MemoryBudget.configureFromEnvironment()
}
