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
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    ],
    targets: [
        .systemLibrary(name: "CCrypt", path: "Sources/CCrypt"),
        .systemLibrary(name: "CLDAP", path: "Sources/CLDAP"),
        .target(name: "RegistryCore", dependencies: [
            .product(name: "Crypto", package: "swift-crypto"),
        ], swiftSettings: strict),
        .target(name: "RegistryStorage", dependencies: [
            "RegistryCore",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "_NIOFileSystem", package: "swift-nio"),
            .product(name: "Crypto", package: "swift-crypto"),
        ], swiftSettings: strict),
        // The StorageDriver conformance suite, shared by every driver's tests (filesystem,
        // in-memory, S3); a library so test targets of other modules can depend on it.
        .target(name: "RegistryStorageConformance", dependencies: [
            "RegistryStorage",
            .product(name: "NIOCore", package: "swift-nio"),
        ], swiftSettings: strict),
        .target(name: "RegistryPolicy", dependencies: ["RegistryCore"], swiftSettings: strict),
        // The CEL subset of Zot's bearer claimMapping: pure, imported by the config loader and the token verifier.
        .target(name: "RegistryCEL", swiftSettings: strict),
        .target(name: "RegistryConfig", dependencies: [
            "RegistryCore", "RegistryPolicy", "RegistryCEL",
            .product(name: "Yams", package: "Yams"),
        ], swiftSettings: strict),
        .target(name: "RegistryAuthCore", dependencies: ["RegistryCore"], swiftSettings: strict),
        .target(name: "RegistryAuth", dependencies: [
            "RegistryCore", "RegistryAuthCore", "CCrypt", "CLDAP",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "X509", package: "swift-certificates"),
        ], swiftSettings: strict),
        .target(name: "RegistryMetadata", dependencies: [
            "RegistryCore", "RegistryAuthCore", "RegistryStorage",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
        ], swiftSettings: strict),
        .target(name: "RegistryOIDC", dependencies: [
            "RegistryCore", "RegistryAuthCore", "RegistryCEL",
            .product(name: "JWTKit", package: "jwt-kit"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "_CryptoExtras", package: "swift-crypto"),
            .product(name: "X509", package: "swift-certificates"),
            .product(name: "Logging", package: "swift-log"),
        ], swiftSettings: strict),
        // RegistryOIDC's OIDCHTTPClient on AsyncHTTPClient (kept apart so the fuzz build need not compile
        // AsyncHTTPClient and nio-ssl's BoringSSL).
        .target(name: "RegistryOIDCHTTP", dependencies: [
            "RegistryOIDC",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
        ], swiftSettings: strict),
        .target(name: "RegistryHTTP", dependencies: [
            "RegistryCore", "RegistryStorage", "RegistryPolicy", "RegistryAuthCore", "RegistryAuth",
            "RegistryMetadata", "RegistryOIDC",
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTLS", package: "hummingbird"),
            .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            .product(name: "Logging", package: "swift-log"),
        ], swiftSettings: strict),
        .target(name: "RegistryS3", dependencies: [
            "RegistryStorage", "RegistryConfig",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "Logging", package: "swift-log"),
        ], swiftSettings: strict),
        // The sync extension: Zot's content mapping, an upstream registry client (Docker token flow) on
        // AsyncHTTPClient, the on-demand pull-through cache and the periodic mirror.
        .target(name: "RegistrySync", dependencies: [
            "RegistryCore", "RegistryStorage", "RegistryConfig",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "_NIOFileSystem", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ], swiftSettings: strict),
        // The composition root: turns a ZotConfig into running objects; the only module that knows both.
        .target(name: "RegistryApp", dependencies: [
            "RegistryCore", "RegistryConfig", "RegistryPolicy", "RegistryStorage", "RegistryAuthCore", "RegistryAuth",
            "RegistryMetadata", "RegistryOIDC", "RegistryOIDCHTTP", "RegistryHTTP", "RegistryS3", "RegistrySync",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "X509", package: "swift-certificates"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "UnixSignals", package: "swift-service-lifecycle"),
        ], swiftSettings: strict),
        .executableTarget(name: "zot-authz", dependencies: [
            "RegistryApp", "RegistryConfig", "RegistryPolicy", "RegistryCore",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: strict),
        // Fuzz targets over the parsers of untrusted input: a corpus replay in a normal build, libFuzzer with
        // `-sanitize=fuzzer -DFUZZING` (scripts/fuzz.sh builds it in .build-fuzz).
        .executableTarget(name: "zot-authz-fuzz", dependencies: [
            "RegistryCore", "RegistryPolicy", "RegistryConfig", "RegistryAuthCore", "RegistryAuth", "RegistryOIDC",
            .product(name: "Crypto", package: "swift-crypto"),
        ], swiftSettings: strict),
        .executableTarget(name: "policy-bench", dependencies: ["RegistryPolicy", "RegistryCore"], swiftSettings: strict),
        .testTarget(name: "RegistryCoreTests", dependencies: ["RegistryCore"]),
        .testTarget(name: "RegistryCELTests", dependencies: ["RegistryCEL"]),
        .testTarget(name: "RegistryStorageTests", dependencies: [
            "RegistryStorage", "RegistryStorageConformance",
            .product(name: "NIOCore", package: "swift-nio"),
        ]),
        .testTarget(name: "RegistryPolicyTests", dependencies: ["RegistryPolicy", "RegistryConfig"]),
        .testTarget(name: "RegistryConfigTests", dependencies: ["RegistryConfig"]),
        .testTarget(name: "RegistryAuthTests", dependencies: ["RegistryAuth", "RegistryAuthCore", "CLDAP"],
                    // Only the tests link libldap, to check LDAPLibrary's function types against <ldap.h>;
                    // the executable loads it with dlopen when LDAP is configured.
                    linkerSettings: [.linkedLibrary("ldap")]),
        .testTarget(name: "RegistryMetadataTests", dependencies: ["RegistryMetadata", "RegistryAuthCore", "RegistryStorage", "RegistryCore"]),
        .testTarget(name: "RegistryOIDCTests", dependencies: [
            "RegistryOIDC", "RegistryOIDCHTTP", "RegistryAuthCore", "RegistryCore",
            .product(name: "JWTKit", package: "jwt-kit"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "_CryptoExtras", package: "swift-crypto"),
            .product(name: "X509", package: "swift-certificates"),
        ]),
        .testTarget(name: "RegistryS3Tests", dependencies: [
            "RegistryS3", "RegistryStorage", "RegistryStorageConformance", "RegistryConfig",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
        ]),
        .testTarget(name: "RegistrySyncTests", dependencies: [
            "RegistrySync", "RegistryConfig", "RegistryStorage", "RegistryCore",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "RegistryHTTPTests", dependencies: [
            "RegistryHTTP", "RegistryApp", "RegistryStorage", "RegistryConfig", "RegistryPolicy", "RegistryAuthCore",
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
    ]
)
