/// The one stylesheet, served by the server itself (no asset from elsewhere). Colours keep
/// a contrast of at least 4.5:1 (WCAG AA) on their backgrounds.
enum WebStylesheet {
    static let css = """
    :root { --ink: #1b1b1b; --muted: #4a4a4a; --line: #c8c8c8; --accent: #8a1c1c; --bg: #ffffff; --soft: #f4f1ec; --ok: #1d5e2a; --bad: #a00000; }
    * { box-sizing: border-box; }
    body { margin: 0; font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "WenQuanYi Micro Hei", system-ui, sans-serif; color: var(--ink); background: var(--bg); line-height: 1.6; }
    a { color: #0b4f8a; }
    a:focus, button:focus, input:focus, select:focus, summary:focus { outline: 3px solid #e0a000; outline-offset: 2px; }
    .skip { position: absolute; left: -999px; } .skip:focus { left: 8px; top: 8px; background: #fff; padding: 4px; }
    header.top { display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: center; padding: 8px 16px; background: var(--accent); color: #fff; }
    header.top a { color: #fff; } .brand { font-weight: bold; text-decoration: none; font-size: 1.1em; }
    header.top nav a { margin-right: 12px; } header.top nav a[aria-current=page] { text-decoration: underline; font-weight: bold; }
    .who { margin-left: auto; display: flex; gap: 12px; align-items: center; flex-wrap: wrap; }
    main { max-width: 1200px; margin: 0 auto; padding: 8px 16px 32px; }
    footer { padding: 16px; color: var(--muted); border-top: 1px solid var(--line); font-size: 0.9em; }
    h1 { font-size: 1.5em; } h2 { font-size: 1.2em; border-bottom: 2px solid var(--soft); }
    .card { background: var(--soft); padding: 16px; border-radius: 6px; max-width: 640px; }
    .field { margin: 0 0 12px; } .field label { display: block; font-weight: bold; }
    label.check { display: block; font-weight: normal; }
    input[type=text], input[type=password], input[type=search], input[type=date], input[type=datetime-local], input[type=number], select { width: 100%; max-width: 480px; padding: 6px; border: 1px solid #767676; border-radius: 4px; font: inherit; }
    fieldset { border: 1px solid var(--line); border-radius: 4px; }
    button { background: var(--accent); color: #fff; border: 0; padding: 8px 16px; border-radius: 4px; font: inherit; cursor: pointer; }
    button.secondary { background: #555; } header.top button { background: #fff; color: var(--accent); padding: 2px 10px; }
    a.button { display: inline-block; background: var(--accent); color: #fff; padding: 8px 16px; border-radius: 4px; text-decoration: none; }
    form.inline { display: inline; margin-right: 8px; }
    .filters fieldset { display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: flex-end; }
    .filters .field { flex: 1 1 160px; margin: 0; }
    .req { color: var(--bad); font-weight: normal; font-size: 0.9em; }
    .error { color: var(--bad); font-weight: bold; margin: 2px 0; }
    .has-error input, .has-error select, .has-error fieldset { border: 2px solid var(--bad); }
    .error-summary { border: 3px solid var(--bad); padding: 8px 16px; margin: 0 0 16px; background: #fff5f5; }
    .notice { background: #eef5ee; border-left: 4px solid var(--ok); padding: 8px 12px; }
    .table-wrap { overflow-x: auto; }
    table { border-collapse: collapse; width: 100%; margin: 8px 0 16px; }
    th, td { border-bottom: 1px solid var(--line); padding: 6px 8px; text-align: left; vertical-align: top; }
    thead th { background: var(--soft); }
    caption { text-align: left; color: var(--muted); }
    tr.annulled td { color: var(--muted); }
    .mark { display: inline-block; padding: 0 6px; border-radius: 3px; background: #555; color: #fff; font-size: 0.85em; }
    .mark.late { background: #7a4b00; }
    .ob-breached, .breached { color: var(--bad); font-weight: bold; } .ob-late { color: #7a4b00; } .ob-met { color: var(--ok); }
    dl.data { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; }
    dl.data dt { font-weight: bold; } dl.data dd { margin: 0; }
    dl.result { border: 1px solid var(--line); padding: 8px; border-radius: 4px; }
    details.act { border: 1px solid var(--line); border-radius: 4px; margin: 8px 0; padding: 8px; }
    details.act summary { cursor: pointer; font-weight: bold; }
    .pages a { margin-right: 16px; }
    pre { background: var(--soft); padding: 8px; overflow-x: auto; white-space: pre-wrap; word-break: break-all; }
    tr.bad th, tr.bad td { background: #fbe3e3; }
    .key-met { color: #1d5e2a; } .key-late { color: #b36b00; } .key-breached { color: #a00000; } .meta { color: var(--muted); }
    svg.chart { display: block; }
    @media (max-width: 600px) { dl.data { grid-template-columns: 1fr; } .who { margin-left: 0; } }
    @media print { header.top, footer, form, details.act { display: none; } }
    """
}
