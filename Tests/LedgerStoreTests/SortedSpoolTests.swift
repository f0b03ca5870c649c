import Foundation
import LedgerStorage
import Testing
import TestSupport

/// `SortedSpool` (LedgerStorage): an external merge sort of byte records. Tiny limits force
/// runs on disk and merges of runs, so that every path of it is exercised by a few records.
@Suite struct SortedSpoolTests {
    /// A fresh directory for one test's runs (so that its files can be looked for alone).
    static func directory() throws -> String {
        let path = NSTemporaryDirectory() + "spool-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// The descriptors this process holds open on files of `directory` (deleted or not).
    static func openFiles(in directory: String) -> Int {
        let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return fds.filter { ((try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/" + $0)) ?? "").hasPrefix(directory + "/") }.count
    }

    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    static func drained(_ spool: SortedSpool) throws -> [(String, String)] {
        var out: [(String, String)] = []
        try spool.drain { key, value in out.append((String(decoding: key, as: UTF8.self), String(decoding: value, as: UTF8.self))) }
        return out
    }

    @Test("hand-known: keys with ties across runs of two come out in key order, ties in insertion order", arguments: [1, 2, 3, 100])
    func ties(records: Int) throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let spool = SortedSpool(limits: .init(records: records, fanIn: 2), directory: directory)
        for (n, key) in ["b", "a", "b", "c", "a", "b"].enumerated() { try spool.append(key: Self.bytes(key), value: Self.bytes("\(n)")) }
        #expect((spool.runsWritten > 0) == (records < 6))
        let out = try Self.drained(spool)
        #expect(out.map(\.0) == ["a", "a", "b", "b", "b", "c"])
        #expect(out.map(\.1) == ["1", "4", "0", "2", "5", "3"])
    }

    @Test("empty and one record: nothing or that record, and nothing written to disk")
    func emptyAndOne() throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let empty = SortedSpool(limits: .init(records: 1), directory: directory)
        #expect(try Self.drained(empty).isEmpty)
        let one = SortedSpool(limits: .init(records: 2), directory: directory)
        try one.append(key: [], value: Self.bytes("v"))
        #expect(one.runsWritten == 0)
        #expect(try Self.drained(one).map(\.1) == ["v"])
        // At the limit exactly, the held records become a run.
        let atLimit = SortedSpool(limits: .init(records: 1), directory: directory)
        try atLimit.append(key: Self.bytes("k"), value: Self.bytes("v"))
        #expect(atLimit.runsWritten == 1)
        #expect(try Self.drained(atLimit).map(\.0) == ["k"])
    }

    @Test("CJK and composed/decomposed keys compare as bytes, not as Swift strings (which call é and e+◌́ equal)")
    func bytewise() throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let spool = SortedSpool(limits: .init(records: 2, fanIn: 2), directory: directory)
        let composed = "\u{e9}", decomposed = "e\u{301}"
        for key in ["中国", "丁", composed, "中", "a", decomposed, "\u{0}", ""] { try spool.append(key: Self.bytes(key), value: []) }
        // 中 E4 B8 AD, 丁 E4 B8 81, é C3 A9, e+◌́ 65 CC 81: by bytes, prefixes first.
        #expect(try Self.drained(spool).map { Self.bytes($0.0) } == ["", "\u{0}", "a", decomposed, composed, "丁", "中", "中国"].map(Self.bytes))
    }

    @Test("2,000 seeded records with many ties through runs of 7 and merges of 3 runs: the stable sort, values intact")
    func manyRuns() throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var generator = SeededGenerator(seed: 7)
        var records: [([UInt8], [UInt8])] = []
        for n in 0..<2_000 {
            let key = (0..<Int.random(in: 0...3, using: &generator)).map { _ in UInt8.random(in: 0...3, using: &generator) * 60 }
            records.append((key, Array("value \(n) ".utf8) + Array(repeating: UInt8(n % 256), count: n % 300)))
        }
        let spool = SortedSpool(limits: .init(records: 7, fanIn: 3), directory: directory)
        for (key, value) in records { try spool.append(key: key, value: value) }
        #expect(spool.runsWritten > 2_000 / 7)
        #expect(Self.openFiles(in: directory) > 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).isEmpty)  // unlinked at creation
        var out: [([UInt8], [UInt8])] = []
        try spool.drain { out.append(($0, $1)) }
        // The reference: sort by key (lexicographic bytes), then by insertion number.
        let expected = records.indices.sorted { a, b in
            records[a].0 == records[b].0 ? a < b : records[a].0.lexicographicallyPrecedes(records[b].0)
        }.map { records[$0] }
        #expect(out.count == expected.count)
        #expect(out.map(\.0) == expected.map(\.0) && out.map(\.1) == expected.map(\.1))
        #expect(Self.openFiles(in: directory) == 0)
    }

    @Test("the byte limit alone starts runs")
    func byteLimit() throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let spool = SortedSpool(limits: .init(records: 1_000_000, bytes: 1_000), directory: directory)
        for n in (0..<50).reversed() { try spool.append(key: [UInt8(n)], value: Array(repeating: 1, count: 100)) }
        #expect(spool.runsWritten > 0)
        var keys: [UInt8] = []
        try spool.drain { key, _ in keys += key }
        #expect(keys == Array(0..<50))
    }

    struct Stop: Error {}

    @Test("an error midway: what the body throws ends the drain and is rethrown; the run files are closed, none left")
    func errorMidway() throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let spool = SortedSpool(limits: .init(records: 3), directory: directory)
        for n in 0..<20 { try spool.append(key: [UInt8(20 - n)], value: []) }
        #expect(Self.openFiles(in: directory) == 6)
        var seen = 0
        #expect(throws: Stop.self) {
            try spool.drain { _, _ in
                seen += 1
                if seen == 5 { throw Stop() }
            }
        }
        #expect(seen == 5)
        #expect(Self.openFiles(in: directory) == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).isEmpty)

        // A spool released undrained closes its files too.
        do {
            let abandoned = SortedSpool(limits: .init(records: 2), directory: directory)
            for n in 0..<9 { try abandoned.append(key: [UInt8(n)], value: []) }
            #expect(Self.openFiles(in: directory) == 4)
        }
        #expect(Self.openFiles(in: directory) == 0)
    }

    @Test("a run that cannot be written: StorageError.unavailable naming the directory")
    func unwritable() throws {
        let missing = NSTemporaryDirectory() + "spool-missing-" + UUID().uuidString
        let spool = SortedSpool(limits: .init(records: 2), directory: missing)
        try spool.append(key: [1], value: [])
        do {
            try spool.append(key: [2], value: [])
            Issue.record("a run was written to a missing directory")
        } catch let StorageError.unavailable(message) {
            #expect(message.contains(missing) && message.contains("TMPDIR"))
        }
    }
}
