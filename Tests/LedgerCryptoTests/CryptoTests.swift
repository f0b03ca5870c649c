import Testing
@testable import LedgerCrypto

/// Vectors from FIPS 180-2 (SHA-256) and RFC 8032 section 7.1 (Ed25519), not from this code.
struct SHA256Tests {
    @Test("FIPS 180-2 example vectors", arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ])
    func knownDigests(message: String, expected: String) {
        #expect(Hex.encode(SHA256.hash(Array(message.utf8))) == expected)
    }

    @Test func incrementalEqualsOneShot() {
        let parts: [[UInt8]] = [[0], Array("abc".utf8), [1, 2, 3]]
        #expect(SHA256.hash(parts: parts) == SHA256.hash(parts.flatMap { $0 }))
    }
}

struct Ed25519Tests {
    @Test("RFC 8032 7.1 test vectors", arguments: [
        ("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
         "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
         "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"),
        ("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
         "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
         "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"),
    ])
    func rfcVectors(seed: String, publicKey: String, message: String, signature: String) throws {
        let key = Ed25519.PrivateKey(seed: Hex.decode(seed)!)
        #expect(Hex.encode(try key.publicKey().bytes) == publicKey)
        let signed = try key.sign(Hex.decode(message)!)
        #expect(Hex.encode(signed) == signature)
        #expect(try key.publicKey().isValidSignature(signed, for: Hex.decode(message)!))
    }

    @Test func rejectsAFlippedBit() throws {
        let key = try Ed25519.PrivateKey.generate()
        let message = Array("listledger".utf8)
        var signature = try key.sign(message)
        #expect(try key.publicKey().isValidSignature(signature, for: message))
        signature[10] ^= 0x01
        #expect(try !key.publicKey().isValidSignature(signature, for: message))
        #expect(try !key.publicKey().isValidSignature(try key.sign(message), for: message + [0]))
    }
}
