import Mustache

/// The dashboard's Mustache templates (HTML-escaped by `{{ }}`; only the sparkline, which Pulse
/// draws from numbers, is inserted raw with `{{{ }}}`).
enum Templates {
    static let library: MustacheLibrary = {
        var library = MustacheLibrary()
        // The templates are constants of this file: a parse error is a bug that every test shows.
        try? library.register(layout, named: "layout")
        try? library.register(header, named: "header")
        try? library.register(banners, named: "banners")
        try? library.register(summary, named: "summary")
        try? library.register(breakdown, named: "breakdown")
        try? library.register(cell, named: "cell")
        try? library.register(login, named: "login")
        try? library.register(dashboard, named: "dashboard")
        try? library.register(card, named: "card")
        try? library.register(missing, named: "missing")
        return library
    }()

    /// The header of every signed-in page: the store's name, the role, the snapshot's time.
    static let header = """
        <header>
        <h1><a class="home" href="/">Pulse</a> <span class="profile" id="store-name">{{storeName}}</span>{{#profileKey}} <span class="profile-key">({{profileKey}})</span>{{/profileKey}}</h1>
        <p class="meta">Role <strong>{{role}}</strong>{{#store}} · store {{store}}{{/store}} · snapshot {{#takenAtISO}}<time id="taken-at" datetime="{{takenAtISO}}">{{takenAt}}</time>{{/takenAtISO}}{{^takenAtISO}}<span id="taken-at">none yet</span>{{/takenAtISO}}
        {{#evaluatedAt}} · evaluated <time id="evaluated-at" datetime="{{evaluatedAtISO}}">{{evaluatedAt}}</time>{{/evaluatedAt}}{{#timeZone}} · times in {{timeZone}}{{/timeZone}}</p>
        <form method="post" action="/logout" class="logout"><button type="submit">Sign out</button></form>
        </header>
        """

    /// The page's problems (stale data, config errors, a failed pull), each a section.
    static let banners = """
        {{#banners}}
        <section class="banner" role="alert">
        <h2>{{heading}}</h2>
        <ul>{{#lines}}<li>{{.}}</li>{{/lines}}</ul>
        </section>
        {{/banners}}
        """

    /// A card's value, state and notes (the main page's card and the card page).
    static let summary = """
        <p class="value"><span class="number">{{value}}</span></p>
        <p class="state"><span class="badge">{{stateIcon}} {{stateLabel}}</span>{{#trigger}} <span class="trigger">{{trigger}}</span>{{/trigger}}</p>
        {{#spikeRule}}<p class="note spike-rule">{{spikeRule}}</p>{{/spikeRule}}
        {{#stateNote}}<p class="note">{{stateNote}}</p>{{/stateNote}}
        {{#staleAlert}}<p class="note">{{staleAlert}}</p>{{/staleAlert}}
        {{#unmatched}}<p class="note unmatched">{{unmatched}}</p>{{/unmatched}}
        {{#matched}}<p class="note matched">{{matched}}</p>{{/matched}}
        """

    static let breakdown = """
        {{#hasBreakdown}}
        <table class="breakdown">
        <caption>Breakdown</caption>
        <thead><tr><th scope="col">Group</th><th scope="col">Value</th></tr></thead>
        <tbody>{{#breakdown}}<tr><th scope="row">{{label}}</th><td>{{value}}</td></tr>{{/breakdown}}</tbody>
        </table>
        {{/hasBreakdown}}
        """

    /// A worklist cell: a listing id links to the listing, with its title beside it.
    static let cell = """
        <td>{{#link}}<a class="ext" href="{{link}}" rel="noreferrer noopener" target="_blank" aria-label="{{linkLabel}}">{{text}}</a>{{/link}}{{^link}}{{text}}{{/link}}{{#listingTitle}} <span class="listing-title">{{listingTitle}}</span>{{/listingTitle}}</td>
        """

    /// One card's page: everything about it.
    static let card = """
        {{<layout}}{{$body}}
        <body data-profile="{{profile}}" data-version="{{version}}" class="card-page">
        {{>header}}
        <main>
        <p class="back"><a href="/">← All cards</a></p>
        {{>banners}}
        {{#card}}
        <article class="card card-detail state-{{stateClass}}{{#hero}} hero{{/hero}}" id="card-{{key}}" aria-labelledby="title-{{key}}">
        {{#hero}}<p class="hero-mark"><span aria-hidden="true">★</span> Hero card</p>{{/hero}}
        <h1 id="title-{{key}}">{{title}}</h1>
        {{>summary}}
        {{#silenced}}<p class="lifecycle silenced">Silenced until <time class="silenced-until" datetime="{{silencedUntilISO}}">{{silencedUntil}}</time> by {{silencedBy}}: {{silencedReason}}</p>{{/silenced}}
        {{#ackBy}}<p class="lifecycle acknowledged">Acknowledged by {{ackBy}} at <time datetime="{{ackAtISO}}">{{ackAt}}</time>{{#ackNote}}: {{ackNote}}{{/ackNote}}</p>{{/ackBy}}
        <p class="age">{{age}}</p>
        <section id="history" aria-labelledby="history-heading">
        <h2 id="history-heading">History</h2>
        {{#chart}}<figure class="chart">{{{chart}}}<figcaption>{{recorded}}, oldest first; dashed: the trigger level.</figcaption></figure>{{/chart}}
        {{^chart}}<p class="empty">Nothing recorded yet.</p>{{/chart}}
        </section>
        <section id="transitions" aria-labelledby="transitions-heading">
        <h2 id="transitions-heading">Alert transitions</h2>
        {{#hasTransitions}}<ol class="transitions">{{#transitions}}<li><time datetime="{{atISO}}">{{at}}</time> {{line}} · <span class="reason">{{reason}}</span></li>{{/transitions}}</ol>{{/hasTransitions}}
        {{^hasTransitions}}<p class="empty">No transitions recorded.</p>{{/hasTransitions}}
        </section>
        {{#hasBreakdown}}<section id="breakdown">{{>breakdown}}</section>{{/hasBreakdown}}
        <section id="worklist" aria-labelledby="worklist-heading">
        <h2 id="worklist-heading">Worklist</h2>
        {{#hasRows}}
        <div class="scroll">
        <table class="worklist full">
        <caption>{{rowCount}} row{{^oneRow}}s{{/oneRow}}; rows {{firstShown}}–{{lastShown}} shown (page {{page}} of {{pages}})</caption>
        <thead><tr>{{#headers}}<th scope="col" aria-sort="{{ariaSort}}"><a class="sort" href="{{href}}" aria-label="{{sortLabel}}">{{name}}</a>{{#arrow}} <span aria-hidden="true">{{arrow}}</span>{{/arrow}}</th>{{/headers}}</tr></thead>
        <tbody>{{#rows}}<tr>{{#cells}}{{>cell}}{{/cells}}</tr>{{/rows}}</tbody>
        </table>
        </div>
        {{#paged}}<nav class="pages" aria-label="Worklist pages">{{#previous}}<a rel="prev" class="previous" href="{{previous}}">← Previous</a>{{/previous}}
        {{#pageLinks}}{{#current}}<span class="current" aria-current="page">{{number}}</span>{{/current}}{{^current}}<a href="{{href}}">{{number}}</a>{{/current}} {{/pageLinks}}
        {{#next}}<a rel="next" class="next" href="{{next}}">Next →</a>{{/next}}</nav>{{/paged}}
        <p><a href="/api/v1/profiles/{{profile}}/cards/{{key}}?format=csv" download>Download the whole worklist (CSV)</a></p>
        {{/hasRows}}
        {{^hasRows}}<p class="empty">No worklist rows.</p>{{/hasRows}}
        </section>
        <section id="definition" aria-labelledby="definition-heading">
        <h2 id="definition-heading">Definition</h2>
        <dl class="definition">{{#definition}}<dt>{{name}}</dt><dd>{{value}}</dd>{{/definition}}</dl>
        </section>
        </article>
        {{/card}}
        </main>
        </body>
        {{/body}}{{/layout}}
        """

    /// A card that does not exist, or that the viewer may not see (the same page).
    static let missing = """
        {{<layout}}{{$body}}
        <body>
        <main>
        <p class="back"><a href="/">← All cards</a></p>
        <h1>No card '{{key}}'</h1>
        <p>There is no such card in this profile, or it is not shown to your role.</p>
        </main>
        </body>
        {{/body}}{{/layout}}
        """

    static let layout = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}}</title>
        <link rel="stylesheet" href="/assets/pulse.css">
        <script src="/assets/pulse.js" defer></script>
        </head>
        {{$body}}{{/body}}
        </html>
        """

    static let login = """
        {{<layout}}{{$body}}
        <body>
        <main class="login">
        <h1>Pulse</h1>
        <p>Sign in with the token you were given (<code>pulse token new</code> makes one).</p>
        {{#error}}<p class="banner" role="alert" id="login-error">{{error}}</p>{{/error}}
        <form method="post" action="/login">
        <label for="token">Token</label>
        <input id="token" name="token" type="password" autocomplete="off" required maxlength="1024">
        <button type="submit" id="login">Sign in</button>
        </form>
        </main>
        </body>
        {{/body}}{{/layout}}
        """

    static let dashboard = """
        {{<layout}}{{$body}}
        <body data-profile="{{profile}}" data-version="{{version}}">
        {{>header}}
        <main>
        {{>banners}}
        <p id="lifecycle-status" class="flash" role="status"></p>
        {{^cards}}<p class="empty">No cards to show yet.</p>{{/cards}}
        <div class="cards">
        {{#cards}}
        <article class="card state-{{stateClass}}{{#hero}} hero{{/hero}}{{#silenced}} is-silenced{{/silenced}}" id="card-{{key}}" aria-labelledby="title-{{key}}">
        {{#hero}}<p class="hero-mark"><span aria-hidden="true">★</span> Hero card</p>{{/hero}}
        <h2 id="title-{{key}}"><a class="card-link" href="{{href}}">{{title}}</a></h2>
        {{>summary}}
        {{#silenced}}<p class="lifecycle silenced">Silenced until <time class="silenced-until" datetime="{{silencedUntilISO}}">{{silencedUntil}}</time> by {{silencedBy}}: {{silencedReason}}</p>{{/silenced}}
        {{#ackBy}}<p class="lifecycle acknowledged">Acknowledged by {{ackBy}} at <time datetime="{{ackAtISO}}">{{ackAt}}</time>{{#ackNote}}: {{ackNote}}{{/ackNote}}</p>{{/ackBy}}
        {{#manages}}
        <div class="actions" role="group" aria-label="Alert actions">
        {{#canAck}}<button type="button" class="ack" data-action="ack" data-card="{{key}}" aria-describedby="title-{{key}}">Acknowledge</button>{{/canAck}}
        <button type="button" class="silence" data-action="silence" aria-expanded="false" aria-controls="silence-form-{{key}}" aria-describedby="title-{{key}}">Silence…</button>
        {{#silenceID}}<button type="button" class="expire" data-action="expire" data-card="{{key}}" data-silence="{{silenceID}}" aria-describedby="title-{{key}}">Expire</button>{{/silenceID}}
        </div>
        <form class="silence-form" id="silence-form-{{key}}" data-card="{{key}}" hidden>
        <fieldset>
        <legend>Silence this card's notifications</legend>
        <label for="silence-for-{{key}}">For</label>
        <select id="silence-for-{{key}}" name="for">
        <option value="1h">1 hour</option>
        <option value="4h" selected>4 hours</option>
        <option value="24h">24 hours</option>
        <option value="7d">7 days</option>
        </select>
        <label for="silence-reason-{{key}}">Reason</label>
        <input id="silence-reason-{{key}}" name="reason" type="text" required maxlength="500" autocomplete="off">
        <button type="submit">Silence</button>
        </fieldset>
        </form>
        <p class="lifecycle-error" id="lifecycle-error-{{key}}" role="alert"></p>
        {{/manages}}
        <p class="age">{{age}}</p>
        {{{sparkline}}}
        {{>breakdown}}
        {{#hasRows}}
        <table class="worklist">
        <caption>Worklist: {{rowCount}} row{{^oneRow}}s{{/oneRow}}{{#more}}, first {{shown}} shown{{/more}}{{#columnsHidden}} ({{columnsHidden}}){{/columnsHidden}}</caption>
        <thead><tr>{{#columns}}<th scope="col">{{.}}</th>{{/columns}}</tr></thead>
        <tbody>{{#rows}}<tr>{{#cells}}{{>cell}}{{/cells}}</tr>{{/rows}}</tbody>
        </table>
        <p class="more-link"><a href="{{href}}#worklist">The whole worklist, every column</a> · <a href="/api/v1/profiles/{{profile}}/cards/{{key}}?format=csv" download>CSV</a></p>
        {{/hasRows}}
        {{^hasRows}}<p class="more-link"><a href="{{href}}">History and definition</a></p>{{/hasRows}}
        </article>
        {{/cards}}
        </div>
        </main>
        </body>
        {{/body}}{{/layout}}
        """
}

/// The dashboard's own CSS and JavaScript, served by Pulse (nothing comes from elsewhere).
enum Assets {
    static let css = """
        :root { color-scheme: light; --ink: #1a1a1a; --muted: #4a4a4a; --line: #c8c8c8; --bg: #f6f6f4;
          --fire: #a4161a; --warn: #8a5a00; --pend: #7a4a00; --ok: #1f6b35; --nodata: #3d3d8f; --stale: #5a5a5a; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 16px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--bg); }
        header { display: flex; flex-wrap: wrap; align-items: baseline; gap: .25rem 1rem; padding: .75rem 1rem; background: #fff; border-bottom: 1px solid var(--line); }
        header h1 { margin: 0; font-size: 1.3rem; }
        .profile { font-weight: 400; }
        .meta { margin: 0; color: var(--muted); flex: 1 1 20rem; }
        .logout button, form button { font: inherit; padding: .4rem .9rem; border: 1px solid var(--ink); background: #fff; color: var(--ink); border-radius: 4px; cursor: pointer; }
        main { padding: 1rem; max-width: 90rem; margin: 0 auto; }
        .banner { border: 2px solid var(--fire); background: #fff4f4; padding: .5rem 1rem; margin-bottom: 1rem; border-radius: 4px; }
        .banner h2 { font-size: 1rem; margin: .25rem 0; }
        .cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 24rem), 1fr)); gap: 1rem; }
        .card { background: #fff; border: 1px solid var(--line); border-left: 6px solid var(--line); border-radius: 4px; padding: .75rem 1rem; min-width: 0; }
        .card.hero { grid-column: span 1; }
        .card h2 { font-size: 1.05rem; margin: 0 0 .25rem; }
        .value { font-size: 2rem; font-weight: 650; margin: 0; }
        .state { margin: .25rem 0; }
        .badge { display: inline-block; font-weight: 650; padding: 0 .4rem; border: 1px solid currentColor; border-radius: 3px; }
        .state-firing { border-left-color: var(--fire); } .state-firing .badge { color: var(--fire); }
        .state-pending { border-left-color: var(--pend); } .state-pending .badge { color: var(--pend); }
        .state-ok { border-left-color: var(--ok); } .state-ok .badge { color: var(--ok); }
        .state-no_data { border-left-color: var(--nodata); border-left-style: dashed; } .state-no_data .badge { color: var(--nodata); }
        .severity-warn { border-left-color: var(--warn); } .severity-warn .badge { color: var(--warn); }
        .state-stale { border-left-color: var(--stale); border-left-style: dotted; background: #f2f2f2; } .state-stale .badge { color: var(--stale); }
        .state-stale .value .number { color: var(--stale); }
        .state-none .badge { color: var(--muted); }
        .age { color: var(--muted); font-size: .9rem; margin: .25rem 0; }
        .trigger, .note { color: var(--muted); }
        .unmatched { color: var(--nodata); }
        .sparkline { display: block; margin: .25rem 0; fill: none; stroke: var(--ink); stroke-width: 1.5; }
        .sparkline circle { fill: var(--ink); }
        table { border-collapse: collapse; width: 100%; margin: .5rem 0; font-size: .9rem; }
        caption { text-align: left; font-weight: 600; padding: .25rem 0; }
        th, td { text-align: left; padding: .2rem .4rem; border-bottom: 1px solid var(--line); vertical-align: top; overflow-wrap: anywhere; }
        .scroll { overflow-x: auto; }
        .worklist.full th, .worklist.full td { white-space: nowrap; overflow-wrap: normal; }
        .listing-title { color: var(--muted); }
        .card:not(.card-detail) .worklist { font-size: .85rem; }
        .card:not(.card-detail) .worklist .listing-title { display: block; }
        .card:not(.card-detail) .worklist th { overflow-wrap: normal; }
        .card:not(.card-detail) .worklist { table-layout: fixed; }
        .card:not(.card-detail) .worklist th:first-child { width: 44%; }
        .card:not(.card-detail) .worklist td { overflow-wrap: break-word; }
        .card:not(.card-detail) .worklist a.ext { white-space: nowrap; }
        .worklist.full .listing-title { white-space: normal; }
        .hero-mark { margin: 0; font-size: .85rem; font-weight: 650; color: var(--muted); letter-spacing: .02em; }
        .card.hero { border-top: 3px solid var(--ink); }
        .card h2 a.card-link { color: inherit; }
        .more-link { margin: .25rem 0; font-size: .9rem; }
        .sparkline.single text { fill: var(--ink); stroke: none; font-size: 14px; font-weight: 600; }
        .profile-key { color: var(--muted); font-weight: 400; font-size: .9rem; }
        h1 a.home { color: inherit; text-decoration: none; }
        .back { margin: 0 0 .75rem; }
        .card-detail h1 { font-size: 1.4rem; margin: 0 0 .25rem; }
        .card-detail section { margin-top: 1.25rem; }
        .card-detail section h2 { font-size: 1.1rem; }
        .chart { margin: 0; }
        .history-chart { width: 100%; max-width: 720px; height: auto; display: block; background: #fff; }
        .history-chart .axis { stroke: var(--muted); stroke-width: 1; }
        .history-chart .series { fill: none; stroke: var(--ink); stroke-width: 2; }
        .history-chart .point { fill: var(--ink); }
        .history-chart .trigger-line { stroke: var(--fire); stroke-width: 1.5; stroke-dasharray: 6 4; }
        .history-chart .trigger-label { fill: var(--fire); font-size: 12px; }
        .history-chart .tick, .history-chart .date { fill: var(--muted); font-size: 12px; }
        .transitions { padding-left: 1.25rem; }
        .transitions .reason { color: var(--muted); }
        .pages { display: flex; flex-wrap: wrap; gap: .5rem; align-items: baseline; margin: .5rem 0; }
        .pages .current { font-weight: 700; }
        th a.sort { color: inherit; }
        .definition { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; }
        .definition dt { font-weight: 600; }
        .definition dd { margin: 0; font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .9rem; overflow-wrap: anywhere; }
        a { color: #0b4f8a; }
        .login { max-width: 26rem; margin: 3rem auto; background: #fff; padding: 1.5rem; border: 1px solid var(--line); border-radius: 4px; }
        .login label { display: block; font-weight: 600; margin: 1rem 0 .25rem; }
        .login input { width: 100%; font: inherit; padding: .5rem; border: 1px solid var(--ink); border-radius: 4px; }
        .login button { margin-top: 1rem; }
        .lifecycle { margin: .25rem 0; padding: .15rem .5rem; border-left: 3px solid var(--muted); background: #f3f3f6; font-size: .95rem; }
        .is-silenced { border-left-style: double; }
        .actions { display: flex; flex-wrap: wrap; gap: .5rem; margin: .5rem 0; }
        .actions button { font: inherit; padding: .3rem .8rem; border: 1px solid var(--ink); background: #fff; color: var(--ink); border-radius: 4px; cursor: pointer; }
        button[disabled] { opacity: .6; cursor: progress; }
        .silence-form fieldset { display: grid; gap: .25rem; margin: .25rem 0 .5rem; padding: .5rem .75rem; border: 1px solid var(--line); border-radius: 4px; }
        .silence-form legend { font-weight: 600; padding: 0 .25rem; }
        .silence-form label { font-weight: 600; }
        .silence-form select, .silence-form input { font: inherit; padding: .3rem; border: 1px solid var(--ink); border-radius: 4px; }
        .silence-form button { justify-self: start; margin-top: .25rem; }
        .lifecycle-error { color: var(--fire); margin: 0; }
        .lifecycle-error:not(:empty) { margin: .25rem 0; font-weight: 600; }
        .flash { margin: 0; font-weight: 600; }
        .flash:not(:empty) { margin: 0 0 1rem; }
        :focus-visible { outline: 3px solid #0b4f8a; outline-offset: 2px; }
        """

    /// Polls `/served` every two seconds and reloads the page when a new evaluation (or a new
    /// problem, silence or acknowledgement) is served; signs out to the login page when the session
    /// ends. Acknowledge, Silence… and Expire call the API with the session cookie (and the
    /// `X-Requested-With` header cookie-signed changes need), then reload and say what was done;
    /// the page also reloads when a silence it shows ends.
    static let javascript = """
        (function () {
          var body = document.body, profile = body.getAttribute('data-profile'), version = body.getAttribute('data-version');
          if (!profile) return;
          var busy = false, flashKey = 'pulse-flash';
          var status = document.getElementById('lifecycle-status');
          try {
            var told = window.sessionStorage.getItem(flashKey);
            if (told && status) {
              var parts = told.split('|');
              status.setAttribute('data-flash', parts[0]);
              status.textContent = parts.slice(1).join('|');
            }
            window.sessionStorage.removeItem(flashKey);
          } catch (e) {}
          function cardTitle(key) {
            var h = document.getElementById('title-' + key);
            return h ? h.textContent : key;
          }
          function say(key, message) {
            var p = document.getElementById('lifecycle-error-' + key);
            if (p) p.textContent = message;
          }
          function send(method, path, payload, key, done, button) {
            busy = true;
            if (status) { status.textContent = ''; status.removeAttribute('data-flash'); }
            say(key, '');
            if (button) { button.disabled = true; button.setAttribute('aria-busy', 'true'); }
            var headers = { 'X-Requested-With': 'pulse-dashboard' };
            if (payload !== null) headers['Content-Type'] = 'application/json';
            fetch('/api/v1/profiles/' + encodeURIComponent(profile) + path, {
              method: method, credentials: 'same-origin', cache: 'no-store', headers: headers,
              body: payload === null ? undefined : JSON.stringify(payload)
            }).then(function (r) {
              if (r.status === 401) { window.location.href = '/'; return null; }
              return r.json().catch(function () { return {}; }).then(function (j) {
                if (r.ok) {
                  try { window.sessionStorage.setItem(flashKey, done(j)); } catch (e) {}
                  window.location.reload();
                  return;
                }
                busy = false;
                if (button) { button.disabled = false; button.removeAttribute('aria-busy'); }
                say(key, (j && j.error) ? j.error : 'Pulse answered ' + r.status + '.');
              });
            }).catch(function () {
              busy = false;
              if (button) { button.disabled = false; button.removeAttribute('aria-busy'); }
              say(key, 'Pulse could not be reached; try again.');
            });
          }
          document.addEventListener('click', function (event) {
            var button = event.target.closest ? event.target.closest('button[data-action]') : null;
            if (!button || busy) return;
            var action = button.getAttribute('data-action'), key = button.getAttribute('data-card');
            if (action === 'ack') {
              send('POST', '/cards/' + encodeURIComponent(key) + '/ack', null, key, function (j) {
                return 'ack|' + cardTitle(key) + ' acknowledged by ' + (j.by || 'you') + '.';
              }, button);
            } else if (action === 'expire') {
              var id = button.getAttribute('data-silence');
              send('DELETE', '/silences/' + encodeURIComponent(id), null, key, function () {
                return 'expire|The silence of ' + cardTitle(key) + ' was expired.';
              }, button);
            } else if (action === 'silence') {
              var form = document.getElementById(button.getAttribute('aria-controls'));
              if (!form) return;
              var open = form.hasAttribute('hidden');
              if (open) form.removeAttribute('hidden'); else form.setAttribute('hidden', '');
              button.setAttribute('aria-expanded', open ? 'true' : 'false');
              if (open) { var first = form.querySelector('select'); if (first) first.focus(); }
            }
          });
          document.addEventListener('submit', function (event) {
            var form = event.target;
            if (!form.classList || !form.classList.contains('silence-form')) return;
            event.preventDefault();
            if (busy) return;
            var key = form.getAttribute('data-card'), reason = form.elements['reason'].value.trim();
            if (!reason) { say(key, 'Say why: the reason is shown to everyone who sees the card.'); form.elements['reason'].focus(); return; }
            var payload = { cards: [key], 'for': form.elements['for'].value, reason: reason };
            send('POST', '/silences', payload, key, function (j) {
              return 'silence|' + cardTitle(key) + ' silenced (#' + j.id + ').';
            }, form.querySelector('button[type=submit]'));
          });
          // A silence shown here ends by the clock: reload then, to show the card without it.
          var ends = Array.prototype.map.call(document.querySelectorAll('time.silenced-until'), function (t) {
            return Date.parse(t.getAttribute('datetime'));
          }).filter(function (t) { return !isNaN(t); });
          if (ends.length) {
            var wait = Math.min.apply(null, ends) - Date.now() + 1000;
            if (wait > 0 && wait < 2147483647) window.setTimeout(function () { if (!busy) window.location.reload(); }, wait);
          }
          function poll() {
            fetch('/api/v1/profiles/' + encodeURIComponent(profile) + '/served', { credentials: 'same-origin', cache: 'no-store' })
              .then(function (r) {
                if (r.status === 401) { window.location.href = '/'; return null; }
                return r.ok ? r.json() : null;
              })
              .then(function (j) {
                if (j && String(j.version) !== version && !busy) { window.location.reload(); return; }
                window.setTimeout(poll, 2000);
              })
              .catch(function () { window.setTimeout(poll, 2000); });
          }
          window.setTimeout(poll, 2000);
        })();
        """
}
