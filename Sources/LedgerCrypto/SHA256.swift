import CLibCrypto

/// SHA-256 from the system's libcrypto (its plain SHA-256 functions, see the shim).
package enum SHA256 {
    package static let byteCount = 32

    /// The digest of `bytes`.
    package static func hash(_ bytes: [UInt8]) -> [UInt8] {
        var hasher = Hasher()
        hasher.update(bytes)
        return hasher.finalize()
    }

    package static func hash(_ bytes: some Collection<UInt8>) -> [UInt8] {
        var hasher = Hasher()
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// The digest of the concatenation of `parts`, without copying them together.
    package static func hash(parts: [[UInt8]]) -> [UInt8] {
        var hasher = Hasher()
        for part in parts { hasher.update(part) }
        return hasher.finalize()
    }

    /// An incremental SHA-256 computation, on libcrypto's plain SHA-256 state held inline (no
    /// EVP context allocated, set up and freed per digest; see the shim).
    package struct Hasher: ~Copyable {
        private var state = listledger_sha256_state()

        package init() {
            _ = SHA256_Init(&state)
        }

        // Concrete overloads: a generic call across modules is not specialised, and its
        // witness-table dispatch cost more than hashing a leaf.
        package mutating func update(_ bytes: [UInt8]) {
            bytes.withUnsafeBufferPointer { _ = SHA256_Update(&state, $0.baseAddress, $0.count) }
        }

        package mutating func update(byte: UInt8) {
            var value = byte
            _ = SHA256_Update(&state, &value, 1)
        }

        package mutating func update(_ bytes: some Collection<UInt8>) {
            let done: Void? = bytes.withContiguousStorageIfAvailable { buffer in
                _ = SHA256_Update(&state, buffer.baseAddress, buffer.count)
            }
            if done == nil {
                let copy = Array(bytes)
                copy.withUnsafeBufferPointer { _ = SHA256_Update(&state, $0.baseAddress, $0.count) }
            }
        }

        package mutating func update(_ buffer: UnsafeRawBufferPointer) {
            _ = SHA256_Update(&state, buffer.baseAddress, buffer.count)
        }

        package consuming func finalize() -> [UInt8] {
            var final = state
            return [UInt8](unsafeUninitializedCapacity: SHA256.byteCount) { buffer, count in
                _ = SHA256_Final(buffer.baseAddress, &final)
                count = SHA256.byteCount
            }
        }
    }
}
