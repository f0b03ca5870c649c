import ArgumentParser
import Foundation
import LedgerAlerts
import LedgerCalendar
import LedgerDomain
import LedgerService
import LedgerPostgres
import LedgerStorage
import LedgerStore
import Logging
import ServiceLifecycle
import UnixSignals

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
        @OptionGroup var log: CourtOption

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
                let command = self, runLogger = logger
                let service = AlertService(interval: seconds, logger: logger, ledgerPath: ledger.path) {
                    _ = try await command.runOnce(horizon: horizon, logger: runLogger)
                }
                let group = ServiceGroup(configuration: .init(services: [service], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
                try await group.run()
                return
            }
            var breachesFound = false
            try await reportingFailuresAsync {
                breachesFound = try await runOnce(horizon: horizon, logger: nil)
            }
            if breachesFound { throw ExitCode(3) }
        }

        /// One pass: find, print, record and notify. True when breaches exist.
        func runOnce(horizon: Int, logger: Logger?) async throws -> Bool {
            if let url = try self.ledger.postgres() { return try await runOnceOnPostgres(url, horizon: horizon, logger: logger) }
            self.ledger.catchUpObligations()
            // Read-only unless this run writes: flags, or deliveries to record.
            var ledger = try self.ledger.open(readOnly: !record && webhook == nil)
            var targets = try WebhookDelivery.targets(ledger: ledger, extraURL: webhook)
            if !targets.isEmpty && !record && webhook == nil {
                ledger = try self.ledger.open()
                targets = try WebhookDelivery.targets(ledger: ledger, extraURL: webhook)
            }
            let when = try asOf.map { try parseTimeArgument($0, option: "--as-of") } ?? Clock.now()
            let findings = try ledger.alerts(asOf: when, horizonDays: horizon)
            var newlyFlagged: [Obligation] = findings.breaches
            if record {
                newlyFlagged = try ledger.recordBreaches(findings.breaches, actor: actor, clock: Clock.now)
            }
            let flags = try ledger.flaggedObligations()
            // Every breach not yet delivered to each target, this run's or an earlier one's
            // whose POST failed: at least once, never lost. A failed POST does not hide the
            // breaches: they are printed and the run exits 3 as usual (issue 9 point 13).
            var deliveries = WebhookDelivery.Report()
            if !targets.isEmpty && !findings.breaches.isEmpty {
                let client = WebhookClient()
                do {
                    deliveries = try await WebhookDelivery.deliver(findings.breaches, flags: flags, asOf: when, to: targets,
                                                                   ledger: ledger, client: client, now: Clock.now)
                } catch {
                    await client.shutdown()
                    throw error
                }
                await client.shutdown()
            }
            let calendarStatus = CalendarStatus(calendar: try ledger.calendar(), today: when.beijingDay)
            // SPEC §7 retention: only when the profile names a period (the built-ins do not).
            let erasures = try ledger.erasuresDue(asOf: when)
            show(Run(when: when, findings: findings, newlyFlagged: newlyFlagged, flags: flags, deliveries: deliveries,
                     calendarStatus: calendarStatus, erasures: erasures), horizon: horizon, logger: logger)
            return !findings.breaches.isEmpty
        }

        /// What one run found and did, for `show`.
        struct Run {
            var when: Instant
            var findings: AlertFindings
            var newlyFlagged: [Obligation]
            var flags: [String: Int64]
            var deliveries = WebhookDelivery.Report()
            var calendarStatus: CalendarStatus
            var erasures: [ErasureDue]
        }

        /// Prints (or, with --watch, logs) one run, the same on either engine.
        func show(_ run: Run, horizon: Int, logger: Logger?) {
            let (when, findings, newlyFlagged, flags, erasures, calendarStatus) = (run.when, run.findings, run.newlyFlagged, run.flags, run.erasures, run.calendarStatus)
            let delivered = run.deliveries.delivered
            let failed = run.deliveries.failures
            defer {
                // One line per receiver that failed: how many, the first reason, "will be retried".
                var urls: [String] = []
                for failure in failed where !urls.contains(failure.url) { urls.append(failure.url) }
                for url in urls {
                    let mine = failed.filter { $0.url == url }
                    let line = "webhook: delivery of \(mine.count) breach\(mine.count == 1 ? "" : "es") to \(url) failed (\(mine[0].reason)); \(mine.count == 1 ? "it" : "they") will be retried on the next run"
                    if let logger { logger.warning("\(line)") } else { printError(line) }
                }
                if let warning = calendarStatus.warning {
                    if let logger { logger.warning("\(warning)") } else { printError(warning) }
                }
            }
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
        }

        /// One pass on PostgreSQL, through the storage seam: the same findings, flags, webhook
        /// deliveries and output as on SQLite (receivers and deliveries are the log's tables).
        func runOnceOnPostgres(_ url: PostgresURL, horizon: Int, logger: Logger?) async throws -> Bool {
            let when = try asOf.map { try parseTimeArgument($0, option: "--as-of") } ?? Clock.now()
            let (record, actor, webhook) = (self.record, self.actor, self.webhook)
            let (findings, newlyFlagged, flags, erasures, deliveries, calendar) = try await ledger.withStorage(readOnly: !record && webhook == nil, log: log) { storage in
                // The query asks only for duties due by the horizon (issue 8, memory).
                let findings = AlertFindings(asOf: when, horizonDays: horizon,
                                             found: try await storage.obligations(AlertFindings.query(asOf: when, horizonDays: horizon)))
                var newlyFlagged = findings.breaches
                if record {
                    let (fresh, events) = AlertFindings.flagEvents(findings.breaches, flagged: try await storage.flaggedObligations(), actor: actor)
                    let outcomes = fresh.isEmpty ? [] : try await storage.append(events)
                    newlyFlagged = zip(fresh, outcomes).compactMap { obligation, outcome in
                        if case .appended = outcome { return obligation } else { return nil }
                    }
                }
                let days = PolicyProfile.named(try await storage.profileName())?.personalDataRetention?.daysAfterExit
                let erasures: [ErasureDue] = try await days.asyncMap { days -> [ErasureDue] in
                    // Streamed: only the erasures due are kept, not every state (issue 8).
                    let due = Collected<ErasureDue>()
                    try await storage.forEachEntryState(StateQuery()) { state in ErasureDue.of(state, asOf: when, daysAfterExit: days).map(due.append) }
                    return due.items
                } ?? []
                let flags = try await storage.flaggedObligations()
                var deliveries = WebhookDelivery.Report()
                if let postgres = storage as? PostgresStorage, !findings.breaches.isEmpty {
                    let targets = try await postgres.database.receivers(of: postgres.log).map(WebhookTarget.receiver) + (webhook.map { [.unsigned(url: $0)] } ?? [])
                    if !targets.isEmpty {
                        let client = WebhookClient()
                        do {
                            deliveries = try await WebhookDelivery.deliver(findings.breaches, flags: flags, asOf: when, to: targets,
                                                                           book: PostgresDeliveries(storage: postgres), client: client, now: Clock.now)
                        } catch {
                            await client.shutdown()
                            throw error
                        }
                        await client.shutdown()
                    }
                }
                // The calendar the obligations were judged with: the database's loaded one.
                let calendar = try await (storage as? PostgresStorage)?.database.calendar() ?? .embedded
                return (findings, newlyFlagged, flags, erasures, deliveries, calendar)
            }
            show(Run(when: when, findings: findings, newlyFlagged: newlyFlagged, flags: flags, deliveries: deliveries,
                     calendarStatus: CalendarStatus(calendar: calendar, today: when.beijingDay), erasures: erasures),
                 horizon: horizon, logger: logger)
            return !findings.breaches.isEmpty
        }
    }
}

/// A PostgreSQL log's webhook deliveries (`webhook_deliveries`, per log).
struct PostgresDeliveries: DeliveryBook {
    let storage: PostgresStorage
    var source: WebhookDelivery.Source { WebhookDelivery.Source(origin: storage.log.origin, court: storage.log.court) }

    func undelivered(_ obligations: [Obligation], to address: String) async throws -> [Obligation] {
        let done = try await storage.database.delivered(obligations.map(\.id), to: address, in: storage.log)
        return obligations.filter { !done.contains($0.id) }
    }

    func markDelivered(_ obligation: Obligation, to address: String, at instant: Instant) async throws {
        try await storage.database.markDelivered(obligation.id, to: address, at: instant.epochMilliseconds, in: storage.log)
    }

    /// Every entry of a log is its court's.
    func court(ofEntry entry: String) async throws -> String? { storage.log.court }
}

extension Optional {
    func asyncMap<U>(_ transform: (Wrapped) async throws -> U) async rethrows -> U? {
        guard let self else { return nil }
        return try await transform(self)
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
