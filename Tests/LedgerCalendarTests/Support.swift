import Foundation
@testable import LedgerCalendar

/// Reads a repository file (e.g. `Fixtures/periods/hand-worked.json`), found by walking up
/// from this source file with symbolic links resolved, so the tests also work from a scratch
/// package whose test folder is a link into the repository.
func repositoryFile(_ relative: String, from file: String = #filePath) throws -> [UInt8] {
    var dir = URL(fileURLWithPath: file).resolvingSymlinksInPath().deletingLastPathComponent()
    while dir.path != "/" {
        let candidate = dir.appendingPathComponent(relative)
        if FileManager.default.fileExists(atPath: candidate.path) {
            return Array(try Data(contentsOf: candidate))
        }
        dir = dir.deletingLastPathComponent()
    }
    throw FixtureNotFound(relative: relative, from: file)
}

struct FixtureNotFound: Error, CustomStringConvertible {
    let relative: String
    let from: String
    var description: String { "cannot find \(relative) above \(from)" }
}

func day(_ iso: String) -> BeijingDay {
    guard let d = BeijingDay(iso: iso) else { fatalError("bad test date \(iso)") }
    return d
}
