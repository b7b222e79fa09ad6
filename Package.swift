// swift-tools-version:6.1
import PackageDescription

// The scoring pass counts shared tags with POPCNT. Baseline x86-64 lacks it and Swift would
// emulate it in a dozen instructions; Nehalem (every x86 processor since 2009) has it.
#if arch(x86_64)
let matchingSettings: [SwiftSetting] = [.unsafeFlags(["-target-cpu", "nehalem"])]
#else
let matchingSettings: [SwiftSetting] = []
#endif

let package = Package(
    name: "Trellis",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "trellis", targets: ["trellis"]),
        .executable(name: "trellis-bench", targets: ["TrellisBench"]),
        .library(name: "TrellisCore", targets: ["TrellisCore"]),
        .library(name: "TrellisMatching", targets: ["TrellisMatching"]),
    ],
    dependencies: [
        .package(url: "https://github.com/vapor/vapor.git", from: "4.122.3"),
        .package(url: "https://github.com/vapor/fluent.git", from: "4.13.0"),
        .package(url: "https://github.com/vapor/fluent-sqlite-driver.git", from: "4.9.0"),
        .package(url: "https://github.com/vapor/fluent-postgres-driver.git", from: "2.14.0"),
        .package(url: "https://github.com/yaslab/CSV.swift.git", from: "2.5.2"),
    ],
    targets: [
        .target(name: "TrellisCore"),
        .target(name: "TrellisMatching", dependencies: ["TrellisCore"], swiftSettings: matchingSettings),
        .target(
            name: "TrellisServer",
            dependencies: [
                "TrellisCore",
                "TrellisMatching",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Fluent", package: "fluent"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "CSV", package: "CSV.swift"),
            ]
        ),
        .executableTarget(name: "trellis", dependencies: ["TrellisServer"]),
        .executableTarget(name: "TrellisBench", dependencies: ["TrellisCore", "TrellisMatching"]),
        .testTarget(name: "TrellisCoreTests", dependencies: ["TrellisCore"]),
        .testTarget(name: "TrellisMatchingTests", dependencies: ["TrellisMatching"]),
        .testTarget(
            name: "TrellisServerTests",
            dependencies: [
                "TrellisServer",
                .product(name: "VaporTesting", package: "vapor"),
            ]
        ),
    ]
)
