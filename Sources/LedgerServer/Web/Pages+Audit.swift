import Foundation
import Hummingbird
import LedgerCrypto
import LedgerDomain
import LedgerService
import LedgerStore
import NIOCore

/// 审计 (issue 11 point 7): every signed checkpoint with its signed note, the audit bundle to
/// download, and the offline check. Only a credential with the `audit` scope; others get 404,
/// as the API answers what they may not see.
extension LedgerServerApp {
    func auditPage(_ request: Request, _ env: PageEnvironment, _ visitor: WebVisitor) async throws -> Response {
        guard Visibility.seesEverything(visitor.principal) else { throw WebRefusal.notFound }
        let checkpoints = try await ledger.allCheckpoints()
        let latest = checkpoints.last
        var data: [String: Any] = [
            "command": "listledger audit \(latest.map { Self.bundleFileName(size: $0.size) } ?? "bundle.json") --key NAME+KEYHASH+BASE64",
        ]
        // Newest first: the one the download is proved against leads.
        data["checkpoints"] = checkpoints.reversed().map { checkpoint -> [String: Any] in
            ["size": checkpoint.size, "root": Hex.encode(checkpoint.root), "note": checkpoint.note,
             "signed": env.dateTime(Instant(epochMilliseconds: checkpoint.createdMilliseconds))]
        }
        data["hasCheckpoints"] = !checkpoints.isEmpty
        if let latest { data["download"] = ["size": latest.size, "file": Self.bundleFileName(size: latest.size)] }
        return WebPage.render("audit", title: env.t("audit_title"), data: data, environment: env)
    }

    /// The whole-log bundle `listledger export --all` writes, against the latest signed
    /// checkpoint, by the same `Ledger.exportBundle`. The server holds no signing key, so it
    /// never signs a newer checkpoint: events after the latest one are not in the bundle.
    func auditBundle(_ request: Request, _ env: PageEnvironment, _ visitor: WebVisitor, _ context: LedgerRequestContext) async throws -> Response {
        guard Visibility.seesEverything(visitor.principal) else { throw WebRefusal.notFound }
        let exported = try await ledger.exportBundle()
        guard let exported else { throw WebRefusal(.conflict, "audit_title", "audit_no_checkpoint") }
        // The bundle carries every entry's personal data the court still holds: a read of each.
        try await logAccess(visitor.principal, entries: exported.entries, route: "/audit/bundle", address: context.clientAddress)
        return Response(status: .ok, headers: [
            .contentType: "application/json",
            .contentDisposition: #"attachment; filename="\#(Self.bundleFileName(size: exported.size))""#,
            // It carries the personal data the court still holds (SPEC §6): never cached.
            .cacheControl: "no-store",
        ], body: .init(byteBuffer: ByteBuffer(bytes: exported.bytes)))
    }

    /// `listledger-audit-7.json`: the tree size the bundle is proved against, so two downloads
    /// of different checkpoints do not overwrite each other.
    static func bundleFileName(size: Int64) -> String { "listledger-audit-\(size).json" }
}
