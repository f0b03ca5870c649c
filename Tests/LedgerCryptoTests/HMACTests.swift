import Testing
@testable import LedgerCrypto

struct HMACTests {
    // RFC 4231 §4.2, §4.3 and §4.7 (test cases 1, 2 and 6), HMAC-SHA-256 lines, copied from the RFC.
    @Test("RFC 4231 test vectors", arguments: [
        (Array(repeating: UInt8(0x0b), count: 20), "Hi There", "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
        (Array("Jefe".utf8), "what do ya want for nothing?", "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        (Array(repeating: UInt8(0xaa), count: 131), "Test Using Larger Than Block-Size Key - Hash Key First",
         "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
    ])
    func rfc4231(key: [UInt8], message: String, expected: String) {
        #expect(Hex.encode(HMACSHA256.authenticationCode(key: key, message: Array(message.utf8))) == expected)
    }

    @Test func emptyMessageAndComparison() {
        let code = HMACSHA256.authenticationCode(key: Array("k".utf8), message: [])
        #expect(code.count == 32)
        var flipped = code
        flipped[31] ^= 1
        #expect(HMACSHA256.equal(code, code) && !HMACSHA256.equal(code, flipped) && !HMACSHA256.equal(code, Array(code.prefix(31))))
    }
}
