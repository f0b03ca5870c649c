import Foundation
import PostgresNIO

/// A `postgresql://USER[:PASSWORD]@HOST[:PORT]/DB` URL (SPEC §8), as `--db` takes it.
package struct PostgresURL: Sendable, Equatable, CustomStringConvertible {
    package var user: String
    package var password: String?
    package var host: String
    package var port: Int
    package var database: String

    /// Whether `text` names a PostgreSQL database rather than a SQLite file.
    package static func isPostgres(_ text: String) -> Bool {
        text.hasPrefix("postgresql://") || text.hasPrefix("postgres://")
    }

    package init(parsing text: String) throws(PostgresLedgerError) {
        guard Self.isPostgres(text), let components = URLComponents(string: text),
              let host = components.host, !host.isEmpty else {
            throw .badURL("\"\(text)\" is not postgresql://USER@HOST:PORT/DB")
        }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard let user = components.user, !user.isEmpty else { throw .badURL("\"\(text)\" names no user (postgresql://USER@HOST:PORT/DB)") }
        guard !database.isEmpty, !database.contains("/") else { throw .badURL("\"\(text)\" names no database (postgresql://USER@HOST:PORT/DB)") }
        self.user = user
        self.password = components.password
        self.host = host
        self.port = components.port ?? 5432
        self.database = database
    }

    /// The same server, another database (tests make one per case; `pg setup` connects as admin).
    package func with(database: String? = nil, user: String? = nil) -> PostgresURL {
        var copy = self
        if let database { copy.database = database }
        if let user { copy.user = user; copy.password = nil }
        return copy
    }

    /// Without the password: safe to print.
    package var description: String { "postgresql://\(user)@\(host):\(port)/\(database)" }

    var configuration: PostgresClient.Configuration {
        var configuration = PostgresClient.Configuration(host: host, port: port, username: user, password: password,
                                                         database: database, tls: .disable)
        // Many submitters each hold a connection while they wait for the sequencer.
        configuration.options.maximumConnections = 40
        return configuration
    }
}

/// What the PostgreSQL engine refuses or fails at, with the message a person reads.
package enum PostgresLedgerError: Error, CustomStringConvertible {
    case badURL(String)
    case noLog(String)
    case input(String)
    case integrity(String)
    case storage(String)

    package var description: String {
        switch self {
        case .badURL(let text), .noLog(let text), .input(let text), .integrity(let text), .storage(let text): text
        }
    }
}
