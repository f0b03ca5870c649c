import Foundation
import Hummingbird
import LedgerCalendar
import LedgerCrypto
import LedgerDomain
import LedgerService
import LedgerStore
import Synchronization

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
        // Streamed (issue 8, memory): every visible entry is judged as it is read; only the
        // count and the best `current × 20` (a heap) are kept, not every state.
        let window = Mutex(PageWindow(keeping: pageNumber * Self.entriesPerPage))
        try await ledger.forEachEntryStateWithLastChange { state, lastChange in
            guard Visibility.maySee(principal, entry: state) else { return }
            if let status, state.status != status { return }
            if let unit, !(state.units.contains(unit) || state.employers.contains(unit)) { return }
            if !text.isEmpty, !(state.debtor.contains(text) || state.entry.contains(text) || state.caseNumber.contains(text) || state.debtorDigest == digest) { return }
            let day = Instant(epochMilliseconds: lastChange ?? 0).beijingDay
            if let from, day < from { return }
            if let to, day > to { return }
            window.withLock { $0.add(state, lastChange: lastChange ?? 0) }
        }
        let (matching, ranked) = window.withLock { ($0.count, $0.ranked) }
        let pages = max(1, (matching + Self.entriesPerPage - 1) / Self.entriesPerPage)
        let current = min(pageNumber, pages)
        let shownRanked = Array(ranked.dropFirst((current - 1) * Self.entriesPerPage).prefix(Self.entriesPerPage))
        let shown = shownRanked.map(\.state)
        let changes = Dictionary(shownRanked.map { ($0.state.entry, $0.lastChange) }, uniquingKeysWith: { first, _ in first })
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
            "pageText": env.format("page_of", String(current), String(pages), String(matching)),
            "previous": current > 1 ? link(page: current - 1) : false, "next": current < pages ? link(page: current + 1) : false,
        ]
        return WebPage.render("entries", title: env.t("entries_title"), data: data, environment: env)
    }

    /// An entry id as one path segment (ids hold parentheses, Chinese and `/`-free text).
    static func pathSegment(_ entry: String) -> String {
        entry.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?#"))) ?? entry
    }
}

/// The best `keeping` entries of a stream by the 名单 page's order — last change newest first,
/// then entry — and how many there were: a bounded heap whose root is the worst kept, so a page
/// holds `page × 20` states, not the ledger's.
struct PageWindow: Sendable {
    struct Ranked: Sendable {
        var state: EntryState
        var lastChange: Int64
        /// Whether `self` comes before `other` on the page (the order the page always had).
        func precedes(_ other: Ranked) -> Bool { (lastChange, other.state.entry) > (other.lastChange, state.entry) }
    }

    private let keeping: Int
    private var heap: [Ranked] = []
    private(set) var count = 0

    init(keeping: Int) { self.keeping = max(0, keeping) }

    mutating func add(_ state: EntryState, lastChange: Int64) {
        count += 1
        let item = Ranked(state: state, lastChange: lastChange)
        if heap.count < keeping {
            heap.append(item)
            siftUp(heap.count - 1)
        } else if let worst = heap.first, item.precedes(worst) {
            heap[0] = item
            siftDown(0)
        }
    }

    /// The kept entries in page order.
    var ranked: [Ranked] { heap.sorted { $0.precedes($1) } }

    // A max-heap of "worse": the parent is never better than its children.
    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[parent].precedes(heap[child]) else { return }
            heap.swapAt(parent, child)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            var worst = parent
            for child in [2 * parent + 1, 2 * parent + 2] where child < heap.count && heap[worst].precedes(heap[child]) { worst = child }
            if worst == parent { return }
            heap.swapAt(parent, worst)
            parent = worst
        }
    }
}
