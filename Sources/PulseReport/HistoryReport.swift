import PulseConfig
import PulseDiagnostics
import PulseExpressions
import PulseHistory

/// What the history store remembers, as the documented JSON of `pulse history` and `pulse alerts`
/// (and the API's history and alerts), and the `--since` / `?since=` rule both read.
package enum HistoryReport {
    /// Where a history read starts: `text` is an RFC 3339 time, or a duration (7d, 24h) counted back
    /// from `latest`, the profile's latest recorded snapshot. nil (everything) without `text`, or
    /// when nothing is recorded; a duration further back than timestamps reach means everything.
    /// The error is the message for people.
    package static func since(_ text: String?, latest: CELTimestamp?) -> Result<CELTimestamp?, SinceError> {
        guard let text else { return .success(nil) }
        if let t = CELTimestamp(parsing: text) { return .success(t) }
        if let d = ConfigDuration(parsing: text) {
            guard let latest else { return .success(nil) }
            let (back, overflow) = latest.seconds.subtractingReportingOverflow(Int64(d.seconds))
            return .success((overflow ? nil : CELTimestamp(seconds: back)) ?? CELTimestamp.minimum)
        }
        return .failure(SinceError(message: "since \(text) is neither a duration (7d, 24h; at most \(ConfigDuration.maxDescription)) nor an RFC 3339 time"))
    }

    /// A `since` that reads as neither a duration nor a time.
    package struct SinceError: Error, Sendable {
        package let message: String
    }

    /// `{"profile", "card", "series": [{taken_at, value, firing, state, severity, row_count, no_data}]}` (`state` and
    /// `severity` null in evaluations recorded before states were stored).
    package static func seriesJSON(profile: String, card: String, points: [SeriesPoint]) -> String {
        let items = points.map { p in
            "{\"taken_at\": \"\(p.takenAt)\", \"value\": \(EvalReport.number(p.value)), \"firing\": \(p.firing), "
                + "\"state\": \(p.state.map { "\"\($0.rawValue)\"" } ?? "null"), \"severity\": \(p.severity.map { "\"\($0.rawValue)\"" } ?? "null"), \"row_count\": \(p.rowCount), "
                + "\"no_data\": \(p.missing.map { "{\"missing\": [" + $0.split(separator: ",").map { JSONText.quote(String($0)) }.joined(separator: ", ") + "]}" } ?? "null")}"
        }
        return "{\"profile\": \(JSONText.quote(profile)), \"card\": \(JSONText.quote(card)), \"series\": [\n  " + items.joined(separator: ",\n  ") + "\n]}\n"
    }

    /// One recorded value as `pulse history`'s table shows it: `  2026-03-17T08:00:00Z  28          ▲ condition held`;
    /// the value padded to a column of 10, never cut (`no data (stock.jsonl missing)` whole).
    package static func seriesLine(_ p: SeriesPoint) -> String {
        let value = p.missing.map { "no data (\($0.split(separator: ",").joined(separator: ", ")) missing)" } ?? EvalReport.display(p.value)
        let padded = value.count >= 10 ? value : value.padding(toLength: 10, withPad: " ", startingAt: 0)
        return "  \(p.takenAt)  \(padded)\(p.firing ? "  ▲ condition held" : "")"
    }

    /// `{"profile", "active": [{card, title, state, severity, since, value, consecutive}], "transitions": [...]}`.
    package static func alertsJSON(profile: String, active: [AlertState], transitions: [AlertTransition]) -> String {
        let a = active.map {
            "{\"card\": \(JSONText.quote($0.card)), \"title\": \(JSONText.quote($0.title)), \"state\": \"\($0.state.rawValue)\", "
                + "\"severity\": \($0.severity.map { "\"\($0.rawValue)\"" } ?? "null"), \"since\": \"\($0.since)\", "
                + "\"value\": \(EvalReport.number($0.value)), \"consecutive\": \($0.consecutive)}"
        }
        return "{\"profile\": \(JSONText.quote(profile)), \"active\": [\(a.joined(separator: ", "))],\n \"transitions\": [\n  "
            + transitions.map(EvalReport.transitionJSON).joined(separator: ",\n  ") + "\n]}\n"
    }
}
