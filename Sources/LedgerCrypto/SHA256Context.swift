import CLibCrypto
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension SHA256 {
    /// One SHA-256 state reused for many digests, written into caller-owned memory: `verify`
    /// hashes three times per event. A new `EVP_MD_CTX` per hash (allocated, set up, freed)
    /// was a large share of its time (issue 8), and even a reused EVP context pays for the
    /// provider's dispatch and a new provider context in every `EVP_DigestInit_ex2`; so this
    /// is libcrypto's plain SHA-256 state (see the shim), held in memory allocated once.
    /// Not `Sendable`: one context per thread (each verify segment makes its own).
    package final class Context {
        private let state: UnsafeMutablePointer<listledger_sha256_state>

        /// The size and alignment of the state the shim declares, which libcrypto writes as its
        /// own `SHA256_CTX`: SHA256LayoutTests compares them with the system's <openssl/sha.h>.
        package static let stateLayout = (size: MemoryLayout<listledger_sha256_state>.size,
                                          alignment: MemoryLayout<listledger_sha256_state>.alignment)

        package init() {
            state = .allocate(capacity: 1)
            state.initialize(to: listledger_sha256_state())
        }

        deinit { state.deallocate() }

        /// Starts a new digest (forgets anything added since the last `finish`).
        @inline(__always)
        package func start() {
            _ = SHA256_Init(state)
        }

        @inline(__always)
        package func update(_ buffer: UnsafeRawBufferPointer) {
            _ = SHA256_Update(state, buffer.baseAddress, buffer.count)
        }

        @inline(__always)
        package func update(_ bytes: [UInt8]) {
            bytes.withUnsafeBufferPointer { _ = SHA256_Update(state, $0.baseAddress, $0.count) }
        }

        @inline(__always)
        package func update(byte: UInt8) {
            var value = byte
            _ = SHA256_Update(state, &value, 1)
        }

        /// Writes the 32-byte digest to `output`.
        @inline(__always)
        package func finish(into output: UnsafeMutableRawPointer) {
            _ = SHA256_Final(output.assumingMemoryBound(to: UInt8.self), state)
        }

        /// The digest as a new array (where one must be kept).
        package func finish() -> [UInt8] {
            [UInt8](unsafeUninitializedCapacity: SHA256.byteCount) { buffer, count in
                finish(into: UnsafeMutableRawPointer(buffer.baseAddress!))
                count = SHA256.byteCount
            }
        }
    }
}

extension SHA256.Context {
    /// Each thread's own context, made on its first use and freed when the thread ends: for
    /// one-shot digests (the tree's leaf and node hashes). Use it only between `start` and
    /// `finish` with no other use of `current` in between (nothing may hash re-entrantly on
    /// the same thread).
    package static var current: SHA256.Context {
        if let raw = pthread_getspecific(threadKey) { return Unmanaged<SHA256.Context>.fromOpaque(raw).takeUnretainedValue() }
        let context = SHA256.Context()
        pthread_setspecific(threadKey, Unmanaged.passRetained(context).toOpaque())
        return context
    }

    private static let threadKey: pthread_key_t = {
        var key = pthread_key_t()
        let status = pthread_key_create(&key) { raw in
            if let raw { Unmanaged<SHA256.Context>.fromOpaque(raw).release() }
        }
        precondition(status == 0, "pthread_key_create failed")
        return key
    }()
}
