import HTTPTypes
import Hummingbird
import LedgerService
import LedgerStore
import Logging
import NIOCore

/// The web pages' routes (issue 11). They are not part of the API's OpenAPI document: they take
/// a session cookie, never `Authorization`, and answer HTML.
extension LedgerServerApp {
    func addWebRoutes(to router: Router<LedgerRequestContext>) {
        router.get("/") { request, context in try await self.page(request, context) { env in
            switch env.visitor?.principal.kind {
            case "court"?, "auditor"?: return WebPage.redirect("/entries")
            case "unit"?: return WebPage.redirect("/todo")
            default: return WebPage.redirect("/login")
            }
        } }
        router.get("/static/style.css") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "max-age=3600"],
                     body: .init(byteBuffer: ByteBuffer(string: WebStylesheet.css)))
        }
        router.get("/login") { request, context in try await self.page(request, context) { try await self.loginPage(request, $0) } }
        router.post("/login") { request, context in try await self.page(request, context) { try await self.loginPost(request, $0) } }
        router.post("/logout") { request, context in try await self.page(request, context) { try await self.logoutPost(request, $0) } }
        router.get("/entries") { request, context in try await self.signedIn(request, context) { try await self.entriesPage(request, $0, $1, context) } }
        router.get("/entries/new") { request, context in try await self.signedIn(request, context) { try await self.newEntryPage(request, $0, $1) } }
        router.post("/entries/new") { request, context in try await self.signedInPost(request, context) { try await self.newEntryPost(request, $0, $1, $2, context) } }
        router.get("/entries/{entry}") { request, context in try await self.signedIn(request, context) { try await self.entryPage(request, $0, $1, context) } }
        router.post("/entries/{entry}/acts") { request, context in try await self.signedInPost(request, context) { try await self.actPost(request, $0, $1, $2, context) } }
        router.get("/todo") { request, context in try await self.signedIn(request, context) { try await self.todoPage(request, $0, $1, context) } }
        router.get("/board") { request, context in try await self.signedIn(request, context) { try await self.boardPage(request, $0, $1) } }
        router.get("/search") { request, context in try await self.page(request, context) { try await self.searchPage(request, $0, context) } }
        router.get("/report") { request, context in try await self.signedIn(request, context) { try await self.reportPage(request, $0, $1) } }
        router.get("/audit") { request, context in try await self.signedIn(request, context) { try await self.auditPage(request, $0, $1) } }
        router.get("/audit/bundle") { request, context in try await self.signedIn(request, context) { try await self.auditBundle(request, $0, $1, context) } }
    }

    /// Builds the page environment and turns any failure into an HTML page (never the API's
    /// JSON, never a stack trace).
    func page(_ request: Request, _ context: LedgerRequestContext, _ body: (PageEnvironment) async throws -> Response) async throws -> Response {
        let cookies = Cookies.parse(request.headers[.cookie])
        let query = request.uri.queryParameters.get("lang")
        let language = Language.chosen(query: query, cookie: cookies[Cookies.language], acceptLanguage: request.headers[.acceptLanguage])
        var env = PageEnvironment(language: language, visitor: nil, names: [:], path: request.uri.path)
        do {
            env.visitor = try await visitor(request)
            env.names = try await ledger.partyNames()
            var response = try await body(env)
            if let query, Language(tag: query) != nil {
                response.headers.append(HTTPField(name: .setCookie, value: Cookies.set(Cookies.language, language.rawValue, maxAgeSeconds: 31_536_000, secure: settings.web.secureCookies)))
            }
            return response
        } catch let error as WebRefusal {
            return WebPage.message(error.status, titleKey: error.titleKey, textKey: error.textKey, environment: env)
        } catch {
            context.logger.error("page failed", metadata: ["error.type": .string(String(describing: type(of: error)))])
            return WebPage.message(.internalServerError, titleKey: "error_title", textKey: "server_error", environment: env)
        }
    }

    /// A page for a signed-in reader: sends the others to the sign-in page.
    func signedIn(_ request: Request, _ context: LedgerRequestContext,
                  _ body: @escaping (PageEnvironment, WebVisitor) async throws -> Response) async throws -> Response {
        try await page(request, context) { env in
            guard let visitor = env.visitor else { return WebPage.redirect("/login") }
            guard Visibility.mayRead(visitor.principal) else { throw WebRefusal(.forbidden, "forbidden_title", "no_read_scope") }
            return try await body(env, visitor)
        }
    }

    /// A form post of a signed-in person: the session's form token must come back, else 403
    /// and nothing is recorded; the body is read here once.
    func signedInPost(_ request: Request, _ context: LedgerRequestContext,
                      _ body: @escaping (PageEnvironment, WebVisitor, FormBody) async throws -> Response) async throws -> Response {
        try await page(request, context) { env in
            let form = try await FormBody.read(request)
            guard let visitor = env.visitor else { throw WebRefusal(.forbidden, "forbidden_title", "csrf_refused") }
            guard Self.tokenMatches(form, visitor) else { throw WebRefusal(.forbidden, "forbidden_title", "csrf_refused") }
            return try await body(env, visitor, form)
        }
    }
}

/// A refusal that becomes a message page with this status.
struct WebRefusal: Error {
    var status: HTTPResponse.Status
    var titleKey: String
    var textKey: String
    init(_ status: HTTPResponse.Status, _ titleKey: String, _ textKey: String) {
        self.status = status
        self.titleKey = titleKey
        self.textKey = textKey
    }
    static let notFound = WebRefusal(.notFound, "not_found_title", "not_found_text")
}
