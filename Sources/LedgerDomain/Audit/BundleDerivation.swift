import LedgerCalendar

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
        var byEntry: [String: [RecordedEvent]] = [:]
        var flagged: [String: Int64] = [:]
        for recorded in events {
            replay.apply(recorded)
            if case .breachFlagged(let obligation) = recorded.event.body, flagged[obligation] == nil { flagged[obligation] = recorded.seq }
            if let entry = recorded.event.entry, recorded.event.at.epochMilliseconds <= asOf.epochMilliseconds {
                byEntry[entry, default: []].append(recorded)
            }
        }
        let engine = ObligationEngine(profile: profile, calendar: calendar)
        let derived = byEntry.keys.sorted().flatMap { engine.obligations(of: byEntry[$0]!) }
        obligations = derived.compactMap { obligation in
            guard obligation.effectiveFrom.epochMilliseconds <= asOf.epochMilliseconds else { return nil }
            return (obligation, obligation.status(asOf: asOf))
        }.sorted { ($0.0.due?.description ?? "9999", $0.0.entry, $0.0.id) < ($1.0.due?.description ?? "9999", $1.0.entry, $1.0.id) }
        states = replay.states.values.sorted { $0.entry < $1.entry }
        self.flagged = flagged
        self.asOf = asOf
        self.profile = profile
        self.calendar = calendar
    }

    /// Differences between the bundle's profile and calendar and this build's built-in ones of
    /// the same name: they are not covered by the checkpoint's signature, so the auditor is told.
    package static func ruleWarnings(profile: PolicyProfile, calendar: OfficialCalendar) -> [String] {
        var warnings: [String] = []
        if let builtIn = PolicyProfile.named(profile.name) {
            if builtIn != profile {
                warnings.append("the bundle's profile \"\(profile.name)\" differs from this build's built-in profile of that name; deadlines follow the bundle's")
            }
        } else {
            warnings.append("the bundle's profile \"\(profile.name)\" is not a built-in profile; check its periods yourself")
        }
        let embedded = OfficialCalendar.embedded
        if calendar.name == embedded.name && calendar.version == embedded.version && calendar.canonicalJSON() != embedded.canonicalJSON() {
            warnings.append("the bundle's calendar \(calendar.identity) differs from this build's calendar of the same version")
        }
        return warnings
    }
}
