import ArgumentParser
import LedgerDomain
import LedgerPostgres

extension ListLedger {
    /// `listledger pg setup`: operations on a PostgreSQL database (SPEC §8, issue 13).
    struct Pg: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "PostgreSQL operations: `pg setup` creates the schema and least-privilege roles.",
            subcommands: [Setup.self]
        )

        struct Setup: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Create the tables and the roles: the server's may INSERT into the log but never UPDATE or DELETE it.",
                discussion: """
                Run as the database's owner (--db postgresql://OWNER@HOST:PORT/DB). Then `listledger init --court C` as the owner adds each court's log, and servers connect as the server role (postgresql://SERVER_ROLE@HOST:PORT/DB; set its password or pg_hba.conf rule as your site requires). The reader role may only read the log, never the signing keys or the personal values.
                """
            )
            @OptionGroup var ledger: LedgerOptions
            @Option(help: "The role servers connect as.") var serverRole = "listledger_server"
            @Option(help: "The read-only role (replicas, reporting).") var readerRole = "listledger_reader"

            func run() throws {
                try reportingFailures {
                    guard let url = try ledger.postgres() else {
                        throw Failure.input(InputError(field: "--db", "pg setup needs a postgresql://OWNER@HOST:PORT/DB URL"))
                    }
                    let (server, reader) = (serverRole, readerRole)
                    try onPostgres(url) { _ in try await PostgresSetup.run(url: url, serverRole: server, readerRole: reader) }
                    print("schema ready in \(url); roles \(server) (INSERT into the log, no UPDATE or DELETE) and \(reader) (read only)")
                }
            }
        }
    }
}
