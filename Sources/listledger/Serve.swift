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
            Every route needs a credential (`listledger tokens issue`, `listledger users add`) except /healthz, /metrics, /openapi.json, /api/v1/checkpoint and /api/v1/public/search. On PostgreSQL (--db postgresql://…, --court C) it serves that court's log, the API and the web pages (sign-in sessions and party names are the database's, as its users are; the seed names are added at start, a name changed in party_names is kept). With --read-db postgresql://… (a hot standby of --db) the API's reads go to the standby (the web pages read --db), except those that need a seq it has not replayed yet (the caller's Ledger-After-Seq header, or this credential's own appends through this process): they wait up to 2 s for the replay, then read --db. SIGTERM or SIGINT stops it gracefully: no new connections, the requests in flight finish (an acknowledged event is durable), open feeds end. Environment: LISTLEDGER_HOST, LISTLEDGER_PORT, LOG_LEVEL (info by default; one structured line per request, without personal data).
            """
        )

        @OptionGroup var ledger: LedgerOptions
        @OptionGroup var log: CourtOption
        @Option(help: ArgumentHelp("Address to bind (default $LISTLEDGER_HOST, else 127.0.0.1).", valueName: "host")) var host: String?
        @Option(help: ArgumentHelp("Port to bind (default $LISTLEDGER_PORT, else 8080; 0 picks a free one).", valueName: "port")) var port: Int?
        @Option(help: ArgumentHelp("Largest request body in bytes (default 8 MiB).", valueName: "bytes")) var maxBody: Int?
        @Option(help: ArgumentHelp("Public search: requests per second per client address (default 10, bursts of 30).", valueName: "n")) var publicRate: Double?
        @Flag(help: "Mark the pages' cookies Secure: set it when browsers reach the server over TLS (a proxy in front).") var secureCookies = false
        @Option(help: ArgumentHelp("Web sign-in sessions end this many hours after sign-in (default 8).", valueName: "hours")) var sessionHours: Int?

        func run() async throws {
            var app: LedgerServerApp?
            var settings: ServerSettings?
            var postgres: PostgresURL?
            var standby: PostgresURL?
            let environment = ProcessInfo.processInfo.environment
            try reportingFailures {
                postgres = try self.ledger.postgres()
                if log.readDB != nil, postgres == nil {
                    throw Failure.input(InputError(field: "--read-db", "a hot standby is read only with a PostgreSQL --db (its primary); a SQLite file has none"))
                }
                // Per request, not per server: a read names the seq it needs in Ledger-After-Seq.
                if log.afterSeq != nil {
                    throw Failure.input(InputError(field: "--after-seq", "serve takes no --after-seq: a request names the seq it needs in its Ledger-After-Seq header (the Ledger-Seq its append was answered with)"))
                }
                if let readDB = log.readDB {
                    do { standby = try PostgresURL(parsing: readDB) } catch { throw Failure.input(InputError(field: "--read-db", "\(error)")) }
                }
                var parsed = ServerSettings(databasePath: self.ledger.path)
                parsed.host = host ?? environment["LISTLEDGER_HOST"] ?? parsed.host
                if let text = port.map(String.init) ?? environment["LISTLEDGER_PORT"] {
                    guard let value = Int(text), (0...65535).contains(value) else {
                        throw Failure.input(InputError(field: "--port", "\"\(text)\" is not a port (0–65535)"))
                    }
                    parsed.port = value
                }
                if let maxBody {
                    guard maxBody >= 1024 else { throw Failure.input(InputError(field: "--max-body", "must be at least 1024 bytes")) }
                    parsed.maximumBodyBytes = maxBody
                }
                if let publicRate {
                    guard publicRate > 0 else { throw Failure.input(InputError(field: "--public-rate", "must be more than 0")) }
                    parsed.publicPerSecond = publicRate
                    parsed.publicBurst = max(1, Int(publicRate * 3))
                }
                parsed.web.secureCookies = secureCookies
                if let sessionHours {
                    guard (1...168).contains(sessionHours) else { throw Failure.input(InputError(field: "--session-hours", "must be 1 to 168 hours")) }
                    parsed.web.sessionLifetimeMilliseconds = Int64(sessionHours) * 3_600_000
                }
                settings = parsed
                guard postgres == nil else { return }
                // Opening the ledger here refuses a missing or foreign file before binding a port.
                _ = try self.ledger.open(readOnly: true)
                app = try LedgerServerApp(settings: parsed)
            }
            guard let settings else { return }
            var logger = Logger(label: "listledger.server")
            logger.logLevel = environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
            if let postgres {
                try await serveOnPostgres(postgres, standby: standby, settings: settings, logger: logger)
            } else if let app {
                try await Self.serve(app, logger: logger)
            }
        }

        /// One court's log of a PostgreSQL database: the API and the web pages, with the API's reads on `standby` when given
        /// (`StandbyServerLedger`), and the obligations projector of the log running beside it.
        /// The pools run for as long as the server does.
        func serveOnPostgres(_ url: PostgresURL, standby: PostgresURL?, settings: ServerSettings, logger: Logger) async throws {
            let court = log.court
            // The server's own failures (a port in use) are not the database's: kept apart.
            struct Serving: Error { let error: any Error }
            try await reportingFailuresAsync {
                do {
                    try await PostgresLedger.withLedger(url: url, clock: { Clock.now() }) { database in
                        // Refuses a database without that log (or with several and no --court) before binding a port.
                        let log = try await database.log(court: court)
                        let primary = PostgresServerLedger(database: database, log: log)
                        // The pages' tables and seed names, before any page is served.
                        try await primary.prepareWeb()
                        try await withThrowingTaskGroup(of: Void.self) { group in
                            // Derived data, caught up in its own transactions; reads derive what it lacks.
                            group.addTask { await database.runObligationsProjector(of: log) }
                            defer { group.cancelAll() }
                            guard let standby else {
                                let app = LedgerServerApp(settings: settings, ledger: primary)
                                do { try await Self.serve(app, logger: logger) } catch { throw Serving(error: error) }
                                return
                            }
                            try await Self.withStandby(standby, of: log, on: database, court: court) { replica in
                                let app = LedgerServerApp(settings: settings, ledger: StandbyServerLedger(primary: primary, standby: replica))
                                do { try await Self.serve(app, logger: logger) } catch { throw Serving(error: error) }
                            }
                        }
                    }
                } catch let serving as Serving {
                    throw serving.error
                } catch {
                    throw commandLineFailure(error, url: url)
                }
            }
        }

        /// The standby's pool (nothing created there: it is read-only) and the same log on it,
        /// refused before binding a port when it is not that log (another database or server).
        static func withStandby(_ url: PostgresURL, of log: PostgresLedger.Log, on primary: PostgresLedger, court: String?,
                                _ body: @escaping @Sendable (PostgresServerLedger) async throws -> Void) async throws {
            struct Inner: Error { let error: any Error }
            do {
                try await PostgresLedger.withLedger(url: url, clock: { Clock.now() }, migrate: false) { replica in
                    let found: PostgresLedger.Log
                    do { found = try await replica.log(court: court ?? log.court) } catch {
                        throw Failure.input(InputError(field: "--read-db", "\(url) does not hold \(log.title) (\(error)); name a hot standby of --db"))
                    }
                    guard found == log, try await replica.creation(of: found) == (try await primary.creation(of: log)) else {
                        throw Failure.input(InputError(field: "--read-db", "\(url) holds another log of \(log.court) (not the one of --db: another database or server): name a hot standby of --db"))
                    }
                    do { try await body(PostgresServerLedger(database: replica, log: found)) } catch { throw Inner(error: error) }
                }
            } catch let inner as Inner {
                throw inner.error
            } catch let failure as Failure {
                throw failure
            } catch {
                throw Failure.other("error: --read-db \(url): \(String(reflecting: error))")
            }
        }

        static func serve(_ app: LedgerServerApp, logger: Logger) async throws {
            let application = app.makeApplication(logger: logger)
            let group = ServiceGroup(configuration: .init(services: [application], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            try await group.run()
        }
    }
}
