/// The projection row's `state` column: EntryState as compact JSON, written and read with the
/// ledger's own JSON code (Foundation's coders cost more than the rest of an append).
extension EntryState {
    package var storageJSON: [UInt8] {
        var members: [(String, JSONValue)] = [
            ("entry", .string(entry)), ("court", .string(court)), ("case", .string(caseNumber)), ("debtor", .string(debtor)),
            ("status", .string(status.rawValue)), ("last_seq", .integer(lastSeq)),
        ]
        func flag(_ name: String, _ value: Bool) { if value { members.append((name, .bool(true))) } }
        func list(_ name: String, _ values: [String]) { if !values.isEmpty { members.append((name, .array(values.map(JSONValue.string)))) } }
        if let isPublic { members.append(("public", .bool(isPublic))) }
        flag("noticed", noticed); flag("included", included); flag("served", served); flag("published", published)
        flag("correction_pending", correctionPending); flag("reconsideration_pending", reconsiderationPending)
        flag("exit_published", exitPublished)
        list("employers", employers); list("units", units); list("notified_of_exit", notifiedOfExit)
        if !measures.isEmpty {
            members.append(("measures", .array(measures.map { measure in
                var fields: [(String, JSONValue)] = [("unit", .string(measure.unit)), ("measure", .string(measure.measure)), ("status", .string(measure.status))]
                if let until = measure.until { fields.append(("until", .string(until))) }
                return .object(fields)
            })))
        }
        if !reposts.isEmpty {
            members.append(("reposts", .array(reposts.map { .object([("unit", .string($0.unit)), ("deleted", .bool($0.deleted))]) })))
        }
        if let lastCorrectionOutcome { members.append(("last_correction_outcome", .string(lastCorrectionOutcome.rawValue))) }
        if let reconsiderationCourt { members.append(("reconsideration_court", .string(reconsiderationCourt))) }
        if let discharge { members.append(("discharge", .string(discharge))) }
        if let debtorDigest { members.append(("debtor_digest", .string(debtorDigest))) }
        if let termMonths { members.append(("term_months", .integer(Int64(termMonths)))) }
        if let correctionGround { members.append(("correction_ground", .string(correctionGround.rawValue))) }
        flag("rejection_served", rejectionServed)
        flag("personal_data_erased", personalDataErased)
        // Written only when there is one, so the states of entries without acknowledgements keep their bytes.
        list("acknowledged", acknowledged)
        if !marks.isEmpty { members.append(("marks", .object(marks.keys.sorted().map { ($0, .integer(marks[$0]!)) }))) }
        return CanonicalJSON.encode(.object(members))
    }

    /// Reads `storageJSON` back; nil when the bytes are not a stored state.
    package init?(storage bytes: [UInt8]) {
        guard case .object(let members)? = try? JSONParser.parse(bytes) else { return nil }
        var fields: [String: JSONValue] = [:]
        for (key, value) in members { fields[key] = value }
        func text(_ key: String) -> String? { if case .string(let value)? = fields[key] { value } else { nil } }
        func flag(_ key: String) -> Bool { if case .bool(let value)? = fields[key] { value } else { false } }
        func texts(_ key: String) -> [String] {
            guard case .array(let items)? = fields[key] else { return [] }
            return items.compactMap { if case .string(let value) = $0 { value } else { nil } }
        }
        func objects(_ key: String) -> [[String: JSONValue]] {
            guard case .array(let items)? = fields[key] else { return [] }
            return items.compactMap { item in
                guard case .object(let pairs) = item else { return nil }
                return Dictionary(pairs, uniquingKeysWith: { first, _ in first })
            }
        }
        guard let entry = text("entry"), let court = text("court"), let caseNumber = text("case"), let debtor = text("debtor"),
              let status = text("status").flatMap(EntryStatus.init(rawValue:)), case .integer(let lastSeq)? = fields["last_seq"] else { return nil }
        self.init(entry: entry, court: court, caseNumber: caseNumber, debtor: debtor, status: status)
        self.lastSeq = lastSeq
        if case .bool(let value)? = fields["public"] { isPublic = value }
        noticed = flag("noticed"); included = flag("included"); served = flag("served"); published = flag("published")
        correctionPending = flag("correction_pending"); reconsiderationPending = flag("reconsideration_pending")
        exitPublished = flag("exit_published")
        employers = texts("employers"); units = texts("units"); notifiedOfExit = texts("notified_of_exit")
        measures = objects("measures").map { fields in
            func text(_ key: String) -> String? { if case .string(let value)? = fields[key] { value } else { nil } }
            return Measure(unit: text("unit") ?? "", measure: text("measure") ?? "", status: text("status") ?? "applied", until: text("until"))
        }
        reposts = objects("reposts").map { fields in
            var deleted = false
            if case .bool(let value)? = fields["deleted"] { deleted = value }
            if case .string(let unit)? = fields["unit"] { return Repost(unit: unit, deleted: deleted) }
            return Repost(unit: "", deleted: deleted)
        }
        lastCorrectionOutcome = text("last_correction_outcome").flatMap(Outcome.init(rawValue:))
        reconsiderationCourt = text("reconsideration_court")
        discharge = text("discharge")
        debtorDigest = text("debtor_digest")
        if case .integer(let months)? = fields["term_months"] { termMonths = Int(months) }
        correctionGround = text("correction_ground").flatMap(CorrectionGround.init(rawValue:))
        rejectionServed = flag("rejection_served")
        personalDataErased = flag("personal_data_erased")
        acknowledged = texts("acknowledged")
        if case .object(let pairs)? = fields["marks"] {
            for (key, value) in pairs { if case .integer(let ms) = value { marks[key] = ms } }
        }
    }
}
