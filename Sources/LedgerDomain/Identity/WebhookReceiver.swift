/// A webhook receiver of the alert runner: one party's URL and the secret its POSTs are signed
/// with. Kept beside the log, never in it (operational state like `webhook_deliveries`); the
/// secret is stored as generated because signing needs it (the receiver holds the same one).
/// Either engine stores it (SQLite beside its log, PostgreSQL per log).
package struct WebhookReceiver: Sendable, Equatable {
    package var id: String
    package var party: String
    package var url: String
    package var secret: [UInt8]
    package var createdMilliseconds: Int64

    package init(id: String, party: String, url: String, secret: [UInt8], createdMilliseconds: Int64) {
        self.id = id
        self.party = party
        self.url = url
        self.secret = secret
        self.createdMilliseconds = createdMilliseconds
    }

    /// The key of its deliveries in `webhook_deliveries`: per receiver, so a receiver added
    /// again (new id, new secret) is sent the breaches again.
    package var deliveryAddress: String { "receiver:" + id }
}

