import ArgumentParser
import LedgerCalendar
import LedgerDomain
import LedgerService
import LedgerStorage
import Synchronization

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
                    // Built as the reads stream (issue 8, memory): the builder keeps the period's
                    // duties (compact lines) and small per-entry facts, never the events.
                    let builder = Mutex(AccountabilityReport.Builder(from: first, to: last, asOf: asOf, profile: try await storage.profileName()))
                    try await storage.forEachObligation(ObligationQuery(asOf: asOf)) { obligation, status in
                        builder.withLock { $0.add(obligation, status) }
                    }
                    // Annulments first (a few), since one is recorded after what it annuls; both
                    // passes stop at one head, so an append between them changes neither.
                    let lastSeq = try await storage.head().size
                    try await storage.forEachEvent(ofTypes: [.recordAnnulled], through: lastSeq) { recorded in
                        builder.withLock { $0.annul(recorded) }
                    }
                    try await storage.forEachEvent(ofTypes: AccountabilityReport.inputEventTypes.subtracting([.recordAnnulled]), through: lastSeq) { recorded in
                        builder.withLock { $0.add(recorded) }
                    }
                    return builder.withLock { $0.finish() }
                }
                // Written as rendered, one party at a time: no tree or text of the whole report.
                switch format {
                case .json:
                    report.writeJSON(writeStandardOutput)
                    writeStandardOutput(Array("\n".utf8))
                case .html:
                    report.writeHTML { print($0, terminator: "") }
                    print()
                case .md:
                    report.writeMarkdown { print($0, terminator: "") }
                    print()
                }
            }
        }
    }
}
