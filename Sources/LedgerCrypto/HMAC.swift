import CLibCrypto

/// HMAC-SHA256 (RFC 2104) from libcrypto: the signature of the alert runner's webhooks.
package enum HMACSHA256 {
    package static func authenticationCode(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: SHA256.byteCount)
        var length: UInt32 = 0
        // An empty array may have no base address; libcrypto wants a pointer even for length 0,
        // so an empty input is passed as a one-byte buffer with length 0.
        let keyBuffer = key.isEmpty ? [0] : key, messageBuffer = message.isEmpty ? [0] : message
        let result = keyBuffer.withUnsafeBufferPointer { keyBytes in
            messageBuffer.withUnsafeBufferPointer { messageBytes in
                out.withUnsafeMutableBufferPointer { outBytes in
                    HMAC(EVP_sha256(), keyBytes.baseAddress, Int32(key.count), messageBytes.baseAddress, message.count,
                         outBytes.baseAddress, &length)
                }
            }
        }
        guard result != nil, length == UInt32(SHA256.byteCount) else { fatalError("libcrypto: HMAC-SHA256 failed") }
        return out
    }

    /// Constant-time comparison of two codes (a receiver checking a signature must not leak
    /// how many leading bytes matched).
    package static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for (x, y) in zip(a, b) { difference |= x ^ y }
        return difference == 0
    }
}
