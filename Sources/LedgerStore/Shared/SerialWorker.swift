import Dispatch

/// A value confined to one serial dispatch queue: blocking SQLite calls run on that queue's
/// thread, never on Swift's cooperative pool (the model is GRDB's `DispatchQueueActor`; a
/// continuation hop is enough here because nothing else of ours runs on these queues).
/// `@unchecked Sendable` because `state` is touched only from inside `queue`.
final class SerialWorker<State>: @unchecked Sendable {
    let queue: DispatchQueue
    private let state: State

    init(label: String, state: State) {
        queue = DispatchQueue(label: label, qos: .userInitiated)
        self.state = state
    }

    /// Runs `body` on the queue and suspends the caller (without blocking a thread) until it ends.
    func run<T: Sendable>(_ body: @escaping @Sendable (State) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body(self.state) }) }
        }
    }

    /// Runs `body` on the queue and blocks the calling thread until it ends: only from another
    /// worker's queue (the projector handing its step to the writer), never from the
    /// cooperative pool, and never from this queue (it would wait for itself).
    func sync<T>(_ body: (State) throws -> T) rethrows -> T {
        dispatchPrecondition(condition: .notOnQueue(queue))
        return try queue.sync { try body(state) }
    }

    /// Runs `body` on the queue without waiting (the writer's drain loop), not before `deadline`
    /// when one is given (the projector's next catch-up).
    func async(after deadline: DispatchTime? = nil, _ body: @escaping @Sendable (State) -> Void) {
        if let deadline {
            queue.asyncAfter(deadline: deadline) { body(self.state) }
        } else {
            queue.async { body(self.state) }
        }
    }
}
