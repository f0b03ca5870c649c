import Foundation
import HTTPTypes
import Hummingbird
import LedgerDomain
import LedgerService
import LedgerStore
import NIOCore
import Prometheus
import ServiceLifecycle

/// `GET /api/v1/feed?after=SEQ`: the events concerning the credential's party, as JSON Lines or
/// (with `Accept: text/event-stream`) server-sent events whose ids are seqs, resuming after
/// `Last-Event-ID`. The feed polls the log every `feedPollInterval` (200 ms), so a new event
/// reaches an open feed well within a second — also one appended by the command line in another
/// process, which no in-process notification would see. On every poll it asks again whether the
/// credential is still valid: a revoked token ends the feed at once. A graceful stop ends open
/// feeds so in-flight requests can finish.
///
/// JSON Lines ends after the events there are unless `follow=true`; SSE always follows.
extension LedgerServerApp {
    func feed(_ request: Request, _ context: LedgerRequestContext) async throws -> Response {
        let principal = try context.requireReader()
        let sse = (request.headers[.accept] ?? "").contains("text/event-stream")
        var after: Int64 = 0
        if let text = request.query("after") {
            guard let value = Int64(text), value >= 0 else { throw APIError(.badRequest, field: "after", "must be a seq (0 or more)") }
            after = value
        }
        if sse, let lastID = request.headers[HTTPField.Name("Last-Event-ID")!] {
            guard let value = Int64(lastID.trimmingCharacters(in: .whitespaces)), value >= 0 else {
                throw APIError(.badRequest, field: "Last-Event-ID", "must be the seq of the last event received")
            }
            after = max(after, value)
        }
        let followText = request.query("follow")
        guard followText == nil || followText == "true" || followText == "false" else {
            throw APIError(.badRequest, field: "follow", "must be true or false")
        }
        let follow = sse || followText == "true"
        let start = after
        let app = self
        let address = context.clientAddress
        // The body is written after this handler returns, outside the request's task-local
        // binding: the feed's polls keep the requirement of the request that opened it.
        let requirement = ReadRequirement.current
        let headers: HTTPFields = sse
            ? [.contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-store", HTTPField.Name("X-Accel-Buffering")!: "no"]
            : [.contentType: "application/jsonl; charset=utf-8"]
        let body = ResponseBody { writer in try await ReadRequirement.$current.withValue(requirement) {
            app.metrics.openFeeds.increment()
            defer { app.metrics.openFeeds.decrement() }
            var position = start
            var idle = ContinuousClock.now
            if sse { try await writer.write(ByteBuffer(string: "retry: 1000\n\n")) }
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                let from = position
                // Each shown event with whether its resident IDs are masked for this party (a unit
                // that only reposted the entry: SPEC §6/§7, as the history route does).
                let batch: (events: [(RecordedEvent, mask: Bool)], end: Int64, full: Bool)?
                if try await app.ledger.stillValid(principal, now: LedgerClock.now()) {
                    let events = try await app.ledger.events(after: from, limit: Self.feedPage)
                    var shown: [(RecordedEvent, mask: Bool)] = []
                    for (recorded, state) in events {
                        guard recorded.event.entry != nil else {
                            if Visibility.concerns(principal, event: recorded.event, entryAfter: nil) { shown.append((recorded, false)) }
                            continue
                        }
                        guard Visibility.concerns(principal, event: recorded.event, entryAfter: state) else { continue }
                        shown.append((recorded, state.map { !Visibility.needsFullIdentity(principal, entry: $0) } ?? false))
                    }
                    batch = (shown, events.last?.event.seq ?? from, events.count == Self.feedPage)
                } else {
                    batch = nil
                }
                guard let batch else { break }  // revoked, disabled or expired
                if !batch.events.isEmpty {
                    try await app.logAccess(principal, entries: Array(Set(batch.events.compactMap(\.0.event.entry))).sorted(),
                                            route: "/api/v1/feed", address: address)
                    var text = ""
                    for (recorded, mask) in batch.events {
                        let rendered = LedgerJSON.recordedEvent(recorded)
                        let line = String(decoding: LedgerJSON.encode(mask ? LedgerJSON.masked(rendered) : rendered), as: UTF8.self)
                        text += sse ? "id: \(recorded.seq)\nevent: ledger_event\ndata: \(line)\n\n" : line + "\n"
                    }
                    try await writer.write(ByteBuffer(string: text))
                    idle = ContinuousClock.now
                }
                position = batch.end
                if batch.full { continue }  // more is waiting: no pause
                if !follow { break }
                if sse && ContinuousClock.now - idle > .seconds(15) {
                    // A comment keeps proxies from closing the stream and finds a gone client.
                    try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                    idle = ContinuousClock.now
                }
                try? await Task.sleep(for: app.settings.feedPollInterval)
            }
            try await writer.finish(nil)
        } }
        return Response(status: .ok, headers: headers, body: body)
    }

    static let feedPage = 500

    func logAccess(_ principal: Principal, entries: [String], route: String, address: String) async throws {
        guard !entries.isEmpty else { return }
        let now = LedgerClock.now().epochMilliseconds
        let records = entries.map {
            AccessRecord(atMilliseconds: now, credential: principal.credential, party: principal.party, entry: $0, address: address, route: route)
        }
        try await accessLog.log(records)
    }
}
