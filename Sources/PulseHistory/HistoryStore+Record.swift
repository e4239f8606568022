import Foundation
import GRDB
import PulseDiagnostics
import PulseConfig
import PulseEngine
import PulseExpressions

extension HistoryStore {
    /// Records one evaluation and advances the alert state of each card, in one transaction.
    ///
    /// Recording the same snapshot (`takenAt`) for a profile again writes no value (the series
    /// holds one value per snapshot); when the current config judges its alerts otherwise (a
    /// trigger changed), the new judgement is recorded as a re-evaluation. A snapshot older than
    /// the profile's latest recorded one is stored for the history but leaves alert states as
    /// they are. Cards with no data, or stale data, change no alert state.
    ///
    /// - Parameter notify: how to queue the evaluation's notifications (nil: none are queued).
    /// - Parameter seams: where a crash or concurrency test pauses inside the transaction
    ///   (``TestSeams/insideHistoryWrite``); none in product use.
    public func record(profile: String, store: String?, takenAt: CELTimestamp, results: [CardResult], notify: NotificationPlan? = nil,
                       seams: TestSeams = .none) throws(HistoryError) -> RecordOutcome {
        let evaluatedAt = CELTimestamp(seconds: Int64(Date().timeIntervalSince1970)).map(\.description) ?? ""
        do {
            return try pool.write { db -> RecordOutcome in
                if let existing = try Int64.fetchOne(db, sql: "SELECT id FROM evaluation WHERE profile = ? AND taken_at_seconds = ?",
                                                     arguments: [profile, takenAt.seconds]) {
                    var transitions: [AlertTransition] = []
                    for r in results where r.judgesAlert {
                        if let t = try advance(db, profile: profile, result: r, takenAt: takenAt, evaluationID: existing).transition {
                            transitions.append(t)
                        }
                    }
                    try clearAcknowledgements(db, profile: profile, transitions: transitions)
                    if let notify, !notify.isEmpty {
                        try queueEvents(db, plan: notify, profile: profile, store: store, evaluationID: existing, transitions: transitions,
                                        results: results, newSnapshot: false, takenAt: takenAt.seconds)
                    }
                    seams.insideHistoryWrite?()
                    return transitions.isEmpty ? .alreadyRecorded : .reevaluated(transitions: transitions)
                }
                let latest = try Int64.fetchOne(db, sql: "SELECT MAX(taken_at_seconds) FROM evaluation WHERE profile = ?", arguments: [profile])
                try db.execute(sql: "INSERT INTO evaluation (profile, store, taken_at, taken_at_seconds, evaluated_at) VALUES (?, ?, ?, ?, ?)",
                               arguments: [profile, store, takenAt.description, takenAt.seconds, evaluatedAt])
                let evaluationID = db.lastInsertedRowID
                var transitions: [AlertTransition] = []
                var note: String?
                let older = latest.map { $0 > takenAt.seconds } ?? false
                if older { note = "this snapshot is older than the latest recorded one; alert states are unchanged" }
                for r in results {
                    var stored: AlertMachine.Stored?
                    // No data, or stale data, says nothing about the alert: its state stays as it was.
                    if !older && r.judgesAlert {
                        let step = try advance(db, profile: profile, result: r, takenAt: takenAt, evaluationID: evaluationID)
                        stored = step.stored
                        if let t = step.transition { transitions.append(t) }
                    }
                    try insertValue(db, r, evaluationID: evaluationID, stored: stored)
                }
                try clearAcknowledgements(db, profile: profile, transitions: transitions)
                if let notify, !notify.isEmpty {
                    try queueEvents(db, plan: notify, profile: profile, store: store, evaluationID: evaluationID, transitions: transitions,
                                    results: results, newSnapshot: !older, takenAt: takenAt.seconds)
                }
                seams.insideHistoryWrite?()
                return .recorded(transitions: transitions, note: note)
            }
        } catch {
            throw HistoryError("could not record into \(path): \(HistoryStore.explain(error)); nothing was written")
        }
    }

    /// An acknowledgement lasts one firing episode at one level: it clears when the alert
    /// resolves or escalates (a de-escalation keeps it).
    private func clearAcknowledgements(_ db: Database, profile: String, transitions: [AlertTransition]) throws {
        for t in transitions where t.to == "resolved" || t.to == "escalated" || t.to == "inactive" {
            try db.execute(sql: "DELETE FROM acknowledgement WHERE profile = ? AND card = ?", arguments: [profile, t.card])
        }
    }

    /// One card's recorded value, with the state the card was in (`stored`: its alert state after
    /// this evaluation, when the evaluation moved it).
    private func insertValue(_ db: Database, _ r: CardResult, evaluationID: Int64, stored: AlertMachine.Stored?) throws {
        let breakdown = r.breakdown.map { items in
            "{" + items.map { "\(JSONText.quote($0.label)): \($0.value.map { "\($0)" } ?? "null")" }.joined(separator: ", ") + "}"
        }
        var state = r.state
        var severity = r.severity
        if let stored, let alert = r.settings.alert {
            (state, severity, _) = AlertMachine.cardState(stored, holdFor: alert.holdFor)
        }
        try db.execute(sql: """
            INSERT INTO card_value (evaluation_id, card, value, numerator, denominator, breakdown, firing, row_count, error_count, no_data, state, severity)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [evaluationID, r.card.key.value, r.value, r.numerator, r.denominator, breakdown,
                             r.conditionHolds, r.rows.count, r.errorCount,
                             r.state == .noData ? (r.missingFiles.isEmpty ? "unmatched_skus" : r.missingFiles.map(\.fileName).joined(separator: ",")) : nil,
                             state.rawValue, state == .firing ? severity?.rawValue : nil])
    }

    /// The states of `results` as the alert history makes them: a level that holds under `for: N`
    /// fires only once it held N recorded evaluations in a row. For the snapshot the store holds
    /// (just recorded, or recorded before) that is the stored state; for a newer one it is the
    /// step the store would take. A card with no data or stale data shows the stored alert state,
    /// unchanged. Results of an older snapshot are returned as they are.
    public func settle(_ results: [CardResult], profile: String, takenAt: CELTimestamp) throws(HistoryError) -> [CardResult] {
        let rows: [String: (stored: AlertMachine.Stored, last: Int64)]
        do {
            rows = try pool.read { db in
                var out: [String: (stored: AlertMachine.Stored, last: Int64)] = [:]
                for row in try Row.fetchAll(db, sql: "SELECT * FROM alert_state WHERE profile = ?", arguments: [profile]) {
                    out[try row.field("card")] = (try HistoryStore.stored(row, prefix: ""), try row.field("last_taken_at_seconds"))
                }
                return out
            }
        } catch { throw HistoryError(HistoryStore.explain(error)) }
        return results.map { r in
            guard let alert = r.settings.alert else { return r }
            var settled = r
            let known = rows[r.card.key.value]
            let stored = known ?? (stored: .inactive, last: Int64.min)
            if !r.judgesAlert {
                if let known {
                    let (state, severity, note) = AlertMachine.cardState(known.stored, holdFor: alert.holdFor)
                    settled.settle(state, severity: severity, note: note.map { $0 + " (unchanged: this data judges no alert)" })
                }
            } else if stored.last == takenAt.seconds {
                let (state, severity, note) = AlertMachine.cardState(stored.stored, holdFor: alert.holdFor)
                settled.settle(state, severity: severity, note: note)
            } else if stored.last < takenAt.seconds {
                let next = AlertMachine.step(from: stored.stored, level: r.level, holdFor: alert.holdFor)
                let (state, severity, note) = AlertMachine.cardState(next, holdFor: alert.holdFor)
                settled.settle(state, severity: severity, note: note.map { $0 + " (with the recorded history; not recorded)" })
            }
            return settled
        }
    }

    /// A stored alert state from a row's `state`, `severity`, `consecutive`, `critical_consecutive`
    /// columns, or their `base_` copies (nil when the row has no base).
    static func stored(_ row: Row, prefix: String) throws -> AlertMachine.Stored {
        let severity: String? = try row.field(prefix + "severity")
        return AlertMachine.Stored(state: try row.field(prefix + "state"), severity: severity.flatMap(AlertSeverity.init(rawValue:)),
                                   consecutive: try row.field(prefix + "consecutive"), critical: try row.field(prefix + "critical_consecutive"))
    }

    /// The alert state machine for one card: inactive -> (pending ->) firing (warn <-> critical)
    /// -> resolved (inactive). The step starts from the state before this snapshot: the current
    /// one, or, when this snapshot was already applied (a re-evaluation), the base kept with it.
    private func advance(_ db: Database, profile: String, result r: CardResult, takenAt: CELTimestamp,
                         evaluationID: Int64) throws -> (stored: AlertMachine.Stored?, transition: AlertTransition?) {
        let card = r.card.key.value
        let row = try Row.fetchOne(db, sql: "SELECT * FROM alert_state WHERE profile = ? AND card = ?", arguments: [profile, card])
        let current = try row.map { try HistoryStore.stored($0, prefix: "") } ?? .inactive
        let last: Int64 = try row?.field("last_taken_at_seconds") ?? Int64.min
        if last > takenAt.seconds { return (nil, nil) }
        let again = last == takenAt.seconds
        var base = current
        if again, let row {
            let baseState: String? = try row.field("base_state")
            if baseState != nil {
                base = try HistoryStore.stored(row, prefix: "base_")
            } else {
                // Recorded before bases were kept: the nearest guess is one evaluation less.
                base.consecutive = max(0, base.consecutive - 1)
                base.critical = max(0, base.critical - 1)
                if base.state == .firing, base.consecutive < (r.settings.alert?.holdFor ?? 1) { base.state = .pending }
            }
        }
        let holdFor = r.settings.alert?.holdFor ?? 1
        let next = AlertMachine.step(from: base, level: r.settings.alert == nil ? nil : r.level, holdFor: holdFor)
        let kind = AlertMachine.transition(from: current, to: next)
        let since: String = kind == nil ? (try row?.field("since") ?? takenAt.description) : takenAt.description
        try db.execute(sql: """
            INSERT INTO alert_state (profile, card, title, state, severity, consecutive, critical_consecutive, since, value, last_taken_at_seconds,
                                     base_state, base_severity, base_consecutive, base_critical_consecutive)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (profile, card) DO UPDATE SET title = excluded.title, state = excluded.state, severity = excluded.severity,
                consecutive = excluded.consecutive, critical_consecutive = excluded.critical_consecutive, since = excluded.since,
                value = excluded.value, last_taken_at_seconds = excluded.last_taken_at_seconds, base_state = excluded.base_state,
                base_severity = excluded.base_severity, base_consecutive = excluded.base_consecutive,
                base_critical_consecutive = excluded.base_critical_consecutive
            """, arguments: [profile, card, r.card.title, next.state, next.severity?.rawValue, next.consecutive, next.critical, since, r.value,
                             takenAt.seconds, base.state, base.severity?.rawValue, base.consecutive, base.critical])
        guard let kind else { return (next, nil) }
        var reason = r.settings.alert?.description ?? "the card no longer alerts"
        if let rule = r.settings.alert?.spike, let outcome = r.spike { reason += "; " + outcome.describe(rule, value: r.value) }
        if next.state == .pending { reason += "; held \(next.consecutive) of \(holdFor) evaluations" }
        if again { reason = "re-evaluated with the current config: " + reason }
        let severity = kind == .resolved ? (current.severity ?? .critical) : next.severity
        let roles = r.settings.roles
        try db.execute(sql: """
            INSERT INTO alert_transition (evaluation_id, profile, card, title, from_state, to_state, severity, value, at, roles, reason)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [evaluationID, profile, card, r.card.title, current.state.rawValue, kind.rawValue, severity?.rawValue, r.value, takenAt.description,
                             roles.joined(separator: ","), reason])
        let transition = AlertTransition(id: db.lastInsertedRowID, profile: profile, card: card, title: r.card.title, from: current.state.rawValue, to: kind.rawValue,
                                         severity: severity, value: r.value, at: takenAt.description, roles: roles, reason: reason, deliveredAt: nil)
        return (next, transition)
    }
}
