package import LedgerDomain
import LedgerService
package import LedgerStore

/// The server's face of the ledger file: `SharedLedger` (one writer connection that
/// group-commits concurrent posts, a few read-only connections, all on their own serial
/// queues so no SQLite call blocks the cooperative pool), plus what only the server needs:
/// its side tables, and the TEMP trigger that records which credential recorded each event.
package final class LedgerConnections: Sendable {
    private let shared: SharedLedger
    package var path: String { shared.path }

    package init(path: String, readers count: Int = 2) throws {
        shared = try SharedLedger(path: path, readers: count, clock: LedgerClock.now) { writer throws(LedgerError) in
            // The credential tables must exist before the read-only connections look for them.
            try writer.ensureCredentialTables()
            try writer.installAttribution()
        }
    }

    /// Appends one all-or-nothing batch, group-committed with the batches posted at the same
    /// time; answers once durable. Each event is attributed to `credential`. With
    /// `expectedLastSeq` (If-Match), throws `EntryMovedOn` if an entry moved on; nothing written.
    package func append(_ events: [NumberedEvent], credential: String, expectedLastSeq: Int64?) async throws -> [AppendOutcome] {
        try await shared.append(events: events, credential: credential, expectedLastSeq: expectedLastSeq)
    }

    /// Runs `body` on the writer connection between group commits (the access log).
    package func write<T: Sendable>(_ body: @escaping @Sendable (Ledger) throws -> T) async throws -> T {
        try await shared.write(body)
    }

    /// Runs `body` on one of the read-only connections, in one read transaction (one snapshot).
    package func read<T: Sendable>(_ body: @escaping @Sendable (Ledger) throws -> T) async throws -> T {
        try await shared.read(body)
    }

    /// Write transactions run by the writer for appends (fewer than posts when grouped).
    package var transactionCount: Int { shared.transactionCount }
}
