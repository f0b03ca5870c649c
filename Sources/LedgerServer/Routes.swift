import Hummingbird

/// Registers routes on the router and remembers each (method, path template), so the OpenAPI
/// document can be tested against what the server really serves.
final class RouteRecorder {
    let router: Router<LedgerRequestContext>
    private(set) var routes: [(method: String, path: String)] = []

    init(router: Router<LedgerRequestContext>) { self.router = router }

    typealias Handler = @Sendable (Request, LedgerRequestContext) async throws -> Response

    func get(_ path: String, _ handler: @escaping Handler) {
        routes.append(("get", path))
        router.get(RouterPath(path), use: handler)
    }

    func post(_ path: String, _ handler: @escaping Handler) {
        routes.append(("post", path))
        router.post(RouterPath(path), use: handler)
    }
}

extension Request {
    /// A query parameter, nil when absent.
    func query(_ name: String) -> String? {
        uri.queryParameters.get(name)
    }
}
