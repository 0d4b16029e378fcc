import FnLambda

/// `fn runtime [HANDLER]`: the Lambda bootstrap. The handler comes from `_HANDLER` (the base image's
/// entrypoint sets it from CMD) or the argument; files are read from `LAMBDA_TASK_ROOT`, else the
/// working directory.
func runtimeCommand(_ arguments: [String]) -> Int32 {
    if arguments.contains("-h") || arguments.contains("--help") {
        print("""
            usage: fn runtime [HANDLER]

            Runs as a Lambda custom runtime: talks to the Runtime API at AWS_LAMBDA_RUNTIME_API.
            HANDLER (file.function) comes from _HANDLER, else the argument; files are read from
            LAMBDA_TASK_ROOT, else the working directory. AWS_LAMBDA_LOG_FORMAT (Text|JSON) and
            AWS_LAMBDA_LOG_LEVEL (else LOG_LEVEL) control logging.
            """)
        return 0
    }
    guard arguments.count <= 1 else {
        writeError("fn runtime: expected at most one argument (the handler), got \(arguments.count)")
        return 2
    }
    return RuntimeMain.run(handlerArgument: arguments.first)
}
