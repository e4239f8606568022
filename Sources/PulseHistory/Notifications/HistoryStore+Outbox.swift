import Foundation
import GRDB
import PulseConfig
import PulseDiagnostics
import PulseEngine
import PulseExpressions

extension HistoryStore {
    /// Registers the plan's channels (a channel's creation is the first time a store sees it:
    /// it gets no older event) and queues the events of one recorded evaluation: its alert
    /// transitions, and the cards that became no data or stale. Runs inside the record transaction.
    func queueEvents(_ db: Database, plan: NotificationPlan, profile: String, store: String?, evaluationID: Int64,
                     transitions: [AlertTransition], results: [CardResult], newSnapshot: Bool, takenAt: Int64) throws {
        for channel in plan.channels {
            try db.execute(sql: "INSERT OR IGNORE INTO notification_channel (profile, name, type, created_at) VALUES (?, ?, ?, ?)",
                           arguments: [profile, channel.name, channel.type, plan.clock])
        }
        let byCard = Dictionary(results.map { ($0.card.key.value, $0) }, uniquingKeysWith: { a, _ in a })
        for t in transitions {
            guard let r = byCard[t.card] else { continue }
            let state: String
            switch t.to {
            case "firing", "escalated", "deescalated": state = "firing"
            case "pending": state = "pending"
            default: state = "ok"
            }
            let event = NotificationEvent(profile: profile, store: store, evaluationID: evaluationID, kind: t.to, card: t.card, title: t.title,
                                          value: t.value, trigger: r.settings.alert?.description, state: state, severity: t.severity,
                                          previous: t.from, reason: t.readableReason, roles: t.roles, at: t.at, createdAt: plan.clock)
            try queue(db, filled(event, r, plan), plan: plan, transitionID: t.id)
        }
        // A card that became no data or stale: only for a snapshot seen for the first time.
        guard newSnapshot else { return }
        for r in results where r.state == .noData || r.state == .stale {
            let card = r.card.key.value
            let previous = try String.fetchOne(db, sql: """
                SELECT v.state FROM card_value v JOIN evaluation e ON e.id = v.evaluation_id
                WHERE e.profile = ? AND v.card = ? AND e.taken_at_seconds < ? ORDER BY e.taken_at_seconds DESC LIMIT 1
                """, arguments: [profile, card, takenAt])
            if previous == r.state.rawValue { continue }
            let event = NotificationEvent(profile: profile, store: store, evaluationID: evaluationID, kind: r.state.rawValue, card: card,
                                          title: r.card.title, value: r.value, trigger: r.settings.alert?.description, state: r.state.rawValue,
                                          previous: previous ?? "none", reason: r.stateNote ?? r.state.words, roles: r.settings.roles,
                                          at: CELTimestamp(seconds: takenAt)?.description ?? "", createdAt: plan.clock)
            try queue(db, filled(event, r, plan), plan: plan, transitionID: nil)
        }
    }

    /// `event` with the card's value text and first rows.
    private func filled(_ event: NotificationEvent, _ r: CardResult, _ plan: NotificationPlan) -> NotificationEvent {
        var event = event
        let detail = plan.detail(r)
        event.valueText = detail.valueText
        event.columns = detail.columns
        event.rows = Array(detail.rows.prefix(ResolvedNotifications.maxRows))
        event.rowCount = r.rows.count
        return event
    }

    /// Stores `event` and queues it for every channel its routes name (and the v1 webhook, for
    /// a transition). Returns its id.
    @discardableResult
    func queue(_ db: Database, _ event: NotificationEvent, plan: NotificationPlan?, transitionID: Int64?, only channels: [String]? = nil) throws -> Int64 {
        try db.execute(sql: """
            INSERT INTO notification_event (profile, store, evaluation_id, transition_id, kind, card, title, value, value_text, trigger, state,
                severity, previous, reason, columns, rows, row_count, roles, at, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [event.profile, event.store, event.evaluationID, transitionID, event.kind, event.card, event.title, event.value,
                             event.valueText, event.trigger, event.state, event.severity?.rawValue, event.previous, event.reason,
                             HistoryStore.jsonList(event.columns), "[" + event.rows.map(HistoryStore.jsonList).joined(separator: ",") + "]",
                             event.rowCount, event.roles.joined(separator: ","), event.at, event.createdAt])
        let id = db.lastInsertedRowID
        var targets: [String] = channels ?? []
        if channels == nil, let plan {
            if let kind = event.routedKind {
                targets = plan.notifications.channels(for: kind, severity: event.severity, card: event.card, roles: event.roles)
            }
            if plan.legacyWebhook && transitionID != nil { targets.append(NotificationPlan.legacyChannel) }
        }
        for channel in targets {
            try db.execute(sql: "INSERT OR IGNORE INTO outbox (event_id, profile, channel) VALUES (?, ?, ?)", arguments: [id, event.profile, channel])
        }
        return id
    }

    static func jsonList(_ items: [String]) -> String { "[" + items.map(JSONText.quote).joined(separator: ",") + "]" }

    static func decodeList(_ text: String) -> [String] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String] ?? []
    }

    static func decodeRows(_ text: String) -> [[String]] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [[String]] ?? []
    }

    /// An event from a `notification_event` row.
    static func event(_ row: Row) throws -> NotificationEvent {
        let roles: String = try row.field("roles")
        let severity: String? = try row.field("severity")
        return NotificationEvent(
            id: try row.field("id"), profile: try row.field("profile"), store: try row.field("store"), evaluationID: try row.field("evaluation_id"),
            kind: try row.field("kind"), card: try row.field("card"), title: try row.field("title"), value: try row.field("value"),
            valueText: try row.field("value_text"), trigger: try row.field("trigger"), state: try row.field("state"),
            severity: severity.flatMap(AlertSeverity.init(rawValue:)), previous: try row.field("previous"), reason: try row.field("reason"),
            columns: decodeList(try row.field("columns")), rows: decodeRows(try row.field("rows")), rowCount: try row.field("row_count"),
            roles: roles.isEmpty ? [] : roles.split(separator: ",").map(String.init), at: try row.field("at"), createdAt: try row.field("created_at"))
    }
}
