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
        // Streamed (issue 8, memory): the document and the entries shown are spooled to
        // temporary files during one snapshot, the access log is written from the second, and
        // only then does the document leave — in the bytes `LedgerJSON.state` would encode.
        let document = try ResponseSpool(), shown = try ResponseSpool()
        let writer = JSONArrayWriter(document: LedgerJSON.state(profile: profile, states: []), array: "entries") { document.write($0) }
        try await ledger.forEachEntryState { state in
            guard Visibility.maySee(principal, entry: state) else { return }
            writer.append(state.json)
            shown.write(string: state.entry)
        }
        writer.finish()
        document.write([0x0A])  // as JSONResponse.make ends a document
        try document.finish()
        try shown.finish()
        try await shown.forEachStrings(batch: 1_000) { entries in
            try await logAccess(principal, entries: entries, route: "/api/v1/entries", context: context)
        }
        return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: document.body)
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
