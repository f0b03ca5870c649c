import Foundation
import Hummingbird
import LedgerCalendar
import LedgerDomain
import LedgerService
import LedgerStore

/// 条目: one entry's data, timeline, obligations and the forms of its next acts. What it shows
/// is what `GET /api/v1/entries/{entry}` and `/history` show the same credential (Visibility,
/// the same masking), and the read is written to the access log as the API's is.
extension LedgerServerApp {
    struct EntryView: Sendable {
        var state: EntryState
        var events: [RecordedEvent]
        var credentials: [Int64: String]
        var obligations: [(Obligation, ObligationStatus)]
        var debtor: Debtor?
    }

    /// The entry as the visitor may see it, or nil (absent or not theirs: the page says 404).
    func entryView(_ entry: String, _ principal: Principal) async throws -> EntryView? {
        let now = LedgerClock.now()
        guard let (state, events) = try await ledger.entryHistory(entry), Visibility.maySee(principal, entry: state) else { return nil }
        var query = ObligationQuery(asOf: now)
        query.entry = entry
        let obligations = try await ledger.obligations(query).found.filter { Visibility.maySee(principal, obligation: $0.0, entry: state) }
        var debtor: Debtor?
        for recorded in events {
            switch recorded.event.body {
            case .riskNoticeIssued(_, _, let d), .inclusionDecided(_, _, let d, _, _, _): if debtor == nil { debtor = d }
            default: break
            }
        }
        return EntryView(state: state, events: events, credentials: try await ledger.credentials(ofSeqs: events.map(\.seq)), obligations: obligations, debtor: debtor)
    }

    func entryPage(_ request: Request, _ env: PageEnvironment, _ visitor: WebVisitor, _ context: LedgerRequestContext,
                   flash: String? = nil) async throws -> Response {
        let entry = try context.entryParameter()
        guard let view = try await entryView(entry, visitor.principal) else { throw WebRefusal.notFound }
        try await logAccess(visitor.principal, entries: [entry], route: "/entries/{entry}", address: context.clientAddress)
        var data = Self.entryData(view, env: env, principal: visitor.principal)
        data["acts"] = ActForms.next(state: view.state, principal: visitor.principal, env: env).map { spec in
            ["title": spec.title, "action": "/entries/\(Self.pathSegment(entry))/acts", "csrf": visitor.csrfToken,
             "fields": [ActField(name: "type", labelKey: "col_what", kind: .hidden, required: true, initial: spec.type),
                        ActField(name: "key", labelKey: "col_what", kind: .hidden, required: false, initial: spec.key)].map { hidden in
                ["name": hidden.name, "value": hidden.initial, "isHidden": true] as [String: Any]
             } + [["name": "last_seq", "value": String(view.state.lastSeq), "isHidden": true]]
               + ActForms.fieldData(spec, form: nil, errors: [], env: env)] as [String: Any]
        }
        if let seq = request.uri.queryParameters.get("recorded") { data["flash"] = env.format("recorded", String(seq)) }
        if let seq = request.uri.queryParameters.get("repeat") { data["flash"] = env.format("repeat", String(seq)) }
        if let flash { data["flash"] = flash }
        return WebPage.render("entry", title: env.format("entry_title", entry), data: data, environment: env)
    }

    static func entryData(_ view: EntryView, env: PageEnvironment, principal: Principal) -> [String: Any] {
        let state = view.state
        let today = LedgerClock.now().beijingDay
        var annulled: [Int64: String] = [:]
        for recorded in view.events { if case .recordAnnulled(let seq, let reason) = recorded.event.body { annulled[seq] = reason } }
        let fullIdentity = Visibility.needsFullIdentity(principal, entry: state)
        let idNumber = view.debtor.map { fullIdentity ? $0.idNumber : Masking.residentID($0.idNumber) } ?? ""
        let events: [[String: Any]] = view.events.map { recorded in
            let event = recorded.event
            let credential = view.credentials[recorded.seq]
            let person = credential.map { $0.hasPrefix("user:") ? String($0.dropFirst(5)) : $0 } ?? env.t("by_command_line")
            return ["seq": recorded.seq, "at": env.dateTime(event.at), "what": env.t("act_" + event.type.rawValue),
                    "detail": detail(event.body, env: env).nilIfEmpty ?? false, "actor": env.party(event.actor), "person": person,
                    "recorded": env.dateTime(recorded.recordedAt), "late": recorded.recordedAt.beijingDay > event.at.beijingDay,
                    "annulled": annulled[recorded.seq] != nil, "annulledReason": annulled[recorded.seq].map { env.format("annulled_reason", $0) } ?? ""]
        }
        return [
            "entry": state.entry, "statusCode": state.status.rawValue, "status": env.t("status_" + state.status.rawValue),
            "court": env.party(state.court), "case": state.caseNumber, "debtor": state.debtor, "idNumber": idNumber,
            "publicText": state.isPublic.map { env.t($0 ? "yes" : "no") } ?? "—", "units": state.holders.map(env.party),
            "events": events, "hasObligations": !view.obligations.isEmpty,
            "obligations": view.obligations.map { obligationData($0.0, $0.1, today: today, env: env) },
        ]
    }

    static func obligationData(_ obligation: Obligation, _ status: ObligationStatus, today: BeijingDay, env: PageEnvironment) -> [String: Any] {
        var days = ""
        if let due = obligation.due {
            switch status {
            case .open: let left = today.days(to: due); days = left == 0 ? env.t("due_today") : env.format("days_left", String(left))
            case .late, .breached: days = env.format("days_late", String(obligation.daysLate(asOf: LedgerClock.now()) ?? 0))
            default: break
            }
        }
        return ["duty": env.language.catalogue["duty_" + obligation.duty] ?? obligation.duty, "obligor": env.party(obligation.obligor),
                "due": obligation.due.map(env.date) ?? "—", "statusCode": status.rawValue, "status": env.t("obligation_" + status.rawValue),
                "days": days, "clause": obligation.clause, "entry": obligation.entry, "entryPath": pathSegment(obligation.entry)]
    }

    /// The one line of detail a timeline row shows under the act's name.
    static func detail(_ body: EventBody, env: PageEnvironment) -> String {
        switch body {
        case .inclusionDecided(_, _, _, let grounds, let isPublic, let term):
            return grounds.map { env.t("ground_" + $0.rawValue) }.joined(separator: "；") + " · " + env.t("field_public") + "：" + env.t(isPublic ? "yes" : "no")
                + (term.map { " · " + env.t("field_term") + "：\($0)" } ?? "")
        case .decisionServed(let method), .rejectionServed(let method): return env.t("method_" + (method ?? .inPerson).rawValue)
        case .employerNotified(let unit), .pushedToUnit(let unit), .repostRegistered(let unit), .unitNotifiedOfExit(let unit), .repostDeleted(let unit):
            return env.names[unit] ?? unit
        case .measureApplied(let unit, let measure), .measureLifted(let unit, let measure), .measureRetained(let unit, let measure, _, _):
            return (env.names[unit] ?? unit) + " · " + ActForms.measureLabel(measure, env)
        case .obligationDischarged(let basis): return env.t("basis_" + basis.rawValue)
        case .entryShielded(let reason): return reason.map { env.language.catalogue["reason_" + $0] ?? $0 } ?? ""
        case .entryRevoked(let reason): return env.t("reason_" + reason.rawValue)
        case .recordAnnulled(let seq, let reason): return "#\(seq) · \(reason)"
        default: return ""
        }
    }
}

extension String {
    /// Mustache treats "" as true: a section that must vanish gets false instead.
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
