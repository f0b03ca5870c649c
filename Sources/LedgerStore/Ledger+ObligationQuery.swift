import LedgerCalendar
package import LedgerDomain
package import LedgerStorage

extension Ledger {
    /// Obligations with their status at `query.asOf`, in the canonical order:
    /// `forEachObligation`, collected.
    package func obligations(_ query: ObligationQuery) throws -> [(Obligation, ObligationStatus)] {
        var found: [(Obligation, ObligationStatus)] = []
        try forEachObligation(query) { found.append(($0, $1)) }
        return found
    }

    /// Calls `body` with each obligation `query` selects and its status at `query.asOf`, in the
    /// canonical order (`ObligationQuery.orderKey`), all from one read snapshot. When some fact
    /// took effect after that instant, the obligations are derived again from the facts
    /// effective by then (so a later act, retention or trigger does not leak into the past),
    /// entry by entry, and sorted through a `SortedSpool` (`spooling`: its limits; tests make
    /// them tiny); otherwise the projection's rows stream in that order from SQL.
    package func forEachObligation(_ query: ObligationQuery, spooling limits: SortedSpool.Limits = .standard,
                                   _ body: (Obligation, ObligationStatus) throws -> Void) throws {
        if let latest = try latestEffectiveMilliseconds(), latest > query.asOf.epochMilliseconds {
            try forEachReplayedObligation(query, spooling: limits, body)
            return
        }
        var conditions: [String] = []
        var arguments: [SQLValue] = []
        if let entry = query.entry { conditions.append("entry = ?"); arguments.append(.text(entry)) }
        if let rule = query.rule { conditions.append("rule = ?"); arguments.append(.text(rule)) }
        if let obligor = query.obligor { conditions.append("obligor = ?"); arguments.append(.text(obligor)) }
        if let due = query.dueOnOrBefore { conditions.append("(due IS NULL OR due <= ?)"); arguments.append(.text(due)) }
        // No stored fact takes effect after `asOf` here, so unmet means met_ms IS NULL: let
        // the partial index of unmet obligations find breaches and open duties.
        conditions.append("effective_ms <= ?")
        arguments.append(.int(query.asOf.epochMilliseconds))
        // A PREFILTER, not a second definition: `query.judge` (LedgerDomain) judges every
        // row kept here by the one canonical status; this only narrows the scan.
        conditions += query.unmetRowConditions { day in arguments.append(.text(day)); return "?" }
        // The entries the projector has not reached yet are derived in memory whole;
        // `judge` applies every condition of the query to them as to the rows.
        try forEachStoredObligation(where: conditions.joined(separator: " AND "), arguments) { obligation in
            if let status = query.judge(obligation) { try body(obligation, status) }
        }
    }

    /// A past `forEachObligation`: the log read entry by entry (the events_by_entry index, as
    /// the state replays read), each entry's obligations derived when its events end (they
    /// depend on its own events only: an annulment names an event of its entry), the selected
    /// ones spooled under their canonical order key in their stored form (`row`), then streamed
    /// to `body` in that order. One entry's history and the spool's run are what is held.
    private func forEachReplayedObligation(_ query: ObligationQuery, spooling limits: SortedSpool.Limits,
                                           _ body: (Obligation, ObligationStatus) throws -> Void) throws {
        let engine = try obligationEngine()
        let spool = SortedSpool(limits: limits)
        var histories = EntryHistories()
        func derive(_ history: [RecordedEvent]) throws {
            for obligation in engine.obligations(of: history) where query.judge(obligation) != nil {
                try spool.append(key: ObligationQuery.orderKey(obligation).bytes, value: Self.spooled(obligation))
            }
        }
        // Annulments count at every as-of instant (an annulled event never was a fact).
        let filter = query.entry != nil ? "entry = ? AND (at_ms <= ? OR type = 'record_annulled')"
                                        : "entry IS NOT NULL AND (at_ms <= ? OR type = 'record_annulled')"
        let arguments: [SQLValue] = (query.entry.map { [.text($0)] } ?? []) + [.int(query.asOf.epochMilliseconds)]
        try connection.readTransaction {
            try forEachEvent(where: filter, arguments, orderedBy: "entry, seq") { try histories.add($0, derive) }
            try histories.finish(derive)
        }
        try spool.drain { _, value in
            let obligation = try Self.unspooled(value)
            if let status = query.judge(obligation) { try body(obligation, status) }
        }
    }

    /// An obligation's stored row (`row`, the projection's form) as bytes for a spool: its
    /// values as a JSON array (`row` writes text, integers and nulls only).
    static func spooled(_ obligation: Obligation) -> [UInt8] {
        CanonicalJSON.encode(.array(row(obligation).map { value -> JSONValue in
            switch value {
            case .null: .null
            case .int(let n): .integer(n)
            case .text(let text): .string(text)
            case .blob(let bytes): .string(String(decoding: bytes, as: UTF8.self))
            }
        }))
    }

    /// The obligation `spooled` wrote (read as the projection's rows are: `obligation(row:)`).
    static func unspooled(_ bytes: [UInt8]) throws -> Obligation {
        guard case .array(let values)? = try? JSONParser.parse(bytes), values.count == 13 else {
            throw LedgerError.integrity("a spooled obligation cannot be read back from its temporary file")
        }
        return obligation(row: values.map { value -> SQLValue in
            switch value {
            case .integer(let n): .int(n)
            case .string(let text): .text(text)
            default: .null
            }
        })
    }

    /// The obligations already flagged with `breach_flagged`, with the seq of that event.
    package func flaggedObligations() throws -> [String: Int64] {
        var flags: [String: Int64] = [:]
        let statement = try connection.statement("SELECT obligation, flagged_seq FROM flags")
        while try statement.step() { flags[statement.text(0) ?? ""] = statement.int(1) }
        return flags
    }

    /// Every obligor named by a stored obligation (for suggestions on a mistyped `--obligor`).
    package func knownObligors() throws -> [String] {
        try withCurrentObligations { tail in
            guard let tail else {
                var out: [String] = []
                let statement = try connection.statement("SELECT DISTINCT obligor FROM obligations ORDER BY obligor")
                defer { statement.reset() }
                while try statement.step() { out.append(statement.text(0) ?? "") }
                return out
            }
            var obligors = Set(tail.obligations.map { IDKey($0.obligor) })
            let statement = try connection.statement("SELECT entry, obligor FROM obligations")
            defer { statement.reset() }
            while try statement.step() {
                if !tail.entries.contains(EntryKey(statement.text(0) ?? "")) { obligors.insert(IDKey(statement.text(1) ?? "")) }
            }
            return obligors.sorted().map(\.id)
        }
    }
}
