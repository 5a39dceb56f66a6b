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
    ],
    targets: [
        .target(
            name: "OCPPCore",
            dependencies: [.product(name: "Logging", package: "swift-log")]
        ),
        .target(name: "OCPP16", dependencies: ["OCPPCore"]),
        .target(name: "OCPP201", dependencies: ["OCPPCore"]),
        .target(name: "OCPPCodegen", dependencies: ["OCPPCore"]),
        .executableTarget(name: "ocpp-codegen", dependencies: ["OCPPCodegen"]),
        .target(
            name: "AmpereBench",
            dependencies: ["OCPPCore", "OCPP16", "OCPP201", .product(name: "Logging", package: "swift-log")]
        ),
        .executableTarget(
            name: "ampere",
            dependencies: [
                "AmpereBench",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
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
        .testTarget(name: "AmpereBenchTests", dependencies: ["AmpereBench"]),
    ]
)
