/// Formatting of doubles the way R prints them.
public enum NumberFormat {
    /// R's `as.character(x)` for a double: 15 significant digits at most, trailing zeros dropped,
    /// scientific notation (`1e+05`) when it is narrower than fixed notation.
    public static func r15(_ x: Double) -> String {
        // Placeholder until the R-exact formatter lands: shortest round-trip digits.
        if x.isNaN { return "NaN" }
        if x.isInfinite { return x < 0 ? "-Inf" : "Inf" }
        if x == x.rounded() && abs(x) < 1e15 { return String(Int64(x)) }
        return x.description
    }
}
