import Dispatch
import Foundation
import LedgerDomain
import LedgerStore
import Synchronization
import Testing

/// Parallel segments under concurrent appends: each segment reads on its own connection, so
/// each sees a later snapshot than the head; all must still verify the head's prefix only.
struct VerifySnapshotTests {
    @Test("verify in 1–4 segments while another connection appends: never a false failure")
    func segmentsAgreeUnderAppends() throws {
        let temp = try TempLedger()
        defer { temp.remove() }
        let ledger = try temp.create()
        _ = try ledger.append(try events((1...200).map { notice("S\($0)") }), clock: { clock("2025-01-02T00:00:00Z") })
        let stop = Atomic<Bool>(false)
        let appended = Atomic<Int>(0)
        let failure = Mutex<String?>(nil)
        let path = temp.path
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            defer { done.signal() }
            do {
                let writer = try Ledger.open(path: path)
                var n = 0
                while !stop.load(ordering: .relaxed) {
                    n += 1
                    _ = try writer.append(try events([notice("W\(n)")]), clock: { clock("2025-01-02T00:00:00Z") })
                    appended.store(n, ordering: .relaxed)
                }
            } catch {
                failure.withLock { $0 = "writer: \(error)" }
            }
        }
        // Start once the writer is committing (the test runner may be busy with other suites).
        for _ in 0..<1_000 where appended.load(ordering: .relaxed) == 0 { usleep(10_000) }
        var sizes: [Int64] = []
        var round = 0
        // At least 20 rounds, and on until the writer has committed during them.
        while round < 20 || (sizes.first == sizes.last && round < 2_000) {
            let report = try ledger.verify(segments: 1 + round % 4)
            #expect(report.ok, "round \(round): seq \(report.firstBadSeq ?? 0): \(report.reason ?? "")")
            sizes.append(report.events)
            round += 1
        }
        stop.store(true, ordering: .relaxed)
        done.wait()
        #expect(failure.withLock { $0 } == nil)
        #expect(appended.load(ordering: .relaxed) > 0 && sizes.first! < sizes.last!, "the writer did not append during the verifies: \(sizes)")
        let final = try ledger.verify(segments: 3)
        #expect(final.ok && final.events == 200 + Int64(appended.load(ordering: .relaxed)))
    }
}
