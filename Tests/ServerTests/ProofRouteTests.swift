import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LedgerStore
import Testing
import TestSupport

/// The proof routes answer what `prove --json` and `checkpoint --json` print (same renderer).
@Suite struct ProofRouteTests {
    @Test("checkpoint (public), inclusion and consistency proofs equal the command line's; a hidden event's proof is 404")
    func proofs() async throws {
        let fixture = try Fixture()
        let binary = try listledgerBinary()
        let keyed = try runProgram(binary, ["keys", "init", "--db", fixture.db], in: fixture.dir)
        #expect(keyed.status == 0, "\(keyed)")
        let checkpoint = try runProgram(binary, ["checkpoint", "--json", "--db", fixture.db], in: fixture.dir)
        #expect(checkpoint.status == 0, "\(checkpoint)")
        let inclusion = try runProgram(binary, ["prove", "--seq", "2", "--json", "--db", fixture.db], in: fixture.dir)
        let consistency = try runProgram(binary, ["prove", "--from", "3", "--to", "7", "--json", "--db", fixture.db], in: fixture.dir)
        let (_, app) = try fixture.app()
        try await app.test(.router) { client in
            let latest = try await client.execute(uri: "/api/v1/checkpoint", method: .get)
            #expect(latest.status == .ok)
            // The command line signed it now ("created": true); the server shows the stored one.
            #expect(latest.text == checkpoint.stdout.replacingOccurrences(of: "\"created\":true", with: "\"created\":false"))
            let proof = try await client.execute(uri: "/api/v1/proofs/inclusion?seq=2", method: .get, headers: fixture.headers(.court))
            #expect(proof.status == .ok)
            #expect(proof.text == inclusion.stdout)
            let extended = try await client.execute(uri: "/api/v1/proofs/consistency?from=3&to=7", method: .get, headers: fixture.headers(.auditor))
            #expect(extended.text == consistency.stdout)
            // Seq 7 is entry C, another court's: its leaf holds the event, so the court gets 404.
            let hidden = try await client.execute(uri: "/api/v1/proofs/inclusion?seq=7", method: .get, headers: fixture.headers(.court))
            #expect(hidden.status == .notFound)
            let beyond = try await client.execute(uri: "/api/v1/proofs/inclusion?seq=99", method: .get, headers: fixture.headers(.auditor))
            #expect(beyond.status == .notFound)
            let malformed = try await client.execute(uri: "/api/v1/proofs/inclusion?seq=x", method: .get, headers: fixture.headers(.auditor))
            #expect(malformed.status == .badRequest)
        }
    }

    @Test("an event changed after its checkpoint was signed gets no inclusion proof: 500, nothing that would not verify")
    func tamperedEventGetsNoProof() async throws {
        let fixture = try Fixture()
        let binary = try listledgerBinary()
        #expect(try runProgram(binary, ["keys", "init", "--db", fixture.db], in: fixture.dir).status == 0)
        #expect(try runProgram(binary, ["checkpoint", "--db", fixture.db], in: fixture.dir).status == 0)
        // Behind the ledger's back: one trailing space in seq 2's stored bytes changes its leaf
        // hash, so the path from it no longer reaches the signed root.
        let ledger = try Ledger.open(path: fixture.db)
        try ledger.connection.execute("DROP TRIGGER events_no_update; UPDATE events SET canonical = CAST(canonical || X'20' AS BLOB) WHERE seq = 2")
        let (_, app) = try fixture.app()
        try await app.test(.router) { client in
            let refused = try await client.execute(uri: "/api/v1/proofs/inclusion?seq=2", method: .get, headers: fixture.headers(.auditor))
            #expect(refused.status == .internalServerError)
            #expect(refused.text.contains("listledger verify") && !refused.text.contains("\"proof\""), "\(refused.text)")
            // An untouched event still proves.
            let untouched = try await client.execute(uri: "/api/v1/proofs/inclusion?seq=3", method: .get, headers: fixture.headers(.auditor))
            #expect(untouched.status == .ok)
        }
    }
}
