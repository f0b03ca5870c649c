import Foundation
import TestSupport
import LedgerCalendar
import LedgerDomain
import LedgerStore

/// One entry's lifecycle on a real ledger, written event by event as a clerk would record it.
/// The debtor's resident ID 460025198001010016 has a valid GB 11643 check digit (ISO 7064
/// MOD 11-2, worked by hand: Σ aᵢ·wᵢ = 193, 193 mod 11 = 6 → "10X98765432"[6] = 6).
final class Lifecycle {
    let store: TemporaryLedger
    let entry: String
    let court = "court:baisha"
    static let debtor = #"{"kind":"person","name":"某甲","id_number":"460025198001010016"}"#
    static let caseNumber = "(2018)琼9025执1号"

    init(profile: String, entry: String = "E1") throws {
        store = try TemporaryLedger(profile: profile)
        self.entry = entry
    }

    var ledger: Ledger { store.ledger }

    /// Appends one event (`fields` is the JSON after the envelope, starting with a comma) and
    /// returns its seq.
    @discardableResult
    func add(_ type: String, at: String, actor: String? = nil, _ fields: String = "") throws -> Int64 {
        let json = #"{"type":"\#(type)","entry":"\#(entry)","at":"\#(Self.instant(at))","actor":"\#(actor ?? court)"\#(fields)}"#
        let event = try Event.decode(jsonLine: Array(json.utf8))
        let outcomes = try ledger.append([NumberedEvent(line: 1, event: event)], clock: now)
        guard case .appended(let seq) = outcomes[0] else { return -1 }
        return seq
    }

    /// The same event, but only the error it is refused with (nil when accepted).
    func refusal(_ type: String, at: String, actor: String? = nil, _ fields: String = "") -> String? {
        do {
            try add(type, at: at, actor: actor, fields)
            return nil
        } catch {
            return "\(error)"
        }
    }

    /// A risk notice and an inclusion with `grounds`.
    func include(noticeAt: String, at: String, grounds: String = #"["able_but_refuses"]"#, extra: String = "") throws {
        try add("risk_notice_issued", at: noticeAt, #","court":"court:baisha","case":"\#(Self.caseNumber)","debtor":\#(Self.debtor)"#)
        try add("inclusion_decided", at: at, #","court":"court:baisha","case":"\#(Self.caseNumber)","debtor":\#(Self.debtor),"grounds":\#(grounds),"public":true\#(extra)"#)
    }

    /// Obligations by id with their status at the end of Beijing day `asOf`.
    func obligations(asOf: String) throws -> [String: (obligation: Obligation, status: ObligationStatus)] {
        let found = try ledger.obligations(ObligationQuery(asOf: Instant.endOfBeijingDay(BeijingDay(iso: asOf)!)))
        return Dictionary(uniqueKeysWithValues: found.map { ($0.0.id, (obligation: $0.0, status: $0.1)) })
    }

    /// The obligations of one duty, in id order.
    func duty(_ duty: String, asOf: String) throws -> [(obligation: Obligation, status: ObligationStatus)] {
        try obligations(asOf: asOf).values.filter { $0.obligation.duty == duty }.sorted { $0.obligation.id < $1.obligation.id }
    }

    /// `2018-11-07` means 10:00 Beijing time that day.
    static func instant(_ text: String) -> String { text.count == 10 ? text + "T10:00:00+08:00" : text }
}

let bothProfiles = ["baisha-2018", "spc-2017"]
