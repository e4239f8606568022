import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import PulseConfig
import PulseSnapshot
import PulseEngine
import PulseExpressions
import PulseHistory
import PulseReport

/// The dashboard: a login form, then the token's cards, server-rendered; its own CSS and script.
struct DashboardRoutes: Sendable {
    let engine: ServeEngine
    let tokens: TokenBook
    let sessions: SessionBook
    /// Worklist rows shown on a card (the card page and the CSV have them all).
    static let rowsShown = 10
    /// Worklist columns shown on a card of the main page, so that none hides behind a
    /// horizontal scroll (the card page shows them all).
    static let columnsShown = 3

    /// Headers of every page: nothing from elsewhere may load, and no one may frame it.
    static let pageHeaders: HTTPFields = [
        .contentSecurityPolicy: "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'",
        HTTPField.Name("X-Content-Type-Options")!: "nosniff",
        HTTPField.Name("Referrer-Policy")!: "no-referrer",
    ]

    func add(to router: Router<ServeContext>) {
        router.get("/") { _, context in page(context) }
        router.get("cards/:key") { request, context in cardPage(request, context) }
        router.post("login") { request, _ in try await login(request) }
        router.post("logout") { request, _ in logout(request) }
        router.get("assets/pulse.css") { _, _ in Reply.bytes(Array(Assets.css.utf8), contentType: "text/css; charset=utf-8") }
        router.get("assets/pulse.js") { _, _ in Reply.bytes(Array(Assets.javascript.utf8), contentType: "text/javascript; charset=utf-8") }
    }

    private func html(_ text: String, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var all = Self.pageHeaders
        all.append(contentsOf: headers)
        return Reply.bytes(Array(text.utf8), contentType: "text/html; charset=utf-8", status: status, headers: all)
    }

    private func loginPage(error: String?, status: HTTPResponse.Status = .ok) -> Response {
        var model: [String: Any] = ["title": "Sign in · Pulse"]
        if let error { model["error"] = error }
        return html(Templates.library.render(model, withTemplate: "login") ?? "", status: status)
    }

    func page(_ context: ServeContext) -> Response {
        guard let viewer = context.viewer, let view = engine.state.current.profiles[viewer.profile] else { return loginPage(error: nil) }
        var lifecycle: CardLifecycle?, lifecycleError: String?
        if let served = view.served {
            do { lifecycle = try CardLifecycle.read(engine.store, profile: view.name, served: served, viewer: viewer, now: engine.settings.clock?() ?? CELTimestamp.wallClock) } catch {
                lifecycleError = "\(error)"
            }
        }
        let now = (engine.settings.clock?() ?? CELTimestamp.wallClock).seconds
        let model = Self.model(view, viewer: viewer, snapshotsFolder: engine.settings.snapshotsDir + "/" + view.name, lifecycle: lifecycle,
                               lifecycleError: lifecycleError, now: now)
        return html(Templates.library.render(model, withTemplate: "dashboard") ?? "")
    }

    /// `/cards/{key}`: one card's page (the sign-in form without a session; 404 for a card the
    /// viewer may not see, exactly like one that does not exist).
    func cardPage(_ request: Request, _ context: ServeContext) -> Response {
        guard let viewer = context.viewer, let view = engine.state.current.profiles[viewer.profile] else { return loginPage(error: nil) }
        let key = context.parameters.get("key") ?? ""
        guard let served = view.served, let r = served.result(key), viewer.sees(r.settings.roles) else {
            let model: [String: Any] = ["title": "No such card · Pulse", "profile": view.name, "version": view.version, "key": String(key.prefix(64))]
            return html(Templates.library.render(model, withTemplate: "missing") ?? "", status: .notFound)
        }
        let now = engine.settings.clock?() ?? CELTimestamp.wallClock
        var lifecycle: CardLifecycle?
        var problems: [String] = []
        do { lifecycle = try CardLifecycle.read(engine.store, profile: view.name, served: served, viewer: viewer, now: now) } catch {
            problems.append("Silences and acknowledgements could not be read: \(error)")
        }
        var points: [SeriesPoint] = [], transitions: [AlertTransition] = []
        do {
            points = try engine.store.series(profile: view.name, card: key, since: nil)
            transitions = try engine.store.transitions(profile: view.name, since: nil).filter { $0.card == key }
        } catch {
            problems.append("The history store could not be read: \(error)")
        }
        let query = request.uri.queryParameters
        let order = CardPage.order(page: query.get("page"), sort: query.get("sort"), dir: query.get("dir"), columns: r.rows.columns)
        var model = Self.pageModel(view, viewer: viewer, served: served, now: now.seconds)
        let timeZone = view.config?.profile.timezone ?? "UTC"
        var card = Self.cardModel(r, served: served, timeZone: timeZone, storeHash: Self.storeHash(view), columns: nil)
        Self.lifecycleModel(r, lifecycle: lifecycle, manages: false, timeZone: timeZone, into: &card)
        card["definition"] = CardPage.definition(r, trigger: card["trigger"] as? String)
        card.merge(CardPage.worklistModel(r, order: order, cells: WorklistCells(r, storeHash: Self.storeHash(view)), key: key)) { _, new in new }
        card.merge(CardPage.historyModel(r, points: points, transitions: transitions, timeZone: timeZone, now: now.seconds)) { _, new in new }
        model["card"] = card
        model["title"] = "\(r.card.title) · \(model["storeName"] as? String ?? view.name) · Pulse"
        if !problems.isEmpty {
            model["banners"] = [["heading": "Part of this page could not be read", "lines": viewer.isOwner ? problems : ["An owner sees the details."]]]
        }
        return html(Templates.library.render(model, withTemplate: "card") ?? "")
    }

    /// The profile's BigCommerce store hash, when its sources name one.
    static func storeHash(_ view: ProfileView) -> String? {
        view.config?.profile.sources.bigcommerce?.storeHash?.value
    }

    /// What every signed-in page's header shows: the store's name, the role, the snapshot's time
    /// in the profile's zone with its age.
    static func pageModel(_ view: ProfileView, viewer: Viewer, served: ServedEvaluation?, now: Int64) -> [String: Any] {
        let storeName = view.config?.profile.storeName ?? view.name
        var model: [String: Any] = ["title": "\(storeName) · Pulse", "profile": view.name, "storeName": storeName, "role": viewer.role,
                                    "version": view.version]
        if storeName != view.name { model["profileKey"] = view.name }
        guard let served else { return model }
        let timeZone = view.config?.profile.timezone ?? "UTC"
        let taken = served.takenAt.seconds
        model["takenAtISO"] = served.takenAt.description
        model["takenAt"] = localTime(taken, now: now, timeZone: timeZone) + " (" + DataAge.ago(max(0, now - taken)) + ")"
        let evaluated = Int64(served.evaluatedAt.timeIntervalSince1970.rounded(.down))
        model["evaluatedAtISO"] = ISO8601DateFormatter().string(from: served.evaluatedAt)
        model["evaluatedAt"] = localTime(evaluated, now: now, timeZone: timeZone) + " (" + DataAge.ago(max(0, now - evaluated)) + ")"
        model["timeZone"] = timeZone
        if let store = served.store { model["store"] = store }
        return model
    }

    func login(_ request: Request) async throws -> Response {
        let body = try await request.body.collect(upTo: 8192)
        let form = String(buffer: body)
        var token: String?
        for pair in form.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            if parts.count == 2, parts[0] == "token" {
                token = String(parts[1]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding
            }
        }
        guard let token = token?.trimmingCharacters(in: .whitespacesAndNewlines), let viewer = tokens.viewer(token: token) else {
            return loginPage(error: "That token is not valid.", status: .unauthorized)
        }
        let session = sessions.open(viewer)
        var response = Reply.seeOther("/")
        response.setCookie(Cookie(name: SessionBook.cookieName, value: session, maxAge: Int(SessionBook.lifetime), path: "/",
                                  httpOnly: true, sameSite: .strict))
        return response
    }

    func logout(_ request: Request) -> Response {
        if let session = request.cookies[SessionBook.cookieName]?.value { sessions.close(session) }
        var response = Reply.seeOther("/")
        response.setCookie(Cookie(name: SessionBook.cookieName, value: "", maxAge: 0, path: "/", httpOnly: true, sameSite: .strict))
        return response
    }

    /// What the dashboard template shows. `lifecycle` is what the cards show of silences and
    /// acknowledgements (`lifecycleError`: why it could not be read).
    static func model(_ view: ProfileView, viewer: Viewer, snapshotsFolder: String, lifecycle: CardLifecycle? = nil, lifecycleError: String? = nil,
                      now: Int64 = CELTimestamp.wallClock.seconds) -> [String: Any] {
        // The details of a problem may name any card: only an owner sees them.
        let owner = viewer.isOwner
        let ask = ["An owner sees the details on this page and in /api/v1/status."]
        var banners: [[String: Any]] = []
        if !view.configErrors.isEmpty {
            banners.append(["heading": "The config has errors; the last good config is still served",
                            "lines": owner ? view.configErrors.map { "\($0.location): \($0.message) [\($0.rule.rawValue)]" } : ask])
        }
        if let p = view.snapshotProblem {
            banners.append(["heading": "The latest snapshot could not be served; the last good one stays", "lines": owner ? [problemLine(p)] : ask])
        }
        if let p = view.pullProblem { banners.append(["heading": "The latest pull failed", "lines": owner ? [problemLine(p)] : ask]) }
        if let e = lifecycleError {
            banners.append(["heading": "Silences and acknowledgements could not be read from the history store", "lines": owner ? [e] : ask])
        }
        var model = pageModel(view, viewer: viewer, served: view.served, now: now)
        model["banners"] = banners
        guard let served = view.served else {
            let where_ = owner ? "in \(snapshotsFolder)/ (pulse pull --profile \(view.name) writes there)" : "in the profile's snapshots folder"
            banners.append(["heading": "No snapshot has been evaluated yet",
                            "lines": ["Pulse evaluates the newest snapshot \(where_) as soon as one appears."]])
            model["banners"] = banners
            model["takenAt"] = "none yet"
            return model
        }
        let timeZone = view.config?.profile.timezone ?? "UTC"
        // Owner and operations may acknowledge and silence (the API's LifecycleRoutes).
        let manages = LifecycleRoutes.roles.contains(viewer.role)
        model["cards"] = viewer.visible(served).map {
            var card = cardModel($0, served: served, timeZone: timeZone, storeHash: storeHash(view), columns: columnsShown)
            lifecycleModel($0, lifecycle: lifecycle, manages: manages, timeZone: timeZone, into: &card)
            return card
        }
        return model
    }

    /// A problem as one line: its subject, then its message, the subject said once (a pull error's
    /// message already starts with its source: `bigcommerce: GET ...`).
    static func problemLine(_ p: ServeProblem) -> String {
        p.message.hasPrefix(p.subject + ":") || p.message == p.subject ? p.message : "\(p.subject): \(p.message)"
    }

    /// Who silenced or acknowledged the card, and (for a viewer who `manages`) its buttons.
    static func lifecycleModel(_ r: CardResult, lifecycle: CardLifecycle?, manages: Bool, timeZone: String, into model: inout [String: Any]) {
        let silence = lifecycle?.silence(for: r), ack = lifecycle?.acknowledgement(for: r)
        let now = lifecycle?.now ?? CELTimestamp.wallClock.seconds
        if let s = silence {
            model["silenced"] = true
            model["silenceID"] = String(s.id)
            model["silencedUntil"] = localTime(s.effectiveEnd, now: now, timeZone: timeZone)
            model["silencedUntilISO"] = CELTimestamp(seconds: s.effectiveEnd)?.description ?? ""
            model["silencedBy"] = s.createdBy
            model["silencedReason"] = s.reason
        }
        if let a = ack {
            model["ackBy"] = a.by
            model["ackAt"] = localTime(a.at, now: now, timeZone: timeZone)
            model["ackAtISO"] = CELTimestamp(seconds: a.at)?.description ?? ""
            if let note = a.note { model["ackNote"] = note }
        }
        guard manages, lifecycle != nil else { return }
        model["manages"] = true
        // `severity` is set only while the alert fires (stale data keeps it firing).
        model["canAck"] = r.severity != nil && ack == nil
    }

    /// A time in the profile's zone, as the data age reads: `14:00 today`, `09:30 tomorrow`,
    /// `24 Mar 2026 08:00`.
    static func localTime(_ seconds: Int64, now: Int64, timeZone: String) -> String {
        let zone = TimeZone(identifier: timeZone) ?? TimeZone(identifier: "UTC") ?? .current
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let date = Date(timeIntervalSince1970: TimeInterval(seconds))
        let today = calendar.startOfDay(for: Date(timeIntervalSince1970: TimeInterval(now)))
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_GB")
        formatter.timeZone = zone
        formatter.dateFormat = "HH:mm"
        let time = formatter.string(from: date)
        switch calendar.dateComponents([.day], from: today, to: calendar.startOfDay(for: date)).day ?? Int.max {
        case 0: return "\(time) today"
        case 1: return "\(time) tomorrow"
        case -1: return "\(time) yesterday"
        default:
            formatter.dateFormat = "d MMM yyyy HH:mm"
            return formatter.string(from: date)
        }
    }

    /// The badge of a card: an icon and words, so that the state never rests on colour alone.
    static func stateBadge(_ r: CardResult) -> (String, String) {
        switch r.state {
        case .firing: r.severity == .warn ? ("△", "Warning") : ("▲", "Critical")
        case .pending: ("…", "Pending")
        case .ok: ("✓", "OK")
        case .noData: ("?", "No data")
        case .stale: ("◌", "Stale")
        case .none: ("–", "No alert set")
        }
    }

    /// A card's model; `columns`: the worklist columns shown (nil: all).
    static func cardModel(_ r: CardResult, served: ServedEvaluation, timeZone: String, storeHash: String? = nil, columns: Int? = nil) -> [String: Any] {
        let key = r.card.key.value
        let value = r.state == .noData ? "no data" : EvalReport.formatted(r.value, unit: r.card.unit)
        let (icon, label) = stateBadge(r)
        var model: [String: Any] = [
            "key": key, "title": r.card.title, "hero": r.card.cardClass == .hero, "value": value,
            "stateClass": r.state.rawValue + (r.state == .firing ? " severity-\((r.severity ?? .critical).rawValue)" : ""),
            "stateIcon": icon, "stateLabel": label,
            "sparkline": Sparkline.svg(served.sparklines[key] ?? [], latest: value),
            "href": "/cards/\(key)",
            "age": DataAge.words(takenAt: r.freshness.oldest ?? served.takenAt, checkedAt: r.freshness.checkedAt, timeZone: timeZone),
        ]
        if let alert = r.settings.alert {
            var levels: [String] = []
            if let warn = alert.warn { levels.append("warn when \(warn)") }
            if let critical = alert.trigger { levels.append((alert.warn == nil ? "alert when " : "critical when ") + critical.description) }
            if let spike = alert.spike { levels.append("\(spike.severity.rawValue) on \(spike)") }
            if alert.holdFor > 1 { levels.append("for \(alert.holdFor) evaluations") }
            model["trigger"] = levels.joined(separator: ", ")
            // The spike rule in words, and what it found this time.
            if let spike = alert.spike {
                var rule = "Spike rule: \(spike.severity.rawValue) when the value is at least \(Trigger.format(spike.factor)) × the median of the values "
                    + "recorded in the last \(spike.baseline), and at least \(Trigger.format(spike.min))."
                if let outcome = r.spike {
                    let found = outcome.describe(spike, value: r.value)
                    rule += " This time: " + (found.hasPrefix("spike: ") ? String(found.dropFirst(7)) : found) + "."
                }
                model["spikeRule"] = rule
            }
        }
        if let note = r.stateNote { model["stateNote"] = note }
        if r.state == .noData, !r.missingFiles.isEmpty {
            model["stateNote"] = "Missing from the snapshot: " + r.missingFiles.map(\.fileName).joined(separator: ", ")
        }
        if r.state == .stale {
            // The age line says how old; the note says which source is past which limit.
            model["stateNote"] = "Stale: " + r.freshness.staleSources.map { "the \($0.source.rawValue) data is older than its stale_after of \($0.staleAfter.map(\.description) ?? "-")" }
                .joined(separator: "; ") + "."
        }
        if r.state == .stale, r.settings.alert != nil, r.alertState != .noData {
            let kept = r.alertState == .firing ? "firing (\((r.severity ?? .critical).rawValue))" : r.alertState.words
            model["staleAlert"] = "The alert is not judged on stale data; it stays \(kept)."
        }
        if let unmatched = r.unmatchedSKUs, unmatched.count == 0, unmatched.of > 0 {
            model["matched"] = "All \(EvalReport.groupThousands(Int64(unmatched.of))) listing SKUs have a BigCommerce stock record"
        }
        if let unmatched = r.unmatchedSKUs, unmatched.count > 0 {
            model["unmatched"] = "\(EvalReport.groupThousands(Int64(unmatched.count))) of \(EvalReport.groupThousands(Int64(unmatched.of))) listing SKUs "
                + "(\(UnmatchedSKUs.percentText(unmatched.percent))) \(unmatched.count == 1 ? "has" : "have") no BigCommerce stock record"
                + (unmatched.examples.isEmpty ? "" : ", e.g. " + unmatched.examples.joined(separator: ", "))
        }
        if let breakdown = r.breakdown, !breakdown.isEmpty {
            model["hasBreakdown"] = true
            model["breakdown"] = breakdown.map { ["label": $0.label, "value": EvalReport.formatted($0.value, unit: r.card.unit)] as [String: Any] }
        }
        if r.rows.count > 0 {
            let shown = min(rowsShown, r.rows.count)
            let cells = WorklistCells(r, storeHash: storeHash)
            let columnCount = min(columns ?? r.rows.columns.count, r.rows.columns.count)
            var rows: [[String: Any]] = []
            r.rows.forEachRow(in: 0..<shown) { _, values in rows.append(["cells": cells.cells(values, only: columnCount)]) }
            model["hasRows"] = true
            model["columns"] = Array(r.rows.columns.prefix(columnCount))
            if columnCount < r.rows.columns.count {
                model["columnsHidden"] = "\(columnCount) of \(r.rows.columns.count) columns shown"
            }
            model["rows"] = rows
            model["rowCount"] = EvalReport.groupThousands(Int64(r.rows.count))
            model["oneRow"] = r.rows.count == 1
            model["more"] = r.rows.count > shown
            model["shown"] = shown
        }
        return model
    }
}
