import Testing

/// The suites that run servers on real ports and fsync hard (the SIGTERM burst, the SSE latency
/// bound) run one after another, so one's disk load does not time the other.
@Suite(.serialized) struct ServerProcessTests {}
