import Foundation
import GRDB
import PulseConfig
import PulseEngine
import PulseExpressions

extension HistoryStore {
    /// The profile's latest recorded snapshot time, if any.
    public func latestSnapshot(profile: String) throws(HistoryError) -> CELTimestamp? {
        do {
            return try pool.read { db in
                try Int64.fetchOne(db, sql: "SELECT MAX(taken_at_seconds) FROM evaluation WHERE profile = ?", arguments: [profile])
            }.flatMap { CELTimestamp(seconds: $0) }
        } catch { throw HistoryError(HistoryStore.explain(error)) }
    }

    /// A card's recorded values from `since` on, oldest first.
    public func series(profile: String, card: String, since: CELTimestamp?) throws(HistoryError) -> [SeriesPoint] {
        do {
            return try pool.read { db in
                // A store not yet migrated to v2 or v3 (read without writing) lacks their columns.
                let columns = Set(try db.columns(in: "card_value").map(\.name))
                let noData = columns.contains("no_data") ? "v.no_data" : "NULL AS no_data"
                let states = columns.contains("state") ? "v.state, v.severity" : "NULL AS state, NULL AS severity"
                return try Row.fetchAll(db, sql: """
                    SELECT e.taken_at, v.value, v.firing, v.row_count, \(noData), \(states) FROM card_value v JOIN evaluation e ON e.id = v.evaluation_id
                    WHERE e.profile = ? AND v.card = ? AND e.taken_at_seconds >= ? ORDER BY e.taken_at_seconds
                    """, arguments: [profile, card, since?.seconds ?? Int64.min]).map { row in
                    var point = SeriesPoint(takenAt: try row.field("taken_at"), value: try row.field("value"), firing: try row.field("firing"),
                                            rowCount: try row.field("row_count"), missing: try row.field("no_data"))
                    point.state = (try row.field("state") as String?).flatMap(CardState.init(rawValue:))
                    point.severity = (try row.field("severity") as String?).flatMap(AlertSeverity.init(rawValue:))
                    return point
                }
            }
        } catch { throw HistoryError(HistoryStore.explain(error)) }
    }

    /// The cards recorded for a profile.
    public func cards(profile: String) throws(HistoryError) -> [String] {
        do {
            return try pool.read { db in
                try String.fetchAll(db, sql: """
                    SELECT DISTINCT v.card FROM card_value v JOIN evaluation e ON e.id = v.evaluation_id WHERE e.profile = ? ORDER BY v.card
                    """, arguments: [profile])
            }
        } catch { throw HistoryError(HistoryStore.explain(error)) }
    }

    /// Alert states that are not inactive (firing or pending).
    public func activeAlerts(profile: String) throws(HistoryError) -> [AlertState] {
        do {
            return try pool.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT * FROM alert_state WHERE profile = ? AND state != 'inactive' ORDER BY state, card
                    """, arguments: [profile]).map { row in
                    let severity: String? = row.hasColumn("severity") ? try row.field("severity") : (try row.field("state") as String == "firing" ? "critical" : nil)
                    return AlertState(profile: try row.field("profile"), card: try row.field("card"), title: try row.field("title"), state: try row.field("state"),
                                      severity: severity.flatMap(AlertSeverity.init(rawValue:)),
                                      consecutive: try row.field("consecutive"), since: try row.field("since"), value: try row.field("value"))
                }
            }
        } catch { throw HistoryError(HistoryStore.explain(error)) }
    }

    /// Transitions at or after `since` (snapshot time), newest first.
    public func transitions(profile: String, since: CELTimestamp?) throws(HistoryError) -> [AlertTransition] {
        try fetchTransitions("""
            SELECT t.* FROM alert_transition t JOIN evaluation e ON e.id = t.evaluation_id
            WHERE t.profile = ? AND e.taken_at_seconds >= ? ORDER BY e.taken_at_seconds DESC, t.id DESC
            """, [profile, since?.seconds ?? Int64.min])
    }

    /// Transitions the v1 webhook (`--notify-webhook`) has not delivered yet, oldest first.
    public func undelivered(profile: String) throws(HistoryError) -> [AlertTransition] {
        try fetchTransitions("SELECT * FROM alert_transition WHERE profile = ? AND delivered_at IS NULL ORDER BY id", [profile])
    }

    /// A transition from its stored row.
    static func transition(_ row: Row) throws -> AlertTransition {
        let to: String = try row.field("to_state")
        // A store not yet migrated to v3 has one level: critical.
        let severity: String? = row.hasColumn("severity") ? try row.field("severity") : (["firing", "resolved"].contains(to) ? "critical" : nil)
        return AlertTransition(id: try row.field("id"), profile: try row.field("profile"), card: try row.field("card"), title: try row.field("title"),
                        from: try row.field("from_state"), to: to, severity: severity.flatMap(AlertSeverity.init(rawValue:)),
                        value: try row.field("value"), at: try row.field("at"),
                        roles: (try row.field("roles") as String).split(separator: ",").map(String.init), reason: try row.field("reason"),
                        deliveredAt: try row.field("delivered_at"))
    }

    private func fetchTransitions(_ sql: String, _ arguments: StatementArguments) throws(HistoryError) -> [AlertTransition] {
        do {
            return try pool.read { db in
                try Row.fetchAll(db, sql: sql, arguments: arguments).map(HistoryStore.transition)
            }
        } catch { throw HistoryError(HistoryStore.explain(error)) }
    }

    /// Recorded values for spike baselines, for `profile`.
    public func baselines(profile: String) -> BaselineSource {
        StoreBaselines(store: self, profile: profile)
    }

    /// How many evaluations are recorded (all profiles).
    public func evaluationCount() throws(HistoryError) -> Int {
        do { return try pool.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM evaluation") ?? 0 } } catch {
            throw HistoryError(HistoryStore.explain(error))
        }
    }
}

extension Row {
    /// Column `name` as a `T`, throwing (never trapping) when the stored value has another type.
    func field<T: DatabaseValueConvertible>(_ name: String) throws -> T {
        try decode(T.self, forColumn: name)
    }
}

/// Spike baselines read from the store.
struct StoreBaselines: BaselineSource {
    let store: HistoryStore
    let profile: String

    func values(card: String, from: CELTimestamp, before: CELTimestamp) throws -> [Double] {
        do {
            return try store.pool.read { db in
                try Double.fetchAll(db, sql: """
                    SELECT v.value FROM card_value v JOIN evaluation e ON e.id = v.evaluation_id
                    WHERE e.profile = ? AND v.card = ? AND v.value IS NOT NULL AND e.taken_at_seconds >= ? AND e.taken_at_seconds < ?
                    """, arguments: [profile, card, from.seconds, before.seconds])
            }
        } catch {
            throw HistoryError(HistoryStore.explain(error))
        }
    }
}
