import LedgerDomain
import LedgerStore
import Synchronization

/// Group commit for the access log: the reads of one moment wait for ONE transaction that
/// writes all their records, instead of one fsync each. Every read is still answered only
/// after its records are durable (SPEC §6: every read of personal data is logged), so an
/// answer is never sent for a read the log could lose.
final class AccessLogBatcher: Sendable {
    private struct Pending: Sendable {
        var records: [AccessRecord] = []
        var waiters: [CheckedContinuation<Void, any Error>] = []
        var draining = false
    }

    private let ledger: any ServerLedger
    private let pending = Mutex(Pending())

    init(ledger: any ServerLedger) { self.ledger = ledger }

    /// Returns once `records` are committed (with the others waiting at the same time).
    func log(_ records: [AccessRecord]) async throws {
        guard !records.isEmpty else { return }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let start = pending.withLock { pending -> Bool in
                pending.records.append(contentsOf: records)
                pending.waiters.append(continuation)
                if pending.draining { return false }
                pending.draining = true
                return true
            }
            if start { Task { await self.drain() } }
        }
    }

    /// Writes what is waiting, one transaction per turn, until nothing is.
    private func drain() async {
        while true {
            let (records, waiters) = pending.withLock { pending -> ([AccessRecord], [CheckedContinuation<Void, any Error>]) in
                defer { pending.records = []; pending.waiters = [] }
                if pending.waiters.isEmpty { pending.draining = false }
                return (pending.records, pending.waiters)
            }
            if waiters.isEmpty { return }
            do {
                try await ledger.logAccess(records)
                for waiter in waiters { waiter.resume() }
            } catch {
                for waiter in waiters { waiter.resume(throwing: error) }
            }
        }
    }
}
