import HTTPTypes
import Foundation
import Hummingbird
import Logging
import LedgerService

/// Turns every error into a JSON refusal: an `APIError` or Hummingbird's own HTTP errors (413,
/// 404 of an unknown route…) with their status; anything else is logged here and answered with
/// a fixed 500 message, so no stack trace, SQL or file path ever reaches a client.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = LedgerRequestContext
    /// To tell a wrong method on a known path (405 with Allow) from an unknown path (404).
    let routes: RouteRecorder

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return try error.response(from: request, context: context)
        } catch let error as any HTTPResponseError {
            if error.status == .notFound, context.endpointPath == "NotFound" {
                let allowed = routes.methods(matching: request.uri.path)
                if !allowed.isEmpty {
                    return try APIError(.methodNotAllowed, "\(request.method.rawValue) is not served here; allowed: \(allowed.map { $0.uppercased() }.joined(separator: ", "))",
                                        headers: [.allow: allowed.map { $0.uppercased() }.joined(separator: ", ")]).response(from: request, context: context)
                }
            }
            let message = error.status == .contentTooLarge ? "the request body is larger than this server accepts" : error.status.reasonPhrase
            return try APIError(error.status, message).response(from: request, context: context)
        } catch {
            context.logger.error("request failed", metadata: ["error.type": .string(String(describing: type(of: error)))])
            return try APIError(.internalServerError, "the server could not complete the request; it is logged").response(from: request, context: context)
        }
    }
}

/// Security headers on every response (ContentSecurityMiddleware's CSP and nosniff, plus the
/// rest an API that may carry personal data should send).
struct SecurityHeadersMiddleware: RouterMiddleware {
    typealias Context = LedgerRequestContext
    static let headers: HTTPFields = [
        .contentSecurityPolicy: "default-src 'none'; frame-ancestors 'none'",
        .xContentTypeOptions: "nosniff",
        HTTPField.Name("X-Frame-Options")!: "DENY",
        HTTPField.Name("Referrer-Policy")!: "no-referrer",
        .cacheControl: "no-store",
        HTTPField.Name("Cross-Origin-Resource-Policy")!: "same-origin",
    ]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        for field in Self.headers where response.headers[field.name] == nil { response.headers.append(field) }
        return response
    }
}

/// One structured log line per request: method, route template (never the concrete path or
/// query, which may hold a debtor's name or entry), status, duration, party. No personal data.
struct RequestLogMiddleware: RouterMiddleware {
    typealias Context = LedgerRequestContext
    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let route = context.endpointPath ?? "unmatched"
        metrics.request(route: route, status: response.status.code)
        let elapsed = ContinuousClock.now - start
        context.logger.info("request", metadata: [
            "http.method": .string(request.method.rawValue), "http.route": .string(route),
            "http.status": .stringConvertible(response.status.code),
            "duration_ms": .stringConvertible((Double(elapsed.components.seconds) * 1e6 + Double(elapsed.components.attoseconds) / 1e12).rounded() / 1000),
        ])
        return response
    }
}
