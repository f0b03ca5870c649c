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
