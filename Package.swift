// swift-tools-version: 6.0
// Layers, bottom to top: system C libraries → crypto and storage wrappers → pure domain
// (calendar, Merkle math, events and rules) → the store → the command line.
import PackageDescription

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
    ],
    targets: [
        // System libraries: a module map and a shim header, nothing else.
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CLibCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),

        // SHA-256 and Ed25519 over libcrypto's EVP interface.
        .target(name: "LedgerCrypto", dependencies: ["CLibCrypto"]),
        // The official calendar, Beijing days and legal period arithmetic. Pure Swift.
        .target(name: "LedgerCalendar"),
        // RFC 6962 Merkle tree math, proofs and C2SP signed-note checkpoints. Pure Swift + crypto.
        .target(name: "LedgerMerkle", dependencies: ["LedgerCrypto"]),
        // Events, canonical encoding, the lifecycle state machine, projection and obligations.
        // Pure Swift: no SQLite, no clock.
        .target(name: "LedgerDomain", dependencies: ["LedgerCalendar", "LedgerMerkle", "LedgerCrypto"]),
        // SQLite: the log, projection tables, tree nodes, checkpoints. One writer, many readers.
        .target(name: "LedgerStore", dependencies: ["CSQLite", "LedgerDomain", "LedgerCrypto", "LedgerMerkle", "LedgerCalendar"]),
        // The command line: one file per subcommand, thin.
        .executableTarget(
            name: "listledger",
            dependencies: [
                "LedgerStore", "LedgerDomain", "LedgerCalendar", "LedgerMerkle", "LedgerCrypto",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),

        // N concurrent submitters through SharedLedger: the group-commit drill and benchmark.
        .executableTarget(name: "listledger-submit", dependencies: ["LedgerStore", "LedgerDomain"]),

        // Shared by the test targets: repository and binary lookup, running programs, fixtures.
        .target(name: "TestSupport", dependencies: ["LedgerCrypto"], path: "Tests/TestSupport"),
        .testTarget(name: "LedgerCryptoTests", dependencies: ["LedgerCrypto"]),
        .testTarget(name: "LedgerCalendarTests", dependencies: ["LedgerCalendar"]),
        .testTarget(name: "LedgerMerkleTests", dependencies: ["TestSupport", "LedgerMerkle", "LedgerCrypto"]),
        .testTarget(name: "LedgerDomainTests", dependencies: ["TestSupport", "LedgerDomain", "LedgerCalendar", "LedgerMerkle", "LedgerCrypto"]),
        .testTarget(name: "LedgerStoreTests", dependencies: ["TestSupport", "LedgerStore", "LedgerDomain", "LedgerCalendar", "LedgerMerkle"]),
        .testTarget(name: "EndToEndTests", dependencies: ["TestSupport", "listledger", "LedgerCrypto"]),
        .testTarget(name: "ObligationTests", dependencies: ["TestSupport", "LedgerStore", "LedgerDomain", "LedgerCalendar"]),
        .testTarget(name: "AuditTests", dependencies: ["TestSupport", "listledger", "LedgerStore", "LedgerDomain", "LedgerMerkle", "LedgerCrypto"]),
    ]
)
