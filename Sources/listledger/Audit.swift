import ArgumentParser
import Foundation
import LedgerCalendar
import LedgerCrypto
import LedgerDomain
import LedgerMerkle
import LedgerService

extension ListLedger {
    struct Audit: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Verify an audit bundle offline and re-derive the list state and obligations from its events alone.",
            discussion: """
            Needs no ledger: only the bundle and the verifier key the auditor trusts. Checks the checkpoint's signature and that it signs the bundle's tree size and root; each event's canonical bytes, chain hash and inclusion proof; the order and links of the events; and, for a bundle of the whole log, that it holds every event and recomputes the root. Then replays the events with the bundle's policy profile and calendar and prints each entry's state and each obligation's status at --as-of (default now). For an entry or a date-range bundle the state is what those events alone establish. Exit 0 every check holds; 4 a check failed (each failure names the seq and the check); 1 unreadable input.
            """
        )

        @Argument(help: ArgumentHelp("The bundle file (or - for standard input).", valueName: "bundle"))
        var bundleFile: String
        @Option(help: ArgumentHelp("The trusted verifier key NAME+KEYHASH+BASE64, or a file holding it.", valueName: "key"))
        var key: String
        @Option(name: .customLong("as-of"), help: "Judge obligations at this instant or date (default: now).") var asOf: String?
        @OptionGroup var output: OutputOptions

        func run() throws {
            try reportingFailures {
                let trusted = try readTrustedKey(key)
                let bytes: [UInt8]
                if bundleFile == "-" {
                    bytes = Array(FileHandle.standardInput.readDataToEndOfFile())
                } else {
                    guard let data = FileManager.default.contents(atPath: bundleFile) else { throw Failure.other("cannot read \(bundleFile)") }
                    bytes = Array(data)
                }
                let bundle: AuditBundle
                do { bundle = try AuditBundle(json: bytes) } catch { throw Failure.other("unreadable bundle: \(error)") }
                let moment = try asOf.map { try parseTimeArgument($0, option: "--as-of") } ?? Clock.now()
                var report = BundleAudit.verify(bundle, trustedKey: trusted)
                var derivation: BundleDerivation?
                if report.ok {
                    let (profile, calendar): (PolicyProfile, OfficialCalendar)
                    do { (profile, calendar) = try BundleDerivation.rules(of: bundle) } catch { throw Failure.other("unreadable bundle: \(error)") }
                    report.warnings += BundleDerivation.ruleWarnings(profile: profile, calendar: calendar)
                    if case let .range(from, to) = bundle.selection {
                        // A date range holds only the events of those days: what happened before
                        // or after can meet, open or precede a duty (issue 9 point 15).
                        report.warnings.append("the bundle holds the events of \(from)–\(to) only: the obligations derived from it may be incomplete (an event outside the range may have opened or met a duty), and an R1 breach cannot be established (the risk notice may lie before the range)")
                    }
                    derivation = BundleDerivation(events: report.events, profile: profile, calendar: calendar, asOf: moment,
                                                  stateAsOf: asOf == nil ? nil : moment)
                }
                if output.json {
                    printJSON(json(bundle, report, derivation, asOf: moment))
                } else {
                    printHuman(bundle, report, derivation, trusted: trusted)
                }
                if !report.ok { throw ExitCode(4) }
            }
        }

        func json(_ bundle: AuditBundle, _ report: AuditReport, _ derivation: BundleDerivation?, asOf: Instant) -> JSONValue {
            var members: [(String, JSONValue)] = [
                ("ok", .bool(report.ok)), ("origin", .string(bundle.origin)), ("tree_size", .integer(bundle.treeSize)),
                ("root", .string(StrictBase64.encode(bundle.root))), ("selection", bundle.selection.json),
                ("events", .integer(Int64(bundle.events.count))),
                ("failures", .array(report.failures.map { failure in
                    .object([("seq", failure.seq.map(JSONValue.integer) ?? .null), ("check", .string(failure.check)), ("detail", .string(failure.detail))])
                })),
                ("warnings", .array(report.warnings.map(JSONValue.string))),
            ]
            if let derivation {
                members += [
                    ("as_of", .string(asOf.description)), ("profile", .string(derivation.profile.name)),
                    ("calendar", .string(derivation.calendar.identity)),
                    ("entries", .array(derivation.states.map(\.json))),
                    ("obligations", .array(derivation.obligations.map { obligation, status in
                        var json = obligation.json(status: status, asOf: asOf, flaggedSeq: derivation.flagged[obligation.id])
                        if isPartial(bundle) {
                            json = json.setting("may_be_incomplete", .bool(true))
                            if obligation.rule == "R1" { json = json.setting("status", .string("undetermined")) }
                        }
                        return json
                    })),
                ]
            }
            return .object(members)
        }

        func printHuman(_ bundle: AuditBundle, _ report: AuditReport, _ derivation: BundleDerivation?, trusted: NoteVerifierKey) {
            print("audit bundle   \(bundleFile)")
            print("origin         \(bundle.origin)")
            print("trusted key    \(trusted.description)")
            print("checkpoint     tree size \(bundle.treeSize), root \(StrictBase64.encode(bundle.root))")
            print("selection      \(bundle.selection.summary), \(bundle.events.count) event\(bundle.events.count == 1 ? "" : "s")")
            for warning in report.warnings { print("warning        \(warning)") }
            guard report.ok, let derivation else {
                print("result         FAILED: \(report.failures.count) check\(report.failures.count == 1 ? "" : "s") did not hold")
                for failure in report.failures {
                    print("  FAIL \(failure.check) at \(failure.seq.map { "seq \($0)" } ?? "bundle"): \(failure.detail)")
                }
                return
            }
            print("result         OK: signature, proofs, chain\(bundle.selection == .all ? ", contiguity and root" : "") verified")
            print("rules          profile \(derivation.profile.name), calendar \(derivation.calendar.identity)")
            print("")
            if bundle.selection != .all { print("state derived from the bundle's events alone:") }
            printTable(["entry", "status", "court", "public", "debtor", "units"], derivation.states.map { state in
                [state.entry, state.status.rawValue, state.court, state.isPublic.map { $0 ? "yes" : "no (employer)" } ?? "-", state.debtor,
                 state.holders.joined(separator: " ")]
            })
            print("\(derivation.states.count) entr\(derivation.states.count == 1 ? "y" : "ies")")
            print("")
            if isPartial(bundle) {
                // R1 from a date range is not a fact: the notice may precede the range.
                let shown = derivation.obligations.filter { $0.0.rule != "R1" }
                printObligationTable(shown, asOf: derivation.asOf)
                let r1 = derivation.obligations.count - shown.count
                if r1 > 0 { print("\(r1) R1 obligation\(r1 == 1 ? "" : "s") undetermined: the risk notice may lie before the range") }
                print("may be incomplete: derived from a date range of the log, not the whole of it")
            } else {
                printObligationTable(derivation.obligations, asOf: derivation.asOf)
            }
        }

        /// A date-range bundle is a slice of the log: facts outside it are unknown to the audit.
        func isPartial(_ bundle: AuditBundle) -> Bool {
            if case .range = bundle.selection { return true }
            return false
        }
    }
}
