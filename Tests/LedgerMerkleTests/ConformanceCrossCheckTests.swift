import Foundation
import TestSupport
import Testing
import LedgerCrypto
@testable import LedgerMerkle

/// Our proofs and checkpoints against the independent Python verifier the conformance kit uses
/// (../shared/conformance/check.py): same verdict on every case, genuine and tampered.
struct ConformanceCrossCheckTests {
    static let checker = repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/conformance/check.py")
    static let python = ["/usr/bin/python3", "/usr/local/bin/python3"].first { FileManager.default.isExecutableFile(atPath: $0) }
    static var available: Bool { python != nil && FileManager.default.fileExists(atPath: checker.path) }

    static let script = """
    import base64, importlib.util, json, sys
    spec = importlib.util.spec_from_file_location("check", sys.argv[1])
    check = importlib.util.module_from_spec(spec); spec.loader.exec_module(check)
    cases = json.load(open(sys.argv[2]))
    b = lambda xs: [base64.b64decode(x) for x in xs]
    out = {"inclusion": [], "consistency": [], "checkpoints": []}
    for c in cases["inclusion"]:
        out["inclusion"].append(check.verify_inclusion(c["index"], c["size"], base64.b64decode(c["leaf"]), b(c["proof"]), base64.b64decode(c["root"])))
    for c in cases["consistency"]:
        out["consistency"].append(check.verify_consistency(c["old"], c["new"], b(c["proof"]), base64.b64decode(c["old_root"]), base64.b64decode(c["new_root"])))
    for c in cases["checkpoints"]:
        r = check.parse_checkpoint(c["note"], c["key"])
        out["checkpoints"].append(None if r is None else [r[0], base64.b64encode(r[1]).decode()])
    json.dump(out, sys.stdout)
    """

    struct InclusionCase: Codable { let index: Int64; let size: Int64; let leaf: String; let proof: [String]; let root: String }
    struct ConsistencyCase: Codable { let old: Int64; let new: Int64; let proof: [String]; let old_root: String; let new_root: String }
    struct CheckpointCase: Codable { let note: String; let key: String }
    struct Cases: Codable { var inclusion: [InclusionCase] = []; var consistency: [ConsistencyCase] = []; var checkpoints: [CheckpointCase] = [] }
    struct Verdicts: Decodable { let inclusion: [Bool]; let consistency: [Bool]; let checkpoints: [[CheckpointValue]?] }
    enum CheckpointValue: Decodable, Equatable {
        case size(Int64), root(String)
        init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let size = try? container.decode(Int64.self) { self = .size(size) } else { self = .root(try container.decode(String.self)) }
        }
    }

    @Test(.enabled(if: available, "needs python3 and ../shared/conformance/check.py"))
    func sameVerdictsAsTheConformanceChecker() throws {
        let naive = NaiveTree(count: 700)
        let store = try MemoryHashStore(leafHashes: naive.leafHashes)
        var random = SeededGenerator(seed: 2024)
        var cases = Cases()
        var ours = (inclusion: [Bool](), consistency: [Bool]())
        let enc = { (hashes: [[UInt8]]) in hashes.map { StrictBase64.encode($0) } }

        for _ in 0..<300 {
            let size = Int.random(in: 1...700, using: &random)
            let leaf = Int.random(in: 0..<size, using: &random)
            let proof = try Merkle.inclusionProof(leaf: Int64(leaf), size: Int64(size), reader: store)
            let root = naive.mth(0, size)
            var variants: [(Int64, Int64, [UInt8], [[UInt8]], [UInt8])] = [
                (Int64(leaf), Int64(size), naive.leafHashes[leaf], proof, root),
                (Int64(leaf), Int64(size + 1), naive.leafHashes[leaf], proof, root),
                (Int64(leaf), Int64(size - 1), naive.leafHashes[leaf], proof, root),
                (Int64(leaf ^ 1), Int64(size), naive.leafHashes[leaf], proof, root),
                (Int64(leaf), Int64(size), naive.leafHashes[leaf], proof + [root], root),
            ]
            if !proof.isEmpty {
                variants.append((Int64(leaf), Int64(size), naive.leafHashes[leaf],
                                 flipping(proof, element: Int.random(in: 0..<proof.count, using: &random), bit: Int.random(in: 0..<256, using: &random)), root))
                variants.append((Int64(leaf), Int64(size), naive.leafHashes[leaf], Array(proof.dropLast()), root))
            }
            for (index, claimedSize, leafHash, p, r) in variants {
                cases.inclusion.append(InclusionCase(index: index, size: claimedSize, leaf: StrictBase64.encode(leafHash), proof: enc(p), root: StrictBase64.encode(r)))
                ours.inclusion.append(Merkle.verifyInclusion(index: index, size: claimedSize, leafHash: leafHash, proof: p, root: r))
            }
        }
        for _ in 0..<300 {
            let new = Int.random(in: 1...700, using: &random)
            let old = Int.random(in: 1...new, using: &random)
            let proof = try Merkle.consistencyProof(oldSize: Int64(old), newSize: Int64(new), reader: store)
            let (r1, r2) = (naive.mth(0, old), naive.mth(0, new))
            var variants: [(Int64, Int64, [[UInt8]], [UInt8], [UInt8])] = [
                (Int64(old), Int64(new), proof, r1, r2),
                (Int64(old), Int64(new + 1), proof, r1, r2),
                (Int64(old - 1), Int64(new), proof, r1, r2),
                (Int64(old + 1), Int64(new), proof, r1, r2),
                (Int64(old), Int64(new), proof + [r1], r1, r2),
                (Int64(old), Int64(new), proof, r2, r1),
            ]
            if !proof.isEmpty {
                variants.append((Int64(old), Int64(new),
                                 flipping(proof, element: Int.random(in: 0..<proof.count, using: &random), bit: Int.random(in: 0..<256, using: &random)), r1, r2))
                variants.append((Int64(old), Int64(new), Array(proof.dropFirst()), r1, r2))
            }
            for (m, n, p, a, b) in variants {
                cases.consistency.append(ConsistencyCase(old: m, new: n, proof: enc(p), old_root: StrictBase64.encode(a), new_root: StrictBase64.encode(b)))
                ours.consistency.append(Merkle.verifyConsistency(oldSize: m, newSize: n, proof: p, oldRoot: a, newRoot: b))
            }
        }

        // Checkpoints we sign, opened by the checker with the verifier key we print.
        let signer = try NoteSigner.generate(name: "listledger/court:baisha")
        let stranger = try NoteSigner.generate(name: "listledger/court:baisha")
        var expectedCheckpoints: [[CheckpointValue]?] = []
        for size in [0, 1, 7, 700] {
            let root = naive.mth(0, size)
            let note = try Checkpoint(origin: "listledger/court:baisha", size: Int64(size), rootHash: root).signed(by: [signer])
            cases.checkpoints.append(CheckpointCase(note: note, key: signer.verifierKey.description))
            expectedCheckpoints.append([.size(Int64(size)), .root(StrictBase64.encode(root))])
            cases.checkpoints.append(CheckpointCase(note: note, key: stranger.verifierKey.description))
            expectedCheckpoints.append(nil)
        }

        let verdicts = try runChecker(cases)
        #expect(verdicts.inclusion.count == ours.inclusion.count)
        #expect(verdicts.consistency.count == ours.consistency.count)
        for (k, (theirs, mine)) in zip(verdicts.inclusion, ours.inclusion).enumerated() where theirs != mine {
            let c = cases.inclusion[k]
            Issue.record("inclusion case \(k) (leaf \(c.index) of \(c.size)): check.py says \(theirs), we say \(mine)")
        }
        for (k, (theirs, mine)) in zip(verdicts.consistency, ours.consistency).enumerated() where theirs != mine {
            let c = cases.consistency[k]
            Issue.record("consistency case \(k) (\(c.old) → \(c.new)): check.py says \(theirs), we say \(mine)")
        }
        #expect(verdicts.checkpoints == expectedCheckpoints)
        // The genuine cases are a fair share of what was compared: the checker accepted them.
        #expect(verdicts.inclusion.filter { $0 }.count >= 300)
        #expect(verdicts.consistency.filter { $0 }.count >= 300)
    }

    private func runChecker(_ cases: Cases) throws -> Verdicts {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("merkle-crosscheck-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let scriptURL = folder.appendingPathComponent("crosscheck.py")
        let casesURL = folder.appendingPathComponent("cases.json")
        try Self.script.write(to: scriptURL, atomically: true, encoding: .utf8)
        try JSONEncoder().encode(cases).write(to: casesURL)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.python!)
        process.arguments = [scriptURL.path, Self.checker.path, casesURL.path]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CheckerFailed(status: process.terminationStatus, stderr: errorText)
        }
        return try JSONDecoder().decode(Verdicts.self, from: data)
    }

    struct CheckerFailed: Error, CustomStringConvertible {
        let status: Int32
        let stderr: String
        var description: String { "check.py cross-check exited \(status): \(stderr.suffix(600))" }
    }
}
