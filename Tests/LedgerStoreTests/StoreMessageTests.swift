import Foundation
import LedgerDomain
import LedgerMerkle
import LedgerStore
import Testing

/// Issue 8 point 2: the store names the thing it refused (entry, seq, key file), never a
/// command-line flag; the command line and the server say which option or route carried it.
struct StoreMessageTests {
    /// Every refusal a caller can provoke through the store's arguments, with the field it must name.
    @Test("store refusals name the argument, not an option, and contain no \"--\"")
    func refusalsNameNoFlag() throws {
        let temp = try TempLedger()
        defer { temp.remove() }
        let ledger = try temp.create()
        let at = clock("2025-01-02T00:00:00Z")
        _ = try ledger.append(try events([notice("M1"), notice("M2"), notice("M3")]), clock: { at })
        let signer = try NoteSigner.generate(name: "listledger/court:baisha")
        try ledger.setIdentity(signer)
        let stranger = try NoteSigner.generate(name: "listledger/court:baisha")

        var refusals: [(field: String, error: LedgerError?)] = []
        func refusal(_ field: String, _ body: () throws -> Void) {
            do { try body(); refusals.append((field, nil)) } catch let error as LedgerError { refusals.append((field, error)) } catch {
                Issue.record("\(field): not a LedgerError: \(error)")
            }
        }
        refusal("seq") { _ = try ledger.inclusionProof(seq: 4, treeSize: 3) }         // the log holds 3
        refusal("old size") { _ = try ledger.consistencyProof(oldSize: 0, newSize: 3) }
        refusal("key file") { _ = try ledger.makeCheckpoint(signer: stranger, now: at) }
        refusal("entry") { _ = try ledger.erase(entry: "M404", reason: "test", at: nil, clock: { at }) }
        refusal("bundle") { _ = try ledger.exportBundle(to: temp.dir.appendingPathComponent("no/such/dir/b.json").path, selection: .all, checkpoint: try ledger.makeCheckpoint(signer: signer, now: at).checkpoint) }

        for (field, error) in refusals {
            guard case .input(let input)? = error else {
                Issue.record("\(field): expected a refused input, got \(String(describing: error))")
                continue
            }
            #expect(input.field == field, "\(input)")
            #expect(input.line == nil)
            #expect(!input.description.contains("--"), "\(input)")
        }
        #expect(refusals.count == 5)
    }

    @Test("a missing key file says what is wrong and leaves the remedy to the caller")
    func keyFileErrorsNameNoFlag() throws {
        let temp = try TempLedger()
        defer { temp.remove() }
        let path = temp.dir.appendingPathComponent("absent.key").path
        do {
            _ = try SignerKeyFile.load(path: path)
            Issue.record("a missing key file was read")
        } catch {
            #expect(error.kind == .missing)
            #expect(error.description == "\(path): no key file here")
        }
        let existing = temp.dir.appendingPathComponent("there.key").path
        try SignerKeyFile.create(path: existing, signer: try NoteSigner.generate(name: "listledger/court:baisha"))
        let second = try NoteSigner.generate(name: "listledger/court:baisha")
        do {
            try SignerKeyFile.create(path: existing, signer: second)
            Issue.record("an existing key file was overwritten")
        } catch {
            #expect(error.kind == .exists)
            #expect(!error.description.contains("--"), "\(error)")
        }
    }
}
