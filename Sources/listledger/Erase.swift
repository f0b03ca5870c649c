import ArgumentParser
import LedgerCrypto
import LedgerDomain
import LedgerStorage
import LedgerPostgres
import LedgerStore

extension ListLedger {
    struct Erase: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Erase an entry's personal data from the store (SPEC §7); the log still verifies.",
            discussion: """
            Allowed once the entry is shielded or revoked or its inclusion term has ended. Records personal_data_erased (actor: the entry's court), deletes the values and salts of every event of the entry, rewrites the database (secure_delete, VACUUM) and truncates the WAL, so that the name and ID number are gone from the files. On PostgreSQL the same in one transaction of the log holding the entry, then VACUUM FULL of the tables that held the values (run it as their owner; see docs/postgresql.md "Erasure" for the WAL). Events, proofs and checkpoints keep only the salted commitments, which still verify. Entries whose personal data was recorded in encoding v1 are refused: their values are inside the hashed log (docs/auditing.md "Erasure").
            """
        )

        @OptionGroup var ledger: LedgerOptions
        @OptionGroup var output: OutputOptions
        @Option(help: "The entry whose personal data is erased.") var entry: String?
        @Option(help: "Why (e.g. PIPL art. 47: the purpose is served).") var reason: String?
        @Flag(help: "Only finish the file cleanup of an earlier erase another process blocked.") var scrub = false

        func run() throws {
            try reportingFailures(options: ["entry": "--entry"]) {
                do { try erase() } catch LedgerError.integrity(let reason) where reason == Ledger.scrubBlocked {
                    throw Failure.integrity("the erasure is recorded, but another process holds the ledger open, so the WAL still holds old pages; stop it (e.g. the server) and run `listledger erase --scrub` to finish")
                }
            }
        }

        func erase() throws {
            if let url = try self.ledger.postgres() { return try eraseOnPostgres(url) }
            let ledger = try self.ledger.open()
            if scrub {
                try ledger.scrub()
                print("the database and its WAL were rewritten without erased data")
                return
            }
            guard let entry else { throw Failure.input(InputError(field: "--entry", "is required: the entry whose personal data is erased")) }
            guard let reason, !reason.isEmpty else { throw Failure.input(InputError(field: "--reason", "is required: why the personal data is erased")) }
            let summary = try ledger.erase(entry: entry, reason: reason, at: nil, clock: Clock.now)
            if output.json {
                printJSON(.object([("entry", .string(entry)), ("seq", .integer(summary.seq)), ("erased_events", .integer(summary.events))]))
            } else {
                print("erased the personal data of \(summary.events) events of \(entry); recorded as seq \(summary.seq)")
            }
        }
    }

    struct VerifyValue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify-value",
            abstract: "Check that a personal value and its salt match an event's commitment (encoding v2).",
            discussion: "Exit 0 when SHA-256(salt || UTF-8 value) equals the commitment at --path of event --seq, 4 when it does not."
        )

        @OptionGroup var ledger: LedgerOptions
        @OptionGroup var output: OutputOptions
        @Option(help: "The event's seq.") var seq: Int64
        @Option(help: "debtor.name, debtor.id_number, debtor.legal_representative or corrections.debtor.….") var path: String
        @Option(help: "The value you were given.") var value: String
        @Option(help: "Its salt, 64 hex digits.") var salt: String
        @OptionGroup var log: CourtOption

        func run() async throws {
            try await reportingFailuresAsync {
                guard let saltBytes = Hex.decode(salt), saltBytes.count == PersonalData.saltByteCount else {
                    throw Failure.input(InputError(field: "--salt", "must be 64 hex digits (32 bytes)"))
                }
                let seq = self.seq
                let found = try await self.ledger.withStorage(readOnly: true, log: log) { try await $0.event(seq: seq) }
                guard let found else { throw Failure.input(InputError(field: "--seq", "no event \(seq) in this ledger")) }
                guard let commitment = found.commitments[path] else {
                    let known = found.commitments.keys.sorted().joined(separator: ", ")
                    throw Failure.input(InputError(field: "--path", found.version == 1
                        ? "seq \(seq) is encoding v1: its values are in clear in the canonical bytes, not committed"
                        : "seq \(seq) has no commitment at \(path); it has: \(known.isEmpty ? "none" : known)"))
                }
                let matches = PersonalData.commitment(salt: saltBytes, value: value) == commitment
                if output.json {
                    printJSON(.object([("seq", .integer(seq)), ("path", .string(path)), ("commitment", .string(Hex.encode(commitment))), ("matches", .bool(matches))]))
                } else {
                    print(matches ? "matches: the value and salt open the commitment \(Hex.encode(commitment)) of seq \(seq) at \(path)"
                                  : "does not match the commitment \(Hex.encode(commitment)) of seq \(seq) at \(path)")
                }
                if !matches { throw Failure.integrity("the value and salt do not open the commitment") }
            }
        }
    }
}

extension ListLedger.Erase {
    /// `erase` on PostgreSQL: the log holding the entry (SPEC §8), the same summary as on SQLite.
    func eraseOnPostgres(_ url: PostgresURL) throws {
        let what = "the values are deleted, but VACUUM FULL of personal_data, entry_states and inbox did not run: this role does not own them, so their old row versions stay in the tables' free space until PostgreSQL reuses it; run `listledger erase --scrub --db \(url)` as the role that ran `pg setup` to finish"
        if scrub {
            guard try onPostgres(url, { try await $0.vacuumErasedTables() }) else { throw Failure.integrity(what) }
            print("the tables that held erased values were rewritten (VACUUM FULL)")
            return
        }
        guard let entry else { throw Failure.input(InputError(field: "--entry", "is required: the entry whose personal data is erased")) }
        guard let reason, !reason.isEmpty else { throw Failure.input(InputError(field: "--reason", "is required: why the personal data is erased")) }
        let (summary, vacuumed) = try onPostgres(url) { database in
            // Only to find the log holding the entry: `erase` makes the event it records.
            let probe = Event(entry: entry, at: Clock.now(), actor: "system:erase", body: .personalDataErased(reason: reason))
            do {
                return try await database.erase(entry: entry, reason: reason, in: try await database.log(for: probe))
            } catch let SubmissionRefusal.input(input) {
                throw input  // reportingFailures names the option and says nothing was written
            }
        }
        if output.json {
            printJSON(.object([("entry", .string(entry)), ("seq", .integer(summary.seq)), ("erased_events", .integer(summary.events))]))
        } else {
            print("erased the personal data of \(summary.events) events of \(entry); recorded as seq \(summary.seq)")
        }
        if !vacuumed { throw Failure.integrity(what) }
    }
}
