import LedgerCrypto

/// The signature a receiver checks: `X-ListLedger-Signature: sha256=<hex HMAC-SHA256 of the
/// body, keyed with the receiver's secret>`. The body carries `sent_at`, so the signature covers
/// the time too and a receiver can refuse an old body played again.
package enum WebhookSignature {
    package static let header = "X-ListLedger-Signature"

    package static func sign(_ body: [UInt8], secret: [UInt8]) -> String {
        "sha256=" + Hex.encode(HMACSHA256.authenticationCode(key: secret, message: body))
    }

    /// What a receiver does (and the tests do): recompute and compare in constant time.
    package static func verify(_ header: String, body: [UInt8], secret: [UInt8]) -> Bool {
        guard header.hasPrefix("sha256="), let given = Hex.decode(header.dropFirst("sha256=".count)) else { return false }
        return HMACSHA256.equal(given, HMACSHA256.authenticationCode(key: secret, message: body))
    }
}
