import Foundation
import LedgerCrypto
import LedgerDomain
import LedgerStore
import TestSupport
import Testing

/// `Ledger.appendStreamed` (issue 8): one transaction, planned and written a chunk at a time,
/// must leave every table as one `append` of the same events does, and nothing when refused.
struct StreamedAppendTests {
    static let fixed = clock("2026-12-01T00:00:00Z")
    static let seeded: @Sendable (Int64, String) -> [UInt8] = { seq, path in SHA256.hash(Array("salt/\(seq)/\(path)".utf8)) }

    /// A new ledger whose salts come from a seeded source (salts are random, SPEC §7; the tests
    /// compare two ledgers' bytes).
    func seededLedger(_ temp: TempLedger) throws -> Ledger {
        let ledger = try temp.create()
        ledger.saltSource = Self.seeded
        return ledger
    }

    /// Every row of every table, each table in the order of all its columns.
    func dump(_ ledger: Ledger) throws -> [String: [[SQLValue]]] {
        var tables: [String] = []
        let names = try ledger.connection.statement("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        while try names.step() { tables.append(names.text(0) ?? "") }
        var out: [String: [[SQLValue]]] = [:]
        for table in tables {
            let columns = Int(try ledger.connection.scalarInt("SELECT count(*) FROM pragma_table_info('\(table)')") ?? 0)
            let statement = try ledger.connection.statement("SELECT * FROM \(table) ORDER BY \((1...columns).map(String.init).joined(separator: ", "))")
            var rows: [[SQLValue]] = []
            while try statement.step() { rows.append(statement.values(count: Int32(columns))) }
            out[table] = rows
        }
        return out
    }

    /// The events in chunks of `size`, as `appendStreamed` reads them; counts the chunks given.
    typealias Chunks = ChunkFeeder<NumberedEvent>

    /// The demo (375 events, complaints received and resolved in different chunks of 7), with
    /// before and after it: an id given twice with the same content in two chunks (a duplicate),
    /// an annulment of an event of an earlier chunk, and the demo's first 10 lines again (no
    /// ids: repeats of events stored by earlier chunks of the same transaction).
    static func mixedLines() throws -> [String] {
        let demo = try String(contentsOf: repositoryRoot.appendingPathComponent("Fixtures/scenarios/baisha-demo.jsonl"), encoding: .utf8)
            .split(separator: "\n").map(String.init).filter { !$0.isEmpty }
        return [notice("AN", id: "an-1"), inclusion("AN"), notice("S1", id: "s-1")] + demo
            + [simple("record_annulled", "AN", at: "2024-03-06T10:00:00+08:00", extra: #","annuls":3,"reason":"误录""#),
               notice("AN", id: "an-1"), notice("S1", id: "s-1")]
            + demo.prefix(10)
            + [notice("S2", id: "s-2"), inclusion("S2")]
    }

    @Test("a one-transaction append in chunks of 7 leaves every table byte for byte as one batch of the same lines")
    func chunkedEqualsOneBatch() throws {
        let lines = try Self.mixedLines()
        let all = try events(lines)
        let streamedTemp = try TempLedger(), batchTemp = try TempLedger()
        defer { streamedTemp.remove(); batchTemp.remove() }
        let streamed = try seededLedger(streamedTemp), batch = try seededLedger(batchTemp)
        // Both start from the same stored event, so the first chunk already plans against the log.
        for ledger in [streamed, batch] { _ = try ledger.append(try events([notice("PRE", id: "pre")]), clock: { Self.fixed }) }

        let chunks = Chunks(all, size: 7)
        var outcomes: [AppendOutcome] = []
        let range = try streamed.appendStreamed(clock: { Self.fixed }, next: chunks.next, planned: { _, chunk in outcomes += chunk })
        let expected = try batch.append(all, clock: { Self.fixed })
        #expect(chunks.given == (all.count + 6) / 7 && chunks.given > 50)
        #expect(outcomes == expected)
        let appended = expected.filter { if case .appended = $0 { true } else { false } }.count
        #expect(range.startSize == 1 && range.endSize == 1 + Int64(appended))
        // Duplicates across chunks: lines 380 and 381 give ids again (seqs 2 and 4), lines
        // 382–391 repeat the demo's first lines (seqs 5–14).
        #expect(expected.count - appended == 12)
        #expect(Array(outcomes[379...390]) == [.duplicate(seq: 2), .duplicate(seq: 4)] + (5...14).map { .duplicate(seq: $0) })

        for ledger in [streamed, batch] { try ledger.catchUpObligations() }
        let streamedTables = try dump(streamed), batchTables = try dump(batch)
        #expect(streamedTables.keys.sorted() == batchTables.keys.sorted())
        for table in batchTables.keys.sorted() {
            #expect(streamedTables[table] == batchTables[table], "\(table)")
        }
        // Not vacuous: the tables that the chunks write hold rows.
        for table in ["events", "entries", "complaints", "personal_data", "tiles", "tile_edge", "obligations"] {
            #expect(batchTables[table]?.isEmpty == false, "\(table)")
        }
        #expect(try streamed.verify().ok)
    }

    @Test("a refusal in the last chunk writes nothing: every table as before, the error names the line")
    func refusalInLastChunk() throws {
        let temp = try TempLedger()
        defer { temp.remove() }
        let ledger = try seededLedger(temp)
        _ = try ledger.append(try events([notice("PRE", id: "pre"), inclusion("PRE")]), clock: { Self.fixed })
        let before = try dump(ledger)
        let head = try ledger.head()
        let lines = (1...48).map { notice("R\($0)", id: "r-\($0)") } + [notice("PRE", id: "pre"), simple("decision_served", "NOBODY", at: "2024-03-06T10:00:00+08:00")]
        let chunks = Chunks(try events(lines), size: 7)
        var planned = 0
        do {
            _ = try ledger.appendStreamed(clock: { Self.fixed }, next: chunks.next, planned: { _, outcomes in planned += outcomes.count })
            Issue.record("the refused line was accepted")
        } catch let error as LedgerError {
            guard case .input(let input) = error else { Issue.record("not an input refusal: \(error)"); return }
            #expect(input.line == 50)
        }
        // Seven chunks (49 events) were planned and written in the transaction before the refusal.
        #expect(chunks.given == 8 && planned == 49)
        #expect(try ledger.head() == head)
        #expect(try dump(ledger) == before)
        #expect(try ledger.verify().ok)
        // The ledger still appends after the rollback.
        let after = try ledger.appendStreamed(clock: { Self.fixed }, next: Chunks(try events(Array(lines.dropLast())), size: 7).next, planned: { _, _ in })
        #expect(after.startSize == 2 && after.endSize == 50)
    }

    @Test("an id given again in a later chunk: the same content is a duplicate of the earlier seq, other content is refused naming the line, as in one batch")
    func idsAcrossChunks() throws {
        let reused = [notice("D1", id: "d"), notice("D2"), notice("D3"), notice("D1", id: "d")]
        let conflicting = [notice("D1", id: "d"), notice("D2"), notice("D3"), notice("D9", id: "d")]
        for (lines, refusedLine) in [(reused, nil), (conflicting, 4)] as [([String], Int?)] {
            let streamedTemp = try TempLedger(), batchTemp = try TempLedger()
            defer { streamedTemp.remove(); batchTemp.remove() }
            let streamed = try seededLedger(streamedTemp), batch = try seededLedger(batchTemp)
            let batchResult = Result { try batch.append(try events(lines), clock: { Self.fixed }) }
            var outcomes: [AppendOutcome] = []
            let streamedResult = Result { () throws -> [AppendOutcome] in
                _ = try streamed.appendStreamed(clock: { Self.fixed }, next: Chunks(try events(lines), size: 2).next, planned: { _, chunk in outcomes += chunk })
                return outcomes
            }
            switch (streamedResult, batchResult) {
            case (.success(let got), .success(let want)):
                #expect(refusedLine == nil)
                #expect(got == want && got.last == .duplicate(seq: 1))
            case (.failure(let got), .failure(let want)):
                #expect("\(got)" == "\(want)")
                guard case .input(let input) = got as? LedgerError else { Issue.record("\(got)"); continue }
                #expect(input.line == refusedLine && input.field == "id")
                #expect(try streamed.head().size == 0)
            default:
                Issue.record("streamed \(streamedResult), one batch \(batchResult)")
            }
            #expect(try dump(streamed) == dump(batch))
        }
    }

    /// The obligation F1/R4/3 (pay after the discharge of seq 3) is breached from 2018-09-14.
    static let flagLines: [String] = {
        let debtor = #""court":"court:baisha","case":"(2018)琼9025执1号","debtor":{"kind":"person","name":"某甲","id_number":"460025198001010016"}"#
        return [
            simple("risk_notice_issued", "F1", at: "2018-08-27T10:00:00+08:00", extra: "," + debtor),
            simple("inclusion_decided", "F1", at: "2018-09-03T10:00:00+08:00", extra: "," + debtor + #","grounds":["able_but_refuses"],"public":true"#),
            simple("obligation_discharged", "F1", at: "2018-09-10T10:00:00+08:00", extra: #","basis":"full_performance""#),
            simple("breach_flagged", "F1", at: "2018-09-14T10:00:00+08:00", actor: "system:alerts", extra: #","obligation":"F1/R4/3""#),
            simple("record_annulled", "F1", at: "2018-09-14T11:00:00+08:00", extra: #","annuls":4,"reason":"误录""#),
            simple("breach_flagged", "F1", at: "2018-09-15T10:00:00+08:00", actor: "system:alerts", extra: #","obligation":"F1/R4/3""#),
        ]
    }()

    @Test("a flag, its annulment and a new flag of the same obligation: accepted and stored alike wherever the chunks end", arguments: 1...6)
    func flagAnnulledAndFlaggedAgain(chunkSize: Int) throws {
        let streamedTemp = try TempLedger(), batchTemp = try TempLedger()
        defer { streamedTemp.remove(); batchTemp.remove() }
        let streamed = try seededLedger(streamedTemp), batch = try seededLedger(batchTemp)
        let expected = try batch.append(try events(Self.flagLines), clock: { Self.fixed })
        #expect(expected == (1...6).map { .appended(seq: $0) })
        var outcomes: [AppendOutcome] = []
        // Chunks of 4: the annulment (chunk 2) clears the flag stored by chunk 1, and the new
        // flag after it in chunk 2 was refused as "already flagged" (the stored row still there)
        // until the planner remembered the flags it annulled (`unflagged`); chunks of 2 too.
        _ = try streamed.appendStreamed(clock: { Self.fixed }, next: Chunks(try events(Self.flagLines), size: chunkSize).next,
                                        planned: { _, chunk in outcomes += chunk })
        #expect(outcomes == expected)
        #expect(try streamed.connection.scalarInt("SELECT flagged_seq FROM flags WHERE obligation = 'F1/R4/3'") == 6)
        #expect(try dump(streamed) == dump(batch))
    }
}
