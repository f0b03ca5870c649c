import CLibCrypto

/// An error from libcrypto, with the operation that failed and libcrypto's own reason.
package struct CryptoError: Error, CustomStringConvertible {
    package let operation: String
    package let reason: String

    init(_ operation: String) {
        self.operation = operation
        let code = ERR_get_error()
        if code == 0 {
            reason = "no further detail from libcrypto"
        } else {
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            reason = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }

    package var description: String { "\(operation) failed: \(reason)" }
}

/// Ed25519 signatures from the system's libcrypto.
package enum Ed25519 {
    /// A private key: the 32-byte seed. Kept only in memory and in the 0600 key file.
    package struct PrivateKey: Sendable {
        package let seed: [UInt8]

        /// A fresh key from libcrypto's random generator.
        package static func generate() throws(CryptoError) -> PrivateKey {
            guard let context = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nil) else { throw CryptoError("EVP_PKEY_CTX_new_id(Ed25519)") }
            defer { EVP_PKEY_CTX_free(context) }
            guard EVP_PKEY_keygen_init(context) == 1 else { throw CryptoError("EVP_PKEY_keygen_init") }
            var key: OpaquePointer?
            guard EVP_PKEY_keygen(context, &key) == 1, let key else { throw CryptoError("EVP_PKEY_keygen") }
            defer { EVP_PKEY_free(key) }
            var seed = [UInt8](repeating: 0, count: 32)
            var length = 32
            guard EVP_PKEY_get_raw_private_key(key, &seed, &length) == 1, length == 32 else {
                throw CryptoError("EVP_PKEY_get_raw_private_key")
            }
            return PrivateKey(seed: seed)
        }

        package init(seed: [UInt8]) { self.seed = seed }

        /// The matching public key.
        package func publicKey() throws(CryptoError) -> PublicKey {
            let key = try rawKey()
            defer { EVP_PKEY_free(key) }
            var bytes = [UInt8](repeating: 0, count: 32)
            var length = 32
            guard EVP_PKEY_get_raw_public_key(key, &bytes, &length) == 1, length == 32 else {
                throw CryptoError("EVP_PKEY_get_raw_public_key")
            }
            return PublicKey(bytes: bytes)
        }

        /// The 64-byte signature of `message`.
        package func sign(_ message: [UInt8]) throws(CryptoError) -> [UInt8] {
            let key = try rawKey()
            defer { EVP_PKEY_free(key) }
            guard let context = EVP_MD_CTX_new() else { throw CryptoError("EVP_MD_CTX_new") }
            defer { EVP_MD_CTX_free(context) }
            guard EVP_DigestSignInit(context, nil, nil, nil, key) == 1 else { throw CryptoError("EVP_DigestSignInit") }
            var signature = [UInt8](repeating: 0, count: 64)
            var length = 64
            let status = message.withUnsafeBufferPointer {
                EVP_DigestSign(context, &signature, &length, $0.baseAddress, $0.count)
            }
            guard status == 1, length == 64 else { throw CryptoError("EVP_DigestSign") }
            return signature
        }

        private func rawKey() throws(CryptoError) -> OpaquePointer {
            guard seed.count == 32 else { throw CryptoError("Ed25519 private key of \(seed.count) bytes (need 32)") }
            guard let key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nil, seed, seed.count) else {
                throw CryptoError("EVP_PKEY_new_raw_private_key")
            }
            return key
        }
    }

    /// A public key: 32 bytes.
    package struct PublicKey: Sendable, Equatable {
        package let bytes: [UInt8]

        package init(bytes: [UInt8]) { self.bytes = bytes }

        /// True when `signature` is a valid Ed25519 signature of `message` by this key.
        package func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
            guard bytes.count == 32, signature.count == 64,
                  let key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nil, bytes, bytes.count) else { return false }
            defer { EVP_PKEY_free(key) }
            guard let context = EVP_MD_CTX_new() else { return false }
            defer { EVP_MD_CTX_free(context) }
            guard EVP_DigestVerifyInit(context, nil, nil, nil, key) == 1 else { return false }
            let status = message.withUnsafeBufferPointer {
                EVP_DigestVerify(context, signature, signature.count, $0.baseAddress, $0.count)
            }
            return status == 1
        }
    }
}
