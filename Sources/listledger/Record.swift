import ArgumentParser
import Foundation
import LedgerDomain
import LedgerStorage
import LedgerStore

extension ListLedger {
    struct Record: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record one event, typed at a terminal.",
            discussion: """
            The same rules as `append` apply: a refused event names the field and writes nothing.
            The actor comes from --actor or $LISTLEDGER_ACTOR. On PostgreSQL the event goes to the log of its entry's court (the log holding the entry, or for its first event the log of the court it names). Examples, one per type:

              record risk_notice_issued --entry E1 --at 2025-04-01T10:00:00+08:00 --actor court:baisha \\
                --court court:baisha --case '(2025)琼9030执2号' --debtor-kind person --debtor-name 王某 --debtor-id 460030198001010201
              record inclusion_decided --entry E1 --at … --actor court:baisha --court court:baisha --case … \\
                --debtor-kind organization --debtor-name 某公司 --debtor-id 91460000MA5T000000 --legal-representative 李某 \\
                --grounds able_but_refuses,evasion --public true [--term-months 24]
              record decision_served     --entry E1 --at … --actor court:baisha
              record entry_published     --entry E1 --at … --actor court:baisha [--channels website,newspaper]
              record employer_notified   --entry E1 --at … --actor court:baisha --unit unit:employer-x
              record pushed_to_unit      --entry E1 --at … --actor court:baisha --unit unit:pboc-baisha
              record measure_applied     --entry E1 --at … --actor unit:pboc-baisha --unit unit:pboc-baisha --measure credit_restriction
              record repost_registered   --entry E1 --at … --actor unit:news --unit unit:news
              record correction_requested --entry E1 --at … --actor court:baisha [--reason …]   (at = when the court received it)
              record correction_decided  --entry E1 --at … --actor court:baisha --outcome upheld|rejected
              record reconsideration_requested --entry E1 --at … --actor court:baisha --court court:hainan-2nd-intermediate
              record reconsideration_decided   --entry E1 --at … --actor court:hainan-2nd-intermediate --outcome rejected
              record obligation_discharged --entry E1 --at … --actor court:baisha --basis full_performance
              record entry_shielded      --entry E1 --at … --actor court:baisha [--reason …]
              record entry_revoked       --entry E1 --at … --actor court:baisha --reason correction|reconsideration|discharge|error
              record exit_published      --entry E1 --at … --actor court:baisha
              record unit_notified_of_exit --entry E1 --at … --actor court:baisha --unit unit:pboc-baisha
              record measure_lifted      --entry E1 --at … --actor unit:pboc-baisha --unit unit:pboc-baisha --measure credit_restriction
              record measure_retained    --entry E1 --at … --actor unit:pboc-baisha --unit unit:pboc-baisha --measure credit_restriction \\
                --legal-basis '…' --until 2026-12-31
              record repost_deleted      --entry E1 --at … --actor unit:news --unit unit:news
              record complaint_received  [--entry E1] --at … --actor court:baisha --complaint C-2025-001
              record complaint_resolved  [--entry E1] --at … --actor court:baisha --complaint C-2025-001 --finding '…'
              record breach_flagged      --entry E1 --at … --actor system:alerts --obligation E1/R4/12
              record decision_served     --entry E1 --at … --actor court:baisha [--method in_person|post|electronic|public_notice]
              record rejection_served    --entry E1 --at … --actor court:baisha [--method …]
              record correction_requested --entry E1 --at … --actor court:baisha [--ground inaccurate] [--posted-on 2025-04-18]
              record entry_corrected     --entry E1 --at … --actor court:baisha --correct debtor.name=王某某 [--correct case=…] --reason '…'
              record term_extended       --entry E1 --at … --actor court:baisha --months 12 --reason '…'
              record record_annulled     --entry E1 --at … --actor court:baisha --annuls 17 --reason '单位代码录入错误'
            """
        )

        @OptionGroup var ledger: LedgerOptions
        @OptionGroup var output: OutputOptions

        @Argument(help: ArgumentHelp("The event type (see the examples below).", valueName: "type"))
        var type: String

        @Option(help: "The list entry's id.") var entry: String?
        @Option(help: "When the fact took effect, ISO 8601 with offset, e.g. 2025-04-10T10:00:00+08:00.") var at: String
        @Option(help: "Who records it: court:CODE, unit:CODE or system:CODE (default $LISTLEDGER_ACTOR).") var actor: String?
        @Option(help: "An idempotency key: recording the same id twice stores the event once.") var id: String?
        @Option(help: "court:CODE (the deciding court, or the higher court of a reconsideration).") var court: String?
        @Option(name: .customLong("case"), help: "The case number.") var caseNumber: String?
        @Option(help: "person or organization.") var debtorKind: String?
        @Option(help: "The debtor's name.") var debtorName: String?
        @Option(help: "Resident ID number or unified social credit code (18 characters).") var debtorId: String?
        @Option(help: "An organization's legal representative.") var legalRepresentative: String?
        @Option(help: "Grounds, comma-separated: \(Ground.allCases.map(\.rawValue).joined(separator: ", ")).") var grounds: String?
        @Option(name: .customLong("public"), help: "true or false: may the entry be published?") var isPublic: String?
        @Option(help: "The inclusion term in months.") var termMonths: Int?
        @Option(help: "Publication channels, comma-separated.") var channels: String?
        @Option(help: "unit:CODE.") var unit: String?
        @Option(help: "The measure's name.") var measure: String?
        @Option(help: "The legal basis for retaining a measure.") var legalBasis: String?
        @Option(help: "The end date of a retained measure, YYYY-MM-DD.") var until: String?
        @Option(help: "The reason (free text; for entry_revoked one of correction, reconsideration, discharge, term_ended, early_deletion, error).") var reason: String?
        @Option(help: "upheld or rejected.") var outcome: String?
        @Option(help: "One of SPC art. 10's seven: \(DischargeBasis.allCases.map(\.rawValue).joined(separator: ", ")).") var basis: String?
        @Option(help: "The complaint's id.") var complaint: String?
        @Option(help: "What the investigation found.") var finding: String?
        @Option(help: "The obligation id (breach_flagged).") var obligation: String?
        @Option(help: "How a decision was served: in_person, post, electronic, public_notice.") var method: String?
        @Option(help: "A correction request's ground: should_not_be_listed, inaccurate, should_be_deleted.") var ground: String?
        @Option(help: "The day a debtor posted the application (交邮), YYYY-MM-DD.") var postedOn: String?
        @Option(help: "entry_corrected: FIELD=VALUE (case, debtor.name, debtor.id_number, debtor.legal_representative); repeatable.") var correct: [String] = []
        @Option(help: "term_extended: months, 12 to 36.") var months: Int?
        @Option(help: "record_annulled: the seq of the event annulled.") var annuls: Int?
        @Option(help: "complaint_received: the court or unit complained of.") var concerns: String?
        @Option(help: "complaint_resolved: the day the complainant was told, YYYY-MM-DD.") var complainantTold: String?

        func run() async throws {
            try await reportingFailuresAsync {
                guard let actor = actor ?? ProcessInfo.processInfo.environment["LISTLEDGER_ACTOR"] else {
                    throw Failure.input(InputError(field: "--actor", "is required (or set LISTLEDGER_ACTOR): court:CODE, unit:CODE or system:CODE"))
                }
                var members: [(String, JSONValue)] = [("type", .string(type)), ("at", .string(at)), ("actor", .string(actor))]
                func add(_ name: String, _ value: String?) { if let value { members.append((name, .string(value))) } }
                func list(_ text: String) -> JSONValue {
                    .array(text.split(separator: ",").map { .string($0.trimmingCharacters(in: .whitespaces)) })
                }
                add("entry", entry); add("id", id); add("court", court); add("case", caseNumber)
                if debtorKind != nil || debtorName != nil || debtorId != nil || legalRepresentative != nil {
                    var debtor: [(String, JSONValue)] = []
                    if let debtorKind { debtor.append(("kind", .string(debtorKind))) }
                    if let debtorName { debtor.append(("name", .string(debtorName))) }
                    if let debtorId { debtor.append(("id_number", .string(debtorId))) }
                    if let legalRepresentative { debtor.append(("legal_representative", .string(legalRepresentative))) }
                    members.append(("debtor", .object(debtor)))
                }
                if let grounds { members.append(("grounds", list(grounds))) }
                if let isPublic {
                    guard let flag = Bool(isPublic) else { throw Failure.input(InputError(field: "--public", "must be true or false")) }
                    members.append(("public", .bool(flag)))
                }
                if let termMonths { members.append(("term_months", .integer(Int64(termMonths)))) }
                if let channels { members.append(("channels", list(channels))) }
                add("unit", unit); add("measure", measure); add("legal_basis", legalBasis); add("until", until)
                add("reason", reason); add("outcome", outcome); add("basis", basis); add("complaint", complaint)
                add("finding", finding); add("obligation", obligation)
                add("method", method); add("ground", ground); add("posted_on", postedOn); add("concerns", concerns)
                add("complainant_told", complainantTold)
                if let months { members.append(("months", .integer(Int64(months)))) }
                if let annuls { members.append(("annuls", .integer(Int64(annuls)))) }
                if !correct.isEmpty {
                    var corrections: [(String, JSONValue)] = []
                    for pair in correct {
                        guard let equals = pair.firstIndex(of: "=") else {
                            throw Failure.input(InputError(field: "--correct", "\"\(pair)\" is not FIELD=VALUE"))
                        }
                        corrections.append((String(pair[..<equals]), .string(String(pair[pair.index(after: equals)...]))))
                    }
                    members.append(("corrections", .object(corrections)))
                }

                let event: Event
                do throws(InputError) { event = try Event.decode(.object(members), source: .input).event } catch { throw Failure.input(error) }
                let outcomes = try await self.ledger.withStorage(for: event) { storage in
                    try await storage.append([NumberedEvent(line: 1, event: event)])
                }
                switch outcomes.first {
                case .appended(let seq):
                    if output.json { printJSON(.object([("appended", .array([.integer(seq)]))])) } else { print("recorded \(type) as seq \(seq)") }
                case .duplicate(let seq):
                    if output.json { printJSON(.object([("duplicate", .integer(seq))])) } else if let id {
                        print("id \"\(id)\" is already stored as seq \(seq); not stored again")
                    } else {
                        print("repeats seq \(seq) (same content, no id); not stored again")
                    }
                case nil: break
                }
            }
        }
    }
}
