import Foundation
import LedgerDomain
import LedgerMerkle
import LedgerStore
import Testing

/// `makeCheckpoint` signs what its verify saw; by the time it takes the write lock, other
/// processes may have appended and signed a larger checkpoint. That is no tampering.
struct CheckpointUnderLoadTests {
    @Test("a checkpoint of a verified prefix is signed although a larger one was signed meanwhile")
    func laterCheckpointSignedMeanwhile() throws {
        let temp = try TempLedger()
        defer { temp.remove() }
        let ledger = try temp.create()
        let signer = try NoteSigner.generate(name: "listledger/court:baisha")
        try ledger.setIdentity(signer)
        let at = clock("2025-01-02T00:00:00Z")
        _ = try ledger.append(try events((1...10).map { notice("P\($0)") }), clock: { at })
        let seenBefore = try ledger.verify()          // what a slow `checkpoint` verified: 10 events
        _ = try ledger.append(try events((11...25).map { notice("P\($0)") }), clock: { at })
        let later = try ledger.makeCheckpoint(signer: signer, now: at)   // another process: 25 events
        #expect(later.created && later.checkpoint.size == 25)

        let slow = try ledger.makeCheckpoint(signer: signer, now: at, verified: seenBefore)
        #expect(slow.created && slow.checkpoint.size == 10)
        #expect(slow.checkpoint.root == (try ledger.treeRoot(size: 10)))
        #expect(try ledger.allCheckpoints().map(\.size) == [10, 25])
    }

    @Test("a checkpoint larger than the log is still refused as removed events")
    func checkpointBeyondTheLogRefused() throws {
        let temp = try TempLedger()
        defer { temp.remove() }
        let ledger = try temp.create()
        let signer = try NoteSigner.generate(name: "listledger/court:baisha")
        try ledger.setIdentity(signer)
        let at = clock("2025-01-02T00:00:00Z")
        _ = try ledger.append(try events((1...10).map { notice("Q\($0)") }), clock: { at })
        // A checkpoint row of 30 events in a log of 10: events were removed after it was signed.
        try ledger.connection.run("INSERT INTO checkpoints(size, root, note, created_ms) VALUES (30, zeroblob(32), 'x', 0)")
        #expect(throws: LedgerError.self) { try ledger.makeCheckpoint(signer: signer, now: at) }
    }
}
