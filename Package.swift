// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "Trellis",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "trellis", targets: ["trellis"]),
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
        .target(name: "TrellisMatching", dependencies: ["TrellisCore"]),
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
