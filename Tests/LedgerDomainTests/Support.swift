import Foundation
import LedgerCrypto
import LedgerDomain

/// The repository root: the nearest folder above this source file that holds `Fixtures/`.
let repositoryRoot: URL = {
    var url = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent()
    while url.path != "/" {
        if FileManager.default.fileExists(atPath: url.appendingPathComponent("Fixtures").path) { return url }
        url.deleteLastPathComponent()
    }
    fatalError("no Fixtures/ folder above \(#filePath)")
}()

func fixtureData(_ relative: String) throws -> Data {
    try Data(contentsOf: repositoryRoot.appendingPathComponent(relative))
}

func hex(_ text: String) -> [UInt8] {
    guard let bytes = Hex.decode(text) else { fatalError("bad hex in a fixture: \(text)") }
    return bytes
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
