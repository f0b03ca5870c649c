import LedgerCalendar

/// Reads an event from a JSON object, refusing anything the contract does not allow.
extension Event {
    /// Which envelope fields may be present: what a user appends, or what the ledger stored.
    package enum Source: Sendable { case input, canonical }

    package static func decode(jsonLine bytes: [UInt8]) throws(InputError) -> Event {
        let value: JSONValue
        do { value = try JSONParser.parse(bytes) } catch { throw InputError(error.description) }
        return try decode(value, source: .input).event
    }

    /// Decodes an object; for `.canonical`, also returns the stored `seq` and `recorded_at`.
    package static func decode(_ value: JSONValue, source: Source) throws(InputError)
        -> (event: Event, seq: Int64?, recordedAt: Instant?) {
        var value = value
        // Encoding v2 bytes read without their secrets (`RecordedEvent` joins them when it has
        // them): each commitment reads as `PersonalData.withheld`, never as a value.
        if source == .canonical, case .object(let top) = value, top.contains(where: { $0.0 == "v" && $0.1 == .integer(Event.sealedEncodingVersion) }) {
            value = PersonalData.map(value) { (_, item) -> JSONValue in
                PersonalData.readCommitment(item).map { .string(PersonalData.withheld($0)) } ?? item
            }
        }
        guard case .object(let members) = value else {
            throw InputError("each line must be one JSON object, found \(value.kindName)")
        }
        var reader = FieldReader(members: members)
        // Stored events are read as they were accepted: a check added later (GB 11643 check
        // digits, the term_months rules) must never make an existing log unreadable.
        reader.strict = source == .input
        let typeName = try reader.string("type")
        guard let type = EventType(rawValue: typeName) else {
            throw InputError(field: "type", "unknown event type \"\(typeName)\"; accepted: \(EventType.allNames)")
        }
        var seq: Int64?
        var recordedAt: Instant?
        if source == .canonical {
            let version = try reader.integer("v")
            guard Event.knownEncodingVersions.contains(version) else {
                throw InputError(field: "v", "encoding version \(version) is not known (this build reads 1 and 2)")
            }
            seq = try reader.integer("seq")
            recordedAt = try reader.instant("recorded_at")
        }
        let entry = try reader.optionalText("entry")
        if entry == nil && !type.entryIsOptional { throw InputError(field: "entry", "is required for \(type.rawValue)") }
        let at = try reader.instant("at")
        let actor = try reader.actor("actor")
        let id = try reader.optionalText("id")
        let body = try EventBody.decode(type: type, from: &reader)
        if let extra = reader.unread.first {
            let known = (["type", "entry", "at", "actor", "id"] + type.fields.map(\.name)).joined(separator: ", ")
            throw InputError(field: extra, "is not a field of \(type.rawValue); its fields are: \(known)")
        }
        return (Event(entry: entry, at: at, actor: actor, id: id, body: body), seq, recordedAt)
    }
}

extension EventBody {
    static func decode(type: EventType, from r: inout FieldReader) throws(InputError) -> EventBody {
        switch type {
        case .riskNoticeIssued:
            return .riskNoticeIssued(court: try r.party("court", kind: "court"), caseNumber: try r.text("case"), debtor: try r.debtor("debtor"))
        case .inclusionDecided:
            let term = try r.optionalInteger("term_months")
            let court = try r.party("court", kind: "court"), caseNumber = try r.text("case"), debtor = try r.debtor("debtor")
            let grounds = try r.grounds("grounds")
            if let term, !r.strict {
                guard (1...60).contains(term) else { throw InputError(field: "term_months", "must be 1 to 60 months, got \(term)") }
            } else if let term {
                // SPC art. 2: only grounds 2–6 carry a term, of 2 years (the default) up to 5 in all.
                guard grounds.contains(where: Ground.withTerm.contains) else {
                    throw InputError(field: "term_months", "an entry on ground able_but_refuses alone has no inclusion term (SPC art. 2); a term needs one of: \(Ground.withTerm.map(\.rawValue).joined(separator: ", "))")
                }
                guard (24...60).contains(term) else {
                    throw InputError(field: "term_months", "must be 24 to 60 months (SPC art. 2: two years, extended by one to three), got \(term)")
                }
            }
            return .inclusionDecided(court: court, caseNumber: caseNumber, debtor: debtor, grounds: grounds,
                                     isPublic: try r.bool("public"), termMonths: term.map(Int.init))
        case .decisionServed: return .decisionServed(method: try r.optionalChoice("method", ServiceMethod.self))
        case .rejectionServed: return .rejectionServed(method: try r.optionalChoice("method", ServiceMethod.self))
        case .entryCorrected:
            return .entryCorrected(corrections: try r.corrections("corrections"), reason: try r.text("reason"))
        case .termExtended:
            let months = try r.integer("months")
            guard (12...36).contains(months) else {
                throw InputError(field: "months", "must be 12 to 36 months (SPC art. 2: extended by one to three years), got \(months)")
            }
            return .termExtended(months: Int(months), reason: try r.text("reason"))
        case .recordAnnulled:
            let annuls = try r.integer("annuls")
            guard annuls >= 1 else { throw InputError(field: "annuls", "must be the seq of an earlier event (1 or more), got \(annuls)") }
            return .recordAnnulled(annuls: annuls, reason: try r.text("reason"))
        case .entryPublished: return .entryPublished(channels: try r.optionalTextList("channels"))
        case .employerNotified: return .employerNotified(unit: try r.party("unit", kind: "unit"))
        case .pushedToUnit: return .pushedToUnit(unit: try r.party("unit", kind: "unit"))
        case .measureApplied: return .measureApplied(unit: try r.party("unit", kind: "unit"), measure: try r.text("measure"))
        case .repostRegistered: return .repostRegistered(unit: try r.party("unit", kind: "unit"))
        case .correctionRequested:
            return .correctionRequested(reason: try r.optionalText("reason"), ground: try r.optionalChoice("ground", CorrectionGround.self),
                                        postedOn: try r.optionalDate("posted_on"))
        case .correctionDecided: return .correctionDecided(outcome: try r.choice("outcome", Outcome.self))
        case .reconsiderationRequested:
            return .reconsiderationRequested(court: try r.party("court", kind: "court"), postedOn: try r.optionalDate("posted_on"))
        case .reconsiderationDecided: return .reconsiderationDecided(outcome: try r.choice("outcome", Outcome.self))
        case .obligationDischarged: return .obligationDischarged(basis: try r.choice("basis", DischargeBasis.self))
        case .entryShielded: return .entryShielded(reason: try r.optionalText("reason"))
        case .entryRevoked: return .entryRevoked(reason: try r.choice("reason", RevocationReason.self))
        case .exitPublished: return .exitPublished
        case .unitNotifiedOfExit: return .unitNotifiedOfExit(unit: try r.party("unit", kind: "unit"))
        case .unitAcknowledged:
            return .unitAcknowledged(unit: try r.party("unit", kind: "unit"), of: try r.choice("of", AcknowledgedAct.self))
        case .measureLifted: return .measureLifted(unit: try r.party("unit", kind: "unit"), measure: try r.text("measure"))
        case .measureRetained:
            return .measureRetained(unit: try r.party("unit", kind: "unit"), measure: try r.text("measure"),
                                    legalBasis: try r.text("legal_basis"), until: try r.date("until"))
        case .repostDeleted: return .repostDeleted(unit: try r.party("unit", kind: "unit"))
        case .complaintReceived:
            return .complaintReceived(complaint: try r.text("complaint"), concerns: try r.optionalParty("concerns", kinds: ["court", "unit"]))
        case .complaintResolved:
            return .complaintResolved(complaint: try r.text("complaint"), finding: try r.text("finding"),
                                      complainantTold: try r.optionalDate("complainant_told"))
        case .breachFlagged: return .breachFlagged(obligation: try r.text("obligation"))
        case .personalDataErased: return .personalDataErased(reason: try r.text("reason"))
        }
    }
}

/// Takes fields out of an object one by one, so that whatever is left over is unknown.
struct FieldReader {
    private var members: [(String, JSONValue)]
    /// Apply the checks of new input (see `Event.decode(_:source:)`).
    var strict = true

    init(members: [(String, JSONValue)]) { self.members = members }

    var unread: [String] { members.map(\.0) }

    private mutating func take(_ name: String) -> JSONValue? {
        guard let index = members.firstIndex(where: { $0.0 == name }) else { return nil }
        return members.remove(at: index).1
    }

    private mutating func required(_ name: String) throws(InputError) -> JSONValue {
        guard let value = take(name), value != .null else { throw InputError(field: name, "is required") }
        return value
    }

    mutating func string(_ name: String) throws(InputError) -> String {
        guard case .string(let text) = try required(name) else { throw InputError(field: name, "must be a string") }
        return text
    }

    static let maximumTextLength = 512

    static func checkText(_ text: String, field: String) throws(InputError) {
        guard !text.isEmpty else { throw InputError(field: field, "must not be empty") }
        // utf8.count is O(1); counting characters is not, and is needed only for long texts.
        guard text.utf8.count <= maximumTextLength || text.count <= maximumTextLength else { throw InputError(field: field, "is longer than \(maximumTextLength) characters") }
        // ASCII ends (the usual case) are judged by their byte; others by Unicode's property.
        func isSpace(_ scalar: Unicode.Scalar) -> Bool {
            scalar.isASCII ? (scalar == " " || (0x09...0x0D).contains(scalar.value)) : scalar.properties.isWhitespace
        }
        guard let first = text.unicodeScalars.first, let last = text.unicodeScalars.last,
              !isSpace(first), !isSpace(last) else {
            throw InputError(field: field, "has white space at its start or end")
        }
    }

    mutating func text(_ name: String) throws(InputError) -> String {
        let text = try string(name)
        try Self.checkText(text, field: name)
        return text
    }

    mutating func optionalText(_ name: String) throws(InputError) -> String? {
        guard let value = take(name), value != .null else { return nil }
        guard case .string(let text) = value else { throw InputError(field: name, "must be a string, found \(value.kindName)") }
        try Self.checkText(text, field: name)
        return text
    }

    mutating func integer(_ name: String) throws(InputError) -> Int64 {
        guard case .integer(let number) = try required(name) else { throw InputError(field: name, "must be a whole number") }
        return number
    }

    mutating func optionalInteger(_ name: String) throws(InputError) -> Int64? {
        guard let value = take(name), value != .null else { return nil }
        guard case .integer(let number) = value else { throw InputError(field: name, "must be a whole number, found \(value.kindName)") }
        return number
    }

    mutating func bool(_ name: String) throws(InputError) -> Bool {
        guard case .bool(let flag) = try required(name) else { throw InputError(field: name, "must be true or false") }
        return flag
    }

    mutating func instant(_ name: String) throws(InputError) -> Instant {
        let text = try string(name)
        switch Instant.parse(text) {
        case .success(let instant): return instant
        case .failure(let failure): throw InputError(field: name, "\"\(text)\" \(failure.problem)")
        }
    }

    mutating func date(_ name: String) throws(InputError) -> BeijingDay {
        let text = try string(name)
        guard let date = BeijingDay(iso: text) else { throw InputError(field: name, "\"\(text)\" is not a date YYYY-MM-DD") }
        return date
    }

    mutating func optionalDate(_ name: String) throws(InputError) -> BeijingDay? {
        guard let value = take(name), value != .null else { return nil }
        guard case .string(let text) = value, let date = BeijingDay(iso: text) else {
            throw InputError(field: name, "\(value.displayText) is not a date YYYY-MM-DD")
        }
        return date
    }

    mutating func optionalChoice<Choice: RawRepresentable & CaseIterable>(_ name: String, _ type: Choice.Type) throws(InputError) -> Choice?
    where Choice.RawValue == String {
        guard let value = take(name), value != .null else { return nil }
        members.append((name, value))
        return try choice(name, type)
    }

    mutating func optionalParty(_ name: String, kinds: [String]) throws(InputError) -> String? {
        guard let value = take(name), value != .null else { return nil }
        guard case .string(let text) = value, let kind = Party.kind(of: text), kinds.contains(kind) else {
            throw InputError(field: name, "\(value.displayText) is not " + kinds.map { "\($0):CODE" }.joined(separator: " or ") + " (CODE: 1–64 of a-z 0-9 - _ .)")
        }
        return text
    }

    /// `entry_corrected`'s `corrections`: field name → new value, only the correctable fields.
    mutating func corrections(_ name: String) throws(InputError) -> [Correction] {
        guard case .object(let pairs) = try required(name) else { throw InputError(field: name, "must be an object of field → corrected value") }
        guard !pairs.isEmpty else { throw InputError(field: name, "must correct at least one of: \(Correction.fields.joined(separator: ", "))") }
        var out: [Correction] = []
        for (field, value) in pairs {
            guard Correction.fields.contains(field) else {
                throw InputError(field: "\(name).\(field)", "is not a correctable field; accepted: \(Correction.fields.joined(separator: ", "))")
            }
            guard case .string(let text) = value else { throw InputError(field: "\(name).\(field)", "must be a string") }
            try Self.checkText(text, field: "\(name).\(field)")
            if field == "debtor.id_number" && strict {
                do throws(InputError) { try IdentityNumber.check(text) } catch {
                    throw InputError(field: "\(name).\(field)", error.problem)
                }
            }
            out.append(Correction(field: field, value: text))
        }
        return out.sorted { $0.field < $1.field }
    }

    mutating func choice<Choice: RawRepresentable & CaseIterable>(_ name: String, _: Choice.Type) throws(InputError) -> Choice
    where Choice.RawValue == String {
        guard let raw = take(name), raw != .null else { throw InputError(field: name, "is required; accepted: \(Choice.allCases.map(\.rawValue).joined(separator: ", "))") }
        guard case .string(let text) = raw else {
            throw InputError(field: name, "must be a string, one of: \(Choice.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let value = Choice(rawValue: text) else {
            throw InputError(field: name, "\"\(text)\" is not one of: \(Choice.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return value
    }

    /// `court:CODE`, `unit:CODE` or `system:CODE`.
    mutating func actor(_ name: String) throws(InputError) -> String {
        let text = try string(name)
        guard let kind = Party.kind(of: text), ["court", "unit", "system"].contains(kind) else {
            throw InputError(field: name, "\"\(text)\" is not court:CODE, unit:CODE or system:CODE (CODE: 1–64 of a-z 0-9 - _ .)")
        }
        return text
    }

    mutating func party(_ name: String, kind: String) throws(InputError) -> String {
        let text = try string(name)
        guard Party.kind(of: text) == kind else {
            throw InputError(field: name, "\"\(text)\" is not \(kind):CODE (CODE: 1–64 of a-z 0-9 - _ .)")
        }
        return text
    }

    mutating func grounds(_ name: String) throws(InputError) -> [Ground] {
        guard case .array(let items) = try required(name) else { throw InputError(field: name, "must be a list") }
        guard !items.isEmpty else { throw InputError(field: name, "must name at least one ground") }
        var grounds: [Ground] = []
        for item in items {
            guard case .string(let text) = item, let ground = Ground(rawValue: text) else {
                throw InputError(field: name, "\(item.displayText) is not one of: \(Ground.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard !grounds.contains(ground) else { throw InputError(field: name, "names \(text) twice") }
            grounds.append(ground)
        }
        return grounds
    }

    mutating func optionalTextList(_ name: String) throws(InputError) -> [String]? {
        guard let value = take(name), value != .null else { return nil }
        guard case .array(let items) = value else { throw InputError(field: name, "must be a list of strings") }
        var texts: [String] = []
        for item in items {
            guard case .string(let text) = item else { throw InputError(field: name, "must be a list of strings") }
            try Self.checkText(text, field: name)
            texts.append(text)
        }
        return texts
    }

    mutating func debtor(_ name: String) throws(InputError) -> Debtor {
        guard case .object(let members) = try required(name) else { throw InputError(field: name, "must be an object") }
        var inner = FieldReader(members: members)
        inner.strict = strict
        func nested(_ error: InputError) -> InputError { InputError(field: "\(name).\(error.field ?? "")", error.problem) }
        do throws(InputError) {
            let kind = try inner.choice("kind", DebtorKind.self)
            let debtorName = try inner.text("name")
            // A lowercase x (the resident ID's check character 10) is read as X (GB 11643).
            let idNumber = strict ? IdentityNumber.normalized(try inner.text("id_number")) : try inner.text("id_number")
            if strict { try IdentityNumber.check(idNumber, kind: kind) }
            let representative = try inner.optionalText("legal_representative")
            if kind == .organization && representative == nil {
                throw InputError(field: "legal_representative", "is required for an organization")
            }
            if kind == .person && representative != nil {
                throw InputError(field: "legal_representative", "is only for organizations")
            }
            if let extra = inner.unread.first {
                throw InputError(field: extra, "is not a debtor field (kind, name, id_number, legal_representative)")
            }
            return Debtor(kind: kind, name: debtorName, idNumber: idNumber, legalRepresentative: representative)
        } catch {
            throw nested(error)
        }
    }
}

/// Parties are written `KIND:CODE`.
package enum Party {
    /// The kind (`court`, `unit`, `system`) of a well-formed party, else nil.
    package static func kind(of text: String) -> String? {
        guard let colon = text.firstIndex(of: ":") else { return nil }
        let kind = text[..<colon], code = text[text.index(after: colon)...]
        guard !code.isEmpty, code.utf8.count <= 64,
              code.utf8.allSatisfy({ (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x2D || $0 == 0x5F || $0 == 0x2E })
        else { return nil }
        return String(kind)
    }
}
