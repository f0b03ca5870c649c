import ArgumentParser
import Foundation
import LedgerDomain
import LedgerStore

extension ListLedger {
    struct Append: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Append events from a JSON Lines file (or - for standard input): all or nothing.",
            discussion: """
            One JSON object per line (SPEC §3). If any line is refused, nothing is written and the error names the line and the field. An event whose `id` is already stored with the same content is not stored again (reported as a duplicate); the same `id` with other content is refused. An event without `id` whose content equals a stored event is a repeat (SPEC §3): not stored again, and counted, so re-running an import never doubles a fact. Prints the seq assigned to each appended event.
            """
        )

        @OptionGroup var ledger: LedgerOptions
        @OptionGroup var output: OutputOptions
        @OptionGroup var log: CourtOption

        @Argument(help: ArgumentHelp("The JSON Lines file, or - for standard input.", valueName: "file"))
        var file: String = "-"

        @Option(help: ArgumentHelp("Commit every N events instead of all at once (for large imports): each batch is all or nothing, and its seqs are printed as soon as it is committed. A line refused after earlier batches were committed exits 5 and says which lines and seqs stay.", valueName: "n"))
        var batchSize: PositiveCount?

        func run() throws {
            try reportingFailures {
                if let url = try ledger.postgres() { return try runOnPostgres(url, court: log.court) }
                if let batchSize {
                    try appendInBatches(of: batchSize.value)
                    return
                }
                let data: Data
                if file == "-" {
                    data = FileHandle.standardInput.readDataToEndOfFile()
                } else {
                    guard let contents = FileManager.default.contents(atPath: file) else {
                        throw Failure.other("cannot read \(file)")
                    }
                    data = contents
                }
                let events = try EventLines.decode(Array(data))
                let ledger = try self.ledger.open()
                let outcomes = try ledger.append(events, clock: Clock.now)
                report(outcomes, events: events)
            }
        }

        /// Streams the input: each batch is decoded, checked and committed on its own, so a
        /// file of millions of events needs memory for one batch only.
        func appendInBatches(of batchSize: Int) throws {
            let input: FileHandle
            if file == "-" {
                input = FileHandle.standardInput
            } else {
                guard let handle = FileHandle(forReadingAtPath: file) else { throw Failure.other("cannot read \(file)") }
                input = handle
            }
            let ledger = try self.ledger.open()
            var lines = LineReader(handle: input)
            var batch: [NumberedEvent] = []
            var committed: (lines: Int, first: Int64?, last: Int64?) = (0, nil, nil)
            let showProgress = standardErrorIsTerminal && !output.json
            func flush() throws {
                guard !batch.isEmpty else { return }
                let outcomes: [AppendOutcome]
                switch Result(catching: { () throws(LedgerError) in try ledger.append(batch, clock: Clock.now) }) {
                case .success(let appended): outcomes = appended
                case .failure(let error):
                    if committed.lines > 0, case .input(let input) = error { throw partlyWritten(input, committed, failingFrom: batch.first!.line) }
                    throw error
                }
                report(outcomes, events: batch)
                fflush(nil)  // nil flushes every stream; the seqs must be out before the next batch
                for case .appended(let seq) in outcomes {
                    committed.first = committed.first ?? seq
                    committed.last = seq
                }
                committed.lines = batch.last!.line
                if showProgress { printError("\u{1B}[2K\rappended through line \(committed.lines)", newline: false) }
                batch.removeAll(keepingCapacity: true)
            }
            while let (number, line) = try lines.next() {
                guard !line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) else { continue }
                switch Result(catching: { () throws(InputError) in try Event.decode(jsonLine: line) }) {
                case .success(let event): batch.append(NumberedEvent(line: number, event: event))
                case .failure(let error):
                    if committed.lines > 0 { throw partlyWritten(error.at(line: number), committed, failingFrom: batch.first?.line ?? number) }
                    throw Failure.input(error.at(line: number))
                }
                if batch.count == batchSize { try flush() }
            }
            try flush()
            if showProgress { printError("\u{1B}[2K\r", newline: false) }
            if committed.lines == 0 { throw Failure.input(InputError("the input holds no events")) }
        }

        /// A refusal after earlier batches committed: not "nothing was written" (they stay), so
        /// its own exit code, 5 (README, "Exit codes"), and exactly what landed.
        func partlyWritten(_ error: InputError, _ committed: (lines: Int, first: Int64?, last: Int64?), failingFrom: Int) -> ExitCode {
            printError("refused: \(error)")
            let seqs = committed.first.map { " as seq \($0)–\(committed.last!)" } ?? " (all repeats or duplicates: no new seq)"
            printError("partly written: lines 1–\(committed.lines) were appended in earlier batches\(seqs) and stay; the failing batch (from line \(failingFrom)) and the lines after it wrote nothing. Fix line \(error.line ?? failingFrom) and append the input again: the lines already stored are repeats and are not stored twice.")
            return ExitCode(5)
        }

        func report(_ outcomes: [AppendOutcome], events: [NumberedEvent]) {
            var appended: [Int64] = []
            var duplicates: [(line: Int, id: String, seq: Int64)] = []
            for (outcome, numbered) in zip(outcomes, events) {
                switch outcome {
                case .appended(let seq): appended.append(seq)
                case .duplicate(let seq): duplicates.append((numbered.line, numbered.event.id ?? "", seq))
                }
            }
            if output.json {
                printJSON(.object([
                    ("appended", .array(appended.map(JSONValue.integer))),
                    ("duplicates", .array(duplicates.map { .object([("line", .integer(Int64($0.line))), ("id", $0.id.isEmpty ? .null : .string($0.id)), ("seq", .integer($0.seq))]) })),
                    ("repeats", .integer(Int64(duplicates.count))),
                ]))
                return
            }
            if appended.isEmpty {
                print("appended nothing")
            } else if appended.count <= 50 {
                print("appended \(appended.count) event\(appended.count == 1 ? "" : "s"): seq \(appended.map(String.init).joined(separator: " "))")
            } else {
                print("appended \(appended.count) events: seq \(appended.first!)–\(appended.last!)")
            }
            for duplicate in duplicates.prefix(50) {
                if duplicate.id.isEmpty {
                    print("line \(duplicate.line): repeats seq \(duplicate.seq) (same content, no id); not stored again")
                } else {
                    print("line \(duplicate.line): id \"\(duplicate.id)\" is already stored as seq \(duplicate.seq); not stored again")
                }
            }
            if duplicates.count > 50 { print("… and \(duplicates.count - 50) more") }
            if !duplicates.isEmpty {
                print("\(duplicates.count) repeat\(duplicates.count == 1 ? "" : "s") of stored events, not stored again")
            }
        }
    }
}

let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

/// Reads lines from a file handle in large chunks (without the newline; a trailing CR dropped).
struct LineReader {
    let handle: FileHandle
    private var buffer: [UInt8] = []
    private var position = 0
    private var finished = false
    private var number = 0
    private var checkedByteOrderMark = false

    init(handle: FileHandle) { self.handle = handle }

    mutating func next() throws -> (Int, [UInt8])? {
        while true {
            if !checkedByteOrderMark, buffer.count >= byteOrderMark.count || finished {
                checkedByteOrderMark = true
                if buffer.starts(with: byteOrderMark) { position = byteOrderMark.count }
            }
            if let newline = buffer[position...].firstIndex(of: 0x0A) {
                var line = Array(buffer[position..<newline])
                position = newline + 1
                if line.last == 0x0D { line.removeLast() }
                number += 1
                return (number, line)
            }
            if finished {
                guard position < buffer.count else { return nil }
                var line = Array(buffer[position...])
                position = buffer.count
                if line.last == 0x0D { line.removeLast() }
                number += 1
                return (number, line)
            }
            buffer.removeFirst(position)
            position = 0
            let chunk = try handle.read(upToCount: 1 << 22) ?? Data()
            if chunk.isEmpty { finished = true } else { buffer.append(contentsOf: chunk) }
        }
    }
}

/// Decodes JSON Lines input into numbered events, refusing at the first bad line: the store's
/// reader (the server's too), its refusal reported as the command line's, the event's field kept
/// (an input line's `entry` is the event's field, not the `--entry` option).
enum EventLines {
    static func decode(_ bytes: [UInt8]) throws -> [NumberedEvent] {
        do {
            return try JSONLines.decode(bytes)
        } catch {
            guard case .input(let input) = error else { throw error }
            throw Failure.input(input)
        }
    }
}
