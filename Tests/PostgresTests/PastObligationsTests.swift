import Foundation
import LedgerCalendar
import LedgerDomain
import LedgerPostgres
import LedgerStorage
import TestSupport
import Testing

/// `obligations --as-of` in the past on a real PostgreSQL server (issue 8): when a fact takes
/// effect after the instant, the obligations are derived entry by entry through the cursor
/// and sorted through a `SortedSpool`. The reference is another code path: the projection of
/// a log holding only the facts effective by that instant (rows ordered by the server).
@Suite("PostgreSQL: past obligations through the spool", .enabled(if: serverURL != nil, skipReason))
struct PgPastObligationsTests {
    typealias Fixture = PastObligationsFixture
    static let now = instant(Fixture.now)
    static let asOf = instant(Fixture.asOf)

    /// A new database with one log holding `lines`, its projector caught up; `body` reads it.
    static func withLog<T: Sendable>(_ label: String, _ lines: [String],
                                     _ body: @Sendable (PostgresLedger, PostgresLedger.Log) async throws -> T) async throws -> T {
        let url = try await freshDatabase(label)
        return try await PostgresLedger.withLedger(url: url, clock: { Self.now }) { ledger in
            let log = try await ledger.createLog(court: "court:baisha", profile: PolicyProfile.named("baisha-2018")!)
            _ = try await ledger.submit(try lines.map { try Event.decode(jsonLine: Array($0.utf8)) }, to: log)
            _ = try await ledger.catchUpObligations(of: log)
            return try await body(ledger, log)
        }
    }

    static func queries() -> [ObligationQuery] { Fixture.queries(asOf: asOf) }

    /// One obligation and its status at `asOf`, as a read gives them.
    typealias Row = (obligation: Obligation, status: ObligationStatus)

    @Test("past as-of through runs of 1, 2 (merged 2 at a time) and the standard limits: the prefix log's projection, in its order, without the later-annulled inclusion")
    func pastEqualsPrefixProjection() async throws {
        let expected: [[Row]] = try await Self.withLog("past_prefix", Fixture.prefix) { ledger, log in
            var answers: [[Row]] = []
            for query in Self.queries() { answers.append(try await ledger.obligations(of: log, query).map { ($0.0, $0.1) }) }
            return answers
        }
        #expect(!expected[0].isEmpty)
        let limits = [SortedSpool.Limits(records: 1), SortedSpool.Limits(records: 2, fanIn: 2), SortedSpool.Limits(records: 3, bytes: 600, fanIn: 3), .standard]
        let past: [[[Row]]] = try await Self.withLog("past_full", Fixture.early + Fixture.late) { ledger, log in
            var answers: [[[Row]]] = []
            for limit in limits {
                var perQuery: [[Row]] = []
                for query in Self.queries() {
                    var found: [Row] = []
                    try await ledger.forEachObligation(of: log, query, spooling: limit) { found.append(($0, $1)) }
                    perQuery.append(found)
                }
                answers.append(perQuery)
            }
            return answers
        }
        for (limit, answers) in zip(limits, past) {
            for (query, (got, want)) in zip(Self.queries(), zip(answers, expected)) {
                #expect(got.map(\.obligation) == want.map(\.obligation), "\(limit) \(query.statuses as Any) \(query.entry ?? "")")
                #expect(got.map(\.status) == want.map(\.status), "\(limit)")
            }
        }
        let all = past[0][0]
        // Hand-known, as on SQLite: the entries, R's R1 last, both é's R2 by entry bytes.
        #expect(Set(all.map { Array($0.obligation.entry.utf8) }) == Set(Fixture.entriesAtAsOf.map { Array($0.utf8) }))
        #expect(all.last.map { [$0.obligation.entry, $0.obligation.rule] } == ["R", "R1"] && all.last?.status == .breached)
        #expect(all.filter { $0.obligation.rule == "R2" && $0.obligation.due?.description == "2024-03-18" }.map { Array($0.obligation.entry.utf8) }
            == [Fixture.decomposed, Fixture.composed].map { Array($0.utf8) })
    }
}
