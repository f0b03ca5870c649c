import CLibCrypto

/// SHA-256 from the system's libcrypto (EVP interface).
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

    /// SHA-256 fetched from the default provider once. OpenSSL 3 otherwise looks the
    /// algorithm up again on every `EVP_DigestInit_ex(…, EVP_sha256(), …)`, which cost more than
    /// hashing a whole event. A fetched `EVP_MD` is immutable and safe to share across threads.
    private nonisolated(unsafe) static let algorithm: OpaquePointer = {
        guard let md = EVP_MD_fetch(nil, "SHA256", nil) else { fatalError("libcrypto: SHA-256 unavailable") }
        return md
    }()

    /// The same fetched algorithm, for `Context`.
    static var algorithmForContexts: OpaquePointer { algorithm }

    /// An incremental SHA-256 computation. Not `Sendable`: it owns a libcrypto context.
    package struct Hasher: ~Copyable {
        private let context: OpaquePointer

        package init() {
            guard let context = EVP_MD_CTX_new() else { fatalError("libcrypto: EVP_MD_CTX_new failed (out of memory)") }
            guard EVP_DigestInit_ex2(context, SHA256.algorithm, nil) == 1 else { fatalError("libcrypto: SHA-256 unavailable") }
            self.context = context
        }

        // Concrete overloads: a generic call across modules is not specialised, and its
        // witness-table dispatch cost more than hashing a leaf.
        package mutating func update(_ bytes: [UInt8]) {
            bytes.withUnsafeBufferPointer { _ = EVP_DigestUpdate(context, $0.baseAddress, $0.count) }
        }

        package mutating func update(byte: UInt8) {
            var value = byte
            _ = EVP_DigestUpdate(context, &value, 1)
        }

        package mutating func update(_ bytes: some Collection<UInt8>) {
            let done: Void? = bytes.withContiguousStorageIfAvailable { buffer in
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
