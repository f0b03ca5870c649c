// listledger-submit: N concurrent submitters of single-event batches through `SharedLedger`
// (the group-committing writer). Drives the kill -9 drill and the group-commit benchmark:
//
//   listledger-submit --db PATH --submitters N --events M [--prefix P] [--quiet]
//
// Each submitter appends M risk notices, one per call, for entries P-s-n. After each
// acknowledgement it prints "ack SEQ ENTRY" (flushed: the drill trusts only printed lines),
// unless --quiet. At the end: one JSON line with the rate and the number of transactions.
import Dispatch
import Foundation
import LedgerDomain
import LedgerStore
import Synchronization

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("listledger-submit: \(message)\n".utf8))
    exit(64)
}

var options: [String: String] = [:]
var quiet = false
var arguments = CommandLine.arguments.dropFirst()
while let name = arguments.popFirst() {
    if name == "--quiet" { quiet = true; continue }
    guard name.hasPrefix("--"), let value = arguments.popFirst() else { fail("usage: --db PATH --submitters N --events M [--prefix P] [--quiet]") }
    options[String(name.dropFirst(2))] = value
}
guard let db = options["db"] else { fail("--db is required") }
guard let submitters = Int(options["submitters"] ?? "1"), submitters >= 1 else { fail("--submitters must be a whole number ≥ 1") }
guard let perSubmitter = Int(options["events"] ?? "100"), perSubmitter >= 1 else { fail("--events must be a whole number ≥ 1") }
let prefix = options["prefix"] ?? "SUB"

func now() -> Instant {
    var spec = timespec()
    clock_gettime(CLOCK_REALTIME, &spec)
    return Instant(epochMilliseconds: Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000)
}

func noticeLine(_ entry: String, _ n: Int) -> [UInt8] {
    let at = String(format: "2024-04-%02dT%02d:%02d:00+08:00", 1 + (n / 600) % 28, 8 + (n / 60) % 10, n % 60)
    return Array(#"{"type":"risk_notice_issued","entry":"\#(entry)","at":"\#(at)","actor":"court:baisha","id":"\#(entry)","court":"court:baisha","case":"(2024)琼9030执1号","debtor":{"kind":"person","name":"测试甲","id_number":"460030198001010105"}}"#.utf8)
}

let output = Mutex<Void>(())
let silent = quiet
/// Acknowledgements go straight to file descriptor 1 in one write each: nothing is buffered
/// in this process when it is killed, so every printed line was acknowledged and vice versa.
func emit(_ line: String) {
    var bytes = Array(line.utf8)
    bytes.append(0x0A)
    _ = bytes.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
}
let shared: SharedLedger
do { shared = try SharedLedger(path: db, clock: now) } catch { fail("\(error)") }
let started = DispatchTime.now().uptimeNanoseconds
let failures = Atomic<Int>(0)
await withTaskGroup(of: Void.self) { group in
    for s in 0..<submitters {
        group.addTask {
            for n in 0..<perSubmitter {
                let entry = "\(prefix)-\(s)-\(n)"
                do {
                    let outcomes = try await shared.append(noticeLine(entry, n))
                    guard !silent else { continue }
                    if case .appended(let seq) = outcomes[0] {
                        output.withLock { _ in emit("ack \(seq) \(entry)") }
                    }
                } catch {
                    failures.add(1, ordering: .relaxed)
                    output.withLock { _ in FileHandle.standardError.write(Data("\(entry): \(error)\n".utf8)) }
                }
            }
        }
    }
}
let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
let events = submitters * perSubmitter
emit(#"{"submitters":\#(submitters),"events":\#(events),"seconds":\#(String(format: "%.3f", seconds)),"events_per_second":\#(String(format: "%.1f", Double(events) / seconds)),"transactions":\#(shared.transactionCount),"failures":\#(failures.load(ordering: .relaxed))}"#)
exit(failures.load(ordering: .relaxed) == 0 ? 0 : 1)
