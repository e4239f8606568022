import GRDB
import PulseConfig

extension HistoryStore {
    /// Stores a silence of `cards` (empty: all) at `severity` (nil: all) from `startsAt` to `endsAt`.
    public func addSilence(profile: String, cards: [String], severity: AlertSeverity?, startsAt: Int64, endsAt: Int64, reason: String,
                           by: String, now: Int64) throws(HistoryError) -> Silence {
        guard endsAt > startsAt else { throw HistoryError("a silence must end after it starts") }
        do {
            return try pool.write { db in
                try db.execute(sql: """
                    INSERT INTO silence (profile, cards, severity, starts_at, ends_at, reason, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [profile, cards.joined(separator: ","), severity?.rawValue, startsAt, endsAt, reason, by, now])
                return Silence(id: db.lastInsertedRowID, profile: profile, cards: cards, severity: severity, startsAt: startsAt, endsAt: endsAt,
                               reason: reason, createdBy: by, createdAt: now, expiredAt: nil)
            }
        } catch { throw HistoryError(HistoryStore.explain(error)) }
    }

    /// The profile's silences that have not ended by `now` (with `ended`, every one), newest first.
    public func silences(profile: String, now: Int64, ended: Bool = false) throws(HistoryError) -> [Silence] {
        do {
            return try pool.read { db in
                try Row.fetchAll(db, sql: "SELECT * FROM silence WHERE profile = ? ORDER BY id DESC", arguments: [profile])
                    .map(HistoryStore.silence).filter { ended || $0.effectiveEnd > now }
            }
        } catch { throw HistoryError(HistoryStore.explain(error)) }
    }

    /// Ends silence `id` at `now`.
    public func expireSilence(profile: String, id: Int64, now: Int64) throws(HistoryError) -> Silence {
        do {
            return try pool.write { db in
                guard let row = try Row.fetchOne(db, sql: "SELECT * FROM silence WHERE profile = ? AND id = ?", arguments: [profile, id]) else {
                    throw HistoryError("profile '\(profile)' has no silence #\(id); `pulse silence list --profile \(profile)` lists them")
                }
                var silence = try HistoryStore.silence(row)
                guard silence.effectiveEnd > now else { throw HistoryError("silence #\(id) has already ended") }
                try db.execute(sql: "UPDATE silence SET expired_at = ? WHERE id = ?", arguments: [now, id])
                silence.expiredAt = now
                return silence
            }
        } catch { throw HistoryError(HistoryStore.explain(error)) }
    }

    /// Acknowledges `card`'s current firing: no reminders until it resolves or escalates.
    public func acknowledge(profile: String, card: String, by: String, note: String?, now: Int64) throws(HistoryError) -> Acknowledgement {
        do {
            return try pool.write { db in
                let state = try String.fetchOne(db, sql: "SELECT state FROM alert_state WHERE profile = ? AND card = ?", arguments: [profile, card])
                guard state == "firing" else {
                    throw HistoryError("card '\(card)' of profile '\(profile)' is not firing (\(state ?? "never recorded")); only a firing alert can be acknowledged")
                }
                try db.execute(sql: """
                    INSERT INTO acknowledgement (profile, card, by, note, at) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (profile, card) DO UPDATE SET by = excluded.by, note = excluded.note, at = excluded.at
                    """, arguments: [profile, card, by, note, now])
                return Acknowledgement(profile: profile, card: card, by: by, note: note, at: now)
            }
        } catch { throw HistoryError(HistoryStore.explain(error)) }
    }

    /// The profile's acknowledgements, by card.
    public func acknowledgements(profile: String) throws(HistoryError) -> [Acknowledgement] {
        do {
            return try pool.read { db in
                try Row.fetchAll(db, sql: "SELECT * FROM acknowledgement WHERE profile = ? ORDER BY card", arguments: [profile]).map { row in
                    Acknowledgement(profile: try row.field("profile"), card: try row.field("card"), by: try row.field("by"),
                                    note: try row.field("note"), at: try row.field("at"))
                }
            }
        } catch { throw HistoryError(HistoryStore.explain(error)) }
    }

    static func silence(_ row: Row) throws -> Silence {
        let cards: String = try row.field("cards")
        let severity: String? = try row.field("severity")
        return Silence(id: try row.field("id"), profile: try row.field("profile"), cards: cards.isEmpty ? [] : cards.split(separator: ",").map(String.init),
                       severity: severity.flatMap(AlertSeverity.init(rawValue:)), startsAt: try row.field("starts_at"), endsAt: try row.field("ends_at"),
                       reason: try row.field("reason"), createdBy: try row.field("created_by"), createdAt: try row.field("created_at"),
                       expiredAt: try row.field("expired_at"))
    }
}
