import ArgumentParser
import Foundation
import LedgerDomain
import LedgerStore

extension ListLedger {
    struct Append: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Append events from a JSON Lines file (or - for standard input): all or nothing.",
            discussion: """
            One JSON object per line (SPEC §3). If any line is refused, nothing is written and the
            error names the line and the field. An event whose `id` is already stored with the same
            content is not stored again (reported as a duplicate); the same `id` with other content
            is refused. Prints the seq assigned to each appended event.
            """
        )

        @OptionGroup var ledger: LedgerOptions
        @OptionGroup var output: OutputOptions

        @Argument(help: ArgumentHelp("The JSON Lines file, or - for standard input.", valueName: "file"))
        var file: String = "-"

        @Option(help: ArgumentHelp("Commit every N events instead of all at once (for large imports): each batch is all or nothing, and its seqs are printed as soon as it is committed.", valueName: "n"))
        var batchSize: Int?

        func run() throws {
            try reportingFailures {
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
                if let batchSize {
                    guard batchSize >= 1 else { throw Failure.input(InputError(field: "--batch-size", "must be at least 1")) }
                    var start = 0
                    while start < events.count {
                        let batch = Array(events[start..<min(start + batchSize, events.count)])
                        let outcomes = try ledger.append(batch, clock: Clock.now)
                        report(outcomes, events: batch)
                        fflush(nil)  // nil flushes every stream; the seqs must be out before the next batch
                        start += batchSize
                    }
                } else {
                    let outcomes = try ledger.append(events, clock: Clock.now)
                    report(outcomes, events: events)
                }
            }
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
                    ("duplicates", .array(duplicates.map { .object([("line", .integer(Int64($0.line))), ("id", .string($0.id)), ("seq", .integer($0.seq))]) })),
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
            for duplicate in duplicates {
                print("line \(duplicate.line): id \"\(duplicate.id)\" is already stored as seq \(duplicate.seq); not stored again")
            }
        }
    }
}

/// Decodes JSON Lines input into numbered events, refusing at the first bad line.
enum EventLines {
    static func decode(_ bytes: [UInt8]) throws -> [NumberedEvent] {
        var events: [NumberedEvent] = []
        var line = 0
        var start = 0
        while start <= bytes.count {
            var end = start
            while end < bytes.count && bytes[end] != 0x0A { end += 1 }
            line += 1
            var slice = bytes[start..<end]
            if slice.last == 0x0D { slice = slice.dropLast() }
            if !slice.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) {
                let decoded: Result<Event, InputError> = Result { () throws(InputError) in try Event.decode(jsonLine: Array(slice)) }
                switch decoded {
                case .success(let event): events.append(NumberedEvent(line: line, event: event))
                case .failure(let error): throw Failure.input(error.at(line: line))
                }
            }
            start = end + 1
        }
        if events.isEmpty { throw Failure.input(InputError("the input holds no events")) }
        return events
    }
}
