import Hummingbird

/// Registers routes on the router and remembers each (method, path template), so the OpenAPI
/// document can be tested against what the server really serves.
final class RouteRecorder: @unchecked Sendable {  // filled while the router is built, read-only after
    let router: Router<LedgerRequestContext>
    private(set) var routes: [(method: String, path: String)] = []

    init(router: Router<LedgerRequestContext>) { self.router = router }

    /// The methods registered for a concrete path (`{name}` matches one non-empty segment).
    func methods(matching path: String) -> [String] {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        return routes.filter { route in
            let template = route.path.split(separator: "/", omittingEmptySubsequences: false)
            return template.count == segments.count && zip(template, segments).allSatisfy { t, s in
                (t.hasPrefix("{") && t.hasSuffix("}") && !s.isEmpty) || t == s
            }
        }.map(\.method)
    }

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
