package import Hummingbird
package import LedgerService
import NIOCore

/// Each request's context: who is asking (set by `AuthenticationMiddleware` from a valid
/// credential, nil for the public) and from which address (for the access log and rate limit).
package struct LedgerRequestContext: RequestContext {
    package var coreContext: CoreRequestContextStorage
    package var principal: Principal?
    package var clientAddress: String

    package init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        clientAddress = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }

    /// Bodies are read with their own limit (`ServerSettings.maximumBodyBytes`); this one covers
    /// Hummingbird's own decoding, which the server does not use.
    package var maxUploadSize: Int { 1 << 20 }
}
