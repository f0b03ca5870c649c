import ArgumentParser
import Foundation
import LedgerDomain
import LedgerPostgres
import LedgerServer
import Logging
import ServiceLifecycle
import UnixSignals

extension ListLedger {
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the HTTP server of SPEC §6 on this ledger (127.0.0.1:8080 unless told).",
            discussion: """
            Every route needs a credential (`listledger tokens issue`, `listledger users add`) except /healthz, /metrics, /openapi.json, /api/v1/checkpoint and /api/v1/public/search. SIGTERM or SIGINT stops it gracefully: no new connections, the requests in flight finish (an acknowledged event is durable), open feeds end. Environment: LISTLEDGER_HOST, LISTLEDGER_PORT, LOG_LEVEL (info by default; one structured line per request, without personal data).
            """
        )

        @OptionGroup var ledger: LedgerOptions
        @Option(help: ArgumentHelp("Address to bind (default $LISTLEDGER_HOST, else 127.0.0.1).", valueName: "host")) var host: String?
        @Option(help: ArgumentHelp("Port to bind (default $LISTLEDGER_PORT, else 8080; 0 picks a free one).", valueName: "port")) var port: Int?
        @Option(help: ArgumentHelp("Largest request body in bytes (default 8 MiB).", valueName: "bytes")) var maxBody: Int?
        @Option(help: ArgumentHelp("Public search: requests per second per client address (default 10, bursts of 30).", valueName: "n")) var publicRate: Double?
        @Flag(help: "Mark the pages' cookies Secure: set it when browsers reach the server over TLS (a proxy in front).") var secureCookies = false
        @Option(help: ArgumentHelp("Web sign-in sessions end this many hours after sign-in (default 8).", valueName: "hours")) var sessionHours: Int?

        func run() async throws {
            var app: LedgerServerApp?
            let environment = ProcessInfo.processInfo.environment
            try reportingFailures {
                if PostgresURL.isPostgres(self.ledger.path) {
                    // No half-working server: every route reads SQLite's side tables (users, tokens,
                    // sessions, access log, webhooks), which PostgreSQL does not have yet.
                    throw Failure.input(InputError(field: "--db", "serve runs on a SQLite ledger file only: on PostgreSQL its routes, credentials (users, tokens, sessions), access log and webhooks are not built yet; use the command line (append, state, obligations, history, prove, export, verify, checkpoint)"))
                }
                var settings = ServerSettings(databasePath: self.ledger.path)
                settings.host = host ?? environment["LISTLEDGER_HOST"] ?? settings.host
                if let text = port.map(String.init) ?? environment["LISTLEDGER_PORT"] {
                    guard let value = Int(text), (0...65535).contains(value) else {
                        throw Failure.input(InputError(field: "--port", "\"\(text)\" is not a port (0–65535)"))
                    }
                    settings.port = value
                }
                if let maxBody {
                    guard maxBody >= 1024 else { throw Failure.input(InputError(field: "--max-body", "must be at least 1024 bytes")) }
                    settings.maximumBodyBytes = maxBody
                }
                if let publicRate {
                    guard publicRate > 0 else { throw Failure.input(InputError(field: "--public-rate", "must be more than 0")) }
                    settings.publicPerSecond = publicRate
                    settings.publicBurst = max(1, Int(publicRate * 3))
                }
                settings.web.secureCookies = secureCookies
                if let sessionHours {
                    guard (1...168).contains(sessionHours) else { throw Failure.input(InputError(field: "--session-hours", "must be 1 to 168 hours")) }
                    settings.web.sessionLifetimeMilliseconds = Int64(sessionHours) * 3_600_000
                }
                // Opening the ledger here refuses a missing or foreign file before binding a port.
                _ = try self.ledger.open(readOnly: true)
                app = try LedgerServerApp(settings: settings)
            }
            guard let app else { return }
            var logger = Logger(label: "listledger.server")
            logger.logLevel = environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
            let application = app.makeApplication(logger: logger)
            let group = ServiceGroup(configuration: .init(services: [application], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            try await group.run()
        }
    }
}
