import Vapor

/// The stylesheet and icon, compiled into the binary so the server runs from any directory.
enum StaticAssets {
    static func register(_ app: Application) {
        app.get("static", "app.css") { _ in serve(stylesheet, type: .init(type: "text", subType: "css", parameters: ["charset": "utf-8"])) }
        app.get("static", "icon.svg") { _ in serve(icon, type: .init(type: "image", subType: "svg+xml")) }
        app.get("static", "app.js") { _ in serve(script, type: .init(type: "text", subType: "javascript", parameters: ["charset": "utf-8"])) }
    }

    static func serve(_ body: String, type: HTTPMediaType) -> Response {
        var headers = HTTPHeaders()
        headers.contentType = type
        headers.replaceOrAdd(name: .cacheControl, value: "public, max-age=3600")
        return Response(status: .ok, headers: headers, body: .init(string: body))
    }

    static let icon = """
    <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#1f5f52"/><path d="M8 24V9M16 24V6M24 24V11M6 14h20M6 20h20" stroke="#e8f3ef" stroke-width="2.2" stroke-linecap="round"/><circle cx="16" cy="6" r="2.4" fill="#f2b84b"/></svg>
    """

    /// Progressive enhancement only: every page works without it.
    static let script = """
    // A copy button beside every link or token that is shown once.
    document.querySelectorAll(".token[data-copy]").forEach(function (box) {
      if (!navigator.clipboard) { return; }
      var row = document.createElement("div");
      row.className = "copy-row";
      box.parentNode.insertBefore(row, box);
      row.appendChild(box);
      var button = document.createElement("button");
      button.type = "button";
      button.className = "secondary";
      button.textContent = "Copy";
      button.setAttribute("aria-label", box.getAttribute("data-copy"));
      var status = document.createElement("span");
      status.className = "visually-hidden";
      status.setAttribute("role", "status");
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(box.textContent.trim()).then(function () {
          button.textContent = "Copied";
          status.textContent = "Copied to the clipboard";
          setTimeout(function () { button.textContent = "Copy"; status.textContent = ""; }, 2500);
        });
      });
      row.appendChild(button);
      row.appendChild(status);
    });

    // Suggests tags already in use while a person types a list, so that colleagues converge on
    // the same words. Without JavaScript the hint under the field lists the common ones.
    document.querySelectorAll("textarea[data-tag-kind]").forEach(function (field) {
      var kind = field.getAttribute("data-tag-kind");
      var list = document.createElement("ul");
      list.className = "suggestions";
      list.setAttribute("aria-label", "Tags already in use");
      var status = document.createElement("p");
      status.className = "visually-hidden";
      status.setAttribute("aria-live", "polite");
      field.insertAdjacentElement("afterend", status);
      field.insertAdjacentElement("afterend", list);
      var timer = null;
      function parts() { return field.value.split(/[,;\\n]/); }
      function update() {
        var all = parts();
        var current = all[all.length - 1].trim();
        list.replaceChildren();
        if (current.length === 0) { status.textContent = ""; return; }
        var chosen = new Set(all.slice(0, -1).map(function (p) { return p.trim().toLowerCase(); }));
        fetch("/tags/suggest?kind=" + encodeURIComponent(kind) + "&prefix=" + encodeURIComponent(current), { credentials: "same-origin" })
          .then(function (response) { return response.ok ? response.json() : { tags: [] }; })
          .then(function (data) {
            list.replaceChildren();
            var shown = 0;
            data.tags.forEach(function (tag) {
              var name = tag.name;
              if (shown >= 8 || chosen.has(name.toLowerCase()) || name.toLowerCase() === current.toLowerCase()) { return; }
              var item = document.createElement("li");
              var button = document.createElement("button");
              button.type = "button";
              button.textContent = name;
              button.setAttribute("aria-label", "Add " + name);
              button.addEventListener("click", function () {
                var kept = parts().slice(0, -1).map(function (p) { return p.trim(); }).filter(Boolean);
                kept.push(name);
                field.value = kept.join(", ") + ", ";
                field.focus();
                update();
              });
              item.appendChild(button);
              list.appendChild(item);
              shown += 1;
            });
            status.textContent = shown === 0 ? "" : shown + " suggestion" + (shown === 1 ? "" : "s") + " below";
          })
          .catch(function () {});
      }
      field.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(update, 150); });
    });
    """

    static let stylesheet = """
    :root {
      --ink: #1d2624; --muted: #55635f; --line: #d5dedb; --paper: #f6f8f7; --card: #ffffff;
      --accent: #1f5f52; --accent-ink: #ffffff; --accent-soft: #e3f0ec; --warn: #9a3412; --warn-soft: #fdeee7;
      --ok: #166534; --ok-soft: #e7f5ec; --focus: #f2b84b; --radius: 10px;
      --font: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
    }
    * { box-sizing: border-box; }
    html { font-size: 100%; }
    body { margin: 0; font-family: var(--font); color: var(--ink); background: var(--paper); line-height: 1.55; }
    a { color: var(--accent); text-underline-offset: 2px; }
    a:hover { text-decoration-thickness: 2px; }
    :focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; border-radius: 3px; }
    h1, h2, h3 { line-height: 1.25; margin: 0 0 .6rem; }
    h1 { font-size: 1.7rem; } h2 { font-size: 1.25rem; } h3 { font-size: 1.05rem; }
    p { margin: 0 0 .8rem; }
    .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
    .skip-link { position: absolute; left: -999px; top: .5rem; background: var(--card); padding: .5rem 1rem; z-index: 10; }
    .skip-link:focus { left: .5rem; }
    .site-header { background: var(--accent); color: var(--accent-ink); }
    .site-header .bar { max-width: 72rem; margin: 0 auto; padding: .7rem 1.2rem; display: flex; align-items: center; justify-content: space-between; gap: 1rem; }
    .brand { display: inline-flex; align-items: center; gap: .55rem; color: var(--accent-ink); text-decoration: none; font-weight: 700; font-size: 1.2rem; letter-spacing: .01em; }
    .site-nav ul { list-style: none; margin: 0 auto; padding: 0 1.2rem; max-width: 72rem; display: flex; flex-wrap: wrap; gap: .2rem; }
    .site-nav a { display: block; padding: .55rem .8rem; color: var(--accent-ink); text-decoration: none; border-bottom: 3px solid transparent; }
    .site-nav a:hover { border-bottom-color: rgba(255,255,255,.5); }
    .site-nav a[aria-current="page"] { border-bottom-color: var(--focus); font-weight: 600; }
    .sign-out { display: flex; align-items: center; gap: .6rem; margin: 0; }
    .sign-out .who { opacity: .9; }
    .link-button { background: none; border: 1px solid rgba(255,255,255,.6); color: inherit; border-radius: 6px; padding: .3rem .7rem; font: inherit; cursor: pointer; }
    main { display: block; max-width: 72rem; margin: 0 auto; padding: 1.6rem 1.2rem 3rem; overflow-wrap: anywhere; }
    main:focus { outline: none; }
    .site-footer { border-top: 1px solid var(--line); color: var(--muted); font-size: .9rem; }
    .site-footer p { max-width: 72rem; margin: 0 auto; padding: 1rem 1.2rem; }
    .panel { background: var(--card); border: 1px solid var(--line); border-radius: var(--radius); padding: 1.4rem; margin-bottom: 1.2rem; }
    .narrow { max-width: 34rem; margin-left: auto; margin-right: auto; }
    .grid { display: grid; gap: 1.2rem; grid-template-columns: repeat(auto-fit, minmax(16rem, 1fr)); }
    .lede { color: var(--muted); font-size: 1.05rem; }
    .muted { color: var(--muted); }
    .notice { background: var(--ok-soft); border: 1px solid #b7dfc4; color: var(--ok); padding: .8rem 1rem; border-radius: var(--radius); margin-bottom: 1.2rem; }
    .warning { background: var(--warn-soft); border: 1px solid #f5c4ad; color: var(--warn); padding: .8rem 1rem; border-radius: var(--radius); margin-bottom: 1.2rem; }
    .error-summary { background: var(--warn-soft); border: 2px solid var(--warn); border-radius: var(--radius); padding: 1rem 1.2rem; margin-bottom: 1.2rem; }
    .error-summary h2 { color: var(--warn); font-size: 1.05rem; }
    .error-summary ul { margin: 0; padding-left: 1.2rem; }
    .error-summary a { color: var(--warn); }
    .field { margin-bottom: 1.1rem; }
    .field label, .field legend { display: block; font-weight: 600; margin-bottom: .25rem; }
    .required { font-weight: 400; color: var(--muted); font-size: .9rem; }
    .hint { color: var(--muted); font-size: .92rem; margin: 0 0 .3rem; }
    .label-like { font-weight: 600; margin: 0 0 .3rem; }
    .field-error { color: var(--warn); font-weight: 600; margin: 0 0 .3rem; }
    .has-error input, .has-error textarea, .has-error select { border-color: var(--warn); border-width: 2px; }
    input[type=text], input[type=email], input[type=password], input[type=number], input[type=search], input[type=file], select, textarea {
      width: 100%; font: inherit; color: inherit; padding: .55rem .65rem; border: 1px solid #9fb0ab; border-radius: 7px; background: #fff; }
    input[type=number] { max-width: 10rem; }
    textarea { resize: vertical; }
    fieldset { border: 1px solid var(--line); border-radius: var(--radius); padding: .8rem 1rem; margin: 0 0 1.1rem; }
    fieldset.choices { display: flex; flex-wrap: wrap; gap: .4rem 1.2rem; }
    fieldset.choices legend { width: 100%; }
    .choice { font-weight: 400; display: inline-flex; align-items: center; gap: .35rem; }
    .button, button[type=submit]:not(.link-button) { display: inline-block; background: var(--accent); color: var(--accent-ink); border: 0; border-radius: 7px; padding: .6rem 1.15rem; font: inherit; font-weight: 600; cursor: pointer; text-decoration: none; }
    .button.secondary, button[type=submit].secondary { background: var(--accent-soft); color: var(--accent); }
    .button.danger, button[type=submit].danger { background: var(--warn-soft); color: var(--warn); }
    .actions { display: flex; flex-wrap: wrap; gap: .7rem; align-items: center; margin-top: .4rem; }
    .form-columns { display: grid; gap: 0 1.4rem; grid-template-columns: repeat(auto-fit, minmax(15rem, 1fr)); }
    .tags { list-style: none; padding: 0; margin: .2rem 0 .6rem; display: flex; flex-wrap: wrap; gap: .35rem; }
    .tags li { background: var(--accent-soft); color: var(--accent); border-radius: 999px; padding: .1rem .65rem; font-size: .9rem; }
    .tags.development li { background: #fff4dc; color: #7a4b00; }
    .people-list { list-style: none; padding: 0; margin: 0; display: grid; gap: .9rem; grid-template-columns: repeat(auto-fill, minmax(18rem, 1fr)); }
    .person-card { background: var(--card); border: 1px solid var(--line); border-radius: var(--radius); padding: 1rem 1.1rem; }
    .person-card h2 { font-size: 1.05rem; margin-bottom: .15rem; }
    .person-card .meta { color: var(--muted); font-size: .9rem; margin-bottom: .4rem; }
    .filters { display: grid; gap: .2rem 1rem; grid-template-columns: repeat(auto-fit, minmax(11rem, 1fr)); align-items: end; }
    .filters .field { margin-bottom: .6rem; }
    .pagination { display: flex; gap: .8rem; align-items: center; justify-content: center; margin-top: 1.4rem; }
    table { width: 100%; border-collapse: collapse; background: var(--card); }
    th, td { text-align: left; padding: .5rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
    th { font-size: .9rem; color: var(--muted); font-weight: 600; }
    .table-wrap { overflow-x: auto; border: 1px solid var(--line); border-radius: var(--radius); margin-bottom: 1.2rem;
      /* Shadows at the edges that still have columns to scroll to. */
      background: linear-gradient(to right, var(--card) 30%, rgba(255,255,255,0)), linear-gradient(to left, var(--card) 30%, rgba(255,255,255,0)) 100% 0,
        radial-gradient(farthest-side at 0 50%, rgba(0,0,0,.2), rgba(0,0,0,0)), radial-gradient(farthest-side at 100% 50%, rgba(0,0,0,.2), rgba(0,0,0,0)) 100% 0;
      background-color: var(--card); background-repeat: no-repeat; background-size: 2.5rem 100%, 2.5rem 100%, .9rem 100%, .9rem 100%;
      background-attachment: local, local, scroll, scroll; }
    .table-wrap table { background: transparent; }
    .table-wrap:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
    .copy-row { display: flex; gap: .5rem; align-items: flex-start; flex-wrap: wrap; }
    .copy-row .token { flex: 1 1 16rem; margin: 0; }
    .badge { display: inline-block; border-radius: 999px; padding: .05rem .55rem; font-size: .82rem; background: var(--accent-soft); color: var(--accent); }
    .badge.new { background: var(--ok-soft); color: var(--ok); }
    .badge.changed { background: #fff4dc; color: #7a4b00; }
    .badge.state-draft { background: #eceef1; color: #3d4450; }
    .badge.state-enrolling { background: var(--ok-soft); color: var(--ok); }
    .badge.state-matching { background: #fff4dc; color: #7a4b00; }
    .badge.state-concluded { background: #eceef1; color: #3d4450; }
    h1 .badge, h2 .badge { vertical-align: middle; font-size: .8rem; font-weight: 600; }
    .lead { font-size: 1.1rem; color: var(--muted); }
    ul.cards { list-style: none; padding: 0; display: grid; gap: 1rem; grid-template-columns: repeat(auto-fill, minmax(18rem, 1fr)); }
    ul.cards h2 { font-size: 1.15rem; margin-top: 0; }
    ol.ranking { list-style: none; padding: 0; display: grid; gap: 1rem; }
    ol.ranking h3, ul.cards h3 { font-size: 1.1rem; margin-top: 0; }
    .rank { display: inline-block; min-width: 2.5rem; font-variant-numeric: tabular-nums; color: var(--muted); }
    button:disabled, button[disabled]:hover { opacity: .45; cursor: not-allowed; }
    ul.tabs { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: .4rem 1rem; margin: .5rem 0 1rem; }
    ul.tabs a[aria-current="page"] { font-weight: 700; text-decoration: none; border-bottom: 3px solid var(--accent); }
    .next-step { border-left: 4px solid var(--accent); }
    .notifications-link { margin-left: auto; color: var(--accent-ink); text-decoration: none; padding: .3rem .2rem; border-bottom: 3px solid transparent; }
    .notifications-link[aria-current="page"] { border-bottom-color: var(--focus); font-weight: 600; }
    .notifications-link .count { display: inline-block; min-width: 1.3rem; text-align: center; border-radius: 999px; background: var(--focus); color: #1d1d1d; font-size: .78rem; padding: 0 .35rem; margin-left: .25rem; }
    ul.notification-list { list-style: none; padding: 0; }
    ul.notification-list h2 { font-size: 1.05rem; margin: 0 0 .3rem; }
    li.unread { border-left: 4px solid var(--accent); }
    form.inline { display: inline-flex; gap: .5rem; align-items: center; margin: 0 .3rem .3rem 0; }
    ul.reasons { margin: .3rem 0 0; padding-left: 1.1rem; font-size: .92rem; }
    details summary { cursor: pointer; color: var(--accent); }
    .profile-head { display: flex; gap: 1rem; align-items: center; flex-wrap: wrap; }
    .avatar { width: 3.5rem; height: 3.5rem; border-radius: 50%; background: var(--accent-soft); color: var(--accent); display: grid; place-items: center; font-weight: 700; font-size: 1.2rem; flex: none; }
    dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .35rem 1rem; margin: 0; }
    dl.facts dt { color: var(--muted); }
    dl.facts dd { margin: 0; overflow-wrap: anywhere; }
    .form-columns .field { display: flex; flex-direction: column; }
    .form-columns .field > input, .form-columns .field > select { margin-top: auto; }
    .suggestions { display: flex; flex-wrap: wrap; gap: .35rem; margin-top: .4rem; list-style: none; padding: 0; }
    .suggestions button { font: inherit; font-size: .88rem; border: 1px dashed var(--accent); background: #fff; color: var(--accent); border-radius: 999px; padding: .1rem .6rem; cursor: pointer; }
    .suggestions button:hover { background: var(--accent-soft); }
    progress { width: 100%; height: .9rem; accent-color: var(--accent); }
    .token { font-family: ui-monospace, Menlo, Consolas, monospace; background: #0f2b25; color: #e8f3ef; padding: .7rem .9rem; border-radius: 7px; word-break: break-all; }
    .stat { font-size: 2rem; font-weight: 700; color: var(--accent); }
    ol.steps { padding-left: 1.3rem; }
    input[type=date], input[type=datetime-local], input[type=time] { font: inherit; color: inherit; padding: .5rem .6rem; border: 1px solid #9fb0ab; border-radius: 7px; background: #fff; max-width: 100%; }
    .breadcrumb { font-size: .95rem; margin-bottom: .8rem; color: var(--muted); }
    ul.signatures { padding-left: 1.1rem; }
    ol.versions { padding-left: 1.3rem; }
    ol.versions li { margin-bottom: .3rem; }
    dl.agreement-terms dd p:last-child { margin-bottom: 0; }
    ul.diff { list-style: none; padding: 0; margin: 0 0 1rem; font-size: .95rem; border: 1px solid var(--line); border-radius: 7px; overflow: hidden; }
    ul.diff li { padding: .2rem .7rem; white-space: pre-wrap; overflow-wrap: anywhere; }
    ul.diff li.removed { background: var(--warn-soft); }
    ul.diff li.added { background: var(--ok-soft); }
    ul.diff del { color: var(--warn); }
    ul.diff ins { color: var(--ok); text-decoration: none; }
    ul.diff li.removed::before { content: "− "; color: var(--warn); }
    ul.diff li.added::before { content: "+ "; color: var(--ok); }
    .change h2 { font-size: 1.05rem; }
    ol.timeline { list-style: none; padding: 0; margin: 0; border-left: 3px solid var(--accent-soft); }
    ol.timeline li { padding: .3rem 0 .5rem 1rem; position: relative; }
    ol.timeline li::before { content: ""; position: absolute; left: -.45rem; top: .7rem; width: .6rem; height: .6rem; border-radius: 50%; background: var(--accent); }
    ol.timeline .when { display: block; color: var(--muted); font-size: .85rem; }
    ul.plain { list-style: none; padding: 0; margin: 0; }
    .meeting-line h3 { margin-bottom: .2rem; }
    details.panel-details { border-top: 1px solid var(--line); padding-top: .7rem; margin-top: .7rem; }
    details.panel-details[open] summary { margin-bottom: .7rem; }
    ul.agenda, ul.notes, ul.action-items { list-style: none; padding: 0; margin: 0 0 1rem; }
    ul.agenda li { padding: .35rem 0; border-bottom: 1px solid var(--line); }
    ul.notes li.note { border-left: 3px solid var(--accent-soft); padding: .2rem 0 .2rem .8rem; margin-bottom: .8rem; }
    ul.notes li.private { border-left-color: var(--focus); background: #fffaf0; }
    ul.action-items li { display: flex; flex-wrap: wrap; align-items: center; gap: .2rem .5rem; padding: .3rem 0; border-bottom: 1px solid var(--line); }
    ul.action-items li form.inline { margin: 0; }
    ul.action-items li.done .item-text { color: var(--muted); }
    .overdue { color: var(--warn); font-weight: 600; }
    input[type=datetime-local] { width: 100%; }
    .goal-progress { display: flex; align-items: center; gap: .6rem; margin: .3rem 0; }
    .goal-progress progress { flex: 1; }
    .goal-progress span { font-variant-numeric: tabular-nums; color: var(--muted); min-width: 3rem; text-align: right; }
    ul.goal-list li { padding: .3rem 0; }
    ol.milestones { padding-left: 1.3rem; }
    ol.milestones li { padding: .3rem 0; }
    ol.milestones li.reached > span:not(.badge):not(.muted) { font-weight: 600; }
    li.goal.reached { border-color: #b7dfc4; }
    @media (max-width: 40rem) {
      h1 { font-size: 1.4rem; }
      .site-header .bar { padding: .6rem .9rem; }
      .sign-out .who { display: none; }
      .site-nav ul { padding: 0 .5rem; }
      .site-nav a { padding: .45rem .55rem; }
      main { padding: 1.1rem .8rem 2.5rem; }
      .panel { padding: 1rem; }
      dl.facts { grid-template-columns: 1fr; }
      /* Tables marked "stack" become one card per row: every column, actions included, in view. */
      table.stack thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
      table.stack, table.stack tbody, table.stack tr, table.stack td, table.stack th[scope=row] { display: block; width: 100%; }
      table.stack th[scope=row] { border: none; padding: .2rem .7rem; }
      table.stack tr { border-bottom: 1px solid var(--line); padding: .5rem 0; }
      table.stack td { border: none; padding: .2rem .7rem; }
      table.stack td[data-label]::before { content: attr(data-label) ": "; color: var(--muted); font-weight: 600; }
      dl.facts dd { margin-bottom: .4rem; }
    }
    """
}
