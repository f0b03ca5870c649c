import CSQLite

/// A failed SQLite call: the result code, SQLite's message, and the SQL that was running.
package struct SQLiteError: Error, CustomStringConvertible {
    package let code: Int32
    package let message: String
    package let sql: String?

    package var description: String {
        var text = "SQLite error \(code) (\(String(cString: sqlite3_errstr(code)))): \(message)"
        if let sql { text += " — while running: \(sql)" }
        return text
    }

    /// The database file is read-only, or its folder is.
    package var isReadOnly: Bool { code & 0xFF == SQLITE_READONLY }
    /// The disk (or the file-size limit) is full.
    package var isFull: Bool { code & 0xFF == SQLITE_FULL }
    /// A write or read failed at the operating system (often a file-size limit or a full disk).
    package var isIOError: Bool { code & 0xFF == SQLITE_IOERR }
    package var isBusy: Bool { code & 0xFF == SQLITE_BUSY }
    package var isConstraint: Bool { code & 0xFF == SQLITE_CONSTRAINT }
}
