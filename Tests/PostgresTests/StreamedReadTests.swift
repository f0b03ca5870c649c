import Foundation
import LedgerCalendar
import LedgerDomain
import LedgerPostgres
import LedgerStorage
import LedgerStore
import TestSupport
import Testing

/// The streamed reads of the storage seam on a real PostgreSQL server (issue 8): a cursor
/// fetched 1,000 rows at a time in one REPEATABLE READ transaction gives every item once, in
/// the canonical order sorted by the server, across chunk boundaries; with the projector
/// lagging, the tail derived in memory is merged in that order; and appends committed during
/// a read do not appear in it.
@Suite("PostgreSQL: streamed reads (forEachEntryState, forEachObligation)", .enabled(if: serverURL != nil, skipReason))
struct PgStreamedReadTests {
    static let now = instant("2025-01-02T00:00:00Z")
    static let asOf = instant("2025-06-01T00:00:00+08:00")

    /// Entry `i`'s name: zero-padded, so byte order is number order.
    static func name(_ i: Int) -> String { "E" + String(repeating: "0", count: 5 - String(i).count) + String(i) }

    /// An inclusion without a risk notice: one breached R1 obligation, obligor the court.
    static func inclusion(_ entry: String) -> Event {
        try! Event.decode(jsonLine: Array(PgServerEngineTests.inclusion(entry, name: "测试甲", id: "460030198001010105").utf8))
    }

    /// `report`'s inputs (issue 8): the events of some types through the cursor, in seq order,
    /// across chunk boundaries, and only up to a seq when bounded: what SQLite streams from the
    /// same events (its own suite checks those by hand).
    @Test("forEachEvent(ofTypes:through:) gives SQLite's events: the types asked for, in seq order, bounded by a seq", arguments: [0, 1_001, 2_500])
    func eventsOfTypes(count: Int) async throws {
        let all = (0..<count).map { Self.inclusion(Self.name($0)) } + [notice("N-only")]
        let (sqlite, dir) = try PgEngineParityTests.sqliteDemo(all)
        defer { try? FileManager.default.removeItem(at: dir) }
        let asked: [(Set<EventType>, Int64?)] = [([.inclusionDecided], nil), ([.inclusionDecided, .riskNoticeIssued], Int64(count / 2)),
                                                 ([.riskNoticeIssued, .recordAnnulled], Int64(count + 1))]
        @Sendable func key(_ recorded: RecordedEvent) -> String { "\(recorded.seq) \(recorded.event.type.rawValue) \(recorded.event.entry ?? "")" }
        let expected = try asked.map { types, lastSeq in
            var found: [String] = []
            try sqlite.forEachEvent(ofTypes: types, through: lastSeq) { found.append(key($0)) }
            return found
        }
        let url = try await freshDatabase("streamed_types_\(count)")
        try await PostgresLedger.withLedger(url: url, clock: { Self.now }) { ledger in
            let log = try await ledger.createLog(court: "court:baisha", profile: PolicyProfile.named("baisha-2018")!)
            for start in stride(from: 0, to: all.count, by: 1_000) {
                _ = try await ledger.submit(Array(all[start..<min(start + 1_000, all.count)]), to: log)
            }
            let storage = PostgresStorage(database: ledger, log: log)
            for ((types, lastSeq), expected) in zip(asked, expected) {
                let streamed = Collected<String>()
                try await storage.forEachEvent(ofTypes: types, through: lastSeq) { streamed.append(key($0)) }
                #expect(streamed.items == expected, "\(types) through \(lastSeq.map(String.init) ?? "the head")")
            }
            #expect(try await storage.events(ofTypes: [.inclusionDecided]).count == count)
        }
    }

    @Test("chunk boundaries: 0, 1, 999, 1,000, 1,001 and 2,500 entries and obligations, each once and in order; one entry by its key",
          arguments: [0, 1, 999, 1_000, 1_001, 2_500])
    func chunkBoundaries(count: Int) async throws {
        let url = try await freshDatabase("streamed_\(count)")
        try await PostgresLedger.withLedger(url: url, clock: { Self.now }) { ledger in
            let log = try await ledger.createLog(court: "court:baisha", profile: PolicyProfile.named("baisha-2018")!)
            let all = (0..<count).map { Self.inclusion(Self.name($0)) } + [notice("N-only")]
            for start in stride(from: 0, to: all.count, by: 1_000) {
                _ = try await ledger.submit(Array(all[start..<min(start + 1_000, all.count)]), to: log)
            }
            _ = try await ledger.catchUpObligations(of: log)
            let storage = PostgresStorage(database: ledger, log: log)

            let states = Collected<String>()
            try await storage.forEachEntryState(StateQuery()) { states.append($0.entry) }
            #expect(states.items == (0..<count).map(Self.name) + ["N-only"])

            let obligations = Collected<String>()
            try await storage.forEachObligation(ObligationQuery(asOf: Self.asOf)) { obligation, status in
                #expect(status == .breached && obligation.rule == "R1" && obligation.obligor == "court:baisha")
                obligations.append(obligation.entry)
            }
            #expect(obligations.items == (0..<count).map(Self.name))

            var breached = ObligationQuery(asOf: Self.asOf)
            breached.statuses = [.breached]
            breached.obligor = "court:baisha"
            #expect(try await storage.obligations(breached).count == count)
            var met = ObligationQuery(asOf: Self.asOf)
            met.statuses = [.met]
            #expect(try await storage.obligations(met).isEmpty)
            if count > 0 {
                var one = ObligationQuery(asOf: Self.asOf)
                one.entry = Self.name(count - 1)
                #expect(try await storage.obligations(one).map(\.0.entry) == [Self.name(count - 1)])
                #expect(try await storage.entryStates(StateQuery(entry: Self.name(count / 2))).map(\.entry) == [Self.name(count / 2)])
            }
            #expect(try await storage.entryStates(StateQuery(entry: "absent")).isEmpty)
            // A replay (state --as-of) reads entry by entry through the cursor: after every
            // fact it gives the projection's states, across the chunk boundaries too.
            let projected = try await storage.entryStates(StateQuery())
            #expect(try await storage.entryStates(StateQuery(asOf: instant("2030-01-01T00:00:00+08:00"))) == projected)

            // The projector lagging: entries appended after its position are derived in memory
            // and merged into the table's rows in entry order ("D…" first, "E…5" in between).
            guard count == 2_500 else { return }
            _ = try await ledger.submit([Self.inclusion("D-tail"), Self.inclusion("E01234-tail")], to: log)
            let merged = try await storage.obligations(ObligationQuery(asOf: Self.asOf)).map(\.0.entry)
            #expect(merged == ["D-tail"] + (0...1_234).map(Self.name) + ["E01234-tail"] + (1_235..<2_500).map(Self.name))
        }
    }

    @Test("a replay (state --as-of/--known-at) reads entry by entry: interleaved entries, two ids differing only in normalisation and an annulment give the projection's states, in byte order")
    func replayEntryByEntry() async throws {
        let url = try await freshDatabase("streamed_replay")
        try await PostgresLedger.withLedger(url: url, clock: { Self.now }) { ledger in
            let log = try await ledger.createLog(court: "court:baisha", profile: PolicyProfile.named("baisha-2018")!)
            let composed = "\u{e9}", decomposed = "e\u{301}"  // "é" twice: two entries, as PostgreSQL keeps them
            func line(_ type: String, _ entry: String, _ at: String, _ extra: String = "") -> Event {
                let debtor = #","court":"court:baisha","case":"(2024)琼9030执1号","debtor":{"kind":"person","name":"测试甲","id_number":"460030198001010105"}"#
                let fields = type == "record_annulled" ? extra : debtor + extra
                return try! Event.decode(jsonLine: Array(#"{"type":"\#(type)","entry":"\#(entry)","at":"\#(at)","actor":"court:baisha"\#(fields)}"#.utf8))
            }
            let notice = "2024-03-01T09:00:00+08:00", included = "2024-03-05T10:00:00+08:00"
            let inclusion = #","grounds":["evasion"],"public":true"#
            // Seq order interleaves the entries; B's inclusion (seq 5) is annulled (seq 7).
            let events = [line("risk_notice_issued", "B", notice), line("risk_notice_issued", composed, notice),
                          line("inclusion_decided", "A", included, inclusion), line("risk_notice_issued", decomposed, notice),
                          line("inclusion_decided", "B", included, inclusion), line("inclusion_decided", composed, included, inclusion),
                          line("record_annulled", "B", "2024-03-06T10:00:00+08:00", #","annuls":5,"reason":"误录""#)]
            _ = try await ledger.submit(events, to: log)
            let storage = PostgresStorage(database: ledger, log: log)
            let projected = try await storage.entryStates(StateQuery())
            let replayed = try await storage.entryStates(StateQuery(asOf: instant("2030-01-01T00:00:00+08:00")))
            #expect(replayed.map { Array($0.entry.utf8) } == ["A", "B", decomposed, composed].map { Array($0.utf8) })
            #expect(replayed == projected)
            #expect(replayed.first { $0.entry == "B" }?.status != replayed.first { $0.entry == "A" }?.status)
            // After the notices, before any inclusion: A (an inclusion only) has no state yet.
            let early = try await storage.entryStates(StateQuery(asOf: instant("2024-03-02T00:00:00+08:00")))
            #expect(early.map { Array($0.entry.utf8) } == ["B", decomposed, composed].map { Array($0.utf8) })
            // One entry's replay (`--entry`, the same cursor in one snapshot): its state alone,
            // the twin that differs only in normalisation not matched.
            for state in projected {
                let one = try await storage.entryStates(StateQuery(entry: state.entry, asOf: instant("2030-01-01T00:00:00+08:00")))
                #expect(one == [state], "\(state.entry.unicodeScalars.map(\.value))")
            }
            #expect(try await storage.entryStates(StateQuery(entry: "A", asOf: instant("2024-03-02T00:00:00+08:00"))).isEmpty)
        }
    }

    @Test("one snapshot: entries and obligations appended by another process while a streamed read runs do not appear in it")
    func oneSnapshot() async throws {
        let url = try await freshDatabase("streamed_snapshot")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ll-pg-streamed-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let late = dir.appendingPathComponent("late.jsonl")
        try [PgServerEngineTests.inclusion("A-late", name: "测试乙", id: "460030198001010113"),
             PgServerEngineTests.inclusion("F-late", name: "测试丙", id: "460030198001010121")].joined(separator: "\n")
            .write(to: late, atomically: true, encoding: .utf8)
        let binary = try listledgerBinary()
        try await PostgresLedger.withLedger(url: url, clock: { Self.now }) { ledger in
            let log = try await ledger.createLog(court: "court:baisha", profile: PolicyProfile.named("baisha-2018")!)
            for start in stride(from: 0, to: 2_500, by: 1_000) {
                _ = try await ledger.submit((start..<min(start + 1_000, 2_500)).map { Self.inclusion(Self.name($0)) }, to: log)
            }
            _ = try await ledger.catchUpObligations(of: log)
            let storage = PostgresStorage(database: ledger, log: log)
            // A separate process appends in the middle of the read (after its first chunks).
            @Sendable func appendDuring(_ seen: Int) throws {
                guard seen == 1_500 else { return }
                let result = try runProgram(binary, ["append", late.path, "--db", url.description])
                #expect(result.status == 0, "\(result)")
            }
            let states = Collected<String>()
            try await storage.forEachEntryState(StateQuery()) { state in
                states.append(state.entry)
                try appendDuring(states.items.count)
            }
            #expect(states.items == (0..<2_500).map(Self.name))
            #expect(try await storage.entryStates(StateQuery()).count == 2_502)

            let obligations = Collected<String>()
            try await storage.forEachObligation(ObligationQuery(asOf: Self.asOf)) { obligation, _ in
                obligations.append(obligation.entry)
                if obligations.items.count == 1_500 {
                    // Two more inclusions, by another process, while the cursor is open.
                    let more = dir.appendingPathComponent("more.jsonl")
                    try? [PgServerEngineTests.inclusion("A-later", name: "测试丁", id: "460030198001010148"),
                          PgServerEngineTests.inclusion("F-later", name: "测试戊", id: "460030198001010156")].joined(separator: "\n")
                        .write(to: more, atomically: true, encoding: .utf8)
                    let result = try runProgram(binary, ["append", more.path, "--db", url.description])
                    #expect(result.status == 0, "\(result)")
                }
            }
            #expect(obligations.items == ["A-late"] + (0..<2_500).map(Self.name) + ["F-late"])
            #expect(try await storage.obligations(ObligationQuery(asOf: Self.asOf)).count == 2_504)
        }
    }
}
