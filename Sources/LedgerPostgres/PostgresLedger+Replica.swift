import PostgresNIO
import LedgerDomain

/// Readers on a hot standby with read-your-writes (issue 13 point 4): a caller that just
/// appended knows its last seq; the standby serves it once its replayed log holds that seq.
extension PostgresLedger {
    /// Whether `log`'s head here reaches `seq` within `timeout`, looking every 20 ms. On a
    /// standby this is the replay catching up; false means: read the primary instead.
    package func waitUntil(_ log: Log, holds seq: Int64, timeout: Duration) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while true {
            if try await head(of: log).size >= seq { return true }
            guard ContinuousClock.now < deadline else { return false }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}

extension PostgresLedger {
    /// What tells one log from another that has the same court, origin and id (two databases
    /// each with one log of court C): the moment it was created. A hot standby of the
    /// database holds the same value; `serve --read-db` checks it before serving.
    package func creation(of log: Log) async throws -> String {
        let rows = try await client.query("SELECT created_at::text FROM logs WHERE log_id = \(log.id)", logger: logger).collect()
        guard let row = rows.first else { throw PostgresLedgerError.noLog("no log \(log.id) of \(log.court)") }
        return try row.decode(String.self)
    }
}
