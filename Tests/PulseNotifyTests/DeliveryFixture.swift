import Foundation
import PulseConfig
import PulseDiagnostics
import PulseEngine
import PulseExpressions
import PulseHistory
import PulseNotify
import PulseSnapshot
import PulseFakeVendors
import Testing

/// Two cards over a listings file (`ops_card` seen by operations, `fin_card` by finance), warn
/// above 0 and critical above 25, recorded into a real store on disk at times the test picks.
enum DeliveryFixture {
    static let start: Int64 = 1_773_734_400  // 2026-03-17T08:00:00Z, a Tuesday

    static func card(_ key: String, role: String) -> String {
        """
        key: \(key)
        title: \(key == "ops_card" ? "Ops listings" : "Finance listings")
        connector: test
        from: listings
        where: listing.status == "\(key == "ops_card" ? "active" : "offline")"
        measure: count
        roles: [\(role)]
        alert: {warn: "> 0", critical: "> 25"}
        rows: {listing: listing.id}

        """
    }

    static func path() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("pulse-notify-\(UUID().uuidString)/h.sqlite").path
    }

    /// Evaluates both cards with `ops` active and `fin` inactive listings, as of `at`.
    /// - Parameter events: nil: no third card; else a card `ev_card` over audit events, with the
    ///   (empty) events file present or missing.
    static func results(ops: Int, fin: Int, at: Int64, checkedAt: Int64? = nil, events: Bool? = nil) throws -> [CardResult] {
        var set = ConfigSet()
        if events != nil {
            set.add(file: "cards/ev_card.yaml", bytes: Array("key: ev_card\ntitle: Events\nconnector: test\nfrom: audit_events\nmeasure: count\nalert: \"> 0\"\n".utf8))
        }
        set.add(file: "cards/ops_card.yaml", bytes: Array(card("ops_card", role: "operations").utf8))
        set.add(file: "cards/fin_card.yaml", bytes: Array(card("fin_card", role: "finance").utf8))
        set.add(file: "profiles/p.yaml", bytes: Array("profile: p\nstale_after: 2h\n".utf8))
        #expect(set.diagnostics.isEmpty, "\(set.diagnostics.map(\.message))")
        let profile = try ProfileResolver(profiles: set.profiles).resolve(#require(set.profile("p"))).get()
        let time = try #require(CELTimestamp(seconds: at))
        let rows = (0..<ops).map { "{\"id\": \"A\($0)\", \"status\": \"active\", \"skus\": []}" }
            + (0..<fin).map { "{\"id\": \"I\($0)\", \"status\": \"offline\", \"skus\": []}" }
        var files = ["snapshot.json": Array("{\"format\": 1, \"taken_at\": \"\(time)\"}".utf8)]
        files["listings.jsonl"] = Array(rows.joined(separator: "\n").utf8)
        if events == true { files["audit_events.jsonl"] = [] }
        let snapshot = try SnapshotLoader.load(files: files, label: "fixture")
        let clock = try #require(CELTimestamp(seconds: checkedAt ?? at))
        return try Evaluation.run(ProfilePlan(cards: set.cards, profile: profile), snapshot: snapshot, now: time, checkedAt: clock).get()
    }

    /// A channel of `type` whose secret is `${VAR_<NAME>}`.
    static func channel(_ name: String, _ type: ChannelType) -> ChannelSettings {
        let here = PulseDiagnostics.SourceLocation(file: "profiles/p.yaml", line: 1, column: 1)
        var c = ChannelSettings(name: Located(name, at: here), type: type, location: here)
        let variable = SecretReference(variable: "VAR_\(name.uppercased())", at: here)
        switch type {
        case .pagerduty: c.routingKey = variable
        case .email: c.smtp = variable
        default: c.url = variable
        }
        return c
    }

    static func route(_ to: [String], _ match: RouteMatch = RouteMatch(), every: Int? = nil) -> NotificationRoute {
        NotificationRoute(match: match, to: to.map { Located($0, at: PulseDiagnostics.SourceLocation(file: "p", line: 1, column: 1)) },
                          repeatEvery: every.map { ConfigDuration(seconds: $0) }, location: PulseDiagnostics.SourceLocation(file: "p", line: 1, column: 1))
    }

    static func notifications(_ channels: [ChannelSettings], _ routes: [NotificationRoute], quiet: [QuietHours] = []) -> ResolvedNotifications {
        var n = ResolvedNotifications()
        n.channels = channels
        n.routes = routes
        n.quietHours = quiet
        n.publicURL = "https://pulse.example.com"
        return n
    }

    static func plan(_ n: ResolvedNotifications, at: Int64, legacy: Bool = false) -> NotificationPlan {
        NotificationPlan(notifications: n, legacyWebhook: legacy, clock: at) { r in
            EventDetail(valueText: "\(Int(r.value ?? 0))", columns: r.rows.columns, rows: [])
        }
    }
}

/// A store, a receiver, and a profile's notifications, on a clock the test moves.
struct DeliveryHarness {
    let store: HistoryStore
    let receiver: Receiver
    var notifications: ResolvedNotifications
    var environment: [String: String]
    var options = Dispatcher.Options()

    init(receiver: Receiver, notifications: ResolvedNotifications, path: String = DeliveryFixture.path()) throws {
        store = try HistoryStore(path: path)
        self.receiver = receiver
        self.notifications = notifications
        environment = Dictionary(uniqueKeysWithValues: notifications.channels.map { ("VAR_\($0.name.value.uppercased())", receiver.url($0.name.value)) })
        options.attempts = 2
        options.backoff = 0.01
        options.timeout = 30
    }

    /// Records an evaluation at `at` with the values given, queuing by the current notifications.
    @discardableResult
    func record(ops: Int, fin: Int, at: Int64, checkedAt: Int64? = nil, events: Bool? = nil, legacy: Bool = false) throws -> RecordOutcome {
        let time = try #require(CELTimestamp(seconds: at))
        let results = try DeliveryFixture.results(ops: ops, fin: fin, at: at, checkedAt: checkedAt, events: events)
        return try store.record(profile: "p", store: "acme", takenAt: time, results: results,
                                notify: DeliveryFixture.plan(notifications, at: checkedAt ?? at, legacy: legacy))
    }

    func deliver(at: Int64, timezone: String = "UTC") async -> Dispatcher.Report {
        await Dispatcher(store: store, profile: "p", notifications: notifications, timezone: timezone, environment: environment, options: options)
            .deliver(now: at)
    }
}
