package import Foundation
import LedgerCrypto

// What every test target shares: where the repository and the built binary are, running a
// program, decoding fixture hex, and a seeded generator. Foundation only, no test framework.

/// The repository root: the nearest folder above this source file that holds `Fixtures/`
/// (symlinks resolved, so a scratch package linking these folders still finds it).
package let repositoryRoot: URL = {
    var url = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent()
    while url.path != "/" {
        if FileManager.default.fileExists(atPath: url.appendingPathComponent("Fixtures").path) { return url }
        url.deleteLastPathComponent()
    }
    fatalError("no Fixtures/ folder above \(#filePath)")
}()

/// A failure of the test harness itself (a missing tool, an unexpected output).
package struct HarnessFailure: Error, CustomStringConvertible {
    package let description: String
    package init(_ description: String) { self.description = description }
}

/// The built `listledger`: `$LISTLEDGER_BIN`, else the first folder holding an executable
/// `listledger` found walking up from the running test bundle (`/proc/self/exe`, the bundle).
package let listledgerBinaryPath: Result<String, HarnessFailure> = {
    let fm = FileManager.default
    if let explicit = ProcessInfo.processInfo.environment["LISTLEDGER_BIN"] {
        return fm.isExecutableFile(atPath: explicit) ? .success(explicit)
            : .failure(HarnessFailure("LISTLEDGER_BIN=\(explicit) is not an executable file"))
    }
    var starts: [URL] = []
    if let exe = try? fm.destinationOfSymbolicLink(atPath: "/proc/self/exe") { starts.append(URL(fileURLWithPath: exe)) }
    starts.append(Bundle.main.bundleURL)
    starts.append(URL(fileURLWithPath: CommandLine.arguments.first ?? "/"))
    var looked: [String] = []
    for start in starts {
        var dir = start.deletingLastPathComponent()
        while dir.path != "/" && !dir.path.isEmpty {
            let candidate = dir.appendingPathComponent("listledger").path
            looked.append(dir.path)
            var isDirectory: ObjCBool = false
            if fm.fileExists(atPath: candidate, isDirectory: &isDirectory), !isDirectory.boolValue, fm.isExecutableFile(atPath: candidate) {
                return .success(candidate)
            }
            dir.deleteLastPathComponent()
        }
    }
    return .failure(HarnessFailure("cannot find the listledger binary next to the test bundle (looked in \(looked.prefix(6).joined(separator: ", "))…); run `swift build` first or set LISTLEDGER_BIN"))
}()

package func listledgerBinary() throws -> String {
    switch listledgerBinaryPath {
    case .success(let path): return path
    case .failure(let error): throw error
    }
}

/// What a finished program left.
package struct RunResult: CustomStringConvertible {
    package var status: Int32
    package var stdout: String
    package var stderr: String
    package init(status: Int32, stdout: String, stderr: String) {
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
    }
    package var description: String { "exit \(status)\n--- stdout:\n\(stdout.prefix(3000))\n--- stderr:\n\(stderr.prefix(3000))" }
}

/// Runs a program to completion; standard output and error go through files (no pipe
/// deadlock). `$LISTLEDGER_DB` and `$LISTLEDGER_ACTOR` are cleared unless `environment` sets them.
package func runProgram(_ path: String, _ arguments: [String], stdin: String? = nil, in directory: URL? = nil,
                        environment: [String: String] = [:]) throws -> RunResult {
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("ll-run-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: scratch) }
    let outURL = scratch.appendingPathComponent("out"), errURL = scratch.appendingPathComponent("err")
    FileManager.default.createFile(atPath: outURL.path, contents: nil)
    FileManager.default.createFile(atPath: errURL.path, contents: nil)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = directory }
    var env = ProcessInfo.processInfo.environment
    env.removeValue(forKey: "LISTLEDGER_DB")
    env.removeValue(forKey: "LISTLEDGER_ACTOR")
    for (key, value) in environment { env[key] = value }
    process.environment = env
    let outHandle = try FileHandle(forWritingTo: outURL), errHandle = try FileHandle(forWritingTo: errURL)
    process.standardOutput = outHandle
    process.standardError = errHandle
    if let stdin {
        let inURL = scratch.appendingPathComponent("in")
        try Data(stdin.utf8).write(to: inURL)
        process.standardInput = try FileHandle(forReadingFrom: inURL)
    } else {
        process.standardInput = FileHandle.nullDevice
    }
    try process.run()
    process.waitUntilExit()
    try outHandle.close(); try errHandle.close()
    return RunResult(status: process.terminationStatus,
                     stdout: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
                     stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
}

/// Bytes from hex in a fixture (a malformed fixture stops the test run).
package func hex(_ text: String) -> [UInt8] {
    guard let bytes = Hex.decode(text) else { fatalError("bad hex in a fixture: \(text)") }
    return bytes
}

/// Bytes from standard base64 in a fixture.
package func base64(_ text: String) -> [UInt8] {
    guard let data = Data(base64Encoded: text) else { fatalError("bad base64 in a fixture: \(text)") }
    return Array(data)
}

/// A deterministic generator (SplitMix64), so a failing run can be replayed from its seed.
package struct SeededGenerator: RandomNumberGenerator {
    package var state: UInt64
    package init(seed: UInt64) { state = seed }
    package mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
