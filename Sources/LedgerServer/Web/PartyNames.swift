import LedgerStore

/// The names table's seed: every unit of Fixtures/scenarios/units.json (WebNamesTests checks
/// this list against that file, so the two cannot drift) and the courts of the demo ledger.
/// The server adds the names it does not know yet at start; a name the operator changed in
/// `party_names` is kept.
enum PartyNames {
    static let seed: [(code: String, name: String)] = [
        ("court:baisha", "白沙黎族自治县人民法院"),
        ("court:hainan-2nd-intermediate", "海南省第二中级人民法院"),
        ("court:hainan-no1-intermediate", "海南省第一中级人民法院"),
        ("unit:pboc-baisha", "中国人民银行白沙黎族自治县支行（人民银行白沙支行）"),
        ("unit:baisha-drc", "白沙黎族自治县发展和改革委员会（县发改委）"),
        ("unit:baisha-finance", "白沙黎族自治县财政局（县财政局）"),
        ("unit:baisha-land", "白沙黎族自治县国土资源局（县国土资源局）"),
        ("unit:baisha-housing", "白沙黎族自治县住房和城乡建设局（县住建局）"),
        ("unit:baisha-psb", "白沙黎族自治县公安局（县公安局）"),
        ("unit:baisha-amr", "白沙黎族自治县市场监督管理局（县市场监管局）"),
        ("unit:baisha-hrss", "白沙黎族自治县人力资源和社会保障局（县人社局）"),
        ("unit:baisha-civil-affairs", "白沙黎族自治县民政局（县民政局）"),
        ("unit:baisha-education", "白沙黎族自治县教育局（县教育局）"),
        ("unit:baisha-forestry", "白沙黎族自治县林业局（县林业局）"),
        ("unit:baisha-civilization-office", "中共白沙黎族自治县委员会精神文明建设办公室（县文明办）"),
        ("unit:baisha-media-center", "白沙黎族自治县融媒体中心"),
        ("unit:employer-demo-rubber", "白沙某某橡胶加工有限公司（虚构的用人单位）"),
        ("unit:employer-demo-school", "白沙某某学校（虚构的用人单位，事业单位）"),
    ]

    /// The measures each unit of units.json applies (its measure form offers these).
    static let measures: [String: [String]] = [
        "unit:pboc-baisha": ["credit_restriction"],
        "unit:baisha-drc": ["government_investment_project_restriction", "policy_support_restriction"],
        "unit:baisha-finance": ["government_subsidy_restriction", "public_procurement_restriction"],
        "unit:baisha-land": ["real_estate_transaction_restriction"],
        "unit:baisha-housing": ["construction_qualification_restriction", "high_end_housing_restriction"],
        "unit:baisha-psb": ["exit_restriction"],
        "unit:baisha-amr": ["senior_role_restriction", "food_drug_industry_restriction"],
        "unit:baisha-hrss": ["public_recruitment_restriction"],
        "unit:baisha-civil-affairs": ["social_organization_restriction"],
        "unit:baisha-education": ["private_school_fee_restriction"],
        "unit:baisha-forestry": ["state_forest_land_use_restriction"],
        "unit:baisha-civilization-office": ["honour_restriction"],
        "unit:baisha-media-center": [],
        "unit:employer-demo-rubber": ["honour_restriction"],
        "unit:employer-demo-school": ["honour_restriction", "promotion_restriction"],
    ]

    /// Creates the session and names tables and adds the seed names (at server start).
    static func prepare(path: String) throws {
        let ledger = try Ledger.open(path: path)
        try ledger.ensureCredentialTables()
        try ledger.ensureSessionTables()
        try ledger.seedPartyNames(seed)
    }
}
