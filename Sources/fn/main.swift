#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

// Local dispatch for `runtime` and `serve` (the lead owns the full command table).
// Installed as /var/runtime/bootstrap, fn is started with no arguments by Lambda and its emulator,
// so that name means `fn runtime` (no shell wrapper: one exec less at cold start).
let arguments = Array(CommandLine.arguments.dropFirst())
let invokedAs = CommandLine.arguments.first.map { $0.split(separator: "/").last.map(String.init) ?? $0 } ?? "fn"
if invokedAs == "bootstrap" {
    exit(runtimeCommand(arguments))
}
switch arguments.first {
case "runtime":
    exit(runtimeCommand(Array(arguments.dropFirst())))
case "serve":
    exit(serveCommand(Array(arguments.dropFirst())))
default:
    fputs("usage: fn runtime [HANDLER] | fn serve [HANDLER] [options]\n", stderr)
    exit(2)
}
