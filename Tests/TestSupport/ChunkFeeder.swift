/// `items` in chunks of `size`, handed out one at a time as a streamed append's `next` reads
/// them (nil at the end); counts the chunks given. Shared by the SQLite and PostgreSQL suites of
/// the one-transaction append. `@unchecked Sendable`: one task at a time calls `next`.
package final class ChunkFeeder<Item>: @unchecked Sendable {
    private var rest: ArraySlice<Item>
    package let size: Int
    package private(set) var given = 0

    package init(_ items: [Item], size: Int) {
        rest = items[...]
        self.size = size
    }

    package func next() -> [Item]? {
        guard !rest.isEmpty else { return nil }
        let chunk = Array(rest.prefix(size))
        rest = rest.dropFirst(size)
        given += 1
        return chunk
    }
}
