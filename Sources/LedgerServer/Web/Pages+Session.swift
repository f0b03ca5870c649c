import HTTPTypes
import Hummingbird
import LedgerCrypto
import LedgerService

/// 登录 / 退出. The sign-in form has no session yet, so its token is a double submit: a random
/// value in an HttpOnly, SameSite=Strict cookie and the same value in the form.
extension LedgerServerApp {
    func loginPage(_ request: Request, _ env: PageEnvironment, failed: Bool = false, user: String = "", status: HTTPResponse.Status = .ok) async throws -> Response {
        let existing = Cookies.parse(request.headers[.cookie])[Cookies.signIn].flatMap { $0.utf8.count == 64 ? $0 : nil }
        let token = existing ?? Hex.encode(RandomBytes.generate(32))
        var notice: String?
        switch request.uri.queryParameters.get("notice") {
        case "signed_out"?: notice = env.t("signed_out")
        case "expired"?: notice = env.t("session_expired")
        default: break
        }
        var data: [String: Any] = ["csrf": token, "failed": failed, "user": user]
        if let notice { data["notice"] = notice }
        return WebPage.render("login", title: env.t("login_title"), data: data, environment: env, status: status,
                              headers: [.setCookie: Cookies.set(Cookies.signIn, token, maxAgeSeconds: 3600, secure: settings.web.secureCookies)])
    }

    func loginPost(_ request: Request, _ env: PageEnvironment) async throws -> Response {
        let form = try await FormBody.read(request)
        let cookie = Cookies.parse(request.headers[.cookie])[Cookies.signIn] ?? ""
        guard let sent = form["csrf"], !cookie.isEmpty, Credentials.constantTimeEqual(Array(sent.utf8), Array(cookie.utf8)) else {
            throw WebRefusal(.forbidden, "forbidden_title", "csrf_refused")
        }
        let user = form["user"] ?? ""
        guard let id = try await signIn(user: user, password: form["password"] ?? "") else {
            return try await loginPage(request, env, failed: true, user: user, status: .unauthorized)
        }
        var headers = HTTPFields()
        headers.append(HTTPField(name: .setCookie, value: sessionCookie(id)))
        headers.append(HTTPField(name: .setCookie, value: Cookies.set(Cookies.signIn, "", maxAgeSeconds: 0, secure: settings.web.secureCookies)))
        return WebPage.redirect("/", headers: headers)
    }

    func logoutPost(_ request: Request, _ env: PageEnvironment) async throws -> Response {
        let form = try await FormBody.read(request)
        guard let visitor = env.visitor else { return WebPage.redirect("/login") }
        guard Self.tokenMatches(form, visitor) else { throw WebRefusal(.forbidden, "forbidden_title", "csrf_refused") }
        try await signOut(visitor)
        return WebPage.redirect("/login?notice=signed_out", headers: [.setCookie: clearedSessionCookie()])
    }
}
