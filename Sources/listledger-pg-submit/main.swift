// N concurrent single-event submitters into one PostgreSQL log: the drill and benchmark driver
// of issue 13 point 3. Each acknowledged event is printed as `ENTRY SEQ` the moment its
// answer arrives (one unbuffered write each), so a test that kills this process with SIGKILL knows
// exactly which events were acknowledged.
//
//   listledger-pg-submit --db postgresql://… --court court:baisha --events 2500 --writers 8 --prefix P1
import Foundation
import LedgerDomain
import LedgerPostgres

func value(_ name: String, _ fallback: String? = nil) -> String {
    let arguments = CommandLine.arguments
    if let index = arguments.firstIndex(of: name), index + 1 < arguments.count { return arguments[index + 1] }
    guard let fallback else {
        FileHandle.standardError.write(Data("listledger-pg-submit: \(name) is required\n".utf8))
        exit(64)
    }
    return fallback
}

let url: PostgresURL
do { url = try PostgresURL(parsing: value("--db")) } catch {
    FileHandle.standardError.write(Data("listledger-pg-submit: --db: \(error)\n".utf8))
    exit(64)
}
let court = value("--court", "court:baisha")
guard let total = Int(value("--events", "1000")), let writers = Int(value("--writers", "8")), total > 0, writers > 0 else {
    FileHandle.standardError.write(Data("listledger-pg-submit: --events and --writers are positive integers\n".utf8))
    exit(64)
}
let prefix = value("--prefix", "S")

@Sendable func event(_ index: Int) -> Event {
    let line = #"{"type":"risk_notice_issued","entry":"\#(prefix)-\#(index)","at":"2024-03-01T09:00:00+08:00","actor":"\#(court)","court":"\#(court)","case":"(2024)琼9030执\#(index)号","debtor":{"kind":"person","name":"测试甲","id_number":"460030198001010105"}}"#
    return try! Event.decode(jsonLine: Array(line.utf8))
}

let started = Date()
do {
    try runBlocking {
        try await PostgresLedger.withLedger(url: url) { ledger in
            let log = try await ledger.log(court: court)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<writers {
                    group.addTask {
                        var index = writer
                        while index < total {
                            let outcomes = try await ledger.submit([event(index)], to: log)
                            // One write(2) per answer, unbuffered: what a kill -9 leaves printed was acknowledged.
                            FileHandle.standardOutput.write(Data("\(prefix)-\(index) \(outcomes[0].seq)\n".utf8))
                            index += writers
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
    }
} catch {
    FileHandle.standardError.write(Data("listledger-pg-submit: \(error)\n".utf8))
    exit(1)
}
let seconds = Date().timeIntervalSince(started)
FileHandle.standardError.write(Data("\(total) events by \(writers) submitters in \(String(format: "%.2f", seconds)) s: \(Int(Double(total) / seconds)) events/s\n".utf8))
