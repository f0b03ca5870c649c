import Foundation
package import LedgerDomain

/// What a credential may do (SPEC §6).
package enum Scope: String, Sendable, CaseIterable {
    /// Append the party's own acts.
    case record
    /// Read the party's own entries and obligations.
    case read
    /// Read everything, proofs and bundles.
    case audit
    /// Manage credentials.
    case admin

    /// Parses `S[,S…]`, refusing unknown or repeated scopes with a message naming the field.
    package static func parseList(_ text: String, field: String) throws(InputError) -> [Scope] {
        var scopes: [Scope] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false).map({ $0.trimmingCharacters(in: .whitespaces) }) {
            guard let scope = Scope(rawValue: part) else {
                throw InputError(field: field, "\"\(part)\" is not a scope; accepted: \(Scope.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            if !scopes.contains(scope) { scopes.append(scope) }
        }
        return scopes
    }
}

/// Who is asking: the party a valid credential belongs to, its scopes, and which credential
/// it is (`token:ID` or `user:NAME`, what the access log and event attribution record).
package struct Principal: Sendable, Equatable {
    package var party: String
    package var scopes: Set<Scope>
    package var credential: String

    package init(party: String, scopes: Set<Scope>, credential: String) {
        self.party = party
        self.scopes = scopes
        self.credential = credential
    }

    /// `court`, `unit`, `auditor` or `system`.
    package var kind: String { PartyName.kind(of: party) ?? "" }
}

/// The parties a credential can belong to: the three that may be an event's actor, and
/// auditors, who read but never record.
package enum PartyName {
    package static let kinds = ["court", "unit", "auditor", "system"]

    package static func kind(of text: String) -> String? {
        guard let kind = Party.kind(of: text), kinds.contains(kind) else { return nil }
        return kind
    }

    package static func validate(_ text: String, field: String) throws(InputError) {
        guard kind(of: text) != nil else {
            throw InputError(field: field, "\"\(text)\" is not court:CODE, unit:CODE, auditor:CODE or system:CODE (CODE: 1–64 of a-z 0-9 - _ .)")
        }
    }
}
