// The checks of a C2SP tlog-witness `add-checkpoint` call (https://c2sp.org/tlog-witness), without
// the HTTP: a witness keeps, per log origin, the latest checkpoint it cosigned, and cosigns a new
// one only when it is signed by the log's trusted key, its `old` size is the size the witness
// holds, and the RFC 6962 consistency proof from there verifies. The caller persists the new
// record atomically with the check (the spec's race) and then returns the cosignature.
//
// Request body:
//   old <size>\n
//   <base64 hash>\n ...        (at most 63 consistency proof lines; none when old is 0)
//   \n
//   <signed checkpoint note>

/// Why a witness refuses a checkpoint; `status` is the HTTP status the spec gives each case.
package enum WitnessRefusal: Error, Equatable, CustomStringConvertible {
    case badRequest(String)
    case forbidden(String)
    case unknownOrigin(String)
    /// The request's old size is not the one the witness holds (`latest`), or the same size
    /// carries another root.
    case conflict(latest: Int64, reason: String)
    case inconsistent(String)

    package var status: Int {
        switch self {
        case .badRequest: 400
        case .forbidden: 403
        case .unknownOrigin: 404
        case .conflict: 409
        case .inconsistent: 422
        }
    }

    package var description: String {
        switch self {
        case .badRequest(let reason), .forbidden(let reason), .unknownOrigin(let reason), .inconsistent(let reason): reason
        case .conflict(_, let reason): reason
        }
    }
}

/// What a witness holds for one origin: the latest checkpoint it cosigned.
package struct WitnessRecord: Sendable, Equatable {
    package let size: Int64
    package let root: [UInt8]

    package init(size: Int64, root: [UInt8]) {
        self.size = size
        self.root = root
    }
}

package struct AddCheckpointRequest: Sendable, Equatable {
    package let oldSize: Int64
    package let proof: [[UInt8]]
    package let note: String

    package init(oldSize: Int64, proof: [[UInt8]], note: String) {
        self.oldSize = oldSize
        self.proof = proof
        self.note = note
    }

    /// The request body, as a log sends it.
    package var body: String {
        "old \(oldSize)\n" + proof.map { StrictBase64.encode($0) + "\n" }.joined() + "\n" + note
    }

    package init(parsing body: String) throws(WitnessRefusal) {
        // The first empty line ends the proof: what follows is the note, blank line and all.
        let lines = body.split(separator: "\n", maxSplits: 65, omittingEmptySubsequences: false)
        guard let blank = lines.firstIndex(where: \.isEmpty), blank + 1 < lines.count else {
            throw .badRequest("no empty line after the old size and the proof lines")
        }
        let head = lines[..<blank]
        guard let first = head.first, first.hasPrefix("old "), let old = Int64(first.dropFirst(4)), old >= 0,
              String(old) == first.dropFirst(4) else {
            throw .badRequest("the first line must be \"old SIZE\" (decimal, no leading zeros)")
        }
        guard head.count - 1 <= 63 else { throw .badRequest("more than 63 consistency proof lines") }
        var proof: [[UInt8]] = []
        for line in head.dropFirst() {
            guard let hash = StrictBase64.decode(String(line)), hash.count == Merkle.hashSize else {
                throw .badRequest("proof line \(proof.count + 1) is not the base64 of a 32-byte hash")
            }
            proof.append(hash)
        }
        self.init(oldSize: old, proof: proof, note: lines[(blank + 1)...].joined(separator: "\n"))
    }
}

package enum Witness {
    /// Checks `request` against the log key trusted for `origin` and the witness's `record` of
    /// that origin (nil: never cosigned it); returns the checkpoint to cosign and record.
    package static func check(_ request: AddCheckpointRequest, origin: String, logKey: NoteVerifierKey,
                              record: WitnessRecord?) throws(WitnessRefusal) -> Checkpoint {
        let statedOrigin = request.note.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        guard statedOrigin == origin else { throw .unknownOrigin("this witness does not know the origin \(String(reflecting: statedOrigin)) (it witnesses \(origin))") }
        let checkpoint: Checkpoint
        do { checkpoint = try Checkpoint.open(note: request.note, verifiers: [logKey]).checkpoint } catch {
            throw .forbidden("the checkpoint is not signed by the trusted key of \(origin): \(error)")
        }
        guard request.oldSize <= checkpoint.size else {
            throw .badRequest("old size \(request.oldSize) is larger than the checkpoint's size \(checkpoint.size)")
        }
        let latest = record?.size ?? 0
        guard request.oldSize == latest else {
            throw .conflict(latest: latest, reason: "old size \(request.oldSize) is not the size this witness last cosigned (\(latest))")
        }
        guard let record else {
            guard request.proof.isEmpty else { throw .inconsistent("old size 0 takes no consistency proof lines") }
            return checkpoint
        }
        if record.size == checkpoint.size {
            guard record.root == checkpoint.rootHash else {
                throw .conflict(latest: latest, reason: "size \(checkpoint.size) has another root than the one this witness cosigned: a fork of \(origin)")
            }
            guard request.proof.isEmpty else { throw .inconsistent("equal sizes take no consistency proof lines") }
            return checkpoint
        }
        guard Merkle.verifyConsistency(oldSize: record.size, newSize: checkpoint.size, proof: request.proof,
                                       oldRoot: record.root, newRoot: checkpoint.rootHash) else {
            throw .inconsistent("the consistency proof from size \(record.size) to \(checkpoint.size) does not verify against the root this witness cosigned: not an extension of the tree it saw (a fork of \(origin)?)")
        }
        return checkpoint
    }
}
