import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
@testable import LedgerServer
import LedgerDomain
import LedgerMerkle
import LedgerService
import LedgerStore
import NIOCore
import Testing
import TestSupport

/// The 审计 page (issue 11 point 7) over the real server and a real ledger (either engine): every signed
/// checkpoint, and a bundle download that is byte for byte `listledger export --all`.
@Suite struct AuditPageTests {
    @Test("the auditor's bundle equals `listledger export --all` and passes the bundle audit; a court gets 404; no session is sent to sign in", arguments: Engine.available)
    func bundleDownload(_ engine: Engine) async throws {
        let fixture = try await Fixture.make(engine)
        try await fixture.addUser("auditor-li", party: auditor, scopes: [.audit])
        try await fixture.addUser("clerk-wang", party: court)
        let binary = try listledgerBinary()
        // SQLite signs with a key file beside the ledger; PostgreSQL with the log's key in the database.
        if engine == .sqlite { #expect(try runProgram(binary, ["keys", "init", "--db", fixture.db], in: fixture.dir).status == 0) }
        // Two checkpoints, of 7 and 8 events (the fixture's 7, then one more), so the page must
        // list more than the latest.
        #expect(try runProgram(binary, ["checkpoint", "--db", fixture.db], in: fixture.dir).status == 0)
        try await fixture.appendEvents([event("decision_served", "B", "2024-03-06T10:00:00+08:00")])
        #expect(try runProgram(binary, ["checkpoint", "--db", fixture.db], in: fixture.dir).status == 0)
        let exportPath = fixture.dir.appendingPathComponent("exported.json").path
        let exported = try runProgram(binary, ["export", "--all", "--bundle", exportPath, "--db", fixture.db], in: fixture.dir)
        #expect(exported.status == 0, "\(exported)")
        let expected = try [UInt8](Data(contentsOf: URL(fileURLWithPath: exportPath)))
        let stored = try await fixture.allCheckpoints()
        #expect(stored.map(\.size) == [7, 8])
        let trusted = try await fixture.verifierKey()

        try await fixture.test { client in
            let anonymous = try await client.execute(uri: "/audit/bundle", method: .get)
            #expect(anonymous.status == .seeOther && anonymous.headers[.location] == "/login")

            let li = Browser(client)
            try await li.signIn("auditor-li", "correct horse battery")
            let page = try await li.get("/audit")
            #expect(page.status == .ok)
            #expect(page.text.contains(#"href="/audit/bundle""#) && page.text.contains("listledger-audit-8.json"))
            // Both signed notes, signature lines included (the note ends with "— NAME SIG").
            for checkpoint in stored {
                #expect(page.text.contains(checkpoint.note), "checkpoint of \(checkpoint.size) not shown")
                #expect(checkpoint.note.contains("\n— "), "a signed note carries its signature line")
            }

            let download = try await li.get("/audit/bundle")
            #expect(download.status == .ok)
            #expect(download.headers[.contentDisposition] == #"attachment; filename="listledger-audit-8.json""#)
            #expect(download.headers[.cacheControl] == "no-store")
            let bytes = [UInt8](buffer: download.body)
            // The same exporter over the same ledger and checkpoint: the same bytes.
            #expect(bytes == expected, "the download differs from `listledger export --all` (\(bytes.count) vs \(expected.count) bytes)")
            let bundle = try AuditBundle(json: bytes)
            #expect(bundle.treeSize == 8 && bundle.events.count == 8)
            let report = BundleAudit.verify(bundle, trustedKey: trusted)
            #expect(report.ok, "\(report.failures)")
            // Every entry's personal data went out: the access log has a read of A, B and C.
            var logged: Set<String> = []
            for entry in ["A", "B", "C"] {
                if try await fixture.accessLog(entry: entry).contains(where: { $0.route == "/audit/bundle" && $0.credential == "user:auditor-li" }) { logged.insert(entry) }
            }
            #expect(logged == ["A", "B", "C"])

            let wang = Browser(client)
            try await wang.signIn("clerk-wang", "correct horse battery")
            #expect(try await wang.get("/audit").status == .notFound)
            let refused = try await wang.get("/audit/bundle")
            #expect(refused.status == .notFound && refused.headers[.contentDisposition] == nil)
        }
    }

    @Test("before any checkpoint the page says so and the download is 409, not an empty bundle", arguments: Engine.available)
    func noCheckpoint(_ engine: Engine) async throws {
        let fixture = try await Fixture.make(engine)
        try await fixture.addUser("auditor-li", party: auditor, scopes: [.audit])
        try await fixture.test { client in
            let li = Browser(client)
            try await li.signIn("auditor-li", "correct horse battery")
            let page = try await li.get("/audit")
            #expect(page.status == .ok && page.text.contains("尚未签署检查点") && !page.text.contains(#"href="/audit/bundle""#))
            let download = try await li.get("/audit/bundle")
            #expect(download.status == .conflict && download.headers[.contentDisposition] == nil)
        }
    }
}
