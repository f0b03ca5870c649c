import Foundation
import HTTPTypes
import Hummingbird
import LedgerDomain
import LedgerService
import LedgerStore

/// Forms that record: review (field checks, messages next to the fields) → confirm → append
/// through the API's path (EventInput with the credential's party as the actor, the append
/// attributed to the signed-in user). Nothing is written before the confirmation, nor on any
/// refusal.
extension LedgerServerApp {
    enum FormOutcome: Sendable {
        case recorded(Int64)
        case repeated(Int64)
    }

    func newEntryPage(_ request: Request, _ env: PageEnvironment, _ visitor: WebVisitor) async throws -> Response {
        guard visitor.principal.kind == "court", visitor.principal.scopes.contains(.record) else { throw WebRefusal.notFound }
        return actPage(ActForms.riskNotice(env), action: "/entries/new", form: nil, errors: [], env: env, visitor: visitor,
                       title: env.t("new_entry_title"), intro: env.t("new_entry_intro"))
    }

    func newEntryPost(_ request: Request, _ env: PageEnvironment, _ visitor: WebVisitor, _ form: FormBody, _ context: LedgerRequestContext) async throws -> Response {
        guard visitor.principal.kind == "court", visitor.principal.scopes.contains(.record) else { throw WebRefusal.notFound }
        let spec = ActForms.riskNotice(env)
        let entry = form["entry"] ?? ""
        if !entry.isEmpty, try await ledger.entryState(entry) != nil {
            return actPage(spec, action: "/entries/new", form: form, errors: [FieldError(field: "entry", message: env.format("err_entry_exists", entry))],
                           env: env, visitor: visitor, title: env.t("new_entry_title"), status: .badRequest)
        }
        // Expected version 0: the entry must still not exist when the confirmation is recorded
        // (two clerks choosing the same new id: the second is refused, nothing written).
        return try await handleAct(spec, entry: entry, state: nil, debtor: nil, action: "/entries/new", form: form, env: env, visitor: visitor,
                                   title: env.t("new_entry_title"), expectedLastSeq: 0)
    }

    func actPost(_ request: Request, _ env: PageEnvironment, _ visitor: WebVisitor, _ form: FormBody, _ context: LedgerRequestContext) async throws -> Response {
        let entry = try context.entryParameter()
        guard let view = try await entryView(entry, visitor.principal) else { throw WebRefusal.notFound }
        // The entry's last seq as the form's page showed it (issue 10 point 7): carried through
        // review and confirmation, checked again by the writer when the act is recorded.
        var expected: Int64?
        if let text = form["last_seq"] {
            guard let seq = Int64(text), seq >= 0 else { throw WebRefusal(.badRequest, "bad_form_title", "bad_last_seq") }
            expected = seq
            // Moved on already: say what happened since, before the act's own checks (which
            // may refuse it only because of what the visitor has not seen yet).
            if seq != view.state.lastSeq {
                return try await movedOnPage(EntryMovedOn(entry: entry, expected: seq, lastSeq: view.state.lastSeq,
                                                          changes: view.events.filter { $0.seq > seq }), env: env, visitor: visitor)
            }
        }
        guard let spec = ActForms.next(state: view.state, principal: visitor.principal, env: env)
            .first(where: { $0.type == form["type"] && $0.key == (form["key"] ?? "") }) else {
            throw WebRefusal(.conflict, "forbidden_title", "no_next_acts")
        }
        let debtor = view.debtor.map(Self.debtorJSON)
        var hidden = [("type", spec.type), ("key", spec.key)]
        if let expected { hidden.append(("last_seq", String(expected))) }
        return try await handleAct(spec, entry: entry, state: view.state, debtor: debtor, action: "/entries/\(Self.pathSegment(entry))/acts",
                                   form: form, env: env, visitor: visitor, title: spec.title + " · " + entry,
                                   hidden: hidden, back: form["back"], expectedLastSeq: expected)
    }

    static func debtorJSON(_ debtor: Debtor) -> JSONValue {
        var members: [(String, JSONValue)] = [("kind", .string(debtor.kind.rawValue)), ("name", .string(debtor.name)), ("id_number", .string(debtor.idNumber))]
        if let rep = debtor.legalRepresentative { members.append(("legal_representative", .string(rep))) }
        return .object(members)
    }

    func handleAct(_ spec: ActSpec, entry: String, state: EntryState?, debtor: JSONValue?, action: String, form: FormBody,
                   env: PageEnvironment, visitor: WebVisitor, title: String, hidden: [(String, String)] = [], back: String? = nil,
                   expectedLastSeq: Int64? = nil) async throws -> Response {
        let step = form["step"] ?? "review"
        let fixedHidden = hidden + (back.map { [("back", $0)] } ?? [])
        if step == "edit" {
            return actPage(spec, action: action, form: form, errors: [], env: env, visitor: visitor, title: title, hidden: fixedHidden)
        }
        let (object, errors) = ActForms.event(spec, form: form, entry: entry, state: state, debtor: debtor, env: env)
        guard let object, errors.isEmpty else {
            return actPage(spec, action: action, form: form, errors: errors, env: env, visitor: visitor, title: title, hidden: fixedHidden, status: .badRequest)
        }
        let events: [NumberedEvent]
        do {
            events = try EventInput.decode(LedgerJSON.encode(object), jsonLines: false, party: visitor.principal.party)
        } catch {
            let input: InputError
            switch error { case .malformed(let e), .notYourAct(let e): input = e }
            return actPage(spec, action: action, form: form, errors: [refusal(input, spec: spec, env: env)], env: env, visitor: visitor,
                           title: title, hidden: fixedHidden, status: .badRequest)
        }
        if step != "confirm" {
            let carried = form.pairs.filter { $0.0 != "csrf" && $0.0 != "step" }.map { ["name": $0.0, "value": $0.1] }
            let data: [String: Any] = ["action": action, "csrf": visitor.csrfToken, "summary": ActForms.summary(spec, form: form, env: env), "hidden": carried]
            return WebPage.render("confirm", title: env.t("confirm_title") + "：" + spec.title, data: data, environment: env)
        }
        // The API's path: group-committed with the posts of the same moment, attributed to the
        // signed-in person, answered once durable.
        let outcome: Result<FormOutcome, InputError>
        do {
            switch try await ledger.append(events, credential: visitor.principal.credential, expectedLastSeq: expectedLastSeq).first {
            case .appended(let seq)?: outcome = .success(.recorded(seq))
            case .duplicate(let seq)?: outcome = .success(.repeated(seq))
            case nil: outcome = .failure(InputError("nothing was appended"))
            }
        } catch let moved as EntryMovedOn {
            guard state != nil else {
                // A new entry whose id was taken meanwhile: whose it is, this visitor may not know.
                return actPage(spec, action: action, form: form, errors: [FieldError(field: "entry", message: env.format("err_entry_exists", entry))],
                               env: env, visitor: visitor, title: title, hidden: fixedHidden, status: .conflict)
            }
            return try await movedOnPage(moved, env: env, visitor: visitor)
        } catch let error as LedgerError {
            guard case .input(let input) = error else { throw error }
            outcome = .failure(input)
        }
        switch outcome {
        case .failure(let input):
            return actPage(spec, action: action, form: form, errors: [refusal(input, spec: spec, env: env)], env: env, visitor: visitor,
                           title: title, hidden: fixedHidden, status: EventInput.isNotYourAct(input) ? .forbidden : .badRequest)
        case .success(let result):
            let target = back == "todo" ? "/todo" : "/entries/\(Self.pathSegment(entry))"
            switch result {
            case .recorded(let seq): return WebPage.redirect(target + "?recorded=\(seq)")
            case .repeated(let seq): return WebPage.redirect(target + "?repeat=\(seq)")
            }
        }
    }

    /// 409: the entry moved on after the visitor's page was drawn. Shows what was recorded since
    /// (as the timeline shows it: when, what, who), says nothing was written, links back.
    func movedOnPage(_ moved: EntryMovedOn, env: PageEnvironment, visitor: WebVisitor) async throws -> Response {
        let credentials = try await ledger.credentials(ofSeqs: moved.changes.map(\.seq))
        let changes: [[String: Any]] = moved.changes.map { recorded in
            let person = credentials[recorded.seq].map { $0.hasPrefix("user:") ? String($0.dropFirst(5)) : $0 } ?? env.t("by_command_line")
            return ["seq": recorded.seq, "at": env.dateTime(recorded.event.at), "what": env.t("act_" + recorded.event.type.rawValue), "who": person]
        }
        let data: [String: Any] = ["text": env.format("moved_on_text", moved.entry, String(moved.lastSeq)), "changes": changes,
                                   "entryPath": Self.pathSegment(moved.entry)]
        return WebPage.render("moved", title: env.t("moved_on_title"), data: data, environment: env, status: .conflict)
    }

    /// A refusal of the ledger, next to the field it names when the form has that field.
    func refusal(_ input: InputError, spec: ActSpec, env: PageEnvironment) -> FieldError {
        if EventInput.isNotYourAct(input) { return FieldError(field: nil, message: env.t("err_not_your_act")) }
        if let name = ActForms.formField(ofRefusal: input.field), let field = spec.fields.first(where: { $0.name == name }), field.kind != .hidden {
            let label = env.t(field.labelKey)
            return FieldError(field: name, message: env.refusalText(input, fieldLabel: label) ?? env.format("err_field_rule", label, input.problem))
        }
        return FieldError(field: nil, message: env.refusalText(input, fieldLabel: input.field ?? "") ?? env.format("err_rule", input.problem))
    }

    func actPage(_ spec: ActSpec, action: String, form: FormBody?, errors: [FieldError], env: PageEnvironment, visitor: WebVisitor,
                 title: String, intro: String? = nil, hidden: [(String, String)] = [], status: HTTPResponse.Status = .ok) -> Response {
        let hiddenData: [[String: Any]] = hidden.map { ["name": $0.0, "value": $0.1, "isHidden": true] }
        var data: [String: Any] = [
            "action": action, "csrf": visitor.csrfToken, "fields": hiddenData + ActForms.fieldData(spec, form: form, errors: errors, env: env),
            "hasErrors": !errors.isEmpty, "errorCount": env.format("error_summary", String(errors.count)),
            "errors": errors.map { ["field": $0.field ?? false, "message": $0.message] as [String: Any] },
        ]
        if let intro { data["intro"] = intro }
        if action.hasPrefix("/entries/"), action != "/entries/new" { data["back"] = String(action.dropLast("/acts".count)) }
        return WebPage.render("act", title: title, data: data, environment: env, status: status)
    }
}
