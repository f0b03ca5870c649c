/// `record_annulled` (SPEC §3): a clerical error is undone by a new event; the annulled event
/// stays in the log (the chain is never rewritten) but state and obligations are derived
/// without it. An annulment is itself final: it cannot be annulled.
package enum Annulment {
    /// The seqs annulled within `history` (one entry's events).
    package static func annulledSeqs(in history: [RecordedEvent]) -> Set<Int64> {
        Set(history.compactMap { if case .recordAnnulled(let seq, _) = $0.event.body { seq } else { nil } })
    }

    /// The events that count: neither annulled nor annulments.
    package static func effective(_ history: [RecordedEvent]) -> [RecordedEvent] {
        let annulled = annulledSeqs(in: history)
        guard !annulled.isEmpty || history.contains(where: { $0.event.type == .recordAnnulled }) else { return history }
        return history.filter { !annulled.contains($0.seq) && $0.event.type != .recordAnnulled }
    }

    /// The entry's state folded from its effective events.
    package static func fold(_ history: [RecordedEvent]) -> EntryState? {
        var state: EntryState?
        for recorded in effective(history) where recorded.event.type != .complaintReceived && recorded.event.type != .complaintResolved {
            state = EntryState.applying(recorded.event, seq: recorded.seq, to: state)
        }
        // last_seq is the entry's last event, annulments included, complaints not (as append keeps it).
        if state != nil, let last = history.last(where: { $0.event.type != .complaintReceived && $0.event.type != .complaintResolved }) {
            state!.lastSeq = max(state!.lastSeq, last.seq)
        }
        return state
    }

    /// Throws unless `event` (a `record_annulled` for `history`'s entry, with the entry's court
    /// `court`) may be recorded; returns the entry's state after it.
    package static func check(_ event: Event, seq: Int64, history: [RecordedEvent], court: String, now: Instant) throws(InputError) -> EntryState {
        guard case .recordAnnulled(let target, _) = event.body else { preconditionFailure("not an annulment") }
        guard let annulled = history.first(where: { $0.seq == target }) else {
            throw InputError(field: "annuls", "seq \(target) is not an event of entry \"\(event.entry ?? "")\"; an annulment names an earlier event of its own entry")
        }
        if case .recordAnnulled = annulled.event.body {
            throw InputError(field: "annuls", "seq \(target) is itself an annulment, which is final")
        }
        if annulled.event.type == .complaintReceived || annulled.event.type == .complaintResolved {
            throw InputError(field: "annuls", "seq \(target) is a complaint event; complaints are answered by complaint_resolved, not annulled")
        }
        if annulledSeqs(in: history).contains(target) {
            throw InputError(field: "annuls", "seq \(target) is already annulled")
        }
        guard event.actor == annulled.event.actor || event.actor == court else {
            throw InputError(field: "actor", "only \(annulled.event.actor), who recorded seq \(target), or the entry's court \(court) may annul it, not \(event.actor)")
        }
        // The remaining history must itself be acceptable, event by event, as if seq `target`
        // had never been appended.
        let remaining = effective(history).filter { $0.seq != target }
        var state: EntryState?
        for recorded in remaining where recorded.event.type != .complaintReceived && recorded.event.type != .complaintResolved {
            var context = RuleContext(now: now)
            context.flaggedObligationStatus = .breached  // flags are judged when written, not again here
            do throws(InputError) {
                try LedgerRules.check(recorded.event, entry: state, context: context)
            } catch {
                throw InputError(field: "annuls", "without seq \(target), seq \(recorded.seq) (\(recorded.event.type.rawValue)) could not be a fact: \(error.problem); annul it first")
            }
            state = EntryState.applying(recorded.event, seq: recorded.seq, to: state)
        }
        guard var state else {
            throw InputError(field: "annuls", "without seq \(target) entry \"\(event.entry ?? "")\" would have no events left; its first event can be annulled only while later ones remain valid")
        }
        state.lastSeq = seq
        return state
    }
}
