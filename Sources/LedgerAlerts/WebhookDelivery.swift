package import LedgerDomain
import LedgerService
package import LedgerStore

/// One run's deliveries: every breach not yet delivered to each target it concerns, at least
/// once, never lost (a failed POST is tried again on the next run; `webhook_deliveries`).
package struct WebhookDelivery {
    package struct Failure: Sendable {
        package var url: String
        package var obligation: String
        package var reason: String
    }

    package struct Report: Sendable {
        package var delivered = 0
        package var failures: [Failure] = []
        package init() {}
    }

    /// Which ledger and court a POST comes from: the log's origin (`keys init`; before it, the
    /// origin its key will get) and the ledger's court, else the entry's.
    package struct Source: Sendable {
        package var ledger: String
        package var court: String?

        package init(ledger: Ledger) throws {
            self.ledger = try ledger.identity()?.origin ?? ledger.defaultOrigin() ?? "listledger/unnamed"
            court = try ledger.meta("court")
        }

        /// A log of a PostgreSQL database: its origin and court.
        package init(origin: String, court: String?) {
            ledger = origin
            self.court = court
        }
    }

    /// The targets of a run: the registered receivers, and `--webhook URL` when given.
    package static func targets(ledger: Ledger, extraURL: String?) throws -> [WebhookTarget] {
        try ledger.receivers().map(WebhookTarget.receiver) + (extraURL.map { [.unsigned(url: $0)] } ?? [])
    }

    package static func deliver(_ breaches: [Obligation], flags: [String: Int64], asOf: Instant, to targets: [WebhookTarget],
                                ledger: Ledger, client: WebhookClient, now: () -> Instant) async throws -> Report {
        guard !targets.isEmpty, !breaches.isEmpty else { return Report() }
        return try await deliver(breaches, flags: flags, asOf: asOf, to: targets, book: SQLiteDeliveries(ledger: ledger, source: try Source(ledger: ledger)),
                                 client: client, now: now)
    }

    /// The same on either engine: `book` says what was delivered and records each delivery.
    package static func deliver(_ breaches: [Obligation], flags: [String: Int64], asOf: Instant, to targets: [WebhookTarget],
                                book: some DeliveryBook, client: WebhookClient, now: () -> Instant) async throws -> Report {
        var report = Report()
        guard !targets.isEmpty, !breaches.isEmpty else { return report }
        let source = book.source
        var courts: [String: String] = [:]
        for target in targets {
            for obligation in try await book.undelivered(breaches.filter(target.wants), to: target.deliveryAddress) {
                if courts[obligation.entry] == nil { courts[obligation.entry] = try await book.court(ofEntry: obligation.entry) }
                let court = source.court ?? courts[obligation.entry]
                let sentAt = now()
                let body = CanonicalJSON.encode(payload(obligation, asOf: asOf, flaggedSeq: flags[obligation.id], source: source, court: court, sentAt: sentAt))
                var headers = [("X-ListLedger-Ledger", source.ledger), ("X-ListLedger-Timestamp", String(sentAt.epochMilliseconds / 1000))]
                if let court { headers.append(("X-ListLedger-Court", court)) }
                if let id = target.receiverID { headers.append(("X-ListLedger-Receiver", id)) }
                if let secret = target.secret { headers.append((WebhookSignature.header, WebhookSignature.sign(body, secret: secret))) }
                if let reason = await client.post(body, to: target.url, headers: headers) {
                    report.failures.append(Failure(url: target.url, obligation: obligation.id, reason: reason))
                    continue
                }
                try await book.markDelivered(obligation, to: target.deliveryAddress, at: now())
                report.delivered += 1
            }
        }
        return report
    }

    /// The SQLite ledger's deliveries (`webhook_deliveries` in its file).
    struct SQLiteDeliveries: DeliveryBook {
        let ledger: Ledger
        let source: Source
        func undelivered(_ obligations: [Obligation], to address: String) async throws -> [Obligation] {
            try ledger.undelivered(obligations, to: address)
        }
        func markDelivered(_ obligation: Obligation, to address: String, at instant: Instant) async throws {
            try ledger.markDelivered(obligation, to: address, at: instant)
        }
        func court(ofEntry entry: String) async throws -> String? { try ledger.storedEntryState(entry)?.court }
    }

    /// The obligation as `alerts --json` prints it, and where it comes from (signed with it).
    static func payload(_ obligation: Obligation, asOf: Instant, flaggedSeq: Int64?, source: Source, court: String?, sentAt: Instant) -> JSONValue {
        guard case .object(var members) = obligation.json(status: .breached, asOf: asOf, flaggedSeq: flaggedSeq) else {
            return obligation.json(status: .breached, asOf: asOf, flaggedSeq: flaggedSeq)
        }
        members.append(("ledger", .string(source.ledger)))
        members.append(("court", court.map(JSONValue.string) ?? .null))
        members.append(("sent_at", .string(sentAt.utcDescription)))
        return .object(members)
    }
}

/// Where one run's deliveries are kept and its POSTs' source is read, on either engine.
package protocol DeliveryBook {
    /// The ledger and court the POSTs name.
    var source: WebhookDelivery.Source { get }
    /// Which of `obligations` have not yet been delivered to `address`.
    func undelivered(_ obligations: [Obligation], to address: String) async throws -> [Obligation]
    func markDelivered(_ obligation: Obligation, to address: String, at instant: Instant) async throws
    /// The court of `entry` (the POST's court when the ledger names none).
    func court(ofEntry entry: String) async throws -> String?
}
