import Testing
@testable import FnLanguage

/// The handler-oriented library: JSON, time, HTTP helpers, encodings and the collection and
/// statistics functions added for issue 5. R-agreement cases cover what R has; these tests cover
/// fn-only behaviour and exact text.
@Suite struct LibraryStdlibTests {
    /// The value of `code` as the JSON a handler would return.
    private func json(_ code: String) throws -> String {
        let ip = Interpreter()
        ip.output = { _, _ in }
        return String(decoding: try JSON.serialize(try ip.evaluate(code)), as: UTF8.self)
    }

    /// The value of `code`, which must be one string.
    private func string(_ code: String) throws -> String? {
        let ip = Interpreter()
        ip.output = { _, _ in }
        guard case .character(let s) = try ip.evaluate(code) else { return "not a string" }
        return s
    }

    /// The message of the error `code` raises, or "no error".
    private func errorMessage(_ code: String) -> String {
        let ip = Interpreter()
        ip.output = { _, _ in }
        do {
            _ = try ip.evaluate(code)
            return "no error"
        } catch {
            return error.message
        }
    }

    // MARK: JSON

    @Test func toJSONIsACharacterScalar() throws {
        // jsonlite's defaults (auto_unbox = FALSE, null = "list"); answers from GNU R.
        #expect(try json(#"toJSON(list(a = 1L, b = c("x", "y")))"#) == #""{\"a\":[1],\"b\":[\"x\",\"y\"]}""#)
        #expect(try json("is.character(toJSON(1:2))") == "true")
        #expect(try json("toJSON(5, auto_unbox = FALSE)") == #""[5]""#)
        #expect(try json("toJSON(NULL)") == #""{}""#)
        #expect(try json("class(toJSON(1))") == #""json""#)
    }

    @Test func toJSONPrettyIndentsListsByTwoSpaces() throws {
        let v = try string("as.character(toJSON(list(a = 1L, b = list(c = 1:2), e = list()), pretty = TRUE))")
        #expect(v == ("{\n  \"a\": [1],\n  \"b\": {\n    \"c\": [1, 2]\n  },\n  \"e\": []\n}"))
    }

    @Test func toJSONErrorsAreOrdinaryErrors() throws {
        #expect(errorMessage("toJSON(sum)") == "cannot serialise a function as JSON")
        #expect(try json("tryCatch(toJSON(sum), error = function(e) \"caught\")") == #""caught""#)
        #expect(try json("toJSON(1/0)") == #""[\"Inf\"]""#)
    }

    @Test func fromJSONFollowsTheBridge() throws {
        #expect(try json(#"fromJSON("[1, null, 3]")"#) == "[1,null,3]")
        #expect(try json(#"is.integer(fromJSON("[1, 2]"))"#) == "true")
        #expect(try json(#"is.list(fromJSON("[1, 2]", simplifyVector = FALSE))"#) == "true")
        #expect(try json(#"length(fromJSON("[1, null]", simplifyVector = FALSE)[[2]])"#) == "0")
        #expect(errorMessage(#"fromJSON("{bad")"#).hasPrefix("invalid JSON at line 1, column 2"))
        #expect(errorMessage("fromJSON(1)") == "Argument 'txt' must be a JSON string, URL or file.")
    }
}

extension LibraryStdlibTests {
    @Test func base64RoundTrips() throws {
        #expect(try string(#"base64_dec(base64_enc("héllo, wörld"))"#) == "héllo, wörld")
        #expect(try string(#"base64_dec("aGk")"#) == "hi")
        #expect(try string(#"base64_dec("aGk_")"#) != nil)
        #expect(errorMessage(#"base64_dec("a!b")"#) == "base64_dec(): 'input' is not valid base64")
        #expect(errorMessage(#"base64_dec("//79")"#) == "base64_dec(): the decoded bytes are not UTF-8 text")
    }

    @Test func httpResponseDefaults() throws {
        #expect(try json("http_response(\"plain\")")
            == #"{"statusCode":200,"headers":{"Content-Type":"text/plain; charset=utf-8"},"body":"plain","#
            + #""isBase64Encoded":false}"#)
        #expect(try json("http_response(NULL, 204L)") == #"{"statusCode":204,"headers":{},"body":"","isBase64Encoded":false}"#)
        #expect(try json("http_response(\"aGk=\", is_base64 = TRUE)$isBase64Encoded") == "true")
        #expect(errorMessage("http_response(1, 99L)") == "http_response(): 'status' must be an HTTP status code, not 99")
        #expect(errorMessage("http_request()") == "http_request(): there is no current invocation event")
    }
}

extension LibraryStdlibTests {
    @Test(arguments: [
        ("2024-01-02T03:04:05Z", "1704164645"),
        ("2024-01-02T03:04:05.25Z", "1704164645.25"),
        ("2024-01-02T05:04:05+02:00", "1704164645"),
        ("2024-01-02T01:34:05-0130", "1704164645"),
        ("2024-01-02 03:04:05", "1704164645"),
        ("2024-01-02T03:04", "1704164640"),
        ("2024-01-02", "1704153600"),
    ])
    func isoTimesParse(text: String, seconds: String) throws {
        #expect(try json("as.numeric(as.POSIXct(\"\(text)\", tz = \"UTC\"))") == seconds)
    }

    @Test func timesFormatAndDiffer() throws {
        #expect(try string(#"format(as.POSIXct("2024-01-02T03:04:05Z"), "%Y-%m-%dT%H:%M:%SZ", tz = "UTC")"#)
            == "2024-01-02T03:04:05Z")
        #expect(try json(#"difftime("2024-01-02T03:05:35Z", as.POSIXct("2024-01-02T03:04:05Z"), units = "secs")"#)
            == "90")
        #expect(try json(#"as.numeric(as.POSIXct(Sys.time() + 60)) > as.numeric(Sys.time())"#) == "true")
        #expect(errorMessage(#"as.POSIXct("2024-01-02", tz = "Europe/Paris")"#)
            == "as.POSIXct(): time zone 'Europe/Paris' is not supported: fn works in UTC")
        #expect(errorMessage(#"as.POSIXct("2024-13-02")"#) == "character string is not in a standard unambiguous format")
        #expect(errorMessage(#"difftime(1, 2, units = "years")"#) == "invalid units specified")
    }
}

extension LibraryStdlibTests {
    @Test func matchLengthsAreAnAttribute() throws {
        #expect(try json(#"attr(gregexpr("a+", "baaac aa")[[1]], "match.length")"#) == #"[3,2]"#)
        #expect(try json(#"attr(regexpr("b+", c("abbc", "x")), "match.length")"#) == #"[2,-1]"#)
        #expect(try json(#"regmatches(c("x1y22", NA), gregexpr("[0-9]+", c("x1y22", NA)))"#) == #"[["1","22"],[]]"#)
        #expect(errorMessage(#"regmatches("abc", 1L)"#) == "'m' must come from regexpr() or gregexpr() on the same text")
    }

    @Test func tableIsAnRTable() throws {
        #expect(try json(#"t <- table(c("b", "a", "b")); list(names(t), as.vector(t), class(t))"#)
            == #"[["a","b"],[1,2],"table"]"#)
        #expect(try json("dim(table(1:2, 3:4))") == "[2,2]")
        #expect(try json(#"a <- c("x", "y"); b <- c("p", "p"); names(dimnames(table(a, b)))"#) == #"["a","b"]"#)
        #expect(errorMessage("table(1:2, 1:3)") == "all arguments must have the same length")
    }

    @Test func statisticsEdgeCases() throws {
        #expect(try json("median(integer(0))") == "null")
        #expect(try json("var(1)") == "null")
        #expect(try json("quantile(1:3, 0.3, type = 6, names = FALSE)") == "1.2")
        #expect(errorMessage("quantile(1:3, type = 10)") == "'type' must be one of 1:9")
        #expect(errorMessage("quantile(1:3, 2)") == "'probs' outside [0,1]")
        #expect(try json("outer(1:2, 1:3)") == "[[1,2,3],[2,4,6]]")
        #expect(try json(#"intToUtf8(c(0x1F600, 33))"#) == #""😀!""#)
        #expect(errorMessage("intToUtf8(-1)") == "invalid input -1 in 'intToUtf8'")
    }
}
