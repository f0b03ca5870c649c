import ArgumentParser
import LedgerCrypto
import LedgerDomain
import LedgerMerkle

extension ListLedger {
    struct VerifyProof: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify-proof",
            abstract: "Check a proof from `prove --json` offline, with the trusted verifier key alone (no ledger).",
            discussion: """
            An inclusion proof: the checkpoint's signature, that it signs the proof's tree size, the leaf (the event's canonical bytes, whose seq must be index + 1) and its audit path to the signed root. A consistency proof: the two signed checkpoints (--old and --new, or those the proof JSON carries), their sizes, and the path from the old root to the new one. Exit 0 the proof holds; 4 it does not (the message names the failed check); 1 unreadable input.
            """
        )

        @Argument(help: ArgumentHelp("The proof JSON (or - for standard input).", valueName: "proof.json"))
        var proofFile: String
        @Option(help: ArgumentHelp("The trusted verifier key NAME+KEYHASH+BASE64, or a file holding it.", valueName: "key"))
        var key: String
        @Option(help: ArgumentHelp("Consistency: the older signed checkpoint (a file).", valueName: "checkpoint"))
        var old: String?
        @Option(help: ArgumentHelp("Consistency: the newer signed checkpoint (a file).", valueName: "checkpoint"))
        var new: String?
        @OptionGroup var output: OutputOptions

        func run() throws {
            try reportingFailures {
                let trusted = try readTrustedKey(key)
                let text = try readInputText(proofFile, what: "proof")
                let value: JSONValue
                do { value = try JSONParser.parse(Array(text.utf8)) } catch { throw Failure.other("proof: not JSON (\(error))") }
                guard case .object(let members) = value else { throw Failure.other("proof: expected a JSON object") }
                let fields = ProofFields(members: members)
                let summary: String
                if fields.has("index") || fields.has("leaf") {
                    summary = try checkInclusion(fields, key: trusted)
                } else if fields.has("old_size") {
                    summary = try checkConsistency(fields, key: trusted)
                } else {
                    throw Failure.other("proof: neither an inclusion proof (index, tree_size, leaf, proof, checkpoint) nor a consistency proof (old_size, new_size, proof)")
                }
                if output.json { printJSON(.object([("ok", .bool(true)), ("result", .string(summary))])) } else { print("ok: \(summary)") }
            }
        }

        func checkInclusion(_ fields: ProofFields, key: NoteVerifierKey) throws -> String {
            let index = try fields.integer("index")
            let size = try fields.integer("tree_size")
            let leaf = try fields.base64("leaf")
            let proof = try fields.hashes("proof")
            let checkpoint = try openTrustedCheckpoint(try fields.string("checkpoint"), key: key, what: "checkpoint")
            guard checkpoint.size == size else {
                throw Failure.integrity("tree_size: the proof says \(size), the signed checkpoint covers \(checkpoint.size) events")
            }
            guard index >= 0, index < size else { throw Failure.integrity("index: \(index) is not a leaf of a tree of \(size) events") }
            if case .object(let event)? = try? JSONParser.parse(leaf), let seq = event.first(where: { $0.0 == "seq" })?.1 {
                guard seq == .integer(index + 1) else {
                    throw Failure.integrity("leaf: the event's own seq is \(String(decoding: CanonicalJSON.encode(seq), as: UTF8.self)), but leaf \(index) holds seq \(index + 1)")
                }
            } else {
                throw Failure.integrity("leaf: the leaf is not the canonical JSON of an event")
            }
            if let bad = proof.firstIndex(where: { $0.count != Merkle.hashSize }) {
                throw Failure.integrity("proof[\(bad)]: a hash is 32 bytes, this one is \(proof[bad].count)")
            }
            let leafHash = Merkle.leafHash(canonical: leaf)
            let needed = auditPathLength(index: index, size: size)
            guard proof.count == needed else {
                throw Failure.integrity("proof: \(proof.count) hashes, but leaf \(index) of a tree of \(size) events needs \(needed)")
            }
            guard let implied = Merkle.rootFromInclusionProof(index: index, size: size, leafHash: leafHash, proof: proof),
                  implied == checkpoint.rootHash else {
                throw Failure.integrity("proof: the audit path from the leaf leads to a root other than the signed root \(StrictBase64.encode(checkpoint.rootHash)); the leaf or a proof hash was changed")
            }
            return "event seq \(index + 1) is leaf \(index) of the tree of \(size) events of \(checkpoint.origin), root \(StrictBase64.encode(checkpoint.rootHash)), signed by \(key.name)"
        }

        func checkConsistency(_ fields: ProofFields, key: NoteVerifierKey) throws -> String {
            let oldSize = try fields.integer("old_size")
            let newSize = try fields.integer("new_size")
            let proof = try fields.hashes("proof")
            func note(_ file: String?, _ field: String, _ option: String) throws -> String {
                if let file { return try readInputText(file, what: option) }
                if fields.has(field) { return try fields.string(field) }
                throw Failure.other("\(option): a consistency proof is checked against two signed checkpoints; give \(option) FILE (the proof carries no \(field))")
            }
            let older = try openTrustedCheckpoint(try note(old, "old_checkpoint", "--old"), key: key, what: "old checkpoint")
            let newer = try openTrustedCheckpoint(try note(new, "new_checkpoint", "--new"), key: key, what: "new checkpoint")
            guard older.origin == newer.origin else {
                throw Failure.integrity("the checkpoints are of two logs, \(String(reflecting: older.origin)) and \(String(reflecting: newer.origin))")
            }
            guard older.size == oldSize else { throw Failure.integrity("old_size: the proof says \(oldSize), the old checkpoint covers \(older.size) events") }
            guard newer.size == newSize else { throw Failure.integrity("new_size: the proof says \(newSize), the new checkpoint covers \(newer.size) events") }
            guard Merkle.verifyConsistency(oldSize: oldSize, newSize: newSize, proof: proof, oldRoot: older.rootHash, newRoot: newer.rootHash) else {
                throw Failure.integrity("proof: the consistency proof does not lead from the old signed root to the new one: the log of \(newSize) events does not extend the log of \(oldSize) (or the proof was changed)")
            }
            return "the log \(newer.origin) of \(newSize) events (root \(StrictBase64.encode(newer.rootHash))) extends its checkpoint of \(oldSize) events (root \(StrictBase64.encode(older.rootHash)))"
        }
    }
}

/// The number of hashes in the RFC 6962 audit path of leaf `index` in a tree of `size` leaves.
func auditPathLength(index: Int64, size: Int64) -> Int {
    var index = index
    var size = size
    var count = 0
    while size > 1 {
        var k: Int64 = 1
        while k << 1 < size { k <<= 1 }
        if index < k { size = k } else { index -= k; size -= k }
        count += 1
    }
    return count
}

/// Typed fields of a proof JSON; a missing or mistyped field is unreadable input (exit 1).
struct ProofFields {
    let members: [(String, JSONValue)]

    func has(_ name: String) -> Bool { members.contains { $0.0 == name } }

    func value(_ name: String) throws -> JSONValue {
        guard let found = members.first(where: { $0.0 == name }) else { throw Failure.other("proof: missing field \"\(name)\"") }
        return found.1
    }

    func integer(_ name: String) throws -> Int64 {
        guard case .integer(let number) = try value(name) else { throw Failure.other("proof: \"\(name)\" must be an integer") }
        return number
    }

    func string(_ name: String) throws -> String {
        guard case .string(let text) = try value(name) else { throw Failure.other("proof: \"\(name)\" must be a string") }
        return text
    }

    func base64(_ name: String) throws -> [UInt8] {
        guard let bytes = StrictBase64.decode(try string(name)) else { throw Failure.other("proof: \"\(name)\" is not standard base64") }
        return bytes
    }

    func hashes(_ name: String) throws -> [[UInt8]] {
        guard case .array(let items) = try value(name) else { throw Failure.other("proof: \"\(name)\" must be a list of base64 hashes") }
        return try items.enumerated().map { position, item in
            guard case .string(let text) = item, let bytes = StrictBase64.decode(text) else {
                throw Failure.other("proof: \"\(name)[\(position)]\" is not standard base64")
            }
            return bytes
        }
    }
}
