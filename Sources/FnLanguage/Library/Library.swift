extension BuiltinRegistry {
    /// Registers every group of builtins. One line per `Library/*.swift` file.
    mutating func registerAll() {
        registerConstants()
        registerTypes()
        registerMath()
        registerSummaries()
        registerSequences()
        registerCollections()
        registerStrings()
        registerRegex()
        registerFunctional()
        registerPrinting()
        registerSystem()
        registerLogging()
        registerJSONFunctions()
        registerSource()
        registerEncoding()
        registerHTTP()
        registerTime()
        registerStatistics()
        registerCharacters()
        registerLists()
        registerRegexMatches()
        registerGrouping()
        registerRanking()
        registerMatchArg()
    }
}
