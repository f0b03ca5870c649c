import LedgerDomain

/// Committed events per entry, bounded; see `Ledger.eventCache`.
struct EntryEventCache {
    private var events: [EntryKey: [RecordedEvent]] = [:]
    private var count = 0
    /// The log size the cache describes; any other size means another process appended.
    private(set) var validForSize: Int64 = -1
    static let capacity = 60_000

    var isEmpty: Bool { events.isEmpty }

    func events(of entry: EntryKey, logSize: Int64) -> [RecordedEvent]? {
        logSize == validForSize ? events[entry] : nil
    }

    /// After a commit that took the log from `fromSize` to `toSize`: stores the complete event
    /// lists of `entries` (cleared first when the cache no longer matched `fromSize`).
    mutating func committed(fromSize: Int64, toSize: Int64, entries: [EntryKey: [RecordedEvent]]) {
        if fromSize != validForSize || count > Self.capacity {
            clear()
        }
        for (entry, list) in entries {
            count += list.count - (events[entry]?.count ?? 0)
            events[entry] = list
        }
        validForSize = toSize
    }

    /// Stores the complete list of `entry` as read at log size `logSize` (the projector, after
    /// reading a history the cache did not hold). Ignored unless the cache describes that size
    /// (`advance` first); emptied first when full, so memory stays bounded.
    mutating func store(_ list: [RecordedEvent], of entry: EntryKey, logSize: Int64) {
        guard logSize == validForSize else { return }
        if count + list.count > Self.capacity { clear() }
        count += list.count - (events[entry]?.count ?? 0)
        events[entry] = list
    }

    /// Moves the cache from `validForSize` to `size` (a later snapshot of the same log):
    /// `newEvents` are all the events in (validForSize, size], in seq order. A held entry with
    /// new events gets them appended, since the log is append-only, unless one of them erased
    /// personal data (the held events still carry the values the erasure deleted): then it is
    /// dropped and read again from the log.
    mutating func advance(to size: Int64, newEvents: [RecordedEvent]) {
        for recorded in newEvents {
            guard let entryID = recorded.event.entry else { continue }
            let entry = EntryKey(entryID)
            guard var list = events.removeValue(forKey: entry) else { continue }
            if recorded.event.type == .personalDataErased {
                count -= list.count
                continue
            }
            list.append(recorded)
            events[entry] = list
            count += 1
        }
        validForSize = size
    }

    /// Forgets every list; an empty cache describes any size, so `size` may be given.
    mutating func clear(describing size: Int64 = -1) {
        events.removeAll(keepingCapacity: true)
        count = 0
        validForSize = size
    }
}
