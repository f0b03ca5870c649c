import Foundation
import LedgerCalendar
import LedgerDomain
import LedgerStorage
import LedgerStore
import Testing
import TestSupport

/// `obligations --as-of` in the past on SQLite (issue 8): when a fact takes effect after the
/// instant, the obligations are derived entry by entry and sorted through a `SortedSpool`.
/// The reference is another code path: the projection of a ledger holding only the facts
/// effective by that instant (its rows, ordered by SQL), which needs no replay.
@Suite struct PastObligationsTests {
    typealias Fixture = PastObligationsFixture
    static let now = clock(Fixture.now)
    static let asOf = clock(Fixture.asOf)

    static func ledger(_ lines: [String]) throws -> (TempLedger, Ledger) {
        let temp = try TempLedger()
        let ledger = try temp.create()
        _ = try ledger.append(try events(lines), clock: { now })
        try ledger.catchUpObligations()
        return (temp, ledger)
    }

    static func queries() -> [ObligationQuery] { Fixture.queries(asOf: asOf) }

    @Test("past as-of through runs of 1, 2 (merged 2 at a time) and the standard limits: the prefix ledger's projection, in its order, without the later-annulled inclusion",
          arguments: [SortedSpool.Limits(records: 1), SortedSpool.Limits(records: 2, fanIn: 2), SortedSpool.Limits(records: 3, bytes: 600, fanIn: 3), .standard])
    func pastEqualsPrefixProjection(limits: SortedSpool.Limits) throws {
        let (fullTemp, full) = try Self.ledger(Fixture.early + Fixture.late)
        defer { fullTemp.remove() }
        let (prefixTemp, prefix) = try Self.ledger(Fixture.prefix)
        defer { prefixTemp.remove() }
        // The full ledger must replay (a fact after asOf); the prefix must not.
        #expect(try full.latestEffectiveMilliseconds()! > Self.asOf.epochMilliseconds)
        #expect(try prefix.latestEffectiveMilliseconds()! <= Self.asOf.epochMilliseconds)

        for query in Self.queries() {
            var past: [(Obligation, ObligationStatus)] = []
            try full.forEachObligation(query, spooling: limits) { past.append(($0, $1)) }
            let expected = try prefix.obligations(query)
            #expect(past.map(\.0) == expected.map(\.0))
            #expect(past.map(\.1) == expected.map(\.1))
        }

        var all: [(Obligation, ObligationStatus)] = []
        try full.forEachObligation(ObligationQuery(asOf: Self.asOf), spooling: limits) { all.append(($0, $1)) }
        // Hand-known: nothing of B (its inclusion annulled), C (noticed only; its inclusion is
        // later), D (later), A (its inclusion annulled later); R's missing notice (R1, no due
        // day: last); both é served the same day: R2 due 2024-03-18 twice, by entry bytes.
        let entries = Set(all.map { Array($0.0.entry.utf8) })
        #expect(entries == Set(Fixture.entriesAtAsOf.map { Array($0.utf8) }))
        #expect(all.last.map { [$0.0.entry, $0.0.rule] } == ["R", "R1"] && all.last?.1 == .breached)
        #expect(all.filter { $0.0.rule == "R2" && $0.0.due?.description == "2024-03-18" }.map { Array($0.0.entry.utf8) }
            == [Fixture.decomposed, Fixture.composed].map { Array($0.utf8) })
        // The canonical order: due day (unknown last), then entry and id as bytes.
        let keys = all.map { (day: $0.0.due?.dayNumber ?? Int.max, entry: Array($0.0.entry.utf8), id: Array($0.0.id.utf8)) }
        for (a, b) in zip(keys, keys.dropFirst()) {
            #expect(a.day < b.day || (a.day == b.day && (a.entry.lexicographicallyPrecedes(b.entry)
                || (a.entry == b.entry && a.id.lexicographicallyPrecedes(b.id)))))
        }
        #expect(Set(keys.map(\.day)).count > 2)  // several due days, so the order is tested
    }

    @Test("through the storage seam: the same obligations as the ledger's collected read")
    func throughTheSeam() async throws {
        let (temp, ledger) = try Self.ledger(Fixture.early + Fixture.late)
        defer { temp.remove() }
        let storage = try SQLiteStorage(path: temp.path, readOnly: true, clock: { Self.now })
        let seam = try await storage.obligations(ObligationQuery(asOf: Self.asOf))
        var tiny: [(Obligation, ObligationStatus)] = []
        try ledger.forEachObligation(ObligationQuery(asOf: Self.asOf), spooling: .init(records: 1)) { tiny.append(($0, $1)) }
        #expect(!seam.isEmpty && seam.map(\.0) == tiny.map(\.0))
    }
}

