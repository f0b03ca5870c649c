import Foundation
import TestSupport
import Testing
import LedgerCrypto
import LedgerDomain
import LedgerMerkle
import LedgerStore

@Suite("Ledger store (SQLite) through its Swift API")
struct LedgerStoreTests {
    static let lifecycle = [
        notice("S1"),
        inclusion("S1"),
        simple("decision_served", "S1", at: "2024-03-06T10:00:00+08:00"),
        simple("pushed_to_unit", "S1", at: "2024-03-07T10:00:00+08:00", extra: #","unit":"unit:pboc-baisha""#),
        simple("measure_applied", "S1", at: "2024-03-08T10:00:00+08:00", actor: pboc, extra: #","unit":"unit:pboc-baisha","measure":"credit_restriction""#),
        simple("obligation_discharged", "S1", at: "2024-03-15T10:00:00+08:00", extra: #","basis":"full_performance""#),
        simple("entry_shielded", "S1", at: "2024-03-16T10:00:00+08:00"),
        simple("unit_notified_of_exit", "S1", at: "2024-03-17T10:00:00+08:00", extra: #","unit":"unit:pboc-baisha""#),
        simple("measure_lifted", "S1", at: "2024-03-18T10:00:00+08:00", actor: pboc, extra: #","unit":"unit:pboc-baisha","measure":"credit_restriction""#),
        notice("S2", at: "2024-03-20T09:00:00Z"),
    ]

    @Test("appended events carry the ledger's clock, gapless seqs, a sound chain and tree")
    func appendChainAndTree() throws {
        let temp = try TempLedger()
        defer { temp.remove() }
        let ledger = try temp.create()
        let now = clock("2025-02-03T04:05:06.789Z")
        let outcomes = try ledger.append(try events(Self.lifecycle), clock: { now })
        #expect(outcomes == (1...10).map { AppendOutcome.appended(seq: Int64($0)) })

        let stored = try ledger.allEvents()
        #expect(stored.map(\.seq) == Array(1...10))
        var previous = [UInt8](repeating: 0, count: 32)
        for (recorded, line) in zip(stored, Self.lifecycle) {
            #expect(recorded.recordedAt.utcDescription == "2025-02-03T04:05:06.789Z")
            #expect(recorded.event == (try Event.decode(jsonLine: Array(line.utf8))))
            // The stored bytes are the canonical bytes: keys sorted, v = 2 (SPEC §7, issue 12:
            // new events are v2), seq and recorded_at in.
            let text = String(decoding: recorded.canonical, as: UTF8.self)
            #expect(text.hasPrefix(#"{"actor":"#))
            #expect(text.contains(#""recorded_at":"2025-02-03T04:05:06.789Z","seq":\#(recorded.seq),"#))
            #expect(text.hasSuffix(#","v":2}"#))
            #expect(recorded.prevHash == previous)
            #expect(recorded.hash == SHA256.hash(previous + recorded.canonical))
            previous = recorded.hash
        }
        // A Z instant is stored as +00:00 (design.md).
        #expect(String(decoding: stored[9].canonical, as: UTF8.self).contains(#""at":"2024-03-20T09:00:00+00:00""#))

        let report = try ledger.verify()
        #expect(report.ok)
        #expect(report.events == 10)
        #expect(report.head == previous)
        // The root verify reports is the RFC 6962 root of SHA-256(0x00 || canonical) leaves,
        // computed here from scratch, recursively.
        func mth(_ leaves: ArraySlice<[UInt8]>) -> [UInt8] {
            if leaves.count == 1 { return leaves.first! }
            var k = 1
            while k * 2 < leaves.count { k *= 2 }
            let split = leaves.startIndex + k
            return SHA256.hash([0x01] + mth(leaves[..<split]) + mth(leaves[split...]))
        }
        let leaves = stored.map { SHA256.hash([0x00] + $0.canonical) }
        #expect(report.root == mth(leaves[...]))
    }

    @Test("recorded_at never goes backwards, even when the clock does")
    func monotonicRecordedAt() throws {
        let temp = try TempLedger()
        defer { temp.remove() }
        let ledger = try temp.create()
        _ = try ledger.append(try events([notice("M1")]), clock: { clock("2025-05-01T12:00:00.500Z") })
        _ = try ledger.append(try events([notice("M2")]), clock: { clock("2025-05-01T11:00:00Z") })
        _ = try ledger.append(try events([notice("M3")]), clock: { clock("2025-05-01T13:00:00Z") })
        let recorded = try ledger.allEvents().map { $0.recordedAt.utcDescription }
        #expect(recorded == ["2025-05-01T12:00:00.500Z", "2025-05-01T12:00:00.500Z", "2025-05-01T13:00:00.000Z"])
        #expect(try ledger.verify().ok)
    }

    @Test("an at up to 5 minutes ahead of the clock is accepted, more is refused")
    func clockSkew() throws {
        let temp = try TempLedger()
        defer { temp.remove() }
        let ledger = try temp.create()
        let now = clock("2025-05-01T12:00:00Z")
        _ = try ledger.append(try events([notice("F1", at: "2025-05-01T20:04:59+08:00")]), clock: { now })
        _ = try ledger.append(try events([notice("F2", at: "2025-05-01T12:05:00Z")]), clock: { now })
        do {
            _ = try ledger.append(try events([notice("F3", at: "2025-05-01T12:05:01Z")]), clock: { now })
            Issue.record("an at 5 min 1 s ahead of the clock was accepted")
        } catch let LedgerError.input(error) {
            #expect(error.field == "at")
            #expect(error.line == 1)
        }
        #expect(try ledger.allEvents().count == 2)
    }

    @Test("a refused event rolls back the whole call: events, tree, head and projections")
    func atomicity() throws {
        let temp = try TempLedger()
        defer { temp.remove() }
        let ledger = try temp.create()
        _ = try ledger.append(try events([notice("A0")]), clock: { clock("2025-01-02T00:00:00Z") })
        let headBefore = try ledger.head()
        let statesBefore = try ledger.allEntryStates()
        let batch = try events([notice("A1"), inclusion("A1"), simple("entry_revoked", "A0", at: "2024-03-09T10:00:00+08:00", extra: #","reason":"error""#), notice("A2")])
        do {
            _ = try ledger.append(batch, clock: { clock("2025-01-03T00:00:00Z") })
            Issue.record("revoking an entry never included was accepted")
        } catch let LedgerError.input(error) {
            #expect(error.line == 3)
        }
        #expect(try ledger.head() == headBefore)
        #expect(try ledger.allEntryStates() == statesBefore)
        #expect(try ledger.allEvents().count == 1)
        // One leaf hash in the tree (the level-0 edge tile), no full tile.
        #expect(try ledger.connection.scalarInt("SELECT length(hashes) / 32 FROM tile_edge WHERE level = 0") == 1)
        #expect(try ledger.connection.scalarInt("SELECT count(*) FROM tiles") == 0)
        // The ledger is still usable and consistent.
        _ = try ledger.append(try events([notice("A1")]), clock: { clock("2025-01-04T00:00:00Z") })
        #expect(try ledger.verify().ok)
        #expect(try ledger.head().size == 2)
    }

    @Test("idempotency keys: duplicate with its seq; other content refused")
    func idempotency() throws {
        let temp = try TempLedger()
        defer { temp.remove() }
        let ledger = try temp.create()
        let now = { clock("2025-01-02T00:00:00Z") }
        #expect(try ledger.append(try events([notice("I1", id: "n-1"), notice("I2")]), clock: now) == [.appended(seq: 1), .appended(seq: 2)])
        #expect(try ledger.append(try events([notice("I3"), notice("I1", id: "n-1")]), clock: now) == [.appended(seq: 3), .duplicate(seq: 1)])
        do {
            _ = try ledger.append(try events([notice("I1", at: "2024-03-01T09:00:01+08:00", id: "n-1")]), clock: now)
            Issue.record("the same id with another at was accepted")
        } catch let LedgerError.input(error) {
            #expect(error.field == "id")
        }
        #expect(try ledger.head().size == 3)
    }

    @Test("rebuild derives the same entry states as the appends maintained")
    func rebuildEqualsProjection() throws {
        let temp = try TempLedger()
        defer { temp.remove() }
        let ledger = try temp.create()
        // One event per call, so every append updates the projection incrementally.
        for (index, line) in Self.lifecycle.enumerated() {
            _ = try ledger.append(try events([line]), clock: { Instant(epochMilliseconds: 1_735_689_600_000 + Int64(index) * 1000) })
        }
        let maintained = try ledger.allEntryStates()
        #expect(maintained.map(\.entry) == ["S1", "S2"])
        #expect(maintained.map(\.status) == [.shielded, .noticed])
        #expect(maintained.first?.measures.map(\.status) == ["lifted"])
        #expect(maintained.first?.notifiedOfExit == [pboc])
        #expect(maintained.first?.lastSeq == 9)
        try ledger.rebuild()
        #expect(try ledger.allEntryStates() == maintained)
        // Replaying the log in memory gives the same states too.
        var replay = Replay()
        try ledger.forEachEvent { replay.apply($0) }
        #expect(replay.states.values.sorted { $0.entry < $1.entry } == maintained)
    }

    @Test("replay cut-offs: as-of counts facts by at, known-at by recorded_at")
    func replayCutoffs() throws {
        let temp = try TempLedger()
        defer { temp.remove() }
        let ledger = try temp.create()
        _ = try ledger.append(try events([notice("K1"), inclusion("K1")]), clock: { clock("2025-03-01T00:00:00Z") })
        _ = try ledger.append(try events([simple("entry_shielded", "K1", at: "2024-03-10T10:00:00+08:00")]), clock: { clock("2025-03-02T00:00:00Z") })
        func status(asOf: String? = nil, knownAt: String? = nil) throws -> EntryStatus? {
            var replay = Replay(asOf: asOf.map(clock), knownAt: knownAt.map(clock))
            try ledger.forEachEvent { replay.apply($0) }
            return replay.states["K1"]?.status
        }
        #expect(try status() == .shielded)
        #expect(try status(knownAt: "2025-03-01T23:59:59.999Z") == .listed)
        #expect(try status(knownAt: "2025-03-02T00:00:00Z") == .shielded)
        #expect(try status(asOf: "2024-03-10T02:00:00Z") == .shielded)
        #expect(try status(asOf: "2024-03-10T01:59:59.999Z") == .listed)
        #expect(try status(asOf: "2024-03-04T00:00:00Z") == .noticed)
        #expect(try status(asOf: "2024-02-29T00:00:00Z") == nil)
        #expect(try status(knownAt: "2025-02-28T00:00:00Z") == nil)
    }

    @Test("the triggers make events and tree append-only")
    func triggers() throws {
        let temp = try TempLedger()
        defer { temp.remove() }
        let ledger = try temp.create()
        _ = try ledger.append(try events(Array(Self.lifecycle.prefix(3))), clock: { clock("2025-01-02T00:00:00Z") })
        for sql in ["UPDATE events SET entry = 'X' WHERE seq = 1", "DELETE FROM events WHERE seq = 3",
                    "UPDATE tile_edge SET hashes = zeroblob(32)", "UPDATE tile_edge SET hashes = CAST(zeroblob(32) || substr(hashes, 33) AS BLOB)",
                    "DELETE FROM tile_edge"] {
            #expect(throws: SQLiteError.self, "\(sql)") { try ledger.connection.execute(sql) }
        }
        #expect(try ledger.verify().ok)
    }

    @Test("verify names the first bad seq after direct edits", arguments: [
        ("UPDATE events SET canonical = CAST(replace(CAST(canonical AS TEXT), 'credit_restriction', 'credit_restrictioN') AS BLOB) WHERE seq = 5", 5),
        ("DELETE FROM events WHERE seq = 4", 4),
        ("DELETE FROM events WHERE seq >= 8", 8),
        ("UPDATE events SET hash = zeroblob(32) WHERE seq = 2", 2),
        ("UPDATE events SET prev_hash = zeroblob(32) WHERE seq = 7", 7),
    ])
    func verifyAfterTampering(_ sql: String, _ firstBadSeq: Int64) throws {
        let temp = try TempLedger()
        defer { temp.remove() }
        let ledger = try temp.create()
        _ = try ledger.append(try events(Self.lifecycle), clock: { clock("2025-01-02T00:00:00Z") })
        try ledger.connection.execute("DROP TRIGGER events_no_update; DROP TRIGGER events_no_delete; " + sql)
        let report = try ledger.verify()
        #expect(!report.ok)
        #expect(report.firstBadSeq == firstBadSeq, "\(report.reason ?? "")")
        #expect(report.events == firstBadSeq - 1)
    }

    @Test("init refuses an existing file; open refuses a file that is not a ledger")
    func createAndOpen() throws {
        let temp = try TempLedger()
        defer { temp.remove() }
        _ = try temp.create()
        #expect(throws: LedgerError.self) { _ = try temp.create() }
        let other = temp.dir.appendingPathComponent("other.sqlite").path
        #expect(throws: LedgerError.self) { _ = try Ledger.open(path: other) }
        try Data("not a database at all".utf8).write(to: URL(fileURLWithPath: other))
        #expect(throws: LedgerError.self) { _ = try Ledger.open(path: other) }
        #expect(try Ledger.open(path: temp.path).head().size == 0)
    }
}
