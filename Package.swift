// swift-tools-version:6.1
import PackageDescription

// The matching engine counts shared tags with POPCNT and bounds 256 pairs at a time with vector
// operations. Baseline x86-64 has neither POPCNT nor 256-bit vectors, so the matching module is
// built for the processor it is built on: Haswell's instruction set (AVX2, every x86 server since
// 2013) when the build machine has it, else Nehalem's (POPCNT, every x86 processor since 2009).
// Trellis is built from source where it runs, so the two are the same machine.
#if arch(x86_64)
import Foundation
let cpuFlags = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?
    .split(separator: "\n").first { $0.hasPrefix("flags") }?.split(separator: " ").map(String.init) ?? []
let matchingCPU = ["avx2", "bmi2", "fma", "movbe"].allSatisfy(cpuFlags.contains) ? "haswell" : "nehalem"
let matchingSettings: [SwiftSetting] = [.unsafeFlags(["-target-cpu", matchingCPU])]
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
        .target(name: "TrellisCore", dependencies: [.product(name: "CSV", package: "CSV.swift")]),
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
