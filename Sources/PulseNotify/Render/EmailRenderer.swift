import Foundation
import PulseConfig
import PulseDiagnostics
import PulseExpressions
import PulseHistory

/// An email of a message: a complete RFC 5322 message, multipart text and HTML, 7-bit clean.
public enum EmailRenderer {
    /// A full RFC 5322 message (CRLF line ends): From, To, Subject
    /// `[Pulse] <profile>: N firing, M resolved` (other counts appended only when nonzero:
    /// `, 1 de-escalated`, `, 1 no data`, `, 1 stale`, `, 1 pull failed`, `, 1 other`), Date
    /// (RFC 5322 form, in UTC, from `date`), Message-ID `<id@pulse>` (the id's letters, digits,
    /// `-`, `_` and `+`), MIME-Version, Auto-Submitted, Content-Type multipart/alternative with a
    /// boundary derived from `messageID` (it begins `=_`, which quoted-printable text cannot
    /// hold); a text/plain part and a text/html part (HTML-escaped content, a table of rows per
    /// card, links), both UTF-8 and `Content-Transfer-Encoding: quoted-printable`. Header values
    /// with non-ASCII text are RFC 2047 encoded (`=?UTF-8?B?...?=`, display names only in
    /// addresses); CR, LF and other control characters in any header value become spaces, so no
    /// value can start a header. Returns the subject as people read it (unencoded) and the message.
    public static func render(_ message: NotificationMessage, from: String, to: [String], date: Date, messageID: String) -> (subject: String, data: String) {
        let subject = subject(message)
        let id = messageIDPart(messageID)
        let boundary = "=_pulse_" + id
        var lines: [String] = []
        lines.append(contentsOf: header("From", address(from), encode: false))
        lines.append(contentsOf: header("To", to.map(address).filter { !$0.isEmpty }.joined(separator: ", "), encode: false))
        lines.append(contentsOf: header("Subject", subject))
        lines.append("Date: " + rfc5322Date(date))
        lines.append("Message-ID: <\(id)@pulse>")
        lines.append("MIME-Version: 1.0")
        lines.append("Auto-Submitted: auto-generated")
        lines.append("Content-Type: multipart/alternative; boundary=\"\(boundary)\"")
        lines.append("")
        lines.append("This is a multi-part message in MIME format.")
        for (type, content) in [("text/plain", plainText(message)), ("text/html", html(message, subject: subject))] {
            lines.append("--" + boundary)
            lines.append("Content-Type: \(type); charset=UTF-8")
            lines.append("Content-Transfer-Encoding: quoted-printable")
            lines.append("")
            lines.append(quotedPrintable(content))
        }
        lines.append("--" + boundary + "--")
        lines.append("")
        return (subject, lines.joined(separator: "\r\n"))
    }

    // MARK: - Subject and words

    /// `[Pulse] <profile>: N firing, M resolved`, other counts after them when nonzero.
    static func subject(_ message: NotificationMessage) -> String {
        let (firing, resolved) = message.counts
        var parts = ["\(firing) firing", "\(resolved) resolved"]
        let kinds = message.events.map(\.kind)
        let counted = ["firing", "escalated", "reminder", "resolved"]
        let others: [(String, String)] = [("deescalated", "de-escalated"), ("no_data", "no data"), ("stale", "stale"), ("pull_failed", "pull failed")]
        for (kind, words) in others {
            let n = kinds.filter { $0 == kind }.count
            if n > 0 { parts.append("\(n) \(words)") }
        }
        let rest = kinds.filter { !counted.contains($0) && !others.map(\.0).contains($0) }.count
        if rest > 0 { parts.append("\(rest) other") }
        return clean("[Pulse] \(RenderText.clip(message.profile, 200)): " + parts.joined(separator: ", "))
    }

    /// A header value on one line: control characters (CR and LF first) become spaces, runs of
    /// spaces one, and the ends are trimmed.
    static func clean(_ s: String) -> String {
        RenderText.oneLine(s).split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }

    /// `Name: value` as header lines: ASCII folded at spaces before 78 characters, non-ASCII as
    /// RFC 2047 encoded words (of at most 45 bytes of UTF-8 each, whole scalars), one per line;
    /// with `encode` false (addresses, whose display names ``address(_:)`` encodes) only folded.
    static func header(_ name: String, _ value: String, encode: Bool = true) -> [String] {
        let value = clean(value)
        let ascii = value.unicodeScalars.allSatisfy(\.isASCII)
        let words = ascii || !encode ? value.split(separator: " ").map(String.init) : encodedWords(value)
        return fold(name + ":", words)
    }

    /// An address (`a@b` or `Name <a@b>`), cleaned, its display name encoded when not ASCII.
    static func address(_ s: String) -> String {
        let s = clean(s)
        guard !s.unicodeScalars.allSatisfy(\.isASCII) else { return s }
        if s.hasSuffix(">"), let open = s.lastIndex(of: "<") {
            let name = s[..<open].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            let spec = String(s[open...])
            if name.isEmpty { return spec }
            return encodedWords(name).joined(separator: " ") + " " + spec
        }
        return s
    }

    /// `s` as RFC 2047 encoded words.
    static func encodedWords(_ s: String) -> [String] {
        var words: [String] = []
        var chunk: [UInt8] = []
        for scalar in s.unicodeScalars {
            let bytes = Array(String(scalar).utf8)
            if chunk.count + bytes.count > 45, !chunk.isEmpty {
                words.append("=?UTF-8?B?" + Data(chunk).base64EncodedString() + "?=")
                chunk = []
            }
            chunk.append(contentsOf: bytes)
        }
        if !chunk.isEmpty { words.append("=?UTF-8?B?" + Data(chunk).base64EncodedString() + "?=") }
        return words
    }

    private static func fold(_ start: String, _ words: [String]) -> [String] {
        var lines: [String] = []
        var line = start
        var wordsOnLine = 0
        for word in words {
            if wordsOnLine > 0, line.utf8.count + 1 + word.utf8.count > 78 {
                lines.append(line)
                line = " " + word
            } else {
                line += " " + word
            }
            wordsOnLine += 1
        }
        lines.append(line)
        return lines
    }

    private static func messageIDPart(_ id: String) -> String {
        let kept = String(String.UnicodeScalarView(id.unicodeScalars.filter { s in
            s.isASCII && (CharacterSet.alphanumerics.contains(s) || s == "-" || s == "_" || s == "+")
        }).prefix(60))
        return kept.isEmpty ? "pulse" : kept
    }

    /// `date` as RFC 5322 writes it, in UTC: `Tue, 03 Mar 2026 10:00:00 +0000` (years 1 to 9999).
    static func rfc5322Date(_ date: Date) -> String {
        let t = date.timeIntervalSince1970
        let clamped = t.isFinite ? min(max(t, -62_135_596_800), 253_402_300_799) : 0
        let seconds = Int64(clamped.rounded(.down))
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = CELTimestamp.civil(fromDays: days)
        let weekday = Int(((days % 7) + 11) % 7) // 1970-01-01 was a Thursday
        let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let yearText = String(year)
        return "\(weekdays[weekday]), \(two(day)) \(months[Int(month - 1)]) \(String(repeating: "0", count: max(0, 4 - yearText.count)) + yearText) "
            + "\(two(secondOfDay / 3600)):\(two(secondOfDay % 3600 / 60)):\(two(secondOfDay % 60)) +0000"
    }

    // MARK: - Bodies

    /// The text/plain part.
    static func plainText(_ message: NotificationMessage) -> String {
        var out = [RenderText.oneLine(message.headline), context(message), ""]
        for event in message.events {
            let severity = RenderText.severity(event.severity)
            out.append((severity.map { "[\($0)] " } ?? "") + "\(RenderText.kind(event.kind)): \(RenderText.oneLine(event.title))")
            for (label, value) in facts(event, message) { out.append("  \(label): \(value)") }
            let shown = RenderText.shownRows(event, message)
            if !shown.rows.isEmpty {
                out.append("  Rows (\(shown.rows.count) of \(shown.rows.count + shown.more)):")
                for row in shown.rows { out.append("    " + RenderText.rowLine(event.columns, row)) }
            }
            if let more = RenderText.moreRows(shown.more) { out.append("    " + more) }
            if let link = message.link(for: event) { out.append("  Open in Pulse: " + link) }
            out.append("")
        }
        if message.events.isEmpty { out.append("No events.") }
        return out.joined(separator: "\n")
    }

    /// The text/html part.
    static func html(_ message: NotificationMessage, subject: String) -> String {
        var out = [
            "<!DOCTYPE html>",
            "<html><head><meta charset=\"utf-8\"><title>\(escape(subject))</title></head>",
            "<body style=\"font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;color:#222\">",
            "<h2 style=\"margin:0 0 4px\">\(escape(RenderText.oneLine(message.headline)))</h2>",
            "<p style=\"margin:0 0 16px;color:#666\">\(escape(context(message)))</p>",
        ]
        for event in message.events {
            let colour = event.kind == "resolved" ? "#2e7d32" : event.severity == .critical ? "#c62828" : event.severity == .warn ? "#ef6c00" : "#757575"
            out.append("<div style=\"border-left:4px solid \(colour);padding:4px 12px;margin:0 0 16px\">")
            let severity = RenderText.severity(event.severity).map { "<span style=\"color:\(colour)\">[\(escape($0))]</span> " } ?? ""
            out.append("<h3 style=\"margin:0 0 6px\">\(severity)\(escape(RenderText.kind(event.kind))): \(escape(RenderText.oneLine(event.title)))</h3>")
            out.append("<table style=\"border-collapse:collapse;margin:0 0 6px\">")
            for (label, value) in facts(event, message) {
                out.append("<tr><td style=\"padding:1px 12px 1px 0;color:#666\">\(escape(label))</td><td>\(escape(value))</td></tr>")
            }
            out.append("</table>")
            let shown = RenderText.shownRows(event, message)
            let width = max(event.columns.count, shown.rows.map(\.count).max() ?? 0)
            if !shown.rows.isEmpty, width > 0 {
                out.append("<table style=\"border-collapse:collapse;font-size:13px\">")
                let cell = "border:1px solid #ddd;padding:3px 6px;text-align:left"
                if !event.columns.isEmpty {
                    out.append("<tr>" + (0..<width).map { i in
                        "<th style=\"\(cell);background:#f5f5f5\">\(i < event.columns.count ? escape(RenderText.oneLine(event.columns[i])) : "")</th>"
                    }.joined() + "</tr>")
                }
                for row in shown.rows {
                    out.append("<tr>" + (0..<width).map { i in "<td style=\"\(cell)\">\(i < row.count ? escape(RenderText.oneLine(row[i])) : "")</td>" }.joined() + "</tr>")
                }
                out.append("</table>")
            }
            if let more = RenderText.moreRows(shown.more) { out.append("<p style=\"margin:4px 0;color:#666\">\(escape(more))</p>") }
            if let link = message.link(for: event) {
                out.append("<p style=\"margin:6px 0 0\"><a href=\"\(escape(RenderText.oneLine(link)))\">Open in Pulse</a></p>")
            }
            out.append("</div>")
        }
        if message.events.isEmpty { out.append("<p>No events.</p>") }
        out.append("</body></html>")
        return out.joined(separator: "\n")
    }

    private static func context(_ message: NotificationMessage) -> String {
        var parts: [String] = []
        if let store = message.store, !store.isEmpty { parts.append("Store " + RenderText.oneLine(store)) }
        parts.append("Profile " + RenderText.oneLine(message.profile))
        parts.append(RenderText.oneLine(message.at))
        return parts.joined(separator: " · ")
    }

    private static func facts(_ event: NotificationEvent, _ message: NotificationMessage) -> [(String, String)] {
        var facts: [(String, String)] = [("Value", RenderText.oneLine(event.valueText))]
        if let trigger = event.trigger, !trigger.isEmpty { facts.append(("Trigger", RenderText.oneLine(trigger))) }
        facts.append(("State", RenderText.state(event)))
        if let severity = RenderText.severity(event.severity) { facts.append(("Severity", severity)) }
        if !event.explanation.isEmpty { facts.append(("Reason", RenderText.oneLine(event.explanation))) }
        if let store = event.store, !store.isEmpty, store != message.store { facts.append(("Store", RenderText.oneLine(store))) }
        return facts
    }

    /// `s` for HTML text and attribute values: `&`, `<`, `>`, `"` and `'` as entities.
    static func escape(_ s: String) -> String { JSONText.markup(s, apostrophe: "&#39;") }

    // MARK: - Quoted-printable

    /// `text` quoted-printable encoded (RFC 2045): line breaks (LF, CR or CRLF) written as CRLF;
    /// bytes other than printable ASCII, and `=`, as `=XX`; a space or tab ending a line as
    /// `=20`/`=09`; soft line breaks (`=` CRLF) so that no line is longer than 76 characters.
    public static func quotedPrintable(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + text.utf8.count / 8)
        let lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }
        for (n, line) in lines.enumerated() {
            if n > 0 { out.append(contentsOf: [0x0D, 0x0A]) }
            let bytes = Array(line.utf8)
            var column = 0
            for (i, b) in bytes.enumerated() {
                let literal = (b == 0x20 || b == 0x09) ? i != bytes.count - 1 : (b >= 33 && b <= 126 && b != 0x3D)
                let width = literal ? 1 : 3
                if column + width > 75 {
                    out.append(contentsOf: [0x3D, 0x0D, 0x0A])
                    column = 0
                }
                if literal { out.append(b) } else { out.append(contentsOf: [0x3D, hex[Int(b >> 4)], hex[Int(b & 15)]]) }
                column += width
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
