import Foundation
import LedgerCalendar
package import LedgerDomain

/// The accountability report (责任追究) as `report --format json|md|html` prints it, here so
/// that the command line and the server render the same report from the same data.
extension AccountabilityReport {
    /// The calendar versions the period's due days were counted with; a period with no due day
    /// says so instead of an empty list ("calendar .").
    var calendarsText: String { calendars.isEmpty ? "none (no due day in the period)" : calendars.joined(separator: ", ") }

    /// `report --format json` written as it is encoded, party by party and line by line, so
    /// that no JSON tree of the whole report is built (issue 8, memory): the bytes
    /// `LedgerJSON.encode` gives the whole document, by construction (`JSONArrayWriter` splits
    /// the documents encoded with their arrays empty).
    package func writeJSON(_ write: @escaping ([UInt8]) -> Void) {
        let document = JSONArrayWriter(document: document(parties: []), array: "parties", write: write)
        for (index, party) in parties.enumerated() {
            if index > 0 { write([UInt8(ascii: ",")]) }
            let lines = JSONArrayWriter(document: Self.json(party, lines: []), array: "obligations", write: write)
            for line in party.lines { lines.append(Self.json(line)) }
            lines.finish()
        }
        document.finish()
    }

    private static func json(_ party: Party, lines: [JSONValue]) -> JSONValue {
        .object([
            ("obligor", .string(party.obligor)),
            ("met", .integer(Int64(party.count(.met)))), ("late", .integer(Int64(party.count(.late)))),
            ("breached", .integer(Int64(party.count(.breached)))), ("open", .integer(Int64(party.count(.open)))),
            ("obligations", .array(lines)),
        ])
    }

    private static func json(_ line: Line) -> JSONValue {
        .object([("id", .string(line.id)), ("rule", .string(line.rule)),
                 ("duty", .string(line.duty)), ("entry", .string(line.entry)),
                 ("due", line.due.map { .string($0.description) } ?? .null),
                 ("status", .string(line.status.rawValue)),
                 ("days_late", line.daysLate.map { .integer(Int64($0)) } ?? .null),
                 ("calendar", .string(line.calendarVersion))])
    }

    private func document(parties: [JSONValue]) -> JSONValue {
        .object([
            ("from", .string(from.description)), ("to", .string(to.description)), ("as_of", .string(asOf.description)),
            ("profile", .string(profile)), ("calendars", .array(calendars.map(JSONValue.string))),
            ("parties", .array(parties)),
            ("wrongful_inclusions", .array(wrongfulInclusions.map {
                .object([("court", .string($0.court)), ("entry", .string($0.entry)), ("reason", .string($0.reason)), ("revoked_at", .string($0.revokedAt.description))])
            })),
            ("wrongful_publications", .array(wrongfulPublications.map {
                .object([("court", .string($0.court)), ("entry", .string($0.entry)), ("published_at", .string($0.publishedAt.description))])
            })),
            ("complaints_concerning", .array(complaintsConcerning.map {
                .object([("party", .string($0.party)), ("received", .integer(Int64($0.received))), ("answered", .integer(Int64($0.answered))),
                         ("answered_without_telling_complainant", .integer(Int64($0.answeredUntold)))])
            })),
            ("complaints", .array(complaints.map {
                .object([("party", .string($0.party)), ("received", .integer(Int64($0.received))), ("answered", .integer(Int64($0.answered))),
                         ("open", .array($0.open.map(JSONValue.string)))])
            })),
        ])
    }

    /// `report --format md` written piece by piece (issue 8, memory).
    package func writeMarkdown(_ write: (String) -> Void) {
        write("# Accountability report \(from) – \(to) (Beijing days)\n\nJudged as of \(asOf.beijingDay) Beijing time (instant \(asOf.utcDescription)); profile \(profile); calendar \(calendarsText).\n\n")
        write("## Duties by court and unit\n\n| obligor | met | late | breached | open |\n|---|---|---|---|---|\n")
        for party in parties { write("| \(party.obligor) | \(party.count(.met)) | \(party.count(.late)) | \(party.count(.breached)) | \(party.count(.open)) |\n") }
        for party in parties where party.count(.late) + party.count(.breached) > 0 {
            write("\n### \(party.obligor)\n\n| rule | duty | entry | due | status | days late |\n|---|---|---|---|---|---|\n")
            for line in party.lines where line.status == .late || line.status == .breached {
                write("| \(line.rule) | \(line.duty) | \(line.entry) | \(line.due?.description ?? "—") | \(line.status.rawValue) | \(line.daysLate.map(String.init) ?? "") |\n")
            }
        }
        write("\n## Wrongful inclusions (revoked on correction or reconsideration)\n\n")
        if wrongfulInclusions.isEmpty { write("None in the period.\n") } else {
            write("| court | entry | reason | revoked |\n|---|---|---|---|\n")
            for item in wrongfulInclusions { write("| \(item.court) | \(item.entry) | \(item.reason) | \(item.revokedAt.beijingDay) |\n") }
        }
        write("\n## Non-public entries published (R9)\n\n")
        if wrongfulPublications.isEmpty { write("None in the period.\n") } else {
            write("| court | entry | published |\n|---|---|---|\n")
            for item in wrongfulPublications { write("| \(item.court) | \(item.entry) | \(item.publishedAt.beijingDay) |\n") }
        }
        write("\n## Complaints\n\n")
        if complaints.isEmpty { write("None received in the period.\n") } else {
            write("| received by | received | answered | still open |\n|---|---|---|---|\n")
            for tally in complaints { write("| \(tally.party) | \(tally.received) | \(tally.answered) | \(tally.open.joined(separator: ", ")) |\n") }
        }
        if !complaintsConcerning.isEmpty {
            write("\n| complained of | received | answered | answered without telling the complainant |\n|---|---|---|---|\n")
            for tally in complaintsConcerning { write("| \(tally.party) | \(tally.received) | \(tally.answered) | \(tally.answeredUntold) |\n") }
        }
    }

    /// `report --format html` written piece by piece, one party at a time (issue 8, memory).
    package func writeHTML(_ write: (String) -> Void) {
        func escape(_ text: String) -> String {
            text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
        }
        func row(_ cells: [String], header: Bool = false, css: String = "") -> String {
            let tag = header ? "th" : "td"
            return "<tr\(css.isEmpty ? "" : " class=\"\(css)\"")>" + cells.map { "<\(tag)>\(escape($0))</\(tag)>" }.joined() + "</tr>\n"
        }
        write("""
        <!DOCTYPE html>
        <html lang="zh-CN"><head><meta charset="utf-8"><title>Accountability report \(from) – \(to)</title>
        <style>
        body{font-family:"Noto Sans CJK SC","Source Han Sans SC",sans-serif;margin:2em;color:#222}
        table{border-collapse:collapse;margin:0.5em 0 1.5em}td,th{border:1px solid #999;padding:3px 8px;text-align:left}
        th{background:#eee}tr.bad td{background:#fbe3e3}tr.warn td{background:#fdf4dc}.meta{color:#555}
        @media print{body{margin:0}h2,h3{page-break-after:avoid}tr{page-break-inside:avoid}}
        </style></head><body>

        """)
        var body = "<h1>责任追究 · Accountability report</h1>\n<p class=\"meta\">\(from) – \(to) (Beijing days) · judged as of \(asOf.beijingDay) Beijing time (instant \(escape(asOf.utcDescription))) · profile \(escape(profile)) · calendar \(escape(calendarsText))</p>\n"
        body += "<h2>Duties by court and unit</h2>\n<table>\n" + row(["obligor", "met", "late", "breached", "open"], header: true)
        for party in parties {
            body += row([party.obligor, "\(party.count(.met))", "\(party.count(.late))", "\(party.count(.breached))", "\(party.count(.open))"],
                        css: party.count(.breached) > 0 ? "bad" : (party.count(.late) > 0 ? "warn" : ""))
        }
        body += "</table>\n"
        for party in parties where party.count(.late) + party.count(.breached) > 0 {
            body += "<h3>\(escape(party.obligor))</h3>\n<table>\n" + row(["rule", "duty", "entry", "due", "status", "days late", "calendar"], header: true)
            for line in party.lines where line.status == .late || line.status == .breached {
                body += row([line.rule, line.duty, line.entry, line.due?.description ?? "—",
                             line.status.rawValue, line.daysLate.map(String.init) ?? "", line.calendarVersion],
                            css: line.status == .breached ? "bad" : "warn")
            }
            body += "</table>\n"
            // One party's lines held at a time.
            write(body)
            body = ""
        }
        body += "<h2>Wrongful inclusions</h2>\n"
        if wrongfulInclusions.isEmpty { body += "<p>None in the period.</p>\n" } else {
            body += "<table>\n" + row(["court", "entry", "reason", "revoked"], header: true)
            for item in wrongfulInclusions { body += row([item.court, item.entry, item.reason, item.revokedAt.beijingDay.description]) }
            body += "</table>\n"
        }
        body += "<h2>Non-public entries published (R9)</h2>\n"
        if wrongfulPublications.isEmpty { body += "<p>None in the period.</p>\n" } else {
            body += "<table>\n" + row(["court", "entry", "published"], header: true)
            for item in wrongfulPublications { body += row([item.court, item.entry, item.publishedAt.beijingDay.description]) }
            body += "</table>\n"
        }
        body += "<h2>Complaints</h2>\n"
        if complaints.isEmpty { body += "<p>None received in the period.</p>\n" } else {
            body += "<table>\n" + row(["received by", "received", "answered", "still open"], header: true)
            for tally in complaints { body += row([tally.party, "\(tally.received)", "\(tally.answered)", tally.open.joined(separator: ", ")]) }
            body += "</table>\n"
        }
        write(body)
        write("</body></html>")
    }
}
