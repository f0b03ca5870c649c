// swift-tools-version: 6.1
// ListLedger's benchmarks, a package of its own so that the product never depends on the
// benchmark tooling. Run from this folder: `swift package --disable-sandbox benchmark`
// (or `scripts/bench/run` from the repository root for the comparison table).
//
// The ledger's libraries expose only `package`-level API and the parent package vends only the
// `listledger` executable, so these benchmarks drive the built binary through Process: each
// measurement includes the process start (a few milliseconds), which docs/performance.md states.
import PackageDescription

// A path dependency's identity is the name of the folder it was cloned into (`main` in the team's
// tree, something else in CI's clone), so derive it instead of hard-coding it.
let parentIdentity = Context.packageDirectory.split(separator: "/").dropLast().last.map(String.init) ?? "main"

let package = Package(
    name: "ListLedgerBenchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(path: "../"),
        .package(url: "https://github.com/ordo-one/benchmark", exact: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "LedgerCommands",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "listledger", package: parentIdentity),
            ],
            path: "Benchmarks/LedgerCommands",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
