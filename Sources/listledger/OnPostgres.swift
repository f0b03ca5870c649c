import ArgumentParser
import Foundation
import LedgerCalendar
import LedgerCrypto
import LedgerDomain
import LedgerMerkle
import LedgerPostgres
import LedgerService
import LedgerStorage
import LedgerStore

// The subcommands on a PostgreSQL database (`--db postgresql://USER@HOST:PORT/DB`, SPEC §8).
// Each command's `run` hands over here when its `--db` is a URL; the output is the same as on
// SQLite (the same LedgerService renderers), only where it comes from differs.

/// `--court C`: which log of a PostgreSQL database (left out when it holds one log).
struct CourtOption: ParsableArguments {
    @Option(name: .customLong("court"), help: ArgumentHelp("On PostgreSQL: the court whose log to use (default: the only one).", valueName: "court"))
    var court: String?

    @Option(name: .customLong("read-db"), help: ArgumentHelp("On PostgreSQL, for state, obligations, verify, history and serve: read from this hot standby (postgresql://USER@HOST:PORT/DB) instead of --db.", valueName: "url"))
    var readDB: String?

    @Option(name: .customLong("after-seq"), help: ArgumentHelp("With --read-db (read-your-writes): read the standby only once its log holds this seq, the last one you appended; it waits up to 2 s, then reads --db.", valueName: "seq"))
    var afterSeq: Int64?

    /// Commands that write refuse the standby options rather than ignore them.
    func refuseReadOptions() throws {
        if readDB != nil { throw Failure.input(InputError(field: "--read-db", "only state, obligations, verify and history read from a standby")) }
        if afterSeq != nil { throw Failure.input(InputError(field: "--after-seq", "only state, obligations, verify and history read from a standby (with --read-db)")) }
    }

    /// Where a read command reads, and whether to create missing tables there (never on a
    /// standby, which is read-only): the standby when named and, with --after-seq, caught up;
    /// else the primary `--db`.
    func readSource(primary: PostgresURL) throws -> (url: PostgresURL, migrate: Bool) {
        guard let readDB else {
            if afterSeq != nil { throw Failure.input(InputError(field: "--after-seq", "needs --read-db (the standby to wait for)")) }
            return (primary, true)
        }
        let standby: PostgresURL
        do { standby = try PostgresURL(parsing: readDB) } catch { throw Failure.input(InputError(field: "--read-db", error.description)) }
        guard let afterSeq else { return (standby, false) }
        guard afterSeq >= 1 else { throw Failure.input(InputError(field: "--after-seq", "a seq starts at 1")) }
        let court = self.court
        let caughtUp = try onPostgres(standby, migrate: false) { ledger in
            try await ledger.waitUntil(try await ledger.log(court: court), holds: afterSeq, timeout: .seconds(2))
        }
        if caughtUp { return (standby, false) }
        printError("note: the standby \(standby) had not replayed seq \(afterSeq) within 2 s; reading the primary \(primary)")
        return (primary, true)
    }
}

/// Runs `body` against the database, turning engine errors into the command line's failures.
func onPostgres<T: Sendable>(_ url: PostgresURL, migrate: Bool = true, _ body: @escaping @Sendable (PostgresLedger) async throws -> T) throws -> T {
    do {
        return try runBlocking { try await PostgresLedger.withLedger(url: url, clock: { Clock.now() }, migrate: migrate, body) }
    } catch {
        throw commandLineFailure(error, url: url)
    }
}

/// An engine error as the command line reports it (`reportingFailures`).
func commandLineFailure(_ error: any Error, url: PostgresURL) -> any Error {
    switch error {
    case let error as PostgresLedgerError:
        switch error {
        case .badURL(let text): return Failure.input(InputError(field: "--db", text))
        case .noLog(let text): return Failure.other("error: \(text)")
        case .input(let text): return Failure.other("refused: \(text)\nnothing was written")
        case .integrity(let text): return Failure.integrity(text)
        case .storage(let text): return Failure.other("error: \(text)")
        }
    // The command's own failures, and the seam's (a command body on `PostgresStorage`).
    case is Failure, is ExitCode, is PartlyWritten, is StorageError, is InputError, is LedgerError:
        return error
    default:
        return Failure.other("error: PostgreSQL at \(url): \(String(reflecting: error))")
    }
}

extension ListLedger.Init {
    func runOnPostgres(_ url: PostgresURL) throws {
        guard let policy = PolicyProfile.named(profile) else { throw Failure.input(InputError(field: "--profile", "unknown profile \"\(profile)\"")) }
        let log = try createLog(url, court: court, profile: policy)
        if log.court.isEmpty {
            // As `init` without --court on SQLite: one log, its key named later by `keys init`.
            print("created the log of \(url) without a court (profile \(log.profile)); `listledger keys init` makes its signing key")
        } else {
            print("created \(log.title) in \(url) (profile \(log.profile), origin \(log.origin))")
        }
    }
}

/// `init` on PostgreSQL: court C's log, or without a court the database's only log.
private func createLog(_ url: PostgresURL, court: String?, profile: PolicyProfile) throws -> PostgresLedger.Log {
    try onPostgres(url) { ledger in try await ledger.createLog(court: court, profile: profile) }
}

extension ListLedger.Append {
    func runOnPostgres(_ url: PostgresURL, court: String?) throws {
        try log.refuseReadOptions()
        guard let batchSize else { return try appendStreamedOnPostgres(url, court: court) }
        // Streamed, as on SQLite: each batch decoded, submitted and reported on its own, so a
        // file of millions of events needs memory for one batch (issue 8). A line refused — by
        // the rules or as undecodable — after earlier batches committed exits 5, they stay.
        let input = StreamedInput(chunks: EventChunks(lines: LineReader(handle: try openInput()), size: batchSize.value))
        let command = self
        do {
            try onPostgres(url) { ledger in
                let log = try await ledger.log(court: court)
                var committed = false
                while true {
                    let chunk: [NumberedEvent]
                    do {
                        guard let next = try input.next() else { break }
                        chunk = next
                    } catch Failure.input(let error) where committed {
                        throw PartlyWritten(message: error.description, fromLine: error.line ?? 0)
                    }
                    let outcomes: [AppendOutcome]
                    do {
                        outcomes = try await ledger.submit(chunk.map(\.event), to: log).map { outcome in
                            switch outcome {
                            case .appended(let seq): AppendOutcome.appended(seq: seq)
                            case .duplicate(let seq): AppendOutcome.duplicate(seq: seq)
                            }
                        }
                    } catch PostgresLedgerError.input(let text) where committed {
                        throw PartlyWritten(message: text, fromLine: chunk.first!.line)
                    }
                    command.report(outcomes, events: chunk)
                    fflush(nil)  // the seqs are out before the next batch, as on SQLite
                    committed = true
                }
            }
        } catch let partly as PartlyWritten {
            printError("refused: \(partly.message)")
            printError("partly written: the batches before line \(partly.fromLine) were appended and stay; the failing batch and the lines after it wrote nothing. Fix the line and append the input again: the lines already stored are repeats and are not stored twice.")
            throw ExitCode(5)
        }
    }
}

extension ListLedger.Append {
    /// The whole input in ONE PostgreSQL transaction, all or nothing, read and planned a chunk
    /// at a time inside it (`PostgresLedger.appendStreamed`, under the log's head lock), so
    /// memory does not grow with the file. As on SQLite (`appendInOneTransaction`): the output
    /// is spooled and printed after COMMIT, and an undecodable line is the error reported even
    /// when the database or an earlier line's rules failed first (the input used to be decoded
    /// whole before connecting).
    func appendStreamedOnPostgres(_ url: PostgresURL, court: String?) throws {
        let input = StreamedInput(chunks: EventChunks(lines: LineReader(handle: try openInput()), size: Self.chunkSize))
        guard let first = try input.chunks.next() else { throw Failure.input(InputError("the input holds no events")) }
        input.pending = first
        let spool = try AppendReportSpool(json: output.json)
        input.spool = spool
        let range: StreamedAppend
        do {
            range = try onPostgres(url) { ledger in
                let log = try await ledger.log(court: court)
                let committed = try await ledger.appendStreamed(to: log, next: { try input.next() }, planned: { events, outcomes in
                    try input.spool?.add(outcomes.map { outcome in
                        switch outcome {
                        case .appended(let seq): AppendOutcome.appended(seq: seq)
                        case .duplicate(let seq): AppendOutcome.duplicate(seq: seq)
                        }
                    }, events: events)
                })
                return StreamedAppend(startSize: committed.startSize, endSize: committed.endSize)
            }
        } catch {
            if !input.chunks.failed { try input.chunks.drain() }
            throw error
        }
        try spool.print(range)
    }
}

/// The input of a streamed append on PostgreSQL, read by the engine's task while the command's
/// thread waits in `runBlocking`. `@unchecked Sendable`: one task at a time uses it.
private final class StreamedInput: @unchecked Sendable {
    var chunks: EventChunks
    var pending: [NumberedEvent]?
    var spool: AppendReportSpool?

    init(chunks: EventChunks) { self.chunks = chunks }

    func next() throws -> [NumberedEvent]? {
        if let first = pending {
            pending = nil
            return first
        }
        return try chunks.next()
    }
}

struct PartlyWritten: Error, CustomStringConvertible {
    var message: String
    var fromLine: Int
    var description: String { message }
}

extension ListLedger.Verify {
    func runOnPostgres(_ url: PostgresURL, court: String?) throws {
        // --against: the auditor's checkpoint, opened with the trusted key before any read.
        let saved: Checkpoint? = try against.map { file in
            guard let key else { throw Failure.input(InputError(field: "--key", "--against needs the trusted verifier key (the text or a file holding it)")) }
            return try openTrustedCheckpoint(try readInputText(file, what: "--against"), key: try readTrustedKey(key), what: file)
        }
        let source = try log.readSource(primary: url)
        let (report, extends) = try onPostgres(source.url, migrate: source.migrate) { ledger in
            let log = try await ledger.log(court: court)
            let report = try await ledger.verify(log: log)
            guard let saved else { return (report, nil as ExtensionReport?) }
            // The same judgement as on SQLite, the proof from this log's stored tiles.
            if let decided = ExtensionReport.prejudge(saved, origin: log.origin, ok: report.ok, events: report.events,
                                                      root: report.root, firstBadSeq: report.firstBadSeq) {
                return (report, decided)
            }
            let proof = try await ledger.consistencyProof(of: log, oldSize: saved.size, newSize: report.events)
            return (report, ExtensionReport.judge(saved, events: report.events, root: report.root, proof: proof))
        }
        let ok = report.ok && (extends?.ok ?? true)
        if output.json {
            var members: [(String, JSONValue)] = [
                ("ok", .bool(ok)), ("events", .integer(report.events)), ("head", .string(Hex.encode(report.head))),
                ("first_bad_seq", report.firstBadSeq.map(JSONValue.integer) ?? .null), ("reason", .optional(report.reason ?? extends?.reason)),
                ("root", report.ok ? .string(Hex.encode(report.root)) : .null),
            ]
            if !report.ok {
                // As on SQLite: `events` and `head` are the verified prefix; the head row's claim beside them.
                members.append(("verified_events", .integer(report.events)))
                members.append(("stored_events", .integer(report.storedEvents)))
                members.append(("stored_head", .string(Hex.encode(report.storedHead))))
            }
            if let extends {
                members.append(("against", .object([("ok", .bool(extends.ok)), ("checkpoint_size", .integer(extends.checkpointSize)),
                                                    ("reason", .optional(extends.reason))])))
            }
            printJSON(.object(members))
        } else if report.ok {
            print("ok: \(report.events) events, chain and Merkle tree verified; head \(Hex.encode(report.head))")
            if let extends {
                print(extends.ok ? "ok: the log extends the checkpoint of \(extends.checkpointSize) events (consistency proof of \(extends.proof.count) hashes)"
                                 : "FAILED against the checkpoint: \(extends.reason ?? "")")
            }
        } else {
            print("FAILED at seq \(report.firstBadSeq ?? 0): \(report.reason ?? "")")
            print("the chain holds for events 1…\(report.events) of the \(report.storedEvents) the head records")
        }
        if !ok { throw ExitCode(4) }
    }
}

extension ListLedger.CheckpointCommand {
    func runOnPostgres(_ url: PostgresURL, court: String?) throws {
        try log.refuseReadOptions()
        let checkpoint = try onPostgres(url) { ledger in try await ledger.checkpoint(log: try await ledger.log(court: court)) }
        if output.json {
            printJSON(.object([("note", .string(checkpoint.note)), ("size", .integer(checkpoint.size)),
                               ("root", .string(StrictBase64.encode(checkpoint.root))), ("created", .bool(checkpoint.created))]))
        } else {
            print(checkpoint.note, terminator: "")
            if !checkpoint.created { printError("(the log has not grown since this checkpoint was signed; it is printed again)") }
        }
    }
}

extension ListLedger.Obligations {
    func runOnPostgres(_ url: PostgresURL, court: String?, query: ObligationQuery) throws {
        let source = try log.readSource(primary: url)
        let json = output.json
        try onPostgres(source.url, migrate: source.migrate) { ledger in
            let log = try await ledger.log(court: court)
            let out = try ObligationOutput(json: json, asOf: query.asOf, profile: log.profile, calendar: try await ledger.calendarIdentity(of: log),
                                           flags: try await ledger.flaggedObligations(of: log))
            // On the primary the projector catches up first (one-shot appends leave it behind), as
            // `Ledger.catchUpObligations(path:)` does for a SQLite file; a standby derives the tail.
            try await ledger.forEachObligation(of: log, query, catchingUp: source.migrate) { try out.add($0, $1) }
            try out.finish()
        }
    }
}
