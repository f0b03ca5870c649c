// What the server authenticates with, as either engine stores it (SQLite's credential tables,
// PostgreSQL's `credential_tokens` / `credential_users`): one type for both.

/// A user (a person) or a bearer token (a program), as stored. Secrets are stored hashed only.
package struct StoredCredential: Sendable, Equatable {
    package var id: String
    package var party: String
    package var scopes: [String]
    package var createdMilliseconds: Int64
    package var expiresMilliseconds: Int64?
    package var revokedMilliseconds: Int64?
    /// SHA-256 of the token, or the bcrypt hash of the password.
    package var secretHash: [UInt8]

    package init(id: String, party: String, scopes: [String], createdMilliseconds: Int64, expiresMilliseconds: Int64?,
                 revokedMilliseconds: Int64?, secretHash: [UInt8]) {
        self.id = id
        self.party = party
        self.scopes = scopes
        self.createdMilliseconds = createdMilliseconds
        self.expiresMilliseconds = expiresMilliseconds
        self.revokedMilliseconds = revokedMilliseconds
        self.secretHash = secretHash
    }
}
