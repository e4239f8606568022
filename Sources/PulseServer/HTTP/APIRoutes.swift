import Foundation
import HTTPTypes
import Hummingbird
import NIOConcurrencyHelpers
import NIOCore
import PulseDiagnostics
import PulseEngine
import PulseExpressions
import PulseHistory
import PulseReport

/// The JSON API (`/api/v1`, documented in docs/openapi.json). Every route but `/healthz` needs a
/// token; a token sees its own profile only (another profile is 404, as if it did not exist) and
/// only the cards its role may see (another card is 404, exactly like a card that does not exist).
struct APIRoutes: Sendable {
    let engine: ServeEngine
    let documents = DocumentCache()

    /// Worklist rows in the cards document unless `?max_rows=` says otherwise.
    static let defaultMaxRows = 50
    /// Rows of one card's page unless `?limit=` says otherwise.
    static let defaultLimit = 1000
    /// The most rows one request may ask for.
    static let maxRows = 100_000

    func add(to router: Router<ServeContext>) {
        router.get("healthz") { _, _ in Reply.json("{\"status\":\"ok\"}\n") }
        router.get("api/v1/status") { request, context in status(request, context) }
        router.get("api/v1/profiles/:profile/cards") { request, context in cards(request, context) }
        router.get("api/v1/profiles/:profile/cards/:key") { request, context in card(request, context) }
        router.get("api/v1/profiles/:profile/cards/:key/history") { request, context in history(request, context) }
        router.get("api/v1/profiles/:profile/alerts") { request, context in alerts(request, context) }
        router.get("api/v1/profiles/:profile/served") { request, context in served(request, context) }
        router.post("api/v1/profiles/:profile/evaluate") { request, context in await evaluate(request, context) }
        LifecycleRoutes(engine: engine, api: self).add(to: router)
    }

    // MARK: access

    /// The viewer and its profile's view, or the refusal: 401 without a valid token, 404 for a
    /// profile that is not the token's.
    func access(_ context: ServeContext) -> Result<(Viewer, ProfileView), RefusedRequest> {
        guard let viewer = context.viewer else {
            return .failure(RefusedRequest(context.unauthorized))
        }
        let asked = context.parameters.get("profile") ?? viewer.profile
        guard asked == viewer.profile, let view = engine.state.current.profiles[viewer.profile] else {
            return .failure(RefusedRequest(Reply.error(.notFound, "no profile '\(asked.prefix(64))'")))
        }
        return .success((viewer, view))
    }

    /// The served evaluation, or 503 saying why there is none (no data is never an empty success).
    /// Only an owner is told the details (a problem's text may name any card).
    func served(_ view: ProfileView, for viewer: Viewer) -> Result<ServedEvaluation, RefusedRequest> {
        guard let served = view.served else {
            var why = view.snapshotProblem != nil ? ": the newest snapshot could not be loaded" : view.config == nil ? ": the profile's config has errors" : ": no snapshot yet"
            if viewer.role == "owner", let problem = view.snapshotProblem { why += " (\(problem.message))" }
            return .failure(RefusedRequest(Reply.error(.serviceUnavailable, "nothing evaluated yet for profile '\(view.name)'" + why)))
        }
        return .success(served)
    }

    /// The cards `viewer` may see, in served order.
    static func visible(_ served: ServedEvaluation, to viewer: Viewer) -> [CardResult] {
        served.results.filter { viewer.sees($0.settings.roles) }
    }

    /// The visible card `key` (from the path), or 404.
    func visibleCard(_ served: ServedEvaluation, _ viewer: Viewer, _ context: ServeContext) -> Result<CardResult, RefusedRequest> {
        let key = context.parameters.get("key") ?? ""
        guard let r = served.result(key), viewer.sees(r.settings.roles) else {
            return .failure(RefusedRequest(Reply.error(.notFound, "no card '\(key.prefix(64))'")))
        }
        return .success(r)
    }

    // MARK: routes

    func cards(_ request: Request, _ context: ServeContext) -> Response {
        respond {
            let (viewer, view) = try access(context).get()
            let served = try served(view, for: viewer).get()
            let maxRows = try Query.int(request, "max_rows", default: Self.defaultMaxRows, in: 0...Self.maxRows)
            let key = DocumentCache.Key(profile: view.name, version: view.version, role: viewer.role, maxRows: maxRows)
            let visible = Self.visible(served, to: viewer)
            let document = documents.document(key) {
                let context = EvalReport.Context(profile: view.name, store: served.store, now: served.takenAt, role: viewer.role)
                return EvalReport.json(visible, context: context, maxRows: maxRows).bytes
            }
            // Silences and acknowledgements change without a new evaluation (and silences end with
            // the clock): read for every request, spliced into the cached document.
            let lifecycle = try lifecycle(view, served, viewer)
            return Reply.bytes(lifecycle.splice(document.bytes, points: document.points, results: visible), contentType: "application/json; charset=utf-8")
        }
    }

    func card(_ request: Request, _ context: ServeContext) -> Response {
        respond {
            let (viewer, view) = try access(context).get()
            let served = try served(view, for: viewer).get()
            let r = try visibleCard(served, viewer, context).get()
            switch request.uri.queryParameters.get("format") ?? "json" {
            case "json": break
            case "csv":
                let rows = r.rows
                let name = "\(view.name)-\(r.card.key.value).csv".filter { $0.isLetter || $0.isNumber || "-_.".contains($0) }
                return Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"\(name)\"",
                                                       .cacheControl: "no-store"],
                                body: ResponseBody { writer in
                                    // Written a chunk at a time: a long worklist is never held whole as text.
                                    try await writer.write(ByteBuffer(bytes: WorklistCSV.header(rows)))
                                    for range in WorklistCSV.chunks(rows) {
                                        try await writer.write(ByteBuffer(bytes: WorklistCSV.lines(rows, range)))
                                    }
                                    try await writer.finish(nil)
                                })
            case let other: throw RefusedRequest(Reply.error(.badRequest, "format must be json or csv, not '\(other.prefix(64))'"))
            }
            let offset = try Query.int(request, "offset", default: 0, in: 0...Int(Int32.max))
            let limit = try Query.int(request, "limit", default: Self.defaultLimit, in: 0...Self.maxRows)
            let document = EvalReport.cardDocument(r, context: EvalReport.Context(profile: view.name, store: served.store, now: served.takenAt, role: viewer.role),
                                                   offset: offset, limit: limit)
            let lifecycle = try lifecycle(view, served, viewer)
            return Reply.bytes(lifecycle.splice(document, points: CardLifecycle.insertionPoints(document, limit: 1), results: [r]),
                               contentType: "application/json; charset=utf-8")
        }
    }

    func history(_ request: Request, _ context: ServeContext) -> Response {
        respond {
            let (viewer, view) = try access(context).get()
            let served = try served(view, for: viewer).get()
            let key = try visibleCard(served, viewer, context).get().card.key.value
            let store = engine.store
            let latest = try historyRead { try store.latestSnapshot(profile: view.name) }
            let since = try HistoryReport.since(request.uri.queryParameters.get("since"), latest: latest)
                .mapError { RefusedRequest(Reply.error(.badRequest, $0.message)) }.get()
            let points = try historyRead { try store.series(profile: view.name, card: key, since: since) }
            return Reply.json(HistoryReport.seriesJSON(profile: view.name, card: key, points: points))
        }
    }

    func alerts(_ request: Request, _ context: ServeContext) -> Response {
        respond {
            let (viewer, view) = try access(context).get()
            // Alerts name cards: only the ones the role may see, as the config stands now.
            let visible = Set((view.served?.results ?? []).filter { viewer.sees($0.settings.roles) }.map(\.card.key.value))
            let store = engine.store
            let latest = try historyRead { try store.latestSnapshot(profile: view.name) }
            let since = try HistoryReport.since(request.uri.queryParameters.get("since"), latest: latest)
                .mapError { RefusedRequest(Reply.error(.badRequest, $0.message)) }.get()
            let active = try historyRead { try store.activeAlerts(profile: view.name) }.filter { visible.contains($0.card) }
            let transitions = try historyRead { try store.transitions(profile: view.name, since: since) }.filter { visible.contains($0.card) }
            return Reply.json(HistoryReport.alertsJSON(profile: view.name, active: active, transitions: transitions))
        }
    }

    /// `{"version", "taken_at"}`: what a dashboard polls to know when to refresh.
    func served(_ request: Request, _ context: ServeContext) -> Response {
        respond {
            let (_, view) = try access(context).get()
            return Reply.json("{\"version\": \(view.version), \"taken_at\": \(view.served.map { "\"\($0.takenAt)\"" } ?? "null")}\n")
        }
    }

    func status(_ request: Request, _ context: ServeContext) -> Response {
        respond {
            let (viewer, view) = try access(context).get()
            guard viewer.role == "owner" else { throw RefusedRequest(Reply.error(.forbidden, "the status needs a token of role owner")) }
            return Reply.json(Self.statusJSON(view, reloadOK: engine.state.current.configReloadOK))
        }
    }

    func evaluate(_ request: Request, _ context: ServeContext) async -> Response {
        let viewer: Viewer, view: ProfileView
        switch access(context) {
        case .failure(let refused): return refused.response
        case .success(let pair): (viewer, view) = pair
        }
        guard viewer.role == "owner" else { return Reply.error(.forbidden, "evaluating needs a token of role owner") }
        if let problem = await engine.evaluateNow(view.name) { return Reply.error(.unprocessableContent, problem) }
        let now = engine.state.current.profiles[view.name]
        return Reply.json("{\"evaluated\": true, \"taken_at\": \(now?.served.map { "\"\($0.takenAt)\"" } ?? "null")}\n")
    }

    // MARK: helpers

    /// The status document of a profile.
    static func statusJSON(_ view: ProfileView, reloadOK: Bool) -> String {
        let iso = ISO8601DateFormatter()
        let snapshot = view.served.map {
            "{\"taken_at\": \"\($0.takenAt)\", \"path\": \(JSONText.quote($0.folder)), \"evaluated_at\": \"\(iso.string(from: $0.evaluatedAt))\", "
                + "\"seconds\": \(String(format: "%.3f", $0.seconds))}"
        } ?? "null"
        func problem(_ p: ServeProblem?) -> String {
            p.map { "{\"at\": \"\(iso.string(from: $0.at))\", \"subject\": \(JSONText.quote($0.subject)), \"message\": \(JSONText.quote($0.message))}" } ?? "null"
        }
        let errors = view.configErrors.map(DiagnosticRenderer.jsonObject).joined(separator: ", ")
        return "{\"profile\": \(JSONText.quote(view.name)), \"snapshot\": \(snapshot), \"snapshot_error\": \(problem(view.snapshotProblem)), "
            + "\"pull_error\": \(problem(view.pullProblem)), \"config\": {\"ok\": \(view.configErrors.isEmpty), \"errors\": [\(errors)]}}\n"
    }

    /// The silences and acknowledgements the viewer's cards show now.
    private func lifecycle(_ view: ProfileView, _ served: ServedEvaluation, _ viewer: Viewer) throws -> CardLifecycle {
        let store = engine.store, now = engine.settings.clock?() ?? CELTimestamp.wallClock
        return try historyRead { try CardLifecycle.read(store, profile: view.name, served: served, viewer: viewer, now: now) }
    }

    private func historyRead<T>(_ read: () throws -> T) throws -> T {
        do { return try read() } catch {
            throw RefusedRequest(Reply.error(.internalServerError, "the history store: \(error)"))
        }
    }

    /// Runs a route body, turning a refusal into its response.
    private func respond(_ body: () throws -> Response) -> Response {
        do { return try body() } catch let refused as RefusedRequest { return refused.response } catch {
            return Reply.error(.internalServerError, "\(error)")
        }
    }
}

/// A request answered early with `response` (401, 404, 400, 503 ...).
struct RefusedRequest: Error {
    let response: Response
    init(_ response: Response) { self.response = response }
}

/// Reading query values, each checked.
enum Query {
    /// The whole number `name`, else `fallback`; 400 when it is not a whole number in `range`.
    static func int(_ request: Request, _ name: String, default fallback: Int, in range: ClosedRange<Int>) throws(RefusedRequest) -> Int {
        guard let text = request.uri.queryParameters.get(name) else { return fallback }
        guard let value = Int(text), range.contains(value) else {
            throw RefusedRequest(Reply.error(.badRequest, "\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound), not '\(text.prefix(64))'"))
        }
        return value
    }
}

/// The cards documents made lately, by profile version, role and row count: a document is made
/// once per evaluation and role, however many requests ask for it. Each keeps where its cards'
/// lifecycle members go (``CardLifecycle/insertionPoints(_:limit:)``), found once.
final class DocumentCache: Sendable {
    struct Document: Sendable {
        let bytes: [UInt8]
        let points: [Int]
    }

    struct Key: Hashable, Sendable {
        let profile: String
        let version: Int
        let role: String
        let maxRows: Int
    }

    private let documents = NIOLockedValueBox<[Key: Document]>([:])
    static let capacity = 64

    func document(_ key: Key, make: () -> [UInt8]) -> Document {
        if let cached = documents.withLockedValue({ $0[key] }) { return cached }
        let bytes = make()
        let made = Document(bytes: bytes, points: CardLifecycle.insertionPoints(bytes))
        documents.withLockedValue { d in
            // Older versions are never asked for again.
            d = d.filter { $0.key.profile != key.profile || $0.key.version >= key.version }
            if d.count >= Self.capacity { d.removeAll() }
            d[key] = made
        }
        return made
    }
}
