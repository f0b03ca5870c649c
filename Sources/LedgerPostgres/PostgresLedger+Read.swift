package import LedgerDomain
import LedgerMerkle
import NIOCore
import PostgresNIO

/// Reading a log back: its events in order (for replay, verify, export), head and tree.
extension PostgresLedger {
    /// The log's head: its size, chain hash and when it was last recorded.
    package func head(of log: Log) async throws -> ChainHead {
        let rows = try await client.query("SELECT size, hash, recorded_ms FROM heads WHERE log_id = \(log.id)", logger: logger).collect()
        guard let row = rows.first else { throw PostgresLedgerError.integrity("\(log.title) has no head row") }
        let (size, hash, recorded) = try row.decode((Int64, ByteBuffer, Int64).self)
        return ChainHead(size: size, hash: hash.bytes, recordedMilliseconds: recorded)
    }

    /// Calls `body` with each event of `log` in seq order, `pageSize` rows per query, so a
    /// long log streams in bounded memory.
    package func forEachEvent(of log: Log, entry: String? = nil, pageSize: Int64 = 5_000,
                              _ body: (RecordedEvent) throws -> Void) async throws {
        try await forEachPage(of: log, entry: entry, pageSize: pageSize) { page in
            for recorded in page { try body(recorded) }
        }
    }

    /// Calls `body` with the events of `log` in seq order, a page of at most `pageSize` at a
    /// time: those naming `entry` when given, whose `at` lies in `atMilliseconds` when given,
    /// and up to seq `upTo` when given.
    package func forEachPage(of log: Log, entry: String? = nil, atMilliseconds: ClosedRange<Int64>? = nil, upTo: Int64? = nil,
                             pageSize: Int64 = 5_000, _ body: ([RecordedEvent]) async throws -> Void) async throws {
        var after: Int64 = 0
        while true {
            var binds = PostgresBindings()
            binds.append(log.id)
            binds.append(after)
            binds.append(pageSize)
            var condition = "e.log_id = $1 AND e.seq > $2"
            if let entry {
                binds.append(entry)
                condition += " AND e.entry = $\(binds.count)"
            }
            if let atMilliseconds {
                binds.append(atMilliseconds.lowerBound)
                binds.append(atMilliseconds.upperBound)
                condition += " AND e.at_ms BETWEEN $\(binds.count - 1) AND $\(binds.count)"
            }
            if let upTo {
                binds.append(upTo)
                condition += " AND e.seq <= $\(binds.count)"
            }
            let page = try await client.withConnection { connection in
                try await self.readEvents(connection, PostgresQuery(
                    unsafeSQL: "SELECT \(Self.eventColumns) FROM \(Self.eventJoin) WHERE \(condition) ORDER BY e.seq LIMIT $3", binds: binds))
            }
            if !page.isEmpty { try await body(page) }
            guard let last = page.last, page.count == Int(pageSize) else { return }
            after = last.seq
        }
    }

    /// The projected states a query of (entry, state) rows returns, in its order.
    func states(of log: Log, _ query: PostgresQuery) async throws -> [EntryState] {
        let rows = try await client.query(query, logger: logger)
        var states: [EntryState] = []
        for try await (entry, state) in rows.decode((String, ByteBuffer).self) {
            guard let decoded = EntryState(storage: state.bytes) else {
                throw PostgresLedgerError.integrity("the projection of entry \"\(entry)\" in \(log.title) is unreadable")
            }
            states.append(decoded)
        }
        return states
    }
}
