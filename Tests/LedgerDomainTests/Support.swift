import Foundation
import TestSupport
import LedgerCrypto
import LedgerDomain


func fixtureData(_ relative: String) throws -> Data {
    try Data(contentsOf: repositoryRoot.appendingPathComponent(relative))
}


func utf8(_ text: String) -> [UInt8] { Array(text.utf8) }

/// Parses an instant that the test knows is well-formed.
func instant(_ text: String) -> Instant {
    switch Instant.parse(text) {
    case .success(let value): return value
    case .failure(let failure): fatalError("test instant \(text) refused: \(failure.problem)")
    }
}

/// The problem text of a refused instant, nil when it was accepted.
func refusal(_ text: String) -> String? {
    switch Instant.parse(text) {
    case .success: return nil
    case .failure(let failure): return failure.problem
    }
}
