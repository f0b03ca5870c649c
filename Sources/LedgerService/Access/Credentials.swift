import Foundation
import HummingbirdBcrypt
import LedgerCrypto
package import LedgerDomain
package import LedgerStore

/// Issuing and checking credentials. Tokens are `ll_ID_SECRET` (ID 16 hex digits, SECRET 64):
/// the ID finds the row, and SHA-256 of the whole token is compared with the stored hash in
/// constant time, so neither a timing nor a stolen database reveals a usable token.
package enum Credentials {
    package struct IssuedToken: Sendable {
        package var id: String
        package var token: String
        package var stored: StoredCredential
    }

    package static func issueToken(party: String, scopes: [Scope], expiresInDays: Int?, now: Instant) throws(InputError) -> IssuedToken {
        try PartyName.validate(party, field: "party")
        guard !scopes.isEmpty else { throw InputError(field: "scope", "name at least one scope") }
        if let days = expiresInDays, !(1...3650).contains(days) {
            throw InputError(field: "expires", "must be 1 to 3650 days, got \(days)")
        }
        let id = Hex.encode(randomBytes(8))
        let token = "ll_\(id)_\(Hex.encode(randomBytes(32)))"
        let stored = StoredCredential(
            id: id, party: party, scopes: scopes.map(\.rawValue), createdMilliseconds: now.epochMilliseconds,
            expiresMilliseconds: expiresInDays.map { now.epochMilliseconds + Int64($0) * 86_400_000 },
            revokedMilliseconds: nil, secretHash: SHA256.hash(Array(token.utf8)))
        return IssuedToken(id: id, token: token, stored: stored)
    }

    /// The token's id, when the text has the token's shape.
    package static func tokenID(_ token: String) -> String? {
        let parts = token.split(separator: "_", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "ll", parts[1].utf8.count == 16, parts[2].utf8.count == 64,
              (parts[1] + parts[2]).utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }) else { return nil }
        return String(parts[1])
    }

    /// The principal of a presented bearer token, or nil when it is unknown, revoked, expired or wrong.
    package static func check(token: String, stored: StoredCredential?, now: Instant) -> Principal? {
        guard let stored, stored.revokedMilliseconds == nil else { return nil }
        if let expires = stored.expiresMilliseconds, expires <= now.epochMilliseconds { return nil }
        guard constantTimeEqual(SHA256.hash(Array(token.utf8)), stored.secretHash) else { return nil }
        return principal(of: stored, credential: "token:\(stored.id)")
    }

    /// Whether a stored token still grants access (an open feed asks this on every poll).
    package static func isLive(_ stored: StoredCredential?, now: Instant) -> Bool {
        guard let stored, stored.revokedMilliseconds == nil else { return false }
        return stored.expiresMilliseconds.map { $0 > now.epochMilliseconds } ?? true
    }

    // MARK: users

    /// bcrypt cost 12 (about 0.25 s here): slow for a guesser, once per sign-in for a person.
    package static let bcryptCost: UInt8 = 12

    package static func makeUser(name: String, party: String, scopes: [Scope], password: String, now: Instant, cost: UInt8 = bcryptCost) throws(InputError) -> StoredCredential {
        guard !name.isEmpty, name.utf8.count <= 64,
              name.utf8.allSatisfy({ (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x2D || $0 == 0x5F || $0 == 0x2E }) else {
            throw InputError(field: "name", "\"\(name)\" is not a user name (1–64 of a-z 0-9 - _ .)")
        }
        try PartyName.validate(party, field: "party")
        guard !scopes.isEmpty else { throw InputError(field: "scope", "name at least one scope") }
        guard password.count >= 12 else { throw InputError(field: "password", "must be at least 12 characters") }
        return StoredCredential(id: name, party: party, scopes: scopes.map(\.rawValue), createdMilliseconds: now.epochMilliseconds,
                                expiresMilliseconds: nil, revokedMilliseconds: nil,
                                secretHash: Array(Bcrypt.hash(password, cost: cost).utf8))
    }

    /// The principal of a user name and password, or nil when unknown, disabled or wrong.
    package static func check(password: String, stored: StoredCredential?) -> Principal? {
        guard let stored, stored.revokedMilliseconds == nil else {
            // Spend the same time on an unknown name as on a wrong password.
            _ = Bcrypt.verify(password, hash: dummyHash)
            return nil
        }
        guard Bcrypt.verify(password, hash: String(decoding: stored.secretHash, as: UTF8.self)) else { return nil }
        return principal(of: stored, credential: "user:\(stored.id)")
    }

    private static let dummyHash = Bcrypt.hash("not a password of anyone", cost: bcryptCost)

    private static func principal(of stored: StoredCredential, credential: String) -> Principal {
        Principal(party: stored.party, scopes: Set(stored.scopes.compactMap(Scope.init(rawValue:))), credential: credential)
    }

    /// Compares two byte strings in time that depends only on their lengths.
    package static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for i in 0..<a.count { difference |= a[i] ^ b[i] }
        return difference == 0
    }

    static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }
}

extension Credentials {
    /// Finds the principal of an `Authorization` header value: `Bearer TOKEN` or `Basic` for a
    /// user. Nil when the credential is not valid (unknown, revoked, disabled, expired, wrong).
    package static func authenticate(authorization: String, ledger: Ledger, now: Instant) throws -> Principal? {
        switch presented(authorization) {
        case let .token(id, token)?: return check(token: token, stored: try ledger.token(id: id), now: now)
        case let .user(name, password)?: return check(password: password, stored: try ledger.user(name: name))
        case nil: return nil
        }
    }

    /// What an `Authorization` header presents, before any store is asked.
    package enum Presented: Sendable {
        case token(id: String, token: String)
        case user(name: String, password: String)
    }

    /// `Bearer TOKEN` (a token's shape) or `Basic BASE64(name:password)`; nil for anything else.
    package static func presented(_ authorization: String) -> Presented? {
        if authorization.hasPrefix("Bearer ") {
            let token = String(authorization.dropFirst("Bearer ".count)).trimmingCharacters(in: .whitespaces)
            return tokenID(token).map { .token(id: $0, token: token) }
        }
        if authorization.hasPrefix("Basic ") {
            guard let data = Data(base64Encoded: String(authorization.dropFirst("Basic ".count)).trimmingCharacters(in: .whitespaces)),
                  let text = String(data: data, encoding: .utf8), let colon = text.firstIndex(of: ":") else { return nil }
            return .user(name: String(text[..<colon]), password: String(text[text.index(after: colon)...]))
        }
        return nil
    }

    /// Whether the credential behind a principal still grants access (revocation is immediate,
    /// including for an open feed, which asks this on every poll).
    package static func stillValid(_ principal: Principal, ledger: Ledger, now: Instant) throws -> Bool {
        if let id = tokenCredential(principal) { return isLive(try ledger.token(id: id), now: now) }
        if let name = userCredential(principal) { return isActive(try ledger.user(name: name)) }
        return false
    }

    /// The token id of a `token:ID` principal.
    package static func tokenCredential(_ principal: Principal) -> String? {
        principal.credential.hasPrefix("token:") ? String(principal.credential.dropFirst("token:".count)) : nil
    }

    /// The user name of a `user:NAME` principal.
    package static func userCredential(_ principal: Principal) -> String? {
        principal.credential.hasPrefix("user:") ? String(principal.credential.dropFirst("user:".count)) : nil
    }

    /// Whether a stored user may still sign in (exists, not disabled).
    package static func isActive(_ user: StoredCredential?) -> Bool {
        user != nil && user?.revokedMilliseconds == nil
    }
}
