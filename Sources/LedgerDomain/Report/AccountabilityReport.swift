package import LedgerCalendar

/// 责任追究: who met, missed or was late on which duty in a period, wrongful inclusions per
/// court, and complaints received and answered. Pure: built from obligations and events.
package struct AccountabilityReport: Sendable {
    package var from: BeijingDay
    package var to: BeijingDay
    /// The instant statuses are judged at (the end of `to`, or now if that is earlier).
    package var asOf: Instant
    package var profile: String
    package var calendars: [String]
    package var parties: [Party]
    package var wrongfulInclusions: [WrongfulInclusion]
    /// R9: entries decided not public (`public: false`) that were published anyway.
    package var wrongfulPublications: [WrongfulPublication]
    package var complaints: [ComplaintTally]
    /// Complaints per party complained of (`concerns`), with those answered without the
    /// complainant being told (`complainant_told` missing).
    package var complaintsConcerning: [ConcernTally]

    /// One duty as the renderers show it: the fields they print (and the day the server's chart
    /// counts it on), not the whole `Obligation` — a report holds one line per duty of the
    /// period (issue 8, memory). The entry is the id's prefix (`ENTRY/RULE/…`), not a second
    /// copy, when the id starts with it; rule, duty and calendar are shared between lines.
    package struct Line: Sendable {
        package var id: String
        package var rule: String
        package var duty: String
        package var due: BeijingDay?
        /// The due day, or for R1 (no due day) the trigger day: the day the line falls on.
        package var day: BeijingDay
        package var calendarVersion: String
        package var status: ObligationStatus
        package var daysLate: Int?
        /// nil when the entry is the id's first bytes up to `entryBytes`.
        private var entryIfNotInID: String?
        private var entryBytes: Int32

        package var entry: String {
            entryIfNotInID ?? String(decoding: id.utf8.prefix(Int(entryBytes)), as: UTF8.self)
        }

        init(_ obligation: Obligation, status: ObligationStatus, asOf: Instant, shared: inout [String: String]) {
            func interned(_ text: String) -> String {
                if let known = shared[text] { return known }
                shared[text] = text
                return text
            }
            id = obligation.id
            rule = interned(obligation.rule)
            duty = interned(obligation.duty)
            due = obligation.due
            day = obligation.due ?? obligation.triggerAt.beijingDay
            calendarVersion = interned(obligation.calendarVersion)
            self.status = status
            daysLate = obligation.daysLate(asOf: asOf)
            let entry = obligation.entry.utf8
            if id.utf8.starts(with: entry), entry.count <= Int(Int32.max) {
                entryIfNotInID = nil
                entryBytes = Int32(entry.count)
            } else {
                entryIfNotInID = obligation.entry
                entryBytes = 0
            }
        }
    }

    /// One obligor (court or unit) with its duties falling due in the period.
    package struct Party: Sendable {
        package var obligor: String
        package var lines: [Line]
        package func count(_ status: ObligationStatus) -> Int { lines.filter { $0.status == status }.count }
        package var rules: [String] { Array(Set(lines.map(\.rule))).sorted() }
        package func lines(rule: String) -> [Line] { lines.filter { $0.rule == rule } }
    }

    package struct WrongfulInclusion: Sendable {
        package var court: String
        package var entry: String
        package var reason: String
        package var revokedAt: Instant
    }

    package struct WrongfulPublication: Sendable {
        package var court: String
        package var entry: String
        package var publishedAt: Instant
    }

    package struct ConcernTally: Sendable {
        package var party: String
        package var received: Int
        package var answered: Int
        package var answeredUntold: Int
    }

    package struct ComplaintTally: Sendable {
        package var party: String
        package var received: Int
        package var answered: Int
        package var open: [String]
    }

    /// The event types `init` reads beside the obligations — every type its switch names, and
    /// the annulments it skips by — so that a caller loading only these misses nothing.
    package static let inputEventTypes: Set<EventType> = [
        .riskNoticeIssued, .inclusionDecided, .entryPublished, .entryRevoked, .complaintReceived, .complaintResolved, .recordAnnulled,
    ]

    /// Whether `obligation` is one of the period's duties: its due day (for R1, its trigger
    /// day) falls in `from`…`to`, and it is not an R2 window (the debtor's right, not a duty).
    /// A caller streaming obligations keeps only these, so the report holds the period's duties,
    /// not the ledger's.
    package static func isDuty(_ obligation: Obligation, from: BeijingDay, to: BeijingDay) -> Bool {
        guard obligation.rule != "R2" else { return false }
        let day = obligation.due ?? obligation.triggerAt.beijingDay
        return day >= from && day <= to
    }

    /// Builds the report from every obligation and event at once: `Builder` fed with them (the
    /// annulments first), so that there is one definition of the rules. `obligations` come with
    /// their status at `asOf`; `events` are any events (those of `inputEventTypes` are read).
    package init(from: BeijingDay, to: BeijingDay, asOf: Instant, profile: String,
                 obligations: [(Obligation, ObligationStatus)], events: [RecordedEvent]) {
        var builder = Builder(from: from, to: to, asOf: asOf, profile: profile)
        for (obligation, status) in obligations { builder.add(obligation, status) }
        for recorded in events { builder.annul(recorded) }
        for recorded in events { builder.add(recorded) }
        self = builder.finish()
    }

    /// The report built piece by piece as a streamed read gives its inputs (issue 8, memory):
    /// it holds the period's duties (one compact `Line` each), a court per entry that has one,
    /// the non-public entries, the annulled seqs and the period's complaints — never the events.
    ///
    /// Order of feeding: obligations (`add(_:_:)`) at any time; every `record_annulled` event
    /// (`annul`) before the events it may annul are added (`add(_:)`), since an annulment is
    /// recorded after what it annuls; the other events in seq order (the lists keep it).
    package struct Builder: Sendable {
        package let from: BeijingDay
        package let to: BeijingDay
        package let asOf: Instant
        package let profile: String

        // Keys compare as bytes (IDKey), as the ledger tells ids apart: two ids that differ only
        // in Unicode normalisation are two entries, two complaints, two parties here too.
        private var byObligor: [IDKey: [Line]] = [:]
        private var calendars: Set<String> = []
        /// Rule, duty and calendar strings shared by the lines (a few distinct values).
        private var shared: [String: String] = [:]
        /// The court of each entry (its first inclusion or risk notice), as an index into
        /// `courtNames`: one small integer per entry, not a copy of the court's name.
        private var courts: [EntryKey: Int32] = [:]
        private var courtNames: [String] = []
        private var courtIndex: [IDKey: Int32] = [:]
        private var notPublic: Set<EntryKey> = []
        /// Annulled events (record_annulled) count as never recorded.
        private var annulled: Set<Int64> = []
        private var wrongful: [WrongfulInclusion] = []
        private var publications: [WrongfulPublication] = []
        private var received: [IDKey: (party: String, resolved: Bool)] = [:]
        private var order: [IDKey] = []
        private var concerns: [IDKey: (party: String, resolved: Bool, told: Bool)] = [:]

        package init(from: BeijingDay, to: BeijingDay, asOf: Instant, profile: String) {
            self.from = from
            self.to = to
            self.asOf = asOf
            self.profile = profile
        }

        private func inPeriod(_ day: BeijingDay) -> Bool { day >= from && day <= to }

        /// One obligation with its status at `asOf`: kept (as a `Line`) only when it is one of
        /// the period's duties (`isDuty`) — the one place that test is applied.
        package mutating func add(_ obligation: Obligation, _ status: ObligationStatus) {
            guard AccountabilityReport.isDuty(obligation, from: from, to: to) else { return }
            let line = Line(obligation, status: status, asOf: asOf, shared: &shared)
            calendars.insert(line.calendarVersion)
            byObligor[IDKey(obligation.obligor), default: []].append(line)
        }

        /// Notes the seq a `record_annulled` event annuls (whenever it was recorded: an
        /// annulment after `asOf` still annuls); any other event is ignored here.
        package mutating func annul(_ recorded: RecordedEvent) {
            if case .recordAnnulled(let seq, _) = recorded.event.body { annulled.insert(seq) }
        }

        private mutating func court(_ name: String) -> Int32 {
            if let known = courtIndex[IDKey(name)] { return known }
            let index = Int32(courtNames.count)
            courtNames.append(name)
            courtIndex[IDKey(name)] = index
            return index
        }

        private func court(of entry: EntryKey) -> String? { courts[entry].map { courtNames[Int($0)] } }

        /// One event, in seq order, after every annulment (`annul`); events after `asOf` and
        /// annulled ones count as never recorded.
        package mutating func add(_ recorded: RecordedEvent) {
            guard recorded.event.at <= asOf, !annulled.contains(recorded.seq) else { return }
            let event = recorded.event
            switch event.body {
            case let .inclusionDecided(court, _, _, _, isPublic, _):
                if let entry = event.entry.map({ EntryKey($0) }) {
                    if courts[entry] == nil { courts[entry] = self.court(court) }
                    if !isPublic { notPublic.insert(entry) }
                }
            case .entryPublished:
                if let entry = event.entry.map({ EntryKey($0) }), notPublic.contains(entry), inPeriod(event.at.beijingDay) {
                    publications.append(WrongfulPublication(court: court(of: entry) ?? event.actor, entry: entry.id, publishedAt: event.at))
                }
            case .riskNoticeIssued(let court, _, _):
                if let entry = event.entry.map({ EntryKey($0) }), courts[entry] == nil { courts[entry] = self.court(court) }
            case .entryRevoked(let reason) where reason == .correction || reason == .reconsideration:
                if inPeriod(event.at.beijingDay), let entry = event.entry {
                    wrongful.append(WrongfulInclusion(court: court(of: EntryKey(entry)) ?? event.actor, entry: entry, reason: reason.rawValue, revokedAt: event.at))
                }
            case .complaintReceived(let complaint, let concerning):
                if inPeriod(event.at.beijingDay) {
                    let id = IDKey(complaint)
                    received[id] = (event.actor, false)
                    order.append(id)
                    if let concerning { concerns[id] = (concerning, false, false) }
                }
            case .complaintResolved(let complaint, _, let told):
                // Counted whenever answered by `asOf`, in the period or after it.
                let id = IDKey(complaint)
                received[id]?.resolved = true
                concerns[id]?.resolved = true
                concerns[id]?.told = told != nil
            default:
                break
            }
        }

        /// The report: parties in obligor byte order, each one's lines by (due, id).
        package mutating func finish() -> AccountabilityReport {
            var byConcern: [IDKey: ConcernTally] = [:]
            for id in order {
                guard let (party, resolved, told) = concerns[id] else { continue }
                var tally = byConcern[IDKey(party)] ?? ConcernTally(party: party, received: 0, answered: 0, answeredUntold: 0)
                tally.received += 1
                if resolved { tally.answered += 1 }
                if resolved && !told { tally.answeredUntold += 1 }
                byConcern[IDKey(party)] = tally
            }
            var tallies: [IDKey: ComplaintTally] = [:]
            for id in order {
                let (party, resolved) = received[id]!
                var tally = tallies[IDKey(party)] ?? ComplaintTally(party: party, received: 0, answered: 0, open: [])
                tally.received += 1
                if resolved { tally.answered += 1 } else { tally.open.append(id.id) }
                tallies[IDKey(party)] = tally
            }
            var parties: [Party] = []
            parties.reserveCapacity(byObligor.count)
            for obligor in byObligor.keys.sorted() {
                // Taken out of the map before sorting, so that the lines are not held twice.
                var lines = byObligor.removeValue(forKey: obligor)!
                lines.sort { ($0.due?.description ?? "", $0.id) < ($1.due?.description ?? "", $1.id) }
                parties.append(Party(obligor: obligor.id, lines: lines))
            }
            return AccountabilityReport(from: from, to: to, asOf: asOf, profile: profile, calendars: calendars.sorted(), parties: parties,
                                        wrongfulInclusions: wrongful, wrongfulPublications: publications,
                                        complaints: tallies.keys.sorted().map { tallies[$0]! },
                                        complaintsConcerning: byConcern.keys.sorted().map { byConcern[$0]! })
        }
    }

    private init(from: BeijingDay, to: BeijingDay, asOf: Instant, profile: String, calendars: [String], parties: [Party],
                 wrongfulInclusions: [WrongfulInclusion], wrongfulPublications: [WrongfulPublication],
                 complaints: [ComplaintTally], complaintsConcerning: [ConcernTally]) {
        self.from = from
        self.to = to
        self.asOf = asOf
        self.profile = profile
        self.calendars = calendars
        self.parties = parties
        self.wrongfulInclusions = wrongfulInclusions
        self.wrongfulPublications = wrongfulPublications
        self.complaints = complaints
        self.complaintsConcerning = complaintsConcerning
    }
}
