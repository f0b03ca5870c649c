import Foundation
import TestSupport
import LedgerDomain
import LedgerMerkle
import LedgerStore
import Testing

/// The operator's rewrite: change an old event's canonical bytes in SQLite (triggers dropped),
/// re-hash the whole chain, rebuild the tree's tiles from scratch and set the head, so that the
/// log is consistent with itself again. Works on the SQLite file directly, as an insider would.
func rewriteLog(_ path: String, seq target: Int64, dropCheckpoints: Bool) throws {
    let connection = try Connection(path: path, create: false)
    try connection.execute("DROP TRIGGER events_no_update; DROP TRIGGER events_no_delete; DROP TRIGGER tiles_no_update; DROP TRIGGER tiles_no_delete; DROP TRIGGER tile_edge_grows; DROP TRIGGER tile_edge_no_delete")
    try connection.execute("BEGIN IMMEDIATE")
    var rows: [(seq: Int64, canonical: [UInt8])] = []
    let select = try connection.statement("SELECT seq, canonical FROM events ORDER BY seq")
    while try select.step() { rows.append((select.int(0), select.blob(1))) }
    guard let index = rows.firstIndex(where: { $0.seq == target }) else { throw HarnessError(description: "no seq \(target)") }
    // Move the fact's effective time back a day: still a valid event in canonical form.
    guard case .object(var members) = try JSONParser.parse(rows[index].canonical),
          let at = members.firstIndex(where: { $0.0 == "at" }), case .string(let old) = members[at].1 else {
        throw HarnessError(description: "seq \(target) has no at")
    }
    let day = Int(old.dropFirst(8).prefix(2))!
    members[at].1 = .string(old.prefix(8) + String(format: "%02d", day == 1 ? 2 : day - 1) + old.dropFirst(10))
    rows[index].canonical = CanonicalJSON.encode(.object(members))

    var previous = RecordedEvent.genesisHash
    var tree = TileBuilder()
    var fullTiles: [(Int, Int64, [UInt8])] = []
    for row in rows {
        let hash = RecordedEvent.chainHash(prevHash: previous, canonical: row.canonical)
        try connection.run("UPDATE events SET canonical = ?, prev_hash = ?, hash = ? WHERE seq = ?",
                           [.blob(row.canonical), .blob(previous), .blob(hash), .int(row.seq)])
        tree.append(leafHash: Merkle.leafHash(canonical: row.canonical)) { fullTiles.append(($0, $1, $2)) }
        previous = hash
    }
    try connection.execute("DELETE FROM tiles; DELETE FROM tile_edge")
    for (level, index, hashes) in fullTiles {
        try connection.run("INSERT INTO tiles(level, idx, hashes) VALUES (?, ?, ?)", [.int(Int64(level)), .int(index), .blob(hashes)])
    }
    for (level, edge) in tree.edges.enumerated() where !edge.isEmpty {
        try connection.run("INSERT INTO tile_edge(level, idx, hashes) VALUES (?, ?, ?)",
                           [.int(Int64(level)), .int(tree.size >> (8 * level + 8)), .blob(edge)])
    }
    try connection.run("UPDATE head SET hash = ? WHERE id = 1", [.blob(previous)])
    if dropCheckpoints { try connection.execute("DELETE FROM checkpoints") }
    try connection.execute("COMMIT")
}

@Suite("rewrite detection")
struct RewriteDrillTests {
    @Test("a log rewritten and re-signed by the operator verifies on its own but not against the auditor's checkpoint")
    func operatorRewriteIsCaught() throws {
        let ledger = try TestLedger.demo(lines: 120)
        let key = try ledger.verifierKey()
        let saved = try ledger.write("auditor.txt", try ledger.ok("checkpoint").stdout)
        try ledger.append(lines: 120..<130)
        // Before the rewrite: the grown log extends the saved checkpoint.
        let before = try ledger.ok(["verify"], ["--against", saved, "--key", key, "--json"]).json()
        #expect(member(member(before, "against"), "ok") == .bool(true))

        try rewriteLog(ledger.db, seq: 5, dropCheckpoints: true)
        try ledger.ok("rebuild")
        let resigned = try ledger.ok("checkpoint")
        #expect(resigned.stdout.hasPrefix("listledger/court:baisha\n130\n"))

        let own = try ledger.ll("verify", "--json")
        #expect(own.status == 0, "the rewritten log is consistent with itself: \(own)")
        let against = try ledger.ll(["verify"], ["--against", saved, "--key", key, "--json"])
        #expect(against.status == 4, "\(against)")
        let report = try against.json()
        #expect(member(report, "ok") == .bool(false))
        #expect(member(member(report, "against"), "ok") == .bool(false))
        #expect(string(member(report, "reason"))?.contains("does not extend the checkpoint of 120 events") == true, "\(against)")
        let human = try ledger.ll(["verify"], ["--against", saved, "--key", key])
        #expect(human.status == 4 && human.stdout.contains("FAILED against the checkpoint"), "\(human)")

        // The operator's consistency proof cannot connect the new checkpoint to the saved one.
        let proof = try ledger.ok("prove", "--from", "120", "--to", "130", "--json").json()
        let proofFile = try ledger.write("proof.json", text(proof))
        let newFile = try ledger.write("new.txt", resigned.stdout)
        #expect(try run(listledger, ["verify-proof", proofFile, "--key", key, "--old", saved, "--new", newFile]).status == 4)
        // A checkpoint signed by someone else is refused outright.
        let stranger = try TestLedger.demo(lines: 2).verifierKey()
        #expect(try ledger.ll(["verify"], ["--against", saved, "--key", stranger]).status == 4)
    }

    @Test("checkpoint refuses to sign a rewritten log while the old checkpoints are stored")
    func checkpointRefusesRewrite() throws {
        let ledger = try TestLedger.demo(lines: 60)
        try ledger.ok("checkpoint")
        try ledger.append(lines: 60..<70)
        try rewriteLog(ledger.db, seq: 12, dropCheckpoints: false)
        let refused = try ledger.ll("checkpoint")
        #expect(refused.status == 4 && refused.stderr.contains("no longer extends"), "\(refused)")
        // prove refuses to hand out a proof for a checkpoint whose root the tree no longer has.
        #expect(try ledger.ll("prove", "--seq", "3", "--json").status == 4)
    }
}
