/// Standard base64 (RFC 4648 §4, with padding), decoded strictly: only the canonical encoding of
/// some bytes is accepted (no white space, no missing or extra padding, no stray bits in the
/// last character), so one value has exactly one text form in checkpoints, keys and proofs.
package enum StrictBase64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    private static let values: [UInt8] = {
        var table = [UInt8](repeating: 0xff, count: 256)
        for (i, c) in alphabet.enumerated() { table[Int(c)] = UInt8(i) }
        return table
    }()

    /// The padded standard base64 text of `bytes`.
    package static func encode(_ bytes: some Collection<UInt8>) -> String {
        let bytes = Array(bytes)
        var out = [UInt8]()
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i + 3 <= bytes.count {
            let v = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            out.append(alphabet[Int(v >> 18 & 63)])
            out.append(alphabet[Int(v >> 12 & 63)])
            out.append(alphabet[Int(v >> 6 & 63)])
            out.append(alphabet[Int(v & 63)])
            i += 3
        }
        switch bytes.count - i {
        case 1:
            let v = UInt32(bytes[i]) << 16
            out.append(alphabet[Int(v >> 18 & 63)])
            out.append(alphabet[Int(v >> 12 & 63)])
            out.append(contentsOf: "==".utf8)
        case 2:
            let v = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8
            out.append(alphabet[Int(v >> 18 & 63)])
            out.append(alphabet[Int(v >> 12 & 63)])
            out.append(alphabet[Int(v >> 6 & 63)])
            out.append(UInt8(ascii: "="))
        default:
            break
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes `text` encodes, or nil when it is not canonical padded standard base64.
    package static func decode(_ text: some StringProtocol) -> [UInt8]? {
        let chars = Array(text.utf8)
        guard chars.count % 4 == 0 else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(chars.count / 4 * 3)
        var i = 0
        while i < chars.count {
            let isLast = i + 4 == chars.count
            let padding = isLast ? (chars[i + 3] == UInt8(ascii: "=") ? (chars[i + 2] == UInt8(ascii: "=") ? 2 : 1) : 0) : 0
            var v: UInt32 = 0
            for j in 0..<(4 - padding) {
                let d = values[Int(chars[i + j])]
                guard d != 0xff else { return nil }
                v = v << 6 | UInt32(d)
            }
            switch padding {
            case 0:
                out.append(UInt8(v >> 16 & 0xff))
                out.append(UInt8(v >> 8 & 0xff))
                out.append(UInt8(v & 0xff))
            case 1:
                guard v & 0x3 == 0 else { return nil } // 18 bits, the last 2 must be zero
                out.append(UInt8(v >> 10 & 0xff))
                out.append(UInt8(v >> 2 & 0xff))
            default:
                guard v & 0xf == 0 else { return nil } // 12 bits, the last 4 must be zero
                out.append(UInt8(v >> 4 & 0xff))
            }
            i += 4
        }
        return out
    }
}
