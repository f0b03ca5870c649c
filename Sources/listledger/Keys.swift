import ArgumentParser
import Foundation
import LedgerDomain
import LedgerMerkle
import LedgerPostgres
import LedgerStore

extension ListLedger {
    struct Keys: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The ledger's Ed25519 signing key for checkpoints, and the verifier key auditors trust.",
            subcommands: [InitKey.self, Show.self]
        )

        struct InitKey: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "init",
                abstract: "Create the signing key (a new file, mode 0600) and record its verifier key in the ledger.",
                discussion: """
                The key is named after the log's origin, listledger/<court>, where <court> is the court given to `init --court`, else the court of the first risk notice or inclusion decision. The private key file defaults to the ledger's path + ".key"; an existing file is never overwritten. Give the verifier key that `keys show` prints to auditors.
                """
            )
            @OptionGroup var ledger: LedgerOptions
            @Option(help: ArgumentHelp("The key's name and the log's origin (default listledger/<court>).", valueName: "name"))
            var name: String?
            @Option(help: ArgumentHelp("Where to write the private key (default: the ledger's path + .key).", valueName: "path"))
            var keyFile: String?
            @Flag(help: "Replace the ledger's recorded key with a new one (checkpoints signed before keep the old key).")
            var replace = false
            @Option(help: ArgumentHelp("On PostgreSQL: the court whose log's key to make (default: the only one).", valueName: "court"))
            var court: String?

            func run() throws {
                try reportingFailures {
                    if let url = try self.ledger.postgres() { return try runOnPostgres(url) }
                    if court != nil {
                        throw Failure.input(InputError(field: "--court", "names a log of a PostgreSQL database; a SQLite file is one log"))
                    }
                    let ledger = try self.ledger.open()
                    let path = keyFile ?? defaultKeyFile(self.ledger)
                    if FileManager.default.fileExists(atPath: path) {
                        throw Failure.other("refused: \(path) already exists; keys init never overwrites a key file (move it away, or name another with --key-file)")
                    }
                    if let existing = try ledger.identity(), !replace {
                        throw Failure.other("refused: this ledger already has the key \(existing.verifierKey.description); pass --replace to make a new one")
                    }
                    guard let origin = try name ?? ledger.defaultOrigin() else {
                        throw Failure.other("refused: the log has no court yet to name its key after (no `init --court`, no risk notice or inclusion decision); give --name, e.g. --name listledger/court:baisha")
                    }
                    let signer: NoteSigner
                    do { signer = try NoteSigner.generate(name: origin) } catch { throw Failure.input(InputError(field: "--name", "\(error)")) }
                    do { try SignerKeyFile.create(path: path, signer: signer) } catch { throw Failure.other("refused: \(commandLineText(error))") }
                    do { try ledger.setIdentity(signer) } catch {
                        unlink(path)
                        throw error
                    }
                    print("created the signing key \(path) (mode 0600) for the log \(origin)")
                    print("verifier key (give it to auditors):")
                    print(signer.verifierKey.description)
                }
            }

            /// On PostgreSQL the key stays in the database, readable by the owner's role only
            /// (`pg setup`), and is made by `init --court` already: here it is made for a log
            /// without a court, or replaced (`--replace`).
            func runOnPostgres(_ url: PostgresURL) throws {
                if keyFile != nil {
                    throw Failure.input(InputError(field: "--key-file", "on PostgreSQL the signing key is kept in the database, not in a file: leave --key-file out"))
                }
                let (court, name, replace) = (self.court, self.name, self.replace)
                let (made, log) = try onPostgres(url) { ledger in
                    let log = try await ledger.log(court: court)
                    return (try await ledger.makeKey(of: log, name: name, replace: replace), log)
                }
                let (signer, replaced) = made
                print("\(replaced ? "replaced" : "created") the signing key of the log \(signer.name)\(log.court.isEmpty ? "" : " (\(log.court))") in \(url)\(replaced ? "; checkpoints signed before keep the old key" : "")")
                print("verifier key (give it to auditors):")
                print(signer.verifierKey.description)
            }
        }

        struct Show: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Print the log's origin and, as the last line, its verifier key NAME+KEYHASH+BASE64."
            )
            @OptionGroup var ledger: LedgerOptions
            @OptionGroup var output: OutputOptions
            @Option(help: ArgumentHelp("On PostgreSQL: the court whose log's key to print (default: the only one).", valueName: "court"))
            var court: String?

            func run() throws {
                try reportingFailures {
                    if let url = try ledger.postgres() {
                        // Each log's key is in the database (`init --court` made it).
                        let court = self.court
                        let (origin, key) = try onPostgres(url) { ledger in
                            let log = try await ledger.log(court: court)
                            return (log.origin, try await ledger.verifierKey(of: log).description)
                        }
                        return show(origin: origin, key: key)
                    }
                    let ledger = try self.ledger.open(readOnly: true)
                    guard let identity = try ledger.identity() else {
                        throw Failure.other("this ledger has no signing key yet; run `listledger keys init`")
                    }
                    show(origin: identity.origin, key: identity.verifierKey.description)
                }
            }

            func show(origin: String, key: String) {
                if output.json {
                    printJSON(.object([("origin", .string(origin)), ("verifier_key", .string(key))]))
                } else {
                    print("origin: \(origin)")
                    print(key)
                }
            }
        }
    }
}

/// The default private key file of a ledger: its path + ".key".
func defaultKeyFile(_ ledger: LedgerOptions) -> String { ledger.path + ".key" }

/// The signer of `--key-file`, or of the default key file; nil when neither is there and
/// `required` is false.
func loadSigner(_ keyFile: String?, ledger: LedgerOptions, required: Bool) throws -> NoteSigner? {
    let path = keyFile ?? defaultKeyFile(ledger)
    if keyFile == nil, !required, !FileManager.default.fileExists(atPath: path) { return nil }
    do {
        let (signer, warning) = try SignerKeyFile.load(path: path)
        if let warning { printError(warning) }
        return signer
    } catch {
        throw Failure.other("cannot use the signing key: \(commandLineText(error))")
    }
}

/// A key file error with the command line's remedy: the store names no option or command.
func commandLineText(_ error: any Error) -> String {
    guard let error = error as? KeyFileError else { return "\(error)" }
    return switch error.kind {
    case .exists: "\(error.path): a file already exists here; keys init never overwrites a key (move it away, or name another file with --key-file)"
    case .missing: "\(error.path): no key file here (create one with `listledger keys init`, or name it with --key-file)"
    case .other: error.description
    }
}

/// A verifier key given on the command line: the key text itself, or a file holding exactly
/// one (such as the output of `keys show`: any word that parses as a key counts).
func readTrustedKey(_ argument: String) throws -> NoteVerifierKey {
    if !FileManager.default.fileExists(atPath: argument) {
        do { return try NoteVerifierKey(parsing: argument.trimmingCharacters(in: .whitespacesAndNewlines)) } catch {
            throw Failure.input(InputError(field: "--key", "\(error); give the key text or a file holding it"))
        }
    }
    let text = try readInputText(argument, what: "--key")
    var keys: [String: NoteVerifierKey] = [:]
    var errors: [String] = []
    for word in text.split(whereSeparator: { $0.isWhitespace }) where word.filter({ $0 == "+" }).count >= 2 && !word.hasPrefix("PRIVATE+KEY+") {
        do {
            let key = try NoteVerifierKey(parsing: String(word))
            keys[key.description] = key
        } catch { errors.append("\(error)") }
    }
    guard keys.count == 1, let key = keys.values.first else {
        throw Failure.input(InputError(field: "--key", "\(argument) should hold exactly one verifier key NAME+KEYHASH+BASE64, it holds \(keys.count)\(errors.first.map { " (\($0))" } ?? "")"))
    }
    return key
}

/// The text of a file, or of standard input for "-"; exit 1 when it cannot be read.
func readInputText(_ path: String, what: String) throws -> String {
    let data: Data?
    if path == "-" { data = FileHandle.standardInput.readDataToEndOfFile() } else { data = FileManager.default.contents(atPath: path) }
    guard let data else { throw Failure.other("\(what): cannot read \(path)") }
    guard let text = String(data: data, encoding: .utf8) else { throw Failure.other("\(what): \(path) is not UTF-8 text") }
    return text
}
