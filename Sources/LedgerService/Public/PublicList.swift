import LedgerCalendar
package import LedgerDomain
import LedgerStore

/// The public list (SPEC §6, SPC art. 6): what anyone may learn of an entry that is published,
/// public and still listed, and nothing about any other entry.
package enum PublicList {
    /// Whether an entry belongs on the public list now.
    package static func isListed(_ state: EntryState) -> Bool {
        (state.status == .listed || state.status == .correctionPending) && state.published && state.isPublic == true && !state.exited
            && !state.personalDataErased  // SPEC §7: nothing left to publish (a term-ended entry erased before its exit)
    }

    /// The public record of a listed entry, from its state and history (nil when not listed).
    /// `idNumber`, when given, must equal the debtor's full number (the platform's exact search).
    package static func record(state: EntryState, events: [RecordedEvent], today: (year: Int, month: Int, day: Int),
                               idNumber: String? = nil) -> JSONValue? {
        guard isListed(state) else { return nil }
        var debtor: Debtor?
        var grounds: [Ground] = []
        var termMonths: Int?
        var publishedAt: Instant?
        var decidedAt: Instant?
        for recorded in events {
            switch recorded.event.body {
            case let .riskNoticeIssued(_, _, noticed): debtor = debtor ?? noticed
            case let .inclusionDecided(_, _, included, decidedGrounds, _, term):
                debtor = included
                grounds = decidedGrounds
                termMonths = term
                decidedAt = recorded.event.at
            case .entryPublished: publishedAt = publishedAt ?? recorded.event.at
            default: break
            }
        }
        guard let debtor else { return nil }
        if let idNumber, idNumber.uppercased() != debtor.idNumber.uppercased() { return nil }
        var members: [(String, JSONValue)] = [
            ("entry", .string(state.entry)), ("kind", .string(debtor.kind.rawValue)), ("name", .string(debtor.name)),
            ("court", .string(state.court)), ("case", .string(state.caseNumber)),
            ("dishonest_conduct", .array(grounds.map { .string($0.rawValue) })),
            ("decided_at", decidedAt.map { .string($0.beijingDay.description) } ?? .null),
            ("published_at", publishedAt.map { .string($0.beijingDay.description) } ?? .null),
            ("term_months", termMonths.map { .integer(Int64($0)) } ?? .null),
            ("performance", .string(state.discharge == nil ? "not_performed" : "discharged")),
        ]
        switch debtor.kind {
        case .person:
            members.append(("id_number", .string(Masking.residentID(debtor.idNumber))))
            members.append(("sex", Masking.sex(ofResidentID: debtor.idNumber).map(JSONValue.string) ?? .null))
            members.append(("age", Masking.age(ofResidentID: debtor.idNumber, onYear: today.year, month: today.month, day: today.day)
                .map { .integer(Int64($0)) } ?? .null))
        case .organization:
            members.append(("id_number", .string(debtor.idNumber)))
            members.append(("legal_representative", debtor.legalRepresentative.map(JSONValue.string) ?? .null))
        }
        return .object(members)
    }
}
