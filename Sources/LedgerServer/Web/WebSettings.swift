/// How the web pages' sessions behave (`listledger serve --secure-cookies`, …).
package struct WebSettings: Sendable {
    /// A session ends this long after sign-in, whatever happens in between (absolute expiry).
    package var sessionLifetimeMilliseconds: Int64 = 8 * 3_600_000
    /// Adds `Secure` to the cookies: set it when the server is reached over TLS (behind a proxy).
    package var secureCookies = false

    package init() {}
}
