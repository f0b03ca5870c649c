import Foundation
import Hummingbird
import LedgerCalendar
import LedgerDomain
import LedgerService
import LedgerStorage
import LedgerStore

/// 待办 (a party's own open and breached duties, with one-click forms for its own acts) and
/// 期限看板 (due today, within 3 days, breached, per obligor). Both read obligations through the
/// API's rule: `Visibility.maySee(principal, obligation:, entry:)`.
extension LedgerServerApp {
    /// Unmet duties the principal may see, with their status now.
    func visibleDuties(_ principal: Principal, onlyOwn: Bool) async throws -> [(Obligation, ObligationStatus)] {
        var query = ObligationQuery(asOf: LedgerClock.now())
        query.statuses = [.open, .breached]
        query.dutiesOnly = true
        if onlyOwn { query.obligor = principal.party }
        let read = try await ledger.obligations(query)
        return read.found.filter { obligation, _ in Visibility.maySee(principal, obligation: obligation, entry: read.states[obligation.entry]) }
            .sorted { ($0.0.due?.description ?? "9", $0.0.id) < ($1.0.due?.description ?? "9", $1.0.id) }
    }

    func todoPage(_ request: Request, _ env: PageEnvironment, _ visitor: WebVisitor, _ context: LedgerRequestContext) async throws -> Response {
        let principal = visitor.principal
        let duties = try await visibleDuties(principal, onlyOwn: true)
        let today = LedgerClock.now().beijingDay
        let at = ActForms.at(env).initial
        // Each one-click form carries its entry's last seq as this page saw it (a 409 if the
        // entry moves on before the click).
        let lastSeqs = try await ledger.entryStates(Array(Set(duties.map(\.0.entry)))).mapValues(\.lastSeq)
        var rows: [[String: Any]] = []
        for (obligation, status) in duties {
            var row = Self.obligationData(obligation, status, today: today, env: env)
            // The one act that meets the duty, when it is the party's own to record.
            var acts: [[String: Any]] = []
            let parts = obligation.id.split(separator: "/").map(String.init)
            if principal.scopes.contains(.record), principal.kind == "unit" {
                let action = "/entries/\(Self.pathSegment(obligation.entry))/acts"
                let version = ["name": "last_seq", "value": String(lastSeqs[obligation.entry] ?? 0)]
                if obligation.rule == "R6", let measure = parts.last {
                    acts.append(["action": action, "csrf": visitor.csrfToken, "title": env.t("act_measure_lifted"),
                                 "hidden": [["name": "type", "value": "measure_lifted"], ["name": "key", "value": measure], ["name": "at", "value": at], ["name": "back", "value": "todo"], version]])
                }
                if obligation.duty == "repost_delete" {
                    acts.append(["action": action, "csrf": visitor.csrfToken, "title": env.t("act_repost_deleted"),
                                 "hidden": [["name": "type", "value": "repost_deleted"], ["name": "key", "value": ""], ["name": "at", "value": at], ["name": "back", "value": "todo"], version]])
                }
            }
            row["acts"] = acts
            rows.append(row)
        }
        // Pushes and exit notices the unit has not acknowledged yet, each with its 签收 form.
        var acknowledgements: [[String: Any]] = []
        if principal.kind == "unit" {
            // Streamed: only the unit's own entries are kept, not every state (issue 8).
            let visible = Collected<EntryState>()
            try await ledger.forEachEntryState { state in if Visibility.maySee(principal, entry: state) { visible.append(state) } }
            for state in visible.items {
                for spec in ActForms.next(state: state, principal: principal, env: env) where spec.type == "unit_acknowledged" {
                    acknowledgements.append([
                        "entry": state.entry, "entryPath": Self.pathSegment(state.entry), "title": spec.title,
                        "action": "/entries/\(Self.pathSegment(state.entry))/acts", "csrf": visitor.csrfToken,
                        "hidden": [["name": "type", "value": "unit_acknowledged"], ["name": "key", "value": spec.key], ["name": "at", "value": at], ["name": "back", "value": "todo"],
                                   ["name": "last_seq", "value": String(state.lastSeq)]],
                    ])
                }
            }
        }
        var data: [String: Any] = ["hasDuties": !rows.isEmpty, "duties": rows,
                                   "hasAcknowledgements": !acknowledgements.isEmpty, "acknowledgements": acknowledgements]
        if let seq = request.uri.queryParameters.get("recorded") { data["flash"] = env.format("recorded", String(seq)) }
        return WebPage.render("todo", title: env.t("todo_title"), data: data, environment: env)
    }

    func boardPage(_ request: Request, _ env: PageEnvironment, _ visitor: WebVisitor) async throws -> Response {
        let duties = try await visibleDuties(visitor.principal, onlyOwn: false)
        let today = LedgerClock.now().beijingDay
        var counts: [String: (today: Int, soon: Int, breached: Int)] = [:]
        var groups: [String: [[String: Any]]] = ["board_due_today": [], "board_due_soon": [], "board_breached": []]
        for (obligation, status) in duties {
            var group: String?
            if status == .breached { group = "board_breached" } else if let due = obligation.due {
                let left = today.days(to: due)
                if left == 0 { group = "board_due_today" } else if (1...3).contains(left) { group = "board_due_soon" }
            }
            guard let group else { continue }
            var count = counts[obligation.obligor] ?? (0, 0, 0)
            switch group {
            case "board_due_today": count.today += 1
            case "board_due_soon": count.soon += 1
            default: count.breached += 1
            }
            counts[obligation.obligor] = count
            groups[group]?.append(Self.obligationData(obligation, status, today: today, env: env))
        }
        let rows: [[String: Any]] = counts.keys.sorted().map { obligor in
            let c = counts[obligor]!
            return ["obligor": env.party(obligor), "today": c.today, "soon": c.soon, "breached": c.breached, "isBreached": c.breached > 0]
        }
        let data: [String: Any] = [
            "hasRows": !rows.isEmpty, "rows": rows,
            "groups": ["board_breached", "board_due_today", "board_due_soon"].compactMap { key -> [String: Any]? in
                guard let items = groups[key], !items.isEmpty else { return nil }
                return ["title": env.t(key), "items": items]
            },
        ]
        return WebPage.render("board", title: env.t("board_title"), data: data, environment: env)
    }
}
