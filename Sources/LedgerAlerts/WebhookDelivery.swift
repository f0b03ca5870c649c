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
    }

    /// The targets of a run: the registered receivers, and `--webhook URL` when given.
    package static func targets(ledger: Ledger, extraURL: String?) throws -> [WebhookTarget] {
        try ledger.receivers().map(WebhookTarget.receiver) + (extraURL.map { [.unsigned(url: $0)] } ?? [])
    }

    package static func deliver(_ breaches: [Obligation], flags: [String: Int64], asOf: Instant, to targets: [WebhookTarget],
                                ledger: Ledger, client: WebhookClient, now: () -> Instant) async throws -> Report {
        var report = Report()
        guard !targets.isEmpty, !breaches.isEmpty else { return report }
        let source = try Source(ledger: ledger)
        var courts: [String: String] = [:]
        for target in targets {
            for obligation in try ledger.undelivered(breaches.filter(target.wants), to: target.deliveryAddress) {
                if courts[obligation.entry] == nil { courts[obligation.entry] = try ledger.storedEntryState(obligation.entry)?.court }
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
                try ledger.markDelivered(obligation, to: target.deliveryAddress, at: now())
                report.delivered += 1
            }
        }
        return report
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
