import LedgerCalendar

/// Derives every obligation of R1–R7 (docs/design.md) from one entry's events. Pure: the
/// profile and calendar are data, and time enters only through the events' own `at`.
package struct ObligationEngine: Sendable {
    package let profile: PolicyProfile
    package let calendar: OfficialCalendar

    package init(profile: PolicyProfile, calendar: OfficialCalendar) {
        self.profile = profile
        self.calendar = calendar
    }

    /// The obligations of one entry, given all its events in seq order.
    package func obligations(of events: [RecordedEvent]) -> [Obligation] {
        guard let first = events.first, let entry = first.event.entry else { return [] }
        var derivation = Derivation(engine: self, entry: entry, events: events)
        derivation.run()
        return derivation.obligations
    }
}

/// One pass over an entry's events, opening obligations at their triggers.
private struct Derivation {
    let engine: ObligationEngine
    let entry: String
    let events: [RecordedEvent]
    var obligations: [Obligation] = []
    var court = ""

    init(engine: ObligationEngine, entry: String, events: [RecordedEvent]) {
        self.engine = engine
        self.entry = entry
        self.events = events
    }

    mutating func run() {
        var inclusion: RecordedEvent?
        var exit: RecordedEvent?
        var lastCorrectionRequest: RecordedEvent?
        var holders: [String] = []
        var published = false
        var reposts: [String] = []
        var measures: [String: [String]] = [:]  // unit → measures in force
        var notified: Set<String> = []

        for (position, recorded) in events.enumerated() {
            let later = events[(position + 1)...]
            let event = recorded.event
            switch event.body {
            case .riskNoticeIssued(let decidingCourt, _, _):
                if court.isEmpty { court = decidingCourt }
            case .inclusionDecided(let decidingCourt, _, _, _, _, _):
                if court.isEmpty { court = decidingCourt }
                guard inclusion == nil else { break }
                inclusion = recorded
                let noticed = events.contains {
                    if case .riskNoticeIssued = $0.event.body { return $0.event.at.epochMilliseconds <= event.at.epochMilliseconds }
                    return false
                }
                if !noticed {
                    add(rule: "R1", duty: "precondition", obligor: court, trigger: recorded, due: nil, dueProblem: nil,
                        met: nil, clause: "R1: a risk notice (风险提示通知) must precede inclusion")
                }
                openTermEnd(inclusion: recorded, later: later)
            case .decisionServed:
                open(rule: "R2", duty: "correction_window", obligor: "debtor", trigger: recorded, later: later) {
                    if case .correctionRequested = $0.body { return true } else { return false }
                }
            case .correctionRequested:
                lastCorrectionRequest = recorded
                open(rule: "R3", duty: "correction_review", obligor: court, trigger: recorded, later: later) {
                    if case .correctionDecided = $0.body { return true } else { return false }
                }
            case .correctionDecided(.rejected):
                open(rule: "R2", duty: "reconsideration_window", obligor: "debtor", trigger: recorded, later: later) {
                    if case .reconsiderationRequested = $0.body { return true } else { return false }
                }
            case .correctionDecided(.upheld):
                let from = engine.profile.correctAfterUpheld.countedFrom == .request ? (lastCorrectionRequest ?? recorded) : recorded
                open(rule: "R3", duty: "correct_after_upheld", obligor: court, trigger: recorded, countFrom: from, later: later, met: isRevocation)
            case .reconsiderationRequested(let higherCourt):
                open(rule: "R3", duty: "reconsideration_review", obligor: higherCourt, trigger: recorded, later: later) {
                    if case .reconsiderationDecided = $0.body { return true } else { return false }
                }
            case .reconsiderationDecided(.upheld):
                open(rule: "R3", duty: "reconsideration_correct", obligor: court, trigger: recorded, later: later, met: isRevocation)
            case .reconsiderationDecided(.rejected):
                break
            case .obligationDischarged:
                // 法释〔2017〕7号 第十条第二款: an entry with an inclusion term is deleted when the
                // term ends, not on discharge; profiles without a term always apply R4 here.
                if let inclusion, hasTerm(inclusion) { break }
                open(rule: "R4", duty: "discharge_exit", obligor: court, trigger: recorded, later: later, met: isExit)
            case .entryPublished:
                published = true
            case .pushedToUnit(let unit), .employerNotified(let unit):
                if !holders.contains(unit) { holders.append(unit) }
            case .repostRegistered(let unit):
                if !reposts.contains(unit) { reposts.append(unit) }
            case .repostDeleted(let unit):
                if exit == nil { reposts.removeAll { $0 == unit } }
            case let .measureApplied(unit, measure):
                if !measures[unit, default: []].contains(measure) { measures[unit, default: []].append(measure) }
            case let .measureLifted(unit, measure):
                if !notified.contains(unit) { measures[unit]?.removeAll { $0 == measure } }
            case .entryShielded, .entryRevoked:
                guard exit == nil else { break }
                exit = recorded
                if published {
                    open(rule: "R5", duty: "exit_publish", obligor: court, trigger: recorded, later: later) {
                        if case .exitPublished = $0.body { return true } else { return false }
                    }
                }
                for unit in holders {
                    open(rule: "R5", duty: "exit_notify", obligor: court, trigger: recorded, suffix: "/" + unit, later: later) {
                        if case .unitNotifiedOfExit(unit) = $0.body { return true } else { return false }
                    }
                }
                for unit in reposts {
                    open(rule: "R7", duty: "repost_delete", obligor: unit, trigger: recorded, suffix: "/" + unit, later: later) {
                        if case .repostDeleted(unit) = $0.body { return true } else { return false }
                    }
                }
            case .unitNotifiedOfExit(let unit):
                guard exit != nil, !notified.contains(unit) else { break }
                notified.insert(unit)
                for measure in measures[unit] ?? [] {
                    openLift(unit: unit, measure: measure, trigger: recorded, later: later)
                }
            default:
                break
            }
        }
    }

    func isRevocation(_ event: Event) -> Bool {
        if case .entryRevoked = event.body { return true } else { return false }
    }

    func isExit(_ event: Event) -> Bool {
        switch event.body {
        case .entryShielded, .entryRevoked: true
        default: false
        }
    }

    /// Opens the obligation of profile period `duty`, met by the first later event matching `met`.
    mutating func open(rule: String, duty: String, obligor: String, trigger: RecordedEvent, countFrom: RecordedEvent? = nil,
                       suffix: String = "", later: ArraySlice<RecordedEvent>, met: (Event) -> Bool) {
        guard let period = engine.profile.period(duty) else { return }
        let (due, problem) = dueDay(from: (countFrom ?? trigger).event.at.beijingDay, period: period.period)
        add(rule: rule, duty: duty, obligor: obligor, trigger: trigger, suffix: suffix, due: due, dueProblem: problem,
            met: later.first { met($0.event) }, clause: period.clause)
    }

    /// R6 for one measure: 3 working days from the notice, or the `until` of a retention.
    mutating func openLift(unit: String, measure: String, trigger: RecordedEvent, later: ArraySlice<RecordedEvent>) {
        let period = engine.profile.unitLift
        var (due, problem) = dueDay(from: trigger.event.at.beijingDay, period: period.period)
        var clause = period.clause
        var lifted: RecordedEvent?
        for candidate in later {
            switch candidate.event.body {
            case let .measureRetained(u, m, legalBasis, until) where u == unit && m == measure && lifted == nil:
                due = until
                problem = nil
                clause = "retained under \(legalBasis) until \(until)"
            case let .measureLifted(u, m) where u == unit && m == measure && lifted == nil:
                lifted = candidate
            default:
                break
            }
        }
        add(rule: "R6", duty: "unit_lift", obligor: unit, trigger: trigger, suffix: "/\(unit)/\(measure)", due: due,
            dueProblem: problem, met: lifted, clause: clause)
    }

    /// Whether the profile gives this inclusion a term (SPC art. 2: grounds 2–6, or an explicit term).
    func hasTerm(_ inclusion: RecordedEvent) -> Bool {
        guard let term = engine.profile.inclusionTermMonths, engine.profile.termEndDelete != nil,
              case let .inclusionDecided(_, _, _, grounds, _, termMonths) = inclusion.event.body else { return false }
        if termMonths != nil { return true }
        guard let applies = term.appliesToGrounds else { return true }
        return grounds.contains { applies.contains($0.rawValue) }
    }

    /// spc-2017: deletion within 3 working days after the inclusion term ends (art. 2, 10).
    mutating func openTermEnd(inclusion: RecordedEvent, later: ArraySlice<RecordedEvent>) {
        guard hasTerm(inclusion), let term = engine.profile.inclusionTermMonths, let period = engine.profile.termEndDelete,
              case let .inclusionDecided(_, _, _, _, _, termMonths) = inclusion.event.body else { return }
        let months = termMonths ?? term.months
        let termEnd = inclusion.event.at.beijingDay.addingMonths(months)
        // The duty arises when the term ends, unless the entry left the list before.
        let exitedBefore = later.contains { isExit($0.event) && $0.event.at.beijingDay <= termEnd }
        guard !exitedBefore else { return }
        let (due, problem) = dueDay(from: termEnd, period: period.period)
        // The trigger is the inclusion decision that set the term; the duty is listed from the
        // term's end (`arisesAt`).
        var obligation = Obligation(
            id: "\(entry)/R4/\(inclusion.seq)", rule: "R4", duty: "term_end_delete", entry: entry, obligor: court,
            triggerSeq: inclusion.seq, triggerAt: inclusion.event.at, due: due, dueProblem: problem, metSeq: nil, metAt: nil,
            calendarVersion: engine.calendar.identity, clause: "term ends \(termEnd) (\(months) months); \(term.clause); \(period.clause)")
        obligation.arisesAt = Instant.endOfBeijingDay(termEnd)
        if let met = later.first(where: { isExit($0.event) }) {
            obligation.metSeq = met.seq
            obligation.metAt = met.event.at
        }
        obligations.append(obligation)
    }

    func dueDay(from day: BeijingDay, period: Period) -> (BeijingDay?, String?) {
        do {
            return (try engine.calendar.due(from: day, period: period), nil)
        } catch {
            return (nil, error.description)
        }
    }

    mutating func add(rule: String, duty: String, obligor: String, trigger: RecordedEvent, suffix: String = "",
                      due: BeijingDay?, dueProblem: String?, met: RecordedEvent?, clause: String) {
        obligations.append(Obligation(
            id: "\(entry)/\(rule)/\(trigger.seq)\(suffix)", rule: rule, duty: duty, entry: entry, obligor: obligor,
            triggerSeq: trigger.seq, triggerAt: trigger.event.at, due: due, dueProblem: dueProblem,
            metSeq: met?.seq, metAt: met?.event.at, calendarVersion: engine.calendar.identity, clause: clause))
    }
}
