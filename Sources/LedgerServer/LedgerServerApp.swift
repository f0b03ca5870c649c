import Foundation
import HTTPTypes
package import Hummingbird
package import Logging
import LedgerDomain
import LedgerService
import NIOCore
import ServiceLifecycle

/// How `listledger serve` runs: flags, with environment fallbacks read by the command line.
package struct ServerSettings: Sendable {
    package var host = "127.0.0.1"
    package var port = 8080
    package var databasePath: String
    /// Largest request body accepted (413 past it).
    package var maximumBodyBytes = 8 << 20
    /// Public search: a burst of this many requests per client address, refilled per second.
    package var publicBurst = 30
    package var publicPerSecond = 10.0
    /// How often an open feed looks for new events.
    package var feedPollInterval: Duration = .milliseconds(200)
    package var readConnections = 2
    /// The web pages' sessions (Web/WebSettings.swift).
    package var web = WebSettings()

    package init(databasePath: String) { self.databasePath = databasePath }
}

/// The server of SPEC §6: routes, the middleware around them and the ledger behind its seam.
package struct LedgerServerApp: Sendable {
    package let settings: ServerSettings
    /// Every route and page reads and writes through this (`ServerLedger.swift`): the SQLite
    /// file's connections or one court's log in PostgreSQL.
    package let ledger: any WebLedger
    package let metrics = ServerMetrics()
    let limiter: RateLimiter
    /// Reads' access records, group-committed (see AccessLogBatcher).
    let accessLog: AccessLogBatcher

    package init(settings: ServerSettings) throws {
        // The pages' session and names tables, before the read-only connections open.
        try PartyNames.prepare(path: settings.databasePath)
        self.init(settings: settings, ledger: try LedgerConnections(path: settings.databasePath, readers: settings.readConnections))
    }

    /// The server over any ledger behind the seam.
    package init(settings: ServerSettings, ledger: any WebLedger) {
        self.settings = settings
        self.ledger = ledger
        limiter = RateLimiter(burst: settings.publicBurst, perSecond: settings.publicPerSecond)
        accessLog = AccessLogBatcher(ledger: ledger)
    }

    /// The SQLite connections (tests count their transactions); only for a SQLite ledger.
    package var connections: LedgerConnections {
        guard let connections = ledger as? LedgerConnections else { preconditionFailure("this server does not run on a SQLite file") }
        return connections
    }

    /// The router with every route; also returns what was registered (for the OpenAPI test).
    package func makeRouter() -> (Router<LedgerRequestContext>, [(method: String, path: String)]) {
        let router = Router(context: LedgerRequestContext.self)
        let routes = RouteRecorder(router: router)
        // Outermost first: the log sees the final status, headers go on every answer (errors
        // too), errors become JSON, the limiter and authentication run before any route.
        router.add(middleware: RequestLogMiddleware(metrics: metrics))
        router.add(middleware: SecurityHeadersMiddleware())
        router.add(middleware: ErrorMiddleware(routes: routes))
        router.add(middleware: RateLimitMiddleware(limiter: limiter))
        router.add(middleware: AuthenticationMiddleware(ledger: ledger))
        router.add(middleware: ReadYourWritesMiddleware())

        routes.get("/healthz") { _, _ in JSONResponse.make(.ok, .object([("status", .string("ok"))])) }
        routes.get("/metrics") { [metrics] _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(bytes: metrics.text())))
        }
        routes.get("/openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.json)))
        }
        routes.post("/api/v1/events") { try await self.postEvents($0, $1) }
        routes.get("/api/v1/entries") { try await self.listEntries($0, $1) }
        routes.get("/api/v1/entries/{entry}") { try await self.showEntry($0, $1) }
        routes.get("/api/v1/entries/{entry}/history") { try await self.entryHistory($0, $1) }
        routes.get("/api/v1/obligations") { try await self.listObligations($0, $1) }
        routes.get("/api/v1/public/search") { try await self.publicSearch($0, $1) }
        routes.get("/api/v1/feed") { try await self.feed($0, $1) }
        routes.get("/api/v1/checkpoint") { try await self.latestCheckpoint($0, $1) }
        routes.get("/api/v1/proofs/inclusion") { try await self.inclusionProof($0, $1) }
        routes.get("/api/v1/proofs/consistency") { try await self.consistencyProof($0, $1) }
        addWebRoutes(to: router)
        return (router, routes.routes)
    }

    /// The Hummingbird application on `settings.host:port`.
    package func makeApplication(logger: Logger) -> some ApplicationProtocol {
        Application(router: makeRouter().0,
                    configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: nil),
                    logger: logger)
    }
}
