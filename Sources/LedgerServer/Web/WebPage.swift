import Foundation
import HTTPTypes
import Hummingbird
import LedgerCalendar
import LedgerDomain
import LedgerService
import Mustache
import NIOCore

/// What every page needs besides its own data: the language, the visitor, the names table.
struct PageEnvironment: Sendable {
    var language: Language
    var visitor: WebVisitor?
    var names: [String: String]
    /// The path of the page (for the navigation's `aria-current` and the language switch).
    var path: String

    func t(_ key: String) -> String { Messages.text(key, language) }
    func format(_ key: String, _ arguments: String...) -> String {
        var text = Messages.text(key, language)
        for (i, argument) in arguments.enumerated() { text = text.replacingOccurrences(of: "{\(i)}", with: argument) }
        return text
    }

    /// A party's name from the names table (its code when unknown); the code goes in a tooltip.
    func party(_ code: String) -> [String: Any] {
        if code == "debtor" { return ["name": t("debtor"), "code": code] }
        return ["name": names[code] ?? code, "code": code]
    }

    /// `2026年12月02日` (as the national platform shows dates) or `2026-12-02` in English.
    func date(_ day: BeijingDay) -> String {
        language == .zh ? String(format: "%04d年%02d月%02d日", day.year, day.month, day.day) : day.description
    }

    /// Date and Beijing time of an instant: `2026年12月02日 10:00`.
    func dateTime(_ instant: Instant) -> String {
        let local = instant.epochMilliseconds + BeijingDay.utcOffsetMilliseconds
        let minutes = Int(((local % 86_400_000) + 86_400_000) % 86_400_000 / 60_000)
        return date(instant.beijingDay) + String(format: " %02d:%02d", minutes / 60, minutes % 60)
    }
}

/// Server-rendered pages: swift-mustache templates (escaping on: `{{x}}` is HTML-escaped, and
/// only the layout's `{{{body}}}`, itself a rendered template, is not).
enum WebPage {
    static let library: MustacheLibrary = {
        var library = MustacheLibrary()
        for (name, text) in WebTemplates.all {
            // A template that does not parse is a programming error caught by the first test.
            try! library.register(text, named: name)
        }
        return library
    }()

    /// The CSP of the pages: their own stylesheet, forms posting only here, no script at all.
    static let contentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    /// Renders `template` with `data` inside the layout.
    static func render(_ template: String, title: String, data: [String: Any], environment env: PageEnvironment,
                       status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var context = data
        context["t"] = env.language.catalogue
        context["lang"] = env.language.rawValue
        let body = library.render(context, withTemplate: template) ?? ""
        var layout: [String: Any] = ["t": env.language.catalogue, "lang": env.language.rawValue, "otherLang": env.language.other.rawValue,
                                     "title": title, "body": body, "nav": navigation(env)]
        if let visitor = env.visitor {
            layout["visitor"] = ["user": visitor.user, "party": env.party(visitor.principal.party), "csrf": visitor.csrfToken]
        }
        return html(status, library.render(layout, withTemplate: "layout") ?? "", headers: headers)
    }

    static func html(_ status: HTTPResponse.Status, _ text: String, headers: HTTPFields = [:]) -> Response {
        var fields: HTTPFields = [.contentType: "text/html; charset=utf-8", .contentSecurityPolicy: contentSecurityPolicy]
        fields.append(contentsOf: headers)
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func redirect(_ location: String, headers: HTTPFields = [:]) -> Response {
        var fields: HTTPFields = [.location: location]
        fields.append(contentsOf: headers)
        return Response(status: .seeOther, headers: fields)
    }

    /// A page that only says something (404, 403, 500), in the visitor's language.
    static func message(_ status: HTTPResponse.Status, titleKey: String, textKey: String, environment: PageEnvironment) -> Response {
        render("message", title: environment.t(titleKey), data: ["text": environment.t(textKey)], environment: environment, status: status)
    }

    /// The links a visitor may use: by the kind of party signed in.
    static func navigation(_ env: PageEnvironment) -> [[String: Any]] {
        var links: [(String, String)] = []
        switch env.visitor?.principal.kind {
        case "court"?: links = [("/entries", "nav_entries"), ("/entries/new", "nav_new_entry"), ("/board", "nav_board"), ("/report", "nav_report")]
        case "unit"?: links = [("/todo", "nav_todo"), ("/entries", "nav_entries"), ("/board", "nav_board")]
        case "auditor"?: links = [("/entries", "nav_entries"), ("/board", "nav_board"), ("/report", "nav_report"), ("/audit", "nav_audit")]
        case nil: links = [("/login", "sign_in")]
        default: links = []
        }
        links.append(("/search", "nav_search"))
        return links.map { ["href": $0.0, "label": env.t($0.1), "current": $0.0 == env.path] }
    }
}
