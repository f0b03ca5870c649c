import CSQLite

/// One SQLite connection with the ledger's settings. Not `Sendable`: a connection belongs to
/// one thread at a time; the command line uses one connection on the main thread.
package final class Connection {
    private let handle: OpaquePointer
    private var statements: [String: Statement] = [:]
    package let path: String
    /// Opened with SQLITE_OPEN_READONLY: it never writes (the obligations projector then
    /// derives what the table lacks in memory instead of catching up).
    package let readOnly: Bool

    /// Opens (and, with `create`, creates) the database file, then enforces WAL with
    /// `synchronous=FULL`, reading both back: an acknowledged append must survive power loss.
    package init(path: String, create: Bool, readOnly: Bool = false) throws(SQLiteError) {
        self.path = path
        self.readOnly = readOnly
        var db: OpaquePointer?
        var flags = SQLITE_OPEN_NOMUTEX
        flags |= readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE
        if create { flags |= SQLITE_OPEN_CREATE }
        let status = sqlite3_open_v2(path, &db, flags, nil)
        guard status == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            sqlite3_close_v2(db)
            throw SQLiteError(code: status, message: "\(message): \(path)", sql: nil)
        }
        handle = db
        sqlite3_extended_result_codes(db, 1)
        // Another writer holds the lock for at most one batch: wait for it instead of failing.
        sqlite3_busy_timeout(db, 30_000)
        if !readOnly {
            let mode = try scalarText("PRAGMA journal_mode=WAL")
            guard mode?.lowercased() == "wal" else {
                throw SQLiteError(code: SQLITE_ERROR, message: "journal_mode is \(mode ?? "unknown"), expected wal", sql: "PRAGMA journal_mode=WAL")
            }
            // A one-shot command used to create the WAL, fsync it, checkpoint it into the
            // database file at close (two more fsyncs) and delete it: 5 fsyncs for one event.
            // Now the WAL persists and is not checkpointed at close: a commit is durable once
            // its frames are fsynced in the WAL (synchronous=FULL), and SQLite's automatic
            // checkpoint (every 1,000 pages) moves them into the database file later. So the
            // ledger at rest is the database file WITH its -wal file: copy all three files (or
            // use the SQLite backup API), never the .sqlite alone. Measured: docs/performance.md.
            var persist: Int32 = 1
            _ = sqlite3_file_control(db, "main", SQLITE_FCNTL_PERSIST_WAL, &persist)
            _ = listledger_sqlite_no_checkpoint_on_close(db)
            // Without a checkpoint at close nothing truncates the kept WAL: after one huge
            // transaction (a one-shot import) it would keep that size for good. SQLite truncates
            // it to this limit when a later commit starts it over.
            try execute("PRAGMA journal_size_limit=67108864")
        }
        try execute("PRAGMA synchronous=FULL")
        let synchronous = try scalarInt("PRAGMA synchronous")
        guard synchronous == 2 else {
            throw SQLiteError(code: SQLITE_ERROR, message: "synchronous reads back as \(synchronous ?? -1), expected 2 (FULL)", sql: "PRAGMA synchronous")
        }
        try execute("PRAGMA foreign_keys=ON")
    }

    /// For a connection that writes only what the log derives again (the obligations
    /// projector): its commits are not fsynced (`synchronous=NORMAL`). WAL keeps each commit
    /// atomic, so rows and the position they belong to stay together; a process crash loses
    /// nothing (the frames are in the OS), a power loss at most the last steps, which the next
    /// catch-up derives again from the position that came back with them; and the next
    /// durable commit of any connection syncs these frames with its own. Without this, every
    /// step held the write lock for an fsync, and the writer's `BEGIN IMMEDIATE` that met it
    /// slept in SQLite's busy handler (1 ms, 2 ms, 5 ms, …) between group commits.
    package func commitsWithoutSync() throws(SQLiteError) {
        try execute("PRAGMA synchronous=NORMAL")
    }

    /// Runs `body` (one transaction of derived data: a projector step written on the
    /// group-commit writer's connection) with commits not fsynced, as `commitsWithoutSync`
    /// argues, then restores `synchronous=FULL` and reads it back: every later commit of this
    /// connection (an acknowledged append) is durable again. A connection that already commits
    /// without sync stays so. If FULL cannot be restored the connection refuses to go on.
    package func withoutSync<T>(_ body: () throws -> T) throws -> T {
        guard try scalarInt("PRAGMA synchronous") == 2 else { return try body() }
        try execute("PRAGMA synchronous=NORMAL")
        defer {
            // Setting a pragma outside a transaction does not fail in practice; if it ever did,
            // stopping is the only safe answer (appends would be acknowledged without an fsync).
            do {
                try execute("PRAGMA synchronous=FULL")
                guard try scalarInt("PRAGMA synchronous") == 2 else { throw SQLiteError(code: SQLITE_ERROR, message: "synchronous is not FULL", sql: nil) }
            } catch {
                fatalError("cannot restore synchronous=FULL on \(path): \(error)")
            }
        }
        return try body()
    }

    deinit {
        statements.removeAll()
        sqlite3_close_v2(handle)
    }

    package func error(_ code: Int32, sql: String?) -> SQLiteError {
        SQLiteError(code: code, message: String(cString: sqlite3_errmsg(handle)), sql: sql)
    }

    /// Runs one or more statements that return no rows.
    package func execute(_ sql: String) throws(SQLiteError) {
        var message: UnsafeMutablePointer<CChar>?
        let status = sqlite3_exec(handle, sql, nil, nil, &message)
        if status != SQLITE_OK {
            let text = message.map { String(cString: $0) } ?? "failed"
            sqlite3_free(message)
            throw SQLiteError(code: status, message: text, sql: sql)
        }
    }

    /// A prepared statement, cached by its SQL text and reset for reuse.
    package func statement(_ sql: String) throws(SQLiteError) -> Statement {
        if let cached = statements[sql] {
            cached.reset()
            return cached
        }
        var raw: OpaquePointer?
        let status = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &raw, nil)
        guard status == SQLITE_OK, let raw else { throw error(status, sql: sql) }
        let statement = Statement(handle: raw, connection: self, sql: sql)
        statements[sql] = statement
        return statement
    }

    package func scalarInt(_ sql: String, _ arguments: [SQLValue] = []) throws(SQLiteError) -> Int64? {
        let statement = try statement(sql)
        defer { statement.reset() }
        try statement.bind(arguments)
        return try statement.step() ? statement.int(0) : nil
    }

    package func scalarText(_ sql: String, _ arguments: [SQLValue] = []) throws(SQLiteError) -> String? {
        let statement = try statement(sql)
        defer { statement.reset() }
        try statement.bind(arguments)
        return try statement.step() ? statement.text(0) : nil
    }

    package func scalarBlob(_ sql: String, _ arguments: [SQLValue] = []) throws(SQLiteError) -> [UInt8]? {
        let statement = try statement(sql)
        defer { statement.reset() }
        try statement.bind(arguments)
        return try statement.step() ? statement.blob(0) : nil
    }

    package func run(_ sql: String, _ arguments: [SQLValue] = []) throws(SQLiteError) {
        let statement = try statement(sql)
        try statement.bind(arguments)
        while try statement.step() {}
    }

    /// Resets every cached statement, so none holds a read open past its transaction.
    package func resetAll() {
        for statement in statements.values { statement.reset() }
    }

    package var changes: Int { Int(sqlite3_changes(handle)) }

    /// Runs `body` in a `BEGIN IMMEDIATE` transaction: the write lock is taken first, so two
    /// appenders serialise instead of both reading the same head. Rolls back on any throw.
    package func writeTransaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            resetAll()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// True when no transaction is open (SQLite also ends one by itself after some I/O errors).
    package var isAutocommit: Bool { sqlite3_get_autocommit(handle) != 0 }

    /// A consistent snapshot for reads. Inside a transaction already open (a `SharedLedger`
    /// read wraps its whole body in one), it runs in that one, so the snapshot stays one.
    package func readTransaction<T>(_ body: () throws -> T) throws -> T {
        if !isAutocommit { return try body() }
        try execute("BEGIN")
        defer {
            resetAll()
            try? execute("COMMIT")
        }
        return try body()
    }
}

/// A value to bind to a statement parameter.
package enum SQLValue: Equatable, Sendable {
    case null
    case int(Int64)
    case text(String)
    case blob([UInt8])
}
