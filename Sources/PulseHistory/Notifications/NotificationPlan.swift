import PulseConfig
import PulseEngine

/// What a card's event shows besides its state: filled in by the caller, which knows how
/// values and worklist cells read (PulseReport), so that a message says what the table says.
public struct EventDetail: Sendable {
    /// The value as people read it (`1,204`, `87.5%`).
    public var valueText: String
    /// The worklist's columns.
    public var columns: [String]
    /// The first worklist rows, cells as people read them.
    public var rows: [[String]]

    public init(valueText: String, columns: [String] = [], rows: [[String]] = []) {
        self.valueText = valueText
        self.columns = columns
        self.rows = rows
    }
}

/// How recording an evaluation queues its notifications: the routes that decide which channel
/// gets which event, the evaluation clock that dates them, and how an event shows a card.
/// Every (event, channel) is queued in the outbox in the transaction that records the
/// evaluation, so a crash between recording and delivering loses nothing.
public struct NotificationPlan: Sendable {
    /// The profile's channels and routes.
    public var notifications: ResolvedNotifications
    /// The v1 `--notify-webhook`: a channel of its own that takes every alert transition as
    /// the v1 JSON, one POST each.
    public var legacyWebhook: Bool
    /// The evaluation clock (Unix seconds): when the events happened for delivery's purposes.
    public var clock: Int64
    /// A card's value and rows as a message shows them.
    public var detail: @Sendable (CardResult) -> EventDetail

    public init(notifications: ResolvedNotifications, legacyWebhook: Bool = false, clock: Int64,
                detail: @escaping @Sendable (CardResult) -> EventDetail) {
        self.notifications = notifications
        self.legacyWebhook = legacyWebhook
        self.clock = clock
        self.detail = detail
    }

    /// The name the v1 webhook's channel has in the store.
    public static let legacyChannel = "notify-webhook"
    /// The type it is stored with.
    public static let legacyType = "webhook_v1"

    /// Every channel of the plan, name and type, the legacy one included.
    public var channels: [(name: String, type: String)] {
        notifications.channels.map { ($0.name.value, $0.type.rawValue) } + (legacyWebhook ? [(Self.legacyChannel, Self.legacyType)] : [])
    }

    /// Whether there is anywhere to queue events.
    public var isEmpty: Bool { notifications.isEmpty && !legacyWebhook }
}
