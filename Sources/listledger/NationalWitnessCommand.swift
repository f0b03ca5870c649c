import ArgumentParser
import Foundation
import LedgerDomain
import LedgerMerkle
import LedgerPostgres
import LedgerService
import LedgerStore
#if canImport(Glibc)
import Glibc
#endif

// Consistency between national checkpoints and witness cosigning (issue 13 point 5; C2SP
// tlog-witness and tlog-cosignature). The log side (`prove --from`, `add-cosignature`,
// `checkpoint`) runs against the database; the witness side (`witness-key`, `cosign`) needs no
// database: a witness holds its key, the national log's verifier key and its own small state
// file, the latest national checkpoint it cosigned.

extension ListLedger.National.Prove {
    func proveConsistency(_ url: PostgresURL, from: Int64) throws {
        let to = self.to
        let proof = try onPostgres(url) { try await $0.nationalConsistency(from: from, to: to) }
        if witnessRequest {
            print(AddCheckpointRequest(oldSize: proof.oldSize, proof: proof.proof, note: proof.newNote).body, terminator: "")
            return
        }
        guard from > 0 else {
            throw Failure.input(InputError(field: "--from", "a consistency proof starts at a national checkpoint (size 1 or more); --from 0 is for --witness-request"))
        }
        printJSON(ProofJSON.consistency(from: proof.oldSize, to: proof.newSize, proof: proof.proof, oldNote: proof.oldNote, newNote: proof.newNote))
    }
}

extension ListLedger.National {
    struct CheckpointCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "checkpoint",
            abstract: "Print the latest national checkpoint (or that of --size) with every witness cosignature collected for it.",
            discussion: "A C2SP signed note: readers that trust a witness find its cosignature/v1 line; the others ignore it."
        )
        @OptionGroup var ledger: LedgerOptions
        @Option(help: ArgumentHelp("The national checkpoint of this many leaves (default: the latest).", valueName: "size"))
        var size: Int64?

        func run() throws {
            try reportingFailures {
                let url = try nationalDatabase(ledger)
                let size = self.size
                print(try onPostgres(url) { try await $0.cosignedNationalCheckpoint(size: size) }, terminator: "")
            }
        }
    }

    struct WitnessKey: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "witness-key",
            abstract: "Make a witness's key: writes the secret to a new file (mode 0600) and prints its cosigner key NAME+KEYID+BASE64(0x04 || key).",
            discussion: "Hand the printed key to the national log's operator and to readers (`national add-cosignature --witness`, `national verify-proof --witness`)."
        )
        @Option(help: ArgumentHelp("The witness's name, a schema-less URL (e.g. witness.example.org/w1).", valueName: "name"))
        var name: String
        @Option(help: ArgumentHelp("The new key file (never overwritten).", valueName: "path"))
        var out: String

        func run() throws {
            try reportingFailures {
                let signer: NoteSigner
                do { signer = try NoteSigner.generate(name: name) } catch { throw Failure.input(InputError(field: "--name", "\(error)")) }
                do { try SignerKeyFile.create(path: out, signer: signer) } catch { throw Failure.input(InputError(field: "--out", "\(error)")) }
                print(try CosignerKey(of: signer).description)
            }
        }
    }

    struct Cosign: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Act as a C2SP tlog-witness: check an add-checkpoint request against the witness's state and print its cosignature/v1 line.",
            discussion: """
            The request is what `national prove --from N --witness-request` prints: "old N", the consistency proof lines, an empty line, the signed national checkpoint. The witness cosigns only when the checkpoint is signed by the trusted national key, N is the size it last cosigned (0 the first time), and the proof from there verifies; it records the new size and root in --state (atomically with the check, under a lock) before printing the line. Exit 0 cosigned; 4 refused as tlog-witness refuses (403 not signed by the trusted key, 409 N is not the witness's size or the same size has another root, 422 the proof does not verify: a fork), the state unchanged; 1 a malformed request (400) or an origin the witness does not witness (404).
            """
        )
        @Argument(help: ArgumentHelp("The add-checkpoint request body (or - for standard input).", valueName: "request"))
        var request: String
        @Option(help: ArgumentHelp("The trusted national verifier key, or a file holding it.", valueName: "key"))
        var key: String
        @Option(help: ArgumentHelp("The witness's key file (national witness-key).", valueName: "path"))
        var witnessKey: String
        @Option(help: ArgumentHelp("The witness's state file: the latest checkpoint it cosigned per origin (created when missing).", valueName: "path"))
        var state: String

        func run() throws {
            try reportingFailures {
                let national = try readTrustedKey(key)
                let signer: NoteSigner
                do { signer = try SignerKeyFile.load(path: witnessKey).signer } catch { throw Failure.input(InputError(field: "--witness-key", "\(error)")) }
                let body = try readInputText(request, what: "request")
                let line = try WitnessState.withLock(path: state) { records in
                    let parsed = try AddCheckpointRequest(parsing: body)
                    let origin = national.name
                    let checkpoint = try Witness.check(parsed, origin: origin, logKey: national, record: records[origin])
                    let line = try Cosignature.line(checkpointText: checkpoint.text, witness: signer, timestamp: UInt64(Date().timeIntervalSince1970))
                    records[origin] = WitnessRecord(size: checkpoint.size, root: checkpoint.rootHash)
                    return line
                }
                print(line, terminator: "")
            }
        }
    }

    struct AddCosignature: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add-cosignature",
            abstract: "Store a witness's cosignature lines (what `national cosign` printed) of a national checkpoint, after checking them with the witness's key.",
            discussion: "Exit 0 stored (a line stored before is not stored twice); 4 a line does not verify on that checkpoint with that key: nothing is stored."
        )
        @Argument(help: ArgumentHelp("The cosignature line(s) (or - for standard input).", valueName: "lines"))
        var lines: String
        @Option(help: ArgumentHelp("The witness's cosigner key NAME+KEYID+BASE64, or a file holding it.", valueName: "key"))
        var witness: String
        @Option(help: ArgumentHelp("The national checkpoint they cosign (default: the latest).", valueName: "size"))
        var size: Int64?
        @OptionGroup var ledger: LedgerOptions

        func run() throws {
            try reportingFailures {
                let url = try nationalDatabase(ledger)
                let key = try readCosignerKey(witness)
                let lines = try readInputText(self.lines, what: "lines").split(separator: "\n").map(String.init).filter { !$0.isEmpty }
                guard !lines.isEmpty else { throw Failure.input(InputError(field: "lines", "no cosignature line")) }
                let size = self.size
                let stored = try onPostgres(url) { try await $0.addNationalCosignatures(lines: lines, witness: key, size: size) }
                print("stored \(lines.count) cosignature\(lines.count == 1 ? "" : "s") of \(key.name) on the national checkpoint of size \(stored)")
            }
        }
    }
}

/// A witness's cosigner key given as text or as a file holding it.
func readCosignerKey(_ argument: String) throws -> CosignerKey {
    let text = FileManager.default.fileExists(atPath: argument) ? try readInputText(argument, what: "--witness") : argument
    do { return try CosignerKey(parsing: text.trimmingCharacters(in: .whitespacesAndNewlines)) } catch {
        throw Failure.input(InputError(field: "--witness", "\(error); give the cosigner key NAME+KEYID+BASE64 (national witness-key prints it) or a file holding it"))
    }
}

/// Checks that the national checkpoint `note` carries a valid cosignature of every witness;
/// returns what it found.
func requireCosignatures(on note: String, national: NoteVerifierKey, witnesses: [CosignerKey]) throws -> String {
    let text: String
    do { text = try SignedNote.open(note: note, verifiers: [national]).text } catch { throw Failure.integrity("checkpoint: \(error)") }
    let lines = note.split(separator: "\n").filter { $0.hasPrefix("— ") }.map(String.init)
    var found: [String] = []
    for witness in witnesses {
        let own = lines.filter { $0.hasPrefix("— \(witness.name) ") }
        guard let time = own.lazy.compactMap({ try? Cosignature.verify(line: $0, checkpointText: text, witness: witness) }).first else {
            throw Failure.integrity("checkpoint: no valid cosignature/v1 of the witness \(witness.name) (\(own.isEmpty ? "no line of that name" : "\(own.count) line(s) of that name do not verify"))")
        }
        found.append("\(witness.name) at \(time)")
    }
    return "cosigned by \(found.joined(separator: ", "))"
}

/// A witness's state file: per origin, the size and root of the latest checkpoint it cosigned,
/// as JSON `{"ORIGIN":{"size":N,"root":"BASE64"}}`. Read, checked and replaced under an
/// exclusive lock, replaced by rename after an fsync: tlog-witness requires the check and the
/// update to be atomic (else two requests can roll the witness's view back).
enum WitnessState {
    static func withLock<T>(path: String, _ body: (inout [String: WitnessRecord]) throws -> T) throws -> T {
        let lock = open(path + ".lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard lock >= 0 else { throw Failure.other("--state: cannot open \(path).lock: \(String(cString: strerror(errno)))") }
        defer { close(lock) }
        guard flock(lock, LOCK_EX) == 0 else { throw Failure.other("--state: cannot lock \(path).lock") }
        var records = try read(path)
        let before = records
        let result: T
        do { result = try body(&records) } catch let refusal as WitnessRefusal {
            throw refused(refusal)
        }
        if records != before { try write(records, to: path) }
        return result
    }

    static func refused(_ refusal: WitnessRefusal) -> Failure {
        let status = switch refusal.status {
        case 400: "400 Bad Request"
        case 403: "403 Forbidden"
        case 404: "404 Not Found"
        case 409: "409 Conflict"
        default: "422 Unprocessable Entity"
        }
        var message = "refused (\(status)): \(refusal)"
        if case .conflict(let latest, _) = refusal { message += "\nthe witness last cosigned size \(latest): request again with old \(latest)" }
        message += "\nnothing cosigned; the witness's state is unchanged"
        switch refusal.status {
        case 400, 404: return .other(message)
        default: return .integrity(message)
        }
    }

    static func read(_ path: String) throws -> [String: WitnessRecord] {
        guard let data = FileManager.default.contents(atPath: path) else { return [:] }
        guard case .object(let members)? = try? JSONParser.parse(Array(data)) else {
            throw Failure.other("--state: \(path) is not a witness state file (JSON object)")
        }
        var records: [String: WitnessRecord] = [:]
        for (origin, value) in members {
            guard case .object(let fields) = value,
                  case .integer(let size)? = fields.first(where: { $0.0 == "size" })?.1,
                  case .string(let root)? = fields.first(where: { $0.0 == "root" })?.1,
                  let hash = StrictBase64.decode(root), hash.count == 32 else {
                throw Failure.other("--state: \(path): the record of \(origin) is not {\"size\":N,\"root\":BASE64}")
            }
            records[origin] = WitnessRecord(size: size, root: hash)
        }
        return records
    }

    static func write(_ records: [String: WitnessRecord], to path: String) throws {
        let value = JSONValue.object(records.sorted { $0.key < $1.key }.map { origin, record in
            (origin, .object([("size", .integer(record.size)), ("root", .string(StrictBase64.encode(record.root)))]))
        })
        let bytes = CanonicalJSON.encode(value) + [0x0A]
        let temporary = path + ".tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw Failure.other("--state: cannot write \(temporary): \(String(cString: strerror(errno)))") }
        let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
        let synced = fsync(descriptor) == 0
        close(descriptor)
        guard written == bytes.count, synced, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw Failure.other("--state: cannot replace \(path): \(String(cString: strerror(errno)))")
        }
    }
}
