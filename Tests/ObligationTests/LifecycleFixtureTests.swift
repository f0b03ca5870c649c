import Foundation
import TestSupport
import LedgerCalendar
import LedgerDomain
import LedgerStore
import Testing

/// The hand-worked lifecycle fixtures of Fixtures/scenarios/lifecycles: each is appended to a
/// real SQLite ledger one event at a time, and after every event the projection's obligations
/// must equal a fresh derivation from the events so far; at the end, every obligation must be
/// the one worked out by hand (due day, status, met_at) at the fixture's as-of date.
struct LifecycleFixtureTests {
    static let fixtures: [String] = {
        let folder = repositoryRoot.appendingPathComponent("Fixtures/scenarios/lifecycles")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".expected.json") }.map { String($0.dropLast(".expected.json".count)) }.sorted()
    }()

    @Test func thereAreFixturesForBothProfilesAndEveryRuleAndStatus() throws {
        #expect(Self.fixtures.count >= 10)
        var profiles: Set<String> = [], rules: Set<String> = [], statuses: Set<String> = []
        for name in Self.fixtures {
            let expected = try Expected.load(name)
            profiles.insert(expected.profile)
            for obligation in expected.obligations {
                rules.insert(obligation.rule)
                statuses.insert(obligation.status)
            }
        }
        #expect(profiles == ["baisha-2018", "spc-2017"])
        #expect(rules == Set((1...7).map { "R\($0)" }))
        #expect(statuses == ["open", "met", "late", "breached", "closed"])
    }

    @Test("hand-worked obligations", arguments: fixtures)
    func fixtureMatchesHandWorkedObligations(name: String) throws {
        let expected = try Expected.load(name)
        let events = try Self.events(name)
        let ledger = try TemporaryLedger(profile: expected.profile)
        let engine = try ledger.ledger.obligationEngine()
        var appended: [RecordedEvent] = []
        for (index, event) in events.enumerated() {
            _ = try ledger.ledger.append([NumberedEvent(line: index + 1, event: event)], clock: now)
            appended = try allEvents(ledger.ledger)
            // The projection kept by append equals a derivation from the log so far.
            let derived = Dictionary(grouping: appended.filter { $0.event.entry != nil }, by: { $0.event.entry! })
                .values.flatMap { engine.obligations(of: $0) }.sorted { $0.id < $1.id }
            let stored = try ledger.ledger.storedObligations().sorted { $0.id < $1.id }
            #expect(stored == derived, "after event \(index + 1) of \(name)")
        }

        var query = ObligationQuery(asOf: Instant.endOfBeijingDay(BeijingDay(iso: expected.asOf)!))
        query.statuses = nil
        let got = Dictionary(uniqueKeysWithValues: try ledger.ledger.obligations(query).map { ($0.0.id, $0) })
        #expect(Set(got.keys) == Set(expected.obligations.map(\.id)), "\(name): obligation ids")
        for want in expected.obligations {
            guard let (obligation, status) = got[want.id] else { continue }
            #expect(obligation.rule == want.rule, "\(want.id)")
            if let duty = want.duty { #expect(obligation.duty == duty, "\(want.id)") }
            #expect(obligation.entry == want.entry, "\(want.id)")
            #expect(obligation.obligor == want.obligor, "\(want.id)")
            #expect(obligation.triggerAt.description == want.triggerAt, "\(want.id)")
            #expect(obligation.due?.description == want.due, "\(want.id): \(want.derivation)")
            #expect(status.rawValue == want.status, "\(want.id): \(want.derivation)")
            let metAt = obligation.metAt.flatMap { $0 <= query.asOf ? $0.description : nil }
            #expect(metAt == want.metAt, "\(want.id)")
        }
    }

    static func events(_ name: String) throws -> [Event] {
        let url = repositoryRoot.appendingPathComponent("Fixtures/scenarios/lifecycles/\(name).jsonl")
        return try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map { line in
            try Event.decode(jsonLine: Array(line.utf8))
        }
    }
}

func allEvents(_ ledger: Ledger) throws -> [RecordedEvent] {
    var events: [RecordedEvent] = []
    try ledger.forEachEvent { events.append($0) }
    return events
}

/// One expected-obligations file.
struct Expected: Decodable {
    var profile: String
    var asOf: String
    var obligations: [Item]

    struct Item: Decodable {
        var id, rule, entry, obligor, status, derivation: String
        var triggerAt: String
        var due: String?
        var metAt: String?
        /// SPEC §5's `duty`; checked when the fixture names it.
        var duty: String?
        enum CodingKeys: String, CodingKey {
            case id, rule, entry, obligor, status, derivation, due, duty
            case triggerAt = "trigger_at", metAt = "met_at"
        }
    }

    enum CodingKeys: String, CodingKey { case profile, obligations, asOf = "as_of" }

    static func load(_ name: String) throws -> Expected {
        let url = repositoryRoot.appendingPathComponent("Fixtures/scenarios/lifecycles/\(name).expected.json")
        return try JSONDecoder().decode(Expected.self, from: Data(contentsOf: url))
    }
}

/// Status filters are answered in SQL (over a partial index of unmet obligations): for every
/// fixture and status, the filtered answer equals the full list filtered here.
struct StatusFilterTests {
    @Test("filtered queries equal the filtered full list", arguments: LifecycleFixtureTests.fixtures)
    func filtersAgree(name: String) throws {
        let expected = try Expected.load(name)
        let store = try TemporaryLedger(profile: expected.profile)
        _ = try store.ledger.append(try LifecycleFixtureTests.events(name).enumerated().map { NumberedEvent(line: $0 + 1, event: $1) }, clock: now)
        // A day after every fact, so the projection answers (no replay).
        for day in ["2026-11-21", "2026-11-25"] {
            let asOf = Instant.endOfBeijingDay(BeijingDay(iso: day)!)
            let all = try store.ledger.obligations(ObligationQuery(asOf: asOf))
            for status in ObligationStatus.allCases {
                var query = ObligationQuery(asOf: asOf)
                query.statuses = [status]
                let filtered = try store.ledger.obligations(query).map(\.0.id).sorted()
                #expect(filtered == all.filter { $0.1 == status }.map(\.0.id).sorted(), "\(name) \(status) at \(day)")
            }
            var pair = ObligationQuery(asOf: asOf)
            pair.statuses = [.breached, .open]
            #expect(try store.ledger.obligations(pair).map(\.0.id).sorted() == all.filter { $0.1 == .breached || $0.1 == .open }.map(\.0.id).sorted())
        }
    }
}
