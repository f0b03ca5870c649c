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
                try appendInOneTransaction()
            }
        }

        /// Events planned and written per chunk of a one-transaction append: what is held at a
        /// time (issue 8), not a commit unit.
        static let chunkSize = 1_000

        /// The whole input in ONE transaction, all or nothing, read and planned a chunk at a
        /// time inside it (`Ledger.appendStreamed`), so memory does not grow with the file. What
        /// is printed is spooled (`AppendReportSpool`) and printed only after COMMIT. The errors
        /// are today's, in today's order: the input used to be decoded whole before the ledger
        /// was opened, so a line that does not decode is the error reported even when the ledger
        /// or an earlier line's rules failed first (the rest is then decoded to look for one).
        func appendInOneTransaction() throws {
            var chunks = try EventChunks(lines: LineReader(handle: openInput()), size: Self.chunkSize)
            guard let first = try chunks.next() else { throw Failure.input(InputError("the input holds no events")) }
            var pending: [NumberedEvent]? = first
            let spool = try AppendReportSpool(json: output.json)
            let range: StreamedAppend
            do {
                let ledger = try self.ledger.open()
                range = try ledger.appendStreamed(clock: Clock.now, next: {
                    if let first = pending {
                        pending = nil
                        return first
                    }
                    return try chunks.next()
                }, planned: { events, outcomes in try spool.add(outcomes, events: events) })
            } catch {
                if !chunks.failed { try chunks.drain() }
                throw error
            }
            try spool.print(range)
        }

        func openInput() throws -> FileHandle {
            if file == "-" { return FileHandle.standardInput }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory), !isDirectory.boolValue,
                  let handle = FileHandle(forReadingAtPath: file) else { throw Failure.other("cannot read \(file)") }
            return handle
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

/// Input lines decoded into chunks of `size` events (blank lines skipped), refusing at the first
/// line that does not decode, as `EventLines.decode` does for a whole input.
struct EventChunks {
    var lines: LineReader
    let size: Int
    /// Whether a line failed to decode (the error was thrown).
    private(set) var failed = false

    init(lines: LineReader, size: Int) {
        self.lines = lines
        self.size = size
    }

    /// The next chunk; nil at the end of the input.
    mutating func next() throws -> [NumberedEvent]? {
        var chunk: [NumberedEvent] = []
        chunk.reserveCapacity(size)
        while chunk.count < size, let (number, line) = try lines.next() {
            guard !line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) else { continue }
            switch Result(catching: { () throws(InputError) in try Event.decode(jsonLine: line) }) {
            case .success(let event): chunk.append(NumberedEvent(line: number, event: event))
            case .failure(let error):
                failed = true
                throw Failure.input(error.at(line: number))
            }
        }
        return chunk.isEmpty ? nil : chunk
    }

    /// Decodes the rest of the input, throwing at its first line that does not decode.
    mutating func drain() throws {
        while try next() != nil {}
    }
}

/// What a one-transaction append prints, gathered chunk by chunk while it is planned (before it
/// is durable) and printed by `print` after COMMIT: the bytes `report` prints for the whole
/// input, from counts, the first seqs and repeats, and (with `--json`) every repeat's element
/// spooled to a temporary file. The appended seqs need no spool: they are the committed range.
final class AppendReportSpool {
    private let json: Bool
    /// `tmpfile()`: unlinked already, gone when closed or when the process dies.
    private let file: UnsafeMutablePointer<FILE>?
    private var appended = 0
    private var firstAppended: [Int64] = []
    private var duplicates = 0
    private var firstDuplicates: [(line: Int, id: String, seq: Int64)] = []
    static let shown = 50

    init(json: Bool) throws {
        self.json = json
        if json {
            guard let file = tmpfile() else { throw Failure.other("cannot create a temporary file for the output: \(String(cString: strerror(errno)))") }
            self.file = file
        } else {
            file = nil
        }
    }

    deinit { if let file { fclose(file) } }

    func add(_ outcomes: [AppendOutcome], events: [NumberedEvent]) throws {
        for (outcome, numbered) in zip(outcomes, events) {
            switch outcome {
            case .appended(let seq):
                appended += 1
                if firstAppended.count <= Self.shown { firstAppended.append(seq) }
            case .duplicate(let seq):
                let id = numbered.event.id ?? ""
                if let file {
                    let element = CanonicalJSON.encode(.object([("line", .integer(Int64(numbered.line))), ("id", id.isEmpty ? .null : .string(id)), ("seq", .integer(seq))]))
                    let bytes = (duplicates == 0 ? [] : [UInt8(ascii: ",")]) + element
                    guard fwrite(bytes, 1, bytes.count, file) == bytes.count else {
                        throw Failure.other("cannot write the output's temporary file: \(String(cString: strerror(errno)))")
                    }
                }
                duplicates += 1
                if firstDuplicates.count < Self.shown { firstDuplicates.append((numbered.line, id, seq)) }
            }
        }
    }

    /// Prints what `report` prints for the whole input; `range` is what was committed.
    func print(_ range: StreamedAppend) throws {
        precondition(Int64(appended) == range.endSize - range.startSize, "the appended seqs are the committed range")
        if json { return try printJSON(range) }
        if appended == 0 {
            Swift.print("appended nothing")
        } else if appended <= Self.shown {
            Swift.print("appended \(appended) event\(appended == 1 ? "" : "s"): seq \(firstAppended.map(String.init).joined(separator: " "))")
        } else {
            Swift.print("appended \(appended) events: seq \(range.startSize + 1)–\(range.endSize)")
        }
        for duplicate in firstDuplicates {
            if duplicate.id.isEmpty {
                Swift.print("line \(duplicate.line): repeats seq \(duplicate.seq) (same content, no id); not stored again")
            } else {
                Swift.print("line \(duplicate.line): id \"\(duplicate.id)\" is already stored as seq \(duplicate.seq); not stored again")
            }
        }
        if duplicates > Self.shown { Swift.print("… and \(duplicates - Self.shown) more") }
        if duplicates > 0 {
            Swift.print("\(duplicates) repeat\(duplicates == 1 ? "" : "s") of stored events, not stored again")
        }
    }

    /// `printJSON` of `{"appended": […], "duplicates": […], "repeats": n}`, written in pieces:
    /// the canonical encoding (keys sorted, compact) of the document with both arrays empty,
    /// split at them.
    private func printJSON(_ range: StreamedAppend) throws {
        // Raw bytes, not `print` (a piece of the spool may end inside a UTF-8 character, which
        // `String(decoding:)` would replace), after what `print` buffered (nothing, so far).
        fflush(nil)
        func writeStandardOutput(_ bytes: [UInt8]) { FileHandle.standardOutput.write(Data(bytes)) }
        let document = CanonicalJSON.encode(.object([("appended", .array([])), ("duplicates", .array([])), ("repeats", .integer(Int64(duplicates)))]))
        let pieces = Self.split(document, at: ["appended", "duplicates"])
        writeStandardOutput(pieces[0])
        var buffer: [UInt8] = []
        for seq in range.startSize + 1 ..< range.endSize + 1 {
            if seq > range.startSize + 1 { buffer.append(UInt8(ascii: ",")) }
            buffer += Array(String(seq).utf8)
            if buffer.count >= 1 << 16 {
                writeStandardOutput(buffer)
                buffer.removeAll(keepingCapacity: true)
            }
        }
        writeStandardOutput(buffer + pieces[1])
        if let file {
            rewind(file)
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let count = fread(&chunk, 1, chunk.count, file)
                if count > 0 { writeStandardOutput(Array(chunk[..<count])) }
                if count < chunk.count {
                    guard ferror(file) == 0 else { throw Failure.other("cannot read the output's temporary file back") }
                    break
                }
            }
        }
        writeStandardOutput(pieces[2] + [UInt8(ascii: "\n")])
    }

    /// `bytes` cut inside each `"key":[]` of `keys` (between the brackets), in order.
    static func split(_ bytes: [UInt8], at keys: [String]) -> [[UInt8]] {
        var pieces: [[UInt8]] = []
        var rest = bytes[...]
        for key in keys {
            // `"key":[]` can only be the member: inside a JSON string every `"` is escaped.
            let marker = CanonicalJSON.encode(.string(key)) + Array(":[]".utf8)
            guard let start = rest.indices.first(where: { rest[$0...].starts(with: marker) }) else {
                preconditionFailure("the document has no empty array \(key)")
            }
            let cut = start + marker.count - 1
            pieces.append(Array(rest[..<cut]))
            rest = rest[cut...]
        }
        pieces.append(Array(rest))
        return pieces
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
