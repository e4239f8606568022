import Foundation
import PulseConfig
import PulseDiagnostics
import PulseHistory

/// The words, numbers and JSON pieces every channel renderer shares, so that a card reads the
/// same in Slack, Teams, PagerDuty, email and a webhook.
enum RenderText {
    /// The event's kind in words: `Firing`, `Escalated to critical`, `Resolved`, ….
    static func kind(_ kind: String) -> String {
        switch kind {
        case "firing": "Firing"
        case "escalated": "Escalated to critical"
        case "deescalated": "De-escalated to warn"
        case "resolved": "Resolved"
        case "no_data": "No data"
        case "stale": "Stale data"
        case "pull_failed": "Pull failed"
        case "reminder": "Still firing (reminder)"
        case "pending": "Pending"
        case "inactive": "Inactive"
        default: oneLine(kind).isEmpty ? "Event" : clip(oneLine(kind), 40)
        }
    }

    /// The level as people read it: `CRITICAL` (loud) or `warn`; nil when the event has none.
    static func severity(_ severity: AlertSeverity?) -> String? {
        switch severity {
        case .critical: "CRITICAL"
        case .warn: "warn"
        case nil: nil
        }
    }

    /// The state, with the one before when it says something: `firing (was pending)`.
    static func state(_ event: NotificationEvent) -> String {
        let state = clip(oneLine(event.state), 40)
        let previous = clip(oneLine(event.previous), 40)
        if previous.isEmpty || previous == state { return state }
        return "\(state) (was \(previous))"
    }

    /// `value` as a JSON number: whole numbers without a fraction, NaN and infinities as `null`.
    static func number(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "null" }
        if value.rounded() == value, abs(value) < 9_007_199_254_740_992 { return String(Int64(value)) }
        return "\(value)"
    }

    /// `s` on one line: line breaks, tabs and other control characters become spaces.
    static func oneLine(_ s: String) -> String {
        guard s.unicodeScalars.contains(where: isBreaking) else { return s }
        var out = String.UnicodeScalarView()
        for scalar in s.unicodeScalars { out.append(isBreaking(scalar) ? " " : scalar) }
        return String(out)
    }

    private static func isBreaking(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || scalar.value == 0x7F || scalar.value == 0x85 || scalar.value == 0x2028 || scalar.value == 0x2029
    }

    /// `s` cut to at most `max` characters (an ellipsis in the last place when cut).
    static func clip(_ s: String, _ max: Int) -> String {
        guard max > 0 else { return "" }
        guard s.count > max else { return s }
        return String(s.prefix(max - 1)) + "…"
    }

    /// The worklist rows a message shows of `event` (the first `message.rows`), and how many
    /// more the worklist has.
    static func shownRows(_ event: NotificationEvent, _ message: NotificationMessage) -> (rows: ArraySlice<[String]>, more: Int) {
        let rows = event.rows.prefix(max(0, message.rows))
        let total = max(event.rowCount, event.rows.count)
        return (rows, max(0, total - rows.count))
    }

    /// "… 3 more rows" (nil when none).
    static func moreRows(_ more: Int) -> String? {
        more <= 0 ? nil : "… \(more) more \(more == 1 ? "row" : "rows")"
    }

    /// The column name of each cell of a row: the worklist's column, made unique (`sku`,
    /// `sku_2`), or `column_N` for a cell past the last column.
    static func keys(_ columns: [String], cells: Int) -> [String] {
        var seen: Set<String> = []
        var keys: [String] = []
        keys.reserveCapacity(cells)
        for i in 0..<max(0, cells) {
            let base = i < columns.count && !columns[i].isEmpty ? columns[i] : "column_\(i + 1)"
            var key = base
            var n = 2
            while seen.contains(key), n <= cells + 2 {
                key = "\(base)_\(n)"
                n += 1
            }
            seen.insert(key)
            keys.append(key)
        }
        return keys
    }

    /// A row as one line: `col: cell · col: cell` (cells without a column name as they are).
    static func rowLine(_ columns: [String], _ row: [String]) -> String {
        row.enumerated().map { i, cell in
            let cell = oneLine(cell)
            return i < columns.count && !columns[i].isEmpty ? "\(oneLine(columns[i])): \(cell)" : cell
        }.joined(separator: " · ")
    }

    /// The rows as JSON objects (column -> cell), as PagerDuty and the webhook send them.
    static func rowObjects(_ columns: [String], _ rows: ArraySlice<[String]>) -> String {
        JSONBuild.array(rows.map { row in
            let keys = keys(columns, cells: row.count)
            return JSONBuild.object(zip(keys, row).map { ($0, JSONText.quote($1)) })
        })
    }
}

/// JSON written by hand, in a fixed key order.
enum JSONBuild {
    /// An object of `members`, each value JSON text already; members whose value is nil are left out.
    static func object(_ members: [(String, String?)]) -> String {
        "{" + members.compactMap { key, value in value.map { JSONText.quote(key) + ":" + $0 } }.joined(separator: ",") + "}"
    }

    /// An array of `items`, each JSON text already.
    static func array(_ items: [String]) -> String { "[" + items.joined(separator: ",") + "]" }

    /// A JSON string, or `null`.
    static func string(_ s: String?) -> String { s.map(JSONText.quote) ?? "null" }
}
