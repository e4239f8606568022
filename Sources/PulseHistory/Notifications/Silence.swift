import PulseConfig

/// "We know; stop telling us until then": notifications of matching cards are suppressed from
/// `startsAt` until `endsAt` (or until expired by hand). Evaluation, history and the dashboard go on.
public struct Silence: Sendable, Equatable {
    /// The silence's number in the store.
    public var id: Int64
    /// The profile.
    public var profile: String
    /// The cards it covers (empty: every card).
    public var cards: [String]
    /// The severity it covers (nil: every severity); an event without a severity (no data,
    /// stale) is covered only by a silence of every severity.
    public var severity: AlertSeverity?
    /// Unix seconds it starts.
    public var startsAt: Int64
    /// Unix seconds it ends.
    public var endsAt: Int64
    /// Why, in the words of whoever made it.
    public var reason: String
    /// Who made it.
    public var createdBy: String
    /// Unix seconds it was made.
    public var createdAt: Int64
    /// Unix seconds it was ended by hand, if it was.
    public var expiredAt: Int64?

    /// When it stops: its end, or when it was expired by hand.
    public var effectiveEnd: Int64 { expiredAt.map { Swift.min($0, endsAt) } ?? endsAt }

    /// Whether it holds at `time` (Unix seconds).
    public func isActive(at time: Int64) -> Bool { startsAt <= time && time < effectiveEnd }

    /// Whether it covers `card` at `severity`.
    public func covers(card: String?, severity: AlertSeverity?) -> Bool {
        if !cards.isEmpty {
            guard let card, cards.contains(card) else { return false }
        }
        if let wanted = self.severity { return severity == wanted }
        return true
    }
}

/// "We know; stop reminding us": stops reminders for a card's current firing episode; it clears
/// itself when the alert resolves or escalates.
public struct Acknowledgement: Sendable, Equatable {
    /// The profile.
    public var profile: String
    /// The card.
    public var card: String
    /// Who acknowledged it.
    public var by: String
    /// What they said, if anything.
    public var note: String?
    /// Unix seconds it was acknowledged.
    public var at: Int64
}

/// One channel's delivery state, as `pulse notify status`, the API and metrics show it.
public struct ChannelStatus: Sendable, Equatable {
    /// The channel's name.
    public var name: String
    /// Its type (`slack`, …, `webhook_v1` for `--notify-webhook`).
    public var type: String
    /// Unix seconds it was first seen.
    public var createdAt: Int64
    /// Failed attempts since the last delivery.
    public var attempts: Int
    /// Unix seconds before which no retry is made.
    public var nextAttemptAt: Int64
    /// Why the last attempt failed, if it did.
    public var lastError: String?
    /// Unix seconds of the last delivery.
    public var lastSentAt: Int64?
    /// Events waiting (held by quiet hours or a failure included).
    public var pending: Int
}
