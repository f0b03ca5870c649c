import Dispatch
import Foundation
import LedgerStore

/// The synchronous `Ledger` behind the async server: one writer connection on one serial
/// DispatchQueue (appends, revocations and the access log never overlap and never block the
/// cooperative thread pool), and a few read-only connections, each on its own queue, so reads
/// are never queued behind a write. SQLite's WAL gives each read a committed snapshot.
///
/// The write path's async group-committing appender replaces the writer half after merging.
package final class LedgerConnections: @unchecked Sendable {
    // Each Ledger is touched only on its own queue: that is the whole thread-safety argument.
    private let writer: Ledger
    private let writeQueue = DispatchQueue(label: "listledger.writer")
    private let readers: [(LedgerBox, DispatchQueue)]
    private let nextReader = NSLock()
    private var readerIndex = 0
    package let path: String

    package init(path: String, readers count: Int = 2) throws {
        self.path = path
        writer = try Ledger.open(path: path)
        // The credential tables must exist before the read-only connections look for them.
        try writer.ensureCredentialTables()
        readers = try (0..<max(1, count)).map { i in
            (LedgerBox(try Ledger.open(path: path, readOnly: true)), DispatchQueue(label: "listledger.reader.\(i)"))
        }
    }

    /// Runs `body` on the writer's queue.
    package func write<T: Sendable>(_ body: @escaping @Sendable (Ledger) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            writeQueue.async { continuation.resume(with: Result { try body(self.writer) }) }
        }
    }

    /// Runs `body` on one of the read-only connections, round robin.
    package func read<T: Sendable>(_ body: @escaping @Sendable (Ledger) throws -> T) async throws -> T {
        let (box, queue) = nextReader.withLock {
            defer { readerIndex &+= 1 }
            return readers[readerIndex % readers.count]
        }
        return try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body(box.ledger) }) }
        }
    }
}

/// A read connection handed to its own queue; used only there.
private final class LedgerBox: @unchecked Sendable {
    let ledger: Ledger
    init(_ ledger: Ledger) { self.ledger = ledger }
}
