import Foundation
import HTTPTypes
import Hummingbird
import LedgerDomain
import LedgerService
import LedgerStore
import Logging
import NIOCore
import Prometheus

/// `POST /api/v1/events`: JSON or JSON Lines, all or nothing, the actor bound to the credential.
extension LedgerServerApp {
    enum AppendResult: Sendable {
        case appended([AppendOutcome])
        case conflict(entry: String, expected: Int64, lastSeq: Int64, changes: [JSONValue])
    }

    func postEvents(_ request: Request, _ context: LedgerRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        guard principal.scopes.contains(.record) else {
            throw APIError(.forbidden, "this credential has no record scope")
        }
        let contentType = (request.headers[.contentType] ?? "").split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        let jsonLines: Bool
        switch contentType {
        case "application/json": jsonLines = false
        case "application/jsonl", "application/x-ndjson", "application/json-lines": jsonLines = true
        default: throw APIError(.unsupportedMediaType, field: "Content-Type", "send application/json (one event) or application/jsonl / application/x-ndjson (JSON Lines)")
        }
        let expected: Int64?
        if let ifMatch = request.headers[.ifMatch] {
            let text = ifMatch.trimmingCharacters(in: CharacterSet(charactersIn: "\" W/"))
            guard let seq = Int64(text), seq >= 0 else {
                throw APIError(.badRequest, field: "If-Match", "must be the entry's last seq, e.g. \"12\", got \(ifMatch)")
            }
            expected = seq
        } else { expected = nil }
        let body = try await request.body.collect(upTo: settings.maximumBodyBytes)
        let events: [NumberedEvent]
        do {
            events = try EventInput.decode(Array(buffer: body), jsonLines: jsonLines, party: principal.party)
        } catch {
            switch error {
            case .malformed(let input): throw APIError(.badRequest, input)
            case .notYourAct(let input): throw APIError(.forbidden, input)
            }
        }
        let start = ContinuousClock.now
        let result: AppendResult
        do {
            // Group-committed with the posts of the same moment; the If-Match check runs in
            // this batch's savepoint, after the batches before it in the group.
            result = .appended(try await ledger.append(events, credential: principal.credential, expectedLastSeq: expected))
        } catch let moved as EntryMovedOn {
            result = .conflict(entry: moved.entry, expected: moved.expected, lastSeq: moved.lastSeq, changes: moved.changes.map(LedgerJSON.recordedEvent))
        } catch let error as LedgerError {
            if case .input(let input) = error {
                throw APIError(EventInput.isNotYourAct(input) ? .forbidden : .badRequest, input)
            }
            context.logger.error("append failed", metadata: ["error.kind": .string(error.kind)])
            throw APIError(.serviceUnavailable, "the ledger could not be written; nothing was written")
        } catch let failure as StoreFailure {
            context.logger.error("append failed", metadata: ["error.kind": .string(failure.kind)])
            throw APIError(.serviceUnavailable, "the ledger could not be written; nothing was written")
        }
        switch result {
        case let .conflict(entry, expected, lastSeq, changes):
            throw APIError(.conflict, field: "If-Match", "entry \(entry) has moved on: its last seq is \(lastSeq), not \(expected); nothing was written",
                           extra: [("entry", .string(entry)), ("last_seq", .integer(lastSeq)), ("changes", .array(changes))])
        case .appended(let outcomes):
            metrics.appendLatency.record(ContinuousClock.now - start)
            var seqs: [JSONValue] = []
            var duplicates: [JSONValue] = []
            var appendedCount = 0
            for (outcome, numbered) in zip(outcomes, events) {
                switch outcome {
                case .appended(let seq):
                    seqs.append(.integer(seq))
                    appendedCount += 1
                case .duplicate(let seq):
                    seqs.append(.integer(seq))
                    duplicates.append(.object([("line", .integer(Int64(numbered.line))), ("seq", .integer(seq))]))
                }
            }
            metrics.appendedEvents.increment(by: Int64(appendedCount))
            // A request that stored nothing new is a repeat: 200 with the stored seqs. `Ledger-Seq`:
            // the seq a later read names in `Ledger-After-Seq` to see this write on any server
            // process, also one that reads a standby (ReadYourWrites.swift).
            var headers: HTTPFields = [:]
            if let last = outcomes.map(\.answeredSeq).max() { headers[ReadRequirement.answerHeader] = String(last) }
            return JSONResponse.make(appendedCount == 0 ? .ok : .created, .object([("seqs", .array(seqs)), ("duplicates", .array(duplicates))]), headers: headers)
        }
    }
}

extension LedgerError {
    /// A word for the log, never the message (which may quote SQL).
    var kind: String {
        switch self {
        case .input: "input"
        case .notALedger: "not_a_ledger"
        case .storage: "storage"
        case .integrity: "integrity"
        }
    }
}
