import LedgerDomain
package import LedgerMerkle

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The ledger's signing identity: the log origin and the verifier key kept in `meta`.
package struct LedgerIdentity: Sendable {
    /// The log's origin, also the key's name, e.g. `listledger/court:baisha`.
    package var origin: String
    package var verifierKey: NoteVerifierKey
}

extension Ledger {
    /// The origin a new key gets: `listledger/<court>` with the court given at `init`, else the
    /// `court` of the first event that names one; nil when neither exists.
    package func defaultOrigin() throws -> String? {
        if let court = try meta("court") { return "listledger/" + court }
        var court: String?
        let statement = try connection.statement("SELECT canonical, prev_hash, hash FROM events WHERE type IN ('risk_notice_issued', 'inclusion_decided') ORDER BY seq LIMIT 1")
        defer { statement.reset() }
        if try statement.step() {
            let recorded = try RecordedEvent(canonical: statement.blob(0), prevHash: statement.blob(1), hash: statement.blob(2))
            switch recorded.event.body {
            case .riskNoticeIssued(let c, _, _), .inclusionDecided(let c, _, _, _, _, _): court = c
            default: break
            }
        }
        return court.map { "listledger/" + $0 }
    }

    /// The stored origin and verifier key, or nil before `keys init`.
    package func identity() throws -> LedgerIdentity? {
        guard let origin = try meta("origin"), let text = try meta("verifier_key") else { return nil }
        do {
            return LedgerIdentity(origin: origin, verifierKey: try NoteVerifierKey(parsing: text))
        } catch {
            throw LedgerError.integrity("the stored verifier key is unreadable: \(error)")
        }
    }

    /// Records `signer` as the ledger's key and its name as the log's origin.
    package func setIdentity(_ signer: NoteSigner) throws {
        try connection.writeTransaction {
            try setMeta("origin", signer.name)
            try setMeta("verifier_key", signer.verifierKey.description)
        }
    }
}

/// Why a key file could not be written or read.
package struct KeyFileError: Error, CustomStringConvertible {
    /// What went wrong, so a caller can say how to fix it in its own terms (which option names
    /// another file, which command creates one).
    package enum Kind: Sendable { case exists, missing, other }

    package let path: String
    package let problem: String
    package let kind: Kind

    package init(path: String, problem: String, kind: Kind = .other) {
        self.path = path
        self.problem = problem
        self.kind = kind
    }

    package var description: String { "\(path): \(problem)" }
}

/// The private key file: the signed-note signer key text `PRIVATE+KEY+NAME+KEYHASH+BASE64`
/// and a newline, readable by its owner only.
package enum SignerKeyFile {
    /// Writes `signer` to a new file with mode 0600; never replaces an existing file.
    package static func create(path: String, signer: NoteSigner) throws(KeyFileError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            guard errno != EEXIST else {
                throw KeyFileError(path: path, problem: "a file already exists here; a key file is never overwritten", kind: .exists)
            }
            throw KeyFileError(path: path, problem: "cannot create the key file: \(String(cString: strerror(errno)))")
        }
        let bytes = Array((signer.encodedSignerKey + "\n").utf8)
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        let synced = fchmod(descriptor, 0o600) == 0 && fsync(descriptor) == 0
        close(descriptor)
        guard written == bytes.count, synced else {
            unlink(path)
            throw KeyFileError(path: path, problem: "cannot write the key file: \(String(cString: strerror(errno)))")
        }
    }

    /// Reads a signer key file. `warning` is set when others may read it.
    package static func load(path: String) throws(KeyFileError) -> (signer: NoteSigner, warning: String?) {
        var status = stat()
        guard stat(path, &status) == 0 else {
            throw KeyFileError(path: path, problem: "no key file here", kind: .missing)
        }
        guard let file = fopen(path, "r") else { throw KeyFileError(path: path, problem: "cannot read: \(String(cString: strerror(errno)))") }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            if count == 0 { break }
            bytes.append(contentsOf: buffer[0..<count])
            if bytes.count > 65536 { throw KeyFileError(path: path, problem: "too large to be a key file") }
        }
        let text = String(decoding: bytes, as: UTF8.self).trimmingScalars(" \t\r\n")
        let signer: NoteSigner
        do { signer = try NoteSigner(parsing: text) } catch { throw KeyFileError(path: path, problem: "not a signer key: \(error)") }
        let warning = status.st_mode & 0o077 != 0
            ? "warning: \(path) can be read by other users (mode \(String(status.st_mode & 0o777, radix: 8))); chmod 600 it" : nil
        return (signer, warning)
    }
}

extension String {
    func trimmingScalars(_ set: String) -> String {
        let drop = Set(set.unicodeScalars)
        var scalars = Substring(self).unicodeScalars
        while let first = scalars.first, drop.contains(first) { scalars.removeFirst() }
        while let last = scalars.last, drop.contains(last) { scalars.removeLast() }
        return String(scalars)
    }
}
