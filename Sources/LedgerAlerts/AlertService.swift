package import Logging
import ServiceLifecycle

/// `alerts --watch`: one run per interval until a graceful shutdown (SIGTERM, SIGINT), each run
/// handed in by the command line (which prints and logs what it found).
package struct AlertService: Service {
    let interval: Int
    let logger: Logger
    let ledgerPath: String
    let runOnce: @Sendable () async throws -> Void

    package init(interval: Int, logger: Logger, ledgerPath: String, runOnce: @escaping @Sendable () async throws -> Void) {
        self.interval = interval
        self.logger = logger
        self.ledgerPath = ledgerPath
        self.runOnce = runOnce
    }

    package func run() async throws {
        logger.info("alert runner started", metadata: ["interval_seconds": "\(interval)", "ledger": "\(ledgerPath)"])
        while !Task.isShuttingDownGracefully {
            do {
                try await runOnce()
            } catch {
                logger.error("alert run failed: \(error)")
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(interval)) }
        }
        logger.info("alert runner stopped")
    }
}
