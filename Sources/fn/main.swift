#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

// Local dispatch for `runtime` and `serve` (the lead owns the full command table).
let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "runtime":
    exit(runtimeCommand(Array(arguments.dropFirst())))
case "serve":
    exit(serveCommand(Array(arguments.dropFirst())))
default:
    fputs("usage: fn runtime [HANDLER] | fn serve [HANDLER] [options]\n", stderr)
    exit(2)
}
