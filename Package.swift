// swift-tools-version:6.1
import PackageDescription

// Portable by default: every module is built for the baseline of its architecture, so a binary
// built on one machine runs on any other of that architecture, and no unsafe flags keep the
// library products from being used as dependencies. The matching engine's vector code uses
// Swift's SIMD types and `nonzeroBitCount`, which compile to what the target has (POPCNT and
// 256-bit vectors when tuned, portable instructions otherwise) with the same results.
//
// A build tuned to the processor it runs on is an explicit choice: set TRELLIS_TARGET_CPU
// (`native`, or a processor name LLVM knows, such as `haswell` or `znver3`) when building, e.g.
//     TRELLIS_TARGET_CPU=native swift build -c release
// Such a binary may stop with an illegal instruction on an older processor.
import Foundation
let tunedCPU = ProcessInfo.processInfo.environment["TRELLIS_TARGET_CPU"].flatMap { $0.isEmpty ? nil : $0 }
let matchingSettings: [SwiftSetting] = tunedCPU.map { [.unsafeFlags(["-target-cpu", $0])] } ?? []

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
        .package(url: "https://github.com/vapor/console-kit.git", from: "4.16.2"),
        .package(url: "https://github.com/vapor/fluent.git", from: "4.13.0"),
        .package(url: "https://github.com/vapor/fluent-sqlite-driver.git", from: "4.9.0"),
        .package(url: "https://github.com/vapor/fluent-postgres-driver.git", from: "2.14.0"),
        .package(url: "https://github.com/yaslab/CSV.swift.git", from: "2.5.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/pointfreeco/swift-snapshot-testing.git", from: "1.19.7"),
    ],
    targets: [
        .target(name: "TrellisCore"),
        .target(name: "TrellisMatching", dependencies: ["TrellisCore"], swiftSettings: matchingSettings),
        // Generated people: the demo organisation and the benchmark's synthetic cohorts, kept out
        // of the library products.
        .target(name: "TrellisFixtures", dependencies: ["TrellisCore", "TrellisMatching"]),
        .target(
            name: "TrellisServer",
            dependencies: [
                "TrellisCore",
                "TrellisMatching",
                "TrellisFixtures",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Fluent", package: "fluent"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                // AES-GCM for private notes and journal entries at rest (`NoteSealing`).
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .executableTarget(name: "trellis", dependencies: ["TrellisServer"]),
        // The benchmark's command line is ConsoleKit's, as the server's commands are (Vapor's own).
        .executableTarget(name: "TrellisBench", dependencies: ["TrellisCore", "TrellisMatching", "TrellisFixtures", .product(name: "ConsoleKit", package: "console-kit")]),
        // CSV.swift: the reference the byte-level reader (`CSVBytes`) is compared with.
        .testTarget(name: "TrellisCoreTests", dependencies: ["TrellisCore", "TrellisFixtures", .product(name: "CSV", package: "CSV.swift")]),
        .testTarget(name: "TrellisMatchingTests", dependencies: ["TrellisMatching", "TrellisFixtures"], exclude: ["Fixtures"]),
        .testTarget(
            name: "TrellisServerTests",
            dependencies: [
                "TrellisServer",
                "TrellisFixtures",
                .product(name: "VaporTesting", package: "vapor"),
                .product(name: "SnapshotTesting", package: "swift-snapshot-testing"),
            ],
            exclude: ["Pages/__Snapshots__"]
        ),
    ]
)
