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
            var delivered = 0
            if let webhook {
                // Every breach not yet delivered to this address, this run's or an earlier one's
                // whose POST failed: at least once, never lost.
                for obligation in try ledger.undelivered(findings.breaches, to: webhook) {
                    try post(obligation, status: .breached, asOf: when, to: webhook)
                    try ledger.markDelivered(obligation, to: webhook, at: Clock.now())
                    delivered += 1
                }
            }
            if let logger {
                logger.info("alert run", metadata: ["breaches": "\(findings.breaches.count)", "due_soon": "\(findings.dueSoon.count)",
                                                    "flagged": "\(record ? newlyFlagged.count : 0)", "delivered": "\(delivered)"])
            } else if output.json {
                for obligation in findings.breaches {
                    printJSON(obligation.json(status: .breached, asOf: when, flaggedSeq: nil).adding("alert", "breach"))
                }
                for obligation in findings.dueSoon {
                    printJSON(obligation.json(status: .open, asOf: when, flaggedSeq: nil).adding("alert", "due_soon"))
                }
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
                if record { print("\nflagged \(newlyFlagged.count) new breach\(newlyFlagged.count == 1 ? "" : "es")") }
            }
            return !findings.breaches.isEmpty
        }

        func post(_ obligation: Obligation, status: ObligationStatus, asOf: Instant, to address: String) throws {
            var request = URLRequest(url: URL(string: address)!)
            request.httpMethod = "POST"
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.httpBody = Data(CanonicalJSON.encode(obligation.json(status: status, asOf: asOf, flaggedSeq: nil)))
            request.timeoutInterval = 10
            let outcome = WebhookOutcome()
            let done = DispatchSemaphore(value: 0)
            URLSession.shared.dataTask(with: request) { _, response, error in
                outcome.set(error.map { "\($0)" } ?? ((response as? HTTPURLResponse).map { (200..<300).contains($0.statusCode) ? nil : "HTTP \($0.statusCode)" } ?? nil))
                done.signal()
            }.resume()
            done.wait()
            if let failure = outcome.value { throw Failure.other("webhook \(address) failed for \(obligation.id): \(failure)") }
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
    func adding(_ key: String, _ value: String) -> JSONValue {
        guard case .object(var members) = self else { return self }
        members.append((key, .string(value)))
        return .object(members)
    }
}
