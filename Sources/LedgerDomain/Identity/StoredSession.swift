// A web sign-in session as either engine reads it back (SQLite's `web_sessions`, PostgreSQL's
// `web_sessions`), joined with its user: one type for both.

/// A live session as the pages need it: who, and the form token that must come back.
package struct StoredSession: Sendable, Equatable {
    package var user: String
    package var party: String
    package var scopes: [String]
    /// The synchronizer token every form of this session carries (hex).
    package var csrfToken: String
    package var expiresMilliseconds: Int64

    package init(user: String, party: String, scopes: [String], csrfToken: String, expiresMilliseconds: Int64) {
        self.user = user
        self.party = party
        self.scopes = scopes
        self.csrfToken = csrfToken
        self.expiresMilliseconds = expiresMilliseconds
    }
}
