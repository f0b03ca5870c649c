import LedgerDomain
import Synchronization

/// Where a submitter learns its ticket's answer without polling the database: from this
/// process's own sequencer rounds (handed over in memory) and from other processes' rounds,
/// whose transaction NOTIFYs `listledger_answers` with the tickets it answered (delivered at
/// its commit, so never before the answer is durable). One listening connection per process.
///
/// Every wait is bounded: a notification lost (the listener reconnecting, a ticket answered
/// before it was registered) costs a timeout and one read of `results`, never a hang.
final class AnswerBoard: Sendable {
    /// What a notification or a round said about one ticket.
    enum Answer: Sendable {
        case outcomes([Outcome])
        case refused(SubmissionRefusal)
        /// Answered, but the notification could not carry it (an error text): read this
        /// ticket's row of `results`.
        case lookUp(Int64)
        /// The round that took this process's own submission failed (its transaction rolled
        /// back, or its commit's outcome is unknown): not acknowledged.
        case failed(String)
    }

    /// A submission of this process not (yet) in the inbox: the process's driver sequences it
    /// straight from memory when it holds the log's head, or moves it to the inbox when another
    /// process does. Its key is negative, so it never meets an inbox ticket.
    struct Local: Sendable {
        let key: Int64
        let events: [Event]
        /// Who submitted it (`token:ID`, `user:NAME`), recorded beside each event it appends.
        let credential: String?
        /// If-Match: the last seq the submitter saw of every entry it names.
        let expectedLastSeq: Int64?
    }

    static let channel = "listledger_answers"

    private struct State {
        /// Bumped by every answer, notification and driver hand-over: what sleepers wait for.
        var generation: UInt64 = 0
        var answers: [Int64: Answer] = [:]
        /// Tickets this process waits for, so that foreign answers are not kept.
        var pending: Set<Int64> = []
        /// Answers that came before their ticket was registered (bounded).
        var early: [Int64: Answer] = [:]
        var earlyOrder: [Int64] = []
        var sleepers: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var nextSleeper: UInt64 = 0
        /// Logs whose in-process driver (the one task trying the head lock) is running.
        var driving: Set<Int32> = []
        /// This process's submissions not yet taken by its driver, per log, oldest first.
        var local: [Int32: [Local]] = [:]
        var lastLocalKey: Int64 = 0
        /// Local submissions moved to the inbox: ticket → key, and key → ticket.
        var keyOfTicket: [Int64: Int64] = [:]
        var ticketOfKey: [Int64: Int64] = [:]
        var listener: Task<Void, Never>?
    }

    private let state = Mutex(State())

    var generation: UInt64 { state.withLock { $0.generation } }

    /// Queues `events` for `log`'s driver in this process; the key to wait on.
    func queueLocally(_ events: [Event], log: Int32, credential: String? = nil, expectedLastSeq: Int64? = nil) -> Int64 {
        state.withLock { state in
            state.lastLocalKey -= 1
            let key = state.lastLocalKey
            state.pending.insert(key)
            state.local[log, default: []].append(Local(key: key, events: events, credential: credential, expectedLastSeq: expectedLastSeq))
            return key
        }
    }

    /// Up to `limit` of `log`'s local submissions, oldest first, taken off the queue.
    func takeLocal(of log: Int32, limit: Int) -> [Local] {
        state.withLock { state in
            guard let queued = state.local[log], !queued.isEmpty else { return [] }
            let taken = Array(queued.prefix(limit))
            state.local[log] = Array(queued.dropFirst(taken.count))
            return taken
        }
    }

    /// Local submissions now queued in the inbox under `tickets`: their answers arrive by
    /// ticket (a notification, or `results`), and are filed under their keys.
    func moved(_ pairs: [(key: Int64, ticket: Int64)]) {
        let woken = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            for (key, ticket) in pairs {
                state.keyOfTicket[ticket] = key
                state.ticketOfKey[key] = ticket
                if let early = state.early.removeValue(forKey: ticket) { state.answers[key] = early }
            }
            return Self.bump(&state)
        }
        for sleeper in woken { sleeper.resume() }
    }

    /// The inbox ticket of a local submission that was moved there.
    func ticket(of key: Int64) -> Int64? { state.withLock { $0.ticketOfKey[key] } }

    func has(_ ticket: Int64) -> Bool { state.withLock { $0.answers[ticket] != nil } }

    /// The answer of `ticket` if it arrived; taking it forgets the ticket.
    func take(_ ticket: Int64) -> Answer? {
        state.withLock { state in
            guard let answer = state.answers.removeValue(forKey: ticket) else { return nil }
            state.pending.remove(ticket)
            if let moved = state.ticketOfKey.removeValue(forKey: ticket) { state.keyOfTicket[moved] = nil }
            return answer
        }
    }

    /// Records answers and wakes every sleeper.
    func deliver(_ answers: [(Int64, Answer)]) {
        let woken = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            for (delivered, answer) in answers {
                let ticket = state.keyOfTicket[delivered] ?? delivered
                if state.pending.contains(ticket) {
                    state.answers[ticket] = answer
                } else if state.early[ticket] == nil {
                    state.early[ticket] = answer
                    state.earlyOrder.append(ticket)
                    if state.earlyOrder.count > 4096 {
                        for old in state.earlyOrder.prefix(1024) { state.early[old] = nil }
                        state.earlyOrder.removeFirst(1024)
                    }
                }
            }
            return Self.bump(&state)
        }
        for sleeper in woken { sleeper.resume() }
    }

    /// Wakes every sleeper (a driver stepping down, a notification with nothing for us).
    func poke() {
        let woken = state.withLock { Self.bump(&$0) }
        for sleeper in woken { sleeper.resume() }
    }

    private static func bump(_ state: inout State) -> [CheckedContinuation<Void, Never>] {
        state.generation &+= 1
        let woken = Array(state.sleepers.values)
        state.sleepers.removeAll()
        return woken
    }

    /// Returns once the generation passed `seen`, or after `timeout`.
    func waitForChange(since seen: UInt64, timeout: Duration) async {
        let id = state.withLock { state -> UInt64 in
            state.nextSleeper &+= 1
            return state.nextSleeper
        }
        let timer = Task { [weak self] in
            try? await Task.sleep(for: timeout)
            self?.wake(id)
        }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = state.withLock { state -> Bool in
                if state.generation != seen { return true }
                state.sleepers[id] = continuation
                return false
            }
            if now { continuation.resume() }
        }
        timer.cancel()
    }

    private func wake(_ id: UInt64) {
        let sleeper = state.withLock { $0.sleepers.removeValue(forKey: id) }
        sleeper?.resume()
    }

    /// Becomes `log`'s in-process driver unless another task is; `stepDown` when done.
    func becomeDriver(of log: Int32) -> Bool { state.withLock { $0.driving.insert(log).inserted } }

    func stepDown(of log: Int32) {
        state.withLock { _ = $0.driving.remove(log) }
        poke()
    }

    /// Starts the listener unless it runs; true when this call started it.
    func listenOnce(_ body: @escaping @Sendable () async -> Void) -> Bool {
        state.withLock { state in
            guard state.listener == nil else { return false }
            state.listener = Task { await body() }
            return true
        }
    }

    func stopListening() {
        let task = state.withLock { state -> Task<Void, Never>? in
            defer { state.listener = nil }
            return state.listener
        }
        task?.cancel()
    }

    /// `12 a5,d3\n13 !`: ticket, then its outcomes (empty for none) or `!` for a refusal.
    static func payloads(_ answers: [(ticket: Int64, outcomes: [UInt8], refused: Bool)], limit: Int = 7_000) -> [String] {
        var chunks: [String] = []
        var current = ""
        for answer in answers {
            let line = "\(answer.ticket) " + (answer.refused ? "!" : String(decoding: answer.outcomes, as: UTF8.self))
            if !current.isEmpty, current.utf8.count + line.utf8.count + 1 > limit {
                chunks.append(current)
                current = ""
            }
            current += current.isEmpty ? line : "\n" + line
        }
        if !current.isEmpty { chunks.append(current) }
        return chunks
    }

    static func parse(_ payload: String) -> [(Int64, Answer)] {
        payload.split(separator: "\n").compactMap { line in
            let parts = line.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false)
            guard let ticket = Int64(parts[0]) else { return nil }
            let rest = parts.count > 1 ? Array(parts[1].utf8) : []
            if rest == Array("!".utf8) { return (ticket, .lookUp(ticket)) }
            guard let outcomes = try? PostgresLedger.decodeOutcomes(rest) else { return (ticket, .lookUp(ticket)) }
            return (ticket, .outcomes(outcomes))
        }
    }
}
