import Foundation
import GRDB
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
                try Row.fetchAll(db, sql: """
                    SELECT e.taken_at, v.value, v.firing, v.row_count FROM card_value v JOIN evaluation e ON e.id = v.evaluation_id
                    WHERE e.profile = ? AND v.card = ? AND e.taken_at_seconds >= ? ORDER BY e.taken_at_seconds
                    """, arguments: [profile, card, since?.seconds ?? Int64.min]).map { row in
                    SeriesPoint(takenAt: row["taken_at"], value: row["value"], firing: row["firing"], rowCount: row["row_count"])
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
                    AlertState(profile: row["profile"], card: row["card"], title: row["title"], state: row["state"],
                               consecutive: row["consecutive"], since: row["since"], value: row["value"])
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

    /// Transitions no webhook has taken yet, oldest first.
    public func undelivered(profile: String) throws(HistoryError) -> [AlertTransition] {
        try fetchTransitions("SELECT * FROM alert_transition WHERE profile = ? AND delivered_at IS NULL ORDER BY id", [profile])
    }

    /// Marks transitions delivered.
    public func markDelivered(_ ids: [Int64]) throws(HistoryError) {
        guard !ids.isEmpty else { return }
        let now = CELTimestamp(seconds: Int64(Date().timeIntervalSince1970)).map(\.description) ?? ""
        do {
            try pool.write { db in
                for id in ids { try db.execute(sql: "UPDATE alert_transition SET delivered_at = ? WHERE id = ?", arguments: [now, id]) }
            }
        } catch { throw HistoryError(HistoryStore.explain(error)) }
    }

    private func fetchTransitions(_ sql: String, _ arguments: StatementArguments) throws(HistoryError) -> [AlertTransition] {
        do {
            return try pool.read { db in
                try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
                    AlertTransition(id: row["id"], profile: row["profile"], card: row["card"], title: row["title"], from: row["from_state"],
                                    to: row["to_state"], value: row["value"], at: row["at"],
                                    roles: (row["roles"] as String).split(separator: ",").map(String.init), reason: row["reason"],
                                    deliveredAt: row["delivered_at"])
                }
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
