import Foundation
import Hummingbird
import LedgerCalendar
import LedgerDomain
import LedgerService
import LedgerStore

/// 责任追究报告: the command line's `report` (AccountabilityReport, built by the same code from
/// the same obligations and events), limited to what the visitor may see, in the visitor's
/// language, printable, with an inline SVG chart of met / late / breached per party per month.
extension LedgerServerApp {
    func reportPage(_ request: Request, _ env: PageEnvironment, _ visitor: WebVisitor) async throws -> Response {
        let now = LedgerClock.now()
        let today = now.beijingDay
        let to = request.uri.queryParameters.get("to").flatMap { BeijingDay(iso: $0) } ?? today
        let from = request.uri.queryParameters.get("from").flatMap { BeijingDay(iso: $0) } ?? BeijingDay(year: to.year - 1, month: to.month, day: 1) ?? to
        let end = Instant.endOfBeijingDay(to)
        let asOf = end.epochMilliseconds < now.epochMilliseconds ? end : now
        let principal = visitor.principal
        let obligations = try await ledger.obligations(ObligationQuery(asOf: asOf))
        var states = obligations.states
        let inputs = try await ledger.events(ofTypes: AccountabilityReport.inputEventTypes)
        // The states of entries that have report events but no obligation.
        let missing = Set(inputs.compactMap(\.event.entry)).filter { states[$0] == nil }
        if !missing.isEmpty { states.merge(try await ledger.entryStates(Array(missing))) { old, _ in old } }
        let visible = obligations.found.filter { Visibility.maySee(principal, obligation: $0.0, entry: states[$0.0.entry]) }
        let events = inputs.filter { recorded in
            if let entry = recorded.event.entry { return states[entry].map { Visibility.maySee(principal, entry: $0) } ?? false }
            return Visibility.seesEverything(principal) || recorded.event.actor == principal.party
        }
        let report = AccountabilityReport(from: from, to: to, asOf: asOf, profile: obligations.profile, obligations: visible, events: events)
        let parties: [[String: Any]] = report.parties.map { party in
            ["obligor": env.party(party.obligor), "met": party.count(.met), "late": party.count(.late), "breached": party.count(.breached),
             "open": party.count(.open), "bad": party.count(.breached) > 0, "hasLines": party.count(.late) + party.count(.breached) > 0,
             "chart": ReportChart.svg(party, from: from, to: to, env: env),
             "lines": party.lines.filter { $0.status == .late || $0.status == .breached }.map { line in
                 ["duty": env.language.catalogue["duty_" + line.duty] ?? line.duty, "entry": line.entry,
                  "entryPath": Self.pathSegment(line.entry), "due": line.due.map(env.date) ?? "—",
                  "status": env.t("obligation_" + line.status.rawValue), "statusCode": line.status.rawValue,
                  "daysLate": line.daysLate.map(String.init) ?? ""] as [String: Any]
             }]
        }
        let data: [String: Any] = [
            "from": from.description, "to": to.description,
            "period": env.format("report_period", env.date(from), env.date(to), env.dateTime(asOf)),
            "hasParties": !parties.isEmpty, "parties": parties,
            "wrongful": report.wrongfulInclusions.map { ["court": env.party($0.court), "entry": $0.entry, "reason": env.language.catalogue["reason_" + $0.reason] ?? $0.reason,
                                                         "revoked": env.date($0.revokedAt.beijingDay)] as [String: Any] },
            "hasWrongful": !report.wrongfulInclusions.isEmpty,
            "complaints": report.complaints.map { ["party": env.party($0.party), "received": $0.received, "answered": $0.answered, "open": $0.open.joined(separator: "、")] as [String: Any] },
            "hasComplaints": !report.complaints.isEmpty,
        ]
        return WebPage.render("report", title: env.t("report_title"), data: data, environment: env)
    }
}

/// A small inline SVG: one stacked bar per month (met, late, breached), no script, no style
/// attribute (the CSP allows none), with a text title and a table of the same numbers beside it.
enum ReportChart {
    static func svg(_ party: AccountabilityReport.Party, from: BeijingDay, to: BeijingDay, env: PageEnvironment) -> String {
        var months: [(Int, Int)] = []
        var y = from.year, m = from.month
        while (y, m) <= (to.year, to.month), months.count < 36 {
            months.append((y, m))
            m += 1
            if m > 12 { m = 1; y += 1 }
        }
        var counts: [String: (met: Int, late: Int, breached: Int)] = [:]
        for line in party.lines {
            let day = line.day
            let key = String(format: "%04d-%02d", day.year, day.month)
            var c = counts[key] ?? (0, 0, 0)
            switch line.status {
            case .met: c.met += 1
            case .late: c.late += 1
            case .breached: c.breached += 1
            default: break
            }
            counts[key] = c
        }
        let most = max(1, counts.values.map { $0.met + $0.late + $0.breached }.max() ?? 1)
        let barWidth = 14, gap = 4, height = 80
        let width = months.count * (barWidth + gap) + gap
        func escape(_ s: String) -> String {
            s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: "\"", with: "&quot;")
        }
        let name = env.names[party.obligor] ?? party.obligor
        var out = "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"\(width)\" height=\"\(height + 16)\" viewBox=\"0 0 \(width) \(height + 16)\">"
        out += "<title>\(escape(env.format("report_chart_title", name)))</title>"
        for (i, (year, month)) in months.enumerated() {
            let key = String(format: "%04d-%02d", year, month)
            let c = counts[key] ?? (0, 0, 0)
            let x = gap + i * (barWidth + gap)
            var top = height
            for (value, colour) in [(c.met, "#1d5e2a"), (c.late, "#b36b00"), (c.breached, "#a00000")] where value > 0 {
                let h = max(2, value * height / most)
                top -= h
                out += "<rect x=\"\(x)\" y=\"\(top)\" width=\"\(barWidth)\" height=\"\(h)\" fill=\"\(colour)\"><title>\(key): \(value)</title></rect>"
            }
            if month == 1 || (i == 0 && month <= 10) { out += "<text x=\"\(x)\" y=\"\(height + 12)\" font-size=\"9\" fill=\"#333\">\(year % 100)/\(month)</text>" }
        }
        return out + "</svg>"
    }
}
