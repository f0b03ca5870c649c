import Foundation
import TestSupport
import Testing

/// Issue 8 point 2: the store names the argument it refused; the command line names the flag
/// that carried it. The expected lines are the messages as printed before the store stopped
/// naming flags (read off the old source), so this fails if the command line forgets its part.
struct OptionNamingTests {
    @Test("store refusals reach the operator naming the option they typed")
    func storeRefusalsNameTheOption() throws {
        let ws = try Workspace("option-naming")
        defer { ws.remove() }
        try ws.initLedger()
        try ws.append([Ev.notice("E1"), Ev.inclusion("E1")])

        let erase = try ws.expect(["erase", "--entry", "E404", "--reason", "test"], status: 1)
        #expect(erase.stderr == "refused: field \"--entry\": entry \"E404\" does not exist\nnothing was written\n", "\(erase)")

        let consistency = try ws.expect(["prove", "--from", "0"], status: 1)
        #expect(consistency.stderr == "refused: field \"--from\": a consistency proof needs 1 ≤ from ≤ to ≤ 2 (the log's size); got 0 → 2\nnothing was written\n", "\(consistency)")

        // No key file yet: the store says none is there; the command line says how to make or name one.
        let noKey = try ws.expect(["checkpoint"], status: 1)
        #expect(noKey.stderr == "cannot use the signing key: \(ws.db).key: no key file here (create one with `listledger keys init`, or name it with --key-file)\n", "\(noKey)")

        // Another ledger's key: refused naming --key-file.
        try ws.expect(["keys", "init"])
        let other = try Workspace("option-naming-other")
        defer { other.remove() }
        try other.initLedger()
        try other.expect(["keys", "init", "--name", "listledger/court:other"])
        let foreign = try ws.expect(["checkpoint", "--key-file", other.db + ".key"], status: 1)
        #expect(foreign.stderr.hasPrefix("refused: field \"--key-file\": the key file holds key "), "\(foreign)")
    }
}
