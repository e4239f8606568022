import Foundation
import PulseConfig
import PulseDiagnostics
import PulseHistory

/// Slack incoming-webhook bodies (Block Kit) for a message.
public enum SlackRenderer {
    /// The most blocks Slack takes in one message.
    public static let maxBlocks = 50
    /// The most characters Slack takes in one section's text.
    public static let maxSectionCharacters = 3000

    /// The most characters a header block's plain text may have.
    static let maxHeaderCharacters = 150
    /// What a row cut to fit a section ends with.
    static let shortened = "… (shortened)"

    /// Block Kit bodies for an incoming webhook: `{"text": fallback, "blocks": [...]}`; a header
    /// block (and a context line with the store and time), then per event a section (title, value,
    /// trigger, state and severity, reason, the first `message.rows` worklist rows, a link when
    /// `publicURL` is set), dividers between cards. Split into several bodies (each with its own
    /// header "… (2/3)" and `text`) so that no body has more than ``maxBlocks`` blocks and no
    /// section text more than ``maxSectionCharacters`` characters (counted in UTF-16 code units,
    /// which is never fewer than characters); a single card whose rows do not fit in one section
    /// is split over several sections, never cut mid-row; a single row longer than fits is the
    /// only thing shortened, with an ellipsis and "(shortened)".
    public static func render(_ message: NotificationMessage) -> [String] {
        // Sections in order, each knowing its card (a divider goes before a card's first).
        var sections: [(text: String, event: Int, first: Bool)] = []
        for (i, event) in message.events.enumerated() {
            for (j, text) in cardSections(event, message).enumerated() { sections.append((text, i, j == 0)) }
        }
        // Header and context take two blocks of every body.
        let room = maxBlocks - 2
        var bodies: [(blocks: [String], events: [Int])] = []
        var blocks: [String] = []
        var events: [Int] = []
        for section in sections {
            let divider = section.first && !blocks.isEmpty
            if blocks.count + (divider ? 2 : 1) > room {
                bodies.append((blocks, events))
                blocks = []
                events = []
            }
            if section.first && !blocks.isEmpty { blocks.append(JSONBuild.object([("type", JSONText.quote("divider"))])) }
            blocks.append(sectionBlock(section.text))
            if events.last != section.event { events.append(section.event) }
        }
        if !blocks.isEmpty || bodies.isEmpty { bodies.append((blocks, events)) }

        let headline = RenderText.oneLine(message.headline)
        let context = contextLine(message)
        return bodies.enumerated().map { index, body in
            let part = bodies.count > 1 ? " (\(index + 1)/\(bodies.count))" : ""
            let header = RenderText.clip(headline, maxHeaderCharacters - part.count) + part
            let headerBlock = JSONBuild.object([
                ("type", JSONText.quote("header")),
                ("text", JSONBuild.object([("type", JSONText.quote("plain_text")), ("text", JSONText.quote(header)), ("emoji", "true")])),
            ])
            let contextBlock = JSONBuild.object([
                ("type", JSONText.quote("context")),
                ("elements", JSONBuild.array([JSONBuild.object([("type", JSONText.quote("mrkdwn")), ("text", JSONText.quote(context))])])),
            ])
            let titles = body.events.compactMap { message.events.indices.contains($0) ? message.events[$0] : nil }
                .map { "\(RenderText.severity($0.severity).map { "[\($0)] " } ?? "")\(RenderText.oneLine($0.title)): \(RenderText.oneLine($0.valueText))" }
            var fallback = escape(RenderText.clip(headline, 200) + part)
            if !titles.isEmpty { fallback += " — " + escape(RenderText.clip(titles.joined(separator: "; "), 500)) }
            return JSONBuild.object([
                ("text", JSONText.quote(fallback)),
                ("blocks", JSONBuild.array([headerBlock, contextBlock] + body.blocks)),
            ])
        }
    }

    // MARK: - One card

    /// The section texts of one event: the first with its title, value, trigger, state and
    /// reason; rows added while they fit; later sections begin with "*title* (continued)".
    static func cardSections(_ event: NotificationEvent, _ message: NotificationMessage) -> [String] {
        let limit = maxSectionCharacters
        let title = escaped(RenderText.oneLine(event.title), max: 300)
        var head = [marker(event) + "*" + title + "* — " + RenderText.kind(event.kind)]
        var facts = "*Value:* " + escaped(RenderText.oneLine(event.valueText), max: 200)
        if let trigger = event.trigger, !trigger.isEmpty {
            facts += "   *Trigger:* `" + escaped(RenderText.oneLine(trigger).replacingOccurrences(of: "`", with: "'"), max: 300) + "`"
        }
        head.append(facts)
        var state = "*State:* " + escaped(RenderText.state(event), max: 100)
        if let severity = RenderText.severity(event.severity) { state += " · *Severity:* " + severity }
        head.append(state)
        if !event.explanation.isEmpty { head.append(escaped(RenderText.oneLine(event.explanation), max: 1000)) }
        if let store = event.store, store != message.store, !store.isEmpty { head.append("Store: " + escaped(RenderText.oneLine(store), max: 100)) }

        let continued = "*" + title + "* (continued)"
        let rowRoom = limit - continued.utf16.count - 1
        let shown = RenderText.shownRows(event, message)
        var lines = shown.rows.map { row in
            fitted(atoms("• ") + atoms(of: RenderText.rowLine(event.columns, row)), max: rowRoom)
        }
        if let more = RenderText.moreRows(shown.more) { lines.append("_" + escape(more) + "_") }
        if let link = message.link(for: event) {
            let line = "<" + linkTarget(link) + "|Open in Pulse>"
            if line.utf16.count <= rowRoom { lines.append(line) }
        }

        var sections: [String] = []
        var current = head.joined(separator: "\n")
        var length = current.utf16.count
        for line in lines {
            let count = line.utf16.count
            if length + 1 + count > limit {
                sections.append(current)
                current = continued
                length = continued.utf16.count
            }
            current += "\n" + line
            length += 1 + count
        }
        sections.append(current)
        return sections
    }

    private static func marker(_ event: NotificationEvent) -> String {
        if event.kind == "resolved" { return ":white_check_mark: " }
        switch event.kind {
        case "firing", "escalated", "deescalated", "reminder":
            return event.severity == .critical ? ":red_circle: " : ":large_orange_circle: "
        case "pull_failed": return ":warning: "
        default: return ""
        }
    }

    private static func contextLine(_ message: NotificationMessage) -> String {
        var parts: [String] = []
        if let store = message.store, !store.isEmpty { parts.append("Store " + escaped(RenderText.oneLine(store), max: 200)) }
        parts.append("Profile " + escaped(RenderText.oneLine(message.profile), max: 200))
        parts.append(escaped(RenderText.oneLine(message.at), max: 100))
        return parts.joined(separator: " · ")
    }

    private static func sectionBlock(_ text: String) -> String {
        JSONBuild.object([
            ("type", JSONText.quote("section")),
            ("text", JSONBuild.object([("type", JSONText.quote("mrkdwn")), ("text", JSONText.quote(text))])),
        ])
    }

    // MARK: - Slack's escaping

    /// `s` with `&`, `<` and `>` written as Slack asks (`&amp;`, `&lt;`, `&gt;`).
    static func escape(_ s: String) -> String { atoms(of: s).joined() }

    /// `s` escaped, cut (whole characters and entities only) to at most `max` UTF-16 units.
    static func escaped(_ s: String, max: Int) -> String { fitted(atoms(of: s), max: max, suffix: "…") }

    /// Each character of `s` as Slack's escaping writes it (an entity stays whole).
    static func atoms(of s: String) -> [String] {
        s.map { c in
            switch c {
            case "&": "&amp;"
            case "<": "&lt;"
            case ">": "&gt;"
            default: String(c)
            }
        }
    }

    private static func atoms(_ literal: String) -> [String] { literal.map { String($0) } }

    /// `atoms` joined, or as many as fit in `max` UTF-16 units with `suffix` after them.
    static func fitted(_ atoms: [String], max: Int, suffix: String = shortened) -> String {
        let total = atoms.reduce(0) { $0 + $1.utf16.count }
        if total <= max { return atoms.joined() }
        let room = max - suffix.utf16.count
        guard room > 0 else { return String(suffix.prefix(Swift.max(0, max))) }
        var out = ""
        var length = 0
        for atom in atoms {
            let count = atom.utf16.count
            if length + count > room { break }
            out += atom
            length += count
        }
        return out + suffix
    }

    /// A URL as the target of `<url|text>`: the characters that would end it percent-encoded.
    private static func linkTarget(_ url: String) -> String {
        RenderText.oneLine(url).replacingOccurrences(of: "|", with: "%7C").replacingOccurrences(of: "<", with: "%3C")
            .replacingOccurrences(of: ">", with: "%3E").replacingOccurrences(of: " ", with: "%20")
    }
}
