import ArgumentParser
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import LedgerDomain
import LedgerStore
import Logging
import ServiceLifecycle

extension ListLedger {
    struct Alerts: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show breaches and obligations due soon; exit 3 when breaches exist.",
            discussion: """
            Safe to run every hour from cron: with --record, each breached obligation gets one `breach_flagged` event, never two (its id is derived from the obligation). With --watch, runs every --interval until SIGTERM or SIGINT, logging each run. With --webhook URL, each breach is POSTed there as JSON; a failed POST is tried again on later runs until accepted.
            """
        )

        @OptionGroup var ledger: LedgerOptions
        @OptionGroup var output: OutputOptions
        @Option(name: .customLong("as-of"), help: "Judge at this instant or date (default: now).") var asOf: String?
        @Option(name: .customLong("due-within"), help: "Also list open obligations due within this many days, e.g. 1d or 3d (default 1d).")
        var dueWithin = DayCount(days: 1)
        @Flag(help: "Append one breach_flagged event per breach not flagged before.") var record = false
        @Option(help: "Who records the flags (system:CODE).") var actor: String = "system:alerts"
        @Option(help: "POST each breach not yet delivered to this URL as JSON (retried on later runs until accepted).") var webhook: String?
        @Flag(help: "Keep running: check every --interval until SIGTERM/SIGINT.") var watch = false
        @Option(help: "With --watch: time between runs, e.g. 30s, 15m, 1h.") var interval = Interval(seconds: 900)

        func run() async throws {
            let horizon = dueWithin.days
            if Party.kind(of: actor) != "system" { try reportingFailures { throw Failure.input(InputError(field: "--actor", "\"\(actor)\" is not system:CODE")) } }
            if let webhook, URL(string: webhook)?.scheme?.hasPrefix("http") != true {
                try reportingFailures { throw Failure.input(InputError(field: "--webhook", "\"\(webhook)\" is not an http(s) URL")) }
            }
            if watch {
                let seconds = interval.seconds
                var logger = Logger(label: "listledger.alerts")
                logger.logLevel = .info
                let service = AlertService(command: self, horizon: horizon, interval: seconds, logger: logger)
                let group = ServiceGroup(configuration: .init(services: [service], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
                try await group.run()
                return
            }
            var breachesFound = false
            try reportingFailures {
                breachesFound = try runOnce(horizon: horizon, logger: nil)
            }
            if breachesFound { throw ExitCode(3) }
        }

        /// One pass: find, print, record and notify. True when breaches exist.
        func runOnce(horizon: Int, logger: Logger?) throws -> Bool {
            let ledger = try self.ledger.open(readOnly: !record && webhook == nil)
            let when = try asOf.map { try parseTimeArgument($0, option: "--as-of") } ?? Clock.now()
            let findings = try ledger.alerts(asOf: when, horizonDays: horizon)
            var newlyFlagged: [Obligation] = findings.breaches
            if record {
                newlyFlagged = try ledger.recordBreaches(findings.breaches, actor: actor, clock: Clock.now)
            }
            let flags = try ledger.flaggedObligations()
            var delivered = 0
            var failed: [(id: String, reason: String)] = []
            if let webhook {
                // Every breach not yet delivered to this address, this run's or an earlier one's
                // whose POST failed: at least once, never lost. A failed POST does not hide the
                // breaches: they are printed and the run exits 3 as usual (issue 9 point 13).
                for obligation in try ledger.undelivered(findings.breaches, to: webhook) {
                    do {
                        try post(obligation, status: .breached, asOf: when, flaggedSeq: flags[obligation.id], to: webhook)
                    } catch let failure as WebhookFailure {
                        failed.append((obligation.id, failure.reason))
                        continue
                    }
                    try ledger.markDelivered(obligation, to: webhook, at: Clock.now())
                    delivered += 1
                }
            }
            let calendarStatus = CalendarStatus(calendar: try ledger.calendar(), today: when.beijingDay)
            defer {
                if let webhook, let first = failed.first {
                    let line = "webhook: delivery of \(failed.count) breach\(failed.count == 1 ? "" : "es") to \(webhook) failed (\(first.reason)); \(failed.count == 1 ? "it" : "they") will be retried on the next run"
                    if let logger { logger.warning("\(line)") } else { printError(line) }
                }
                if let warning = calendarStatus.warning {
                    if let logger { logger.warning("\(warning)") } else { printError(warning) }
                }
            }
            // SPEC §7 retention: only when the profile names a period (the built-ins do not).
            let erasures = try ledger.erasuresDue(asOf: when)
            if let logger {
                logger.info("alert run", metadata: ["breaches": "\(findings.breaches.count)", "due_soon": "\(findings.dueSoon.count)",
                                                    "flagged": "\(record ? newlyFlagged.count : 0)", "delivered": "\(delivered)"])
            } else if output.json {
                for obligation in findings.breaches {
                    printJSON(obligation.json(status: .breached, asOf: when, flaggedSeq: flags[obligation.id]).adding("alert", "breach"))
                }
                for obligation in findings.dueSoon {
                    printJSON(obligation.json(status: .open, asOf: when, flaggedSeq: flags[obligation.id]).adding("alert", "due_soon"))
                }
                for due in erasures {
                    printJSON(.object([("alert", .string("erasure_due")), ("entry", .string(due.entry)), ("obligor", .string(due.court)),
                                       ("retained_until", .string(due.retainedUntil.description))]))
                }
                // One closing line: the counts, delivery failures and how long the calendar lasts.
                printJSON(.object([("alert", .string("summary")), ("breaches", .integer(Int64(findings.breaches.count))),
                                   ("due_soon", .integer(Int64(findings.dueSoon.count))),
                                   ("webhook_failures", .integer(Int64(failed.count))),
                                   ("calendar", .string(calendarStatus.calendar.identity)),
                                   ("calendar_ends_in_days", .integer(Int64(calendarStatus.endsInDays)))]))
            } else {
                print("\(findings.breaches.count) breach\(findings.breaches.count == 1 ? "" : "es"), \(findings.dueSoon.count) due within \(horizon) day\(horizon == 1 ? "" : "s") (as of \(when.beijingDay), Beijing)")
                if !findings.breaches.isEmpty {
                    print("\nBREACHED")
                    printObligationTable(findings.breaches.map { ($0, .breached) }, asOf: when)
                }
                if !findings.dueSoon.isEmpty {
                    print("\nDUE SOON")
                    printObligationTable(findings.dueSoon.map { ($0, .open) }, asOf: when)
                }
                if !erasures.isEmpty {
                    print("\nPERSONAL DATA DUE FOR ERASURE (the court's duty: listledger erase)")
                    printTable(["entry", "court", "retained until"], erasures.map { [$0.entry, $0.court, $0.retainedUntil.description] })
                }
                if record { print("\nflagged \(newlyFlagged.count) new breach\(newlyFlagged.count == 1 ? "" : "es")") }
            }
            return !findings.breaches.isEmpty
        }

        func post(_ obligation: Obligation, status: ObligationStatus, asOf: Instant, flaggedSeq: Int64?, to address: String) throws {
            var request = URLRequest(url: URL(string: address)!)
            request.httpMethod = "POST"
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.httpBody = Data(CanonicalJSON.encode(obligation.json(status: status, asOf: asOf, flaggedSeq: flaggedSeq)))
            request.timeoutInterval = 10
            let outcome = WebhookOutcome()
            let done = DispatchSemaphore(value: 0)
            URLSession.shared.dataTask(with: request) { _, response, error in
                outcome.set(error.map(WebhookFailure.describe) ?? ((response as? HTTPURLResponse).map { (200..<300).contains($0.statusCode) ? nil : "HTTP \($0.statusCode)" } ?? nil))
                done.signal()
            }.resume()
            done.wait()
            if let failure = outcome.value { throw WebhookFailure(reason: failure) }
        }

    }
}

/// Why one webhook POST failed, in words an operator reads (not an NSError dump).
struct WebhookFailure: Error {
    let reason: String

    static func describe(_ error: Error) -> String {
        guard let url = error as? URLError else { return "\(type(of: error))" }
        switch url.code {
        case .cannotConnectToHost: return "connection refused"
        case .timedOut: return "timed out"
        case .cannotFindHost, .dnsLookupFailed: return "host not found"
        case .networkConnectionLost: return "connection lost"
        case .notConnectedToInternet: return "no network"
        case .secureConnectionFailed, .serverCertificateUntrusted: return "TLS failure"
        default: return "network error \(url.code.rawValue)"
        }
    }
}

/// The webhook's answer, handed from URLSession's callback thread to the waiting one.
private final class WebhookOutcome: @unchecked Sendable {
    // @unchecked: written once by the callback before the semaphore is signalled, read after the wait.
    var value: String?
    func set(_ value: String?) { self.value = value }
}

/// `alerts --watch`: one run per interval until a graceful shutdown.
struct AlertService: Service {
    let command: ListLedger.Alerts
    let horizon: Int
    let interval: Int
    let logger: Logger

    func run() async throws {
        logger.info("alert runner started", metadata: ["interval_seconds": "\(interval)", "ledger": "\(command.ledger.path)"])
        while !Task.isShuttingDownGracefully {
            do {
                _ = try command.runOnce(horizon: horizon, logger: logger)
            } catch {
                logger.error("alert run failed: \(error)")
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(interval)) }
        }
        logger.info("alert runner stopped")
    }
}

extension JSONValue {
    /// The object with `key` set to `value` (replaced if present, else appended).
    func setting(_ key: String, _ value: JSONValue) -> JSONValue {
        guard case .object(var members) = self else { return self }
        if let index = members.firstIndex(where: { $0.0 == key }) { members[index].1 = value } else { members.append((key, value)) }
        return .object(members)
    }

    func adding(_ key: String, _ value: String) -> JSONValue {
        guard case .object(var members) = self else { return self }
        members.append((key, .string(value)))
        return .object(members)
    }
}
