/// The cookies the pages use, read from the `Cookie` header and written as `Set-Cookie`.
enum Cookies {
    /// The session id (random, 32 bytes hex); the server keeps only its SHA-256.
    static let session = "ll_session"
    /// Sign-in form token (double submit: the login form has no session to hold a token yet).
    static let signIn = "ll_signin"
    /// The language chosen with the switch (`zh-CN` or `en`).
    static let language = "ll_lang"

    /// `a=1; b=2` → [a: 1, b: 2]; the first of a repeated name wins.
    static func parse(_ header: String?) -> [String: String] {
        var found: [String: String] = [:]
        for part in (header ?? "").split(separator: ";") {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, !pair[0].isEmpty, found[pair[0]] == nil else { continue }
            found[pair[0]] = pair[1]
        }
        return found
    }

    /// HttpOnly, SameSite=Strict, Path=/ always (SPEC §6, issue 10.11); Secure when asked.
    /// `maxAge` 0 removes the cookie.
    static func set(_ name: String, _ value: String, maxAgeSeconds: Int64?, secure: Bool) -> String {
        var text = "\(name)=\(value); Path=/; HttpOnly; SameSite=Strict"
        if let maxAgeSeconds { text += "; Max-Age=\(maxAgeSeconds)" }
        if secure { text += "; Secure" }
        return text
    }
}

import Foundation
