import Foundation
import LedgerDomain
import LedgerStorage
import LedgerStore
import Synchronization
import Testing

/// The streamed reads of the storage seam on SQLite (issue 8): `forEachEntryState` and
/// `forEachObligation` give every item once, in order, across the 1,000-row chunks, and all
/// from one snapshot (appends committed during a read do not appear in it).
struct StreamedReadTests {
    static let now = clock("2025-01-02T00:00:00Z")

    /// Entry `i`'s name: zero-padded, so byte order is number order.
    static func name(_ i: Int) -> String { "E" + String(repeating: "0", count: 5 - String(i).count) + String(i) }

    /// A new ledger of `count` entries, each included without a risk notice (one breached R1
    /// obligation each, obligor the court), and one more entry with a notice only.
    static func ledger(_ count: Int) throws -> TempLedger {
        let temp = try TempLedger()
        let ledger = try temp.create()
        let lines = (0..<count).map { inclusion(name($0)) } + [notice("N-only")]
        _ = try ledger.append(try events(lines), clock: { now })
        return temp
    }

    /// `report`'s inputs (issue 8): the events of some types, streamed in seq order, and only
    /// up to a seq when bounded (the command's two passes stop at one head).
    @Test("forEachEvent(ofTypes:through:): the types asked for, in seq order, bounded by a seq", arguments: [0, 1_001, 2_500])
    func eventsOfTypes(count: Int) async throws {
        let temp = try Self.ledger(count)
        defer { temp.remove() }
        let storage = try SQLiteStorage(path: temp.path, readOnly: true, clock: { Self.now })
        let inclusions = Collected<Int64>()
        try await storage.forEachEvent(ofTypes: [.inclusionDecided], through: nil) { inclusions.append($0.seq) }
        // Seqs 1…count are the inclusions, count + 1 the notice.
        #expect(inclusions.items == (0..<Int64(count)).map { $0 + 1 })
        let bounded = Collected<Int64>()
        try await storage.forEachEvent(ofTypes: [.inclusionDecided, .riskNoticeIssued], through: Int64(count / 2)) { bounded.append($0.seq) }
        #expect(bounded.items == (0..<Int64(count / 2)).map { $0 + 1 })
        let notices = Collected<String>()
        try await storage.forEachEvent(ofTypes: [.riskNoticeIssued, .recordAnnulled], through: Int64(count + 1)) { notices.append($0.event.entry ?? "") }
        #expect(notices.items == ["N-only"])
        #expect(try await storage.events(ofTypes: [.inclusionDecided]).map(\.seq) == inclusions.items)
    }

    @Test("chunk boundaries: 0, 1, 999, 1,000, 1,001 and 2,500 entries and obligations, each once and in order", arguments: [0, 1, 999, 1_000, 1_001, 2_500])
    func chunkBoundaries(count: Int) async throws {
        let temp = try Self.ledger(count)
        defer { temp.remove() }
        let storage = try SQLiteStorage(path: temp.path, readOnly: true, clock: { Self.now })

        let states = Collected<String>()
        try await storage.forEachEntryState(StateQuery()) { states.append($0.entry) }
        // Hand-known: every included entry by number, then the notice-only one ("E" < "N").
        #expect(states.items == (0..<count).map(Self.name) + ["N-only"])
        #expect(try await storage.entryStates(StateQuery()).map(\.entry) == states.items)

        let asOf = clock("2025-06-01T00:00:00+08:00")
        let obligations = Collected<String>()
        try await storage.forEachObligation(ObligationQuery(asOf: asOf)) { obligation, status in
            #expect(status == .breached && obligation.rule == "R1" && obligation.obligor == court)
            obligations.append(obligation.entry)
        }
        // R1 has no due day: entry order (bytes).
        #expect(obligations.items == (0..<count).map(Self.name))
        #expect(try await storage.obligations(ObligationQuery(asOf: asOf)).map(\.0.entry) == obligations.items)

        // Filters: none of these selects anything but the R1 rows; a status or rule the
        // ledger lacks selects nothing; one entry selects its one row.
        var breached = ObligationQuery(asOf: asOf)
        breached.statuses = [.breached]
        breached.obligor = court
        #expect(try await storage.obligations(breached).count == count)
        var met = ObligationQuery(asOf: asOf)
        met.statuses = [.met]
        #expect(try await storage.obligations(met).isEmpty)
        var r3 = ObligationQuery(asOf: asOf)
        r3.rule = "R3"
        #expect(try await storage.obligations(r3).isEmpty)
        if count > 0 {
            var one = ObligationQuery(asOf: asOf)
            one.entry = Self.name(count - 1)
            #expect(try await storage.obligations(one).map(\.0.entry) == [Self.name(count - 1)])
            #expect(try await storage.entryStates(StateQuery(entry: Self.name(count / 2))).map(\.entry) == [Self.name(count / 2)])
        }
        #expect(try await storage.entryStates(StateQuery(entry: "absent")).isEmpty)
    }

    @Test("a replay (state --as-of/--known-at) reads entry by entry: interleaved entries, two ids differing only in normalisation and an annulment give the projection's states, in byte order")
    func replayEntryByEntry() async throws {
        let temp = try TempLedger()
        defer { temp.remove() }
        let ledger = try temp.create()
        let composed = "\u{e9}", decomposed = "e\u{301}"  // "é" twice: two entries, as SQLite keeps them
        // Seq order interleaves the entries; B's inclusion (seq 5) is annulled (seq 7).
        let lines = [notice("B"), notice(composed), inclusion("A"), notice(decomposed), inclusion("B"), inclusion(composed),
                     simple("record_annulled", "B", at: "2024-03-06T10:00:00+08:00", extra: #","annuls":5,"reason":"误录""#)]
        _ = try ledger.append(try events(lines), clock: { Self.now })
        let storage = try SQLiteStorage(path: temp.path, readOnly: true, clock: { Self.now })

        let projected = try await storage.entryStates(StateQuery())
        let replayed = try await storage.entryStates(StateQuery(asOf: clock("2030-01-01T00:00:00+08:00")))
        #expect(replayed.map(\.entry).map { Array($0.utf8) } == ["A", "B", decomposed, composed].map { Array($0.utf8) })
        #expect(replayed == projected)
        // B without its annulled inclusion is where its notice left it, as the projection says.
        #expect(replayed.first { $0.entry == "B" }?.status == projected.first { $0.entry == "B" }?.status)
        #expect(replayed.first { $0.entry == "B" }?.status != replayed.first { $0.entry == "A" }?.status)

        // After the notices, before any inclusion: A (an inclusion only) has no state yet.
        let early = try await storage.entryStates(StateQuery(asOf: clock("2024-03-02T00:00:00+08:00")))
        #expect(early.map(\.entry).map { Array($0.utf8) } == ["B", decomposed, composed].map { Array($0.utf8) })
        #expect(Set(early.map(\.status)).count == 1)
        // One entry's replay (`--entry`): its state alone, the normalisation twin not matched.
        for state in projected {
            #expect(try await storage.entryStates(StateQuery(entry: state.entry, asOf: clock("2030-01-01T00:00:00+08:00"))) == [state])
        }
        #expect(try await storage.entryStates(StateQuery(entry: "A", asOf: clock("2024-03-02T00:00:00+08:00"))).isEmpty)

        // What keeps the memory flat: fed in (entry, seq) order, the replay both engines read
        // through holds one entry's history at a time and hands each state on as soon as the
        // next entry begins (a replay of the whole log, as before, held all four).
        var replay = EntryByEntryReplay(asOf: clock("2030-01-01T00:00:00+08:00"))
        var emitted: [String] = [], heldMost = 0
        try ledger.forEachEvent(where: "entry IS NOT NULL", orderedBy: "entry, seq") { recorded in
            // Every entry before this event's is already out, this one's is not.
            let before = emitted.count
            replay.add(recorded) { emitted.append($0.entry) }
            #expect(emitted.count == before || emitted.last.map { Array($0.utf8) != Array(recorded.event.entry!.utf8) } == true)
            heldMost = max(heldMost, replay.heldEntries)
        }
        #expect(heldMost == 1)
        #expect(emitted.map { Array($0.utf8) } == ["A", "B", decomposed].map { Array($0.utf8) })
        replay.finish { emitted.append($0.entry) }
        #expect(emitted.map { Array($0.utf8) } == replayed.map { Array($0.entry.utf8) })
        #expect(replay.heldEntries == 0)
    }

    @Test("one snapshot: entries and obligations appended (before and after the read's position) while a streamed read runs do not appear in it")
    func oneSnapshot() async throws {
        let temp = try Self.ledger(2_500)
        defer { temp.remove() }
        let storage = try SQLiteStorage(path: temp.path, clock: { Self.now })
        // Another connection appends inside the callbacks: WAL lets it commit beside the read.
        nonisolated(unsafe) let writer = try Ledger.open(path: temp.path)
        let round = Mutex(0)
        @Sendable func appendDuring(_ seen: Int) throws {
            guard seen == 1_500 else { return }
            let n = round.withLock { $0 += 1; return $0 }
            // "A…" sorts before every streamed entry, "F…" after: neither may appear.
            _ = try writer.append(try events([inclusion("A-late-\(n)"), inclusion("F-late-\(n)")]), clock: { Self.now })
        }

        let states = Collected<String>()
        try await storage.forEachEntryState(StateQuery()) { state in
            states.append(state.entry)
            try appendDuring(states.items.count)
        }
        #expect(states.items == (0..<2_500).map(Self.name) + ["N-only"])

        let asOf = clock("2025-06-01T00:00:00+08:00")
        let obligations = Collected<String>()
        try await storage.forEachObligation(ObligationQuery(asOf: asOf)) { obligation, _ in
            obligations.append(obligation.entry)
            try appendDuring(obligations.items.count)
        }
        // The first round (committed before this read began) is in it; the second is not.
        #expect(obligations.items == ["A-late-1"] + (0..<2_500).map(Self.name) + ["F-late-1"])

        // The appends were committed: a later read sees both rounds.
        #expect(try await storage.entryStates(StateQuery()).count == 2_501 + 4)
        #expect(try await storage.obligations(ObligationQuery(asOf: asOf)).map(\.0.entry).prefix(2) == ["A-late-1", "A-late-2"])
    }
}
