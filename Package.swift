// swift-tools-version: 6.1
import PackageDescription

let upcoming: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

// The targets, in the one direction data flows (README, *Architecture*):
//   RehearseSupport <- RehearseSQL <- RehearseScenario            (the input: no database)
//   RehearseSupport <- RehearseHistogram <- RehearseResults <- RehearseReport   (the output: no database)
//   RehearseEngine (PostgresClient, jemalloc) reads a scenario and writes results;
//   rehearse, the CLI, parses arguments and calls one of them.
// Only RehearseEngine reaches libpq or jemalloc, so `lint`, `compare` and `report` never do.
let package = Package(
    name: "rehearse",
    products: [
        .executable(name: "rehearse", targets: ["rehearse"]),
        .library(name: "RehearseEngine", targets: ["RehearseEngine"]),
        .library(name: "RehearseResults", targets: ["RehearseResults"]),
        .library(name: "RehearseHistogram", targets: ["RehearseHistogram"]),
        .library(name: "PostgresClient", targets: ["PostgresClient"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.0"),
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
        // One primitive for blocking work (sessions, cancels, child waits, sampling): a
        // dedicated thread bridged to async code with a checked continuation.
        .target(name: "BlockingThreads", swiftSettings: upcoming),
        .target(
            name: "PostgresClient",
            dependencies: ["CLibPQ", "BlockingThreads"],
            swiftSettings: upcoming
        ),
        // Text positions, outgoing-text hygiene, secrets, the monotonic clock, one median.
        .target(name: "RehearseSupport", swiftSettings: upcoming),
        // SQL as psql splits it, and migration folders as their tools apply them.
        .target(name: "RehearseSQL", dependencies: ["RehearseSupport"], swiftSettings: upcoming),
        // The scenario format: model, YAML with positions, validation (`lint`).
        .target(
            name: "RehearseScenario",
            dependencies: ["RehearseSQL", "RehearseSupport", .product(name: "Yams", package: "Yams")],
            swiftSettings: upcoming
        ),
        // HdrHistogram use, its standard compressed encoding, percentile summaries.
        .target(
            name: "RehearseHistogram",
            dependencies: ["CZlib", "RehearseSupport", .product(name: "Histogram", package: "hdrhistogram-swift")],
            swiftSettings: upcoming
        ),
        // The results document: model, loading, writing, comparing.
        .target(
            name: "RehearseResults",
            dependencies: ["RehearseHistogram", "RehearseSupport"],
            swiftSettings: upcoming
        ),
        // Terminal table, markdown, JUnit and HTML.
        .target(
            name: "RehearseReport",
            dependencies: ["RehearseResults", "RehearseHistogram", "RehearseSupport"],
            swiftSettings: upcoming
        ),
        // Judging measurements: step metrics, targets (also over windows), expectations,
        // verdicts, and `merge`, which judges shards' and load slices' documents again on the whole.
        .target(
            name: "RehearseVerdict",
            dependencies: ["RehearseScenario", "RehearseResults", "RehearseHistogram", "RehearseSupport"],
            swiftSettings: upcoming
        ),
        // Runs a scenario on a server: steps, faults, measurements, rollback, servers.
        .target(
            name: "RehearseEngine",
            dependencies: [
                "PostgresClient", "BlockingThreads", "CJemalloc", "RehearseScenario", "RehearseResults", "RehearseHistogram",
                "RehearseVerdict", "RehearseSQL", "RehearseSupport", .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: upcoming
        ),
        .executableTarget(
            name: "rehearse",
            dependencies: [
                "RehearseEngine", "RehearseReport", "RehearseResults", "RehearseScenario", "RehearseSupport", "RehearseVerdict",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: upcoming
        ),
        // Helpers every test target may use: paths, polling, the one-at-a-time trait, sample
        // results documents. No server and no binary, so the unit tests can have it.
        .target(
            name: "TestBasics",
            dependencies: ["RehearseResults", "RehearseHistogram"],
            path: "Tests/TestBasics",
            swiftSettings: upcoming
        ),
        // Real disposable servers for the integration and end-to-end tests.
        .target(
            name: "TestSupport",
            dependencies: ["RehearseEngine", "PostgresClient"],
            path: "Tests/TestSupport",
            swiftSettings: upcoming
        ),
        // No database and no binary: passes where no PostgreSQL can be found.
        .testTarget(
            name: "RehearseUnitTests",
            dependencies: [
                "RehearseEngine", "RehearseReport", "RehearseResults", "RehearseScenario", "RehearseSQL",
                "RehearseHistogram", "RehearseSupport", "RehearseVerdict", "PostgresClient", "BlockingThreads", "TestBasics",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            exclude: ["Fixtures"],
            swiftSettings: upcoming
        ),
        // Real disposable servers, through the library and the client.
        .testTarget(
            name: "RehearseIntegrationTests",
            dependencies: [
                "RehearseEngine", "RehearseReport", "RehearseResults", "RehearseScenario", "RehearseSQL",
                "RehearseHistogram", "RehearseSupport", "RehearseVerdict", "PostgresClient", "TestBasics", "TestSupport",
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            swiftSettings: upcoming
        ),
        // The built `rehearse` executable on scenario files.
        .testTarget(
            name: "RehearseEndToEndTests",
            dependencies: [
                "RehearseEngine", "RehearseResults", "RehearseScenario", "RehearseSupport", "PostgresClient", "TestBasics",
                "TestSupport",
            ],
            swiftSettings: upcoming
        ),
    ]
)
