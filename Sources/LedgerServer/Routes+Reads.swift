import Hummingbird
import LedgerCalendar
import LedgerDomain
import LedgerService
import LedgerStore

/// The credentialed reads: entries, one entry, its history, obligations; each limited by
/// `Visibility`, each read of personal data written to the access log before it is answered.
extension LedgerServerApp {
    func listEntries(_ request: Request, _ context: LedgerRequestContext) async throws -> Response {
        let principal = try context.requireReader()
        let profile = try await ledger.profileName()
        let states = try await ledger.allEntryStates().filter { Visibility.maySee(principal, entry: $0) }
        try await logAccess(principal, entries: states.map(\.entry), route: "/api/v1/entries", context: context)
        return JSONResponse.make(.ok, LedgerJSON.state(profile: profile, states: states))
    }

    func showEntry(_ request: Request, _ context: LedgerRequestContext) async throws -> Response {
        let principal = try context.requireReader()
        let entry = try context.entryParameter()
        guard let state = try await ledger.entryState(entry), Visibility.maySee(principal, entry: state) else { throw APIError.notFound }
        let profile = try await ledger.profileName()
        try await logAccess(principal, entries: [entry], route: "/api/v1/entries/{entry}", context: context)
        return JSONResponse.make(.ok, LedgerJSON.state(profile: profile, states: [state]), headers: [.eTag: "\"\(state.lastSeq)\""])
    }

    func entryHistory(_ request: Request, _ context: LedgerRequestContext) async throws -> Response {
        let principal = try context.requireReader()
        let entry = try context.entryParameter()
        guard let (state, events) = try await ledger.entryHistory(entry), Visibility.maySee(principal, entry: state) else { throw APIError.notFound }
        try await logAccess(principal, entries: [entry], route: "/api/v1/entries/{entry}/history", context: context)
        return JSONResponse.make(.ok, LedgerJSON.history(entry: entry, events: events, maskIdentity: !Visibility.needsFullIdentity(principal, entry: state)), headers: [.eTag: "\"\(state.lastSeq)\""])
    }

    func listObligations(_ request: Request, _ context: LedgerRequestContext) async throws -> Response {
        let principal = try context.requireReader()
        var query = ObligationQuery(asOf: LedgerClock.now())
        if let asOf = request.query("as_of") {
            if let day = BeijingDay(iso: asOf) {
                query.asOf = Instant.endOfBeijingDay(day)
            } else if case .success(let instant) = Instant.parse(asOf) {
                query.asOf = instant
            } else {
                throw APIError(.badRequest, field: "as_of", "\"\(asOf)\" is not an ISO 8601 instant or a date YYYY-MM-DD")
            }
        }
        if let status = request.query("status"), status != "all" {
            guard let wanted = ObligationStatus(rawValue: status) else {
                throw APIError(.badRequest, field: "status", "\"\(status)\" is not one of open, met, late, breached, closed, all")
            }
            query.statuses = [wanted]
        }
        query.obligor = request.query("obligor")
        if query.obligor?.isEmpty == true { throw APIError(.badRequest, field: "obligor", "must not be empty: court:…, unit:… or debtor") }
        let read = try await ledger.obligations(query)
        let found = read.found.filter { obligation, _ in Visibility.maySee(principal, obligation: obligation, entry: read.states[obligation.entry]) }
        let document = LedgerJSON.obligations(asOf: query.asOf, profile: read.profile, calendar: read.calendar, found: found, flags: read.flags)
        let entries = Array(Set(found.map(\.0.entry))).sorted()
        try await logAccess(principal, entries: entries, route: "/api/v1/obligations", context: context)
        return JSONResponse.make(.ok, document)
    }

    /// Appends one access-log row per entry shown, before the answer leaves.
    func logAccess(_ principal: Principal, entries: [String], route: String, context: LedgerRequestContext) async throws {
        try await logAccess(principal, entries: entries, route: route, address: context.clientAddress)
    }
}
