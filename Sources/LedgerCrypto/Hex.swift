/// Lower-case hexadecimal, the form hashes take in JSON output and the log's text columns.
package enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    package static func encode(_ bytes: some Sequence<UInt8>) -> String {
        // Hashes and salts (contiguous arrays): written straight into the string's storage
        // (every sealed event encodes three commitments and three salts).
        if let direct = bytes.withContiguousStorageIfAvailable({ buffer in
            String(unsafeUninitializedCapacity: buffer.count * 2) { out in
                for (position, byte) in buffer.enumerated() {
                    out[2 * position] = digits[Int(byte >> 4)]
                    out[2 * position + 1] = digits[Int(byte & 0x0f)]
                }
                return buffer.count * 2
            }
        }) {
            return direct
        }
        var out = [UInt8]()
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes of `text`, or nil when it is not an even run of hex digits.
    package static func decode(_ text: some StringProtocol) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(utf8.count / 2)
        var index = 0
        while index < utf8.count {
            guard let high = value(utf8[index]), let low = value(utf8[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }

    private static func value(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
