// swift-tools-version: 6.1
import PackageDescription

let upcoming: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "rehearse",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "rehearse", targets: ["rehearse"]),
        .library(name: "Rehearse", targets: ["Rehearse"]),
        .library(name: "PostgresClient", targets: ["PostgresClient"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        .systemLibrary(
            name: "CJemalloc",
            pkgConfig: "jemalloc",
            providers: [.apt(["libjemalloc-dev"])]
        ),
        // zlib deflates the HdrHistogram's standard compressed encoding in results documents.
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .target(
            name: "PostgresClient",
            dependencies: ["CLibPQ"],
            swiftSettings: upcoming
        ),
        .target(
            name: "Rehearse",
            dependencies: [
                "PostgresClient",
                "CJemalloc",
                "CZlib",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            swiftSettings: upcoming
        ),
        .executableTarget(
            name: "rehearse",
            dependencies: [
                "Rehearse",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: upcoming
        ),
        .target(
            name: "TestSupport",
            dependencies: ["Rehearse", "PostgresClient"],
            path: "Tests/TestSupport",
            swiftSettings: upcoming
        ),
        .testTarget(
            name: "PostgresClientTests",
            dependencies: ["PostgresClient", "Rehearse", "TestSupport"],
            swiftSettings: upcoming
        ),
        .testTarget(
            name: "RehearseTests",
            dependencies: [
                "Rehearse", "PostgresClient", "TestSupport", .product(name: "Yams", package: "Yams"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            exclude: ["Fixtures"],
            swiftSettings: upcoming
        ),
    ]
)
