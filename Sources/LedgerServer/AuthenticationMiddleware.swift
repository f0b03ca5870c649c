import Hummingbird
import LedgerService
import Logging

/// Resolves the `Authorization` header to a principal, once per request, through the ledger
/// (bcrypt for users runs off the cooperative pool). A request with no header goes on
/// as the public; one with a header that is not a valid credential is refused with 401 at once,
/// whatever route it asked for, so a revoked token never falls back to public access silently.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = LedgerRequestContext
    let ledger: any ServerLedger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let authorization = request.headers[.authorization] else { return try await next(request, context) }
        let principal = try await ledger.authenticate(authorization: authorization, now: LedgerClock.now())
        guard let principal else { throw APIError.unauthorized }
        var context = context
        context.principal = principal
        context.logger[metadataKey: "party"] = .string(principal.party)
        return try await next(request, context)
    }
}

extension LedgerRequestContext {
    /// The principal, or 401.
    func requirePrincipal() throws -> Principal {
        guard let principal else { throw APIError.unauthorized }
        return principal
    }

    /// The principal if it may read beyond the public list, else 401 or 403.
    func requireReader() throws -> Principal {
        let principal = try requirePrincipal()
        guard Visibility.mayRead(principal) else {
            throw APIError(.forbidden, "this credential has neither the read nor the audit scope")
        }
        return principal
    }
}
