import Glibc
import Testing

/// Handlers that ask for ten times a 128 MB function's memory, in every way the budget sees.
let memoryHandlers = #"""
one <- function() length(numeric(1.6e8))
many <- function() { x <- list(); for (i in 1:100) x[[i]] <- numeric(1.6e6); length(x) }
grow <- function() { s <- strrep("x", 1e6); repeat s <- paste0(s, s); nchar(s) }
pasted <- function() nchar(paste(rep("abcdefgh", 2e7), collapse = ""))
repped <- function() length(rep(c(1.5, 2.5), 8e7))
ranged <- function() rev(1:1.6e8)
regexed <- function() nchar(gsub("x", strrep("y", 1e6), strrep("x", 2000)))
outered <- function() length(outer(1:2e4, 1:2e4))
jsoned <- function() nchar(toJSON(rep(strrep("x", 1000), 2e5)))
bigresult <- function() rep(strrep("x", 1000), 2e5)
caught <- function() tryCatch(numeric(1.6e8), error = function(e) conditionMessage(e))
small <- function() sum(numeric(1e6) + 1)
"""#

/// `fn serve --memory 128` under a real address-space limit (`prlimit --as`): room for fn's
/// reserved thread stacks (1 GB each, reserved but not touched) plus well under the 1.28 GB each
/// handler asks for, so an allocation the budget let through would kill the process.
@Suite(.serialized) struct MemoryLimitTests {
    /// `fn serve m.dispatch --memory 128` under the limit; the event names the function to call.
    static func server() throws -> ServeProcess {
        let root = temporaryDirectory("memory")
        writeFile(root + "/m.fn", memoryHandlers + "\ndispatch <- function(name) get(name)()\n")
        return try ServeProcess(arguments: ["m.dispatch", "--memory", "128"], root: root,
                                launcher: ["/usr/bin/prlimit", "--as=\(3 << 30)", "--"])
    }

    @Test func everyWayOfAskingTooMuchIsAnRErrorAndTheProcessLives() throws {
        let serve = try Self.server()
        func invoke(_ name: String) throws -> String {
            text(try httpRequest(port: serve.port, path: "/2015-03-31/functions/function/invocations",
                                 body: #"{"name": "\#(name)"}"#).body)
        }
        for name in ["one", "many", "grow", "pasted", "repped", "ranged", "regexed", "outered", "jsoned"] {
            let body = try invoke(name)
            #expect(body.hasPrefix(#"{"errorMessage":"cannot allocate vector of size "#), "\(name): \(body)")
            #expect(body.contains(#""errorType":"simpleError""#), "\(name): \(body)")
            #expect(try invoke("small") == "1000000", "after \(name)")
        }
        #expect(try invoke("caught") == #""cannot allocate vector of size 1.2 Gb""#)
        // A result too large to write as JSON within the budget: the result fails, the process lives.
        let big = try invoke("bigresult")
        #expect(big.hasPrefix(#"{"errorMessage":"Unable to marshal the result as JSON: cannot allocate vector of size "#),
                "\(big)")
        #expect(big.contains(#""errorType":"Runtime.MarshalError""#), "\(big)")
        #expect(try invoke("small") == "1000000")
        #expect(serve.process.isRunning)
    }

    @Test func aThousandOverLimitInvocationsThenAnAnswer() throws {
        let serve = try Self.server()
        // One keep-alive client; the cheap refusals dominate, the ones that fill the budget first
        // ("many", "grow", "regexed") come every tenth time.
        let (code, output) = try runPython("""
            import http.client, json
            conn = http.client.HTTPConnection("127.0.0.1", \(serve.port), timeout=60)
            names = ["one", "repped", "ranged", "pasted", "outered", "regexed", "ranged", "one", "many", "grow"]
            refused = 0
            for i in range(1000):
                conn.request("POST", "/2015-03-31/functions/function/invocations",
                             body=json.dumps({"name": names[i % len(names)]}))
                body = conn.getresponse().read().decode()
                if body.startswith('{"errorMessage":"cannot allocate vector of size '):
                    refused += 1
                else:
                    print("unexpected", i, body[:200])
            conn.request("POST", "/2015-03-31/functions/function/invocations", body=json.dumps({"name": "small"}))
            print(refused, conn.getresponse().read().decode())
            """)
        #expect(code == 0, "\(output)")
        #expect(output == "1000 1000000\n", "\(output)")
        #expect(serve.process.isRunning, "\(serve.process.log.suffix(2000))")
    }

    /// The limit is real: without a memory size the same server dies on the same handler.
    @Test func withoutABudgetTheSameRequestKillsTheServer() throws {
        let root = temporaryDirectory("memory")
        writeFile(root + "/m.fn", memoryHandlers)
        let serve = try ServeProcess(arguments: ["m.many"], root: root,
                                     launcher: ["/usr/bin/prlimit", "--as=\(3 << 30)", "--"])
        _ = try? httpRequest(port: serve.port, path: "/2015-03-31/functions/function/invocations", body: "{}")
        #expect(serve.process.wait(seconds: 30) != nil, "fn serve survived without a budget: the limit is not real")
    }

    @Test func badMemoryOptionsAreUsageErrors() throws {
        for value in ["0", "-5", "lots", "2000000"] {
            let (code, output) = try Subprocess.shell("'\(fnExecutable)' invoke functions.parity --memory '\(value)'")
            #expect(code == 2, "\(value): \(output)")
            #expect(output.contains("--memory needs a memory size in MB"), "\(output)")
        }
    }

    @Test func invokeTakesMemoryAndTheEnvironmentAndNoneMeansNoBudget() throws {
        let root = temporaryDirectory("memory")
        writeFile(root + "/m.fn", memoryHandlers)
        let invoke = "'\(fnExecutable)' invoke m.caught --root '\(root)'"
        #expect(try Subprocess.shell(invoke + " --memory 128").1 == "\"cannot allocate vector of size 1.2 Gb\"\n")
        var environment = Environment.inherited()
        environment["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = "256"
        #expect(try Subprocess.shell(invoke, environment: environment).1
                    == "\"cannot allocate vector of size 1.2 Gb\"\n")
        // The context tells the handler the same size.
        writeFile(root + "/c.fn", "f <- function(context) context$memory_limit_in_mb\n")
        #expect(try Subprocess.shell("'\(fnExecutable)' invoke c.f --root '\(root)' --memory 512").1 == "512\n")
        // No memory size: the request is only refused by the vector length limit, a different error.
        let (_, unlimited) = try Subprocess.shell("'\(fnExecutable)' invoke m.one --root '\(root)'")
        #expect(unlimited.contains("the limit is 100000000 elements"), "\(unlimited)")
    }
}
