import LedgerDomain

extension Ledger {
    /// Empties the projection tables and derives them again from the log, in one transaction.
    /// The result must equal what the appends maintained (the tests compare them).
    package func rebuild(progress: ((Int64) -> Void)? = nil) throws {
        try connection.writeTransaction {
            for table in Schema.projectionTables { try connection.execute("DELETE FROM \(table)") }
            var replay = Replay()
            var complaints: [String: (entry: String?, received: Int64, resolved: Int64?)] = [:]
            var complaintOrder: [String] = []
            var flags: [(String, Int64)] = []
            try forEachEvent { recorded in
                replay.apply(recorded)
                switch recorded.event.body {
                case .complaintReceived(let id):
                    complaints[id] = (recorded.event.entry, recorded.seq, nil)
                    complaintOrder.append(id)
                case .complaintResolved(let id, _): complaints[id]?.resolved = recorded.seq
                case .breachFlagged(let obligation): flags.append((obligation, recorded.seq))
                default: break
                }
                if let progress, recorded.seq % 100_000 == 0 { progress(recorded.seq) }
            }
            try writeEntryStates(replay.states.values)
            for id in complaintOrder {
                let row = complaints[id]!
                try connection.run("INSERT INTO complaints(complaint, entry, received_seq, resolved_seq) VALUES (?, ?, ?, ?)",
                                   [.text(id), row.entry.map(SQLValue.text) ?? .null, .int(row.received), row.resolved.map(SQLValue.int) ?? .null])
            }
            for (obligation, seq) in flags {
                try connection.run("INSERT INTO flags(obligation, flagged_seq) VALUES (?, ?)", [.text(obligation), .int(seq)])
            }
            try refreshObligations(entries: Set(replay.states.keys))
        }
    }
}
