/// What Lambda tells the runtime about one invocation (the `/next` response headers plus the
/// function's environment), as handed to a handler's `context` formal.
public struct InvocationContext: Sendable {
    public var requestId: String
    /// Milliseconds since the Unix epoch when the invocation times out.
    public var deadlineMs: Int64
    public var invokedFunctionArn: String
    public var traceId: String?
    public var clientContext: String?
    public var cognitoIdentity: String?
    public var tenantId: String?
    /// `Lambda-Runtime-Invocation-Id`, echoed back on response and error when present.
    public var invocationId: String?
    public var functionName: String
    public var functionVersion: String
    public var memoryLimitMB: Int
    public var logGroupName: String
    public var logStreamName: String

    public init(
        requestId: String, deadlineMs: Int64, invokedFunctionArn: String = "",
        traceId: String? = nil, clientContext: String? = nil, cognitoIdentity: String? = nil,
        tenantId: String? = nil, invocationId: String? = nil, functionName: String = "",
        functionVersion: String = "$LATEST", memoryLimitMB: Int = 128, logGroupName: String = "",
        logStreamName: String = ""
    ) {
        self.requestId = requestId
        self.deadlineMs = deadlineMs
        self.invokedFunctionArn = invokedFunctionArn
        self.traceId = traceId
        self.clientContext = clientContext
        self.cognitoIdentity = cognitoIdentity
        self.tenantId = tenantId
        self.invocationId = invocationId
        self.functionName = functionName
        self.functionVersion = functionVersion
        self.memoryLimitMB = memoryLimitMB
        self.logGroupName = logGroupName
        self.logStreamName = logStreamName
    }
}

extension InvocationContext {
    /// Reads the `/next` response headers and the function's environment. Missing headers give
    /// empty or nil fields: an emulator or a future API version may not send all of them.
    init(headers: HTTPHeaders, environment: FunctionEnvironment) {
        typealias H = RuntimeAPI.Header
        self.init(
            requestId: headers[H.requestId] ?? "",
            deadlineMs: headers[H.deadlineMs].flatMap { Int64($0) } ?? 0,
            invokedFunctionArn: headers[H.invokedFunctionArn] ?? "",
            traceId: headers[H.traceId],
            clientContext: headers[H.clientContext],
            cognitoIdentity: headers[H.cognitoIdentity],
            tenantId: headers[H.tenantId],
            invocationId: headers[H.invocationId],
            functionName: environment.functionName,
            functionVersion: environment.functionVersion,
            memoryLimitMB: environment.memoryLimitMB,
            logGroupName: environment.logGroupName,
            logStreamName: environment.logStreamName
        )
    }
}

/// The function's identity from the `AWS_LAMBDA_*` environment, read once at start-up.
public struct FunctionEnvironment: Sendable {
    public var functionName: String
    public var functionVersion: String
    public var memoryLimitMB: Int
    public var logGroupName: String
    public var logStreamName: String

    public init(functionName: String = "function", functionVersion: String = "$LATEST", memoryLimitMB: Int = 128,
                logGroupName: String = "", logStreamName: String = "") {
        self.functionName = functionName
        self.functionVersion = functionVersion
        self.memoryLimitMB = memoryLimitMB
        self.logGroupName = logGroupName
        self.logStreamName = logStreamName
    }

    /// Reads the variables Lambda sets; absent ones keep the defaults above.
    public static func fromProcess() -> FunctionEnvironment {
        typealias E = RuntimeAPI.Environment
        var env = FunctionEnvironment()
        if let v = ProcessEnvironment.get(E.functionName) { env.functionName = v }
        if let v = ProcessEnvironment.get(E.functionVersion) { env.functionVersion = v }
        if let v = ProcessEnvironment.get(E.memorySize).flatMap({ Int($0) }) { env.memoryLimitMB = v }
        if let v = ProcessEnvironment.get(E.logGroupName) { env.logGroupName = v }
        if let v = ProcessEnvironment.get(E.logStreamName) { env.logStreamName = v }
        return env
    }
}
