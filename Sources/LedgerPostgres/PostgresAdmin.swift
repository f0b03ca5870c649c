import Logging
import PostgresNIO

/// Statements run as the server's superuser or the database owner: creating a database
/// (tests make one per case; `pg setup`).
package enum PostgresAdmin {
    /// Creates database `name` on the server of `url` (connecting to `url`'s own database).
    package static func createDatabase(_ name: String, on url: PostgresURL) async throws {
        guard name.utf8.allSatisfy({ (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x5F }) else {
            throw PostgresLedgerError.input("database name \"\(name)\": use a-z, 0-9 and _")
        }
        try await execute(["CREATE DATABASE \(name)"], on: url)
    }

    /// Runs `statements` one by one outside a transaction (CREATE DATABASE refuses one).
    package static func execute(_ statements: [String], on url: PostgresURL) async throws {
        let logger = Logger(label: "listledger.postgres.admin")
        let client = PostgresClient(configuration: url.configuration)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            for statement in statements {
                try await client.query(PostgresQuery(unsafeSQL: statement), logger: logger)
            }
        }
    }

    /// The first column of the first row of `sql` (cast to text in the SQL), or nil: a probe
    /// for tests and operators (`pg_is_in_recovery()`, a count) without a ledger.
    package static func scalar(_ sql: String, on url: PostgresURL) async throws -> String? {
        let logger = Logger(label: "listledger.postgres.admin")
        let client = PostgresClient(configuration: url.configuration)
        return try await withThrowingTaskGroup(of: String??.self) { group in
            group.addTask { await client.run(); return nil }
            defer { group.cancelAll() }
            let rows = try await client.query(PostgresQuery(unsafeSQL: sql), logger: logger).collect()
            return try rows.first?.decode(String?.self)
        }
    }
}
