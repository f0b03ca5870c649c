import Foundation
import LedgerDomain
import LedgerService
import Testing

/// Issue 12, point 5: a unit that only reposted an entry republishes the public list, so its
/// history view masks the resident ID as the public list does; holders of the entry see it in full.
@Suite("unit views: masking where the unit does not need the full number")
struct UnitMaskingTests {
    static let id = "460030198001010105"
    static let lines = [
        #"{"type":"inclusion_decided","entry":"M1","at":"2024-03-05T10:00:00+08:00","actor":"court:baisha","court":"court:baisha","case":"c","debtor":{"kind":"person","name":"测试甲","id_number":"460030198001010105"},"grounds":["able_but_refuses"],"public":true}"#,
        #"{"type":"pushed_to_unit","entry":"M1","at":"2024-03-06T10:00:00+08:00","actor":"court:baisha","unit":"unit:pboc"}"#,
        #"{"type":"repost_registered","entry":"M1","at":"2024-03-07T10:00:00+08:00","actor":"unit:news","unit":"unit:news"}"#,
        #"{"type":"entry_corrected","entry":"M1","at":"2024-03-08T10:00:00+08:00","actor":"court:baisha","corrections":{"debtor.id_number":"460030198001010113"},"reason":"typo"}"#,
    ]

    static func ledger() throws -> (EntryState, [RecordedEvent]) {
        var state: EntryState?
        var recorded: [RecordedEvent] = []
        var previous = RecordedEvent.genesisHash
        for (index, line) in lines.enumerated() {
            let event = try Event.decode(jsonLine: Array(line.utf8))
            let sealed = RecordedEvent(sealing: event, seq: Int64(index + 1), recordedAt: Instant(epochMilliseconds: 1_735_689_600_000), prevHash: previous)
            previous = sealed.hash
            recorded.append(sealed)
            state = EntryState.applying(event, seq: sealed.seq, to: state)
        }
        return (state!, recorded)
    }

    @Test("a reposting unit gets 4600301980****0105 (and the corrected number masked); the holding unit, the court and an auditor the full number")
    func reposterMasked() throws {
        let (state, events) = try Self.ledger()
        let news = Principal(party: "unit:news", scopes: [.read], credential: "t1")
        let pboc = Principal(party: "unit:pboc", scopes: [.read], credential: "t2")
        let court = Principal(party: "court:baisha", scopes: [.read], credential: "t3")
        let auditor = Principal(party: "auditor:nao", scopes: [.audit], credential: "t4")
        #expect(!Visibility.needsFullIdentity(news, entry: state))
        #expect(Visibility.needsFullIdentity(pboc, entry: state) && Visibility.needsFullIdentity(court, entry: state)
                && Visibility.needsFullIdentity(auditor, entry: state))
        let masked = String(decoding: LedgerJSON.encode(LedgerJSON.history(entry: "M1", events: events, maskIdentity: true)), as: UTF8.self)
        #expect(!masked.contains(Self.id) && !masked.contains("460030198001010113"))
        // Worked by hand: the first 10 and last 4 characters of each number.
        #expect(masked.contains("4600301980****0105") && masked.contains("4600301980****0113"))
        #expect(masked.contains("测试甲"))
        let full = String(decoding: LedgerJSON.encode(LedgerJSON.history(entry: "M1", events: events)), as: UTF8.self)
        #expect(full.contains(Self.id))
    }
}
