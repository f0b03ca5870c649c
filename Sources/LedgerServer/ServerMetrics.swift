package import Prometheus
import Synchronization

/// The server's Prometheus metrics, in a registry of its own (not the process-wide
/// MetricsSystem, which can be bootstrapped once only and would tie tests together).
package final class ServerMetrics: Sendable {
    package let registry = PrometheusCollectorRegistry()
    let appendLatency: DurationHistogram
    let openFeeds: Gauge
    let appendedEvents: Counter
    /// One counter per (route, status), made once: the registry's `makeCounter` takes its lock
    /// and builds the label key on every call, which a request need not pay again.
    private let requestCounters = Mutex<[RequestKey: Counter]>([:])

    private struct RequestKey: Hashable {
        var route: String
        var status: Int
    }

    init() {
        appendLatency = registry.makeDurationHistogram(
            name: "listledger_append_duration_seconds",
            buckets: [.milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
                      .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5)],
            help: "Time to append one posted request's events, durable")
        openFeeds = registry.makeGauge(name: "listledger_open_feeds", help: "Feeds (JSON Lines or SSE) open now")
        appendedEvents = registry.makeCounter(name: "listledger_appended_events_total", help: "Events appended through the server")
    }

    func request(route: String, status: Int) {
        let key = RequestKey(route: route, status: status)
        let counter = requestCounters.withLock { counters in
            if let known = counters[key] { return known }
            let made = registry.makeCounter(name: "listledger_http_requests_total", labels: [("route", route), ("status", String(status))],
                                            help: "HTTP requests by route template and status")
            counters[key] = made
            return made
        }
        counter.increment()
    }

    func text() -> [UInt8] { registry.emitToBuffer() }
}
