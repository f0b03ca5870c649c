import Foundation
import TestSupport
import Testing
import LedgerCrypto
import LedgerDomain
import LedgerMerkle

/// Encoding v2 (SPEC §7) against vectors computed independently in Python with hashlib and
/// fixed salts: `python3 scripts/make_v2_vectors.py` (Fixtures/vectors/canonical-v2).
@Suite("Encoding v2 against the Python golden vectors")
struct V2VectorTests {
    struct Case {
        let what: String
        let inputJSON: [UInt8]
        let seq: Int64
        let recordedAt: String
        let salts: [String: String]
        let commitments: [String: String]
        let canonical: String
        let leafHash: String
        let prevHash: String
        let hash: String
    }

    static func load() throws -> (cases: [Case], head: String, root: String) {
        let data = try fixtureData("Fixtures/vectors/canonical-v2/events.json")
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let raw = try #require(root["cases"] as? [[String: Any]])
        let cases = try raw.map { item -> Case in
            Case(what: try #require(item["what"] as? String),
                 inputJSON: Array(try JSONSerialization.data(withJSONObject: try #require(item["input"] as? [String: Any]))),
                 seq: Int64(try #require(item["seq"] as? Int)), recordedAt: try #require(item["recorded_at"] as? String),
                 salts: try #require(item["salts"] as? [String: String]), commitments: try #require(item["commitments"] as? [String: String]),
                 canonical: try #require(item["canonical"] as? String), leafHash: try #require(item["leaf_hash"] as? String),
                 prevHash: try #require(item["prev_hash"] as? String), hash: try #require(item["hash"] as? String))
        }
        return (cases, try #require(root["head"] as? String), try #require(root["merkle_root"] as? String))
    }

    @Test("sealing each input with the fixed salts gives the golden bytes, commitments and hashes")
    func sealing() throws {
        let vectors = try Self.load()
        var previous = RecordedEvent.genesisHash
        for vector in vectors.cases {
            let event = try Event.decode(jsonLine: vector.inputJSON)
            let recordedAt = instant(vector.recordedAt)
            let sealed = RecordedEvent(sealing: event, seq: vector.seq, recordedAt: recordedAt, prevHash: previous) { path in
                Hex.decode(vector.salts[path] ?? "") ?? []
            }
            #expect(String(decoding: sealed.canonical, as: UTF8.self) == vector.canonical, "seq \(vector.seq) (\(vector.what))")
            #expect(sealed.version == 2)
            #expect(sealed.commitments.mapValues { Hex.encode($0) } == vector.commitments, "seq \(vector.seq)")
            #expect(Hex.encode(sealed.hash) == vector.hash)
            #expect(Hex.encode(Merkle.leafHash(canonical: sealed.canonical)) == vector.leafHash)
            // No personal value is left in the hashed bytes.
            for (path, value) in PersonalData.values(of: event) {
                #expect(!vector.canonical.contains(value), "\(path) leaked into seq \(vector.seq)")
            }
            previous = sealed.hash
        }
        #expect(Hex.encode(previous) == vectors.head)
    }

    @Test("the stored bytes read back with their secrets give the input event; without, the commitments")
    func readBack() throws {
        let vectors = try Self.load()
        for vector in vectors.cases {
            let event = try Event.decode(jsonLine: vector.inputJSON)
            let values = Dictionary(uniqueKeysWithValues: PersonalData.values(of: event).map { ($0.path, $0.value) })
            let secrets = vector.salts.mapValues { PersonalSecret(salt: Hex.decode($0)!, value: "") }
                .reduce(into: [String: PersonalSecret]()) { $0[$1.key] = PersonalSecret(salt: $1.value.salt, value: values[$1.key]!) }
            let opened = try RecordedEvent(canonical: utf8(vector.canonical), prevHash: hex(vector.prevHash), hash: hex(vector.hash), secrets: secrets)
            #expect(opened.event == event, "seq \(vector.seq) (\(vector.what))")
            #expect(opened.reencoded == utf8(vector.canonical))
            #expect(opened.withheldPaths.isEmpty)

            let closed = try RecordedEvent(canonical: utf8(vector.canonical), prevHash: hex(vector.prevHash), hash: hex(vector.hash))
            #expect(closed.reencoded == utf8(vector.canonical), "an erased event still re-encodes to its bytes")
            #expect(closed.withheldPaths == vector.salts.keys.sorted())
            for (path, value) in values {
                #expect(!String(decoding: CanonicalJSON.encode(closed.inputObject(reveal: true)), as: UTF8.self).contains(value), "\(path)")
            }
        }
    }

    @Test("a value and salt that do not open the commitment are refused, naming the path")
    func wrongSecret() throws {
        let vector = try #require(try Self.load().cases.first)
        let saltHex = try #require(vector.salts["debtor.name"])
        let salt = try #require(Hex.decode(saltHex))
        #expect(PersonalData.commitment(salt: salt, value: "测试甲") == hex(vector.commitments["debtor.name"]!))
        do {
            _ = try RecordedEvent(canonical: utf8(vector.canonical), prevHash: [], hash: [],
                                  secrets: ["debtor.name": PersonalSecret(salt: salt, value: "测试乙")])
            Issue.record("a wrong value was joined back")
        } catch {
            #expect(error.field == "debtor.name")
        }
    }
}
