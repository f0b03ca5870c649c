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

    package struct Line: Sendable {
        package var obligation: Obligation
        package var status: ObligationStatus
        package var daysLate: Int?
    }

    /// One obligor (court or unit) with its duties falling due in the period.
    package struct Party: Sendable {
        package var obligor: String
        package var lines: [Line]
        package func count(_ status: ObligationStatus) -> Int { lines.filter { $0.status == status }.count }
        package var rules: [String] { Array(Set(lines.map(\.obligation.rule))).sorted() }
        package func lines(rule: String) -> [Line] { lines.filter { $0.obligation.rule == rule } }
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

    /// Builds the report. `obligations` come with their status at `asOf`; an obligation belongs
    /// to the period when its due day (for R1, its trigger day) falls in it. R2 windows are the
    /// debtor's rights, not duties: they are left out.
    package init(from: BeijingDay, to: BeijingDay, asOf: Instant, profile: String,
                 obligations: [(Obligation, ObligationStatus)], events: [RecordedEvent]) {
        self.from = from
        self.to = to
        self.asOf = asOf
        self.profile = profile
        func inPeriod(_ day: BeijingDay) -> Bool { day >= from && day <= to }
        // Keys compare as bytes (IDKey), as the ledger tells ids apart: two ids that differ only
        // in Unicode normalisation are two entries, two complaints, two parties here too.
        var byObligor: [IDKey: [Line]] = [:]
        var calendars: Set<String> = []
        for (obligation, status) in obligations where Self.isDuty(obligation, from: from, to: to) {
            calendars.insert(obligation.calendarVersion)
            byObligor[IDKey(obligation.obligor), default: []].append(Line(obligation: obligation, status: status, daysLate: obligation.daysLate(asOf: asOf)))
        }
        self.calendars = calendars.sorted()
        parties = byObligor.keys.sorted().map { Party(obligor: $0.id, lines: byObligor[$0]!.sorted { ($0.obligation.due?.description ?? "", $0.obligation.id) < ($1.obligation.due?.description ?? "", $1.obligation.id) }) }

        var courts: [EntryKey: String] = [:]
        var wrongful: [WrongfulInclusion] = []
        var received: [IDKey: (party: String, resolved: Bool)] = [:]
        var order: [IDKey] = []
        var concerns: [IDKey: (party: String, resolved: Bool, told: Bool)] = [:]
        var notPublic: Set<EntryKey> = []
        var publications: [WrongfulPublication] = []
        // Annulled events (record_annulled) count as never recorded.
        let annulled = Set(events.compactMap { if case .recordAnnulled(let seq, _) = $0.event.body { seq } else { nil } })
        for recorded in events where recorded.event.at <= asOf && !annulled.contains(recorded.seq) {
            let event = recorded.event
            switch event.body {
            case let .inclusionDecided(court, _, _, _, isPublic, _):
                if let entry = event.entry.map { EntryKey($0) }, courts[entry] == nil { courts[entry] = court }
                if let entry = event.entry.map { EntryKey($0) }, !isPublic { notPublic.insert(entry) }
            case .entryPublished:
                if let entry = event.entry.map { EntryKey($0) }, notPublic.contains(entry), inPeriod(event.at.beijingDay) {
                    publications.append(WrongfulPublication(court: courts[entry] ?? event.actor, entry: entry.id, publishedAt: event.at))
                }
            case .riskNoticeIssued(let court, _, _):
                if let entry = event.entry.map { EntryKey($0) }, courts[entry] == nil { courts[entry] = court }
            case .entryRevoked(let reason) where reason == .correction || reason == .reconsideration:
                if inPeriod(event.at.beijingDay), let entry = event.entry {
                    wrongful.append(WrongfulInclusion(court: courts[EntryKey(entry)] ?? event.actor, entry: entry, reason: reason.rawValue, revokedAt: event.at))
                }
            case .complaintReceived(let complaint, let concerning):
                if inPeriod(event.at.beijingDay) {
                    let id = IDKey(complaint)
                    received[id] = (event.actor, false)
                    order.append(id)
                    if let concerning { concerns[id] = (concerning, false, false) }
                }
            case .complaintResolved(let complaint, _, let told):
                let id = IDKey(complaint)
                received[id]?.resolved = true
                concerns[id]?.resolved = true
                concerns[id]?.told = told != nil
            default:
                break
            }
        }
        wrongfulInclusions = wrongful
        wrongfulPublications = publications
        var byConcern: [IDKey: ConcernTally] = [:]
        for id in order {
            guard let (party, resolved, told) = concerns[id] else { continue }
            var tally = byConcern[IDKey(party)] ?? ConcernTally(party: party, received: 0, answered: 0, answeredUntold: 0)
            tally.received += 1
            if resolved { tally.answered += 1 }
            if resolved && !told { tally.answeredUntold += 1 }
            byConcern[IDKey(party)] = tally
        }
        complaintsConcerning = byConcern.keys.sorted().map { byConcern[$0]! }
        var tallies: [IDKey: ComplaintTally] = [:]
        for id in order {
            let (party, resolved) = received[id]!
            var tally = tallies[IDKey(party)] ?? ComplaintTally(party: party, received: 0, answered: 0, open: [])
            tally.received += 1
            if resolved { tally.answered += 1 } else { tally.open.append(id.id) }
            tallies[IDKey(party)] = tally
        }
        complaints = tallies.keys.sorted().map { tallies[$0]! }
    }
}
