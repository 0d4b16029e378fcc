/// The JSON bridge: events arrive as JSON and are read straight into fn values; results are written
/// straight from fn values. See `JSONReader`, `JSONSimplify.swift` and `JSONWriter` for the exact
/// mapping, which follows jsonlite's `fromJSON()` with its defaults and `toJSON(auto_unbox = TRUE)`.
public enum JSON {
    /// Reads JSON text straight into an fn value (jsonlite's `fromJSON()` rules and defaults).
    ///
    /// `{"a": [1, 2], "b": null}` becomes `list(a = 1:2, b = NULL)`; `[{"a": 1}, {"a": 2}]` a data
    /// frame; `[[1, 2], [3, 4]]` a 2×2 matrix. Malformed input throws
    /// `FnError(.json, "invalid JSON at line L, column C: ...")`.
    public static func parse(_ bytes: [UInt8]) throws(FnError) -> Value {
        try JSONReader.read(bytes)
    }

    /// Writes an fn value as JSON (`toJSON(auto_unbox = TRUE, null = "null", na = "null")` rules,
    /// with shortest round-trip numbers): the form R-agreement compares and the REPL shows.
    ///
    /// `list(parity = "odd")` becomes `{"parity":"odd"}`. Functions, environments and non-finite
    /// numbers have no JSON form and throw `FnError(.json, ...)`.
    public static func serialize(_ value: Value) throws(FnError) -> [UInt8] {
        try JSONWriter.write(value, options: .comparison)
    }

    /// Writes a handler's result as the seed runtime does, `toJSON(result, auto_unbox = TRUE)`, but
    /// with shortest round-trip numbers: `NULL` is `{}`, numeric `NA` is `"NA"`, data frames are
    /// row objects without their `NA` fields. A function or environment throws `FnError(.json, ...)`.
    public static func encodeResult(_ value: Value) throws(FnError) -> [UInt8] {
        try JSONWriter.write(value, options: .bridge)
    }

    /// Reads JSON text like `parse(_:)`; with `simplifyVector: false` every array becomes a list
    /// and `null` becomes `NULL` (jsonlite's `fromJSON(simplifyVector = FALSE)`).
    public static func parse(_ bytes: [UInt8], simplifyVector: Bool) throws(FnError) -> Value {
        var options = JSONReader.Options()
        if !simplifyVector {
            options.simplifyVector = false
            options.simplifyDataFrame = false
            options.simplifyMatrix = false
        }
        return try JSONReader.read(bytes, options: options)
    }

    /// Writes an fn value as JSON like `serialize(_:)`, with jsonlite's `auto_unbox` and `pretty`
    /// switches (`toJSON(x, auto_unbox = FALSE)` writes `1` as `[1]`). A cancelled `cancellation`
    /// (an invocation's deadline) stops a long write.
    public static func serialize(_ value: Value, autoUnbox: Bool, pretty: Bool,
                                 cancellation: CancellationFlag? = nil) throws(FnError) -> [UInt8] {
        var options = JSONWriter.Options.comparison
        options.autoUnbox = autoUnbox
        options.pretty = pretty
        options.cancellation = cancellation
        return try JSONWriter.write(value, options: options)
    }
}
