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
        // Every /api/v1 route: access resolved once (ProfileContext), errors written as JSON.
        let api = router.group("api/v1").add(middleware: ErrorReplyMiddleware()).group(context: ProfileContext.self)
        api.get("status") { _, context in try status(context) }
        let profile = api.group("profiles/:profile")
        profile.get("cards") { request, context in try cards(request, context) }
        profile.get("cards/:key") { request, context in try card(request, context) }
        profile.get("cards/:key/history") { request, context in try history(request, context) }
        profile.get("alerts") { request, context in try alerts(request, context) }
        profile.get("served") { _, context in served(context) }
        profile.post("evaluate") { _, context in try await evaluate(context) }
        LifecycleRoutes(engine: engine).add(to: profile)
    }

    // MARK: routes

    func cards(_ request: Request, _ context: ProfileContext) throws(HTTPError) -> Response {
        let (viewer, view) = (context.viewer, context.view)
        let served = try context.served()
        let maxRows = try Query.int(request, "max_rows", default: Self.defaultMaxRows, in: 0...Self.maxRows)
        let key = DocumentCache.Key(profile: view.name, version: view.version, role: viewer.role, maxRows: maxRows)
        let visible = context.viewer.visible(served)
        let document = documents.document(key) {
            let context = EvalReport.Context(profile: view.name, store: served.store, now: served.takenAt, role: viewer.role)
            return EvalReport.json(visible, context: context, maxRows: maxRows).bytes
        }
        // Silences and acknowledgements change without a new evaluation (and silences end with
        // the clock): read for every request, spliced into the cached document.
        let lifecycle = try lifecycle(context, served)
        return Reply.bytes(lifecycle.splice(document.bytes, points: document.points, results: visible), contentType: "application/json; charset=utf-8")
    }

    func card(_ request: Request, _ context: ProfileContext) throws(HTTPError) -> Response {
        let view = context.view
        let served = try context.served()
        let r = try context.visibleCard(served)
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
        case let other: throw HTTPError(.badRequest, message: "format must be json or csv, not '\(other.prefix(64))'")
        }
        let offset = try Query.int(request, "offset", default: 0, in: 0...Int(Int32.max))
        let limit = try Query.int(request, "limit", default: Self.defaultLimit, in: 0...Self.maxRows)
        let document = EvalReport.cardDocument(r, context: EvalReport.Context(profile: view.name, store: served.store, now: served.takenAt, role: context.viewer.role),
                                               offset: offset, limit: limit)
        let lifecycle = try lifecycle(context, served)
        return Reply.bytes(lifecycle.splice(document, points: CardLifecycle.insertionPoints(document, limit: 1), results: [r]),
                           contentType: "application/json; charset=utf-8")
    }

    func history(_ request: Request, _ context: ProfileContext) throws(HTTPError) -> Response {
        let view = context.view
        let served = try context.served()
        let key = try context.visibleCard(served).card.key.value
        let store = engine.store
        let latest = try Self.historyRead { () throws(HistoryError) in try store.latestSnapshot(profile: view.name) }
        let since = try HistoryReport.since(request.uri.queryParameters.get("since"), latest: latest)
            .mapError { HTTPError(.badRequest, message: $0.message) }.get()
        let points = try Self.historyRead { () throws(HistoryError) in try store.series(profile: view.name, card: key, since: since) }
        return Reply.json(HistoryReport.seriesJSON(profile: view.name, card: key, points: points))
    }

    func alerts(_ request: Request, _ context: ProfileContext) throws(HTTPError) -> Response {
        let view = context.view
        // Alerts name cards: only the ones the role may see, as the config stands now.
        let visible = Set((view.served?.results ?? []).filter { context.viewer.sees($0.settings.roles) }.map(\.card.key.value))
        let store = engine.store
        let latest = try Self.historyRead { () throws(HistoryError) in try store.latestSnapshot(profile: view.name) }
        let since = try HistoryReport.since(request.uri.queryParameters.get("since"), latest: latest)
            .mapError { HTTPError(.badRequest, message: $0.message) }.get()
        let active = try Self.historyRead { () throws(HistoryError) in try store.activeAlerts(profile: view.name) }.filter { visible.contains($0.card) }
        let transitions = try Self.historyRead { () throws(HistoryError) in try store.transitions(profile: view.name, since: since) }.filter { visible.contains($0.card) }
        return Reply.json(HistoryReport.alertsJSON(profile: view.name, active: active, transitions: transitions))
    }

    /// `{"version", "taken_at"}`: what a dashboard polls to know when to refresh.
    func served(_ context: ProfileContext) -> Response {
        let view = context.view
        return Reply.json("{\"version\": \(view.version), \"taken_at\": \(view.served.map { "\"\($0.takenAt)\"" } ?? "null")}\n")
    }

    func status(_ context: ProfileContext) throws(HTTPError) -> Response {
        try context.viewer.requireOwner("the status needs a token of role \(Viewer.ownerRole)")
        return Reply.json(Self.statusJSON(context.view, reloadOK: engine.state.current.configReloadOK))
    }

    func evaluate(_ context: ProfileContext) async throws(HTTPError) -> Response {
        try context.viewer.requireOwner("evaluating needs a token of role \(Viewer.ownerRole)")
        let name = context.view.name
        if let problem = await engine.evaluateNow(name) { throw HTTPError(.unprocessableContent, message: problem) }
        let now = engine.state.current.profiles[name]
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
    private func lifecycle(_ context: ProfileContext, _ served: ServedEvaluation) throws(HTTPError) -> CardLifecycle {
        let store = engine.store, now = engine.settings.clock?() ?? CELTimestamp.wallClock
        let (name, viewer) = (context.view.name, context.viewer)
        return try Self.historyRead { () throws(HistoryError) in try CardLifecycle.read(store, profile: name, served: served, viewer: viewer, now: now) }
    }

    /// `read`, its failure a 500 that names the history store.
    static func historyRead<T>(_ read: () throws(HistoryError) -> T) throws(HTTPError) -> T {
        do { return try read() } catch { throw HTTPError(.internalServerError, message: "the history store: \(error)") }
    }
}

/// Reading query values, each checked.
enum Query {
    /// The whole number `name`, else `fallback`; 400 when it is not a whole number in `range`.
    static func int(_ request: Request, _ name: String, default fallback: Int, in range: ClosedRange<Int>) throws(HTTPError) -> Int {
        guard let text = request.uri.queryParameters.get(name) else { return fallback }
        guard let value = Int(text), range.contains(value) else {
            throw HTTPError(.badRequest, message: "\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound), not '\(text.prefix(64))'")
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
