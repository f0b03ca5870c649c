import Foundation

/// How a profile period is counted.
package enum PeriodKind: String, Codable, Sendable, Hashable {
    case calendar
    case working
}

/// Which event a period runs from, where a rule could be read either way.
package enum CountedFrom: String, Codable, Sendable, Hashable {
    /// The event that opens the obligation (the default when absent).
    case trigger
    /// The correction request (baisha: revoke within the 3-day review of the request).
    case request
    /// The decision that the reasons hold (SPC art. 12: correct within 3 working days).
    case decision
}

/// One period of a policy profile, with the clause it comes from.
package struct ProfilePeriod: Codable, Sendable, Hashable {
    package var kind: PeriodKind
    package var days: Int
    /// Absent means counted from the obligation's trigger event.
    package var countedFrom: CountedFrom?
    /// `correct_after_upheld`: met by the act the request's `ground` calls for (SPC arts. 9,
    /// 11, 12) rather than by revocation alone.
    package var metByGround: Bool?
    /// `discharge_exit`: not opened for an entry with an inclusion term (SPC art. 10 ¶2:
    /// 有纳入期限的，不适用前款规定), which is deleted when its term ends instead.
    package var excludesTermEntries: Bool?
    package var clause: String

    package init(kind: PeriodKind, days: Int, countedFrom: CountedFrom? = nil, clause: String) {
        self.kind = kind
        self.days = days
        self.countedFrom = countedFrom
        self.clause = clause
    }

    package var period: Period { kind == .calendar ? .calendarDays(days) : .workingDays(days) }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case kind, days, clause
        case countedFrom = "counted_from"
        case metByGround = "met_by_ground"
        case excludesTermEntries = "excludes_term_entries"
    }
}

/// The inclusion term (SPC art. 2).
package struct ProfileTerm: Codable, Sendable, Hashable {
    package var months: Int
    /// The grounds (SPEC §3 names) the term applies to; absent means every entry.
    package var appliesToGrounds: [String]?
    package var clause: String

    enum CodingKeys: String, CodingKey, CaseIterable {
        case months, clause
        case appliesToGrounds = "applies_to_grounds"
    }
}

/// How long an entry's personal data is kept after its exit (SPEC §7, issue 12). A figure
/// only when a source sets one: otherwise `daysAfterExit` is absent and `clause` says so.
package struct ProfileRetention: Codable, Sendable, Hashable {
    package var daysAfterExit: Int?
    package var clause: String

    enum CodingKeys: String, CodingKey, CaseIterable {
        case clause
        case daysAfterExit = "days_after_exit"
    }
}

/// The range of a term extension in months (SPC art. 2: one to three years).
package struct ProfileExtension: Codable, Sendable, Hashable {
    package var min: Int
    package var max: Int
    package var clause: String

    enum CodingKeys: String, CodingKey, CaseIterable {
        case min, max, clause
    }
}

/// Why a profile cannot be used.
package struct ProfileError: Error, Equatable, Sendable, CustomStringConvertible {
    package let message: String
    package var description: String { "invalid policy profile: \(message)" }
}

/// The periods the obligations engine applies (SPEC §1): data, not code. Every figure names
/// its source clause. Two built-ins: `baisha-2018` (default, the county opinion) and `spc-2017`
/// (the SPC provisions, 法释〔2017〕7号).
package struct PolicyProfile: Codable, Sendable, Hashable {
    package var name: String
    package var description: String
    package var source: String

    /// R2: the debtor's window to apply for correction, from service of the decision; nil
    /// where the rules set no time limit (spc-2017: SPC art. 11).
    package var correctionWindow: ProfilePeriod?
    /// R2: the debtor's window to apply for reconsideration, from service of a rejection.
    package var reconsiderationWindow: ProfilePeriod
    /// R3: the court's review of a correction application, from its receipt.
    package var correctionReview: ProfilePeriod
    /// R3: revocation after a correction is upheld (see `countedFrom`).
    package var correctAfterUpheld: ProfilePeriod
    /// R3: the higher court's decision on reconsideration, from the request.
    package var reconsiderationReview: ProfilePeriod
    /// R3: revocation after reconsideration is upheld.
    package var reconsiderationCorrect: ProfilePeriod
    /// R4: shielding/revocation after the obligation is discharged.
    package var dischargeExit: ProfilePeriod
    /// R5: publishing the exit.
    package var exitPublish: ProfilePeriod
    /// R5: notifying each unit of the exit.
    package var exitNotify: ProfilePeriod
    /// R6: a unit lifting its measures once notified.
    package var unitLift: ProfilePeriod
    /// R7: a reposting unit deleting the entry.
    package var repostDelete: ProfilePeriod
    /// SPC art. 2 inclusion term; nil in profiles without one.
    package var inclusionTermMonths: ProfileTerm?
    /// SPC art. 2 extension range; nil in profiles without one.
    package var extensionMonths: ProfileExtension?
    /// SPC art. 10 deletion after the term ends; nil in profiles without a term.
    package var termEndDelete: ProfilePeriod?
    /// Retention of personal data after the exit; the alert runner lists entries past it as
    /// due for erasure. Optional: profiles written before issue 12 have none.
    package var personalDataRetention: ProfileRetention?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, description, source
        case correctionWindow = "correction_window"
        case reconsiderationWindow = "reconsideration_window"
        case correctionReview = "correction_review"
        case correctAfterUpheld = "correct_after_upheld"
        case reconsiderationReview = "reconsideration_review"
        case reconsiderationCorrect = "reconsideration_correct"
        case dischargeExit = "discharge_exit"
        case exitPublish = "exit_publish"
        case exitNotify = "exit_notify"
        case unitLift = "unit_lift"
        case repostDelete = "repost_delete"
        case inclusionTermMonths = "inclusion_term_months"
        case extensionMonths = "extension_months"
        case termEndDelete = "term_end_delete"
        case personalDataRetention = "personal_data_retention"
    }

    /// Every period of the profile by its JSON key, in a fixed order (absent ones left out).
    package var periods: [(key: String, period: ProfilePeriod)] {
        var out: [(String, ProfilePeriod)] = correctionWindow.map { [("correction_window", $0)] } ?? []
        out += [
            ("reconsideration_window", reconsiderationWindow),
            ("correction_review", correctionReview),
            ("correct_after_upheld", correctAfterUpheld),
            ("reconsideration_review", reconsiderationReview),
            ("reconsideration_correct", reconsiderationCorrect),
            ("discharge_exit", dischargeExit),
            ("exit_publish", exitPublish),
            ("exit_notify", exitNotify),
            ("unit_lift", unitLift),
            ("repost_delete", repostDelete),
        ]
        if let t = termEndDelete { out.append(("term_end_delete", t)) }
        return out.map { (key: $0.0, period: $0.1) }
    }

    /// The period under a JSON key (`"correction_review"`, …), or nil.
    package func period(_ key: String) -> ProfilePeriod? {
        periods.first(where: { $0.key == key })?.period
    }

    // MARK: JSON

    /// Loads a profile from JSON and checks it: every required key present, no unknown key
    /// (a typo must not silently fall back to nothing), days ≥ 1, clauses non-empty.
    package init(json bytes: [UInt8]) throws(ProfileError) {
        let data = Data(bytes)
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw ProfileError(message: "not valid JSON")
        }
        guard let top = object as? [String: Any] else { throw ProfileError(message: "not a JSON object") }
        try Self.refuseUnknownKeys(top, allowed: Set(CodingKeys.allCases.map(\.rawValue)), at: "")
        for (key, value) in top {
            guard let nested = value as? [String: Any] else { continue }
            let allowed: Set<String> = switch key {
            case CodingKeys.inclusionTermMonths.rawValue: Set(ProfileTerm.CodingKeys.allCases.map(\.rawValue))
            case CodingKeys.extensionMonths.rawValue: Set(ProfileExtension.CodingKeys.allCases.map(\.rawValue))
            case CodingKeys.personalDataRetention.rawValue: Set(ProfileRetention.CodingKeys.allCases.map(\.rawValue))
            default: Set(ProfilePeriod.CodingKeys.allCases.map(\.rawValue))
            }
            try Self.refuseUnknownKeys(nested, allowed: allowed, at: key + ".")
        }
        let decoded: PolicyProfile
        do {
            decoded = try JSONDecoder().decode(PolicyProfile.self, from: data)
        } catch let DecodingError.keyNotFound(key, ctx) {
            let path = (ctx.codingPath.map(\.stringValue) + [key.stringValue]).joined(separator: ".")
            throw ProfileError(message: "missing \"\(path)\"")
        } catch let DecodingError.dataCorrupted(ctx) {
            throw ProfileError(message: "bad value at \"\(ctx.codingPath.map(\.stringValue).joined(separator: "."))\"")
        } catch let DecodingError.typeMismatch(_, ctx) {
            throw ProfileError(message: "wrong type at \"\(ctx.codingPath.map(\.stringValue).joined(separator: "."))\"")
        } catch let DecodingError.valueNotFound(_, ctx) {
            throw ProfileError(message: "null at \"\(ctx.codingPath.map(\.stringValue).joined(separator: "."))\"")
        } catch {
            throw ProfileError(message: "\(error)")
        }
        try decoded.validate()
        self = decoded
    }

    private static func refuseUnknownKeys(_ object: [String: Any], allowed: Set<String>, at prefix: String) throws(ProfileError) {
        if let unknown = object.keys.filter({ !allowed.contains($0) }).sorted().first {
            throw ProfileError(message: "unknown key \"\(prefix)\(unknown)\" (accepted: \(allowed.sorted().joined(separator: ", ")))")
        }
    }

    private func validate() throws(ProfileError) {
        guard !name.isEmpty else { throw ProfileError(message: "empty \"name\"") }
        for (key, p) in periods {
            guard p.days >= 1 else { throw ProfileError(message: "\"\(key).days\" must be at least 1") }
            guard !p.clause.isEmpty else { throw ProfileError(message: "\"\(key).clause\" is empty") }
        }
        if let t = inclusionTermMonths {
            guard (1...60).contains(t.months) else { throw ProfileError(message: "\"inclusion_term_months.months\" must be 1–60") }
            guard !t.clause.isEmpty else { throw ProfileError(message: "\"inclusion_term_months.clause\" is empty") }
        }
        if let e = extensionMonths {
            guard e.min >= 1, e.min <= e.max else { throw ProfileError(message: "\"extension_months\" needs 1 ≤ min ≤ max") }
            guard !e.clause.isEmpty else { throw ProfileError(message: "\"extension_months.clause\" is empty") }
        }
        if let r = personalDataRetention {
            guard !r.clause.isEmpty else { throw ProfileError(message: "\"personal_data_retention.clause\" is empty") }
            if let days = r.daysAfterExit, days < 1 { throw ProfileError(message: "\"personal_data_retention.days_after_exit\" must be at least 1") }
        }
        if (inclusionTermMonths == nil) != (termEndDelete == nil) {
            throw ProfileError(message: "\"inclusion_term_months\" and \"term_end_delete\" go together")
        }
    }

    /// The profile as JSON (sorted keys, indented, UTF-8).
    package func jsonText() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Encoding plain structs of strings and integers cannot fail.
        let data = try! encoder.encode(self)
        return String(decoding: data, as: UTF8.self)
    }

    // MARK: Built-ins

    /// The names of the built-in profiles; the first is the default.
    package static let builtInNames: [String] = ["baisha-2018", "spc-2017"]

    /// The default profile, `baisha-2018`.
    package static var `default`: PolicyProfile { baisha2018 }

    /// The built-in profile of that name, or nil.
    package static func named(_ name: String) -> PolicyProfile? {
        switch name {
        case "baisha-2018": baisha2018
        case "spc-2017": spc2017
        default: nil
        }
    }

    package static let baisha2018: PolicyProfile = builtIn(baisha2018JSON)
    package static let spc2017: PolicyProfile = builtIn(spc2017JSON)

    private static func builtIn(_ text: String) -> PolicyProfile {
        do {
            return try PolicyProfile(json: Array(text.utf8))
        } catch {
            fatalError("built-in policy profile does not load: \(error)")
        }
    }
}
