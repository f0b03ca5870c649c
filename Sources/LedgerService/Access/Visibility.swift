package import LedgerDomain

/// Who sees what (SPEC §6), decided here and nowhere else: every route that shows an entry, an
/// event or an obligation asks these functions, and shows nothing they refuse.
package enum Visibility {
    /// Whether the principal may read anything at all beyond the public list.
    package static func mayRead(_ principal: Principal) -> Bool {
        principal.scopes.contains(.read) || principal.scopes.contains(.audit)
    }

    /// Whether everything is visible: an auditor (or any credential) with the `audit` scope.
    package static func seesEverything(_ principal: Principal) -> Bool {
        principal.scopes.contains(.audit)
    }

    /// A court reads its own entries (and the higher court the reconsideration it must decide);
    /// a unit the entries pushed to it, notified to it as employer or reposted by it, or whose
    /// exit it was told of; an auditor everything.
    package static func maySee(_ principal: Principal, entry state: EntryState) -> Bool {
        guard mayRead(principal) else { return false }
        if seesEverything(principal) { return true }
        let party = principal.party
        switch principal.kind {
        case "court": return state.court == party || state.reconsiderationCourt == party
        case "unit":
            return state.units.contains(party) || state.employers.contains(party)
                || state.reposts.contains { $0.unit == party } || state.notifiedOfExit.contains(party)
                || state.measures.contains { $0.unit == party }
        default: return false
        }
    }

    /// Whether the principal needs the debtor's full resident ID number (SPEC §6, issue 12):
    /// courts, auditors and the units that hold the entry to apply or lift a measure or as
    /// employer do; a unit that only reposted the entry republishes the public list, so it
    /// gets the number as the public list masks it.
    package static func needsFullIdentity(_ principal: Principal, entry state: EntryState) -> Bool {
        guard principal.kind == "unit", !seesEverything(principal) else { return true }
        let party = principal.party
        return state.units.contains(party) || state.employers.contains(party) || state.notifiedOfExit.contains(party)
            || state.measures.contains { $0.unit == party }
    }

    /// A court sees every obligation of the entries it may see (it supervises its units'
    /// duties); a unit only its own obligations; an auditor all.
    package static func maySee(_ principal: Principal, obligation: Obligation, entry state: EntryState?) -> Bool {
        guard mayRead(principal) else { return false }
        if seesEverything(principal) { return true }
        switch principal.kind {
        case "court": return state.map { maySee(principal, entry: $0) } ?? false
        case "unit": return obligation.obligor == principal.party
        default: return false
        }
    }

    /// An event reaches a party's feed when it belongs to an entry the party may see (judged
    /// on the entry's state after the event), or names the party (its actor, or the unit or
    /// court it concerns).
    package static func concerns(_ principal: Principal, event: Event, entryAfter state: EntryState?) -> Bool {
        guard mayRead(principal) else { return false }
        if seesEverything(principal) { return true }
        if event.actor == principal.party { return true }
        if let state, maySee(principal, entry: state) { return true }
        return false
    }
}
