import Hummingbird
import LedgerCalendar
import LedgerDomain
import LedgerService
import LedgerStore
import Logging

/// `GET /api/v1/public/search`: the public list, no credential, rate-limited per address.
extension LedgerServerApp {
    func publicSearch(_ request: Request, _ context: LedgerRequestContext) async throws -> Response {
        guard let name = request.query("name"), !name.isEmpty else {
            throw APIError(.badRequest, field: "name", "give the debtor's full name, e.g. ?name=张三")
        }
        guard name.count <= 128 else { throw APIError(.badRequest, field: "name", "is longer than 128 characters") }
        let idNumber = request.query("id_number").flatMap { $0.isEmpty ? nil : $0 }
        let today = LedgerClock.now().beijingDay
        let results = try await ledger.publicCandidates(debtorName: name, listed: { PublicList.isListed($0) }).compactMap { state, events in
            PublicList.record(state: state, events: events, today: (today.year, today.month, today.day), idNumber: idNumber)
        }
        return JSONResponse.make(.ok, .object([("results", .array(results))]))
    }
}

/// The checkpoint (public) and proofs (a credential that may see the event, or `audit`).
extension LedgerServerApp {
    func latestCheckpoint(_ request: Request, _ context: LedgerRequestContext) async throws -> Response {
        guard let checkpoint = try await ledger.latestCheckpoint() else {
            throw APIError(.notFound, "no checkpoint has been signed yet; the operator runs `listledger checkpoint`")
        }
        return JSONResponse.make(.ok, ProofJSON.checkpoint(checkpoint, created: false))
    }

    func inclusionProof(_ request: Request, _ context: LedgerRequestContext) async throws -> Response {
        let principal = try context.requireReader()
        guard let text = request.query("seq"), let seq = Int64(text) else {
            throw APIError(.badRequest, field: "seq", "give the event's seq, e.g. ?seq=12")
        }
        enum Found: Sendable { case proof(JSONValue), hidden, uncovered(Int64?), failedCheck(String) }
        let found: Found
        if let read = try await ledger.inclusion(seq: seq) {
            // The leaf carries the event itself: shown only to who may see its entry.
            // `read.entry` is the state of the event's entry (nil: no entry, or none stored).
            let visible = Visibility.seesEverything(principal) || (read.entry.map { Visibility.maySee(principal, entry: $0) } ?? false)
            if !visible {
                found = .hidden
            } else {
                switch read.proof {
                case let .proved(checkpoint, canonical, path):
                    found = .proof(ProofJSON.inclusion(seq: seq, checkpoint: checkpoint, canonical: canonical, proof: path))
                case .uncovered(let latest): found = .uncovered(latest)
                case .failedCheck(let reason): found = .failedCheck(reason)
                }
            }
        } else {
            found = .hidden
        }
        switch found {
        case .proof(let document): return JSONResponse.make(.ok, document)
        case .hidden: throw APIError.notFound
        case .failedCheck(let reason):
            context.logger.error("inclusion proof refused: the ledger fails its own check", metadata: ["seq": "\(seq)", "reason": "\(reason)"])
            throw APIError(.internalServerError, "the ledger failed its integrity check for this proof; no proof is given. The operator runs `listledger verify`")
        case .uncovered(let size):
            throw APIError(.conflict, field: "seq", "no signed checkpoint covers seq \(seq)\(size.map { " (the latest covers \($0) events)" } ?? ""); ask again after the next checkpoint")
        }
    }

    func consistencyProof(_ request: Request, _ context: LedgerRequestContext) async throws -> Response {
        _ = try context.requireReader()
        guard let fromText = request.query("from"), let from = Int64(fromText), from >= 1 else {
            throw APIError(.badRequest, field: "from", "give the older tree size, e.g. ?from=10&to=20")
        }
        let to = try request.query("to").map { text -> Int64 in
            guard let value = Int64(text) else { throw APIError(.badRequest, field: "to", "must be a tree size") }
            return value
        }
        let document = try await ledger.consistency(from: from, to: to).map { read in
            ProofJSON.consistency(from: from, to: read.to, proof: read.proof, old: read.old, new: read.new)
        }
        guard let document else {
            throw APIError(.badRequest, field: "to", "sizes must satisfy 1 ≤ from ≤ to ≤ the log's size")
        }
        return JSONResponse.make(.ok, document)
    }
}
