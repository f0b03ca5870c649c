package import LedgerDomain

/// JSON Lines input (SPEC §3) decoded into numbered events: one object per line, blank lines
/// skipped, a leading UTF-8 byte-order mark and trailing CRs dropped. The same rules as the
/// command line's reader, here so a caller of `SharedLedger` (the server) needs no CLI code.
package enum JSONLines {
    private static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

    package static func decode(_ bytes: [UInt8]) throws(LedgerError) -> [NumberedEvent] {
        var events: [NumberedEvent] = []
        var line = 0
        var start = bytes.starts(with: byteOrderMark) ? byteOrderMark.count : 0
        while start <= bytes.count {
            var end = start
            while end < bytes.count && bytes[end] != 0x0A { end += 1 }
            line += 1
            var slice = bytes[start..<end]
            if slice.last == 0x0D { slice = slice.dropLast() }
            if !slice.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) {
                do {
                    events.append(NumberedEvent(line: line, event: try Event.decode(jsonLine: Array(slice))))
                } catch {
                    throw .input(error.at(line: line))
                }
            }
            start = end + 1
        }
        if events.isEmpty { throw .input(InputError("the input holds no events")) }
        return events
    }
}
