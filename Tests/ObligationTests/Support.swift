import Foundation
import TestSupport
import LedgerDomain
import LedgerStore


/// The wall clock, as the ledger's `recorded_at`.
func now() -> Instant {
    Instant(epochMilliseconds: Int64(Date().timeIntervalSince1970 * 1000))
}

/// A real ledger file in a fresh temporary folder, removed when the value goes away.
final class TemporaryLedger {
    let folder: URL
    let ledger: Ledger

    init(profile: String = "baisha-2018") throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("listledger-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        ledger = try Ledger.create(path: folder.appendingPathComponent("ledger.sqlite").path, profile: profile, court: nil, now: now())
    }

    deinit { try? FileManager.default.removeItem(at: folder) }
}
