import Foundation
import HTTPTypes
import Hummingbird
import LedgerService

/// What a read must see (issue 13 point 4, read-your-writes behind a balancer): the seq the
/// caller says it needs (`Ledger-After-Seq`, e.g. the `Ledger-Seq` its POST was answered
/// with, by whichever server process) and the credential asking, whose own acknowledged appends
/// the serving process also remembers. Bound for the request by `ReadYourWritesMiddleware`;
/// only a ledger that reads a replica (`StandbyServerLedger`) looks at it, so on a SQLite file
/// or a primary-only server the header is accepted and changes nothing (they are never behind).
package struct ReadRequirement: Sendable, Equatable {
    /// The seq the log must hold for this read (the header), nil when none was given.
    package var afterSeq: Int64?
    /// The credential of the request, nil for the public.
    package var credential: String?

    package init(afterSeq: Int64? = nil, credential: String? = nil) {
        self.afterSeq = afterSeq
        self.credential = credential
    }

    /// The current request's requirement (none outside a request).
    @TaskLocal package static var current = ReadRequirement()

    static let header = HTTPField.Name("Ledger-After-Seq")!
    /// On an append's answer: the highest seq it was answered with, to pass on as `header`.
    static let answerHeader = HTTPField.Name("Ledger-Seq")!
}

/// Binds `ReadRequirement.current` for the rest of the request, after authentication (the
/// credential) and before any route. A header that is not a seq is refused with 400 naming it.
struct ReadYourWritesMiddleware: RouterMiddleware {
    typealias Context = LedgerRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var requirement = ReadRequirement(credential: context.principal?.credential)
        if let text = request.headers[ReadRequirement.header] {
            guard let seq = Int64(text.trimmingCharacters(in: .whitespaces)), seq >= 0 else {
                throw APIError(.badRequest, field: "Ledger-After-Seq", "must be a seq (0 or more), e.g. the Ledger-Seq an append was answered with; got \(text)")
            }
            requirement.afterSeq = seq
        }
        return try await ReadRequirement.$current.withValue(requirement) { try await next(request, context) }
    }
}
