import Dispatch

/// The command line's subcommands are synchronous (ArgumentParser's `ParsableCommand`); the
/// PostgreSQL client is async. This runs one async body to completion from synchronous code,
/// on the global executor, blocking the calling thread (never call it from a task).
package func runBlocking<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
    nonisolated(unsafe) var result: Result<T, any Error>?
    let done = DispatchSemaphore(value: 0)
    Task.detached {
        do { result = .success(try await body()) } catch { result = .failure(error) }
        done.signal()
    }
    done.wait()
    return try result!.get()
}
