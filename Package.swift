// swift-tools-version: 6.0
// Layers, bottom to top: system C libraries → crypto and storage wrappers → pure domain
// (calendar, Merkle math, events and rules) → the store → the command line.
import PackageDescription

// Compiler-checked layering, as Hummingbird's Package.swift does (issue 8 point 7): an import is
// internal unless it says otherwise, a member is visible only through an import of its own
// module, and an existential says `any`.
let layering: [SwiftSetting] = [
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "ListLedger",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "listledger", targets: ["listledger"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        // PostgreSQL engine (issue 13).
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        // System libraries: a module map and a shim header, nothing else.
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CLibCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),

        // SHA-256 and Ed25519 over libcrypto's EVP interface.
        .target(name: "LedgerCrypto", dependencies: ["CLibCrypto"], swiftSettings: layering),
        // The official calendar, Beijing days and legal period arithmetic. Pure Swift.
        .target(name: "LedgerCalendar", swiftSettings: layering),
        // RFC 6962 Merkle tree math, proofs and C2SP signed-note checkpoints. Pure Swift + crypto.
        .target(name: "LedgerMerkle", dependencies: ["LedgerCrypto"], swiftSettings: layering),
        // Events, canonical encoding, the lifecycle state machine, projection and obligations.
        // Pure Swift: no SQLite, no clock.
        .target(name: "LedgerDomain", dependencies: ["LedgerCalendar", "LedgerMerkle", "LedgerCrypto"], swiftSettings: layering),
        // The storage seam: the async protocol every engine implements and every caller uses.
        .target(name: "LedgerStorage", dependencies: ["LedgerDomain", "LedgerMerkle"], swiftSettings: layering),
        // SQLite: the log, projection tables, tree nodes, checkpoints. One writer, many readers.
        .target(name: "LedgerStore", dependencies: ["CSQLite", "LedgerStorage", "LedgerDomain", "LedgerCrypto", "LedgerMerkle", "LedgerCalendar"], swiftSettings: layering),
        // PostgreSQL: many court logs in one database, a durable inbox and one sequencer per log
        // (SPEC §8). Same canonical bytes and hashes as LedgerStore: the domain does the sealing.
        .target(
            name: "LedgerPostgres",
            dependencies: [
                // `PostgresStorage`: one log behind the command line's storage seam.
                "LedgerStorage", "LedgerDomain", "LedgerMerkle", "LedgerCrypto", "LedgerCalendar",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: layering
        ),
        // What the command line and the server share: the JSON of state, history and obligations,
        // credentials (bcrypt passwords, hashed tokens) and who may see which entry.
        .target(
            name: "LedgerService",
            dependencies: [
                "LedgerStore", "LedgerDomain", "LedgerCalendar", "LedgerMerkle", "LedgerCrypto",
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
            ],
            swiftSettings: layering
        ),
        // The HTTP server of SPEC §6 on Hummingbird 2: credentials, visibility, routes, feed.
        .target(
            name: "LedgerServer",
            dependencies: [
                "LedgerService", "LedgerStorage", "LedgerStore", "LedgerDomain", "LedgerMerkle", "LedgerCrypto",
                // `serve --db postgresql://…`: the routes on one court's log (PostgresServerLedger).
                "LedgerPostgres",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                // The web pages (Sources/LedgerServer/Web): logic-less templates, escaping on.
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            swiftSettings: layering
        ),
        // The alert runner's signed webhooks (one secret per receiver) over async-http-client, so
        // the command line links no URLSession / FoundationNetworking / libcurl.
        .target(
            name: "LedgerAlerts",
            dependencies: [
                "LedgerService", "LedgerStore", "LedgerDomain", "LedgerCrypto",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: layering
        ),
        // The command line: one file per subcommand, thin.
        .executableTarget(
            name: "listledger",
            dependencies: [
                "LedgerService", "LedgerServer", "LedgerAlerts", "LedgerPostgres",
                "LedgerStore", "LedgerDomain", "LedgerCalendar", "LedgerMerkle", "LedgerCrypto",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: layering
        ),

        // N concurrent submitters through SharedLedger: the group-commit drill and benchmark.
        .executableTarget(name: "listledger-submit", dependencies: ["LedgerStore", "LedgerDomain"], swiftSettings: layering),

        // N concurrent single-event submitters into one PostgreSQL log (drills, benchmark).
        .executableTarget(name: "listledger-pg-submit", dependencies: ["LedgerPostgres", "LedgerDomain"], swiftSettings: layering),

        // Shared by the test targets: repository and binary lookup, running programs, fixtures.
        .target(name: "TestSupport", dependencies: ["LedgerCrypto", "LedgerDomain"], path: "Tests/TestSupport", swiftSettings: layering),
        .testTarget(name: "LedgerCryptoTests", dependencies: ["LedgerCrypto"], swiftSettings: layering),
        .testTarget(name: "LedgerCalendarTests", dependencies: ["LedgerCalendar"], swiftSettings: layering),
        .testTarget(name: "LedgerMerkleTests", dependencies: ["TestSupport", "LedgerMerkle", "LedgerCrypto"], swiftSettings: layering),
        .testTarget(name: "LedgerDomainTests", dependencies: ["TestSupport", "LedgerDomain", "LedgerCalendar", "LedgerMerkle", "LedgerCrypto"], swiftSettings: layering),
        .testTarget(name: "LedgerStoreTests", dependencies: ["TestSupport", "LedgerStore", "LedgerStorage", "LedgerDomain", "LedgerCalendar", "LedgerMerkle"], swiftSettings: layering),
        .testTarget(name: "EndToEndTests", dependencies: [
            "TestSupport", "listledger", "LedgerCrypto",
            // A real HTTP receiver on loopback for the signed webhooks.
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
        ], swiftSettings: layering),
        .testTarget(name: "LedgerServiceTests", dependencies: ["LedgerService", "LedgerDomain", "LedgerMerkle", "LedgerCrypto"], swiftSettings: layering),
        .testTarget(name: "ObligationTests", dependencies: ["TestSupport", "LedgerStore", "LedgerDomain", "LedgerCalendar"], swiftSettings: layering),
        .testTarget(name: "ServerTests", dependencies: [
            "TestSupport", "LedgerServer", "LedgerService", "LedgerStore", "LedgerDomain", "LedgerCrypto",
            // The page suites also run on PostgreSQL when $LISTLEDGER_PG_URL is set (EngineFixture.swift).
            "LedgerPostgres", "LedgerMerkle", "LedgerCalendar",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
        ], swiftSettings: layering),
        // Against a real PostgreSQL server ($LISTLEDGER_PG_URL, scripts/pg); skipped when unset.
        .testTarget(name: "PostgresTests", dependencies: [
            "TestSupport", "LedgerPostgres", "LedgerStorage", "LedgerStore", "LedgerDomain", "LedgerMerkle", "LedgerCrypto",
            // `serve` on both engines (PgServerEngineTests): the real router, no sockets.
            "LedgerServer", "LedgerService",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Logging", package: "swift-log"),
        ], swiftSettings: layering),
        .testTarget(name: "AuditTests", dependencies: ["TestSupport", "listledger", "LedgerStore", "LedgerDomain", "LedgerMerkle", "LedgerCrypto"], swiftSettings: layering),
    ]
)
