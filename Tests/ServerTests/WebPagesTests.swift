import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
@testable import LedgerServer
import LedgerCalendar
import LedgerDomain
import LedgerService
import LedgerStore
import Testing

/// The pages (issue 11) over the real server and a real ledger file: Chinese first, the
/// names table, the API's visibility, forms that review, confirm and record.
@Suite struct WebPagesTests {
    @Test("every page is zh-CN with a title; ?lang=en switches to English and stays", arguments: Engine.available)
    func language(_ engine: Engine) async throws {
        let fixture = try await Fixture.make(engine)
        try await fixture.test { client in
            let browser = Browser(client)
            let login = try await browser.get("/login")
            #expect(login.text.contains(#"<html lang="zh-CN">"#) && login.text.contains("<title>登录 · 失信被执行人名单台账</title>"))
            #expect(login.headers[.contentSecurityPolicy]?.contains("script-src") == false)
            let english = try await browser.get("/login?lang=en")
            #expect(english.text.contains(#"<html lang="en">"#) && english.text.contains("<title>Sign in"))
            #expect(try await browser.get("/search").text.contains(#"<html lang="en">"#))
            let byBrowser = try await Browser(client).get("/search", headers: [.acceptLanguage: "en-US,en;q=0.9"])
            #expect(byBrowser.text.contains(#"<html lang="en">"#))
        }
    }

    @Test("名单 pages: newest change first, then entry; 20 a page; a page past the last shows the last; counts (streamed, a heap of page × 20)", arguments: Engine.available)
    func entriesPaging(_ engine: Engine) async throws {
        // 45 entries of this court: their inclusions on 15 days, three on each (ties broken by
        // entry), written in an order unrelated to either. Base entries A and B changed in 2024-03, C is another court's.
        let days = (0..<45).map { ($0 * 7) % 15 + 1 }
        let many = (0..<45).map { i in
            inclusion("P\(i < 10 ? "0" : "")\(i)", at: "2024-05-\(days[i] < 10 ? "0" : "")\(days[i])T10:00:00+08:00")
        }
        let fixture = try await Fixture.make(engine, events: baseEvents + many)
        try await fixture.addUser("clerk-wang", party: court)
        // Worked by hand: later days first, within a day P-numbers ascending; A and B after them.
        let expected = (1...15).reversed().flatMap { day in (0..<45).filter { days[$0] == day }.map { "P\($0 < 10 ? "0" : "")\($0)" } }
        try await fixture.test { client in
            let browser = Browser(client)
            try await browser.signIn("clerk-wang", "correct horse battery")
            func rows(_ page: Int) async throws -> (entries: [String], text: String) {
                let text = try await browser.get("/entries?page=\(page)").text
                let found = text.matches(of: /href="\/entries\/(P\d\d|A|B)"/).map { String($0.output.1) }
                var seen: [String] = []
                for entry in found where !seen.contains(entry) { seen.append(entry) }
                return (seen, text)
            }
            let first = try await rows(1), second = try await rows(2), third = try await rows(3), beyond = try await rows(9)
            #expect(first.entries == Array(expected[0..<20]))
            #expect(second.entries == Array(expected[20..<40]))
            #expect(third.entries == Array(expected[40..<45]) + ["A", "B"])  // A changed 03-09, B 03-05; C is another court's
            #expect(beyond.entries == third.entries)
            #expect(first.text.contains("第 1 页，共 3 页（47 条）") && beyond.text.contains("第 3 页，共 3 页（47 条）"))
        }
    }

    @Test("the entry page: Chinese names with the code as tooltip, national date format, who recorded, obligations", arguments: Engine.available)
    func entryPage(_ engine: Engine) async throws {
        let fixture = try await Fixture.make(engine)
        try await fixture.addUser("clerk-wang", party: court)
        try await fixture.test { client in
            let browser = Browser(client)
            try await browser.signIn("clerk-wang", "correct horse battery")
            let page = try await browser.get("/entries/A")
            #expect(page.status == .ok)
            let text = page.text
            #expect(text.contains(#"<span title="court:baisha">白沙黎族自治县人民法院</span>"#))
            #expect(text.contains(#"<span title="unit:pboc-baisha">中国人民银行白沙黎族自治县支行（人民银行白沙支行）</span>"#))
            // 2024-03-05T10:00+08:00 as the national platform writes dates, in Beijing time.
            #expect(text.contains("2024年03月05日 10:00"))
            #expect(text.contains("作出纳入失信名单决定") && text.contains("实施惩戒措施"))
            // Appended by the command line (the fixture), so no person: said so.
            #expect(text.contains("（命令行导入）"))
            // Every fact of the fixture was recorded long after 2024: marked as recorded late.
            #expect(text.contains(#"<span class="mark late""#))
            // The court supervises the unit's duty on A: the measure is lifted only after exit, so
            // no R6 yet; the R1 precondition (inclusion without risk notice) shows as breached.
            #expect(text.contains("纳入前应发出风险提示") && text.contains("已违期"))
            // Full ID for the court (as the API's history shows it).
            #expect(text.contains("460030198001010105"))
            // A listed entry offers shielding, not a second inclusion.
            #expect(text.contains("屏蔽名单信息") && !text.contains("<summary>作出纳入失信名单决定</summary>"))
            // The read is in the access log, as the API's are.
            #expect(try await fixture.accessLog(entry: "A").contains { $0.route == "/entries/{entry}" && $0.credential == "user:clerk-wang" })
        }
    }

    @Test("a unit sees the entries given to it; another's entry page is 404, as in the API", arguments: Engine.available)
    func unitVisibility(_ engine: Engine) async throws {
        let fixture = try await Fixture.make(engine)
        try await fixture.addUser("officer-chen", party: unit)
        try await fixture.addUser("officer-news", party: otherUnit)
        try await fixture.test { client in
            let chen = Browser(client)
            try await chen.signIn("officer-chen", "correct horse battery")
            #expect(try await chen.get("/entries/A").status == .ok)
            let other = try await chen.get("/entries/B")
            #expect(other.status == .notFound)
            #expect(!other.text.contains("测试乙"))
            let news = Browser(client)
            try await news.signIn("officer-news", "correct horse battery")
            #expect(try await news.get("/entries/A").status == .notFound)
            #expect(!(try await news.get("/entries").text.contains("测试甲")))
        }
    }

    @Test("an entry whose id is Chinese text opens from the list's link, on the page and in the API (the path parameter is percent-decoded)", arguments: Engine.available)
    func chineseEntryID(_ engine: Engine) async throws {
        let fixture = try await Fixture.make(engine, events: baseEvents + [inclusion("(2024)琼9030执5号-某某", name: "测试丁", id: "460030198001010121")])
        try await fixture.addUser("clerk-wang", party: court)
        try await fixture.test { client in
            let browser = Browser(client)
            try await browser.signIn("clerk-wang", "correct horse battery")
            // By hand: 琼 E7 90 BC, 执 E6 89 A7, 号 E5 8F B7, 某 E6 9F 90; parentheses and "-" may stand in a path.
            let path = "(2024)%E7%90%BC9030%E6%89%A75%E5%8F%B7-%E6%9F%90%E6%9F%90"
            #expect(try await browser.get("/entries").text.contains(#"href="/entries/\#(path)""#))
            let page = try await browser.get("/entries/" + path)
            #expect(page.status == .ok && page.text.contains("测试丁"), "\(page.text)")
            for uri in ["/api/v1/entries/" + path, "/api/v1/entries/\(path)/history"] {
                let answer = try await client.execute(uri: uri, method: .get, headers: fixture.headers(.court))
                #expect(answer.status == .ok && answer.text.contains("(2024)琼9030执5号-某某"), "\(uri): \(answer.text)")
            }
            #expect(try await browser.get("/entries/%ZZ").status == .notFound, "a malformed escape is no entry")
        }
    }

    @Test("a new entry: a wrong ID check digit is shown in Chinese next to the field and records nothing; then review, confirm, record", arguments: Engine.available)
    func newEntryForm(_ engine: Engine) async throws {
        let fixture = try await Fixture.make(engine)
        try await fixture.addUser("clerk-wang", party: court)
        try await fixture.test { client in
            let browser = Browser(client)
            try await browser.signIn("clerk-wang", "correct horse battery")
            let token = Browser.csrf(in: try await browser.get("/entries/new").text) ?? ""
            let before = try await fixture.logSize()
            // GB 11643 by hand for 46003019800101010: weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2 give
            // 28+54+24+2+9+48+9+5+4 = 183, 183 mod 11 = 7, and 7 maps to "5"; so …010X is wrong.
            var form: [(String, String)] = [("csrf", token), ("step", "review"), ("entry", "N1"), ("case", "(2026)琼9030执1号"), ("debtor_kind", "person"),
                                            ("debtor_name", "某乙"), ("debtor_id", "46003019800101010X"), ("at", "2026-01-05T10:00")]
            let wrong = try await browser.post("/entries/new", form)
            #expect(wrong.status == .badRequest)
            #expect(wrong.text.contains(#"<p class="error" id="e-debtor_id">「身份证号码或统一社会信用代码」校验位不正确，请核对号码。</p>"#), "\(wrong.text)")
            #expect(wrong.text.contains(#"class="error-summary""#) && wrong.text.contains(##"href="#f-debtor_id""##))
            #expect(try await fixture.logSize() == before)
            form[6] = ("debtor_id", "460030198001010105")
            let review = try await browser.post("/entries/new", form)
            #expect(review.status == .ok && review.text.contains("确认记录"))
            #expect(try await fixture.logSize() == before, "the review step writes nothing")
            form[1] = ("step", "confirm")
            let done = try await browser.post("/entries/new", form)
            #expect(done.status == .seeOther && done.headers[.location] == "/entries/N1?recorded=\(before + 1)", "\(done.text)")
            #expect(try await fixture.entryState("N1")?.court == court)
            // The same event posted again is a repeat: not stored twice.
            #expect(try await browser.post("/entries/new", form).status == .badRequest)  // the entry id is taken now
        }
    }

    @Test("two clerks, one entry: the form confirmed after the other clerk recorded answers 409 with what changed, and records nothing", arguments: Engine.available)
    func twoClerksOneEntry(_ engine: Engine) async throws {
        let fixture = try await Fixture.make(engine)
        try await fixture.withSignedIn(["clerk-wang", "clerk-li"]) { browsers in
            let (wang, li) = (browsers[0], browsers[1])
            let wangPage = try await wang.get("/entries/B").text
            let liPage = try await li.get("/entries/B").text
            // B's inclusion is the fixture's 6th event (A has five before it): its forms carry 6.
            #expect(wangPage.contains(#"name="last_seq" value="6""#), "\(wangPage)")
            let served: [(String, String)] = [("type", "decision_served"), ("key", ""), ("method", "in_person"), ("last_seq", "6")]
            let liDone = try await li.post("/entries/B/acts", [("csrf", Browser.csrf(in: liPage) ?? ""), ("step", "confirm"), ("at", "2024-03-06T10:00")] + served)
            #expect(liDone.status == .seeOther, "\(liDone.text)")
            let size = try await fixture.logSize()
            #expect(size == 8)
            // Wang confirms what his page offered him; li's act (seq 8) came in between.
            let wangDone = try await wang.post("/entries/B/acts", [("csrf", Browser.csrf(in: wangPage) ?? ""), ("step", "confirm"), ("at", "2024-03-07T09:00")] + served)
            #expect(wangDone.status == .conflict)
            #expect(wangDone.text.contains("条目已有新的记录") && wangDone.text.contains("最新序号 8") && wangDone.text.contains("没有记录"), "\(wangDone.text)")
            #expect(wangDone.text.contains("<td>8</td>") && wangDone.text.contains("送达纳入决定") && wangDone.text.contains("clerk-li"), "\(wangDone.text)")
            #expect(try await fixture.logSize() == size, "nothing written")
            // A version that is no seq is refused as a bad form, nothing written.
            let bad = try await wang.post("/entries/B/acts", [("csrf", Browser.csrf(in: wangPage) ?? ""), ("step", "confirm"), ("at", "2024-03-07T09:00"),
                                                             ("type", "decision_served"), ("key", ""), ("method", "in_person"), ("last_seq", "six")])
            #expect(bad.status == .badRequest && bad.text.contains("last_seq"), "\(bad.text)")
            #expect(try await fixture.logSize() == size)
        }
    }

    @Test("the public search page shows the masked ID and nothing of a non-public entry; names are escaped", arguments: Engine.available)
    func publicSearch(_ engine: Engine) async throws {
        let fixture = try await Fixture.make(engine, events: baseEvents + [
            inclusion("X", name: "<b>某丁</b>", id: "460030198001010121"),
            event("decision_served", "X", "2024-03-06T10:00:00+08:00"), event("entry_published", "X", "2024-03-07T10:00:00+08:00"),
        ])
        try await fixture.test { client in
            let browser = Browser(client)
            let found = try await browser.get("/search?name=" + Browser.encode("测试甲"))
            #expect(found.status == .ok)
            // SPEC §6: first 10 and last 4 characters, **** between.
            #expect(found.text.contains("4600301980****0105") && !found.text.contains("460030198001010105"))
            #expect(found.text.contains("白沙黎族自治县人民法院"))
            // B was never published: not on the public list.
            #expect(try await browser.get("/search?name=" + Browser.encode("测试乙")).text.contains("未找到公开的名单信息"))
            let escaped = try await browser.get("/search?name=" + Browser.encode("<b>某丁</b>"))
            #expect(escaped.text.contains("&lt;b&gt;某丁&lt;/b&gt;") && !escaped.text.contains("<b>某丁"))
        }
    }

    @Test("the unit's to-do lists its duty with a one-click form; after the lift it is gone and the board changes", arguments: Engine.available)
    func unitDuty(_ engine: Engine) async throws {
        try await withUnitAfterExit(engine) { fixture, chen in
            let todo = try await chen.get("/todo")
            #expect(todo.text.contains("解除惩戒措施") && todo.text.contains("已违期") || todo.text.contains("逾期"), "\(todo.text)")
            let board = try await chen.get("/board")
            #expect(board.text.contains(#"<td class="breached">1</td>"#), "\(board.text)")
            // The one-click form carries A's last seq: its five events, then B and C (6, 7), then
            // the shielding (8) and the exit notice (9).
            #expect(todo.text.contains(#"name="last_seq" value="9""#), "\(todo.text)")
            let token = Browser.csrf(in: todo.text) ?? ""
            let lift: [(String, String)] = [("csrf", token), ("type", "measure_lifted"), ("key", "credit_restriction"), ("at", "2026-01-05T10:00"), ("back", "todo")]
            let review = try await chen.post("/entries/A/acts", lift + [("step", "review")])
            #expect(review.status == .ok && review.text.contains("授信限制"), "\(review.text)")
            let done = try await chen.post("/entries/A/acts", lift + [("step", "confirm")])
            #expect(done.status == .seeOther && done.headers[.location]?.hasPrefix("/todo?recorded=") == true, "\(done.text)")
            #expect(try await fixture.entryState("A")?.measures.first?.status == "lifted")
            #expect(try await chen.get("/todo").text.contains("目前没有待办事项"))
            #expect(try await chen.get("/board").text.contains("没有未完成的期限义务"))
        }
    }

    @Test("a rule's refusal is said in Chinese at the field: a lift dated before the measure it lifts; nothing recorded", arguments: Engine.available)
    func refusalInChinese(_ engine: Engine) async throws {
        try await withUnitAfterExit(engine) { fixture, chen in
            let token = Browser.csrf(in: try await chen.get("/todo").text) ?? ""
            let before = try await fixture.logSize()
            // The fixture applies credit_restriction at 2024-03-09 10:00 Beijing time; a lift at
            // 09:00 that morning answers nothing yet (SPEC §3).
            let lift: [(String, String)] = [("csrf", token), ("type", "measure_lifted"), ("key", "credit_restriction"), ("at", "2024-03-09T09:00"), ("step", "confirm")]
            let refused = try await chen.post("/entries/A/acts", lift)
            #expect(refused.status == .badRequest)
            #expect(refused.text.contains("「事实发生时间（北京时间）」早于它所答复的中国人民银行白沙黎族自治县支行（人民银行白沙支行）采取的授信限制（2024年03月09日 10:00）"), "\(refused.text)")
            #expect(!refused.text.contains("is before the"), "no English left in the Chinese page")
            #expect(try await fixture.logSize() == before)
            let english = try await chen.post("/entries/A/acts?lang=en", lift)
            #expect(english.text.contains("is before the Credit restriction applied by 中国人民银行白沙黎族自治县支行"), "\(english.text)")
        }
    }

    @Test("待办 offers 签收 of the push and of the exit notice once each; a confirmed 签收 records unit_acknowledged and leaves the list", arguments: Engine.available)
    func unitAcknowledges(_ engine: Engine) async throws {
        try await withUnitAfterExit(engine) { fixture, chen in
            let todo = try await chen.get("/todo")
            #expect(todo.text.contains("待签收") && todo.text.contains("签收推送") && todo.text.contains("签收退出通知"), "\(todo.text)")
            let token = Browser.csrf(in: todo.text) ?? ""
            let ack: [(String, String)] = [("csrf", token), ("type", "unit_acknowledged"), ("key", "push"), ("at", "2026-01-05T10:00"), ("back", "todo")]
            let review = try await chen.post("/entries/A/acts", ack + [("step", "review")])
            #expect(review.status == .ok, "\(review.text)")
            let done = try await chen.post("/entries/A/acts", ack + [("step", "confirm")])
            #expect(done.status == .seeOther, "\(done.text)")
            let state = try await fixture.entryState("A")
            #expect(state?.hasAcknowledged(.push, unit: unit) == true)
            #expect(state?.hasAcknowledged(.exitNotice, unit: unit) == false)
            let after = try await chen.get("/todo").text
            #expect(!after.contains("签收推送") && after.contains("签收退出通知"), "\(after)")
        }
    }

    @Test("the same scenario shows the same pages on SQLite and on PostgreSQL, apart from form tokens and the times of today",
          .enabled(if: Engine.available.contains(.postgresql), "LISTLEDGER_PG_URL is unset: no PostgreSQL to compare with"))
    func enginesShowTheSamePages() async throws {
        var shown: [Engine: [String]] = [:]
        for engine in Engine.allCases {
            let fixture = try await Fixture.make(engine, events: Self.afterExit)
            try await fixture.addUser("clerk-wang", party: court)
            try await fixture.addUser("officer-chen", party: unit)
            try await fixture.addUser("auditor-li", party: auditor, scopes: [.audit])
            shown[engine] = try await fixture.test { client in
                var pages: [String] = []
                for (user, paths) in [("clerk-wang", ["/entries", "/entries/A", "/entries/B", "/board", "/report"]),
                                      ("officer-chen", ["/todo", "/board", "/entries", "/entries/A"]), ("auditor-li", ["/entries", "/audit"])] {
                    let browser = Browser(client)
                    try await browser.signIn(user, "correct horse battery")
                    for path in paths {
                        let page = try await browser.get(path)
                        pages.append("\(user) \(path) \(page.status.code)\n" + Self.withoutTokensAndToday(page.text))
                    }
                }
                let search = try await Browser(client).get("/search?name=" + Browser.encode("测试甲"))
                pages.append("/search \(search.status.code)\n" + Self.withoutTokensAndToday(search.text))
                return pages
            }
        }
        let (sqlite, postgresql) = (try #require(shown[.sqlite]), try #require(shown[.postgresql]))
        #expect(sqlite.count == postgresql.count)
        for (one, other) in zip(sqlite, postgresql) {
            #expect(one == other, "the engines differ:\n\(one)\n---\n\(other)")
        }
        // Not two empty pages alike: the clerk's list names the entries and the court.
        #expect(sqlite[0].hasPrefix("clerk-wang /entries 200") && sqlite[0].contains(">A</a>") && sqlite[0].contains("白沙黎族自治县人民法院"))
    }

    /// A page with its form tokens and the times of today replaced by placeholders: when the
    /// fixture recorded its events, and the forms' default fact time (now), which differ by
    /// seconds, so sometimes by a minute, between the two ledgers.
    static func withoutTokensAndToday(_ page: String) -> String {
        let today = LedgerClock.now().beijingDay
        let stamp = String(format: "%04d年%02d月%02d日 [0-9]{2}:[0-9]{2}", today.year, today.month, today.day)
        let now = String(format: #"value="%04d-%02d-%02dT[0-9]{2}:[0-9]{2}""#, today.year, today.month, today.day)
        return page.replacingOccurrences(of: #"value="[0-9a-f]{64}""#, with: #"value="TOKEN""#, options: .regularExpression)
            .replacingOccurrences(of: stamp, with: "TODAY", options: .regularExpression)
            .replacingOccurrences(of: now, with: #"value="NOW""#, options: .regularExpression)
    }

    static let afterExit = baseEvents + [
        event("entry_shielded", "A", "2024-04-01T10:00:00+08:00", ["reason": "discharge"]),
        event("unit_notified_of_exit", "A", "2024-04-02T10:00:00+08:00", ["unit": unit]),
    ]

    /// Entry A shielded and its exit notified to the unit, which still applies its measure (R6
    /// open, breached by now); the unit's officer signed in to the pages.
    private func withUnitAfterExit(_ engine: Engine, _ body: @escaping @Sendable (Fixture, Browser) async throws -> Void) async throws {
        let fixture = try await Fixture.make(engine, events: Self.afterExit)
        try await fixture.addUser("officer-chen", party: unit)
        try await fixture.test { client in
            let chen = Browser(client)
            try await chen.signIn("officer-chen", "correct horse battery")
            try await body(fixture, chen)
        }
    }

    @Test("the message catalogues have the same keys, and every {{t.KEY}} of a template exists")
    func catalogue() throws {
        #expect(Set(Messages.zh.keys) == Set(Messages.en.keys), "missing in en: \(Set(Messages.zh.keys).subtracting(Messages.en.keys)); missing in zh: \(Set(Messages.en.keys).subtracting(Messages.zh.keys))")
        let pattern = try NSRegularExpression(pattern: #"\{\{t\.([a-z0-9_]+)\}\}"#)
        for (name, text) in WebTemplates.all {
            for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                let key = String(text[Range(match.range(at: 1), in: text)!])
                #expect(Messages.zh[key] != nil, "template \(name) uses t.\(key), which the catalogue lacks")
            }
        }
        // Keys built in code: every event type, status, ground, method, basis and duty.
        for key in ["act_inclusion_decided", "status_listed", "ground_evasion", "method_post", "basis_not_enforced", "duty_unit_lift", "obligation_breached"] {
            #expect(Messages.zh[key] != nil && Messages.en[key] != nil, "\(key)")
        }
        for type in LedgerDomain.EventType.allCases { #expect(Messages.zh["act_" + type.rawValue] != nil, "act_\(type.rawValue)") }
        for measures in PartyNames.measures.values { for m in measures { #expect(Messages.zh["measure_" + m] != nil && Messages.en["measure_" + m] != nil, "measure_\(m)") } }
    }

    @Test("the names seed is Fixtures/scenarios/units.json, and the table keeps a name the operator changed", arguments: Engine.available)
    func namesTable(_ engine: Engine) async throws {
        let url = repositoryRoot.appendingPathComponent("Fixtures/scenarios/units.json")
        let units = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [[String: Any]])
        let seed = Dictionary(uniqueKeysWithValues: PartyNames.seed.map { ($0.code, $0.name) })
        for unit in units {
            let code = unit["code"] as! String
            #expect(seed[code] == unit["name"] as? String, "\(code)")
            #expect(PartyNames.measures[code] == (unit["measures"] as? [String]), "\(code)")
        }
        #expect(seed["court:baisha"] == "白沙黎族自治县人民法院")
        // The server adds the seed at start; the operator renames a court; the next start keeps it.
        let fixture = try await Fixture.make(engine)
        try await fixture.test { _ in }
        try await fixture.renameParty("court:baisha", to: "白沙县法院")
        try await fixture.test { _ in }
        #expect(try await fixture.partyNames()["court:baisha"] == "白沙县法院")
    }
}

import LedgerDomain
import TestSupport
