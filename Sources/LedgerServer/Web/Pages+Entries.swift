import Foundation
import Hummingbird
import LedgerCalendar
import LedgerCrypto
import LedgerDomain
import LedgerService
import LedgerStore

/// 名单: the entries the visitor may see (the same `Visibility` rule as `GET /api/v1/entries`),
/// filtered, sorted by last change (newest first), 20 a page.
extension LedgerServerApp {
    static let entriesPerPage = 20

    func entriesPage(_ request: Request, _ env: PageEnvironment, _ visitor: WebVisitor, _ context: LedgerRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        let status = query.get("status").flatMap { EntryStatus(rawValue: $0) }
        let unit = query.get("unit").flatMap { $0.isEmpty ? nil : $0 }
        let text = (query.get("q") ?? "").trimmingCharacters(in: .whitespaces)
        let from = query.get("from").flatMap { BeijingDay(iso: $0) }
        let to = query.get("to").flatMap { BeijingDay(iso: $0) }
        let pageNumber = max(1, Int(query.get("page") ?? "1") ?? 1)
        let principal = visitor.principal
        // An ID number is matched by its digest: the projection keeps only that.
        let digest = text.utf8.count == 18 ? Hex.encode(SHA256.hash(Array(IdentityNumber.normalized(text).utf8))) : nil
        let (all, changes) = try await ledger.entryStatesWithLastChange()
        let states = all.filter { Visibility.maySee(principal, entry: $0) }
        let filtered = states.filter { state in
            if let status, state.status != status { return false }
            if let unit, !(state.units.contains(unit) || state.employers.contains(unit)) { return false }
            if !text.isEmpty, !(state.debtor.contains(text) || state.entry.contains(text) || state.caseNumber.contains(text) || state.debtorDigest == digest) { return false }
            let day = Instant(epochMilliseconds: changes[state.entry] ?? 0).beijingDay
            if let from, day < from { return false }
            if let to, day > to { return false }
            return true
        }.sorted { (changes[$0.entry] ?? 0, $1.entry) > (changes[$1.entry] ?? 0, $0.entry) }
        let pages = max(1, (filtered.count + Self.entriesPerPage - 1) / Self.entriesPerPage)
        let current = min(pageNumber, pages)
        let shown = Array(filtered.dropFirst((current - 1) * Self.entriesPerPage).prefix(Self.entriesPerPage))
        try await logAccess(principal, entries: shown.map(\.entry), route: "/entries", address: context.clientAddress)
        func link(page: Int) -> String {
            var items = [URLQueryItem(name: "page", value: String(page))]
            for name in ["status", "unit", "q", "from", "to"] { if let value = query.get(name), !value.isEmpty { items.append(URLQueryItem(name: name, value: value)) } }
            var components = URLComponents()
            components.path = "/entries"
            components.queryItems = items
            return components.string ?? "/entries"
        }
        let rows: [[String: Any]] = shown.map { state in
            ["entry": state.entry, "entryPath": Self.pathSegment(state.entry), "case": state.caseNumber, "debtor": state.debtor,
             "statusCode": state.status.rawValue, "status": env.t("status_" + state.status.rawValue),
             "court": env.party(state.court), "units": state.holders.map(env.party),
             "lastChange": changes[state.entry].map { env.dateTime(Instant(epochMilliseconds: $0)) } ?? ""]
        }
        let units = env.names.keys.filter { $0.hasPrefix("unit:") }.sorted()
        let data: [String: Any] = [
            "statuses": [EntryStatus.noticed, .listed, .correctionPending, .shielded, .revoked].map {
                ["value": $0.rawValue, "label": env.t("status_" + $0.rawValue), "selected": $0 == status] as [String: Any]
            },
            "units": units.map { ["value": $0, "label": env.names[$0] ?? $0, "selected": $0 == unit] as [String: Any] },
            "q": text, "from": from?.description ?? "", "to": to?.description ?? "",
            "hasRows": !rows.isEmpty, "rows": rows,
            "pageText": env.format("page_of", String(current), String(pages), String(filtered.count)),
            "previous": current > 1 ? link(page: current - 1) : false, "next": current < pages ? link(page: current + 1) : false,
        ]
        return WebPage.render("entries", title: env.t("entries_title"), data: data, environment: env)
    }

    /// An entry id as one path segment (ids hold parentheses, Chinese and `/`-free text).
    static func pathSegment(_ entry: String) -> String {
        entry.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?#"))) ?? entry
    }
}
