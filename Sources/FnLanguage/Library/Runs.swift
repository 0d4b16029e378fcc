/// Run-length encoding: `rle` and its inverse `inverse.rle`.
extension BuiltinRegistry {
    mutating func registerRuns() {
        // print(rle(x)): a title, then each part as str() shows it.
        define("print.rle", ["x", "digits", "prefix", "..."]) { args, ip throws(FnError) in
            let x = try args.required(0, "x")
            guard case .list(let l) = x, l.count == 2 else { throw FnError.runtime("invalid 'rle' structure") }
            ip.output(.stdout, "Run Length Encoding\n  lengths: " + Str.vectorLine(l.elements[0], giveLength: true)
                + "\n  values : " + Str.vectorLine(l.elements[1], giveLength: true) + "\n")
            ip.visible = false
            return x
        }
        define("rle", ["x"]) { args, _ throws(FnError) in
            let x = try args.required(0, "x")
            if case .list = x { throw FnError.runtime("comparison of these types is not implemented") }
            guard let s = x.storage, x.classAttribute == nil else {
                throw FnError.runtime("'x' must be a vector of an atomic type")
            }
            let n = s.count
            // A run ends where the next element differs or either is NA (NAs are never merged).
            var ends: [Int] = []
            if n > 0 {
                for k in 0..<(n - 1) where s.isNA(k) || s.isNA(k + 1) || !s.elementsEqual(k, k + 1) {
                    ends.append(k)
                }
                ends.append(n - 1)
            }
            var lengths: [Int32] = []
            var previous = -1
            for e in ends {
                lengths.append(Int32(e - previous))
                previous = e
            }
            // R names each length after the element following its run (the last one ""), an
            // artefact of how it finds the ends, and each value after its run's last element.
            let lengthNames = x.names.map { nm in ends.map { $0 + 1 < n ? nm[$0 + 1] : "" } }
            let values = n == 0 ? x : x.gathered(ends)
            return .list(List(
                [Value(Vector(.integer(lengths), names: lengthNames)), values],
                names: ["lengths", "values"], classes: ["rle"]))
        }
        define("inverse.rle", ["x", "..."]) { args, _ throws(FnError) in
            let x = try args.required(0, "x")
            guard case .list(let l) = x else { throw FnError.runtime("$ operator is invalid for atomic vectors") }
            guard let lengths = l.element(named: "lengths"), !lengths.isNull,
                let values = l.element(named: "values"), !values.isNull, lengths.length == values.length
            else { throw FnError.runtime("invalid 'rle' structure") }
            guard let counts = lengths.storage?.doubles(), lengths.atomicType != .character,
                counts.allSatisfy({ !$0.isNaN && $0 >= 0 })
            else { throw FnError.runtime("invalid 'times' value") }
            let total = counts.reduce(0) { $0 + $1.rounded(.towardZero) }
            try Limits.checkLength(total)
            var indices: [Int] = []
            indices.reserveCapacity(Int(total))
            for (i, c) in counts.enumerated() {
                indices.append(contentsOf: repeatElement(i, count: Int(c)))
            }
            switch values.gathered(indices) {
            case .list(var out):
                out.names = nil
                return .list(out)
            case .vector(var v):
                v.names = nil
                return Value(v)
            case let other:
                return other
            }
        }
    }
}
