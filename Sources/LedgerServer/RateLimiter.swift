import Foundation
import Hummingbird

/// A token bucket per client address for the public routes (Hummingbird has none built in):
/// `burst` requests at once, refilled at `perSecond`; past it, 429 with Retry-After. Buckets of
/// addresses not seen for a minute are dropped so the table cannot grow without bound.
final class RateLimiter: @unchecked Sendable {
    private let lock = NSLock()
    private var buckets: [String: (tokens: Double, last: Double)] = [:]
    private var lastSweep = 0.0
    let burst: Double
    let perSecond: Double

    init(burst: Int, perSecond: Double) {
        self.burst = Double(burst)
        self.perSecond = perSecond
    }

    /// Whether `address` may make one more request now; otherwise the seconds until it may.
    func admit(_ address: String, now: Double = ProcessInfo.processInfo.systemUptime) -> (Bool, Int) {
        lock.lock()
        defer { lock.unlock() }
        if now - lastSweep > 60 {
            buckets = buckets.filter { now - $0.value.last < 60 }
            lastSweep = now
        }
        var bucket = buckets[address] ?? (burst, now)
        bucket.tokens = min(burst, bucket.tokens + (now - bucket.last) * perSecond)
        bucket.last = now
        let admitted = bucket.tokens >= 1
        if admitted { bucket.tokens -= 1 }
        buckets[address] = bucket
        return (admitted, admitted ? 0 : Int(((1 - bucket.tokens) / perSecond).rounded(.up)))
    }
}

/// Applies the limiter to the public list only.
struct RateLimitMiddleware: RouterMiddleware {
    typealias Context = LedgerRequestContext
    let limiter: RateLimiter

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.uri.path.hasPrefix("/api/v1/public/") else { return try await next(request, context) }
        let (admitted, retryAfter) = limiter.admit(context.clientAddress)
        guard admitted else {
            throw APIError(.tooManyRequests, "too many requests from this address; try again in \(retryAfter) s",
                           headers: [.retryAfter: String(retryAfter)])
        }
        return try await next(request, context)
    }
}
