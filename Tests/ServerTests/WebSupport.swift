import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LedgerDomain
import LedgerService
import LedgerStore
import Testing

/// A person using the pages through HummingbirdTesting: keeps the cookies the server sets,
/// reads the form token out of the pages, posts forms as a browser would.
final class Browser: @unchecked Sendable {
    let client: any TestClientProtocol
    var cookies: [String: String] = [:]
    init(_ client: any TestClientProtocol) { self.client = client }

    var cookieHeader: HTTPFields {
        cookies.isEmpty ? [:] : [.cookie: cookies.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "; ")]
    }

    func keep(_ response: TestResponse) {
        for field in response.headers where field.name == .setCookie {
            let pair = field.value.split(separator: ";")[0].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(pair[0]), value = pair.count > 1 ? String(pair[1]) : ""
            if value.isEmpty || field.value.contains("Max-Age=0") { cookies[name] = nil } else { cookies[name] = value }
        }
    }

    @discardableResult
    func get(_ uri: String, headers: HTTPFields = [:]) async throws -> TestResponse {
        var fields = cookieHeader
        fields.append(contentsOf: headers)
        let response = try await client.execute(uri: uri, method: .get, headers: fields, body: nil)
        keep(response)
        return response
    }

    @discardableResult
    func post(_ uri: String, _ form: [(String, String)]) async throws -> TestResponse {
        var fields = cookieHeader
        fields[.contentType] = "application/x-www-form-urlencoded"
        let body = form.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        let response = try await client.execute(uri: uri, method: .post, headers: fields, body: ByteBuffer(string: body))
        keep(response)
        return response
    }

    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? text
    }

    /// The form token in a page (every form carries it as `csrf`).
    static func csrf(in page: String) -> String? {
        guard let range = page.range(of: #"name="csrf" value="([0-9a-f]{64})""#, options: .regularExpression) else { return nil }
        return String(page[range].dropFirst(#"name="csrf" value=""#.count).prefix(64))
    }

    /// Signs in through the sign-in form; returns the POST's response.
    @discardableResult
    func signIn(_ user: String, _ password: String) async throws -> TestResponse {
        let page = try await get("/login")
        let token = Self.csrf(in: page.text) ?? ""
        return try await post("/login", [("csrf", token), ("user", user), ("password", password)])
    }
}
