package import LedgerDomain

extension Ledger {
    /// Calls `body` with each stored event in seq order, streaming (constant memory).
    /// `filter` is an SQL condition on the events table, e.g. `entry = ?`.
    package func forEachEvent(where filter: String? = nil, _ arguments: [SQLValue] = [], orderedBy order: String = "seq",
                              _ body: (RecordedEvent) throws -> Void) throws {
        let statement = try connection.statement(try eventsSQL(where: filter, orderedBy: order))
        try statement.bind(arguments)
        while try statement.step() { try body(try Self.recordedEvent(statement)) }
    }

    /// The query whose rows `recordedEvent` reads (also stepped by the rebuild's reader thread).
    func eventsSQL(where filter: String? = nil, orderedBy order: String) throws -> String {
        "SELECT canonical, prev_hash, hash, \(try personalDataColumn) FROM events" + (filter.map { " WHERE " + $0 } ?? "") + " ORDER BY " + order
    }

    /// The event of the current row of an `eventsSQL` statement; one that cannot be read is
    /// an integrity failure.
    static func recordedEvent(_ statement: Statement) throws -> RecordedEvent {
        do {
            return try RecordedEvent(canonical: statement.blob(0), prevHash: statement.blob(1), hash: statement.blob(2),
                                     secrets: try Self.secrets(statement, column: 3))
        } catch {
            throw LedgerError.integrity("a stored event cannot be read (\(error)); run `listledger verify`")
        }
    }

    /// Calls `body` with each stored event of one of `types` (with a seq at most `lastSeq`,
    /// when given), in seq order, streaming.
    package func forEachEvent(ofTypes types: Set<EventType>, through lastSeq: Int64? = nil, _ body: (RecordedEvent) throws -> Void) throws {
        guard !types.isEmpty else { return }
        let marks = Array(repeating: "?", count: types.count).joined(separator: ", ")
        var arguments = types.map(\.rawValue).sorted().map(SQLValue.text)
        var filter = "type IN (\(marks))"
        if let lastSeq {
            filter += " AND seq <= ?"
            arguments.append(.int(lastSeq))
        }
        try forEachEvent(where: filter, arguments, body)
    }

    /// The events of one entry, in seq order.
    package func events(ofEntry entry: String) throws -> [RecordedEvent] {
        var events: [RecordedEvent] = []
        try forEachEvent(where: "entry = ?", [.text(entry)]) { events.append($0) }
        return events
    }

    /// The events of one entry up to seq `last`, in seq order.
    func events(ofEntry entry: String, throughSeq last: Int64) throws -> [RecordedEvent] {
        var events: [RecordedEvent] = []
        try forEachEvent(where: "entry = ? AND seq <= ?", [.text(entry), .int(last)]) { events.append($0) }
        return events
    }

    /// Whether the log holds any event of `entry` (an index lookup, no event decoded).
    package func hasEntry(_ entry: String) throws -> Bool {
        try connection.scalarInt("SELECT EXISTS(SELECT 1 FROM events WHERE entry = ?)", [.text(entry)]) == 1
    }
}
