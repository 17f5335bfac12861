// swift-tools-version:6.2
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "zot-authz",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "zot-authz", targets: ["zot-authz"]),
        .executable(name: "policy-bench", targets: ["policy-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
    ],
    targets: [
        .systemLibrary(name: "CCrypt", path: "Sources/CCrypt"),
        .target(name: "RegistryCore", dependencies: [
            .product(name: "Crypto", package: "swift-crypto"),
        ], swiftSettings: strict),
        .target(name: "RegistryStorage", dependencies: [
            "RegistryCore",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "_NIOFileSystem", package: "swift-nio"),
            .product(name: "Crypto", package: "swift-crypto"),
        ], swiftSettings: strict),
        .target(name: "RegistryPolicy", dependencies: ["RegistryCore"], swiftSettings: strict),
        .target(name: "RegistryConfig", dependencies: [
            "RegistryCore", "RegistryPolicy",
            .product(name: "Yams", package: "Yams"),
        ], swiftSettings: strict),
        .target(name: "RegistryAuth", dependencies: [
            "RegistryCore", "RegistryConfig", "CCrypt",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "X509", package: "swift-certificates"),
        ], swiftSettings: strict),
        .target(name: "RegistryHTTP", dependencies: [
            "RegistryCore", "RegistryStorage", "RegistryPolicy", "RegistryConfig", "RegistryAuth",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTLS", package: "hummingbird"),
            .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "Logging", package: "swift-log"),
        ], swiftSettings: strict),
        .executableTarget(name: "zot-authz", dependencies: [
            "RegistryHTTP", "RegistryConfig", "RegistryPolicy",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: strict),
        .executableTarget(name: "policy-bench", dependencies: ["RegistryPolicy", "RegistryCore"], swiftSettings: strict),
        .testTarget(name: "RegistryCoreTests", dependencies: ["RegistryCore"]),
        .testTarget(name: "RegistryStorageTests", dependencies: [
            "RegistryStorage",
            .product(name: "NIOCore", package: "swift-nio"),
        ]),
        .testTarget(name: "RegistryPolicyTests", dependencies: ["RegistryPolicy", "RegistryConfig"]),
        .testTarget(name: "RegistryConfigTests", dependencies: ["RegistryConfig"]),
        .testTarget(name: "RegistryAuthTests", dependencies: ["RegistryAuth"]),
        .testTarget(name: "RegistryHTTPTests", dependencies: [
            "RegistryHTTP",
            .product(name: "HummingbirdTesting", package: "hummingbird"),
        ]),
    ]
)
