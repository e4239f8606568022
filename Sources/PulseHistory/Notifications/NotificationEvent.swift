import PulseConfig

/// One thing that happened that a person may need to hear about: a card's alert fired,
/// escalated, de-escalated or resolved, a card became no data or stale, a pull failed, or a
/// reminder is due. Stored in the history store with everything a message shows, so that a
/// message sent later (after a retry, after quiet hours) says what was true when it happened.
public struct NotificationEvent: Sendable, Equatable {
    /// The event's id in the store (increasing).
    public var id: Int64
    /// The profile.
    public var profile: String
    /// The store the snapshot is of, if known.
    public var store: String?
    /// The evaluation it came from (events of one evaluation are sent as one message per
    /// channel); nil for events made outside an evaluation (reminders, a failed pull).
    public var evaluationID: Int64?
    /// What happened; `pending` and `inactive` transitions are stored as events too (the v1
    /// webhook sends every transition) but match no route.
    public var kind: String
    /// The card key (nil for `pull_failed`).
    public var card: String?
    /// The card's title (for `pull_failed`: what failed).
    public var title: String
    /// The value, as a number.
    public var value: Double?
    /// The value as people read it (`1,204`, `87.5%`).
    public var valueText: String
    /// The alert's trigger as written (`warn > 0, critical > 25 for 2`), if any.
    public var trigger: String?
    /// The card's state after the event: `ok`, `pending`, `firing`, `no_data`, `stale`, `none`.
    public var state: String
    /// The level: of the firing (firing, escalated, deescalated, reminder), of the firing that
    /// ended (resolved); nil otherwise.
    public var severity: AlertSeverity?
    /// The alert state before: `inactive`, `pending`, `firing` (or the card state for no_data and stale).
    public var previous: String
    /// Why, in words: the rule, the spike's baseline, the missing files, the pull's error.
    public var reason: String
    /// The worklist's column names.
    public var columns: [String]
    /// The first worklist rows, each cell as people read it (at most `ResolvedNotifications.maxRows`).
    public var rows: [[String]]
    /// How many rows the worklist has in all.
    public var rowCount: Int
    /// The roles that see the card.
    public var roles: [String]
    /// The snapshot time it happened at (RFC 3339).
    public var at: String
    /// The evaluation clock when it was recorded (Unix seconds): the age that drops it after 24 h.
    public var createdAt: Int64

    public init(id: Int64 = 0, profile: String, store: String? = nil, evaluationID: Int64? = nil, kind: String, card: String?, title: String,
                value: Double? = nil, valueText: String = "—", trigger: String? = nil, state: String, severity: AlertSeverity? = nil,
                previous: String, reason: String, columns: [String] = [], rows: [[String]] = [], rowCount: Int = 0, roles: [String] = [],
                at: String, createdAt: Int64) {
        self.id = id
        self.profile = profile
        self.store = store
        self.evaluationID = evaluationID
        self.kind = kind
        self.card = card
        self.title = title
        self.value = value
        self.valueText = valueText
        self.trigger = trigger
        self.state = state
        self.severity = severity
        self.previous = previous
        self.reason = reason
        self.columns = columns
        self.rows = rows
        self.rowCount = rowCount
        self.roles = roles
        self.at = at
        self.createdAt = createdAt
    }

    /// The reason without the trigger it starts with (a message shows the trigger on its own
    /// line): `spike: no baseline yet …`, `held 1 of 2 evaluations`; empty when it says no more.
    public var explanation: String {
        guard let trigger, !trigger.isEmpty else { return reason }
        let again = "re-evaluated with the current config: "
        var rest = Substring(reason)
        let prefix = rest.hasPrefix(again) ? again : ""
        rest = rest.dropFirst(prefix.count)
        if rest == trigger { return prefix.isEmpty ? "" : "re-evaluated with the current config" }
        if rest.hasPrefix(trigger + "; ") { rest = rest.dropFirst(trigger.count + 2) }
        return prefix + rest
    }

    /// The kind as a route reads it (nil for `pending` and `inactive`, which no route takes).
    public var routedKind: NotificationEventKind? { NotificationEventKind(rawValue: kind) }
}
