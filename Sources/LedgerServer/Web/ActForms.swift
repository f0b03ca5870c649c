import Foundation
import LedgerCalendar
import LedgerDomain
import LedgerService

/// One field of an act's form. Names are the event's own field names where there is one.
struct ActField: Sendable {
    enum Kind: Sendable { case text, datetime, date, number, select, checkboxes, hidden }
    var name: String
    var labelKey: String
    var kind: Kind
    var required: Bool
    /// (value, label) for selects and checkboxes.
    var options: [(String, String)] = []
    /// The value a new form starts with (hidden fields: the value it always has).
    var initial: String = ""
}

/// The form of one act the visitor may record now: which event type, which fields.
struct ActSpec: Sendable {
    var type: String
    var title: String
    var fields: [ActField]
    /// Extra hidden values that tell two forms of the same type apart (which measure to lift).
    var key: String = ""
}

/// A message for one field (or for the whole form when `field` is nil), in the visitor's language.
struct FieldError: Sendable {
    var field: String?
    var message: String
}

/// Which acts the state of an entry allows the visitor, and how a posted form becomes an
/// event. The rules themselves stay in the ledger: a form only offers what may come next and
/// pre-checks fields so a person gets the message in Chinese next to the field; whatever the
/// ledger still refuses is shown as its refusal.
enum ActForms {
    static func at(_ env: PageEnvironment) -> ActField {
        let now = LedgerClock.now()
        let local = now.epochMilliseconds + BeijingDay.utcOffsetMilliseconds
        let minutes = Int(((local % 86_400_000) + 86_400_000) % 86_400_000 / 60_000)
        return ActField(name: "at", labelKey: "field_at", kind: .datetime, required: true,
                        initial: now.beijingDay.description + String(format: "T%02d:%02d", minutes / 60, minutes % 60))
    }

    static func unitOptions(_ env: PageEnvironment, only codes: [String]? = nil) -> [(String, String)] {
        (codes ?? env.names.keys.filter { $0.hasPrefix("unit:") }.sorted()).map { ($0, env.names[$0] ?? $0) }
    }

    static func options<T: RawRepresentable & CaseIterable>(_ type: T.Type, prefix: String, _ env: PageEnvironment) -> [(String, String)] where T.RawValue == String {
        T.allCases.map { ($0.rawValue, env.t(prefix + $0.rawValue)) }
    }

    static func measureLabel(_ measure: String, _ env: PageEnvironment) -> String {
        let key = "measure_" + measure
        return env.language.catalogue[key] ?? measure
    }

    /// The risk notice that starts a new entry.
    static func riskNotice(_ env: PageEnvironment) -> ActSpec {
        ActSpec(type: "risk_notice_issued", title: env.t("act_risk_notice_issued"), fields: [
            ActField(name: "entry", labelKey: "field_entry", kind: .text, required: true),
            ActField(name: "case", labelKey: "field_case", kind: .text, required: true),
            ActField(name: "debtor_kind", labelKey: "field_debtor_kind", kind: .select, required: true,
                     options: [("person", env.t("kind_person")), ("organization", env.t("kind_organization"))], initial: "person"),
            ActField(name: "debtor_name", labelKey: "field_debtor_name", kind: .text, required: true),
            ActField(name: "debtor_id", labelKey: "field_debtor_id", kind: .text, required: true),
            ActField(name: "legal_rep", labelKey: "field_legal_rep", kind: .text, required: false),
            at(env),
        ])
    }

    /// The acts the state allows this visitor, court's or unit's (SPEC §3's table).
    static func next(state: EntryState, principal: Principal, env: PageEnvironment) -> [ActSpec] {
        guard principal.scopes.contains(.record) else { return [] }
        let party = principal.party
        var acts: [ActSpec] = []
        func act(_ type: String, _ fields: [ActField], key: String = "", title: String? = nil) {
            acts.append(ActSpec(type: type, title: title ?? env.t("act_" + type), fields: fields + [at(env)], key: key))
        }
        if principal.kind == "court", state.court == party {
            if !state.included, !state.exited {
                act("inclusion_decided", [
                    ActField(name: "grounds", labelKey: "field_grounds", kind: .checkboxes, required: true, options: options(Ground.self, prefix: "ground_", env)),
                    ActField(name: "public", labelKey: "field_public", kind: .select, required: true, options: [("true", env.t("yes")), ("false", env.t("no"))], initial: "true"),
                    ActField(name: "term_months", labelKey: "field_term", kind: .number, required: false),
                ])
            }
            if state.included, !state.served {
                act("decision_served", [ActField(name: "method", labelKey: "field_method", kind: .select, required: true, options: options(ServiceMethod.self, prefix: "method_", env), initial: "in_person")])
            }
            if state.included, !state.exited {
                if state.served, state.isPublic == true, !state.published { act("entry_published", []) }
                if state.isPublic == false {
                    act("employer_notified", [ActField(name: "unit", labelKey: "field_unit", kind: .select, required: true, options: unitOptions(env))])
                }
                let others = unitOptions(env).filter { !state.units.contains($0.0) }
                if !others.isEmpty { act("pushed_to_unit", [ActField(name: "unit", labelKey: "field_unit", kind: .select, required: true, options: others)]) }
                if state.discharge == nil {
                    act("obligation_discharged", [ActField(name: "basis", labelKey: "field_basis", kind: .select, required: true, options: options(DischargeBasis.self, prefix: "basis_", env))])
                }
                act("entry_shielded", [ActField(name: "reason", labelKey: "field_reason", kind: .select, required: false,
                                                options: ["discharge", "term_ended", "early_deletion", "correction"].map { ($0, env.t("reason_" + $0)) })])
                act("entry_revoked", [ActField(name: "reason", labelKey: "field_reason", kind: .select, required: true, options: options(RevocationReason.self, prefix: "reason_", env))])
            }
            if state.exited {
                if !state.exitPublished { act("exit_published", []) }
                let waiting = state.holders.filter { !state.notifiedOfExit.contains($0) }
                if !waiting.isEmpty {
                    act("unit_notified_of_exit", [ActField(name: "unit", labelKey: "field_unit", kind: .select, required: true, options: unitOptions(env, only: waiting))])
                }
            }
        }
        if principal.kind == "unit" {
            let holds = state.units.contains(party) || state.employers.contains(party)
            let applied = state.measures.filter { $0.unit == party && $0.status == "applied" }
            if holds, !state.exited {
                let known = PartyNames.measures[party] ?? []
                let free = known.filter { m in !applied.contains { $0.measure == m } }
                if !free.isEmpty || known.isEmpty {
                    act("measure_applied", [hiddenUnit(party), ActField(name: "measure", labelKey: "field_measure", kind: known.isEmpty ? .text : .select, required: true,
                                                                          options: free.map { ($0, measureLabel($0, env)) })])
                }
            }
            for measure in applied {
                act("measure_lifted", [hiddenUnit(party), ActField(name: "measure", labelKey: "field_measure", kind: .hidden, required: true, initial: measure.measure)],
                    key: measure.measure, title: env.t("act_measure_lifted") + "：" + measureLabel(measure.measure, env))
            }
            for repost in state.reposts where repost.unit == party && !repost.deleted && state.exited {
                act("repost_deleted", [hiddenUnit(party)])
            }
            // 签收: the unit says it received the push or the exit notice (SPEC §3
            // `unit_acknowledged`; its response is measured, it is no duty). Offered once each.
            for (act_, given) in [(AcknowledgedAct.push, state.units.contains(party)),
                                  (.exitNotice, state.notifiedOfExit.contains(party))]
            where given && !state.hasAcknowledged(act_, unit: party) {
                act("unit_acknowledged", [hiddenUnit(party), ActField(name: "of", labelKey: "field_of", kind: .hidden, required: true, initial: act_.rawValue)],
                    key: act_.rawValue, title: env.t("ack_" + act_.rawValue))
            }
        }
        return acts
    }

    static func hiddenUnit(_ party: String) -> ActField {
        ActField(name: "unit", labelKey: "field_unit", kind: .hidden, required: true, initial: party)
    }

    /// The template data of a form's fields, with posted values and errors.
    static func fieldData(_ spec: ActSpec, form: FormBody?, errors: [FieldError], env: PageEnvironment) -> [[String: Any]] {
        spec.fields.map { field in
            let value = field.kind == .hidden ? field.initial : (form?[field.name] ?? field.initial)
            let chosen = Set(form?.all(field.name) ?? [])
            let error = errors.first { $0.field == field.name }
            return [
                "name": field.name, "label": env.t(field.labelKey), "required": field.required, "value": value,
                "inputType": field.kind == .datetime ? "datetime-local" : field.kind == .date ? "date" : field.kind == .number ? "number" : "text",
                "isHidden": field.kind == .hidden, "isSelect": field.kind == .select, "isCheckboxes": field.kind == .checkboxes,
                "hasError": error != nil, "error": error?.message ?? "",
                "options": field.options.map { ["value": $0.0, "label": $0.1, "selected": field.kind == .checkboxes ? chosen.contains($0.0) : $0.0 == value] as [String: Any] },
            ]
        }
    }

    /// `2026-12-02T10:00` (a datetime-local input), with seconds or a space, as Beijing time.
    static func parseAt(_ text: String) -> Instant? {
        var t = text.replacingOccurrences(of: " ", with: "T")
        if t.utf8.count == 16 { t += ":00" }
        guard t.utf8.count == 19, case .success(let instant) = Instant.parse(t + "+08:00") else { return nil }
        return instant
    }

    /// Pre-checks the posted fields (messages in the visitor's language, naming the field) and
    /// builds the event object; `entry` and `court` values come from the page, not the form.
    static func event(_ spec: ActSpec, form: FormBody, entry: String, state: EntryState?, debtor: JSONValue?, env: PageEnvironment) -> (JSONValue?, [FieldError]) {
        var errors: [FieldError] = []
        var members: [(String, JSONValue)] = [("type", .string(spec.type)), ("entry", .string(entry))]
        for field in spec.fields {
            let label = env.t(field.labelKey)
            let value = field.kind == .hidden ? field.initial : (form[field.name] ?? "")
            let values = form.all(field.name).filter { !$0.isEmpty }
            if field.required && (field.kind == .checkboxes ? values.isEmpty : value.isEmpty) {
                errors.append(FieldError(field: field.name, message: env.format(field.kind == .select || field.kind == .checkboxes ? "err_choose" : "err_required", label)))
                continue
            }
            if value.isEmpty && values.isEmpty { continue }
            if field.kind == .select || field.kind == .checkboxes, !field.options.isEmpty {
                let allowed = Set(field.options.map(\.0))
                if !(field.kind == .checkboxes ? values : [value]).allSatisfy(allowed.contains) {
                    errors.append(FieldError(field: field.name, message: env.format("err_choose", label)))
                    continue
                }
            }
            switch field.name {
            case "at":
                guard let instant = parseAt(value) else { errors.append(FieldError(field: "at", message: env.format("err_datetime", label))); continue }
                guard instant.epochMilliseconds <= LedgerClock.now().epochMilliseconds else { errors.append(FieldError(field: "at", message: env.format("err_future", label))); continue }
                members.append(("at", .string(instant.description)))
            case "debtor_id":
                do { try IdentityNumber.check(value, kind: DebtorKind(rawValue: form["debtor_kind"] ?? "")) } catch {
                    let key = error.problem.contains("full-width") ? "err_id_fullwidth" : error.problem.contains("check") ? "err_id_check" : "err_id_format"
                    errors.append(FieldError(field: "debtor_id", message: env.format(key, label)))
                }
            case "term_months":
                guard let months = Int(value), (24...60).contains(months) else { errors.append(FieldError(field: field.name, message: env.format("err_term", label))); continue }
                members.append(("term_months", .integer(Int64(months))))
            case "grounds": members.append(("grounds", .array(values.map(JSONValue.string))))
            case "public": members.append(("public", .bool(value == "true")))
            case "until":
                guard BeijingDay(iso: value) != nil else { errors.append(FieldError(field: field.name, message: env.format("err_date", label))); continue }
                members.append((field.name, .string(value)))
            case "entry", "case", "debtor_kind", "debtor_name", "legal_rep": break
            default: members.append((field.name, .string(value)))
            }
        }
        if spec.type == "risk_notice_issued" {
            var debtorMembers: [(String, JSONValue)] = [("kind", .string(form["debtor_kind"] ?? "person")), ("name", .string(form["debtor_name"] ?? "")),
                                                        ("id_number", .string(form["debtor_id"] ?? ""))]
            if let rep = form["legal_rep"], !rep.isEmpty { debtorMembers.append(("legal_representative", .string(rep))) }
            members += [("court", .string(env.visitor?.principal.party ?? "")), ("case", .string(form["case"] ?? "")), ("debtor", .object(debtorMembers))]
        }
        if spec.type == "inclusion_decided", let state {
            members += [("court", .string(state.court)), ("case", .string(state.caseNumber)), ("debtor", debtor ?? .null)]
        }
        return errors.isEmpty ? (.object(members), []) : (nil, errors)
    }

    /// The form field a refusal of the ledger names (its fields are the event's).
    static func formField(ofRefusal field: String?) -> String? {
        switch field {
        case nil: nil
        case "debtor.id_number"?, "id_number"?: "debtor_id"
        case "debtor.name"?, "name"?: "debtor_name"
        case "debtor.kind"?, "kind"?: "debtor_kind"
        case let other?: other
        }
    }

    /// What the confirmation step lists: each filled field with its label and shown value.
    static func summary(_ spec: ActSpec, form: FormBody, env: PageEnvironment) -> [[String: Any]] {
        spec.fields.compactMap { field in
            let raw = field.kind == .hidden ? field.initial : (form[field.name] ?? "")
            let values = field.kind == .checkboxes ? form.all(field.name) : [raw]
            guard !values.allSatisfy(\.isEmpty) else { return nil }
            let shown = values.map { v in field.options.first { $0.0 == v }?.1 ?? (field.name == "measure" ? measureLabel(v, env) : field.name == "at" ? parseAt(v).map(env.dateTime) ?? v : v) }
            return ["label": env.t(field.labelKey), "value": shown.joined(separator: "；")]
        }
    }
}
