package import LedgerCalendar

/// What a refusal of the rules means, beside its English `problem` text: the pages say it in
/// the reader's language from this, and the command line keeps the text. Only the refusals a
/// form can meet carry one (the forms offer only the acts the entry's state allows, so what is
/// left is dates and numbers); the others stay text.
package enum Refusal: Sendable, Equatable {
    /// SPEC §3: an act dated before the act it answers cannot be a fact.
    case precedesAnswered(AnsweredAct, answeredAt: Instant)
    /// SPC art. 2: a term may be extended to at most 60 months in all.
    case termTooLong(months: Int, total: Int, remaining: Int)
    /// A measure retained until a day before the retention itself.
    case retentionEndsBeforeIt(until: BeijingDay, day: BeijingDay)
    /// `at` ahead of the ledger's clock by more than the allowed skew.
    case inFuture
}

/// The earlier act that a later one answers, as `LedgerRules` checks their order.
package enum AnsweredAct: Sendable, Equatable {
    case inclusion
    case correctionRequest
    case rejection
    case reconsiderationRequest
    case exit
    case push(unit: String)
    case exitNotice(unit: String)
    case measure(unit: String, measure: String)

    /// The key of `EntryState.marks` holding when it happened.
    var mark: String {
        switch self {
        case .inclusion: "included"
        case .correctionRequest: "correction_requested"
        case .rejection: "correction_decided"
        case .reconsiderationRequest: "reconsideration_requested"
        case .exit: "exited"
        case .push(let unit): "push:" + unit
        case .exitNotice(let unit): "exit_notice:" + unit
        case .measure(let unit, let measure): "measure:\(unit):\(measure)"
        }
    }

    /// The English words of the command line's message (unchanged from before this type).
    var englishName: String {
        switch self {
        case .inclusion: "inclusion decision"
        case .correctionRequest: "correction request"
        case .rejection: "rejection"
        case .reconsiderationRequest: "reconsideration request"
        case .exit: "shielding or revocation"
        case .push(let unit): "push to \(unit)"
        case .exitNotice(let unit): "exit notice to \(unit)"
        case .measure(let unit, let measure): "\(measure) applied by \(unit)"
        }
    }
}
