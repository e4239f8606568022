import Foundation
import PulseConfig
import PulseHistory

/// One message to one channel: the events of one evaluation routed to it (firing first), in a
/// form every channel renders from (Slack, Teams, PagerDuty, email, webhook).
public struct NotificationMessage: Sendable {
    /// The profile.
    public var profile: String
    /// The store, if known.
    public var store: String?
    /// When (RFC 3339): the snapshot time of the events.
    public var at: String
    /// The events, in the order they are shown.
    public var events: [NotificationEvent]
    /// The dashboard's public address (no trailing slash), for links to card pages.
    public var publicURL: String?
    /// Worklist rows shown per card.
    public var rows: Int

    /// A message of `events`, ordered for reading: firing and escalated first, then the rest in
    /// the order they happened.
    public init(profile: String, store: String?, at: String, events: [NotificationEvent], publicURL: String? = nil,
                rows: Int = ResolvedNotifications.defaultRows) {
        self.profile = profile
        self.store = store
        self.at = at
        self.publicURL = publicURL
        self.rows = rows
        let rank: (NotificationEvent) -> Int = { e in
            switch e.kind {
            case "firing", "escalated": 0
            case "reminder": 1
            case "deescalated": 2
            case "no_data", "stale", "pull_failed": 3
            default: 4
            }
        }
        self.events = events.enumerated().sorted { (rank($0.element), $0.offset) < (rank($1.element), $1.offset) }.map(\.element)
    }

    /// The link to the card's page on the dashboard (`/cards/{key}`), when `publicURL` is set.
    public func link(for event: NotificationEvent) -> String? {
        guard let publicURL, let card = event.card else { return nil }
        return "\(publicURL)/cards/\(Self.pathComponent(card))"
    }

    /// How many events fire (firing, escalated, reminder) and resolve.
    public var counts: (firing: Int, resolved: Int) {
        (events.filter { ["firing", "escalated", "reminder"].contains($0.kind) }.count, events.filter { $0.kind == "resolved" }.count)
    }

    /// One line a person reads first: `Pulse acme: 2 firing, 1 resolved`.
    public var headline: String {
        var parts: [String] = []
        let (firing, resolved) = counts
        if firing > 0 { parts.append("\(firing) firing") }
        if resolved > 0 { parts.append("\(resolved) resolved") }
        let other = events.count - firing - resolved
        if other > 0 { parts.append("\(other) other") }
        return "Pulse \(profile): " + (parts.isEmpty ? "no events" : parts.joined(separator: ", "))
    }

    private static func pathComponent(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(.init(charactersIn: "/?#"))) ?? s
    }
}
