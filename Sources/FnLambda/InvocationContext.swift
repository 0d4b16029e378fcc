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
