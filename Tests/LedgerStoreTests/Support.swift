import Foundation
import TestSupport
import LedgerDomain
import LedgerStore

/// A fresh temporary folder holding one ledger file.
struct TempLedger {
    let dir: URL
    var path: String { dir.appendingPathComponent("ledger.sqlite").path }

    init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("ll-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(at: dir) }

    func create(now: Instant = clock("2025-01-01T00:00:00Z")) throws -> Ledger {
        try Ledger.create(path: path, profile: "baisha-2018", court: "court:baisha", now: now)
    }
}

func clock(_ text: String) -> Instant {
    switch Instant.parse(text) {
    case .success(let value): return value
    case .failure(let failure): fatalError("test instant \(text): \(failure.problem)")
    }
}

/// Decodes JSON lines (written by hand in the tests) into numbered events.
func events(_ lines: [String]) throws -> [NumberedEvent] {
    try lines.enumerated().map { index, text in
        NumberedEvent(line: index + 1, event: try Event.decode(jsonLine: Array(text.utf8)))
    }
}

let court = "court:baisha"
let pboc = "unit:pboc-baisha"

func notice(_ entry: String, at: String = "2024-03-01T09:00:00+08:00", id: String? = nil) -> String {
    let idField = id.map { #","id":"\#($0)""# } ?? ""
    return #"{"type":"risk_notice_issued","entry":"\#(entry)","at":"\#(at)","actor":"court:baisha"\#(idField),"court":"court:baisha","case":"(2024)琼9030执1号","debtor":{"kind":"person","name":"测试甲","id_number":"460030198001010105"}}"#
}

func inclusion(_ entry: String, at: String = "2024-03-05T10:00:00+08:00") -> String {
    #"{"type":"inclusion_decided","entry":"\#(entry)","at":"\#(at)","actor":"court:baisha","court":"court:baisha","case":"(2024)琼9030执1号","debtor":{"kind":"person","name":"测试甲","id_number":"460030198001010105"},"grounds":["evasion"],"public":true}"#
}

func simple(_ type: String, _ entry: String, at: String, actor: String = court, extra: String = "") -> String {
    #"{"type":"\#(type)","entry":"\#(entry)","at":"\#(at)","actor":"\#(actor)"\#(extra)}"#
}

extension Ledger {
    func allEvents() throws -> [RecordedEvent] {
        var result: [RecordedEvent] = []
        try forEachEvent { result.append($0) }
        return result
    }
}
