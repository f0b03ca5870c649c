/// The pages' templates (mustache, HTML-escaped by default). Text comes only from `{{t.KEY}}`
/// (the message catalogue) or from data; the layout alone takes one unescaped value, the
/// already rendered page body.
enum WebTemplates {
    static let all: [(String, String)] = [
        ("layout", layout), ("message", message), ("login", login), ("entries", entries), ("entry", entry),
        ("act", act), ("confirm", confirm), ("todo", todo), ("board", board), ("search", search),
        ("audit", audit), ("fields", fields), ("party", party), ("report", report), ("moved", moved),
    ]

    static let layout = """
    <!DOCTYPE html>
    <html lang="{{lang}}">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>{{title}} · {{t.app_name}}</title>
    <link rel="stylesheet" href="/static/style.css">
    </head>
    <body>
    <a class="skip" href="#main">{{t.skip_to_main}}</a>
    <header class="top">
    <a class="brand" href="/">{{t.app_name}}</a>
    <nav aria-label="{{t.nav_label}}">{{#nav}}<a href="{{href}}"{{#current}} aria-current="page"{{/current}}>{{label}}</a> {{/nav}}</nav>
    <div class="who">{{#visitor}}<span>{{t.signed_in_as}}：{{user}} · {{#party}}<span title="{{code}}">{{name}}</span>{{/party}}</span>
    <form method="post" action="/logout" class="inline"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit">{{t.sign_out}}</button></form>{{/visitor}}
    <a href="?lang={{otherLang}}" lang="{{otherLang}}">{{t.switch_language}}</a></div>
    </header>
    <main id="main">
    <h1>{{title}}</h1>
    {{{body}}}
    </main>
    <footer>{{t.footer}}</footer>
    </body>
    </html>
    """

    static let message = """
    <p class="notice">{{text}}</p>
    <p><a href="/">{{t.back}}</a></p>
    """

    /// 409 for a form whose entry moved on (issue 10 point 7): what was recorded since.
    static let moved = """
    <div class="error-summary" role="alert"><p>{{text}}</p></div>
    <div class="table-wrap"><table>
    <thead><tr><th scope="col">{{t.col_seq}}</th><th scope="col">{{t.col_at}}</th><th scope="col">{{t.col_what}}</th><th scope="col">{{t.col_who}}</th></tr></thead>
    <tbody>{{#changes}}<tr><td>{{seq}}</td><td>{{at}}</td><td>{{what}}</td><td>{{who}}</td></tr>{{/changes}}</tbody>
    </table></div>
    <p><a href="/entries/{{entryPath}}">{{t.moved_on_back}}</a></p>
    """

    static let party = """
    <span title="{{code}}">{{name}}</span>
    """

    static let login = """
    {{#notice}}<p class="notice" role="status">{{notice}}</p>{{/notice}}
    {{#failed}}<div class="error-summary" role="alert"><p>{{t.login_failed}}</p></div>{{/failed}}
    <form method="post" action="/login" class="card">
    <input type="hidden" name="csrf" value="{{csrf}}">
    <div class="field"><label for="f-user">{{t.login_user}}</label>
    <input id="f-user" name="user" type="text" autocomplete="username" required value="{{user}}"></div>
    <div class="field"><label for="f-password">{{t.login_password}}</label>
    <input id="f-password" name="password" type="password" autocomplete="current-password" required></div>
    <button type="submit">{{t.login_submit}}</button>
    </form>
    <p>{{t.login_intro}} <a href="/search">{{t.nav_search}}</a></p>
    """

    /// One form field of any kind; every key is always set (a missing key would be looked up
    /// in the enclosing context).
    static let fields = """
    {{#fields}}
    {{#isHidden}}<input type="hidden" name="{{name}}" value="{{value}}">{{/isHidden}}
    {{^isHidden}}<div class="field{{#hasError}} has-error{{/hasError}}">
    {{#isCheckboxes}}<fieldset{{#hasError}} aria-describedby="e-{{name}}"{{/hasError}}><legend>{{label}}{{#required}} <span class="req">{{t.required}}</span>{{/required}}</legend>
    {{#hasError}}<p class="error" id="e-{{name}}">{{error}}</p>{{/hasError}}
    {{#options}}<label class="check"><input type="checkbox" id="f-{{name}}-{{value}}" name="{{name}}" value="{{value}}"{{#selected}} checked{{/selected}}> {{label}}</label>{{/options}}
    </fieldset>{{/isCheckboxes}}
    {{^isCheckboxes}}<label for="f-{{name}}">{{label}}{{#required}} <span class="req">{{t.required}}</span>{{/required}}</label>
    {{#hasError}}<p class="error" id="e-{{name}}">{{error}}</p>{{/hasError}}
    {{#isSelect}}<select id="f-{{name}}" name="{{name}}"{{#hasError}} aria-invalid="true" aria-describedby="e-{{name}}"{{/hasError}}>
    <option value="">{{t.choose}}</option>{{#options}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/options}}</select>{{/isSelect}}
    {{^isSelect}}<input id="f-{{name}}" name="{{name}}" type="{{inputType}}" value="{{value}}"{{#hasError}} aria-invalid="true" aria-describedby="e-{{name}}"{{/hasError}}>{{/isSelect}}
    {{/isCheckboxes}}
    </div>{{/isHidden}}
    {{/fields}}
    """

    static let entries = """
    <form method="get" action="/entries" class="filters">
    <fieldset><legend>{{t.filter_legend}}</legend>
    <div class="field"><label for="f-status">{{t.filter_status}}</label>
    <select id="f-status" name="status"><option value="">{{t.filter_any}}</option>{{#statuses}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/statuses}}</select></div>
    <div class="field"><label for="f-unit">{{t.filter_unit}}</label>
    <select id="f-unit" name="unit"><option value="">{{t.filter_any}}</option>{{#units}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/units}}</select></div>
    <div class="field"><label for="f-q">{{t.filter_query}}</label><input id="f-q" name="q" type="search" value="{{q}}"></div>
    <div class="field"><label for="f-from">{{t.filter_from}}</label><input id="f-from" name="from" type="date" value="{{from}}"></div>
    <div class="field"><label for="f-to">{{t.filter_to}}</label><input id="f-to" name="to" type="date" value="{{to}}"></div>
    <button type="submit">{{t.filter_submit}}</button>
    </fieldset>
    </form>
    {{#hasRows}}
    <div class="table-wrap"><table>
    <caption>{{pageText}}</caption>
    <thead><tr><th scope="col">{{t.col_entry}}</th><th scope="col">{{t.col_case}}</th><th scope="col">{{t.col_debtor}}</th><th scope="col">{{t.col_status}}</th><th scope="col">{{t.col_court}}</th><th scope="col">{{t.col_units}}</th><th scope="col">{{t.col_last_change}}</th></tr></thead>
    <tbody>{{#rows}}<tr><td><a href="/entries/{{entryPath}}">{{entry}}</a></td><td>{{case}}</td><td>{{debtor}}</td><td><span class="status status-{{statusCode}}">{{status}}</span></td>
    <td>{{#court}}{{> party}}{{/court}}</td><td>{{#units}}{{> party}}<br>{{/units}}</td><td>{{lastChange}}</td></tr>{{/rows}}</tbody>
    </table></div>
    <nav class="pages" aria-label="{{pageText}}">{{#previous}}<a href="{{previous}}">{{t.previous_page}}</a>{{/previous}} {{#next}}<a href="{{next}}">{{t.next_page}}</a>{{/next}}</nav>
    {{/hasRows}}
    {{^hasRows}}<p class="notice">{{t.no_entries}}</p>{{/hasRows}}
    """

    static let entry = """
    {{#flash}}<p class="notice" role="status">{{flash}}</p>{{/flash}}
    <section aria-labelledby="h-data"><h2 id="h-data">{{t.entry_data}}</h2>
    <dl class="data">
    <dt>{{t.field_entry}}</dt><dd>{{entry}}</dd>
    <dt>{{t.field_status}}</dt><dd><span class="status status-{{statusCode}}">{{status}}</span></dd>
    <dt>{{t.field_court}}</dt><dd>{{#court}}{{> party}}{{/court}}</dd>
    <dt>{{t.field_case}}</dt><dd>{{case}}</dd>
    <dt>{{t.field_debtor_name}}</dt><dd>{{debtor}}</dd>
    <dt>{{t.field_debtor_id}}</dt><dd>{{idNumber}}</dd>
    <dt>{{t.field_public}}</dt><dd>{{publicText}}</dd>
    <dt>{{t.col_units}}</dt><dd>{{#units}}{{> party}}<br>{{/units}}</dd>
    </dl></section>
    <section aria-labelledby="h-timeline"><h2 id="h-timeline">{{t.timeline}}</h2>
    <div class="table-wrap"><table class="timeline">
    <thead><tr><th scope="col">{{t.col_seq}}</th><th scope="col">{{t.col_at}}</th><th scope="col">{{t.col_what}}</th><th scope="col">{{t.col_who}}</th><th scope="col">{{t.col_recorded}}</th></tr></thead>
    <tbody>{{#events}}<tr class="{{#annulled}}annulled{{/annulled}}"><td>{{seq}}</td><td>{{at}}</td>
    <td>{{#annulled}}<del>{{what}}</del> <span class="mark">{{t.annulled}}</span><br><small>{{annulledReason}}</small>{{/annulled}}{{^annulled}}{{what}}{{/annulled}}{{#detail}}<br><small>{{detail}}</small>{{/detail}}</td>
    <td>{{#actor}}{{> party}}{{/actor}}<br><small>{{person}}</small></td>
    <td>{{recorded}}{{#late}} <span class="mark late" title="{{t.recorded_late_hint}}">{{t.recorded_late}}</span>{{/late}}</td></tr>{{/events}}</tbody>
    </table></div></section>
    <section aria-labelledby="h-obligations"><h2 id="h-obligations">{{t.obligations}}</h2>
    {{#hasObligations}}<div class="table-wrap"><table>
    <thead><tr><th scope="col">{{t.col_duty}}</th><th scope="col">{{t.col_obligor}}</th><th scope="col">{{t.col_due}}</th><th scope="col">{{t.col_status}}</th><th scope="col">{{t.col_days}}</th><th scope="col">{{t.col_clause}}</th></tr></thead>
    <tbody>{{#obligations}}<tr><td>{{duty}}</td><td>{{#obligor}}{{> party}}{{/obligor}}</td><td>{{due}}</td><td><span class="ob ob-{{statusCode}}">{{status}}</span></td><td>{{days}}</td><td>{{clause}}</td></tr>{{/obligations}}</tbody>
    </table></div>{{/hasObligations}}
    {{^hasObligations}}<p>{{t.no_obligations}}</p>{{/hasObligations}}
    </section>
    <section aria-labelledby="h-acts"><h2 id="h-acts">{{t.next_acts}}</h2>
    {{#acts}}<details class="act"><summary>{{title}}</summary>
    <form method="post" action="{{action}}">
    <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="step" value="review">
    {{> fields}}
    <button type="submit">{{t.form_review}}</button>
    </form></details>{{/acts}}
    {{^acts}}<p>{{t.no_next_acts}}</p>{{/acts}}
    </section>
    """

    /// One act's form alone: shown again with the field errors after a review that failed.
    static let act = """
    {{#hasErrors}}<div class="error-summary" role="alert" tabindex="-1"><p>{{errorCount}}</p><ul>{{#errors}}<li>{{#field}}<a href="#f-{{field}}">{{message}}</a>{{/field}}{{^field}}{{message}}{{/field}}</li>{{/errors}}</ul></div>{{/hasErrors}}
    {{#intro}}<p>{{intro}}</p>{{/intro}}
    <form method="post" action="{{action}}" class="card" novalidate>
    <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="step" value="review">
    {{> fields}}
    <button type="submit">{{t.form_review}}</button>
    </form>
    {{#back}}<p><a href="{{back}}">{{t.back}}</a></p>{{/back}}
    """

    static let confirm = """
    <p>{{t.confirm_text}}</p>
    <dl class="data">{{#summary}}<dt>{{label}}</dt><dd>{{value}}</dd>{{/summary}}</dl>
    <form method="post" action="{{action}}" class="inline">
    <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="step" value="confirm">
    {{#hidden}}<input type="hidden" name="{{name}}" value="{{value}}">{{/hidden}}
    <button type="submit">{{t.form_confirm}}</button>
    </form>
    <form method="post" action="{{action}}" class="inline">
    <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="step" value="edit">
    {{#hidden}}<input type="hidden" name="{{name}}" value="{{value}}">{{/hidden}}
    <button type="submit" class="secondary">{{t.form_edit}}</button>
    </form>
    """

    static let todo = """
    {{#flash}}<p class="notice" role="status">{{flash}}</p>{{/flash}}
    <p>{{t.todo_intro}}</p>
    {{#hasDuties}}<div class="table-wrap"><table>
    <thead><tr><th scope="col">{{t.col_entry}}</th><th scope="col">{{t.col_duty}}</th><th scope="col">{{t.col_due}}</th><th scope="col">{{t.col_days}}</th><th scope="col">{{t.next_acts}}</th></tr></thead>
    <tbody>{{#duties}}<tr><td><a href="/entries/{{entryPath}}">{{entry}}</a></td><td>{{duty}}<br><small>{{clause}}</small></td><td>{{due}}</td><td><span class="ob ob-{{statusCode}}">{{days}}</span></td>
    <td>{{#acts}}<form method="post" action="{{action}}" class="inline">
    <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="step" value="review">
    {{#hidden}}<input type="hidden" name="{{name}}" value="{{value}}">{{/hidden}}
    <button type="submit">{{title}}</button></form>{{/acts}}</td></tr>{{/duties}}</tbody>
    </table></div>{{/hasDuties}}
    {{^hasDuties}}<p class="notice">{{t.todo_none}}</p>{{/hasDuties}}
    {{#hasAcknowledgements}}<h2>{{t.todo_acknowledge}}</h2><ul>{{#acknowledgements}}<li><a href="/entries/{{entryPath}}">{{entry}}</a>
    <form method="post" action="{{action}}" class="inline">
    <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="step" value="review">
    {{#hidden}}<input type="hidden" name="{{name}}" value="{{value}}">{{/hidden}}
    <button type="submit">{{title}}</button></form></li>{{/acknowledgements}}</ul>{{/hasAcknowledgements}}
    """

    static let board = """
    <p>{{t.board_intro}}</p>
    {{#hasRows}}<div class="table-wrap"><table>
    <thead><tr><th scope="col">{{t.col_obligor}}</th><th scope="col">{{t.board_due_today}}</th><th scope="col">{{t.board_due_soon}}</th><th scope="col">{{t.board_breached}}</th></tr></thead>
    <tbody>{{#rows}}<tr><th scope="row">{{#obligor}}{{> party}}{{/obligor}}</th>
    <td>{{today}}</td><td>{{soon}}</td><td{{#isBreached}} class="breached"{{/isBreached}}>{{breached}}</td></tr>{{/rows}}</tbody>
    </table></div>
    {{#groups}}<h2>{{title}}</h2><ul>{{#items}}<li><a href="/entries/{{entryPath}}">{{entry}}</a> · {{duty}} · {{#obligor}}{{> party}}{{/obligor}} · {{due}} · {{days}}</li>{{/items}}</ul>{{/groups}}
    {{/hasRows}}
    {{^hasRows}}<p class="notice">{{t.board_none}}</p>{{/hasRows}}
    """

    static let search = """
    <p>{{t.search_intro}}</p>
    <form method="get" action="/search" class="card">
    {{#hasError}}<div class="error-summary" role="alert"><p>{{error}}</p></div>{{/hasError}}
    <div class="field"><label for="f-name">{{t.search_name}}</label><input id="f-name" name="name" type="search" value="{{name}}" required></div>
    <div class="field"><label for="f-id">{{t.search_id}}</label><input id="f-id" name="id_number" type="text" value="{{idNumber}}"></div>
    <button type="submit">{{t.search_submit}}</button>
    </form>
    {{#searched}}<h2>{{t.search_results}}</h2>
    {{#results}}<dl class="data result">
    <dt>{{t.col_debtor}}</dt><dd>{{name}}</dd>
    <dt>{{t.field_debtor_id}}</dt><dd>{{idNumber}}</dd>
    {{#sex}}<dt>{{t.pub_sex}}</dt><dd>{{sex}}</dd>{{/sex}}
    {{#age}}<dt>{{t.pub_age}}</dt><dd>{{age}}</dd>{{/age}}
    {{#legalRepresentative}}<dt>{{t.field_legal_rep}}</dt><dd>{{legalRepresentative}}</dd>{{/legalRepresentative}}
    <dt>{{t.pub_court}}</dt><dd>{{#court}}{{> party}}{{/court}}</dd>
    <dt>{{t.col_case}}</dt><dd>{{case}}</dd>
    <dt>{{t.pub_situation}}</dt><dd>{{conduct}}</dd>
    <dt>{{t.pub_performance}}</dt><dd>{{performance}}</dd>
    <dt>{{t.pub_published}}</dt><dd>{{published}}</dd>
    </dl>{{/results}}
    {{^results}}<p class="notice">{{t.search_none}}</p>{{/results}}
    {{/searched}}
    """

    /// The chart is an SVG built in Swift from numbers only (no text of the ledger but escaped
    /// names), hence the one other unescaped value.
    static let report = """
    <form method="get" action="/report" class="filters"><fieldset><legend>{{t.report_period_legend}}</legend>
    <div class="field"><label for="f-from">{{t.report_from}}</label><input id="f-from" name="from" type="date" value="{{from}}"></div>
    <div class="field"><label for="f-to">{{t.report_to}}</label><input id="f-to" name="to" type="date" value="{{to}}"></div>
    <button type="submit">{{t.filter_submit}}</button></fieldset></form>
    <p class="meta">{{period}}</p>
    <p class="legend"><span class="key key-met">■</span> {{t.obligation_met}} <span class="key key-late">■</span> {{t.obligation_late}} <span class="key key-breached">■</span> {{t.obligation_breached}}</p>
    <h2>{{t.report_by_party}}</h2>
    {{#hasParties}}<div class="table-wrap"><table>
    <thead><tr><th scope="col">{{t.col_obligor}}</th><th scope="col">{{t.obligation_met}}</th><th scope="col">{{t.obligation_late}}</th><th scope="col">{{t.obligation_breached}}</th><th scope="col">{{t.obligation_open}}</th><th scope="col">{{t.report_chart}}</th></tr></thead>
    <tbody>{{#parties}}<tr{{#bad}} class="bad"{{/bad}}><th scope="row">{{#obligor}}{{> party}}{{/obligor}}</th><td>{{met}}</td><td>{{late}}</td><td>{{breached}}</td><td>{{open}}</td><td>{{{chart}}}</td></tr>{{/parties}}</tbody>
    </table></div>
    {{#parties}}{{#hasLines}}<h3>{{#obligor}}{{> party}}{{/obligor}}</h3>
    <table><thead><tr><th scope="col">{{t.col_duty}}</th><th scope="col">{{t.col_entry}}</th><th scope="col">{{t.col_due}}</th><th scope="col">{{t.col_status}}</th><th scope="col">{{t.report_days_late}}</th></tr></thead><tbody>
    {{#lines}}<tr><td>{{duty}}</td><td><a href="/entries/{{entryPath}}">{{entry}}</a></td><td>{{due}}</td><td><span class="ob ob-{{statusCode}}">{{status}}</span></td><td>{{daysLate}}</td></tr>{{/lines}}
    </tbody></table>{{/hasLines}}{{/parties}}
    {{/hasParties}}
    {{^hasParties}}<p class="notice">{{t.report_none}}</p>{{/hasParties}}
    <h2>{{t.report_wrongful}}</h2>
    {{#hasWrongful}}<table><thead><tr><th scope="col">{{t.col_court}}</th><th scope="col">{{t.col_entry}}</th><th scope="col">{{t.field_reason}}</th><th scope="col">{{t.report_revoked}}</th></tr></thead>
    <tbody>{{#wrongful}}<tr><td>{{#court}}{{> party}}{{/court}}</td><td>{{entry}}</td><td>{{reason}}</td><td>{{revoked}}</td></tr>{{/wrongful}}</tbody></table>{{/hasWrongful}}
    {{^hasWrongful}}<p>{{t.report_none_in_period}}</p>{{/hasWrongful}}
    <h2>{{t.report_complaints}}</h2>
    {{#hasComplaints}}<table><thead><tr><th scope="col">{{t.report_received_by}}</th><th scope="col">{{t.report_received}}</th><th scope="col">{{t.report_answered}}</th><th scope="col">{{t.report_still_open}}</th></tr></thead>
    <tbody>{{#complaints}}<tr><td>{{#party}}{{> party}}{{/party}}</td><td>{{received}}</td><td>{{answered}}</td><td>{{open}}</td></tr>{{/complaints}}</tbody></table>{{/hasComplaints}}
    {{^hasComplaints}}<p>{{t.report_none_in_period}}</p>{{/hasComplaints}}
    """

    static let audit = """
    <p>{{t.audit_intro}}</p>
    {{#download}}<h2>{{t.audit_download}}</h2>
    <p><a class="button" href="/audit/bundle" download="{{file}}">{{t.audit_download}}</a> <code>{{file}}</code></p>
    <p>{{t.audit_download_text}}</p>{{/download}}
    <h2>{{t.audit_checkpoints}}</h2>
    {{#checkpoints}}<section class="checkpoint"><dl class="data"><dt>{{t.audit_size}}</dt><dd>{{size}}</dd><dt>{{t.audit_signed}}</dt><dd>{{signed}}</dd><dt>{{t.audit_root}}</dt><dd><code>{{root}}</code></dd></dl>
    <h3>{{t.audit_note}}</h3><pre>{{note}}</pre></section>{{/checkpoints}}
    {{^hasCheckpoints}}<p class="notice">{{t.audit_no_checkpoint}}</p>{{/hasCheckpoints}}
    <h2>{{t.audit_offline}}</h2>
    <p>{{t.audit_offline_text}}</p>
    <pre>{{command}}</pre>
    """
}
