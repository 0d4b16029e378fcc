/// Base bindings that are values, not functions: `pi`, `letters`, `LETTERS`, `T`, `F`, `.Machine`.
/// They live in the base environment, so a program may rebind them (`T <- 0`).
extension BuiltinRegistry {
    mutating func registerConstants() {
        constant("pi", .double(Double.pi))
        constant("T", .true_)
        constant("F", .false_)
        let lower = (UInt8(ascii: "a")...UInt8(ascii: "z")).map { String(Character(Unicode.Scalar($0))) }
        constant("letters", Value(.character(lower)))
        constant("LETTERS", Value(.character(lower.map { $0.uppercased() })))
        let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                      "October", "November", "December"]
        constant("month.name", Value(.character(months)))
        constant("month.abb", Value(.character(months.map { String($0.prefix(3)) })))
        constant(".Machine", .list(List(
            [.integer(Int32.max), .double(Double.ulpOfOne), .double(Double.greatestFiniteMagnitude),
             .double(Double.leastNormalMagnitude)],
            names: ["integer.max", "double.eps", "double.xmax", "double.xmin"])))
    }
}
