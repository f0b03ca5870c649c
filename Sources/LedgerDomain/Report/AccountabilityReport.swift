import LedgerCalendar

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
    package var complaints: [ComplaintTally]

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

    package struct ComplaintTally: Sendable {
        package var party: String
        package var received: Int
        package var answered: Int
        package var open: [String]
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
        var byObligor: [String: [Line]] = [:]
        var calendars: Set<String> = []
        for (obligation, status) in obligations where obligation.rule != "R2" {
            let day = obligation.due ?? obligation.triggerAt.beijingDay
            guard inPeriod(day) else { continue }
            calendars.insert(obligation.calendarVersion)
            byObligor[obligation.obligor, default: []].append(Line(obligation: obligation, status: status, daysLate: obligation.daysLate(asOf: asOf)))
        }
        self.calendars = calendars.sorted()
        parties = byObligor.keys.sorted().map { Party(obligor: $0, lines: byObligor[$0]!.sorted { ($0.obligation.due?.description ?? "", $0.obligation.id) < ($1.obligation.due?.description ?? "", $1.obligation.id) }) }

        var courts: [String: String] = [:]
        var wrongful: [WrongfulInclusion] = []
        var received: [String: (party: String, resolved: Bool)] = [:]
        var order: [String] = []
        for recorded in events where recorded.event.at <= asOf {
            let event = recorded.event
            switch event.body {
            case .riskNoticeIssued(let court, _, _), .inclusionDecided(let court, _, _, _, _, _):
                if let entry = event.entry, courts[entry] == nil { courts[entry] = court }
            case .entryRevoked(let reason) where reason == .correction || reason == .reconsideration:
                if inPeriod(event.at.beijingDay), let entry = event.entry {
                    wrongful.append(WrongfulInclusion(court: courts[entry] ?? event.actor, entry: entry, reason: reason.rawValue, revokedAt: event.at))
                }
            case .complaintReceived(let id, _):
                if inPeriod(event.at.beijingDay) {
                    received[id] = (event.actor, false)
                    order.append(id)
                }
            case .complaintResolved(let id, _, _):
                received[id]?.resolved = true
            default:
                break
            }
        }
        wrongfulInclusions = wrongful
        var tallies: [String: ComplaintTally] = [:]
        for id in order {
            let (party, resolved) = received[id]!
            var tally = tallies[party] ?? ComplaintTally(party: party, received: 0, answered: 0, open: [])
            tally.received += 1
            if resolved { tally.answered += 1 } else { tally.open.append(id) }
            tallies[party] = tally
        }
        complaints = tallies.keys.sorted().map { tallies[$0]! }
    }
}
