import LedgerDomain

/// The rules' refusals in the page's language: a refusal that carries its meaning
/// (`InputError.refusal`) is said from the catalogue, with the names of courts and units and
/// dates as the pages write them; one that does not keeps the ledger's English text.
extension PageEnvironment {
    func refusalText(_ input: InputError, fieldLabel label: String) -> String? {
        guard let refusal = input.refusal else { return nil }
        switch refusal {
        case let .precedesAnswered(act, answeredAt):
            return format("refusal_precedes", label, answeredName(act), dateTime(answeredAt))
        case let .termTooLong(months, total, remaining):
            return format("refusal_term_too_long", String(months), String(total), String(remaining))
        case let .retentionEndsBeforeIt(until, day):
            return format("refusal_retention_before", date(until), date(day))
        case .inFuture:
            return format("err_future", label)
        }
    }

    private func answeredName(_ act: AnsweredAct) -> String {
        switch act {
        case .inclusion: t("answered_inclusion")
        case .correctionRequest: t("answered_correction_request")
        case .rejection: t("answered_rejection")
        case .reconsiderationRequest: t("answered_reconsideration_request")
        case .exit: t("answered_exit")
        case .push(let unit): format("answered_push", names[unit] ?? unit)
        case .exitNotice(let unit): format("answered_exit_notice", names[unit] ?? unit)
        case let .measure(unit, measure): format("answered_measure", names[unit] ?? unit, ActForms.measureLabel(measure, self))
        }
    }
}
