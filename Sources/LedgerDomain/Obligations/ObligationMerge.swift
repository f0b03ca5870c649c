/// A streamed read of obligations (`forEachObligation`) takes the projection's rows in the
/// canonical order from its store's SQL and merges into them the few obligations derived in
/// memory for the entries the projector has not reached yet (the tail), so that nothing is
/// held but that tail. A row out of order would mean the SQL and `ObligationQuery.orderKey`
/// disagree: that is refused, never printed in a wrong order.
package struct ObligationMerge {
    private let tail: [(key: ObligationQuery.OrderKey, obligation: Obligation)]
    private var next = 0
    private var last: ObligationQuery.OrderKey?

    /// `tail` in any order.
    package init(tail: [Obligation]) {
        self.tail = tail.map { (ObligationQuery.orderKey($0), $0) }.sorted { $0.key < $1.key }
    }

    /// Passes to `body` the tail's obligations that precede `row`, then `row`.
    package mutating func add(_ row: Obligation, _ body: (Obligation) throws -> Void) throws {
        let key = ObligationQuery.orderKey(row)
        if let last, key < last {
            throw OutOfOrder(description: "the obligations came out of their canonical order at \"\(row.id)\" (due day, entry, id)")
        }
        last = key
        while next < tail.count, tail[next].key < key {
            try body(tail[next].obligation)
            next += 1
        }
        try body(row)
    }

    /// Passes to `body` the tail's obligations after the last row.
    package mutating func finish(_ body: (Obligation) throws -> Void) throws {
        while next < tail.count {
            try body(tail[next].obligation)
            next += 1
        }
    }

    package struct OutOfOrder: Error, CustomStringConvertible {
        package let description: String
    }
}
