// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "fn",
    products: [
        .executable(name: "fn", targets: ["fn"]),
        .library(name: "FnLanguage", targets: ["FnLanguage"]),
        .library(name: "FnLambda", targets: ["FnLambda"]),
    ],
    targets: [
        .target(name: "FnLanguage", linkerSettings: [.linkedLibrary("m")]),
        .target(name: "FnLambda", dependencies: ["FnLanguage"]),
        .executableTarget(name: "fn", dependencies: ["FnLanguage", "FnLambda"]),
        .testTarget(name: "FnLanguageTests", dependencies: ["FnLanguage"], exclude: ["RAgreement", "Golden"]),
        .testTarget(name: "FnLambdaTests", dependencies: ["FnLambda", "FnLanguage", "fn"]),
    ],
    swiftLanguageModes: [.v5]
)
