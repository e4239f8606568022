import Foundation
import PulseConfig
import PulseHistory
import Testing
@testable import PulseNotify

// MARK: - Fixtures

private func event(_ kind: String, card: String? = "card_a", title: String = "Listings without stock", value: Double? = 12,
                   valueText: String = "12", trigger: String? = "warn > 0, critical > 25", state: String = "firing",
                   severity: AlertSeverity? = .warn, previous: String = "pending", reason: String = "value 12 > 0",
                   columns: [String] = [], rows: [[String]] = [], rowCount: Int? = nil, store: String? = nil) -> NotificationEvent {
    NotificationEvent(profile: "acme", store: store, kind: kind, card: card, title: title, value: value, valueText: valueText,
                      trigger: trigger, state: state, severity: severity, previous: previous, reason: reason, columns: columns,
                      rows: rows, rowCount: rowCount ?? rows.count, at: "2026-03-03T10:00:00Z", createdAt: 0)
}

private func message(_ events: [NotificationEvent], store: String? = "acme-store", publicURL: String? = "https://pulse.example.com",
                     rows: Int = 5, profile: String = "acme") -> NotificationMessage {
    NotificationMessage(profile: profile, store: store, at: "2026-03-03T10:00:00Z", events: events, publicURL: publicURL, rows: rows)
}

/// `rows` rows of `columns` cells, each `width` characters, each starting with a unique marker `r<card>.<row>.<col>|`.
private func bigRows(card: Int = 0, rows: Int, columns: Int, width: Int) -> [[String]] {
    (0..<rows).map { r in
        (0..<columns).map { c in
            let marker = "r\(card).\(r).\(c)|"
            return marker + String(repeating: "x", count: max(0, width - marker.count))
        }
    }
}

private func object(_ text: String) throws -> [String: Any] {
    let value = try JSONSerialization.jsonObject(with: Data(text.utf8))
    return try #require(value as? [String: Any])
}

private func occurrences(of needle: String, in haystack: String) -> Int {
    haystack.components(separatedBy: needle).count - 1
}

/// The mrkdwn texts of a Slack body's sections.
private func sectionTexts(_ body: [String: Any]) -> [String] {
    (body["blocks"] as? [[String: Any]] ?? []).filter { $0["type"] as? String == "section" }
        .compactMap { ($0["text"] as? [String: Any])?["text"] as? String }
}

/// Quoted-printable decoded (soft breaks removed, `=XX` to bytes), as UTF-8.
private func decodeQP(_ s: String) -> String? {
    var bytes: [UInt8] = []
    let input = Array(s.utf8)
    var i = 0
    while i < input.count {
        let b = input[i]
        if b == 0x3D {
            if i + 2 < input.count, input[i + 1] == 0x0D, input[i + 2] == 0x0A { i += 3; continue }
            guard i + 2 < input.count, let v = UInt8(String(decoding: input[(i + 1)...(i + 2)], as: UTF8.self), radix: 16) else { return nil }
            bytes.append(v)
            i += 3
        } else {
            bytes.append(b)
            i += 1
        }
    }
    return String(validating: bytes, as: UTF8.self)
}

/// A MIME part's body (after its blank line, up to the next boundary line).
private func part(_ data: String, type: String) -> String? {
    guard let start = data.range(of: "Content-Type: \(type); charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n") else { return nil }
    let rest = data[start.upperBound...]
    guard let end = rest.range(of: "\r\n--=_pulse_") else { return nil }
    return String(rest[..<end.lowerBound])
}

/// The top-level header lines (unfolded), up to the first empty line.
private func headers(_ data: String) -> [String] {
    var out: [String] = []
    for line in data.components(separatedBy: "\r\n") {
        if line.isEmpty { break }
        if line.hasPrefix(" ") || line.hasPrefix("\t"), let last = out.popLast() { out.append(last + line) } else { out.append(line) }
    }
    return out
}

// MARK: - Slack

@Suite("Render: Slack")
struct SlackRenderTests {
    @Test func oneCardHasHeaderSectionLinkAndEscapedText() throws {
        let e = event("escalated", title: "Stock & <gaps>", valueText: "31", severity: .critical, columns: ["sku", "stock"],
                      rows: [["A-1", "0"], ["B-2", "0"], ["C-3", "0"]], rowCount: 9)
        let bodies = SlackRenderer.render(message([e], rows: 2))
        #expect(bodies.count == 1)
        let body = try object(try #require(bodies.first))
        let text = try #require(body["text"] as? String)
        #expect(text.contains("Pulse acme: 1 firing"))
        let blocks = try #require(body["blocks"] as? [[String: Any]])
        #expect(blocks.first?["type"] as? String == "header")
        let header = try #require((blocks.first?["text"] as? [String: Any])?["text"] as? String)
        #expect(header == "Pulse acme: 1 firing")
        let sections = sectionTexts(body)
        #expect(sections.count == 1)
        let section = try #require(sections.first)
        #expect(section.contains("Stock &amp; &lt;gaps&gt;"))
        #expect(!section.contains("<gaps>"))
        #expect(section.contains(":red_circle:"))
        #expect(section.contains("Escalated to critical"))
        #expect(section.contains("*Value:* 31"))
        #expect(section.contains("`warn &gt; 0, critical &gt; 25`"))
        #expect(section.contains("CRITICAL"))
        #expect(section.contains("• sku: A-1 · stock: 0"))
        #expect(section.contains("• sku: B-2 · stock: 0"))
        #expect(!section.contains("C-3"))
        #expect(section.contains("… 7 more rows"))
        #expect(section.contains("<https://pulse.example.com/cards/card_a|Open in Pulse>"))
    }

    @Test func noLinkWithoutPublicURLAndDividersBetweenCards() throws {
        let events = [event("firing", card: "a"), event("resolved", card: "b", state: "ok", previous: "firing")]
        let body = try object(try #require(SlackRenderer.render(message(events, publicURL: nil)).first))
        let blocks = try #require(body["blocks"] as? [[String: Any]])
        #expect(blocks.map { $0["type"] as? String ?? "" } == ["header", "context", "section", "divider", "section"])
        #expect(!sectionTexts(body).joined().contains("Open in Pulse"))
        #expect(sectionTexts(body).last?.contains(":white_check_mark:") == true)
        #expect(sectionTexts(body).first?.contains(":large_orange_circle:") == true)
    }

    @Test func sixtyCardsSplitIntoBodiesOfAtMostFiftyBlocks() throws {
        let events = (0..<60).map { i in event("firing", card: "card\(i)", title: "Title #\(i)#", severity: i % 2 == 0 ? .warn : .critical) }
        let bodies = SlackRenderer.render(message(events))
        #expect(bodies.count >= 2)
        let parsed = try bodies.map(object)
        for (i, body) in parsed.enumerated() {
            let blocks = try #require(body["blocks"] as? [[String: Any]])
            #expect(blocks.count <= SlackRenderer.maxBlocks)
            #expect((body["text"] as? String)?.contains("(\(i + 1)/\(bodies.count))") == true)
            let header = (blocks.first?["text"] as? [String: Any])?["text"] as? String
            #expect(blocks.first?["type"] as? String == "header")
            #expect(header?.hasSuffix("(\(i + 1)/\(bodies.count))") == true)
            #expect(blocks.last?["type"] as? String == "section")
            for text in sectionTexts(body) { #expect(text.utf16.count <= SlackRenderer.maxSectionCharacters) }
        }
        let all = parsed.flatMap(sectionTexts).joined(separator: "\n")
        for i in 0..<60 { #expect(occurrences(of: "Title #\(i)#", in: all) == 1, "card \(i)") }
    }

    @Test func aCardOfLongRowsSplitsOverSectionsWithoutLosingARow() throws {
        let rows = bigRows(rows: 20, columns: 3, width: 400)
        let e = event("firing", columns: ["sku", "title", "note"], rows: rows)
        let bodies = SlackRenderer.render(message([e], rows: 20))
        let parsed = try bodies.map(object)
        let sections = parsed.flatMap(sectionTexts)
        #expect(sections.count > 1)
        for text in sections { #expect(text.utf16.count <= SlackRenderer.maxSectionCharacters) }
        #expect(sections.dropFirst().allSatisfy { $0.hasPrefix("*Listings without stock* (continued)") })
        let all = sections.joined(separator: "\n")
        #expect(!all.contains("(shortened)"))
        for row in rows {
            // The whole row, as one line, exactly once.
            let line = "• " + zip(["sku", "title", "note"], row).map { "\($0): \($1)" }.joined(separator: " · ")
            #expect(occurrences(of: line, in: all) == 1)
        }
    }

    @Test func manyCardsOfLongRowsSplitIntoBodiesAndKeepEveryRowOnce() throws {
        let events = (0..<6).map { c in event("firing", card: "c\(c)", title: "Card \(c)", columns: ["a", "b", "c"], rows: bigRows(card: c, rows: 20, columns: 3, width: 400)) }
        let bodies = SlackRenderer.render(message(events, rows: 20))
        #expect(bodies.count >= 2)
        let parsed = try bodies.map(object)
        for body in parsed {
            #expect((body["blocks"] as? [Any])?.count ?? 99 <= SlackRenderer.maxBlocks)
            #expect((body["text"] as? String)?.isEmpty == false)
            for text in sectionTexts(body) { #expect(text.utf16.count <= SlackRenderer.maxSectionCharacters) }
        }
        let perBody = parsed.map { sectionTexts($0).joined(separator: "\n") }
        for c in 0..<6 {
            for r in 0..<20 {
                for col in 0..<3 {
                    let marker = "r\(c).\(r).\(col)|"
                    #expect(perBody.map { occurrences(of: marker, in: $0) }.reduce(0, +) == 1, "\(marker)")
                }
            }
        }
    }

    @Test func onlyARowTooLongForASectionIsShortened() throws {
        var rows = bigRows(rows: 3, columns: 10, width: 400)
        rows[1] = ["short", "row"]
        let e = event("firing", title: "Wide & long", rows: rows)
        let sections = try SlackRenderer.render(message([e], rows: 5)).map(object).flatMap(sectionTexts)
        for text in sections { #expect(text.utf16.count <= SlackRenderer.maxSectionCharacters) }
        let all = sections.joined(separator: "\n")
        #expect(occurrences(of: "… (shortened)", in: all) == 2)
        #expect(all.components(separatedBy: "\n").contains("• short · row"))
        #expect(all.contains("r0.0.0|"))
        #expect(all.contains("r0.2.0|"))
    }

    @Test func noEventsStillGivesOneBodyWithAHeader() throws {
        let bodies = SlackRenderer.render(message([]))
        #expect(bodies.count == 1)
        let body = try object(try #require(bodies.first))
        #expect(body["text"] as? String == "Pulse acme: no events")
        #expect((body["blocks"] as? [[String: Any]])?.first?["type"] as? String == "header")
    }
}

// MARK: - Teams

@Suite("Render: Teams")
struct TeamsRenderTests {
    private func card(_ body: String) throws -> [String: Any] {
        let root = try object(body)
        #expect(root["type"] as? String == "message")
        let attachment = try #require((root["attachments"] as? [[String: Any]])?.first)
        #expect(attachment["contentType"] as? String == "application/vnd.microsoft.card.adaptive")
        let content = try #require(attachment["content"] as? [String: Any])
        #expect(content["type"] as? String == "AdaptiveCard")
        #expect(content["version"] as? String == "1.5")
        #expect(content["$schema"] as? String == "http://adaptivecards.io/schemas/adaptive-card.json")
        return content
    }

    @Test func structureColoursFactsTableAndLink() throws {
        let events = [
            event("firing", card: "a", title: "Critical one", severity: .critical, columns: ["sku", "stock"], rows: [["A", "0"], ["B", "1"]], rowCount: 4),
            event("firing", card: "b", title: "Warn one", trigger: nil, severity: .warn),
            event("resolved", card: "c", title: "Done one", state: "ok", severity: .warn, previous: "firing"),
            event("no_data", card: "d", title: "Nothing", state: "no_data", severity: nil, previous: "ok"),
        ]
        let bodies = TeamsRenderer.render(message(events))
        #expect(bodies.count == 1)
        let content = try card(try #require(bodies.first))
        let body = try #require(content["body"] as? [[String: Any]])
        #expect(body.first?["type"] as? String == "TextBlock")
        #expect(body.first?["text"] as? String == "Pulse acme: 2 firing, 1 resolved, 1 other")
        let containers = body.filter { $0["type"] as? String == "Container" }
        #expect(containers.count == 4)
        let items = containers.map { $0["items"] as? [[String: Any]] ?? [] }
        let titles = items.map { $0.first ?? [:] }
        // Firing first, then no data, then resolved (the message's order).
        #expect(titles.map { $0["color"] as? String } == ["attention", "warning", nil, "good"])
        #expect(titles[0]["text"] as? String == "Firing: Critical one")
        let facts = try #require(items[0].first { $0["type"] as? String == "FactSet" }?["facts"] as? [[String: String]])
        #expect(facts.map { $0["title"] ?? "" } == ["Value", "Trigger", "State", "Severity"])
        #expect(facts.last?["value"] == "CRITICAL")
        let warnFacts = items[1].first { $0["type"] as? String == "FactSet" }?["facts"] as? [[String: String]]
        #expect(warnFacts?.map { $0["title"] ?? "" } == ["Value", "State", "Severity"])
        #expect(warnFacts?.last?["value"] == "warn")
        let table = try #require(items[0].first { $0["type"] as? String == "Table" })
        #expect(table["firstRowAsHeader"] as? Bool == true)
        #expect((table["columns"] as? [Any])?.count == 2)
        let rows = try #require(table["rows"] as? [[String: Any]])
        #expect(rows.count == 3)
        let firstCell = ((rows[1]["cells"] as? [[String: Any]])?.first?["items"] as? [[String: Any]])?.first?["text"] as? String
        #expect(firstCell == "A")
        #expect(items[0].contains { $0["text"] as? String == "… 2 more rows" })
        let action = (items[0].last?["actions"] as? [[String: Any]])?.first
        #expect(action?["type"] as? String == "Action.OpenUrl")
        #expect(action?["url"] as? String == "https://pulse.example.com/cards/a")
        #expect(titles[2]["text"] as? String == "No data: Nothing")
        #expect(!items[2].contains { $0["type"] as? String == "Table" })
    }

    @Test func largeMessagesSplitUnderTheByteLimitKeepingEveryRow() throws {
        let events = (0..<12).map { c in event("firing", card: "c\(c)", title: "Card \(c)", columns: ["a", "b", "c"], rows: bigRows(card: c, rows: 20, columns: 3, width: 400)) }
        let bodies = TeamsRenderer.render(message(events, rows: 20))
        #expect(bodies.count >= 2)
        for (i, body) in bodies.enumerated() {
            #expect(body.utf8.count <= TeamsRenderer.maxBodyBytes)
            let content = try card(body)
            let header = (content["body"] as? [[String: Any]])?.first?["text"] as? String
            #expect(header?.hasSuffix("(\(i + 1)/\(bodies.count))") == true)
        }
        // Full bodies: a card continues in the room the one before left.
        for body in bodies.dropLast() { #expect(body.utf8.count >= 20_000) }
        // Every cell (a JSON string starting with its marker) exactly once.
        var seen: [String: Int] = [:]
        for body in bodies {
            for piece in body.split(separator: "\"") where piece.hasPrefix("r") {
                if let bar = piece.firstIndex(of: "|") { seen[String(piece[...bar]), default: 0] += 1 }
            }
        }
        #expect(seen.count == 12 * 20 * 3)
        for c in 0..<12 {
            for r in 0..<20 {
                for col in 0..<3 { #expect(seen["r\(c).\(r).\(col)|"] == 1) }
            }
        }
    }

    @Test func aRowLargerThanABodyIsShortenedToFit() throws {
        let e = event("firing", columns: (0..<30).map { "c\($0)" }, rows: bigRows(rows: 2, columns: 30, width: 2000))
        let bodies = TeamsRenderer.render(message([e]))
        for body in bodies {
            #expect(body.utf8.count <= TeamsRenderer.maxBodyBytes)
            _ = try card(body)
        }
        #expect(bodies.joined().contains("r0.1.29|"))
    }
}

// MARK: - PagerDuty

@Suite("Render: PagerDuty")
struct PagerDutyRenderTests {
    @Test func kindsMapToTriggerResolveOrNothing() throws {
        let events = [
            event("firing", card: "a", severity: .warn),
            event("escalated", card: "b", severity: .critical),
            event("deescalated", card: "c", severity: .warn),
            event("resolved", card: "a", state: "ok", severity: .warn, previous: "firing"),
            event("no_data", card: "d", state: "no_data", severity: nil),
            event("stale", card: "e", state: "stale", severity: nil),
            event("reminder", card: "f", severity: .critical),
            event("pull_failed", card: nil, title: "AliExpress pull", state: "none", severity: nil),
            event("pending", card: "g", state: "pending", severity: nil),
        ]
        let out = PagerDutyRenderer.render(message(events), routingKey: "R0UT1NG")
        #expect(out.map(\.card).sorted() == ["a", "a", "b", "c"])
        let bodies = try out.map { ($0.card, try object($0.body)) }
        let actions = bodies.map { "\($0.0):\($0.1["event_action"] as? String ?? "")" }.sorted()
        #expect(actions == ["a:resolve", "a:trigger", "b:trigger", "c:trigger"])
        for (_, body) in bodies { #expect(body["routing_key"] as? String == "R0UT1NG") }
        let triggerA = try #require(bodies.first { $0.0 == "a" && $0.1["event_action"] as? String == "trigger" }?.1)
        let resolveA = try #require(bodies.first { $0.0 == "a" && $0.1["event_action"] as? String == "resolve" }?.1)
        #expect(triggerA["dedup_key"] as? String == "pulse/acme/a")
        #expect(resolveA["dedup_key"] as? String == triggerA["dedup_key"] as? String)
        #expect(Set(resolveA.keys) == ["routing_key", "dedup_key", "event_action"])
        let severity = { (card: String) in ((bodies.first { $0.0 == card }?.1["payload"]) as? [String: Any])?["severity"] as? String }
        #expect(severity("a") == "warning")
        #expect(severity("b") == "critical")
        #expect(severity("c") == "warning")
        #expect(PagerDutyRenderer.dedupKey(profile: "p", card: "k") == "pulse/p/k")
    }

    @Test func triggerPayloadHoldsSummaryDetailsAndLinks() throws {
        let e = event("escalated", card: "stock_gaps", title: "Stock gaps", valueText: "31", severity: .critical,
                      columns: ["sku", "stock"], rows: [["A", "0"], ["B", "0"]], rowCount: 40)
        let body = try object(try #require(PagerDutyRenderer.render(message([e], rows: 1), routingKey: "k").first?.body))
        let payload = try #require(body["payload"] as? [String: Any])
        #expect(payload["summary"] as? String == "Stock gaps: 31")
        #expect(payload["source"] as? String == "acme-store")
        #expect(payload["timestamp"] as? String == "2026-03-03T10:00:00Z")
        #expect(payload["component"] as? String == "stock_gaps")
        #expect(payload["group"] as? String == "acme")
        #expect(payload["class"] as? String == "escalated")
        let details = try #require(payload["custom_details"] as? [String: Any])
        #expect(details["trigger"] as? String == "warn > 0, critical > 25")
        #expect(details["state"] as? String == "firing")
        #expect(details["reason"] as? String == "value 12 > 0")
        #expect(details["rows"] as? [[String: String]] == [["sku": "A", "stock": "0"]])
        #expect(details["row_count"] as? Int == 40)
        let links = try #require(body["links"] as? [[String: String]])
        #expect(links == [["href": "https://pulse.example.com/cards/stock_gaps", "text": "Open in Pulse"]])
    }

    @Test func summaryIsCappedAndSourceFallsBackToTheProfile() throws {
        let e = event("firing", title: String(repeating: "t", count: 3000))
        let body = try object(try #require(PagerDutyRenderer.render(message([e], store: nil, publicURL: nil), routingKey: "k").first?.body))
        let payload = try #require(body["payload"] as? [String: Any])
        #expect((payload["summary"] as? String)?.count == PagerDutyRenderer.maxSummaryCharacters)
        #expect(payload["source"] as? String == "acme")
        #expect(body["links"] == nil)
    }
}

// MARK: - Email

@Suite("Render: Email")
struct EmailRenderTests {
    private let date = Date(timeIntervalSince1970: 1_772_532_000)

    @Test func crlfEverywhereAndLinesAreShort() throws {
        let e = event("firing", title: "Café ≥ 5 — 日本 " + String(repeating: "long ", count: 60), columns: ["sku"], rows: [["A"]])
        let data = EmailRenderer.render(message([e]), from: "pulse@example.com", to: ["a@example.com"], date: date, messageID: "42").data
        let bytes = Array(data.utf8)
        for (i, b) in bytes.enumerated() {
            if b == 0x0A { #expect(i > 0 && bytes[i - 1] == 0x0D) }
            if b == 0x0D { #expect(i + 1 < bytes.count && bytes[i + 1] == 0x0A) }
        }
        #expect(bytes.allSatisfy { $0 < 0x80 })
        for line in data.components(separatedBy: "\r\n") { #expect(line.utf8.count <= 78, "\(line)") }
        #expect(data.hasSuffix("--=_pulse_42--\r\n"))
    }

    @Test func headersSubjectDateAndMessageID() throws {
        let events = [
            event("firing", card: "a"), event("escalated", card: "b", severity: .critical),
            event("resolved", card: "c", state: "ok", previous: "firing"),
            event("no_data", card: "d", state: "no_data", severity: nil), event("stale", card: "e", state: "stale", severity: nil),
        ]
        let (subject, data) = EmailRenderer.render(message(events), from: "Pulse <pulse@example.com>", to: ["a@example.com", "b@example.com"],
                                                   date: date, messageID: "evt-7")
        #expect(subject == "[Pulse] acme: 2 firing, 1 resolved, 1 no data, 1 stale")
        let lines = headers(data)
        #expect(lines.contains("Subject: [Pulse] acme: 2 firing, 1 resolved, 1 no data, 1 stale"))
        #expect(lines.contains("From: Pulse <pulse@example.com>"))
        #expect(lines.contains("To: a@example.com, b@example.com"))
        #expect(lines.contains("Date: Tue, 03 Mar 2026 10:00:00 +0000"))
        #expect(lines.contains("Message-ID: <evt-7@pulse>"))
        #expect(lines.contains("MIME-Version: 1.0"))
        #expect(lines.contains("Content-Type: multipart/alternative; boundary=\"=_pulse_evt-7\""))
        let quiet = EmailRenderer.render(message([event("no_data", state: "no_data", severity: nil)]), from: "f@x", to: ["t@x"], date: date, messageID: "1")
        #expect(quiet.subject == "[Pulse] acme: 0 firing, 0 resolved, 1 no data")
    }

    @Test func datesInRFC5322Form() {
        #expect(EmailRenderer.rfc5322Date(Date(timeIntervalSince1970: 0)) == "Thu, 01 Jan 1970 00:00:00 +0000")
        #expect(EmailRenderer.rfc5322Date(Date(timeIntervalSince1970: 1_709_251_199)) == "Thu, 29 Feb 2024 23:59:59 +0000")
        #expect(EmailRenderer.rfc5322Date(Date(timeIntervalSince1970: -1)) == "Wed, 31 Dec 1969 23:59:59 +0000")
        #expect(EmailRenderer.rfc5322Date(Date(timeIntervalSince1970: .nan)) == "Thu, 01 Jan 1970 00:00:00 +0000")
    }

    @Test func nonASCIIRoundTripsThroughQuotedPrintable() throws {
        let title = "Café ≥ 5 — 日本 <b>&"
        let e = event("firing", title: title, columns: ["pays"], rows: [["Côte d’Ivoire = CI "]])
        let data = EmailRenderer.render(message([e]), from: "f@x", to: ["t@x"], date: date, messageID: "m1").data
        let plain = try #require(part(data, type: "text/plain"))
        let html = try #require(part(data, type: "text/html"))
        for line in (plain + "\r\n" + html).components(separatedBy: "\r\n") { #expect(line.utf8.count <= 76) }
        let text = try #require(decodeQP(plain))
        #expect(text.contains("[warn] Firing: \(title)\r\n"))
        #expect(text.contains("pays: Côte d’Ivoire = CI"))
        let page = try #require(decodeQP(html))
        #expect(page.contains("Café ≥ 5 — 日本 &lt;b&gt;&amp;"))
        #expect(page.contains("<td style=\"border:1px solid #ddd;padding:3px 6px;text-align:left\">Côte d’Ivoire = CI </td>"))
        #expect(page.contains("<a href=\"https://pulse.example.com/cards/card_a\">Open in Pulse</a>"))
    }

    @Test func quotedPrintableEncoderRules() throws {
        #expect(EmailRenderer.quotedPrintable("a=b") == "a=3Db")
        #expect(EmailRenderer.quotedPrintable("end \nnext\t") == "end=20\r\nnext=09")
        #expect(EmailRenderer.quotedPrintable("é") == "=C3=A9")
        let long = String(repeating: "x", count: 100) + String(repeating: "é", count: 40)
        let encoded = EmailRenderer.quotedPrintable(long)
        let lines = encoded.components(separatedBy: "\r\n")
        #expect(lines.count > 2)
        for line in lines { #expect(line.utf8.count <= 76) }
        for line in lines.dropLast() { #expect(line.hasSuffix("=")) }
        #expect(decodeQP(encoded) == long)
    }

    @Test func noValueCanAddAHeader() throws {
        let e = event("firing", title: "x\r\nBcc: x@y")
        let data = EmailRenderer.render(message([e], profile: "acme\r\nBcc: a@b"), from: "f@x\nBcc: e@f", to: ["o@x\r\nBcc: c@d"],
                                        date: date, messageID: "id\r\nBcc: g@h").data
        let lines = data.components(separatedBy: "\r\n")
        #expect(!lines.contains { $0.lowercased().hasPrefix("bcc") })
        let top = headers(data)
        #expect(top.filter { $0.hasPrefix("Subject:") }.count == 1)
        #expect(top.contains("To: o@x Bcc: c@d"))
        #expect(top.contains("Message-ID: <idBccgh@pulse>"))
        let plain = try #require(part(data, type: "text/plain"))
        let text = try #require(decodeQP(plain))
        #expect(text.contains("Firing: x  Bcc: x@y\r\n"))
    }

    @Test func nonASCIIHeadersAreEncodedWords() throws {
        let (subject, data) = EmailRenderer.render(message([event("firing")], profile: "Café 日本"), from: "Pülse <pulse@example.com>", to: ["t@x"],
                                                   date: date, messageID: "1")
        #expect(subject == "[Pulse] Café 日本: 1 firing, 0 resolved")
        let line = try #require(headers(data).first { $0.hasPrefix("Subject:") })
        let words = line.dropFirst("Subject:".count).split(separator: " ")
        #expect(!words.isEmpty)
        var decoded = Data()
        for word in words {
            #expect(word.hasPrefix("=?UTF-8?B?") && word.hasSuffix("?="))
            #expect(word.count <= 75)
            decoded.append(try #require(Data(base64Encoded: String(word.dropFirst(10).dropLast(2)))))
        }
        #expect(String(decoding: decoded, as: UTF8.self) == subject)
        let from = try #require(headers(data).first { $0.hasPrefix("From:") })
        #expect(from.hasSuffix(" <pulse@example.com>"))
        #expect(from.contains("=?UTF-8?B?" + Data("Pülse".utf8).base64EncodedString() + "?="))
    }
}

// MARK: - Webhook

@Suite("Render: Webhook")
struct WebhookRenderTests {
    @Test func fieldsAndTypes() throws {
        let events = [
            event("firing", card: "a", value: 42, valueText: "42", severity: .critical, columns: ["sku", "sku", "stock"],
                  rows: [["A", "B", "0", "extra"], ["C"]], rowCount: 7),
            event("pull_failed", card: nil, title: "BigCommerce pull", value: .nan, valueText: "—", trigger: nil, state: "none",
                  severity: nil, previous: "none", reason: "HTTP 503"),
            event("resolved", card: "b", value: 0.25, valueText: "25%", state: "ok", previous: "firing"),
        ]
        let text = WebhookRenderer.render(message(events, store: nil))
        #expect(text.contains("\"value\":42,"))
        let root = try object(text)
        #expect(root["profile"] as? String == "acme")
        #expect(root["store"] is NSNull)
        #expect(root["at"] as? String == "2026-03-03T10:00:00Z")
        let list = try #require(root["events"] as? [[String: Any]])
        #expect(list.count == 3)
        let firing = list[0]
        #expect(firing["event"] as? String == "firing")
        #expect(firing["card"] as? String == "a")
        #expect(firing["title"] as? String == "Listings without stock")
        #expect((firing["value"] as? NSNumber)?.doubleValue == 42)
        #expect(firing["value_text"] as? String == "42")
        #expect(firing["severity"] as? String == "critical")
        #expect(firing["state"] as? String == "firing")
        #expect(firing["previous"] as? String == "pending")
        #expect(firing["reason"] as? String == "value 12 > 0")
        #expect(firing["trigger"] as? String == "warn > 0, critical > 25")
        #expect(firing["rows"] as? [[String: String]] == [["sku": "A", "sku_2": "B", "stock": "0", "column_4": "extra"], ["sku": "C"]])
        #expect(firing["row_count"] as? Int == 7)
        #expect(firing["link"] as? String == "https://pulse.example.com/cards/a")
        let failed = list[1]
        #expect(failed["card"] is NSNull)
        #expect(failed["value"] is NSNull)
        #expect(failed["severity"] is NSNull)
        #expect(failed["trigger"] is NSNull)
        #expect(failed["link"] is NSNull)
        #expect((failed["rows"] as? [Any])?.isEmpty == true)
        #expect(failed["row_count"] as? Int == 0)
        #expect((list[2]["value"] as? NSNumber)?.doubleValue == 0.25)
        #expect(list[2]["severity"] as? String == "warn")
    }

    @Test func numbersAreJSONNumbers() {
        #expect(RenderText.number(3) == "3")
        #expect(RenderText.number(-0.0) == "0")
        #expect(RenderText.number(1.5) == "1.5")
        #expect(RenderText.number(.infinity) == "null")
        #expect(RenderText.number(nil) == "null")
        #expect(RenderText.number(1e300) == "1e+300")
    }
}
