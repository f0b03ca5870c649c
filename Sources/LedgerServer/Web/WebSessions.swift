import Foundation
import Hummingbird
import LedgerCrypto
import LedgerDomain
import LedgerService
import LedgerStore

/// Who is looking at a page: a signed-in person (a live session) with the principal the API
/// would give the same user, and the session's form token.
struct WebVisitor: Sendable {
    var user: String
    var principal: Principal
    var csrfToken: String
    var sessionHash: [UInt8]
}

/// Sign-in sessions and the synchronizer token (issue 10.11). Only the pages use sessions: the
/// API takes `Authorization` only, so a cookie never authorizes `POST /api/v1/events`.
extension LedgerServerApp {
    static func sessionHash(_ id: String) -> [UInt8] { SHA256.hash(Array(id.utf8)) }

    /// The visitor of a request, or nil (no cookie, unknown, ended, expired, user disabled).
    func visitor(_ request: Request) async throws -> WebVisitor? {
        guard let id = Cookies.parse(request.headers[.cookie])[Cookies.session], id.utf8.count == 64 else { return nil }
        let hash = Self.sessionHash(id)
        let now = LedgerClock.now().epochMilliseconds
        guard let session = try await ledger.liveSession(idHash: hash, nowMilliseconds: now) else { return nil }
        let principal = Principal(party: session.party, scopes: Set(session.scopes.compactMap(Scope.init(rawValue:))), credential: "user:\(session.user)")
        return WebVisitor(user: session.user, principal: principal, csrfToken: session.csrfToken, sessionHash: hash)
    }

    /// Checks the user name and password (bcrypt, on a read connection, off the cooperative
    /// pool) and opens a session: returns the cookie value, or nil when the sign-in fails.
    func signIn(user: String, password: String) async throws -> String? {
        guard !user.isEmpty, !password.isEmpty, user.utf8.count <= 64, password.utf8.count <= 1024 else { return nil }
        let principal = try await ledger.checkPassword(user: user, password: password)
        guard principal != nil else { return nil }
        let id = Hex.encode(RandomBytes.generate(32))
        let csrf = Hex.encode(RandomBytes.generate(32))
        let now = LedgerClock.now().epochMilliseconds
        let lifetime = settings.web.sessionLifetimeMilliseconds
        try await ledger.insertSession(idHash: Self.sessionHash(id), user: user, csrfToken: csrf,
                                      createdMilliseconds: now, expiresMilliseconds: now + lifetime)
        return id
    }

    func signOut(_ visitor: WebVisitor) async throws {
        let now = LedgerClock.now().epochMilliseconds
        try await ledger.endSession(idHash: visitor.sessionHash, at: now)
    }

    /// Whether a posted form carries this session's token (compared in constant time).
    static func tokenMatches(_ form: FormBody, _ visitor: WebVisitor) -> Bool {
        guard let sent = form["csrf"] else { return false }
        return Credentials.constantTimeEqual(Array(sent.utf8), Array(visitor.csrfToken.utf8))
    }

    func sessionCookie(_ id: String) -> String {
        Cookies.set(Cookies.session, id, maxAgeSeconds: max(1, settings.web.sessionLifetimeMilliseconds / 1000), secure: settings.web.secureCookies)
    }

    func clearedSessionCookie() -> String {
        Cookies.set(Cookies.session, "", maxAgeSeconds: 0, secure: settings.web.secureCookies)
    }
}
