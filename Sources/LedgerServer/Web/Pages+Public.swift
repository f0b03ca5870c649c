import Foundation
import Hummingbird
import LedgerCalendar
import LedgerCrypto
import LedgerDomain
import LedgerService
import LedgerStore

/// 公开查询 (the public list, no sign-in, no captcha: the API's per-address limit instead).
/// The search shows exactly `PublicList.record`, the API's answer.
extension LedgerServerApp {
    func searchPage(_ request: Request, _ env: PageEnvironment, _ context: LedgerRequestContext) async throws -> Response {
        let name = (request.uri.queryParameters.get("name") ?? "").trimmingCharacters(in: .whitespaces)
        let idNumber = (request.uri.queryParameters.get("id_number") ?? "").trimmingCharacters(in: .whitespaces)
        var data: [String: Any] = ["name": name, "idNumber": idNumber, "searched": false, "hasError": false]
        guard !name.isEmpty else { return WebPage.render("search", title: env.t("search_title"), data: data, environment: env) }
        guard name.count <= 128 else {
            data["hasError"] = true
            data["error"] = env.format("err_required", env.t("search_name"))
            return WebPage.render("search", title: env.t("search_title"), data: data, environment: env, status: .badRequest)
        }
        let (admitted, retryAfter) = limiter.admit(context.clientAddress)
        guard admitted else {
            data["hasError"] = true
            data["error"] = env.t("search_rate_limited")
            return WebPage.render("search", title: env.t("search_title"), data: data, environment: env, status: .tooManyRequests,
                                  headers: [.retryAfter: String(retryAfter)])
        }
        let today = LedgerClock.now().beijingDay
        let results = try await ledger.publicCandidates(debtorName: name, listed: { _ in true }).compactMap { state, events in
            PublicList.record(state: state, events: events, today: (today.year, today.month, today.day), idNumber: idNumber.isEmpty ? nil : idNumber)
        }
        data["searched"] = true
        data["results"] = results.map { record -> [String: Any] in
            func text(_ key: String) -> String? {
                guard case .object(let members) = record, let value = members.first(where: { $0.0 == key })?.1 else { return nil }
                switch value {
                case .string(let s): return s
                case .integer(let i): return String(i)
                default: return nil
                }
            }
            func list(_ key: String) -> [String] {
                guard case .object(let members) = record, case .array(let items)? = members.first(where: { $0.0 == key })?.1 else { return [] }
                return items.compactMap { if case .string(let s) = $0 { s } else { nil } }
            }
            var row: [String: Any] = [
                "name": text("name") ?? "", "idNumber": text("id_number") ?? "", "court": env.party(text("court") ?? ""), "case": text("case") ?? "",
                "conduct": list("dishonest_conduct").map { env.t("ground_" + $0) }.joined(separator: "；"),
                "performance": text("performance") == "discharged" ? env.t("basis_full_performance") : env.t("pub_not_performed"),
                "published": text("published_at").flatMap { BeijingDay(iso: $0) }.map(env.date) ?? "—",
            ]
            row["sex"] = text("sex").map { $0 == "male" || $0 == "男" ? env.t("sex_male") : $0 == "female" || $0 == "女" ? env.t("sex_female") : $0 } ?? false
            row["age"] = text("age") ?? false
            row["legalRepresentative"] = text("legal_representative") ?? false
            return row
        }
        return WebPage.render("search", title: env.t("search_title"), data: data, environment: env)
    }
}
