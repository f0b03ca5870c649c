package import LedgerDomain
package import LedgerStore

/// Where one run's breaches go: a registered receiver (one party's breaches, signed with its
/// secret) or the command line's `--webhook URL` (every breach, unsigned: an address the
/// operator names for one run, on a machine of their own).
package struct WebhookTarget: Sendable {
    package var url: String
    /// The key of this target's rows in `webhook_deliveries`.
    package var deliveryAddress: String
    package var secret: [UInt8]?
    /// Only breaches whose obligor is this party; nil: all.
    package var party: String?
    package var receiverID: String?

    package static func unsigned(url: String) -> WebhookTarget {
        WebhookTarget(url: url, deliveryAddress: url, secret: nil, party: nil, receiverID: nil)
    }

    package static func receiver(_ receiver: WebhookReceiver) -> WebhookTarget {
        WebhookTarget(url: receiver.url, deliveryAddress: receiver.deliveryAddress, secret: receiver.secret,
                      party: receiver.party, receiverID: receiver.id)
    }

    /// A unit's receiver gets only the unit's own breaches; a court's only the court's.
    package func wants(_ obligation: Obligation) -> Bool { party.map { $0 == obligation.obligor } ?? true }
}
