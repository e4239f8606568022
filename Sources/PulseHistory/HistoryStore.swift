import Foundation
import GRDB
import PulseConfig
import PulseEngine
import PulseExpressions

/// Why the history store could not be used.
public struct HistoryError: Error, Sendable, CustomStringConvertible {
    public let description: String
    package init(_ description: String) { self.description = description }
}

/// A change of an alert's state for one (profile, card).
public struct AlertTransition: Sendable, Equatable {
    public let id: Int64
    public let profile: String
    public let card: String
    public let title: String
    /// `inactive`, `pending` or `firing`.
    public let from: String
    /// `pending`, `firing`, `escalated`, `deescalated`, `resolved` or `inactive`.
    public let to: String
    /// The level: of the firing for `firing`, `escalated` and `deescalated` (the new level), of the
    /// firing that ended for `resolved`; nil for `pending` and `inactive`.
    public let severity: AlertSeverity?
    public let value: Double?
    /// The snapshot time at which it happened.
    public let at: String
    public let roles: [String]
    /// Why: the rule and, for a spike, the baseline.
    public let reason: String
    /// When a webhook took it, if one did.
    public let deliveredAt: String?

    /// ``reason`` as people read it (the CLI, the dashboard, notifications). An alert that fires
    /// while its spike rule has no baseline yet fired on its trigger: the recorded "spike: no
    /// baseline yet (...), not firing" is said as "the trigger fired; the spike rule has no
    /// baseline yet (...)".
    public var readableReason: String {
        let note = "; spike: no baseline yet ("
        guard ["firing", "escalated", "deescalated"].contains(to), let at = reason.range(of: note) else { return reason }
        let rest = String(reason[at.upperBound...]).replacingOccurrences(of: "), not firing", with: ")")
        return reason[..<at.lowerBound] + "; the trigger fired; the spike rule has no baseline yet (" + rest
    }
}

/// The current alert state of one card.
public struct AlertState: Sendable, Equatable {
    public let profile: String
    public let card: String
    public let title: String
    /// Inactive, pending or firing.
    public let state: AlertStatus
    /// The level it fires at (firing only).
    public let severity: AlertSeverity?
    /// Consecutive evaluations the condition has held.
    public let consecutive: Int
    /// When the current state began (snapshot time).
    public let since: String
    public let value: Double?
}

/// One recorded value of a card.
public struct SeriesPoint: Sendable, Equatable {
    public let takenAt: String
    public let value: Double?
    public let firing: Bool
    public let rowCount: Int
    /// The missing snapshot files that left the card without data (nil when it had data).
    public let missing: String?
    /// The card's state as recorded (nil in evaluations recorded before states were stored).
    public var state: CardState? = nil
    /// The firing level as recorded.
    public var severity: AlertSeverity? = nil
}

/// What recording an evaluation did.
public enum RecordOutcome: Sendable {
    /// Stored, with the alert transitions it caused.
    case recorded(transitions: [AlertTransition], note: String?)
    /// This profile already has this snapshot: nothing was written.
    case alreadyRecorded
    /// This profile already has this snapshot, and the current config judges its alerts
    /// otherwise: the new judgement is recorded (the transitions), the values are not.
    case reevaluated(transitions: [AlertTransition])
}

/// Pulse's memory: every recorded evaluation, alert states and transitions, in SQLite (WAL).
///
/// One evaluation is written in one transaction, so a crash mid-write leaves the store as it
/// was; a second writer waits for the first (up to the busy timeout) and then fails clearly.
public final class HistoryStore: Sendable {
    /// The default path, relative to the current folder.
    public static let defaultPath = ".pulse/history.sqlite"

    /// The database file.
    public let path: String
    let pool: DatabasePool

    /// Opens (creating and migrating if needed) the store at `path`.
    ///
    /// - Parameter busyTimeout: how long a writer waits for another to finish, in seconds.
    /// - Parameter readOnly: open an existing store only to read it: nothing is created,
    ///   migrated or written, so a read-only file or folder can still be read.
    public init(path: String, busyTimeout: Double = 10, readOnly: Bool = false) throws(HistoryError) {
        self.path = path
        // A finite, non-negative wait of at most a day; anything else is the default.
        let wait = busyTimeout.isFinite && busyTimeout >= 0 ? min(busyTimeout, 86_400) : 10
        if readOnly {
            var configuration = Configuration()
            configuration.readonly = true
            configuration.busyMode = .timeout(wait)
            do {
                pool = try DatabasePool(path: path, configuration: configuration)
                let applied = try pool.read { try HistoryStore.migrator.appliedIdentifiers($0) }
                guard applied.contains("v1") else {
                    throw HistoryError("it is not a Pulse history database (it has no Pulse schema)")
                }
            } catch {
                throw HistoryError("cannot read the history store \(path): \(HistoryStore.explain(error))")
            }
            return
        }
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty {
            do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
                throw HistoryError("cannot create the folder of the history store \(path): \(error.localizedDescription)")
            }
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(wait)
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            try HistoryStore.migrator.migrate(pool)
        } catch {
            throw HistoryError("cannot open the history store \(path): \(HistoryStore.explain(error))")
        }
    }

    static func explain(_ error: Error) -> String {
        if let e = error as? HistoryError { return e.description }
        if error is RowDecodingError { return "it holds a value of the wrong type (\(error)); it is damaged or was written by another program" }
        if let e = error as? DatabaseError {
            if e.resultCode == .SQLITE_BUSY || e.resultCode == .SQLITE_LOCKED {
                return "it is busy: another pulse is writing to it; try again when it has finished"
            }
            if e.resultCode == .SQLITE_NOTADB || e.resultCode == .SQLITE_CORRUPT {
                return "it is not a Pulse history database (or it is damaged)"
            }
            return e.message ?? "\(e)"
        }
        return "\(error)"
    }

    /// The schema, versioned from the first release; each migration runs once.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE evaluation (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    profile TEXT NOT NULL,
                    store TEXT,
                    taken_at TEXT NOT NULL,
                    taken_at_seconds INTEGER NOT NULL,
                    evaluated_at TEXT NOT NULL,
                    UNIQUE (profile, taken_at_seconds)
                );
                CREATE TABLE card_value (
                    evaluation_id INTEGER NOT NULL REFERENCES evaluation(id) ON DELETE CASCADE,
                    card TEXT NOT NULL,
                    value REAL,
                    numerator REAL,
                    denominator REAL,
                    breakdown TEXT,
                    firing INTEGER NOT NULL,
                    row_count INTEGER NOT NULL,
                    error_count INTEGER NOT NULL,
                    PRIMARY KEY (evaluation_id, card)
                );
                CREATE INDEX card_value_by_card ON card_value(card);
                CREATE TABLE alert_state (
                    profile TEXT NOT NULL,
                    card TEXT NOT NULL,
                    title TEXT NOT NULL,
                    state TEXT NOT NULL,
                    consecutive INTEGER NOT NULL,
                    since TEXT NOT NULL,
                    value REAL,
                    last_taken_at_seconds INTEGER NOT NULL,
                    PRIMARY KEY (profile, card)
                );
                CREATE TABLE alert_transition (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    evaluation_id INTEGER NOT NULL REFERENCES evaluation(id) ON DELETE CASCADE,
                    profile TEXT NOT NULL,
                    card TEXT NOT NULL,
                    title TEXT NOT NULL,
                    from_state TEXT NOT NULL,
                    to_state TEXT NOT NULL,
                    value REAL,
                    at TEXT NOT NULL,
                    roles TEXT NOT NULL,
                    reason TEXT NOT NULL,
                    delivered_at TEXT
                );
                CREATE INDEX alert_transition_by_profile ON alert_transition(profile, id);
                """)
        }
        // v2: a card with no data (a snapshot file it reads was missing) records the missing files;
        // a webhook run claims the transitions it delivers until a time (Unix seconds), so that
        // overlapping runs do not send one transition twice.
        migrator.registerMigration("v2") { db in
            try db.execute(sql: "ALTER TABLE card_value ADD COLUMN no_data TEXT")
            try db.execute(sql: "ALTER TABLE alert_transition ADD COLUMN claimed_until INTEGER")
        }
        // v3: severity levels. An alert state counts the critical level apart and keeps the state
        // it had before its latest snapshot (base_*), so that the snapshot can be judged again when
        // the config changes; transitions and values record their severity and the card's state.
        migrator.registerMigration("v3") { db in
            try db.execute(sql: """
                ALTER TABLE alert_state ADD COLUMN severity TEXT;
                ALTER TABLE alert_state ADD COLUMN critical_consecutive INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE alert_state ADD COLUMN base_state TEXT;
                ALTER TABLE alert_state ADD COLUMN base_severity TEXT;
                ALTER TABLE alert_state ADD COLUMN base_consecutive INTEGER;
                ALTER TABLE alert_state ADD COLUMN base_critical_consecutive INTEGER;
                ALTER TABLE alert_transition ADD COLUMN severity TEXT;
                ALTER TABLE card_value ADD COLUMN state TEXT;
                ALTER TABLE card_value ADD COLUMN severity TEXT;
                UPDATE alert_state SET critical_consecutive = consecutive, severity = CASE state WHEN 'firing' THEN 'critical' END;
                UPDATE alert_transition SET severity = 'critical' WHERE to_state IN ('firing', 'resolved');
                """)
        }
        // v4: notifications (alerting.md sections 4 and 5). Events hold what a message shows; the
        // outbox holds one row per (event, channel), queued in the transaction that records the
        // evaluation; channels remember when they were first seen (a channel added later gets no
        // older event) and their retry state; channel_card remembers which firing a channel was
        // told of (so that its resolve is sent even when silenced since, and reminders are due);
        // silences and acknowledgements are shared by every pulse that uses the store.
        migrator.registerMigration("v4") { db in
            try db.execute(sql: """
                CREATE TABLE notification_event (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    profile TEXT NOT NULL,
                    store TEXT,
                    evaluation_id INTEGER REFERENCES evaluation(id) ON DELETE SET NULL,
                    transition_id INTEGER,
                    kind TEXT NOT NULL,
                    card TEXT,
                    title TEXT NOT NULL,
                    value REAL,
                    value_text TEXT NOT NULL,
                    trigger TEXT,
                    state TEXT NOT NULL,
                    severity TEXT,
                    previous TEXT NOT NULL,
                    reason TEXT NOT NULL,
                    columns TEXT NOT NULL,
                    rows TEXT NOT NULL,
                    row_count INTEGER NOT NULL,
                    roles TEXT NOT NULL,
                    at TEXT NOT NULL,
                    created_at INTEGER NOT NULL
                );
                CREATE INDEX notification_event_by_card ON notification_event(profile, card, id);
                CREATE TABLE notification_channel (
                    profile TEXT NOT NULL,
                    name TEXT NOT NULL,
                    type TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    next_attempt_at INTEGER NOT NULL DEFAULT 0,
                    last_error TEXT,
                    last_sent_at INTEGER,
                    claimed_until INTEGER NOT NULL DEFAULT 0,
                    PRIMARY KEY (profile, name)
                );
                CREATE TABLE outbox (
                    event_id INTEGER NOT NULL REFERENCES notification_event(id) ON DELETE CASCADE,
                    profile TEXT NOT NULL,
                    channel TEXT NOT NULL,
                    status TEXT NOT NULL DEFAULT 'pending',
                    not_before INTEGER NOT NULL DEFAULT 0,
                    note TEXT,
                    sent_at INTEGER,
                    PRIMARY KEY (profile, channel, event_id)
                );
                CREATE INDEX outbox_pending ON outbox(profile, channel, status, event_id);
                CREATE TABLE channel_card (
                    profile TEXT NOT NULL,
                    channel TEXT NOT NULL,
                    card TEXT NOT NULL,
                    open INTEGER NOT NULL,
                    last_sent_at INTEGER NOT NULL,
                    PRIMARY KEY (profile, channel, card)
                );
                CREATE TABLE silence (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    profile TEXT NOT NULL,
                    cards TEXT NOT NULL,
                    severity TEXT,
                    starts_at INTEGER NOT NULL,
                    ends_at INTEGER NOT NULL,
                    reason TEXT NOT NULL,
                    created_by TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    expired_at INTEGER,
                    followed_up INTEGER NOT NULL DEFAULT 0
                );
                CREATE INDEX silence_by_profile ON silence(profile, ends_at);
                CREATE TABLE acknowledgement (
                    profile TEXT NOT NULL,
                    card TEXT NOT NULL,
                    by TEXT NOT NULL,
                    note TEXT,
                    at INTEGER NOT NULL,
                    PRIMARY KEY (profile, card)
                );
                """)
        }
        return migrator
    }

    /// The schema versions applied, oldest first.
    public func appliedMigrations() throws(HistoryError) -> [String] {
        do { return try pool.read { try HistoryStore.migrator.appliedIdentifiers($0) }.sorted() } catch {
            throw HistoryError(HistoryStore.explain(error))
        }
    }
}
