import Testing
@testable import FnLanguage

/// Models read from R carry only R's fields: `predict` must work from those (coefficients,
/// terms, xlevels, family names) alone. R-agreement cases (`=== lm`, `=== glm`, `=== optim`,
/// `=== htest`) cover the numbers; these tests cover objects built the way a reader of R's files
/// builds them.
@Suite struct ModelsTests {
    private func json(_ code: String) throws -> String {
        let ip = Interpreter()
        ip.output = { _, _ in }
        return String(decoding: try JSON.serialize(try ip.evaluate(code)), as: UTF8.self)
    }

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

    @Test func predictLmFromStoredFieldsOnly() throws {
        let code = """
            m <- structure(list(coefficients = c("(Intercept)" = 1, x = 2, gb = 0.5),
                                terms = y ~ x + g, xlevels = list(g = c("a", "b"))), class = "lm")
            unname(predict(m, list(x = c(1, 2), g = c("b", "a"))))
            """
        #expect(try json(code) == "[3.5,5]")
    }

    @Test func predictGlmUsesTheStoredFamilyNames() throws {
        let code = """
            m <- structure(list(coefficients = c("(Intercept)" = 0, x = 1), terms = y ~ x,
                                family = list(family = "binomial", link = "logit")), class = c("glm", "lm"))
            round(unname(predict(m, list(x = c(0, log(3))), type = "response")), 12)
            """
        #expect(try json(code) == "[0.5,0.75]")
        let link = """
            m <- structure(list(coefficients = c("(Intercept)" = 0.5, x = 1), terms = y ~ x,
                                family = list(family = "poisson", link = "log")), class = c("glm", "lm"))
            unname(predict(m, list(x = c(0, 1))))
            """
        #expect(try json(link) == "[0.5,1.5]")
    }

    @Test func aliasedColumnsArePivotedAndNA() throws {
        #expect(try json("x <- 1:6; y <- c(1, 3, 2, 5, 4, 6); f <- lm(y ~ x + I(2 * x)); c(f$rank, f$qr$pivot)") == "[2,1,2,3]")
        #expect(try json("x <- 1:6; y <- c(1, 3, 2, 5, 4, 6); is.na(coef(lm(y ~ x + I(2 * x))))") == "[false,false,true]")
    }

    @Test func newFactorLevelsAreNamed() {
        let code = """
            d <- list(y = c(1, 2, 3, 4), g = c("a", "b", "a", "b"))
            predict(lm(y ~ g, data = d), list(g = c("c", "d", "c")))
            """
        #expect(errorMessage(code) == "factor g has new levels c, d")
    }

    @Test func unsupportedOptimMethodIsAnError() {
        #expect(errorMessage("optim(c(1, 1), function(p) sum(p^2), method = \"SANN\")")
                == "optim method 'SANN' is not supported (Nelder-Mead and BFGS are)")
    }

    @Test func userMethodsWinForTheirClass() throws {
        let code = """
            predict.mymodel <- function(object, newdata, ...) newdata * object$k
            predict(structure(list(k = 3), class = "mymodel"), 2)
            """
        #expect(try json(code) == "6")
    }
}
