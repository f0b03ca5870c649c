import LedgerCalendar

/// The built-in policy profiles a ledger can be created with.
enum PolicyProfiles {
    static let names = PolicyProfile.builtInNames
    static let defaultName = PolicyProfile.default.name
}
