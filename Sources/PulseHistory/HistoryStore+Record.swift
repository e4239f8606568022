import Foundation
import GRDB
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
                        "{" + items.map { "\(jsonString($0.label)): \($0.value.map { "\($0)" } ?? "null")" }.joined(separator: ", ") + "}"
                    }
                    try db.execute(sql: """
                        INSERT INTO card_value (evaluation_id, card, value, numerator, denominator, breakdown, firing, row_count, error_count)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """, arguments: [evaluationID, r.card.key.value, r.value, r.numerator, r.denominator, breakdown,
                                         r.firing, r.rows.count, r.errorCount])
                }
                var transitions: [AlertTransition] = []
                var note: String?
                if let latest, latest > takenAt.seconds {
                    note = "this snapshot is older than the latest recorded one; alert states are unchanged"
                } else {
                    for r in results {
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

    /// The alert state machine: inactive -> (pending ->) firing -> resolved (inactive).
    private func advance(_ db: Database, profile: String, result r: CardResult, takenAt: CELTimestamp,
                         evaluationID: Int64) throws -> AlertTransition? {
        let card = r.card.key.value
        let row = try Row.fetchOne(db, sql: "SELECT state, consecutive, since FROM alert_state WHERE profile = ? AND card = ?",
                                   arguments: [profile, card])
        let previous: String = row?["state"] ?? "inactive"
        let consecutive: Int = row?["consecutive"] ?? 0
        let holds = r.settings.alert != nil && r.firing
        let holdFor = r.settings.alert?.holdFor ?? 1
        var next = previous
        var count = holds ? consecutive + 1 : 0
        switch (previous, holds) {
        case ("firing", true): next = "firing"
        case (_, true): next = count >= holdFor ? "firing" : "pending"
        case ("firing", false): next = "resolved"
        case (_, false): next = "inactive"
        }
        if !holds { count = 0 }
        let stored = next == "resolved" ? "inactive" : next
        let since = stored == previous ? (row?["since"] ?? takenAt.description) : takenAt.description
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

func jsonString(_ s: String) -> String {
    var out = "\""
    for c in s.unicodeScalars {
        switch c {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case let c where c.value < 0x20: out += String(format: "\\u%04x", c.value)
        default: out.unicodeScalars.append(c)
        }
    }
    return out + "\""
}
