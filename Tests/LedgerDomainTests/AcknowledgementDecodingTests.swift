import Foundation
import TestSupport
import Testing
import LedgerDomain

/// SPEC §3 `unit_acknowledged` (`unit`, `of`: push or exit_notice): decoding, its refusals and
/// its canonical bytes. Expected bytes written by hand from docs/design.md's rules (keys sorted,
/// no spaces, `recorded_at` in UTC with milliseconds), as in the golden vector of
/// `employer_notified` (the same envelope, one more field).
struct AcknowledgementDecodingTests {
    static func line(_ fields: String) -> [UInt8] {
        utf8(#"{"type":"unit_acknowledged","entry":"E1","at":"2018-09-05T10:00:00+08:00","actor":"unit:pboc-baisha"\#(fields)}"#)
    }

    static func problem(_ fields: String) -> InputError? {
        do { _ = try Event.decode(jsonLine: line(fields)); return nil } catch { return error }
    }

    @Test func decodesBothActs() throws {
        let push = try Event.decode(jsonLine: Self.line(#","unit":"unit:pboc-baisha","of":"push""#))
        #expect(push.body == .unitAcknowledged(unit: "unit:pboc-baisha", of: .push))
        #expect(push.body.unit == "unit:pboc-baisha")
        let exit = try Event.decode(jsonLine: Self.line(#","unit":"unit:pboc-baisha","of":"exit_notice""#))
        #expect(exit.body == .unitAcknowledged(unit: "unit:pboc-baisha", of: .exitNotice))
        #expect(EventType.unitAcknowledged.fields.map(\.name) == ["unit", "of"])
    }

    @Test func refusesABadOrMissingOfAndAMissingUnit() {
        let bad = Self.problem(#","unit":"unit:pboc-baisha","of":"receipt""#)
        #expect(bad?.field == "of")
        #expect(bad?.problem == #""receipt" is not one of: push, exit_notice"#)
        let missing = Self.problem(#","unit":"unit:pboc-baisha""#)
        #expect(missing?.field == "of")
        #expect(missing?.problem.hasPrefix("is required") == true)
        #expect(Self.problem(#","unit":"unit:pboc-baisha","of":7"#)?.field == "of")
        #expect(Self.problem(#","of":"push""#)?.field == "unit")
        #expect(Self.problem(#","unit":"court:baisha","of":"push""#)?.field == "unit")
        #expect(Self.problem(#","unit":"unit:pboc-baisha","of":"push","measure":"x""#)?.field == "measure")
    }

    @Test func canonicalBytesAndInputObject() throws {
        let event = try Event.decode(jsonLine: Self.line(#","unit":"unit:pboc-baisha","of":"exit_notice""#))
        let bytes = event.canonicalBytes(seq: 7, recordedAt: instant("2025-03-01T01:05:45.038Z"))
        #expect(String(decoding: bytes, as: UTF8.self)
            == #"{"actor":"unit:pboc-baisha","at":"2018-09-05T10:00:00+08:00","entry":"E1","of":"exit_notice","recorded_at":"2025-03-01T01:05:45.038Z","seq":7,"type":"unit_acknowledged","unit":"unit:pboc-baisha","v":1}"#)
        // The stored bytes read back to the same event.
        let stored = try Event.decode(try JSONParser.parse(bytes), source: .canonical)
        #expect(stored.event == event)
        #expect(stored.seq == 7)
    }
}
