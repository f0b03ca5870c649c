import ArgumentParser
import LedgerCalendar
import LedgerDomain
import LedgerService
import LedgerStore

extension ListLedger {
    struct Obligations: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List each obligation (R1–R7) with its obligor, trigger, due day and status.",
            discussion: """
            Status at --as-of (default: now): met, late (met after the due day), breached (not met, past due), open; R2 windows are open, met, late or closed and never breached. Due days are Beijing days, inclusive, computed with the ledger's official calendar.
            """
        )

        @OptionGroup var ledger: LedgerOptions
        @OptionGroup var output: OutputOptions
        @OptionGroup var log: CourtOption
        @Option(name: .customLong("as-of"), help: "Judge status at this instant or date (default: now).") var asOf: String?
        @Option(help: "open, met, late, breached, closed or all (default all).") var status = StatusFilter(status: nil)
        @Option(help: "Only this obligor (court:…, unit:…, debtor).") var obligor: String?
        @Option(help: "Only this rule (R1…R7).") var rule: String?
        @Option(help: "Only this entry.") var entry: String?

        func run() throws {
            try reportingFailures {
                var query = ObligationQuery(asOf: try asOf.map { try parseTimeArgument($0, option: "--as-of") } ?? Clock.now())
                if let wanted = status.status { query.statuses = [wanted] }
                if let rule, !(1...7).map({ "R\($0)" }).contains(rule) {
                    throw Failure.input(InputError(field: "--rule", "\"\(rule)\" is not one of R1 … R7"))
                }
                query.obligor = obligor
                query.rule = rule
                query.entry = entry
                if let url = try self.ledger.postgres() { return try runOnPostgres(url, court: log.court, query: query) }
                self.ledger.catchUpObligations()
                let ledger = try self.ledger.open(readOnly: true)
                // `--obligor pboc-baisha` used to find nothing silently: name the near match.
                if let obligor, obligor != "debtor", Party.kind(of: obligor) == nil {
                    let near = try ledger.knownObligors().filter { $0.hasSuffix(":" + obligor) }
                    throw Failure.input(InputError(field: "--obligor", "\"\(obligor)\" is not court:CODE, unit:CODE or debtor"
                        + (near.isEmpty ? "" : "; did you mean \(near.joined(separator: " or "))?")))
                }
                let flags = try ledger.flaggedObligations()
                let out = try ObligationOutput(json: output.json, asOf: query.asOf, profile: try ledger.profile().name,
                                               calendar: try ledger.calendar().identity, flags: flags)
                try ledger.forEachObligation(query) { try out.add($0, $1) }
                try out.finish()
            }
        }
    }
}

/// `obligations`' output, one obligation at a time (`StreamedListOutput`): `--json` as
/// `LedgerJSON.obligations` encodes it, or the table, then the count and profile lines.
final class ObligationOutput: @unchecked Sendable {
    private let asOf: Instant
    private let flags: [String: Int64]
    private let output: StreamedListOutput

    init(json: Bool, asOf: Instant, profile: String, calendar: String, flags: [String: Int64]) throws {
        self.asOf = asOf
        self.flags = flags
        output = try StreamedListOutput(json: json, document: LedgerJSON.obligations(asOf: asOf, profile: profile, calendar: calendar, found: [], flags: flags),
                                        array: "obligations", header: ObligationTable.header) { count in
            ObligationTable.footer(count: count, asOf: asOf) + "profile \(profile), calendar \(calendar)\n"
        }
    }

    func add(_ obligation: Obligation, _ status: ObligationStatus) throws {
        try output.add(json: obligation.json(status: status, asOf: asOf, flaggedSeq: flags[obligation.id])) {
            ObligationTable.row(obligation, status, asOf: asOf)
        }
    }

    func finish() throws { try output.finish() }
}

func printObligationTable(_ found: [(Obligation, ObligationStatus)], asOf: Instant) {
    print(ObligationTable.text(found, asOf: asOf), terminator: "")
}
