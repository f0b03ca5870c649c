import ArgumentParser
import LedgerCalendar
import LedgerDomain
import LedgerService
import LedgerStorage

extension ListLedger {
    struct Report: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The accountability report (责任追究): per court and unit, duties met, late and breached.",
            discussion: """
            Duties whose due day falls between --from and --to (inclusive, Beijing days), judged at the end of --to (or now, if earlier): met, late (with days late), breached, by rule and entry; wrongful inclusions (revoked on correction or reconsideration) per court; complaints received and answered. --format html writes one self-contained page to print.
            """
        )

        @OptionGroup var ledger: LedgerOptions
        @OptionGroup var log: CourtOption
        @Option(help: "First day of the period, YYYY-MM-DD.") var from: String
        @Option(help: "Last day of the period, YYYY-MM-DD.") var to: String
        @Option(help: "md (default), json or html.") var format: ReportFormat = .md

        func run() async throws {
            try await reportingFailuresAsync {
                guard let first = BeijingDay(iso: from) else { throw Failure.input(InputError(field: "--from", "\"\(from)\" is not a date YYYY-MM-DD")) }
                guard let last = BeijingDay(iso: to) else { throw Failure.input(InputError(field: "--to", "\"\(to)\" is not a date YYYY-MM-DD")) }
                guard first <= last else { throw Failure.input(InputError(field: "--to", "\(last) is before --from \(first)")) }
                self.ledger.catchUpObligations()
                let now = Clock.now()
                let end = Instant.endOfBeijingDay(last)
                let asOf = end.epochMilliseconds < now.epochMilliseconds ? end : now
                let report = try await self.ledger.withStorage(readOnly: true, log: log) { storage in
                    // Streamed and kept only when due in the period: the report holds the period's
                    // duties, not every obligation of the ledger (issue 8, memory).
                    let duties = Collected<(Obligation, ObligationStatus)>()
                    try await storage.forEachObligation(ObligationQuery(asOf: asOf)) { obligation, status in
                        if AccountabilityReport.isDuty(obligation, from: first, to: last) { duties.append((obligation, status)) }
                    }
                    return AccountabilityReport(from: first, to: last, asOf: asOf, profile: try await storage.profileName(),
                                                obligations: duties.items,
                                                events: try await storage.events(ofTypes: AccountabilityReport.inputEventTypes))
                }
                switch format {
                case .json: printJSON(report.json)
                case .html: print(report.html)
                case .md: print(report.markdown)
                }
            }
        }
    }
}
