// swift-tools-version: 6.1
// Benchmarks live in their own package so users of rehearse never build package-benchmark.
// Run: cd Benchmarks && swift package benchmark
import PackageDescription

let package = Package(
    name: "rehearse-benchmarks",
    dependencies: [
        .package(name: "rehearse", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.0", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "HotPath",
            dependencies: [
                .product(name: "RehearseEngine", package: "rehearse"),
                .product(name: "RehearseResults", package: "rehearse"),
                .product(name: "RehearseHistogram", package: "rehearse"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/HotPath",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    ]
)
