/// Placeholder: the JSON bridge is being written (see issue 2).
public enum JSON {
    /// Reads JSON text straight into an fn value (jsonlite's `fromJSON(simplifyVector = TRUE)` rules).
    public static func parse(_ bytes: [UInt8]) throws(FnError) -> Value {
        throw FnError(.json, "JSON reader not implemented")
    }

    /// Writes an fn value as JSON (`toJSON(auto_unbox = TRUE, null = "null", na = "null")` rules).
    public static func serialize(_ value: Value) throws(FnError) -> [UInt8] {
        throw FnError(.json, "JSON writer not implemented")
    }
}
