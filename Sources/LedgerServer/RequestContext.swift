import Foundation
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

extension LedgerRequestContext {
    /// The `{entry}` of the path as the entry's id. Hummingbird hands a path parameter over as
    /// it was sent, percent-encoded, and an entry id is text such as `(2018)琼9025执100号-周某某`
    /// (the pages' links encode it so); without decoding, such an entry answered 404 on every
    /// route. A malformed escape is kept as sent: no entry has that id, so it is 404.
    func entryParameter() throws -> String {
        let sent = try parameters.require("entry")
        return sent.removingPercentEncoding ?? sent
    }
}
