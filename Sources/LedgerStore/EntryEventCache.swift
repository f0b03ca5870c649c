import LedgerDomain

/// Committed events per entry, bounded; see `Ledger.eventCache`.
struct EntryEventCache {
    private var events: [EntryKey: [RecordedEvent]] = [:]
    private var count = 0
    /// The log size the cache describes; any other size means another process appended.
    private(set) var validForSize: Int64 = -1
    static let capacity = 60_000

    func events(of entry: EntryKey, logSize: Int64) -> [RecordedEvent]? {
        logSize == validForSize ? events[entry] : nil
    }

    /// After a commit that took the log from `fromSize` to `toSize`: stores the complete event
    /// lists of `entries` (cleared first when the cache no longer matched `fromSize`).
    mutating func committed(fromSize: Int64, toSize: Int64, entries: [EntryKey: [RecordedEvent]]) {
        if fromSize != validForSize || count > Self.capacity {
            events.removeAll(keepingCapacity: true)
            count = 0
        }
        for (entry, list) in entries {
            count += list.count - (events[entry]?.count ?? 0)
            events[entry] = list
        }
        validForSize = toSize
    }
}
