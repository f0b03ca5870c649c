package import LedgerDomain

/// A hand-made ledger for a past `obligations --as-of` (issue 8: the replay sorted through a
/// spool), as JSON lines, so that both engines' tests read the same one. `asOf` falls between
/// `early` (all effective by then) and `late` (facts the past must not see, and an annulment,
/// which counts at every instant).
package enum PastObligationsFixture {
    package static let asOf = "2025-06-30T00:00:00+08:00"
    /// A clock for the appends: after every `at` (facts are recorded once they happened).
    package static let now = "2026-01-02T00:00:00Z"
    package static let composed = "\u{e9}", decomposed = "e\u{301}"  // "é" twice: two entries, as the stores keep them

    /// Seq order interleaves the entries; B's inclusion (seq 5) is annulled (seq 7). The two é
    /// are served the same day (R2 due 2024-03-18 twice: entry bytes decide), é and 中文 ask for
    /// a correction (R3), A's notice comes after its inclusion (R1, until the inclusion is
    /// annulled in `late`), R has no notice (R1, no due day: last). C is noticed only.
    package static let early = [
        notice("B"), notice(composed), inclusion("A"), notice(decomposed), inclusion("B"), inclusion(composed),
        simple("record_annulled", "B", at: "2024-03-06T10:00:00+08:00", extra: #","annuls":5,"reason":"误录""#),
        notice("中文", at: "2024-02-01T09:00:00+08:00"), notice("C", at: "2024-05-01T09:00:00+08:00"), inclusion(decomposed),
        notice("A", at: "2024-04-01T09:00:00+08:00"), inclusion("R"),
        simple("decision_served", composed, at: "2024-03-08T10:00:00+08:00"), simple("decision_served", decomposed, at: "2024-03-08T11:00:00+08:00"),
        simple("correction_requested", composed, at: "2024-03-10T10:00:00+08:00", extra: #","reason":"测试""#),
        inclusion("中文", at: "2024-02-05T10:00:00+08:00"), simple("decision_served", "中文", at: "2024-02-06T10:00:00+08:00"),
        simple("correction_requested", "中文", at: "2024-02-08T10:00:00+08:00", extra: #","reason":"测试""#),
    ]

    /// After `asOf`: C's inclusion, D's notice, and the annulment of A's inclusion (seq 3).
    package static let late = [
        inclusion("C", at: "2025-08-01T10:00:00+08:00"), notice("D", at: "2025-09-01T09:00:00+08:00"), annulA(at: "2025-08-02T10:00:00+08:00"),
    ]

    /// The reference ledger: the facts effective by `asOf`, A's inclusion annulled by then.
    package static let prefix = early + [annulA(at: "2025-06-01T10:00:00+08:00")]

    /// The queries both engines' tests ask at `asOf` (an instant parsed by the test): every
    /// obligation, breaches, one entry (composed é), duties due by 2024-04-10.
    package static func queries(asOf: Instant) -> [ObligationQuery] {
        var breached = ObligationQuery(asOf: asOf)
        breached.statuses = [.breached]
        var one = ObligationQuery(asOf: asOf)
        one.entry = composed
        var duties = ObligationQuery(asOf: asOf)
        duties.dutiesOnly = true
        duties.dueOnOrBefore = "2024-04-10"
        return [ObligationQuery(asOf: asOf), breached, one, duties]
    }

    /// The entries with obligations at `asOf`, hand-known: nothing of A, B, C or D.
    package static let entriesAtAsOf = ["R", composed, decomposed, "中文"]

    static func annulA(at: String) -> String { simple("record_annulled", "A", at: at, extra: #","annuls":3,"reason":"误录""#) }

    static let debtor = #""court":"court:baisha","case":"(2024)琼9030执1号","debtor":{"kind":"person","name":"测试甲","id_number":"460030198001010105"}"#

    static func notice(_ entry: String, at: String = "2024-03-01T09:00:00+08:00") -> String {
        #"{"type":"risk_notice_issued","entry":"\#(entry)","at":"\#(at)","actor":"court:baisha",\#(debtor)}"#
    }

    static func inclusion(_ entry: String, at: String = "2024-03-05T10:00:00+08:00") -> String {
        #"{"type":"inclusion_decided","entry":"\#(entry)","at":"\#(at)","actor":"court:baisha",\#(debtor),"grounds":["evasion"],"public":true}"#
    }

    static func simple(_ type: String, _ entry: String, at: String, extra: String = "") -> String {
        #"{"type":"\#(type)","entry":"\#(entry)","at":"\#(at)","actor":"court:baisha"\#(extra)}"#
    }
}
