import Foundation
import PulseConfig
import PulseDiagnostics
import PulseHistory

/// Microsoft Teams (Workflows webhook) bodies: an Adaptive Card per body.
public enum TeamsRenderer {
    /// The most bytes (UTF-8) one body may have; Teams refuses messages of more than about 28 KB.
    public static let maxBodyBytes = 25_000

    /// `{"type":"message","attachments":[{"contentType":"application/vnd.microsoft.card.adaptive","content":{"type":"AdaptiveCard","$schema":"http://adaptivecards.io/schemas/adaptive-card.json","version":"1.5","body":[...]}}]}`:
    /// a TextBlock header (and a subtle line with the store and time), per event a Container with
    /// a TextBlock title (colour `attention` for critical, `warning` for warn, `good` for
    /// resolved), a FactSet (Value, Trigger, State, Severity), the reason, the first
    /// `message.rows` worklist rows as a Table, "… N more rows", an `Action.OpenUrl` when linked.
    /// Split into several bodies (each with its own header "… (2/3)") so that none has more than
    /// ``maxBodyBytes`` bytes; a card too large for one body is split over several Containers
    /// between rows ("title (continued)"), and only a single row too large for a body has its
    /// cells shortened.
    public static func render(_ message: NotificationMessage) -> [String] {
        let headline = RenderText.clip(RenderText.oneLine(message.headline), 300)
        var subtitle = [String]()
        if let store = message.store, !store.isEmpty { subtitle.append("Store " + RenderText.clip(RenderText.oneLine(store), 200)) }
        subtitle.append("Profile " + RenderText.clip(RenderText.oneLine(message.profile), 200))
        subtitle.append(RenderText.clip(RenderText.oneLine(message.at), 100))
        let subtitleBlock = textBlock(subtitle.joined(separator: " · "), [("isSubtle", "true"), ("spacing", JSONText.quote("None"))])

        // What every body spends before its containers: the envelope, the header (with room for
        // a part number) and the subtitle.
        let fixed = envelope([header(headline + " (999/999)"), subtitleBlock]).utf8.count
        let room = maxBodyBytes - fixed - 1

        var bodies: [[String]] = []
        var current: [String] = []
        var size = 0
        for event in message.events {
            // Begin the card in the room left in this body when at least its head and a row fit
            // there; else in a new body.
            var parts = containers(event, message, firstRoom: room, room: room)
            if !current.isEmpty {
                let left = room - size - 1
                let tried = containers(event, message, firstRoom: left, room: room)
                if let first = tried.first, first.json.utf8.count <= left, first.rows > 0 || tried.count == 1 { parts = tried }
            }
            for part in parts {
                let count = part.json.utf8.count + 1
                if !current.isEmpty, size + count > room {
                    bodies.append(current)
                    current = []
                    size = 0
                }
                current.append(part.json)
                size += count
            }
        }
        if !current.isEmpty || bodies.isEmpty { bodies.append(current) }
        return bodies.enumerated().map { index, containers in
            let part = bodies.count > 1 ? " (\(index + 1)/\(bodies.count))" : ""
            return envelope([header(headline + part), subtitleBlock] + containers)
        }
    }

    // MARK: - One card

    /// The Containers of one event (each with how many rows it holds): the first at most
    /// `firstRoom` bytes (what is left in a body; unless even its head does not fit), the rest at
    /// most `room`: usually one; more when its rows do not fit.
    static func containers(_ event: NotificationEvent, _ message: NotificationMessage, firstRoom: Int, room: Int) -> [(json: String, rows: Int)] {
        let title = RenderText.clip(RenderText.oneLine(event.title), 300)
        let colour: String? = event.kind == "resolved" ? "good"
            : event.severity == .critical ? "attention" : event.severity == .warn ? "warning" : nil
        var titleExtras: [(String, String?)] = [("weight", JSONText.quote("Bolder")), ("size", JSONText.quote("Medium"))]
        titleExtras.append(("color", colour.map(JSONText.quote)))
        let titleBlock = textBlock("\(RenderText.kind(event.kind)): \(title)", titleExtras)

        var facts: [(String, String)] = [("Value", RenderText.clip(RenderText.oneLine(event.valueText), 200))]
        if let trigger = event.trigger, !trigger.isEmpty { facts.append(("Trigger", RenderText.clip(RenderText.oneLine(trigger), 300))) }
        facts.append(("State", RenderText.state(event)))
        if let severity = RenderText.severity(event.severity) { facts.append(("Severity", severity)) }
        if let store = event.store, !store.isEmpty, store != message.store { facts.append(("Store", RenderText.clip(RenderText.oneLine(store), 200))) }
        let factSet = JSONBuild.object([
            ("type", JSONText.quote("FactSet")),
            ("facts", JSONBuild.array(facts.map { JSONBuild.object([("title", JSONText.quote($0.0)), ("value", JSONText.quote($0.1))]) })),
        ])
        var head = [titleBlock, factSet]
        if !event.explanation.isEmpty {
            head.append(textBlock(RenderText.clip(RenderText.oneLine(event.explanation), 1000), [("isSubtle", "true")]))
        }

        var tail: [String] = []
        let shown = RenderText.shownRows(event, message)
        if let more = RenderText.moreRows(shown.more) { tail.append(textBlock(more, [("isSubtle", "true")])) }
        if let link = message.link(for: event) {
            tail.append(JSONBuild.object([
                ("type", JSONText.quote("ActionSet")),
                ("actions", JSONBuild.array([JSONBuild.object([
                    ("type", JSONText.quote("Action.OpenUrl")), ("title", JSONText.quote("Open in Pulse")), ("url", JSONText.quote(link)),
                ])])),
            ]))
        }

        // The table: as many columns as the widest row (or the column names).
        let width = max(event.columns.count, shown.rows.map(\.count).max() ?? 0)
        let continued = textBlock("\(title) (continued)", [("weight", JSONText.quote("Bolder"))])
        let headerRow = event.columns.isEmpty ? nil : tableRow(event.columns.map(RenderText.oneLine), width: width, bold: true)
        let tableOverhead = table([], header: headerRow, width: width).utf8.count
        let rowRoom = room - container([continued]).utf8.count - tableOverhead - 2
        let rows: [String] = width == 0 ? [] : shown.rows.map { row in
            let json = tableRow(row, width: width, bold: false)
            if json.utf8.count <= rowRoom { return json }
            // Too large on its own: cut every cell to its share (worst case six bytes a character).
            let share = max(1, (rowRoom - tableRow([], width: width, bold: false).utf8.count) / max(1, width) / 6)
            return tableRow(row.map { RenderText.clip(RenderText.oneLine($0), share) }, width: width, bold: false)
        }

        // Pack: head, then rows while they fit, then the tail; a new container when full.
        let containerOverhead = container([]).utf8.count
        var out: [(json: String, rows: Int)] = []
        var rowsIn = 0
        var limit: Int { out.isEmpty ? firstRoom : room }
        var items = head
        var itemBytes = head.reduce(0) { $0 + $1.utf8.count + 1 }
        var pending: [String] = []
        var pendingBytes = 0
        var length: Int { containerOverhead + itemBytes + (pending.isEmpty ? 0 : tableOverhead + pendingBytes + 1) }
        func closeTable() {
            guard !pending.isEmpty else { return }
            let table = table(pending, header: headerRow, width: width)
            items.append(table)
            itemBytes += table.utf8.count + 1
            pending = []
            pendingBytes = 0
        }
        func flush() {
            closeTable()
            out.append((container(items), rowsIn))
            rowsIn = 0
            items = [continued]
            itemBytes = continued.utf8.count + 1
        }
        for row in rows {
            let add = row.utf8.count + 1 + (pending.isEmpty ? tableOverhead + 1 : 0)
            if length + add > limit, !pending.isEmpty || items.count > 1 { flush() }
            pending.append(row)
            rowsIn += 1
            pendingBytes += row.utf8.count + 1
        }
        for item in tail {
            if length + item.utf8.count + 1 > limit { flush() }
            closeTable()
            items.append(item)
            itemBytes += item.utf8.count + 1
        }
        flush()
        return out
    }

    // MARK: - Pieces

    private static func envelope(_ body: [String]) -> String {
        let card = JSONBuild.object([
            ("type", JSONText.quote("AdaptiveCard")),
            ("$schema", JSONText.quote("http://adaptivecards.io/schemas/adaptive-card.json")),
            ("version", JSONText.quote("1.5")),
            ("msteams", JSONBuild.object([("width", JSONText.quote("Full"))])),
            ("body", JSONBuild.array(body)),
        ])
        return JSONBuild.object([
            ("type", JSONText.quote("message")),
            ("attachments", JSONBuild.array([JSONBuild.object([
                ("contentType", JSONText.quote("application/vnd.microsoft.card.adaptive")),
                ("content", card),
            ])])),
        ])
    }

    private static func header(_ text: String) -> String {
        textBlock(text, [("size", JSONText.quote("Large")), ("weight", JSONText.quote("Bolder"))])
    }

    private static func textBlock(_ text: String, _ extras: [(String, String?)] = []) -> String {
        JSONBuild.object([("type", JSONText.quote("TextBlock")), ("text", JSONText.quote(text)), ("wrap", "true")] + extras)
    }

    private static func container(_ items: [String]) -> String {
        JSONBuild.object([
            ("type", JSONText.quote("Container")), ("separator", "true"), ("spacing", JSONText.quote("Medium")),
            ("items", JSONBuild.array(items)),
        ])
    }

    private static func table(_ rows: [String], header: String?, width: Int) -> String {
        JSONBuild.object([
            ("type", JSONText.quote("Table")),
            ("firstRowAsHeader", header == nil ? "false" : "true"),
            ("gridStyle", JSONText.quote("accent")),
            ("columns", JSONBuild.array(Array(repeating: JSONBuild.object([("width", "1")]), count: max(1, width)))),
            ("rows", JSONBuild.array((header.map { [$0] } ?? []) + rows)),
        ])
    }

    private static func tableRow(_ cells: [String], width: Int, bold: Bool) -> String {
        let padded = (0..<max(1, width)).map { $0 < cells.count ? RenderText.oneLine(cells[$0]) : "" }
        return JSONBuild.object([
            ("type", JSONText.quote("TableRow")),
            ("cells", JSONBuild.array(padded.map { cell in
                JSONBuild.object([
                    ("type", JSONText.quote("TableCell")),
                    ("items", JSONBuild.array([textBlock(cell, bold ? [("weight", JSONText.quote("Bolder"))] : [])])),
                ])
            })),
        ])
    }
}
