import GRDB
import PulseConfig
import PulseExpressions

/// The outbox side of the history store: what a delivery run claims, sends, holds, suppresses
/// and drops. Each channel is delivered in event order by one run at a time (a lease on the
/// channel), so overlapping runs never send an event twice; a channel's failure touches only
/// that channel.
extension HistoryStore {
    /// Every channel the store knows for `profile`, with what waits for it.
    public func channelStatuses(profile: String) throws(HistoryError) -> [ChannelStatus] {
        do {
            return try pool.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT c.*, (SELECT COUNT(*) FROM outbox o WHERE o.profile = c.profile AND o.channel = c.name AND o.status = 'pending') AS pending
                    FROM notification_channel c WHERE c.profile = ? ORDER BY c.name
                    """, arguments: [profile]).map { row in
                    ChannelStatus(name: try row.field("name"), type: try row.field("type"), createdAt: try row.field("created_at"),
                                  attempts: try row.field("attempts"), nextAttemptAt: try row.field("next_attempt_at"),
                                  lastError: try row.field("last_error"), lastSentAt: try row.field("last_sent_at"), pending: try row.field("pending"))
                }
            }
        } catch { throw HistoryError(HistoryStore.explain(error)) }
    }

    /// Registers channels seen outside a recording (`pulse serve` at start, `pulse notify test`),
    /// so that a channel's creation is the first time any pulse saw it.
    public func registerChannels(profile: String, _ channels: [(name: String, type: String)], now: Int64) throws(HistoryError) {
        do {
            try pool.write { db in
                for channel in channels {
                    try db.execute(sql: "INSERT OR IGNORE INTO notification_channel (profile, name, type, created_at) VALUES (?, ?, ?, ?)",
                                   arguments: [profile, channel.name, channel.type, now])
                }
            }
        } catch { throw HistoryError(HistoryStore.explain(error)) }
    }

    /// Claims `channel` for `lease` seconds when no other run holds it and its retry time has
    /// come (`ignoreBackoff`: come or not, as `pulse eval --notify` does for its own events).
    /// - Returns: whether this run now holds it.
    public func claimChannel(profile: String, channel: String, now: Int64, lease: Int64, ignoreBackoff: Bool = false) throws(HistoryError) -> Bool {
        do {
            return try pool.write { db in
                try db.execute(sql: """
                    UPDATE notification_channel SET claimed_until = ?
                    WHERE profile = ? AND name = ? AND claimed_until <= ? AND (? OR next_attempt_at <= ?)
                    """, arguments: [now.addingReportingOverflow(lease).partialValue, profile, channel, now, ignoreBackoff, now])
                return db.changesCount > 0
            }
        } catch { throw HistoryError(HistoryStore.explain(error)) }
    }

    /// The events waiting for `channel` whose hold has passed by `now`, oldest first (at most `limit`).
    public func pendingEvents(profile: String, channel: String, now: Int64, limit: Int = 10_000) throws(HistoryError) -> [NotificationEvent] {
        do {
            return try pool.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT e.* FROM outbox o JOIN notification_event e ON e.id = o.event_id
                    WHERE o.profile = ? AND o.channel = ? AND o.status = 'pending' AND o.not_before <= ? ORDER BY e.id LIMIT ?
                    """, arguments: [profile, channel, now, max(1, limit)]).map(HistoryStore.event)
            }
        } catch { throw HistoryError(HistoryStore.explain(error)) }
    }

    /// Holds events for `channel` until `until` (quiet hours).
    public func hold(profile: String, channel: String, events: [Int64], until: Int64) throws(HistoryError) {
        try updateOutbox(profile: profile, channel: channel, events: events, sql: "UPDATE outbox SET not_before = ? WHERE profile = ? AND channel = ? AND event_id = ?", first: until)
    }

    /// Marks events for `channel` as not sent, with why (a silence).
    public func suppress(profile: String, channel: String, events: [Int64], note: String) throws(HistoryError) {
        try updateOutbox(profile: profile, channel: channel, events: events,
                         sql: "UPDATE outbox SET status = 'suppressed', note = ? WHERE profile = ? AND channel = ? AND event_id = ?", first: note)
    }

    private func updateOutbox(profile: String, channel: String, events: [Int64], sql: String, first: any DatabaseValueConvertible) throws(HistoryError) {
        guard !events.isEmpty else { return }
        do {
            try pool.write { db in
                for id in events { try db.execute(sql: sql, arguments: [first, profile, channel, id]) }
            }
        } catch { throw HistoryError(HistoryStore.explain(error)) }
    }

    /// Records that `events` reached `channel` at `now`: the channel's retry state is reset and
    /// its claim released, and it now knows of each card's firing (or of its resolve).
    public func markSent(profile: String, channel: String, events: [NotificationEvent], now: Int64, releasing: Bool = true) throws(HistoryError) {
        do {
            try pool.write { db in
                for event in events {
                    try db.execute(sql: "UPDATE outbox SET status = 'sent', sent_at = ? WHERE profile = ? AND channel = ? AND event_id = ?",
                                   arguments: [now, profile, channel, event.id])
                    if let card = event.card {
                        switch event.kind {
                        case "firing", "escalated", "deescalated", "reminder":
                            try db.execute(sql: """
                                INSERT INTO channel_card (profile, channel, card, open, last_sent_at) VALUES (?, ?, ?, 1, ?)
                                ON CONFLICT (profile, channel, card) DO UPDATE SET open = 1, last_sent_at = excluded.last_sent_at
                                """, arguments: [profile, channel, card, now])
                        case "resolved":
                            try db.execute(sql: "UPDATE channel_card SET open = 0 WHERE profile = ? AND channel = ? AND card = ?",
                                           arguments: [profile, channel, card])
                        default: break
                        }
                    }
                    if channel == NotificationPlan.legacyChannel {
                        let at = CELTimestampText.text(now)
                        try db.execute(sql: """
                            UPDATE alert_transition SET delivered_at = ? WHERE id = (SELECT transition_id FROM notification_event WHERE id = ?)
                            """, arguments: [at, event.id])
                    }
                }
                try db.execute(sql: """
                    UPDATE notification_channel SET attempts = 0, next_attempt_at = 0, last_error = NULL, last_sent_at = ?\(releasing ? ", claimed_until = 0" : "")
                    WHERE profile = ? AND name = ?
                    """, arguments: [now, profile, channel])
            }
        } catch { throw HistoryError(HistoryStore.explain(error)) }
    }

    /// Records a failed attempt on `channel`: its next attempt waits until `retryAt(attempts)`
    /// (attempts: the failures in a row, this one included); its claim is released.
    /// - Returns: when the next attempt may be made.
    @discardableResult
    public func markFailed(profile: String, channel: String, error: String, retryAt: (Int) -> Int64) throws(HistoryError) -> Int64 {
        do {
            return try pool.write { db in
                let attempts = (try Int.fetchOne(db, sql: "SELECT attempts FROM notification_channel WHERE profile = ? AND name = ?",
                                                 arguments: [profile, channel]) ?? 0) + 1
                let next = retryAt(attempts)
                try db.execute(sql: """
                    UPDATE notification_channel SET attempts = ?, next_attempt_at = ?, last_error = ?, claimed_until = 0
                    WHERE profile = ? AND name = ?
                    """, arguments: [attempts, next, error, profile, channel])
                return next
            }
        } catch { throw HistoryError(HistoryStore.explain(error)) }
    }

    /// Releases a claim without recording anything (nothing was due).
    public func releaseChannel(profile: String, channel: String) throws(HistoryError) {
        do {
            try pool.write { db in
                try db.execute(sql: "UPDATE notification_channel SET claimed_until = 0 WHERE profile = ? AND name = ?", arguments: [profile, channel])
            }
        } catch { throw HistoryError(HistoryStore.explain(error)) }
    }

    /// Whether `channel` was told of `card`'s current firing (and not yet of its resolve).
    public func channelKnowsFiring(profile: String, channel: String, card: String) throws(HistoryError) -> Bool {
        do {
            return try pool.read { db in
                try Bool.fetchOne(db, sql: "SELECT open FROM channel_card WHERE profile = ? AND channel = ? AND card = ?",
                                  arguments: [profile, channel, card]) ?? false
            }
        } catch { throw HistoryError(HistoryStore.explain(error)) }
    }

    /// Drops events that waited longer than `maxAge` seconds (by the clock they were recorded at).
    /// - Returns: how many were dropped, per channel.
    public func dropExpired(profile: String, now: Int64, maxAge: Int64) throws(HistoryError) -> [(channel: String, count: Int)] {
        let cutoff = now.subtractingReportingOverflow(maxAge).partialValue
        do {
            return try pool.write { db in
                let rows = try Row.fetchAll(db, sql: """
                    SELECT o.channel, COUNT(*) AS n FROM outbox o JOIN notification_event e ON e.id = o.event_id
                    WHERE o.profile = ? AND o.status = 'pending' AND e.created_at < ? GROUP BY o.channel ORDER BY o.channel
                    """, arguments: [profile, cutoff])
                try db.execute(sql: """
                    UPDATE outbox SET status = 'dropped', note = 'undelivered for more than 24 h'
                    WHERE profile = ? AND status = 'pending' AND event_id IN (SELECT id FROM notification_event WHERE profile = ? AND created_at < ?)
                    """, arguments: [profile, profile, cutoff])
                return try rows.map { (try $0.field("channel"), try $0.field("n")) }
            }
        } catch { throw HistoryError(HistoryStore.explain(error)) }
    }

    /// Queues what time itself makes due, in one transaction: reminders (`repeat_every`) for
    /// firing, unacknowledged alerts a channel was told of, and, for silences that ended, the
    /// alerts still firing whose news a channel missed while silenced.
    /// - Returns: how many events were queued.
    public func queueDue(profile: String, notifications: ResolvedNotifications, now: Int64) throws(HistoryError) -> Int {
        do {
            return try pool.write { db in
                var queued = 0
                let firing = Dictionary(try Row.fetchAll(db, sql: "SELECT card, severity, since FROM alert_state WHERE profile = ? AND state = 'firing'",
                                                          arguments: [profile]).map { row -> (String, (severity: AlertSeverity?, since: String)) in
                    let severity: String? = try row.field("severity")
                    return (try row.field("card"), (severity.flatMap(AlertSeverity.init(rawValue:)), try row.field("since")))
                }, uniquingKeysWith: { a, _ in a })
                guard !firing.isEmpty else {
                    try db.execute(sql: "UPDATE silence SET followed_up = 1 WHERE profile = ? AND followed_up = 0 AND MIN(ends_at, COALESCE(expired_at, ends_at)) <= ?",
                                   arguments: [profile, now])
                    return 0
                }
                let acknowledged = Set(try String.fetchAll(db, sql: "SELECT card FROM acknowledgement WHERE profile = ?", arguments: [profile]))
                let silences = try Row.fetchAll(db, sql: "SELECT * FROM silence WHERE profile = ?", arguments: [profile]).map(HistoryStore.silence)
                func latestFiring(_ card: String) throws -> NotificationEvent? {
                    try Row.fetchOne(db, sql: """
                        SELECT * FROM notification_event WHERE profile = ? AND card = ? AND kind IN ('firing', 'escalated', 'deescalated')
                        ORDER BY id DESC LIMIT 1
                        """, arguments: [profile, card]).map(HistoryStore.event)
                }
                // Reminders.
                for route in notifications.routes {
                    guard let every = route.repeatEvery, every.seconds > 0 else { continue }
                    for channel in route.to.map(\.value) where notifications.channel(named: channel) != nil {
                        let open = try Row.fetchAll(db, sql: "SELECT card, last_sent_at FROM channel_card WHERE profile = ? AND channel = ? AND open = 1",
                                                    arguments: [profile, channel])
                        for row in open {
                            let card: String = try row.field("card")
                            let last: Int64 = try row.field("last_sent_at")
                            guard let state = firing[card], !acknowledged.contains(card),
                                  last.addingReportingOverflow(Int64(every.seconds)).partialValue <= now,
                                  var event = try latestFiring(card),
                                  route.match.matches(kind: .firing, severity: state.severity, card: card, roles: event.roles) else { continue }
                            if silences.contains(where: { $0.isActive(at: now) && $0.covers(card: card, severity: state.severity) }) { continue }
                            // News of the card still waiting for the channel says more than a reminder.
                            let waiting = try Bool.fetchOne(db, sql: """
                                SELECT EXISTS (SELECT 1 FROM outbox o JOIN notification_event e ON e.id = o.event_id
                                               WHERE o.profile = ? AND o.channel = ? AND o.status = 'pending' AND e.card = ?)
                                """, arguments: [profile, channel, card]) ?? false
                            if waiting { continue }
                            event.kind = NotificationEventKind.reminder.rawValue
                            event.severity = state.severity
                            event.evaluationID = nil
                            event.previous = "firing"
                            event.reason = "still firing since \(state.since), not acknowledged; " + event.reason
                            event.createdAt = now
                            try queue(db, event, plan: nil, transitionID: nil, only: [channel])
                            try db.execute(sql: "UPDATE channel_card SET last_sent_at = ? WHERE profile = ? AND channel = ? AND card = ?",
                                           arguments: [now, profile, channel, card])
                            queued += 1
                        }
                    }
                }
                // Silences that ended: tell each channel what it missed of alerts still firing.
                for silence in silences where silence.effectiveEnd <= now {
                    let done = try Bool.fetchOne(db, sql: "SELECT followed_up FROM silence WHERE id = ?", arguments: [silence.id]) ?? true
                    if done { continue }
                    try db.execute(sql: "UPDATE silence SET followed_up = 1 WHERE id = ?", arguments: [silence.id])
                    for (card, state) in firing.sorted(by: { $0.key < $1.key }) where silence.covers(card: card, severity: state.severity) {
                        if silences.contains(where: { $0.id != silence.id && $0.isActive(at: now) && $0.covers(card: card, severity: state.severity) }) { continue }
                        guard var event = try latestFiring(card) else { continue }
                        // The channels whose latest news of this card was suppressed.
                        let missed = try String.fetchAll(db, sql: """
                            SELECT o.channel FROM outbox o JOIN notification_event e ON e.id = o.event_id
                            WHERE o.profile = ? AND e.card = ? GROUP BY o.channel
                            HAVING MAX(CASE WHEN o.status = 'suppressed' THEN e.id ELSE 0 END) > MAX(CASE WHEN o.status = 'sent' THEN e.id ELSE 0 END)
                            """, arguments: [profile, card])
                        guard !missed.isEmpty else { continue }
                        event.kind = NotificationEventKind.firing.rawValue
                        event.severity = state.severity
                        event.evaluationID = nil
                        event.reason = "still firing after silence #\(silence.id) ended; " + event.reason
                        event.createdAt = now
                        try queue(db, event, plan: nil, transitionID: nil, only: missed)
                        queued += 1
                    }
                }
                return queued
            }
        } catch { throw HistoryError(HistoryStore.explain(error)) }
    }

    /// Queues an event that no evaluation made (a failed pull) for the channels `notifications`
    /// routes it to.
    public func queueEvent(_ event: NotificationEvent, notifications: ResolvedNotifications) throws(HistoryError) {
        let plan = NotificationPlan(notifications: notifications, clock: event.createdAt) { _ in EventDetail(valueText: "—") }
        do {
            try pool.write { db in
                for channel in plan.channels {
                    try db.execute(sql: "INSERT OR IGNORE INTO notification_channel (profile, name, type, created_at) VALUES (?, ?, ?, ?)",
                                   arguments: [event.profile, channel.name, channel.type, event.createdAt])
                }
                try queue(db, event, plan: plan, transitionID: nil)
            }
        } catch { throw HistoryError(HistoryStore.explain(error)) }
    }
}

/// Unix seconds as RFC 3339 text.
enum CELTimestampText {
    static func text(_ seconds: Int64) -> String { CELTimestamp(seconds: seconds)?.description ?? String(seconds) }
}
