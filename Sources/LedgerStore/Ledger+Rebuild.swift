import LedgerDomain

extension Ledger {
    /// Empties the projection tables and derives them again from the log, in one transaction.
    /// The result must equal what the appends maintained (the tests compare them).
    ///
    /// Events are read entry by entry (the `events_by_entry` index, seq order within an entry),
    /// so memory holds one entry's history at a time, however long the log.
    package func rebuild(progress: ((Int64) -> Void)? = nil) throws {
        try connection.writeTransaction {
            for table in Schema.projectionTables { try connection.execute("DELETE FROM \(table)") }
            var derived = ProjectionRebuild()
            var history: [RecordedEvent] = []
            var done: Int64 = 0

            func finishEntry() throws {
                guard let entry = history.first?.event.entry else { return }
                if let state = derived.finish(entry: history) { try writeEntryStates([state]) }
                try refreshObligations(entries: [EntryKey(entry)], events: [EntryKey(entry): history])
                history.removeAll(keepingCapacity: true)
            }

            try forEachEvent(orderedBy: "entry, seq") { recorded in
                if let entry = recorded.event.entry, let current = history.first?.event.entry, !current.sameBytes(entry) {
                    try finishEntry()
                }
                derived.take(recorded)
                if recorded.event.entry != nil { history.append(recorded) }
                done += 1
                if let progress, done % 100_000 == 0 { progress(done) }
            }
            try finishEntry()
            for row in derived.complaintRecords {
                try connection.run("INSERT INTO complaints(complaint, entry, received_seq, resolved_seq) VALUES (?, ?, ?, ?)",
                                   [.text(row.complaint), row.entry.map(SQLValue.text) ?? .null, .int(row.receivedSeq), row.resolvedSeq.map(SQLValue.int) ?? .null])
            }
            for (obligation, seq) in derived.flags {
                try connection.run("INSERT INTO flags(obligation, flagged_seq) VALUES (?, ?)", [.text(obligation), .int(seq)])
            }
            // Every entry's obligations derived from the whole log: the projector is current.
            try setObligationsPosition(try head().size)
            // A migration that changed the rules asked for this rebuild; it is done with it.
            try connection.run("DELETE FROM meta WHERE key = ?", [.text(Migrations.rederivePendingKey)])
        }
    }
}
