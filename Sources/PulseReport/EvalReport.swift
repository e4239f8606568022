import Foundation
import PulseConfig
import PulseDiagnostics
import PulseEngine
import PulseExpressions
import PulseHistory
import PulseSnapshot

/// Renders evaluation results as the documented JSON or as a table for people.
package enum EvalReport {
    package struct Context {
        package let profile: String
        package let store: String?
        package let now: CELTimestamp
        package let role: String?
        /// The evaluation clock freshness was judged at.
        package let checkedAt: CELTimestamp

        package init(profile: String, store: String?, now: CELTimestamp, role: String?, checkedAt: CELTimestamp? = nil) {
            self.profile = profile
            self.store = store
            self.now = now
            self.role = role
            self.checkedAt = checkedAt ?? now
        }
    }

    /// What `--record` did, for the report.
    package struct Recording {
        package let db: String
        package let outcome: RecordOutcome

        package init(db: String, outcome: RecordOutcome) {
            self.db = db
            self.outcome = outcome
        }
    }

    package static func transitionLine(_ t: AlertTransition) -> String {
        let mark: String
        switch t.to {
        case "firing", "escalated": mark = t.severity == .warn ? "△" : "▲"
        case "deescalated": mark = "▽"
        case "resolved": mark = "✓"
        case "pending": mark = "…"
        default: mark = "·"
        }
        let level = t.severity.map { " \($0.rawValue)" } ?? ""
        return "\(mark) \(t.card): \(t.from) -> \(t.to)\(t.to == "resolved" ? "" : level) (value \(display(t.value))) · \(t.readableReason)"
    }

    package static func transitionJSON(_ t: AlertTransition) -> String {
        "{\"card\": \(JSONText.quote(t.card)), \"from\": \"\(t.from)\", \"to\": \"\(t.to)\", \"severity\": \(t.severity.map { "\"\($0.rawValue)\"" } ?? "null"), "
            + "\"value\": \(number(t.value)), \"at\": \"\(t.at)\", \"reason\": \(JSONText.quote(t.reason))}"
    }

    private static let encoder = ValueJSON(objectTypes: Dictionary(uniqueKeysWithValues: ModelTypes.all.map { ($0.name, $0) }))

    /// A number for people: whole numbers as they are, others to two decimals, nil as a dash.
    package static func display(_ d: Double?) -> String {
        guard let d else { return "—" }
        if let whole = wholeNumber(d) { return String(whole) }
        if !d.isFinite || abs(d) >= 1e15 { return unbounded(d) }
        var text = String(format: "%.2f", d)
        while text.hasSuffix("0") { text.removeLast() }
        return text
    }

    /// A number as JSON: whole numbers without a fraction, nil as null.
    package static func number(_ d: Double?) -> String {
        guard let d else { return "null" }
        if let whole = wholeNumber(d) { return String(whole) }
        return ValueJSON.number(d)
    }

    /// A number too large (or not finite) for fixed decimals, for people: `1.5e+20`, `∞`, `NaN`.
    package static func unbounded(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d > 0 ? "∞" : "-∞" }
        return String(format: "%.6g", d)
    }

    /// `d` as an integer when it is a whole number small enough to print exactly (nil for
    /// fractions, infinities, NaN and magnitudes of 1e15 and more).
    package static func wholeNumber(_ d: Double) -> Int64? {
        guard d.isFinite, abs(d) < 1e15, d.rounded() == d else { return nil }
        return Int64(exactly: d)
    }

    /// The JSON report, produced while it is written: each card's head, then its worklist encoded
    /// row by row into chunks of about a megabyte (a worklist can hold hundreds of thousands of rows,
    /// and neither its cells nor its text are ever held whole).
    package static func json(_ results: [CardResult], context: Context, maxRows: Int?, recording: Recording? = nil) -> StreamedOutput {
        StreamedOutput { write in
            var out: [UInt8] = []
            out.reserveCapacity(1 << 20)
            func flushIfFull(_ out: inout [UInt8]) {
                if out.count >= 1 << 20 {
                    write(out)
                    out.removeAll(keepingCapacity: true)
                }
            }
            out.append(utf8: "{\n" + contextFields(context) + """
                  "cards": [

                """)
            for (index, r) in results.enumerated() {
                appendCard(r, rows: 0..<min(maxRows ?? r.rows.count, r.rows.count), to: &out, flush: flushIfFull)
                if index < results.count - 1 { out.append(utf8: ",\n") }
                flushIfFull(&out)
            }
            out.append(utf8: """

                  ]\(recording.map { ",\n  \"recorded\": " + recordedJSON($0) } ?? "")
                }

                """)
            write(out)
        }
    }

    /// One card's JSON object, its worklist cut to `shown` (rows encoded a few chunks at a time,
    /// one chunk per core, written in order: at most `cores` chunks of text exist at once).
    private static func appendCard(_ r: CardResult, rows shown: Range<Int>, to out: inout [UInt8], flush: (inout [UInt8]) -> Void) {
        out.append(utf8: cardHead(r))
        out.append(utf8: "\n      \"rows\": ")
        if shown.isEmpty { out.append(utf8: "[]") } else { out.append(utf8: "[\n        ") }
        let keys = r.rows.columns.map { Array((JSONText.quote($0) + ": ").utf8) }
        var start = shown.lowerBound
        while start < shown.upperBound {
            let end = min(shown.upperBound, start + cores * rowsPerChunk)
            let ranges = stride(from: start, to: end, by: rowsPerChunk).map { $0..<min(end, $0 + rowsPerChunk) }
            let worklist = r.rows, first = shown.lowerBound
            let encoded = ranges.count == 1 ? [encodeRows(worklist, ranges[0], first: first, keys: keys)]
                : ranges.concurrentMap { encodeRows(worklist, $0, first: first, keys: keys) }
            for piece in encoded {
                out.append(contentsOf: piece)
                flush(&out)
            }
            start = end
        }
        if !shown.isEmpty { out.append(utf8: "\n      ]") }
        let examples = "[" + r.errorExamples.map(JSONText.quote).joined(separator: ", ") + "]"
        out.append(utf8: """
            ,
                  "row_count": \(r.rows.count),
                  "errors": {"count": \(r.errorCount), "examples": \(examples)}
                }
            """)
    }

    /// The evaluation's context as the first members of a report object, one a line.
    private static func contextFields(_ context: Context) -> String {
        """
          "profile": \(JSONText.quote(context.profile)),
          "store": \(context.store.map(JSONText.quote) ?? "null"),
          "now": "\(context.now)",
          "checked_at": "\(context.checkedAt)",
          "role": \(context.role.map(JSONText.quote) ?? "null"),

        """
    }

    /// One card with the worklist rows `offset ..< offset + limit`:
    /// `{"profile", "store", "now", "role", "offset", "limit", "card": {...}}` (the card as in
    /// ``json(_:context:maxRows:recording:)``).
    package static func cardDocument(_ r: CardResult, context: Context, offset: Int, limit: Int) -> [UInt8] {
        let start = min(max(0, offset), r.rows.count)
        let end = start + min(max(0, limit), r.rows.count - start)
        var out: [UInt8] = []
        out.append(utf8: "{\n" + contextFields(context) + """
              "offset": \(start),
              "limit": \(limit),
              "card":

            """)
        appendCard(r, rows: start..<end, to: &out, flush: { _ in })
        out.append(utf8: "\n}\n")
        return out
    }

    /// Worklist rows encoded per chunk.
    private static let rowsPerChunk = 32_768
    /// Chunks encoded side by side.
    private static let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)

    /// The JSON text of worklist rows `range` (each but the very first preceded by its separator).
    private static func encodeRows(_ rows: Worklist, _ range: Range<Int>, first: Int, keys: [[UInt8]]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(range.count * 64)
        rows.forEachRow(in: range) { n, cells in
            if n > first { out.append(utf8: ",\n        ") }
            out.append(0x7B)
            for i in keys.indices {
                if i > 0 { out.append(0x2C); out.append(0x20) }
                out.append(contentsOf: keys[i])
                encoder.write(cells[i], into: &out)
            }
            out.append(0x7D)
        }
        return out
    }

    /// A card's JSON up to its worklist.
    private static func cardHead(_ r: CardResult) -> String {
        let card = r.card
        let alert = r.settings.alert.map { rule in
            var fields = "\"state\": \"\(r.alertState.rawValue)\", \"severity\": \(quoted(r.alertState == .firing ? r.severity?.rawValue : nil)), "
                + "\"trigger\": \(rule.trigger.map { JSONText.quote($0.description) } ?? "null"), "
                + "\"warn\": \(rule.warn.map { JSONText.quote($0.description) } ?? "null"), "
                + "\"critical\": \(rule.trigger.map { JSONText.quote($0.description) } ?? "null"), "
                + "\"firing\": \(r.firing), \"condition\": \(r.conditionHolds), \"level\": \(quoted(r.level?.rawValue))"
            if rule.holdFor > 1 { fields += ", \"for\": \(rule.holdFor)" }
            if let spike = rule.spike {
                fields += ", \"spike\": {\"baseline\": \"\(spike.baseline)\", \"factor\": \(number(spike.factor)), \"min\": \(number(spike.min)), "
                    + "\"severity\": \"\(spike.severity.rawValue)\", \"note\": \(JSONText.quote(r.spike?.describe(spike, value: r.value) ?? ""))}"
            }
            return "{" + fields + "}"
        } ?? "null"
        let breakdown = r.breakdown.map { items in
            "{" + items.map { "\(JSONText.quote($0.label)): \(number($0.value))" }.joined(separator: ", ") + "}"
        } ?? "null"
        let noData: String
        switch r.noData {
        case .missing(let files)?: noData = "{\"missing\": [\(files.map { JSONText.quote($0.fileName) }.joined(separator: ", "))]}"
        case .unmatchedSKUs(let u, let max)?:
            noData = "{\"missing\": [], \"unmatched_skus\": {\"count\": \(u.count), \"of\": \(u.of), \"max\": \"\(UnmatchedSKUs.percentText(max))\"}}"
        case nil: noData = "null"
        }
        let quality = r.unmatchedSKUs.map {
            "{\"unmatched_skus\": \($0.count), \"of\": \($0.of), \"examples\": [\($0.examples.map(JSONText.quote).joined(separator: ", "))]}"
        } ?? "null"
        let sources = r.freshness.sources.map { s in
            let age = Freshness.seconds(from: s.takenAt, to: r.freshness.checkedAt)
            return "\"\(s.source.rawValue)\": {\"taken_at\": \"\(s.takenAt)\", \"age_s\": \(age), "
                + "\"stale_after\": \(quoted(s.staleAfter?.description)), \"stale\": \(r.freshness.staleSources.contains(s))}"
        }
        let freshness = "{\"checked_at\": \"\(r.freshness.checkedAt)\", \"sources\": {\(sources.joined(separator: ", "))}}"
        return """
                {
                  "key": \(JSONText.quote(card.key.value)),
                  "title": \(JSONText.quote(card.title)),
                  "class": "\(card.cardClass.rawValue)",
                  "category": \(card.category.map(JSONText.quote) ?? "null"),
                  "unit": "\(card.unit.rawValue)",
                  "window": \(JSONText.quote(r.settings.window)),
                  "roles": [\(r.settings.roles.map(JSONText.quote).joined(separator: ", "))],
                  "state": "\(r.state.rawValue)",
                  "severity": \(quoted(r.state == .firing ? r.severity?.rawValue : nil)),
                  "state_note": \(r.stateNote.map(JSONText.quote) ?? "null"),
                  "data_age_s": \(r.freshness.ageSeconds),
                  "freshness": \(freshness),
                  "no_data": \(noData),
                  "data_quality": \(quality),
                  "value": \(r.integerValue.map(String.init) ?? number(r.value)),
                  "numerator": \(r.integerValue.map(String.init) ?? number(r.numerator)),
                  "denominator": \(number(r.denominator)),
                  "alert": \(alert),
                  "breakdown": \(breakdown),
            """
    }

    private static func quoted(_ text: String?) -> String { text.map(JSONText.quote) ?? "null" }

    package static func recordedJSON(_ r: Recording) -> String {
        switch r.outcome {
        case .alreadyRecorded:
            return "{\"db\": \(JSONText.quote(r.db)), \"already\": true, \"transitions\": []}"
        case .reevaluated(let transitions):
            return "{\"db\": \(JSONText.quote(r.db)), \"already\": true, \"reevaluated\": true, "
                + "\"transitions\": [\(transitions.map(transitionJSON).joined(separator: ", "))]}"
        case .recorded(let transitions, let note):
            return "{\"db\": \(JSONText.quote(r.db)), \"already\": false, \"note\": \(note.map(JSONText.quote) ?? "null"), "
                + "\"transitions\": [\(transitions.map(transitionJSON).joined(separator: ", "))]}"
        }
    }

    package static func formatted(_ value: Double?, unit: CardUnit) -> String {
        guard let value else { return "—" }
        switch unit {
        case .count:
            if let whole = wholeNumber(value) { return groupThousands(whole) }
            return value.isFinite && abs(value) < 1e15 ? String(format: "%.2f", value) : unbounded(value)
        case .percent:
            if let whole = wholeNumber(value) { return String(whole) + "%" }
            return (value.isFinite && abs(value) < 1e15 ? String(format: "%.1f", value) : unbounded(value)) + "%"
        }
    }

    package static func groupThousands(_ n: Int64) -> String {
        let digits = String(abs(n))
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (n < 0 ? "-" : "") + out
    }

    /// A worklist cell for the table, control characters escaped.
    package static func cell(_ value: Value) -> String {
        TerminalText.escape(rawCell(value))
    }

    private static func rawCell(_ value: Value) -> String {
        switch value {
        case .null: return "—"
        case .string(let s): return s
        case .list(let items): return items.map(rawCell).joined(separator: ", ")
        case .timestamp(let t): return t.description
        case .duration(let d): return d.readable  // 3d 14h; JSON keeps 309600s
        default: return encoder.plain(value)
        }
    }

    /// A value as JSON writes it, without quotes for a string (for CSV cells).
    package static func number(for value: Value) -> String { encoder.plain(value) }

    /// `6 cards: 2 firing (1 critical, 1 warn), 1 pending, 1 stale, 1 no data, 1 ok, 1 no alert set`.
    package static func summary(_ results: [CardResult]) -> String {
        let order: [CardState] = [.firing, .pending, .stale, .noData, .ok, .none]
        let parts = order.compactMap { state -> String? in
            let n = results.filter { $0.state == state }.count
            guard n > 0 else { return nil }
            var text = "\(n) \(state.words)"
            if state == .firing {
                let levels = AlertSeverity.allCases.reversed().compactMap { level -> String? in
                    let k = results.filter { $0.state == .firing && $0.severity == level }.count
                    return k == 0 ? nil : "\(k) \(level.rawValue)"
                }
                text += " (" + levels.joined(separator: ", ") + ")"
            }
            return text
        }
        return "\(results.count) card\(results.count == 1 ? "" : "s")" + (parts.isEmpty ? "" : ": " + parts.joined(separator: ", "))
    }

    /// The state after a card's value: `▲ FIRING critical (> 0)`, `△ FIRING warn (warn > 0, critical > 25)`,
    /// `… pending (> 0 for 2; needs history)`, `◌ STALE (...)`, `no data (stock.jsonl missing)`,
    /// `ok (alert > 0)`, `no alert set`.
    package static func marker(_ r: CardResult) -> String {
        let alert = r.settings.alert?.description
        switch r.state {
        case .firing:
            let level = r.severity ?? .critical
            return "\(level == .warn ? "△" : "▲") FIRING \(level.rawValue) (\(alert ?? "")\(r.stateNote.map { "; " + $0 } ?? ""))"
        case .pending: return "… pending (\(alert ?? "")\(r.stateNote.map { "; " + $0 } ?? ""))"
        case .noData: return "no data (\(r.stateNote ?? "a file is missing"))"
        case .stale:
            var alertPart = ""
            if r.settings.alert != nil {
                let kept = r.alertState == .firing ? "firing \(r.severity?.rawValue ?? "critical")" : r.alertState.words
                alertPart = r.alertState == .noData ? "; the alert is not judged" : "; the alert stays \(kept)"
            }
            return "◌ STALE (\(r.stateNote ?? "the data is too old")\(alertPart))"
        case .ok:
            let parts = [alert.map { "alert \($0)" }, r.coverageNote].compactMap { $0 }
            return parts.isEmpty ? "ok" : "ok (\(parts.joined(separator: "; ")))"
        case .none: return "no alert set" + (r.coverageNote.map { " (\($0))" } ?? "")
        }
    }

    package static func table(_ results: [CardResult], context: Context, maxRows: Int, recording: Recording? = nil) -> String {
        var out = "Pulse · profile \(context.profile)"
        if let store = context.store { out += " · store \(TerminalText.escape(store))" }
        out += " · now \(context.now)"
        if context.checkedAt != context.now { out += " · checked \(context.checkedAt)" }
        out += " · role \(context.role ?? "all")\n"
        out += summary(results) + "\n"
        for r in results {
            let card = r.card
            out += "\n"
            let shown = r.integerValue.map { card.unit == .count ? groupThousands($0) : String($0) + "%" } ?? formatted(r.value, unit: card.unit)
            let value = r.state == .noData ? "" : "   " + shown
            out += "\(card.cardClass == .hero ? "★" : "·") \(TerminalText.escape(card.title))\(value)  \(marker(r))\n"
            var meta = "  \(card.key.value) · \(card.cardClass.rawValue)"
            if let category = card.category { meta += " · \(category)" }
            meta += " · window \(r.settings.window) · \(r.settings.roles.joined(separator: ", "))"
            if case .percent = card.measure, let n = r.numerator, let d = r.denominator {
                meta += " · \(display(n)) of \(display(d))"
            }
            out += meta + "\n"
            if let rule = r.settings.alert?.spike, let outcome = r.spike { out += "  \(outcome.describe(rule, value: r.value))\n" }
            if let unmatched = r.unmatchedSKUs, unmatched.count > 0 {
                out += "  ! \(unmatched.count) of \(unmatched.of) listing SKU\(unmatched.of == 1 ? "" : "s") (\(UnmatchedSKUs.percentText(unmatched.percent))) "
                    + "\(unmatched.count == 1 ? "has" : "have") no BigCommerce stock record (unmatched), e.g. "
                    + unmatched.examples.map(TerminalText.escape).joined(separator: ", ") + "\n"
            }
            if let breakdown = r.breakdown, !breakdown.isEmpty {
                let labels = breakdown.map { TerminalText.escape($0.label) }
                let width = labels.map(\.count).max() ?? 0
                for (label, item) in zip(labels, breakdown) {
                    out += "    \(label.padding(toLength: width, withPad: " ", startingAt: 0))  \(formatted(item.value, unit: card.unit))\n"
                }
            }
            if !r.rows.isEmpty {
                let shown = Array(r.rows.prefix(maxRows))
                let headers = shown.first?.map(\.column) ?? []
                let cells = shown.map { $0.map { cell($0.value) } }
                var widths = headers.map(\.count)
                for row in cells { for (i, c) in row.enumerated() where i < widths.count { widths[i] = min(max(widths[i], c.count), 48) } }
                func line(_ items: [String]) -> String {
                    "    " + items.enumerated().map { i, s in
                        let clipped = s.count > 48 ? String(s.prefix(47)) + "…" : s
                        return i == items.count - 1 ? clipped : clipped.padding(toLength: widths[i], withPad: " ", startingAt: 0)
                    }.joined(separator: "  ") + "\n"
                }
                out += "  worklist (\(r.rows.count) row\(r.rows.count == 1 ? "" : "s")):\n"
                out += line(headers)
                for row in cells { out += line(row) }
                if r.rows.count > shown.count { out += "    … \(r.rows.count - shown.count) more (--max-rows N, or --format json for all)\n" }
            }
            if r.errorCount > 0 {
                out += "  ! \(r.errorCount) row\(r.errorCount == 1 ? "" : "s") could not be evaluated and \(r.errorCount == 1 ? "is" : "are") left out:\n"
                for example in r.errorExamples { out += "    \(TerminalText.escape(example))\n" }
            }
        }
        if let recording {
            out += "\n"
            switch recording.outcome {
            case .alreadyRecorded:
                out += "history: \(context.now) is already recorded for \(context.profile) in \(recording.db); nothing written\n"
            case .reevaluated(let transitions):
                out += "history: \(context.now) is already recorded for \(context.profile) in \(recording.db); its alerts were judged again with the current config\n"
                for t in transitions { out += "  " + transitionLine(t) + "\n" }
            case .recorded(let transitions, let note):
                out += "history: recorded \(context.now) for \(context.profile) in \(recording.db)\n"
                if let note { out += "  \(note)\n" }
                if transitions.isEmpty { out += "  no alert changed state\n" }
                for t in transitions { out += "  " + transitionLine(t) + "\n" }
            }
        }
        return out
    }
}
