// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "Pulse",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "pulse", targets: ["pulse"]),
        .library(name: "PulseConfig", targets: ["PulseConfig"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        // `pulse serve`, and the loopback fake of BigCommerce and AliExpress in tests.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        // The HTTP field and status types Hummingbird's requests and responses are made of.
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        // Email notifications: SMTP over SwiftNIO, STARTTLS and implicit TLS.
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        // A self-signed certificate for the SMTP server in the notification tests.
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
    ],
    targets: [
        // The system libyaml (Debian: libyaml-dev). Only PulseYAML imports it.
        .systemLibrary(
            name: "CYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]
        ),
        .target(name: "PulseDiagnostics"),
        .target(name: "PulseYAML", dependencies: ["CYAML", "PulseDiagnostics"]),
        .target(name: "PulseConfig", dependencies: ["PulseYAML", "PulseDiagnostics"]),
        // RE2 (Debian: libre2-dev) behind a C interface, for CEL's `matches`. Only PulseExpressions imports it.
        .target(name: "CRE2", linkerSettings: [.linkedLibrary("re2")]),
        .target(name: "PulseExpressions", dependencies: ["PulseDiagnostics", "CRE2"]),
        // A prefetch hint (__builtin_prefetch), which Swift cannot express, for the stock join.
        .target(name: "CPrefetch"),
        .target(name: "PulseSnapshot", dependencies: ["PulseExpressions", "PulseDiagnostics", "CPrefetch"]),
        .target(name: "PulseEngine", dependencies: ["PulseConfig", "PulseExpressions", "PulseSnapshot", "PulseDiagnostics"]),
        // Benchmark and demo tooling, not product code: the synthetic snapshot generator and the
        // hand-written baseline `pulse bench` checks the evaluator against.
        .target(name: "PulseBench", dependencies: ["PulseEngine", "PulseSnapshot", "PulseConfig", "PulseExpressions"]),
        .target(
            name: "PulseHistory",
            dependencies: [
                "PulseEngine", "PulseConfig", "PulseExpressions", "PulseDiagnostics", "PulseSnapshot", .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        // How results read: the JSON documents (`eval --format json`, history, alerts) and the
        // tables for people, shared by the commands and `pulse serve`.
        .target(name: "PulseReport", dependencies: ["PulseEngine", "PulseHistory", "PulseConfig", "PulseExpressions", "PulseSnapshot", "PulseDiagnostics"]),
        // Notifications: the message model, its renderings (Slack, Teams, PagerDuty, email, webhook),
        // the HTTP and SMTP transports, and delivery from the history store's outbox.
        .target(
            name: "PulseNotify",
            dependencies: [
                "PulseConfig", "PulseDiagnostics", "PulseEngine", "PulseExpressions", "PulseHistory", "PulseReport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        // `pulse pull`: the BigCommerce and AliExpress clients and the atomic snapshot writer.
        .target(
            name: "PulseConnectors",
            dependencies: [
                "PulseConfig", "PulseSnapshot", "PulseDiagnostics", "PulseExpressions",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        // `pulse serve`: the evaluation loop, access by token, the JSON API, metrics and the dashboard.
        .target(
            name: "PulseServer",
            dependencies: [
                "PulseConfig", "PulseDiagnostics", "PulseExpressions", "PulseSnapshot", "PulseEngine", "PulseHistory", "PulseReport", "PulseConnectors", "PulseNotify",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        .target(
            name: "PulseCLI",
            dependencies: [
                "PulseConfig", "PulseDiagnostics", "PulseExpressions", "PulseSnapshot", "PulseEngine", "PulseHistory", "PulseBench", "PulseConnectors", "PulseReport", "PulseServer", "PulseNotify",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "pulse",
            dependencies: ["PulseCLI", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .testTarget(name: "PulseYAMLTests", dependencies: ["PulseYAML", "PulseDiagnostics"]),
        .testTarget(name: "PulseConfigTests", dependencies: ["PulseConfig", "PulseDiagnostics"]),
        .testTarget(name: "PulseExpressionsTests", dependencies: ["PulseExpressions", "PulseDiagnostics"]),
        .testTarget(name: "PulseSnapshotTests", dependencies: ["PulseSnapshot", "PulseBench", "PulseExpressions"]),
        .testTarget(name: "PulseEngineTests", dependencies: ["PulseEngine", "PulseBench", "PulseConfig", "PulseExpressions", "PulseSnapshot"]),
        .testTarget(
            name: "PulseHistoryTests",
            dependencies: ["PulseHistory", "PulseEngine", "PulseConfig", "PulseExpressions", "PulseSnapshot", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(
            name: "PulseNotifyTests",
            dependencies: [
                "PulseNotify", "PulseHistory", "PulseConfig", "PulseEngine", "PulseExpressions", "PulseDiagnostics", "PulseSnapshot",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                "PulseFakeVendors",
            ]
        ),
        // A loopback fake of BigCommerce and AliExpress (test fixture and pull benchmark, never
        // part of pulse itself), and its command for the benchmark.
        .target(
            name: "PulseFakeVendors",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        .executableTarget(name: "pulse-fake-vendors", dependencies: ["PulseFakeVendors"], path: "Sources/pulse-fake-vendors"),
        .testTarget(
            name: "PulseConnectorsTests",
            dependencies: [
                "PulseConnectors", "PulseCLI", "PulseConfig", "PulseSnapshot", "PulseExpressions", "PulseFakeVendors",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "PulseServerTests",
            dependencies: [
                "PulseServer", "PulseCLI", "PulseConfig", "PulseSnapshot", "PulseExpressions", "PulseEngine", "PulseHistory", "PulseBench", "PulseFakeVendors",
                "PulseConnectors",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "PulseCLITests",
            dependencies: ["PulseCLI", "pulse", "PulseExpressions", "PulseDiagnostics", "PulseConfig", "PulseEngine", "PulseHistory", "PulseSnapshot"],
            resources: [.copy("Conformance")]
        ),
    ],
    swiftLanguageModes: [.v6],
    cxxLanguageStandard: .cxx17
)
