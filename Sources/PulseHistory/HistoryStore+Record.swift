import Foundation
import GRDB
import PulseDiagnostics
import PulseConfig
import PulseEngine
import PulseExpressions

extension HistoryStore {
    /// Records one evaluation and advances the alert state of each card, in one transaction.
    ///
    /// Recording the same snapshot (`takenAt`) for a profile again is a no-op. A snapshot older
    /// than the profile's latest recorded one is stored for the history but leaves alert states
    /// as they are.
    ///
    /// - Parameter whileWriting: called inside the transaction before it commits (a test hook
    ///   for crash and concurrency tests).
    public func record(profile: String, store: String?, takenAt: CELTimestamp, results: [CardResult],
                       whileWriting: (() -> Void)? = nil) throws(HistoryError) -> RecordOutcome {
        let evaluatedAt = CELTimestamp(seconds: Int64(Date().timeIntervalSince1970)).map(\.description) ?? ""
        do {
            return try pool.write { db -> RecordOutcome in
                if try Int.fetchOne(db, sql: "SELECT 1 FROM evaluation WHERE profile = ? AND taken_at_seconds = ?",
                                    arguments: [profile, takenAt.seconds]) != nil {
                    return .alreadyRecorded
                }
                let latest = try Int64.fetchOne(db, sql: "SELECT MAX(taken_at_seconds) FROM evaluation WHERE profile = ?", arguments: [profile])
                try db.execute(sql: "INSERT INTO evaluation (profile, store, taken_at, taken_at_seconds, evaluated_at) VALUES (?, ?, ?, ?, ?)",
                               arguments: [profile, store, takenAt.description, takenAt.seconds, evaluatedAt])
                let evaluationID = db.lastInsertedRowID
                for r in results {
                    let breakdown = r.breakdown.map { items in
                        "{" + items.map { "\(JSONText.quote($0.label)): \($0.value.map { "\($0)" } ?? "null")" }.joined(separator: ", ") + "}"
                    }
                    try db.execute(sql: """
                        INSERT INTO card_value (evaluation_id, card, value, numerator, denominator, breakdown, firing, row_count, error_count, no_data)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """, arguments: [evaluationID, r.card.key.value, r.value, r.numerator, r.denominator, breakdown,
                                         r.conditionHolds, r.rows.count, r.errorCount,
                                         r.state == .noData ? r.missingFiles.map(\.fileName).joined(separator: ",") : nil])
                }
                var transitions: [AlertTransition] = []
                var note: String?
                if let latest, latest > takenAt.seconds {
                    note = "this snapshot is older than the latest recorded one; alert states are unchanged"
                } else {
                    for r in results {
                        // No data says nothing about the alert: its state stays as it was.
                        if r.state == .noData { continue }
                        if let t = try advance(db, profile: profile, result: r, takenAt: takenAt, evaluationID: evaluationID) {
                            transitions.append(t)
                        }
                    }
                }
                whileWriting?()
                return .recorded(transitions: transitions, note: note)
            }
        } catch {
            throw HistoryError("could not record into \(path): \(HistoryStore.explain(error)); nothing was written")
        }
    }

    /// The states of `results` as the alert history makes them: a condition that holds under
    /// `for: N` is firing only once it held N recorded evaluations in a row. For the snapshot the
    /// store holds (just recorded, or recorded before) that is the stored state; for a newer one
    /// it is the step the store would take. Results of an older snapshot, or without an alert
    /// that waits, are returned as they are.
    public func settle(_ results: [CardResult], profile: String, takenAt: CELTimestamp) throws(HistoryError) -> [CardResult] {
        let rows: [String: (state: String, consecutive: Int, last: Int64)]
        do {
            rows = try pool.read { db in
                var out: [String: (state: String, consecutive: Int, last: Int64)] = [:]
                for row in try Row.fetchAll(db, sql: "SELECT card, state, consecutive, last_taken_at_seconds FROM alert_state WHERE profile = ?",
                                            arguments: [profile]) {
                    out[try row.field("card")] = (try row.field("state"), try row.field("consecutive"), try row.field("last_taken_at_seconds"))
                }
                return out
            }
        } catch { throw HistoryError(HistoryStore.explain(error)) }
        return results.map { r in
            guard let alert = r.settings.alert, alert.holdFor > 1, r.conditionHolds, r.state != .noData else { return r }
            var settled = r
            let stored = rows[r.card.key.value] ?? (state: "inactive", consecutive: 0, last: Int64.min)
            if stored.last == takenAt.seconds {
                let (state, note) = AlertMachine.cardState(stored.state, consecutive: stored.consecutive, holdFor: alert.holdFor)
                settled.settle(state, note: note)
            } else if stored.last < takenAt.seconds {
                let (next, count) = AlertMachine.step(previous: stored.state, consecutive: stored.consecutive, holds: true, holdFor: alert.holdFor)
                let (state, note) = AlertMachine.cardState(next, consecutive: count, holdFor: alert.holdFor)
                settled.settle(state, note: note.map { $0 + " (with the recorded history; not recorded)" })
            }
            return settled
        }
    }

    /// The alert state machine: inactive -> (pending ->) firing -> resolved (inactive).
    private func advance(_ db: Database, profile: String, result r: CardResult, takenAt: CELTimestamp,
                         evaluationID: Int64) throws -> AlertTransition? {
        let card = r.card.key.value
        let row = try Row.fetchOne(db, sql: "SELECT state, consecutive, since FROM alert_state WHERE profile = ? AND card = ?",
                                   arguments: [profile, card])
        let previous: String = try row?.field("state") ?? "inactive"
        let consecutive: Int = try row?.field("consecutive") ?? 0
        let holds = r.settings.alert != nil && r.conditionHolds
        let holdFor = r.settings.alert?.holdFor ?? 1
        let (next, count) = AlertMachine.step(previous: previous, consecutive: consecutive, holds: holds, holdFor: holdFor)
        let stored = next == "resolved" ? "inactive" : next
        let since = stored == previous ? (try row?.field("since") ?? takenAt.description) : takenAt.description
        try db.execute(sql: """
            INSERT INTO alert_state (profile, card, title, state, consecutive, since, value, last_taken_at_seconds)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (profile, card) DO UPDATE SET title = excluded.title, state = excluded.state,
                consecutive = excluded.consecutive, since = excluded.since, value = excluded.value,
                last_taken_at_seconds = excluded.last_taken_at_seconds
            """, arguments: [profile, card, r.card.title, stored, count, since, r.value, takenAt.seconds])
        guard next != previous, !(previous == "inactive" && next == "inactive") else { return nil }
        var reason = r.settings.alert?.description ?? "the card no longer alerts"
        if let rule = r.settings.alert?.spike, let outcome = r.spike { reason += "; " + outcome.describe(rule, value: r.value) }
        if next == "pending" { reason += "; held \(count) of \(holdFor) evaluations" }
        let roles = r.settings.roles
        try db.execute(sql: """
            INSERT INTO alert_transition (evaluation_id, profile, card, title, from_state, to_state, value, at, roles, reason)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [evaluationID, profile, card, r.card.title, previous, next, r.value, takenAt.description,
                             roles.joined(separator: ","), reason])
        return AlertTransition(id: db.lastInsertedRowID, profile: profile, card: card, title: r.card.title, from: previous, to: next,
                               value: r.value, at: takenAt.description, roles: roles, reason: reason, deliveredAt: nil)
    }
}
