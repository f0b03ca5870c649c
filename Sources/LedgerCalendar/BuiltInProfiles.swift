// The two built-in policy profiles as JSON (loaded and checked by PolicyProfile(json:)).
//
// Clause texts were checked against published copies of 最高人民法院关于公布失信被执行人名单信息的
// 若干规定 (法释〔2017〕7号, the 2017 amended text: 13 articles). Where the SPC provisions set no
// period for a rule, the clause says so and names where the figure comes from.

extension PolicyProfile {
    static let baisha2018JSON = #"""
    {
      "name": "baisha-2018",
      "description": "County implementation opinion on joint credit punishment (2018), section 完善失信被执行人名单制度: the periods of SPEC §1 (R2–R7). Days are calendar days unless stated as working days.",
      "source": "County opinion (2018), 完善失信被执行人名单制度, following 法释〔2017〕7号",
      "correction_window": {"kind": "calendar", "days": 10, "clause": "County opinion (2018), 完善失信被执行人名单制度 (R2): the debtor may apply to the deciding court for correction within 10 days of receiving the inclusion decision."},
      "reconsideration_window": {"kind": "calendar", "days": 10, "clause": "法释〔2017〕7号 第十二条: 对驳回决定不服的，可以自决定书送达之日起十日内向上一级人民法院申请复议。"},
      "correction_review": {"kind": "calendar", "days": 3, "clause": "County opinion (2018), 完善失信被执行人名单制度 (R3): the court reviews a correction application within 3 days of receiving it."},
      "correct_after_upheld": {"kind": "calendar", "days": 3, "counted_from": "request", "clause": "County opinion (2018), 完善失信被执行人名单制度 (R3): if the reasons hold the entry is revoked within the same 3-day review, counted from receipt of the application."},
      "reconsideration_review": {"kind": "calendar", "days": 15, "clause": "法释〔2017〕7号 第十二条: 上一级人民法院应当自收到复议申请之日起十五日内作出决定。"},
      "reconsideration_correct": {"kind": "working", "days": 3, "clause": "法释〔2017〕7号 第十二条 (理由成立的，应当在三个工作日内纠正), applied to a correction ordered on reconsideration: the provisions set no separate period for it."},
      "discharge_exit": {"kind": "calendar", "days": 3, "clause": "County opinion (2018), 完善失信被执行人名单制度 (R4): on full performance, performed settlement or lawful termination, the court shields or revokes the entry within 3 days."},
      "exit_publish": {"kind": "calendar", "days": 3, "clause": "County opinion (2018), 完善失信被执行人名单制度 (R5): shielding and revocation are made public promptly (及时); this profile reads promptly as 3 days."},
      "exit_notify": {"kind": "calendar", "days": 3, "clause": "County opinion (2018), 完善失信被执行人名单制度 (R5): every unit the entry was pushed to is notified promptly (及时); this profile reads promptly as 3 days."},
      "unit_lift": {"kind": "working", "days": 3, "clause": "County opinion (2018), 完善失信被执行人名单制度 (R6): units lift their measures promptly once the entry is shielded or revoked; this profile reads promptly as 3 working days."},
      "repost_delete": {"kind": "working", "days": 3, "clause": "County opinion (2018), 完善失信被执行人名单制度 (R7): anyone who reposted list information deletes a shielded or revoked entry within 3 working days."},
      "inclusion_term_months": {"months": 24, "applies_to_grounds": ["obstruction", "evasion", "false_property_report", "consumption_order_breach", "settlement_breach"], "clause": "法释〔2017〕7号 第二条 binds every court, the county's included: 具有第一条第二项至第六项规定情形的，纳入期限为二年 (ground 一, able_but_refuses, has no fixed term)."},
      "extension_months": {"min": 12, "max": 36, "clause": "法释〔2017〕7号 第二条: 以暴力、威胁方法妨碍、抗拒执行情节严重或具有多项失信行为的，可以延长一至三年。"},
      "term_end_delete": {"kind": "working", "days": 3, "clause": "法释〔2017〕7号 第十条第二款 (binding on every court): 纳入期限届满后三个工作日内，人民法院应当删除失信信息。 The county's 3-day discharge duty still applies to an entry with a term."},
      "personal_data_retention": {"clause": "No source sets a period: 法释〔2017〕7号 第十条 and the county opinion have the list information deleted (删除) or shielded, and PIPL arts. 19 and 47 ask that personal information be deleted once its purpose is served, but none names a number of days after the exit for the personal data itself. Left empty rather than invented: erasure is the court's act (listledger erase)."}
    }
    """#

    static let spc2017JSON = #"""
    {
      "name": "spc-2017",
      "description": "最高人民法院关于公布失信被执行人名单信息的若干规定 (法释〔2017〕7号): the national periods; where the provisions set none, the county figure is kept and the clause says so.",
      "source": "法释〔2017〕7号 (2013年7月1日通过, 2017年1月16日修正)",
      "reconsideration_window": {"kind": "calendar", "days": 10, "clause": "法释〔2017〕7号 第十二条: 对驳回决定不服的，可以自决定书送达之日起十日内向上一级人民法院申请复议。"},
      "correction_review": {"kind": "calendar", "days": 15, "clause": "法释〔2017〕7号 第十二条: 执行法院应当自收到书面纠正申请之日起十五日内审查。"},
      "correct_after_upheld": {"kind": "working", "days": 3, "counted_from": "decision", "met_by_ground": true, "clause": "法释〔2017〕7号 第十二条: 理由成立的，应当在三个工作日内纠正; 第九条: 不应纳入的撤销 (should_not_be_listed → entry_revoked), 记载有误的更正 (inaccurate → entry_corrected), 依法应删除的删除 (should_be_deleted → shielding or revocation)."},
      "reconsideration_review": {"kind": "calendar", "days": 15, "clause": "法释〔2017〕7号 第十二条: 上一级人民法院应当自收到复议申请之日起十五日内作出决定。"},
      "reconsideration_correct": {"kind": "working", "days": 3, "clause": "法释〔2017〕7号 第十二条 (理由成立的，应当在三个工作日内纠正), applied to a correction ordered on reconsideration: the provisions set no separate period for it."},
      "discharge_exit": {"kind": "working", "days": 3, "excludes_term_entries": true, "clause": "法释〔2017〕7号 第十条第一款: 被执行人已履行…、执行和解协议已履行完毕、依法裁定终结执行等情形，人民法院应当在三个工作日内删除失信信息。第十条第二款: 有纳入期限的，不适用前款规定 (such entries are deleted when the term ends, see term_end_delete)."},
      "exit_publish": {"kind": "working", "days": 3, "clause": "法释〔2017〕7号 sets no separate period for publishing an exit: deletion from the list database through which the list is published (第七条) is the 第十条 deletion, so its 3 working days apply."},
      "exit_notify": {"kind": "working", "days": 3, "clause": "法释〔2017〕7号 第八条 has the court notify the units of the list but sets no period for notifying an exit; this profile applies 第十条's 3 working days."},
      "unit_lift": {"kind": "working", "days": 3, "clause": "Not in 法释〔2017〕7号; the county opinion (R6) is kept: units lift measures promptly, read as 3 working days."},
      "repost_delete": {"kind": "working", "days": 3, "clause": "Not in 法释〔2017〕7号; the county opinion (R7) is kept: reposting units delete a shielded or revoked entry within 3 working days."},
      "inclusion_term_months": {"months": 24, "applies_to_grounds": ["obstruction", "evasion", "false_property_report", "consumption_order_breach", "settlement_breach"], "clause": "法释〔2017〕7号 第二条: 被执行人具有本规定第一条第二项至第六项规定情形的，纳入失信被执行人名单的期限为二年 (ground 一, able_but_refuses, has no fixed term)."},
      "extension_months": {"min": 12, "max": 36, "clause": "法释〔2017〕7号 第二条: 以暴力、威胁方法妨碍、抗拒执行情节严重或具有多项失信行为的，可以延长一至三年。"},
      "term_end_delete": {"kind": "working", "days": 3, "clause": "法释〔2017〕7号 第十条第二款: 纳入期限届满后三个工作日内，人民法院应当删除失信信息。"},
      "personal_data_retention": {"clause": "No source sets a period: 法释〔2017〕7号 第十条 and the county opinion have the list information deleted (删除) or shielded, and PIPL arts. 19 and 47 ask that personal information be deleted once its purpose is served, but none names a number of days after the exit for the personal data itself. Left empty rather than invented: erasure is the court's act (listledger erase)."}
    }
    """#
}
