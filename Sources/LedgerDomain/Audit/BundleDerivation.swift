package import LedgerCalendar

/// The list state and the obligations an auditor derives from a bundle's events alone, with
/// the bundle's profile and calendar: the same functions the ledger's projection uses.
package struct BundleDerivation: Sendable {
    /// Each entry's state, in entry order.
    package var states: [EntryState]
    /// Each obligation with its status at `asOf`, ordered as `obligations` orders them.
    package var obligations: [(Obligation, ObligationStatus)]
    /// Obligation id → the seq of its `breach_flagged` event, among the bundle's events.
    package var flagged: [String: Int64]
    package var asOf: Instant
    package var profile: PolicyProfile
    package var calendar: OfficialCalendar

    /// The profile and calendar a bundle carries, refused with a reason when unusable.
    package static func rules(of bundle: AuditBundle) throws(BundleReadError) -> (PolicyProfile, OfficialCalendar) {
        let profile: PolicyProfile
        do { profile = try PolicyProfile(json: CanonicalJSON.encode(bundle.profile)) } catch {
            throw BundleReadError("profile", error.description)
        }
        let calendar: OfficialCalendar
        do { calendar = try OfficialCalendar(json: CanonicalJSON.encode(bundle.calendar)) } catch {
            throw BundleReadError("calendar", error.description)
        }
        return (profile, calendar)
    }

    /// Replays `events` (in seq order). States count facts effective by `stateAsOf` (nil: all);
    /// obligations are judged at `asOf` from the facts effective by then, as `obligations --as-of` does.
    package init(events: [RecordedEvent], profile: PolicyProfile, calendar: OfficialCalendar, asOf: Instant, stateAsOf: Instant? = nil) {
        var replay = Replay(asOf: stateAsOf)
        var byEntry: [EntryKey: [RecordedEvent]] = [:]
        var flagged: [String: Int64] = [:]
        for recorded in events {
            replay.apply(recorded)
            if case .breachFlagged(let obligation) = recorded.event.body, flagged[obligation] == nil { flagged[obligation] = recorded.seq }
            if let entry = recorded.event.entry, recorded.event.at.epochMilliseconds <= asOf.epochMilliseconds {
                byEntry[EntryKey(entry), default: []].append(recorded)
            }
        }
        let engine = ObligationEngine(profile: profile, calendar: calendar)
        let derived = byEntry.keys.sorted().flatMap { engine.obligations(of: byEntry[$0]!) }
        obligations = derived.compactMap { obligation in
            guard obligation.effectiveFrom.epochMilliseconds <= asOf.epochMilliseconds else { return nil }
            return (obligation, obligation.status(asOf: asOf))
        }.sorted { ($0.0.due?.description ?? "9999", $0.0.entry, $0.0.id) < ($1.0.due?.description ?? "9999", $1.0.entry, $1.0.id) }
        states = replay.entryStates
        self.flagged = flagged
        self.asOf = asOf
        self.profile = profile
        self.calendar = calendar
    }

    /// Differences between the bundle's profile and calendar and this build's built-in ones:
    /// they are not covered by the checkpoint's signature, so the auditor is told each period
    /// and each day that differs (issue 9 point 15), not merely that something does.
    package static func ruleWarnings(profile: PolicyProfile, calendar: OfficialCalendar) -> [String] {
        var warnings: [String] = []
        if let builtIn = PolicyProfile.named(profile.name) {
            if builtIn != profile {
                warnings.append("the bundle's profile \"\(profile.name)\" differs from this build's built-in profile of that name; deadlines follow the bundle's")
                warnings += profileDifferences(profile, builtIn)
            }
        } else {
            warnings.append("the bundle's profile \"\(profile.name)\" is not a built-in profile; check its periods yourself")
            warnings += profileDifferences(profile, .default)
        }
        let embedded = OfficialCalendar.embedded
        if calendar.canonicalJSON() != embedded.canonicalJSON() {
            let days = calendarDifferences(calendar, embedded)
            if !days.isEmpty || calendar.coveredYears != embedded.coveredYears {
                warnings.append("the bundle's calendar \(calendar.identity) differs from this build's \(embedded.identity)\(days.isEmpty ? "" : " on \(days.count) day\(days.count == 1 ? "" : "s")"); deadlines follow the bundle's")
            }
            if calendar.coveredYears != embedded.coveredYears {
                warnings.append("calendar coverage: the bundle's covers \(calendar.coveredYears.lowerBound)–\(calendar.coveredYears.upperBound), this build's \(embedded.coveredYears.lowerBound)–\(embedded.coveredYears.upperBound)")
            }
            warnings += days
        }
        return warnings
    }

    static func describe(_ period: ProfilePeriod?) -> String {
        guard let period else { return "absent" }
        return "\(period.days) \(period.kind == .calendar ? "calendar" : "working") days" + (period.countedFrom.map { " from the \($0.rawValue)" } ?? "")
            + (period.metByGround == true ? ", met by ground" : "") + (period.excludesTermEntries == true ? ", not for term entries" : "")
    }

    /// One line per period (or term rule) whose figures differ; clause texts are not compared.
    static func profileDifferences(_ bundle: PolicyProfile, _ builtIn: PolicyProfile) -> [String] {
        var out: [String] = []
        let keys = (builtIn.periods.map(\.key) + bundle.periods.map(\.key)).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        for key in keys {
            let mine = bundle.period(key), theirs = builtIn.period(key)
            var a = mine, b = theirs
            a?.clause = ""; b?.clause = ""
            if a != b { out.append("profile period \(key): the bundle's \(describe(mine)), \(builtIn.name)'s \(describe(theirs))") }
        }
        if bundle.inclusionTermMonths?.months != builtIn.inclusionTermMonths?.months || bundle.inclusionTermMonths?.appliesToGrounds != builtIn.inclusionTermMonths?.appliesToGrounds {
            out.append("profile inclusion_term_months: the bundle's \(bundle.inclusionTermMonths.map { "\($0.months)" } ?? "absent"), \(builtIn.name)'s \(builtIn.inclusionTermMonths.map { "\($0.months)" } ?? "absent")")
        }
        if bundle.extensionMonths?.min != builtIn.extensionMonths?.min || bundle.extensionMonths?.max != builtIn.extensionMonths?.max {
            out.append("profile extension_months: the bundle's \(bundle.extensionMonths.map { "\($0.min)–\($0.max)" } ?? "absent"), \(builtIn.name)'s \(builtIn.extensionMonths.map { "\($0.min)–\($0.max)" } ?? "absent")")
        }
        return out
    }

    /// One line per day that is a rest day in one calendar and a working day in the other,
    /// over the years both cover.
    static func calendarDifferences(_ bundle: OfficialCalendar, _ builtIn: OfficialCalendar) -> [String] {
        var out: [String] = []
        let years = Set(bundle.years.keys).intersection(builtIn.years.keys).sorted()
        for year in years {
            let a = bundle.years[year]!, b = builtIn.years[year]!
            let changed = a.daysOff.symmetricDifference(b.daysOff).union(a.makeupWorkdays.symmetricDifference(b.makeupWorkdays))
            for day in changed.sorted() {
                func kind(_ y: OfficialCalendar.Year) -> String {
                    y.daysOff.contains(day) ? "a day off" : y.makeupWorkdays.contains(day) ? "a make-up working day" : "an ordinary day"
                }
                out.append("calendar day \(day): \(kind(a)) in the bundle's calendar, \(kind(b)) in this build's")
            }
        }
        return out
    }
}
