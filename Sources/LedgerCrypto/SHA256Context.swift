import CLibCrypto
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension SHA256 {
    /// One libcrypto SHA-256 context reused for many digests, written into caller-owned
    /// memory: `verify` hashes three times per event, and a new `EVP_MD_CTX` (allocated, set
    /// up, freed) plus a new digest array per hash were a large share of its time (issue 8).
    /// Not `Sendable`: one context per thread (each verify segment makes its own).
    package final class Context {
        private let context: OpaquePointer

        package init() {
            guard let context = EVP_MD_CTX_new() else { fatalError("libcrypto: EVP_MD_CTX_new failed (out of memory)") }
            self.context = context
        }

        deinit { EVP_MD_CTX_free(context) }

        /// Starts a new digest (forgets anything added since the last `finish`).
        @inline(__always)
        package func start() {
            guard EVP_DigestInit_ex2(context, SHA256.algorithmForContexts, nil) == 1 else { fatalError("libcrypto: SHA-256 unavailable") }
        }

        @inline(__always)
        package func update(_ buffer: UnsafeRawBufferPointer) {
            _ = EVP_DigestUpdate(context, buffer.baseAddress, buffer.count)
        }

        @inline(__always)
        package func update(_ bytes: [UInt8]) {
            bytes.withUnsafeBufferPointer { _ = EVP_DigestUpdate(context, $0.baseAddress, $0.count) }
        }

        @inline(__always)
        package func update(byte: UInt8) {
            var value = byte
            _ = EVP_DigestUpdate(context, &value, 1)
        }

        /// Writes the 32-byte digest to `output`.
        @inline(__always)
        package func finish(into output: UnsafeMutableRawPointer) {
            var length: UInt32 = 0
            _ = EVP_DigestFinal_ex(context, output.assumingMemoryBound(to: UInt8.self), &length)
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
    /// one-shot digests (the tree's leaf and node hashes) that would otherwise set up and free
    /// an `EVP_MD_CTX` per hash. Use it only between `start` and `finish` with no other use of
    /// `current` in between (nothing may hash re-entrantly on the same thread).
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
