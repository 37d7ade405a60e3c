// swift-tools-version: 6.1
import PackageDescription
import class Foundation.ProcessInfo

let package = Package(
    name: "surge",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Core", targets: ["Core"]),
        .executable(name: "surge", targets: ["surge"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.0"),
        .package(url: "https://github.com/hummingbird-project/swift-websocket", from: "1.6.0"),
        // Already in the graph through swift-websocket; named for the Origin-free handshake.
        .package(url: "https://github.com/apple/swift-nio", from: "2.81.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.29.0"),
    ],
    targets: [
        // The pure strategy: no I/O, no clock, no randomness.
        .target(name: "Core", path: "Core"),
        // C libraries, each wrapped by one Swift type in Shells.
        .systemLibrary(name: "CCrypto", path: "Shells/System/CCrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CCurl", path: "Shells/System/CCurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CLMDB", path: "Shells/System/CLMDB", providers: [.apt(["liblmdb-dev"])]),
        // Everything that touches the world: files, config, Upbit, (later) LMDB, SMTP.
        .target(
            name: "Shells",
            dependencies: ["Core", "CCrypto", "CCurl", "CLMDB", .product(name: "TOMLKit", package: "TOMLKit")],
            path: "Shells/Library"
        ),
        // The live runtime on Upbit's WebSockets (SwiftNIO): kept apart so that offline tools and
        // benchmarks build without NIO.
        .target(
            name: "Live",
            dependencies: [
                "Core", "Shells",
                .product(name: "WSClient", package: "swift-websocket"), .product(name: "WSCore", package: "swift-websocket"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"), .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"), .product(name: "Logging", package: "swift-log"),
            ],
            path: "Shells/Live"
        ),
        // The Upbit-compatible server for tests and demos (its own target: the bot does not need it).
        .target(
            name: "LocalExchange",
            dependencies: [
                "Core", "Shells",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Shells/LocalExchange"
        ),
        .executableTarget(
            name: "surge",
            dependencies: [
                "Core", "Shells", "Live", "LocalExchange", .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Shells/CLI"
        ),
        // What the test targets share: scenario builders, the exhaustive reducer test store.
        .target(name: "TestSupport", dependencies: ["Core", "Shells"], path: "Tests/Support"),
        .testTarget(name: "CoreTests", dependencies: ["Core", "Shells", "TestSupport"], path: "Tests/CoreTests",
                    exclude: ["Fixtures"]),
        .testTarget(name: "ShellsTests", dependencies: ["Shells", "Core", "Live", "LocalExchange", "TestSupport"], path: "Tests/ShellsTests",
                    exclude: ["Fixtures"]),
        .testTarget(name: "PropertyTests", dependencies: ["Core", "Shells", "TestSupport"], path: "PropertyTests"),
    ],
    swiftLanguageModes: [.v6]
)

// Benchmarks (package-benchmark) are built only when asked for, so that everyday builds and
// CI's test run do not compile the harness:
//   SURGE_BENCHMARKS=1 swift package --scratch-path .build-benchmarks benchmark
if ProcessInfo.processInfo.environment["SURGE_BENCHMARKS"] != nil {
    package.dependencies.append(
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.0", traits: ["MallocInterposer"]))
    // every benchmark needs Shells: the venue profile (Upbit's KRW market) lives there
    let benchmarks = ["ReducerBenchmark", "BacktestBenchmark", "TickToOrderBenchmark", "DecodeBenchmark", "StoreBenchmark",
                      "MemoryBenchmark"]
    for name in benchmarks {
        package.targets.append(
            .executableTarget(
                name: name,
                dependencies: ["Core", "Shells", .product(name: "Benchmark", package: "benchmark")],
                path: "Benchmarks/\(name)",
                plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
            ))
    }
}
