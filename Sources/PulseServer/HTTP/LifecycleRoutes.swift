import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import PulseConfig
import PulseDiagnostics
import PulseEngine
import PulseExpressions
import PulseHistory
import PulseReport
import PulseSnapshot

/// Silences and acknowledgements over the API (spec alerting.md section 5), in the history store
/// `pulse silence` and `pulse ack` share: list, add and expire silences, acknowledge a firing card.
/// Only the owner and operations roles may use them (GET included); access is checked as for
/// every route first (401 without a token, 404 for another profile), then the role (403).
///
/// A silence names card keys: one that names cards the viewer's role may not see shows only the
/// cards it may (and one that names none of them is not shown at all, as if it did not exist).
/// A request that signs in with the dashboard's session cookie (not a bearer token) and changes
/// something must carry `X-Requested-With` (the dashboard's script sends it): a header no other
/// site can make a browser send without asking this server first, which it never allows.
struct LifecycleRoutes: Sendable {
    let engine: ServeEngine

    /// The roles that may see and change silences and acknowledgements.
    static let roles = [Viewer.ownerRole, "operations"]
    /// The largest body read (larger: 413).
    static let maxBody = 16 * 1024
    /// The longest a silence may last: a silence forgotten for a season hides real alerts.
    /// The longest note, in characters.
    static let maxText = SilenceRules.maxText
    /// The header a cookie-signed change must carry (any value).
    static let dashboardHeader = "x-requested-with"

    /// Adds the routes to `profile`, the API's `profiles/:profile` group.
    func add(to profile: RouterGroup<ProfileContext>) {
        profile.get("silences") { request, context in try list(request, context) }
        profile.post("silences") { request, context in try await create(request, context) }
        profile.delete("silences/:id") { request, context in try expire(request, context) }
        profile.post("cards/:key/ack") { request, context in try await acknowledge(request, context) }
    }

    /// Who asks, about what, and when: a viewer of a managing role and its profile's served evaluation.
    struct Scope {
        let viewer: Viewer
        let view: ProfileView
        let served: ServedEvaluation
        let now: CELTimestamp

        /// The card keys the viewer sees, in served order.
        var visible: [String] { viewer.visible(served).map(\.card.key.value) }
        /// Whether the viewer sees every served card (then a silence of "every card" is stored as such).
        var seesEverything: Bool { served.results.allSatisfy { viewer.sees($0.settings.roles) } }
        /// The silence as the viewer may see it (nil: it names none of the viewer's cards).
        func shown(_ silence: Silence) -> Silence? { CardLifecycle.shown(silence, hidden: CardLifecycle.hidden(served, from: viewer)) }
    }

    /// The scope of a request whose access ``ProfileContext`` checked (401, 404): 403 (another
    /// role; a change signed with the session cookie but without the dashboard's header), 503
    /// (nothing evaluated).
    func scope(_ request: Request, _ context: ProfileContext, changes: Bool) throws(HTTPError) -> Scope {
        let viewer = context.viewer
        guard Self.roles.contains(viewer.role) else {
            throw HTTPError(.forbidden, message: "silences and acknowledgements need a token of role \(Self.roles.joined(separator: " or ")); "
                            + "this token's role is \(viewer.role)")
        }
        if changes, request.headers[.authorization] == nil,
           !request.headers.contains(where: { $0.name.canonicalName == Self.dashboardHeader && !$0.value.isEmpty }) {
            throw HTTPError(.forbidden, message: "a change signed in with the dashboard's session needs the X-Requested-With header the dashboard sends; "
                                                + "other clients send Authorization: Bearer <token>")
        }
        return Scope(viewer: viewer, view: context.view, served: try context.served(), now: engine.settings.clock?() ?? CELTimestamp.wallClock)
    }

    // MARK: routes

    /// `GET .../silences`: the silences not yet ended (`?ended=true`: every one), newest first.
    func list(_ request: Request, _ context: ProfileContext) throws(HTTPError) -> Response {
        let scope = try scope(request, context, changes: false)
        let ended: Bool
        switch request.uri.queryParameters.get("ended") {
        case nil, "false"?: ended = false
        case "true"?: ended = true
        case let other?: throw HTTPError(.badRequest, message: "ended must be true or false, not '\(other.prefix(64))'")
        }
        let store = engine.store, profile = scope.view.name, now = scope.now.seconds
        let silences = try Self.storeRead { () throws(HistoryError) in try store.silences(profile: profile, now: now, ended: ended) }.compactMap(scope.shown)
        let items = silences.map { LifecycleJSON.silence($0, now: now) }
        return Reply.json("{\"profile\": \(JSONText.quote(profile)), \"now\": \"\(scope.now)\", \"silences\": ["
                          + (items.isEmpty ? "" : "\n  " + items.joined(separator: ",\n  ") + "\n") + "]}\n")
    }

    /// `POST .../silences`: a new silence from now, 201 with it.
    func create(_ request: Request, _ context: ProfileContext) async throws(HTTPError) -> Response {
        let scope = try scope(request, context, changes: true)
        let fields = try BodyFields(try await Self.body(request, required: true), allowed: ["cards", "severity", "for", "until", "reason"],
                                    example: #"{"cards": ["aex_total_listings"], "for": "4h", "reason": "supplier feed down"}"#)
        let asked = try SilenceRequest(fields, scope: scope)
        let store = engine.store, profile = scope.view.name, now = scope.now.seconds, by = scope.viewer.name
        let silence = try Self.storeRead { () throws(HistoryError) in
            try store.addSilence(profile: profile, cards: asked.cards, severity: asked.severity, startsAt: now, endsAt: asked.endsAt,
                                 reason: asked.reason, by: by, now: now)
        }
        changed(profile)
        return Reply.json(LifecycleJSON.silence(scope.shown(silence) ?? silence, now: now) + "\n", status: .created)
    }

    /// `DELETE .../silences/{id}`: ends the silence now; 404 for one the viewer does not know, 409
    /// for one already ended.
    func expire(_ request: Request, _ context: ProfileContext) throws(HTTPError) -> Response {
        let scope = try scope(request, context, changes: true)
        let text = context.parameters.get("id") ?? ""
        let unknown = HTTPError(.notFound, message: "no silence '\(text.prefix(64))'; GET /api/v1/profiles/\(scope.view.name)/silences?ended=true lists them")
        guard text.utf8.count <= 18, !text.isEmpty, text.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let id = Int64(text) else { throw unknown }
        let store = engine.store, profile = scope.view.name, now = scope.now.seconds
        let all = try Self.storeRead { () throws(HistoryError) in try store.silences(profile: profile, now: now, ended: true) }
        guard let found = all.first(where: { $0.id == id }), scope.shown(found) != nil else { throw unknown }
        guard found.effectiveEnd > now else {
            let end = CELTimestamp(seconds: found.effectiveEnd)?.description ?? "\(found.effectiveEnd)"
            throw HTTPError(.conflict, message: "silence #\(id) has already ended (at \(end))")
        }
        let expired = try Self.storeRead { () throws(HistoryError) in try store.expireSilence(profile: profile, id: id, now: now) }
        changed(profile)
        return Reply.json(LifecycleJSON.silence(scope.shown(expired) ?? expired, now: now) + "\n")
    }

    /// `POST .../cards/{key}/ack`: acknowledges the card's current firing (body optional:
    /// `{"note": "..."}`); 409 when it is not firing.
    func acknowledge(_ request: Request, _ context: ProfileContext) async throws(HTTPError) -> Response {
        let scope = try scope(request, context, changes: true)
        let key = try context.visibleCard(scope.served).card.key.value
        var note: String?
        if let body = try await Self.body(request, required: false) {
            let fields = try BodyFields(body, allowed: ["note"], example: #"{"note": "on it"}"#)
            note = try fields.string("note").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            if let n = note, n.count > Self.maxText { throw HTTPError(.badRequest, message: "note is longer than \(Self.maxText) characters") }
            if note?.isEmpty == true { note = nil }
        }
        let store = engine.store, profile = scope.view.name, now = scope.now.seconds, by = scope.viewer.name
        func notFiring() throws(HTTPError) -> HTTPError {
            let state = try Self.storeRead { () throws(HistoryError) in try store.activeAlerts(profile: profile) }.first { $0.card == key }?.state
            guard state != .firing else { return HTTPError(.internalServerError, message: "card '\(key)' could not be acknowledged") }
            return HTTPError(.conflict, message: "card '\(key)' is not firing (\(state?.rawValue ?? "ok")); only a firing alert can be acknowledged")
        }
        let firing = try Self.storeRead { () throws(HistoryError) in try store.activeAlerts(profile: profile) }.contains { $0.card == key && $0.state == .firing }
        guard firing else { throw try notFiring() }
        let ack: Acknowledgement
        do { ack = try store.acknowledge(profile: profile, card: key, by: by, note: note, now: now) } catch {
            // Resolved between the two reads: say so; anything else is the store's.
            let refusal = try notFiring()
            if refusal.status == .conflict { throw refusal }
            throw HTTPError(.internalServerError, message: "the history store: \(error)")
        }
        changed(profile)
        return Reply.json(LifecycleJSON.acknowledgement(ack) + "\n")
    }

    // MARK: helpers

    /// A new version of the profile's view, so that every open dashboard shows the change.
    private func changed(_ profile: String) { engine.state.updateProfile(profile) { _ in } }

    /// The request's body, parsed: nil when it is empty and not `required`; 413 over ``maxBody``;
    /// 400 when it is not JSON.
    static func body(_ request: Request, required: Bool) async throws(HTTPError) -> JSONValue? {
        let tooLarge = HTTPError(.contentTooLarge, message: "the body is over \(maxBody / 1024) KB")
        if let length = request.headers[.contentLength], let n = Int(length), n > maxBody { throw tooLarge }
        let bytes: [UInt8]
        do { bytes = Array((try await request.body.collect(upTo: maxBody)).readableBytesView) } catch is NIOTooManyBytesError { throw tooLarge } catch {
            throw HTTPError(.badRequest, message: "the body could not be read: \(error)")
        }
        guard bytes.contains(where: { !(0x20 == $0 || 0x0A == $0 || 0x0D == $0 || 0x09 == $0) }) else {
            guard !required else { throw HTTPError(.badRequest, message: "a JSON body is needed") }
            return nil
        }
        do { return try JSONParser.parse(bytes) } catch {
            throw HTTPError(.badRequest, message: "the body is not valid JSON: \(error.message) at byte \(error.offset)")
        }
    }

    private static func storeRead<T>(_ read: () throws(HistoryError) -> T) throws(HTTPError) -> T {
        try APIRoutes.historyRead(read)
    }
}

/// A JSON object body's members, each checked for its type; an unknown member is a 400.
struct BodyFields {
    private let members: [String: JSONValue]

    init(_ value: JSONValue?, allowed: [String], example: String) throws(HTTPError) {
        guard case .object(let list)? = value else {
            throw HTTPError(.badRequest, message: "the body must be a JSON object such as \(example), not \(value?.kindName ?? "nothing")")
        }
        for member in list where !allowed.contains(member.key) {
            throw HTTPError(.badRequest, message: "unknown field '\(member.key.prefix(64))' in the body" + Suggestion.didYouMean(member.key, in: allowed)
                                                + "; its fields are \(allowed.joined(separator: ", "))")
        }
        var members: [String: JSONValue] = [:]
        for member in list { members[member.key] = member.value }
        self.members = members
    }

    /// Whether `name` is given (null counts as not given).
    func has(_ name: String) -> Bool {
        if let value = members[name], value != .null { return true }
        return false
    }

    /// The string `name`; nil when absent or null; 400 for another type.
    func string(_ name: String) throws(HTTPError) -> String? {
        switch members[name] {
        case nil, .null?: return nil
        case .string(let s)?: return s
        case let other?: throw HTTPError(.badRequest, message: "\(name) must be a string, not \(other.kindName)")
        }
    }

    /// The list of strings `name`; nil when absent or null; 400 for anything else.
    func strings(_ name: String) throws(HTTPError) -> [String]? {
        switch members[name] {
        case nil, .null?: return nil
        case .array(let items)?:
            var out: [String] = []
            for item in items {
                guard case .string(let s) = item else {
                    throw HTTPError(.badRequest, message: "\(name) must be a list of strings; it holds \(item.kindName)")
                }
                out.append(s)
            }
            return out
        case let other?: throw HTTPError(.badRequest, message: "\(name) must be a list of card keys, not \(other.kindName)")
        }
    }
}

/// A silence asked for, checked: the cards (empty: every card), the level, the end, the reason.
struct SilenceRequest {
    let cards: [String]
    let severity: AlertSeverity?
    let endsAt: Int64
    let reason: String

    init(_ fields: BodyFields, scope: LifecycleRoutes.Scope) throws(HTTPError) {
        func bad(_ message: String) -> HTTPError { HTTPError(.badRequest, message: message) }
        let visible = scope.visible
        var cards: [String] = []
        for card in try fields.strings("cards") ?? [] where !cards.contains(card) {
            // A card the role may not see reads exactly like one that does not exist.
            guard visible.contains(card) else { throw bad("no card '\(card.prefix(64))'" + Suggestion.didYouMean(card, in: visible)) }
            cards.append(card)
        }
        // "Every card" is every card the viewer sees: stored as such only for a viewer who sees them all.
        self.cards = cards.isEmpty && !scope.seesEverything ? visible : cards
        switch try fields.string("severity") {
        case nil: severity = nil
        case let text?:
            guard let level = AlertSeverity(rawValue: text) else {
                throw bad("severity must be warn or critical (or left out for every level), not '\(text.prefix(64))'")
            }
            severity = level
        }
        switch SilenceRules.end(duration: try fields.string("for"), until: try fields.string("until"), now: scope.now, names: .api) {
        case .success(let end): endsAt = end
        case .failure(let problem): throw bad(problem.description)
        }
        switch SilenceRules.reason(try fields.string("reason"), names: .api) {
        case .success(let text): reason = text
        case .failure(let problem): throw bad(problem.description)
        }
    }
}

/// What the cards show of silences and acknowledgements, read from the store once per request:
/// for each card, the active silence covering it at its current severity, and its acknowledgement.
struct CardLifecycle {
    /// The active silences, as the viewer may see them.
    let silences: [Silence]
    /// Acknowledgements by card.
    let acknowledgements: [String: Acknowledgement]
    /// Unix seconds of the evaluation clock.
    let now: Int64

    /// Reads the profile's silences and acknowledgements at `now`, as `viewer` may see them.
    static func read(_ store: HistoryStore, profile: String, served: ServedEvaluation, viewer: Viewer, now: CELTimestamp) throws(HistoryError) -> CardLifecycle {
        let hidden = hidden(served, from: viewer)
        let silences = try store.silences(profile: profile, now: now.seconds).filter { $0.isActive(at: now.seconds) }.compactMap { shown($0, hidden: hidden) }
        var acks: [String: Acknowledgement] = [:]
        for ack in try store.acknowledgements(profile: profile) where !hidden.contains(ack.card) { acks[ack.card] = ack }
        return CardLifecycle(silences: silences, acknowledgements: acks, now: now.seconds)
    }

    /// The served cards `viewer` may not see.
    static func hidden(_ served: ServedEvaluation, from viewer: Viewer) -> Set<String> {
        Set(served.results.filter { !viewer.sees($0.settings.roles) }.map(\.card.key.value))
    }

    /// `silence` naming only the cards not `hidden` (nil when it names only hidden ones).
    static func shown(_ silence: Silence, hidden: Set<String>) -> Silence? {
        guard !silence.cards.isEmpty, silence.cards.contains(where: hidden.contains) else { return silence }
        var shown = silence
        shown.cards = silence.cards.filter { !hidden.contains($0) }
        return shown.cards.isEmpty ? nil : shown
    }

    /// The active silence covering `r` at its current severity (the level it fires at; none when it
    /// does not fire): the one that lasts longest.
    func silence(for r: CardResult) -> Silence? {
        silences.filter { $0.covers(card: r.card.key.value, severity: r.severity) }.max { $0.effectiveEnd < $1.effectiveEnd }
    }

    /// The acknowledgement of `r`'s current firing.
    func acknowledgement(for r: CardResult) -> Acknowledgement? { acknowledgements[r.card.key.value] }

    /// The members a served card gains, each on its line (as the card's other members are).
    func members(for r: CardResult) -> String {
        "      \"silenced\": \(silence(for: r).map { LifecycleJSON.silence($0, now: now) } ?? "null"),\n"
            + "      \"acknowledged\": \(acknowledgement(for: r).map(LifecycleJSON.acknowledgement) ?? "null"),\n"
    }

    /// Where each card of a cards document (or a one-card document) gets its lifecycle members:
    /// the start of its `"breakdown"` line, one per card head. Worklist rows never hold a raw
    /// newline (their strings are JSON-escaped), so the marker is found only in heads. `limit`
    /// stops the search early (a one-card document: before its worklist).
    static func insertionPoints(_ document: [UInt8], limit: Int = .max) -> [Int] {
        let marker = Array("\n      \"breakdown\": ".utf8)
        var points: [Int] = []
        var i = 0
        let end = document.count - marker.count
        while i <= end, points.count < limit {
            if document[i] == 0x0A {
                var k = 1
                while k < marker.count, document[i + k] == marker[k] { k += 1 }
                if k == marker.count {
                    points.append(i + 1)
                    i += marker.count
                    continue
                }
            }
            i += 1
        }
        return points
    }

    /// `document` with each card's lifecycle members inserted at `points` (one per card of
    /// `results`, in order); unchanged when they do not match.
    func splice(_ document: [UInt8], points: [Int], results: [CardResult]) -> [UInt8] {
        guard points.count == results.count else { return document }
        var out: [UInt8] = []
        out.reserveCapacity(document.count + results.count * 160)
        var start = 0
        for (point, r) in zip(points, results) {
            out.append(contentsOf: document[start..<point])
            out.append(contentsOf: Array(members(for: r).utf8))
            start = point
        }
        out.append(contentsOf: document[start...])
        return out
    }
}
