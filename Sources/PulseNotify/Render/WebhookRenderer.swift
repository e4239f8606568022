import Foundation
import PulseConfig
import PulseDiagnostics
import PulseHistory

/// The generic webhook body: the whole message as one JSON object.
public enum WebhookRenderer {
    /// `{"profile", "store", "at", "events": [{"event", "card", "title", "value", "value_text",
    /// "severity", "state", "previous", "reason", "trigger", "rows": [{column: cell}], "row_count",
    /// "link"}]}` — one body for the whole message. `store`, `card`, `severity` (`warn` |
    /// `critical`), `trigger` and `link` are `null` when absent; `value` is a JSON number (whole
    /// numbers without a fraction; `null` when there is none, NaN or infinite); `rows` are the
    /// first `message.rows` worklist rows, `row_count` how many the worklist has in all.
    public static func render(_ message: NotificationMessage) -> String {
        let events = message.events.map { event in
            let shown = RenderText.shownRows(event, message)
            return JSONBuild.object([
                ("event", JSONText.quote(event.kind)),
                ("card", JSONBuild.string(event.card)),
                ("title", JSONText.quote(event.title)),
                ("value", RenderText.number(event.value)),
                ("value_text", JSONText.quote(event.valueText)),
                ("severity", JSONBuild.string(event.severity?.rawValue)),
                ("state", JSONText.quote(event.state)),
                ("previous", JSONText.quote(event.previous)),
                ("reason", JSONText.quote(event.reason)),
                ("trigger", JSONBuild.string(event.trigger)),
                ("rows", RenderText.rowObjects(event.columns, shown.rows)),
                ("row_count", String(max(event.rowCount, event.rows.count))),
                ("link", JSONBuild.string(message.link(for: event))),
            ])
        }
        return JSONBuild.object([
            ("profile", JSONText.quote(message.profile)),
            ("store", JSONBuild.string(message.store)),
            ("at", JSONText.quote(message.at)),
            ("events", JSONBuild.array(events)),
        ])
    }
}
