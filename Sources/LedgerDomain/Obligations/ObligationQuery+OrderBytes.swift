extension ObligationQuery.OrderKey {
    /// The key as bytes whose bytewise order is the key's order, for a sort that compares bytes
    /// only (`SortedSpool`): the due day as 8 bytes big-endian with the sign bit flipped (so
    /// that negative days sort first and unknown days, `Int.max`, last), then entry and id as
    /// their UTF-8 bytes with each 0x00 written 00 FF and ended by 00 01, so that a shorter id
    /// sorts before every longer one it begins (as `IDKey` compares) whatever bytes follow.
    package var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(8 + entry.id.utf8.count + id.id.utf8.count + 4)
        let day = UInt64(bitPattern: Int64(self.day)) ^ (1 << 63)
        for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: day >> UInt64(shift))) }
        for part in [entry, id] {
            for byte in part.id.utf8 {
                out.append(byte)
                if byte == 0 { out.append(0xFF) }
            }
            out += [0x00, 0x01]
        }
        return out
    }
}
