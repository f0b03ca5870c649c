import CLibCrypto

/// SHA-256 from the system's libcrypto (EVP interface).
package enum SHA256 {
    package static let byteCount = 32

    /// The digest of `bytes`.
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

    /// An incremental SHA-256 computation. Not `Sendable`: it owns a libcrypto context.
    package struct Hasher: ~Copyable {
        private let context: OpaquePointer

        package init() {
            guard let context = EVP_MD_CTX_new() else { fatalError("libcrypto: EVP_MD_CTX_new failed (out of memory)") }
            guard EVP_DigestInit_ex(context, EVP_sha256(), nil) == 1 else { fatalError("libcrypto: SHA-256 unavailable") }
            self.context = context
        }

        package mutating func update(_ bytes: some Collection<UInt8>) {
            let done = bytes.withContiguousStorageIfAvailable { buffer in
                _ = EVP_DigestUpdate(context, buffer.baseAddress, buffer.count)
            }
            if done == nil {
                let copy = Array(bytes)
                copy.withUnsafeBufferPointer { _ = EVP_DigestUpdate(context, $0.baseAddress, $0.count) }
            }
        }

        package mutating func update(_ buffer: UnsafeRawBufferPointer) {
            _ = EVP_DigestUpdate(context, buffer.baseAddress, buffer.count)
        }

        package consuming func finalize() -> [UInt8] {
            var digest = [UInt8](repeating: 0, count: SHA256.byteCount)
            var length: UInt32 = 0
            digest.withUnsafeMutableBufferPointer { _ = EVP_DigestFinal_ex(context, $0.baseAddress, &length) }
            return digest
        }

        deinit { EVP_MD_CTX_free(context) }
    }
}
