#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import FnLanguage

/// `fn COMMAND ...`: one executable for the runtime and the local tools. Every command runs on a
/// thread with a large stack so deep recursion in user code is a clean error.
let usage = """
    usage: fn <command> [arguments]

    commands:
      eval EXPR                 evaluate EXPR and print the last value as JSON
      run FILE [ARGS]           run a script (output from print, cat, message)
      invoke HANDLER [EVENT]    call a handler once: EVENT is JSON text, - for stdin, @path
      serve [HANDLER]           serve a handler on Lambda's Invoke API (default functions.parity)
      repl [FILE...]            read-eval-print loop (sources FILEs first; :help inside)
      runtime [HANDLER]         the Lambda custom runtime (bootstrap)
      check [PATH...]           report syntax errors, unknown functions and unassigned variables
      package [-o FILE]         a zip for Lambda's provided.al2023 runtime (fn as bootstrap + handlers)
      help                      this text

    Run `fn <command> --help` for the command's options.
    """

let arguments = Array(CommandLine.arguments.dropFirst())
let rest = Array(arguments.dropFirst())
// Installed as /var/runtime/bootstrap, fn is started with no command by Lambda's entrypoint and by
// its emulator (which take one executable, not `fn runtime`): that name means `fn runtime`.
let invokedAsBootstrap = CommandLine.arguments.first?.split(separator: "/").last == "bootstrap"
let status: Int32 = runWithLargeStack {
    if invokedAsBootstrap { return runtimeCommand(arguments) }
    switch arguments.first {
    case "eval": return evalCommand(rest)
    case "run": return runCommand(rest)
    case "invoke": return invokeCommand(rest)
    case "runtime": return runtimeCommand(rest)
    case "serve": return serveCommand(rest)
    case "repl": return replCommand(rest)
    case "check": return checkCommand(rest)
    case "package": return packageCommand(rest)
    case "help", "-h", "--help":
        print(usage)
        return 0
    case nil:
        writeError(usage)
        return 2
    case let other?:
        writeError("fn: unknown command '\(other)'\n\(usage)")
        return 2
    }
}
exit(status)
