/// An id (entry, event, complaint, obligation) as a dictionary key compared by its UTF-8 bytes.
///
/// Swift's `String ==` and hashing use canonical equivalence: "é" (U+00E9) and "e\u{301}" are
/// one key, while SQLite (and PostgreSQL's `bytea`/C collation) keeps two rows. Keying by bytes
/// keeps the in-memory projection what the store keeps, and spares the Unicode normalisation
/// that hashing a CJK `String` costs (issue 8: 10% of an import's instructions).
package struct IDKey: Hashable, Comparable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    package let id: String

    package init(_ id: String) {
        var id = id
        id.makeContiguousUTF8()  // so `withUTF8` below never copies
        self.id = id
    }

    package init(stringLiteral value: String) { self.init(value) }

    package var description: String { id }

    package static func == (a: IDKey, b: IDKey) -> Bool { compare(a, b) == 0 }

    /// memcmp over the two UTF-8 buffers, then length (a generic `elementsEqual` over the
    /// views cost 18% of a debug import under callgrind).
    private static func compare(_ a: IDKey, _ b: IDKey) -> Int32 {
        var x = a.id, y = b.id
        return x.withUTF8 { p in
            y.withUTF8 { q in
                let common = min(p.count, q.count)
                let order = common == 0 ? 0 : memcmp(p.baseAddress!, q.baseAddress!, common)
                return order != 0 ? order : Int32(p.count) - Int32(q.count)
            }
        }
    }

    package func hash(into hasher: inout Hasher) {
        var id = id
        id.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }

    /// Byte order, as SQLite's BINARY collation sorts (`ORDER BY entry`).
    package static func < (a: IDKey, b: IDKey) -> Bool { compare(a, b) < 0 }
}

/// Entry ids keyed by bytes (see `IDKey`).
package typealias EntryKey = IDKey

extension String {
    /// Whether two ids are the same bytes (not merely canonically equivalent).
    package func sameBytes(_ other: String) -> Bool { utf8.elementsEqual(other.utf8) }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
