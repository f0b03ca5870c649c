import Foundation
import Testing
@testable import LedgerCrypto

/// The shim mirrors `SHA256_CTX` from <openssl/sha.h> (hidden there under OPENSSL_NO_DEPRECATED)
/// and libcrypto writes into memory of that layout: a libcrypto whose state grew would write
/// past it. The system's own header is the independent source: a C program built against it
/// prints its size and alignment, which must equal the shim's.
struct SHA256LayoutTests {
    @Test func shimStateHasTheLayoutOfTheSystemHeader() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sha256-layout-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = folder.appendingPathComponent("layout.c")
        try """
            #include <stdio.h>
            #include <stdalign.h>
            #include <openssl/sha.h>
            int main(void) { printf("%zu %zu\\n", sizeof(SHA256_CTX), alignof(SHA256_CTX)); return 0; }
            """.write(to: source, atomically: true, encoding: .utf8)
        let binary = folder.appendingPathComponent("layout").path
        #expect(try run("/usr/bin/env", ["cc", "-o", binary, source.path]) == "")
        let printed = try run(binary, []).trimmingCharacters(in: .whitespacesAndNewlines)
        let layout = SHA256.Context.stateLayout
        #expect(printed == "\(layout.size) \(layout.alignment)")
        // SHA_LONG h[8], Nl, Nh, data[16], num, md_len: 28 four-byte words.
        #expect(layout.size == 112)
    }

    private func run(_ executable: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(executable) \(arguments) exited \(process.terminationStatus)")
        return String(decoding: data, as: UTF8.self)
    }
}
