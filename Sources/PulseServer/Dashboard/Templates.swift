import Mustache

/// The dashboard's Mustache templates (HTML-escaped by `{{ }}`; only the sparkline, which Pulse
/// draws from numbers, is inserted raw with `{{{ }}}`).
enum Templates {
    static let library: MustacheLibrary = {
        var library = MustacheLibrary()
        // The templates are constants of this file: a parse error is a bug that every test shows.
        try? library.register(layout, named: "layout")
        try? library.register(login, named: "login")
        try? library.register(dashboard, named: "dashboard")
        return library
    }()

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
        <header>
        <h1>Pulse <span class="profile">{{profile}}</span></h1>
        <p class="meta">Role <strong>{{role}}</strong>{{#store}} · store {{store}}{{/store}} · snapshot <time id="taken-at">{{takenAt}}</time>
        {{#evaluatedAt}} · evaluated {{evaluatedAt}}{{/evaluatedAt}}</p>
        <form method="post" action="/logout" class="logout"><button type="submit">Sign out</button></form>
        </header>
        <main>
        {{#banners}}
        <section class="banner" role="alert">
        <h2>{{heading}}</h2>
        <ul>{{#lines}}<li>{{.}}</li>{{/lines}}</ul>
        </section>
        {{/banners}}
        {{^cards}}<p class="empty">No cards to show yet.</p>{{/cards}}
        <div class="cards">
        {{#cards}}
        <article class="card state-{{stateClass}}{{#hero}} hero{{/hero}}" id="card-{{key}}" aria-labelledby="title-{{key}}">
        <h2 id="title-{{key}}">{{title}}</h2>
        <p class="value"><span class="number">{{value}}</span></p>
        <p class="state"><span class="badge">{{stateIcon}} {{stateLabel}}</span>{{#trigger}} <span class="trigger">{{trigger}}</span>{{/trigger}}</p>
        {{#stateNote}}<p class="note">{{stateNote}}</p>{{/stateNote}}
        {{#staleAlert}}<p class="note">{{staleAlert}}</p>{{/staleAlert}}
        {{#unmatched}}<p class="note unmatched">{{unmatched}}</p>{{/unmatched}}
        <p class="age">{{age}}</p>
        {{{sparkline}}}
        {{#hasBreakdown}}
        <table class="breakdown">
        <caption>Breakdown</caption>
        <thead><tr><th scope="col">Group</th><th scope="col">Value</th></tr></thead>
        <tbody>{{#breakdown}}<tr><th scope="row">{{label}}</th><td>{{value}}</td></tr>{{/breakdown}}</tbody>
        </table>
        {{/hasBreakdown}}
        {{#hasRows}}
        <div class="scroll">
        <table class="worklist">
        <caption>Worklist: {{rowCount}} row{{^oneRow}}s{{/oneRow}}{{#more}}, first {{shown}} shown{{/more}}</caption>
        <thead><tr>{{#columns}}<th scope="col">{{.}}</th>{{/columns}}</tr></thead>
        <tbody>{{#rows}}<tr>{{#cells}}<td>{{.}}</td>{{/cells}}</tr>{{/rows}}</tbody>
        </table>
        </div>
        <p><a href="/api/v1/profiles/{{profile}}/cards/{{key}}?format=csv" download>Download the whole worklist (CSV)</a></p>
        {{/hasRows}}
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
        .worklist th, .worklist td { white-space: nowrap; overflow-wrap: normal; }
        a { color: #0b4f8a; }
        .login { max-width: 26rem; margin: 3rem auto; background: #fff; padding: 1.5rem; border: 1px solid var(--line); border-radius: 4px; }
        .login label { display: block; font-weight: 600; margin: 1rem 0 .25rem; }
        .login input { width: 100%; font: inherit; padding: .5rem; border: 1px solid var(--ink); border-radius: 4px; }
        .login button { margin-top: 1rem; }
        :focus-visible { outline: 3px solid #0b4f8a; outline-offset: 2px; }
        """

    /// Polls `/served` every two seconds and reloads the page when a new evaluation (or a new
    /// problem) is served; signs out to the login page when the session ends.
    static let javascript = """
        (function () {
          var body = document.body, profile = body.getAttribute('data-profile'), version = body.getAttribute('data-version');
          if (!profile) return;
          function poll() {
            fetch('/api/v1/profiles/' + encodeURIComponent(profile) + '/served', { credentials: 'same-origin', cache: 'no-store' })
              .then(function (r) {
                if (r.status === 401) { window.location.href = '/'; return null; }
                return r.ok ? r.json() : null;
              })
              .then(function (j) {
                if (j && String(j.version) !== version) { window.location.reload(); return; }
                window.setTimeout(poll, 2000);
              })
              .catch(function () { window.setTimeout(poll, 2000); });
          }
          window.setTimeout(poll, 2000);
        })();
        """
}
