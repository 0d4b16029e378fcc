/// The names Lambda's Runtime API and Invoke API use: paths, headers, media types, environment
/// variables. Every literal the runtime and the local server put on the wire is here, once.
public enum RuntimeAPI {
    /// `AWS_LAMBDA_RUNTIME_API` holds `host:port`; the API is versioned by this path prefix.
    static let base = "/2018-06-01"
    static let next = base + "/runtime/invocation/next"
    static let initError = base + "/runtime/init/error"

    static func response(requestId: String) -> String {
        base + "/runtime/invocation/" + requestId + "/response"
    }

    static func error(requestId: String) -> String {
        base + "/runtime/invocation/" + requestId + "/error"
    }

    /// Headers of the `/next` response.
    enum Header {
        static let requestId = "Lambda-Runtime-Aws-Request-Id"
        static let deadlineMs = "Lambda-Runtime-Deadline-Ms"
        static let invokedFunctionArn = "Lambda-Runtime-Invoked-Function-Arn"
        static let traceId = "Lambda-Runtime-Trace-Id"
        static let clientContext = "Lambda-Runtime-Client-Context"
        static let cognitoIdentity = "Lambda-Runtime-Cognito-Identity"
        static let tenantId = "Lambda-Runtime-Aws-Tenant-Id"
        /// Unique per invocation (never reused on retries); echoed back on response and error.
        static let invocationId = "Lambda-Runtime-Invocation-Id"
        /// Sent with error reports.
        static let functionErrorType = "Lambda-Runtime-Function-Error-Type"
    }

    enum MediaType {
        static let json = "application/json"
        static let error = "application/vnd.aws.lambda.error+json"
    }

    /// Environment variables Lambda sets for a custom runtime.
    enum Environment {
        static let runtimeAPI = "AWS_LAMBDA_RUNTIME_API"
        static let handler = "_HANDLER"
        static let taskRoot = "LAMBDA_TASK_ROOT"
        static let traceId = "_X_AMZN_TRACE_ID"
        static let functionName = "AWS_LAMBDA_FUNCTION_NAME"
        static let functionVersion = "AWS_LAMBDA_FUNCTION_VERSION"
        static let memorySize = "AWS_LAMBDA_FUNCTION_MEMORY_SIZE"
        static let logGroupName = "AWS_LAMBDA_LOG_GROUP_NAME"
        static let logStreamName = "AWS_LAMBDA_LOG_STREAM_NAME"
        static let logFormat = "AWS_LAMBDA_LOG_FORMAT"
        static let logLevel = "AWS_LAMBDA_LOG_LEVEL"
        static let fallbackLogLevel = "LOG_LEVEL"
    }

    /// Error types the runtime itself reports (the handler's own come from `HandlerError`).
    enum ErrorType {
        static let timeout = "Runtime.Timeout"
        static let responseTooLarge = "Runtime.ResponseTooLarge"
        static let requestTooLarge = "RequestEntityTooLargeException"
    }
}

/// Lambda's Invoke API, as served locally by `fn serve` (the shape the AWS CLI and boto3 send).
public enum InvokeAPI {
    /// `POST /2015-03-31/functions/{name}/invocations`.
    static let functionsPrefix = "/2015-03-31/functions/"
    static let invocationsSuffix = "/invocations"
    /// Set on a 200 response whose body is a function error.
    static let functionErrorHeader = "X-Amz-Function-Error"
    static let unhandled = "Unhandled"
    static let errorTypeHeader = "X-Amzn-ErrorType"
    static let requestIdHeader = "X-Amzn-RequestId"
    /// Lambda's synchronous payload limit.
    static let maxPayloadBytes = 6 * 1024 * 1024
}
