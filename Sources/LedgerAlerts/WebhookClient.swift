import AsyncHTTPClient
package import NIOCore
import NIOHTTP1

/// POSTs JSON over async-http-client (SwiftNIO), not URLSession: the command line then links
/// neither FoundationNetworking nor libcurl, which a one-shot `append` paid for at every start.
package struct WebhookClient: Sendable {
    private let client: HTTPClient

    package init(timeout: TimeAmount = .seconds(10)) {
        var configuration = HTTPClient.Configuration()
        // A receiver that is down fails this run at once (it is retried on the next run),
        // instead of the pool retrying the connection until the deadline.
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout = .init(connect: .seconds(5), read: timeout)
        configuration.redirectConfiguration = .disallow
        client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    /// Sends `body`; nil when the receiver answered 2xx, else why not, in an operator's words.
    package func post(_ body: [UInt8], to url: String, headers: [(String, String)]) async -> String? {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            let response = try await client.execute(request, timeout: .seconds(15))
            // Drain (and drop) the answer so the connection can be reused.
            _ = try? await response.body.collect(upTo: 64 << 10)
            return (200..<300).contains(Int(response.status.code)) ? nil : "HTTP \(response.status.code)"
        } catch {
            return Self.describe(error)
        }
    }

    package func shutdown() async {
        try? await client.shutdown()
    }

    /// Why a POST failed, without an error type's dump.
    static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError {
            switch error {
            case .connectTimeout, .readTimeout, .deadlineExceeded: return "timed out"
            case .remoteConnectionClosed: return "connection lost"
            case .invalidURL, .emptyHost: return "invalid URL"
            default: return "HTTP client error \(error)"
            }
        }
        let text = String(describing: error)
        if text.contains("refused") || text.contains("ECONNREFUSED") { return "connection refused" }
        if text.contains("resolve") || text.contains("lookup") { return "host not found" }
        if let error = error as? IOError { return "network error \(error.errnoCode)" }
        return "network error"
    }
}
