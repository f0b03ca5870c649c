import CLibCrypto

/// Cryptographically secure random bytes from libcrypto's DRBG (`RAND_bytes`): the salts of
/// personal-data commitments (SPEC §7) must be unguessable, or a commitment to a resident ID
/// number (a small space) could be brute-forced.
package enum RandomBytes {
    package static func generate(_ count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let ok = bytes.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32(count)) }
        // A failing DRBG must never fall back to weak salts.
        guard ok == 1 else { fatalError("libcrypto: RAND_bytes failed") }
        return bytes
    }
}
