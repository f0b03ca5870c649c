import LedgerDomain
import LedgerStore
import Testing

/// `CanonicalSeq.read` skips through the bytes (verify's hot path); it must name the same
/// `"seq":` as the plain search it replaced: the last occurrence with a byte after it.
@Suite("CanonicalSeq: the skipping search finds what a byte-by-byte search finds")
struct CanonicalSeqTests {
    /// The byte-by-byte backward search verify used before (the reference).
    static func plain(_ bytes: [UInt8]) -> Int64? {
        let key = Array(#""seq":"#.utf8)
        guard bytes.count > key.count else { return nil }
        for i in stride(from: bytes.count - key.count - 1, through: 0, by: -1) where Array(bytes[i..<(i + key.count)]) == key {
            var value: Int64 = 0
            var digits = 0
            var k = i + key.count
            while k < bytes.count, (0x30...0x39).contains(bytes[k]), digits < 19 {
                // Beyond Int64: unreadable (nil), not a trap.
                guard value <= (Int64.max - Int64(bytes[k] - 0x30)) / 10 else { return nil }
                value = value * 10 + Int64(bytes[k] - 0x30)
                k += 1
                digits += 1
            }
            return digits > 0 ? value : nil
        }
        return nil
    }

    @Test("hand-made cases: keys inside strings, at the edges, without digits, overlapping near-misses")
    func handMade() {
        let cases = [
            #"{"seq":7}"#, #"{"a":1,"seq":123456,"type":"x","v":2}"#, #""seq":"#, #""seq":1"#, #"x"seq":1"#,
            #"{"seq":"x"}"#, #"{"seq":}"#, #"{"sseq":5,"seq":6}"#, #"{"seq":5,"note":"\"seq\":9"}"#,
            #"""seq":4}"#, #"{"se":1,"eq":2,"q":3,"s":4,":":5}"#, #""seq"seq":3,"#, #"{"seq":9999999999999999999999}"#, #"{"seq":9223372036854775807}"#, #"{"seq":9223372036854775808}"#,
            #"::::"seq":8:::"#, #"qqqq"seq":10 eeee"#, "", "\"", #"{"seq":12,"seq":34}"#,
        ]
        for text in cases {
            let bytes = Array(text.utf8)
            #expect(CanonicalSeq.read(bytes) == Self.plain(bytes), "\(text)")
        }
    }

    @Test("random strings over the key's own alphabet, and every suffix of a real event's bytes")
    func randomAndSuffixes() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array(#""seq:1x2"#.utf8)
        for _ in 0..<20_000 {
            let bytes = (0..<Int.random(in: 0...24, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }
            #expect(CanonicalSeq.read(bytes) == Self.plain(bytes), "\(String(decoding: bytes, as: UTF8.self))")
        }
        #expect(CanonicalSeq.read(Array(#"{"seq":9223372036854775807}"#.utf8)) == Int64.max)
        #expect(CanonicalSeq.read(Array(#"{"seq":9223372036854775808}"#.utf8)) == nil)
        let event = Array(#"{"actor":"court:baisha","at":"2024-03-01T09:00:00+08:00","entry":"(2018)琼9025执182号-何某某","recorded_at":"2025-01-01T00:00:00.000Z","seq":300421,"type":"risk_notice_issued","v":2}"#.utf8)
        #expect(CanonicalSeq.read(event) == 300_421)
        for start in 0..<event.count {
            let tail = Array(event[start...])
            #expect(CanonicalSeq.read(tail) == Self.plain(tail))
        }
    }
}
