import Foundation
import PulseConfig
import PulseDiagnostics
import PulseHistory

/// PagerDuty Events API v2 bodies: one per card transition.
public enum PagerDutyRenderer {
    /// The most characters PagerDuty takes in `payload.summary`.
    public static let maxSummaryCharacters = 1024

    /// Events API v2 bodies, one per event, in the message's order: firing, escalated and
    /// deescalated -> `"event_action":"trigger"`; resolved -> `"resolve"`; other kinds (no_data,
    /// stale, reminder, pull_failed, pending, inactive) and events without a card -> no body.
    /// A trigger carries `routing_key`, `event_action`, `dedup_key` (``dedupKey(profile:card:)``),
    /// `payload` {`summary`: "<title>: <value>" (at most 1,024 characters), `source`: the store,
    /// else the profile, `severity` `warning`|`critical`, `timestamp`: the event's time,
    /// `component`: the card, `group`: the profile, `class`: the kind, `custom_details`:
    /// {`trigger`, `state`, `reason`, `rows` (the first `message.rows`, each an object column ->
    /// cell), `row_count`}}, `client` "Pulse", and `client_url` and `links`
    /// `[{"href": link, "text": "Open in Pulse"}]` when linked. A resolve carries only
    /// `routing_key`, `dedup_key` and `event_action`.
    public static func render(_ message: NotificationMessage, routingKey: String) -> [(card: String, body: String)] {
        message.events.compactMap { event in
            guard let card = event.card else { return nil }
            let dedup = dedupKey(profile: message.profile, card: card)
            switch event.kind {
            case "resolved":
                return (card, JSONBuild.object([
                    ("routing_key", JSONText.quote(routingKey)),
                    ("dedup_key", JSONText.quote(dedup)),
                    ("event_action", JSONText.quote("resolve")),
                ]))
            case "firing", "escalated", "deescalated":
                return (card, trigger(event, card: card, dedup: dedup, message, routingKey: routingKey))
            default:
                return nil
            }
        }
    }

    /// The key that ties a card's trigger to its resolve: `pulse/<profile>/<card>`.
    public static func dedupKey(profile: String, card: String) -> String { "pulse/\(profile)/\(card)" }

    private static func trigger(_ event: NotificationEvent, card: String, dedup: String, _ message: NotificationMessage, routingKey: String) -> String {
        let summary = RenderText.clip(RenderText.oneLine("\(event.title): \(event.valueText)"), maxSummaryCharacters)
        let store = message.store ?? event.store
        let source = store.flatMap { $0.isEmpty ? nil : $0 } ?? message.profile
        let shown = RenderText.shownRows(event, message)
        let details = JSONBuild.object([
            ("trigger", JSONBuild.string(event.trigger)),
            ("state", JSONText.quote(event.state)),
            ("previous", JSONText.quote(event.previous)),
            ("reason", JSONText.quote(event.reason)),
            ("value", RenderText.number(event.value)),
            ("rows", RenderText.rowObjects(event.columns, shown.rows)),
            ("row_count", String(max(event.rowCount, event.rows.count))),
        ])
        let payload = JSONBuild.object([
            ("summary", JSONText.quote(summary)),
            ("source", JSONText.quote(source)),
            ("severity", JSONText.quote(event.severity == .critical ? "critical" : "warning")),
            ("timestamp", JSONText.quote(event.at)),
            ("component", JSONText.quote(card)),
            ("group", JSONText.quote(message.profile)),
            ("class", JSONText.quote(event.kind)),
            ("custom_details", details),
        ])
        let link = message.link(for: event)
        return JSONBuild.object([
            ("routing_key", JSONText.quote(routingKey)),
            ("event_action", JSONText.quote("trigger")),
            ("dedup_key", JSONText.quote(dedup)),
            ("payload", payload),
            ("client", JSONText.quote("Pulse")),
            ("client_url", message.publicURL.map(JSONText.quote)),
            ("links", link.map { JSONBuild.array([JSONBuild.object([("href", JSONText.quote($0)), ("text", JSONText.quote("Open in Pulse"))])]) }),
        ])
    }
}
