import HTTPTypes
import Foundation
import Hummingbird
import HummingbirdTesting
import LedgerDomain
import LedgerServer
import LedgerService
import LedgerStore
import NIOCore
import Testing

// A real ledger file in a temporary folder, real tokens in it, the real server over it.

let court = "court:baisha", otherCourt = "court:haikou"
let unit = "unit:pboc-baisha", otherUnit = "unit:news"
let auditor = "auditor:spc"

/// The parties of the matrix and the tokens they hold.
enum Holder: String, CaseIterable, Sendable, CustomStringConvertible {
    case none, bogus, court, otherCourt, unit, otherUnit, auditor, courtReadOnly, courtRecordOnly
    var description: String { rawValue }
    var party: String? {
        switch self {
        case .none, .bogus: nil
        case .court, .courtReadOnly, .courtRecordOnly: ServerTests.court
        case .otherCourt: ServerTests.otherCourt
        case .unit: ServerTests.unit
        case .otherUnit: ServerTests.otherUnit
        case .auditor: ServerTests.auditor
        }
    }
    var scopes: [Scope] {
        switch self {
        case .none, .bogus: []
        case .auditor: [.audit]
        case .courtReadOnly: [.read]
        case .courtRecordOnly: [.record]
        default: [.record, .read]
        }
    }
}

/// Hand-written events: entry A (public, published, pushed to the unit, a measure applied), B
/// (the same court, never pushed), C (another court's). Dates lie in 2024, long past.
func line(_ object: [String: Any]) -> String {
    String(decoding: try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
}

func inclusion(_ entry: String, court: String = court, name: String = "测试甲", id: String = "460030198001010105", isPublic: Bool = true, at: String = "2024-03-05T10:00:00+08:00") -> String {
    line(["type": "inclusion_decided", "entry": entry, "at": at, "actor": court, "court": court, "case": "(2024)琼9030执\(entry)号",
          "debtor": ["kind": "person", "name": name, "id_number": id], "grounds": ["able_but_refuses"], "public": isPublic])
}

func event(_ type: String, _ entry: String, _ at: String, actor: String? = court, _ fields: [String: Any] = [:]) -> String {
    var object: [String: Any] = ["type": type, "entry": entry, "at": at]
    if let actor { object["actor"] = actor }
    for (key, value) in fields { object[key] = value }
    return line(object)
}

let baseEvents = [
    inclusion("A"),
    event("decision_served", "A", "2024-03-06T10:00:00+08:00"),
    event("entry_published", "A", "2024-03-07T10:00:00+08:00"),
    event("pushed_to_unit", "A", "2024-03-08T10:00:00+08:00", ["unit": unit]),
    event("measure_applied", "A", "2024-03-09T10:00:00+08:00", actor: unit, ["unit": unit, "measure": "credit_restriction"]),
    inclusion("B", name: "测试乙", id: "460030198001010113"),
    inclusion("C", court: otherCourt, name: "测试丙", id: "460030198001010121"),
]

final class Fixture: @unchecked Sendable {
    let dir: URL
    /// The engine the ledger is on (EngineFixture.swift makes the PostgreSQL one).
    let engine: Engine
    /// The `--db` of the ledger: the SQLite file's path, or the PostgreSQL database's URL.
    let db: String
    var tokens: [Holder: String] = [:]
    var tokenIDs: [Holder: String] = [:]

    init(events: [String] = baseEvents) throws {
        dir = Self.temporaryFolder()
        engine = .sqlite
        db = dir.appendingPathComponent("ledger.sqlite").path
        let ledger = try Ledger.create(path: db, profile: "baisha-2018", court: nil, now: LedgerClock.now())
        if !events.isEmpty { try append(events, to: ledger) }
        try ledger.ensureCredentialTables()
        for holder in Holder.allCases where holder.party != nil {
            let issued = try Self.issue(holder)
            try ledger.insertToken(issued.stored)
            tokens[holder] = issued.token
            tokenIDs[holder] = issued.id
        }
        tokens[.bogus] = Self.bogusToken
    }

    /// An empty fixture on a ledger that `EngineFixture.swift` fills.
    init(engine: Engine, db: String, dir: URL) {
        self.engine = engine
        self.db = db
        self.dir = dir
        tokens[.bogus] = Self.bogusToken
    }

    static let bogusToken = "ll_0123456789abcdef_" + String(repeating: "0", count: 64)

    static func temporaryFolder() -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ll-server-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    static func issue(_ holder: Holder) throws -> Credentials.IssuedToken {
        try Credentials.issueToken(party: holder.party!, scopes: holder.scopes, expiresInDays: nil, now: LedgerClock.now())
    }

    deinit { try? FileManager.default.removeItem(at: dir) }

    func append(_ lines: [String], to ledger: Ledger? = nil) throws {
        let ledger = try ledger ?? Ledger.open(path: db)
        let events = try lines.enumerated().map { NumberedEvent(line: $0.offset + 1, event: try Event.decode(jsonLine: Array($0.element.utf8))) }
        _ = try ledger.append(events, clock: LedgerClock.now)
    }

    func open() throws -> Ledger { try Ledger.open(path: db) }

    func headers(_ holder: Holder, _ extra: HTTPFields = [:]) -> HTTPFields {
        var fields = extra
        if let token = tokens[holder] { fields[.authorization] = "Bearer \(token)" }
        return fields
    }

    func app(_ configure: (inout ServerSettings) -> Void = { _ in }) throws -> (LedgerServerApp, some ApplicationProtocol) {
        var settings = ServerSettings(databasePath: db)
        settings.port = 0
        configure(&settings)
        let server = try LedgerServerApp(settings: settings)
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        return (server, server.makeApplication(logger: logger))
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }
    var json: Any? { try? JSONSerialization.jsonObject(with: Data(text.utf8)) }
}

extension ByteBuffer {
    init(text: String) { self.init(string: text) }
}

import Logging
