// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Ampere",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "OCPPCore", targets: ["OCPPCore"]),
        .library(name: "OCPP16", targets: ["OCPP16"]),
        .library(name: "OCPP201", targets: ["OCPP201"]),
        .executable(name: "ampere", targets: ["ampere"]),
        .executable(name: "ocpp-codegen", targets: ["ocpp-codegen"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        // The spelling swift-websocket and postgres-nio use, so that it is one package.
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-websocket", from: "1.6.2"),
        .package(url: "https://github.com/vapor/sql-kit", from: "3.36.0"),
        .package(url: "https://github.com/vapor/sqlite-kit", from: "4.5.2"),
        .package(url: "https://github.com/vapor/postgres-kit", from: "2.17.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/vapor/jwt-kit", from: "5.7.1"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
    ],
    targets: [
        // The OCPP protocol library: runtime, generated messages, generator.
        .target(name: "OCPPCore", dependencies: [.product(name: "Logging", package: "swift-log")]),
        .target(name: "OCPP16", dependencies: ["OCPPCore"]),
        .target(name: "OCPP201", dependencies: ["OCPPCore"]),
        .target(name: "OCPPCodegen", dependencies: ["OCPPCore"]),
        .executableTarget(name: "ocpp-codegen", dependencies: ["OCPPCodegen"]),

        // The central system: domain, storage, per-version handlers, server.
        .target(name: "AmpereDomain"),
        .target(
            name: "AmpereStorage",
            dependencies: [
                "AmpereDomain",
                // JSONWriter, for the JSON texts that carry batches of rows.
                "OCPPCore",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                .product(name: "PostgresKit", package: "postgres-kit"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "AmpereHandlers16",
            dependencies: ["AmpereDomain", "OCPPCore", "OCPP16", .product(name: "Logging", package: "swift-log")]
        ),
        .target(
            name: "AmpereServer",
            dependencies: [
                "AmpereDomain", "AmpereStorage", "AmpereHandlers16", "OCPPCore", "OCPP16", "OCPP201",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
            ]
        ),
        // <sys/epoll.h>, which the Glibc module leaves out, for the bench's own socket loop.
        .target(name: "CEpoll"),
        .target(
            name: "AmpereBench",
            dependencies: [
                "OCPPCore", "OCPP16", "OCPP201", "AmpereSimulator", "CEpoll",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ]
        ),
        .target(
            name: "AmpereSimulator",
            dependencies: [
                "OCPPCore", "OCPP16",
                .product(name: "WSClient", package: "swift-websocket"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "ampere",
            dependencies: [
                "AmpereBench", "AmpereServer", "AmpereSimulator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // What the integration suites share: which database a test server gets.
        .target(
            name: "AmpereTestSupport",
            dependencies: ["AmpereStorage", "AmpereServer", .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(
            name: "OCPPCoreTests",
            dependencies: ["OCPPCore", .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(
            name: "OCPPMessagesTests",
            dependencies: ["OCPPCore", "OCPP16", "OCPP201", .product(name: "Logging", package: "swift-log")],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(name: "OCPPCodegenTests", dependencies: ["OCPPCodegen"]),
        .testTarget(
            name: "AmpereBenchTests",
            dependencies: [
                "AmpereBench", "AmpereServer", "AmpereSimulator", "AmpereTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "AmpereStorageTests",
            dependencies: ["AmpereStorage", "AmpereDomain", .product(name: "SQLKit", package: "sql-kit")]
        ),
        .testTarget(
            name: "AmpereSimulatorTests",
            dependencies: ["AmpereSimulator", "AmpereServer", "AmpereTestSupport", "OCPP16", "OCPPCore"]
        ),
        .testTarget(
            name: "AmpereServerTests",
            dependencies: [
                "AmpereServer", "AmpereDomain", "AmpereTestSupport", "OCPPCore", "OCPP16",
                .product(name: "WSClient", package: "swift-websocket"),
                "AmpereStorage", .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ]
        ),
    ]
)
