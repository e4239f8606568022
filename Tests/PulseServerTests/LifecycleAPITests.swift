import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
@testable import PulseCLI
import PulseHistory
@testable import PulseServer
import Testing

/// Silences and acknowledgements over the API (spec alerting.md section 5): the owner and
/// operations roles list, add and expire silences and acknowledge firing cards; the served cards
/// say who silenced or acknowledged them. The demo snapshot of 2026-03-17 is evaluated at
/// 08:00Z: aex_rejected_auditing_listings and aex_ship_to_country_coverage fire (critical),
/// aex_xc_listed_but_oos_on_bc is pending, aex_total_listings has no alert.
@Suite struct LifecycleAPITests {
    typealias Answer = (status: Int, body: String, headers: HTTPFields)

    /// A request as `token` (a name in the harness's tokens, or nil), with a body.
    private func send(_ h: ServeHarness, _ client: some TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, as token: String?,
                      body: String? = nil, headers extra: HTTPFields = [:]) async throws -> Answer {
        var headers = extra
        if let token { headers[.authorization] = "Bearer " + (h.tokens[token] ?? token) }
        if body != nil { headers[.contentType] = "application/json" }
        return try await client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }) { response in
            (Int(response.status.code), String(buffer: response.body), response.headers)
        }
    }

    private func object(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "JSON object: \(text)")
    }

    /// The card `key` of a `GET .../cards/{key}` answer.
    private func card(_ h: ServeHarness, _ client: some TestClientProtocol, _ key: String, as token: String) async throws -> [String: Any] {
        let got = try await h.get(client, "/api/v1/profiles/demo/cards/\(key)?limit=0", as: token)
        #expect(got.status == 200, "\(got.body)")
        return try #require(try object(got.body)["card"] as? [String: Any])
    }

    private let silences = "/api/v1/profiles/demo/silences"

    @Test("a silence is added, listed, shown on its card, expired by hand and ended by the clock")
    func silenceLifecycle() async throws {
        let h = try await ServeHarness.make()
        let before = try #require(h.engine.state.current.profiles["demo"]?.version)
        try await h.app.test(.router) { client in
            let made = try await send(h, client, .post, silences, as: "owner",
                                      body: #"{"cards": ["aex_rejected_auditing_listings"], "for": "4h", "reason": "supplier feed down"}"#)
            #expect(made.status == 201, "\(made.body)")
            let silence = try object(made.body)
            let id = try #require(silence["id"] as? Int)
            #expect(silence["cards"] as? [String] == ["aex_rejected_auditing_listings"])
            #expect(silence["severity"] is NSNull, "every level")
            #expect(silence["starts_at"] as? String == "2026-03-17T08:00:00Z" && silence["created_at"] as? String == "2026-03-17T08:00:00Z")
            #expect(silence["ends_at"] as? String == "2026-03-17T12:00:00Z")
            #expect(silence["reason"] as? String == "supplier feed down" && silence["by"] as? String == "owner", "by: the token's name")
            #expect(silence["expired_at"] is NSNull && silence["active"] as? Bool == true)
            #expect((h.engine.state.current.profiles["demo"]?.version ?? 0) > before, "a new version: open dashboards reload")
            let stored = try HistoryStore(path: h.path("history.sqlite").path).silences(profile: "demo", now: 0)
            #expect(stored.map(\.id) == [Int64(id)] && stored.first?.createdBy == "owner", "in the store pulse silence reads")

            let listed = try await h.get(client, silences, as: "operations")
            #expect(listed.status == 200)
            let items = try #require(try object(listed.body)["silences"] as? [[String: Any]])
            #expect(items.compactMap { $0["id"] as? Int } == [id])

            let shown = try await card(h, client, "aex_rejected_auditing_listings", as: "owner")
            let covering = try #require(shown["silenced"] as? [String: Any], "the firing card shows its silence")
            #expect(covering["id"] as? Int == id && covering["reason"] as? String == "supplier feed down")
            #expect(try await card(h, client, "aex_ship_to_country_coverage", as: "owner")["silenced"] is NSNull, "another card is not silenced")

            let expired = try await send(h, client, .delete, "\(silences)/\(id)", as: "operations")
            #expect(expired.status == 200, "\(expired.body)")
            let ended = try object(expired.body)
            #expect(ended["expired_at"] as? String == "2026-03-17T08:00:00Z" && ended["active"] as? Bool == false)
            #expect((try object(try await h.get(client, silences, as: "owner").body)["silences"] as? [Any])?.isEmpty == true, "none active")
            let all = try object(try await h.get(client, silences + "?ended=true", as: "owner").body)["silences"] as? [[String: Any]]
            #expect(all?.compactMap { $0["id"] as? Int } == [id], "ended ones with ?ended=true")
            #expect(try await card(h, client, "aex_rejected_auditing_listings", as: "owner")["silenced"] is NSNull)
            let again = try await send(h, client, .delete, "\(silences)/\(id)", as: "owner")
            #expect(again.status == 409 && again.body.contains("already ended"), "\(again.body)")
            for unknown in ["999", "abc", "-1", "99999999999999999999999"] {
                let missing = try await send(h, client, .delete, "\(silences)/\(unknown)", as: "owner")
                #expect(missing.status == 404 && missing.body.hasPrefix("{\"error\": "), "\(unknown): \(missing.body)")
            }

            // A silence ends by the clock: 1 hour, then the clock moves past it.
            let hour = try await send(h, client, .post, silences, as: "owner", body: #"{"for": "1h", "reason": "deploy"}"#)
            #expect(hour.status == 201)
            #expect(try object(hour.body)["cards"] as? [String] == [], "no cards: every card (the owner sees them all)")
            #expect(try await card(h, client, "aex_total_listings", as: "owner")["silenced"] is [String: Any], "every card, even one without an alert")
            h.clock.set("2026-03-17T09:00:00Z")
            #expect((try object(try await h.get(client, silences, as: "owner").body)["silences"] as? [Any])?.isEmpty == true, "ended at 09:00")
            #expect(try await card(h, client, "aex_total_listings", as: "owner")["silenced"] is NSNull)
        }
    }

    @Test("until and severity: a silence shows on a card only at the level it fires at")
    func untilAndSeverity() async throws {
        let h = try await ServeHarness.make()
        try await h.app.test(.router) { client in
            let warn = try await send(h, client, .post, silences, as: "owner",
                                      body: #"{"cards": ["aex_ship_to_country_coverage"], "severity": "warn", "until": "2026-03-18T08:00:00Z", "reason": "known gap"}"#)
            #expect(warn.status == 201, "\(warn.body)")
            #expect(try object(warn.body)["severity"] as? String == "warn" && (try object(warn.body)["ends_at"] as? String) == "2026-03-18T08:00:00Z")
            #expect(try await card(h, client, "aex_ship_to_country_coverage", as: "owner")["silenced"] is NSNull, "it fires at critical, not warn")
            let critical = try await send(h, client, .post, silences, as: "owner",
                                          body: #"{"cards": ["aex_ship_to_country_coverage"], "severity": "critical", "for": "1d12h", "reason": "known gap"}"#)
            #expect(critical.status == 201)
            #expect(try object(critical.body)["ends_at"] as? String == "2026-03-18T20:00:00Z", "1d12h from 08:00")
            let shown = try #require(try await card(h, client, "aex_ship_to_country_coverage", as: "owner")["silenced"] as? [String: Any])
            #expect(shown["severity"] as? String == "critical")
        }
    }

    @Test("a firing card is acknowledged, with a note or without; the cards show by whom")
    func acknowledgeAFiringCard() async throws {
        let h = try await ServeHarness.make()
        try await h.app.test(.router) { client in
            let uri = "/api/v1/profiles/demo/cards/aex_rejected_auditing_listings/ack"
            let acked = try await send(h, client, .post, uri, as: "operations", body: #"{"note": "  relisting today "}"#)
            #expect(acked.status == 200, "\(acked.body)")
            let ack = try object(acked.body)
            #expect(ack["by"] as? String == "operations" && ack["at"] as? String == "2026-03-17T08:00:00Z" && ack["note"] as? String == "relisting today")
            let stored = try HistoryStore(path: h.path("history.sqlite").path).acknowledgements(profile: "demo")
            #expect(stored.map(\.card) == ["aex_rejected_auditing_listings"] && stored.first?.by == "operations")
            let shown = try #require(try await card(h, client, "aex_rejected_auditing_listings", as: "owner")["acknowledged"] as? [String: Any])
            #expect(shown["by"] as? String == "operations" && shown["note"] as? String == "relisting today")

            // No body at all; the owner acknowledges coverage.
            let bare = try await send(h, client, .post, "/api/v1/profiles/demo/cards/aex_ship_to_country_coverage/ack", as: "owner")
            #expect(bare.status == 200, "\(bare.body)")
            #expect(try object(bare.body)["note"] is NSNull)

            // The cards document carries both members on every card, null where nothing applies.
            let cards = try await h.get(client, "/api/v1/profiles/demo/cards", as: "owner")
            let list = try #require(try object(cards.body)["cards"] as? [[String: Any]])
            #expect(list.count == 5)
            for c in list {
                #expect(c["silenced"] != nil && c["acknowledged"] != nil, "\(c["key"] ?? "?") has both members")
            }
            let acknowledged = list.filter { $0["acknowledged"] is [String: Any] }.compactMap { $0["key"] as? String }
            #expect(acknowledged.sorted() == ["aex_rejected_auditing_listings", "aex_ship_to_country_coverage"])
            // Marketing sees coverage's acknowledgement, and nothing of the other card.
            let marketing = try await h.get(client, "/api/v1/profiles/demo/cards", as: "marketing")
            #expect(marketing.body.contains("\"acknowledged\": {\"by\": \"owner\"") && !marketing.body.contains("relisting"))
        }
    }

    @Test("acknowledging a card that does not fire is 409; one the role does not see is 404")
    func acknowledgeRefusals() async throws {
        let h = try await ServeHarness.make()
        try await h.app.test(.router) { client in
            let none = try await send(h, client, .post, "/api/v1/profiles/demo/cards/aex_total_listings/ack", as: "owner")
            #expect(none.status == 409 && none.body.contains("is not firing"), "\(none.body)")
            let pending = try await send(h, client, .post, "/api/v1/profiles/demo/cards/aex_xc_listed_but_oos_on_bc/ack", as: "owner", body: "{}")
            #expect(pending.status == 409 && pending.body.contains("(pending)"), "\(pending.body)")
            let hidden = try await send(h, client, .post, "/api/v1/profiles/demo/cards/aex_ship_to_country_coverage/ack", as: "operations")
            let missing = try await send(h, client, .post, "/api/v1/profiles/demo/cards/no_such_card/ack", as: "operations")
            #expect(hidden.status == 404 && missing.status == 404)
            #expect(hidden.body.replacingOccurrences(of: "aex_ship_to_country_coverage", with: "X") == missing.body.replacingOccurrences(of: "no_such_card", with: "X"))
            #expect(try HistoryStore(path: h.path("history.sqlite").path).acknowledgements(profile: "demo").isEmpty, "nothing stored")
        }
    }

    @Test("only owner and operations may use silences and acknowledgements; another profile is 404; no token 401")
    func access() async throws {
        let h = try await ServeHarness.make()
        let body = #"{"for": "1h", "reason": "x"}"#
        try await h.app.test(.router) { client in
            let requests: [(HTTPRequest.Method, String, String?)] = [
                (.get, silences, nil), (.post, silences, body), (.delete, silences + "/1", nil),
                (.post, "/api/v1/profiles/demo/cards/aex_ship_to_country_coverage/ack", nil),
            ]
            for (method, uri, payload) in requests {
                for role in ["finance", "marketing"] {
                    let refused = try await send(h, client, method, uri, as: role, body: payload)
                    #expect(refused.status == 403, "\(method) \(uri) as \(role)")
                    #expect(refused.body.contains("need a token of role owner or operations; this token's role is \(role)"), "\(refused.body)")
                }
                let none = try await send(h, client, method, uri, as: nil, body: payload)
                #expect(none.status == 401, "\(method) \(uri) without a token")
                let other = try await send(h, client, method, uri, as: "other-owner", body: payload)
                let unknown = try await send(h, client, method, uri.replacingOccurrences(of: "/demo/", with: "/zzzz/"), as: "other-owner", body: payload)
                #expect(other.status == 404 && unknown.status == 404, "\(method) \(uri) with another profile's token")
                #expect(other.body.replacingOccurrences(of: "demo", with: "X") == unknown.body.replacingOccurrences(of: "zzzz", with: "X"))
            }
            #expect(try HistoryStore(path: h.path("history.sqlite").path).silences(profile: "demo", now: 0, ended: true).isEmpty, "nothing stored")
        }
    }

    @Test("bad bodies are 400 naming what is wrong; an unknown card gets a suggestion; a large body 413")
    func badBodies() async throws {
        let h = try await ServeHarness.make()
        let long = String(repeating: "x", count: 501)
        try await h.app.test(.router) { client in
            let cases: [(String, String)] = [
                (#"{"for": "4h"}"#, "reason is required"),
                (#"{"for": "4h", "reason": "   "}"#, "reason is empty"),
                (#"{"for": "4h", "reason": "\#(long)"}"#, "reason is longer than 500 characters"),
                (#"{"for": "4h", "until": "2026-03-18T08:00:00Z", "reason": "x"}"#, "give one of for or until, not both"),
                (#"{"reason": "x"}"#, "give one of for (a duration such as 4h) or until"),
                (#"{"for": "0s", "reason": "x"}"#, "for must be a duration longer than 0s (e.g. 4h, 90m, 1d12h), not '0s'"),
                (#"{"for": "4 hours", "reason": "x"}"#, "for must be a duration longer than 0s"),
                (#"{"for": "91d", "reason": "x"}"#, "for 91d is longer than 90 days"),
                (#"{"for": 4, "reason": "x"}"#, "for must be a string, not an integer"),
                (#"{"until": "2026-03-17T07:00:00Z", "reason": "x"}"#, "is not in the future (now is 2026-03-17T08:00:00Z)"),
                (#"{"until": "2026-07-01T00:00:00Z", "reason": "x"}"#, "is more than 90 days away"),
                (#"{"until": "tomorrow", "reason": "x"}"#, "until must be an RFC 3339 time"),
                (#"{"cards": ["aex_total_listing"], "for": "4h", "reason": "x"}"#, "no card 'aex_total_listing'; did you mean 'aex_total_listings'?"),
                (#"{"cards": "aex_total_listings", "for": "4h", "reason": "x"}"#, "cards must be a list of card keys, not a string"),
                (#"{"cards": [1], "for": "4h", "reason": "x"}"#, "cards must be a list of strings"),
                (#"{"severity": "info", "for": "4h", "reason": "x"}"#, "severity must be warn or critical"),
                (#"{"for": "4h", "resaon": "x"}"#, "unknown field 'resaon' in the body; did you mean 'reason'?"),
                (#"{"for": "4h", "reason": "x""#, "the body is not valid JSON"),
                (#"{"for": "4h", "for": "1h", "reason": "x"}"#, "the body is not valid JSON"),
                ("[1, 2]", "the body must be a JSON object"),
                ("", "a JSON body is needed"),
            ]
            for (body, message) in cases {
                let got = try await send(h, client, .post, silences, as: "owner", body: body)
                #expect(got.status == 400, "\(body.prefix(60)): \(got.status) \(got.body)")
                #expect(got.body.hasPrefix("{\"error\": ") && got.body.contains(message), "\(body.prefix(60)): \(got.body)")
            }
            // A card operations may not see reads like one that does not exist.
            let hidden = try await send(h, client, .post, silences, as: "operations",
                                        body: #"{"cards": ["aex_ship_to_country_coverage"], "for": "4h", "reason": "x"}"#)
            #expect(hidden.status == 400 && hidden.body.contains("no card 'aex_ship_to_country_coverage'"))
            let notes = try await send(h, client, .post, "/api/v1/profiles/demo/cards/aex_rejected_auditing_listings/ack", as: "owner",
                                       body: #"{"note": 5}"#)
            #expect(notes.status == 400 && notes.body.contains("note must be a string"))
            let list = try await h.get(client, silences + "?ended=maybe", as: "owner")
            #expect(list.status == 400 && list.body.contains("ended must be true or false"))

            let big = #"{"for": "4h", "reason": "\#(String(repeating: "y", count: 17_000))"}"#
            let tooLarge = try await send(h, client, .post, silences, as: "owner", body: big)
            #expect(tooLarge.status == 413 && tooLarge.body.contains("over 16 KB"), "\(tooLarge.body.prefix(200))")
            let ackLarge = try await send(h, client, .post, "/api/v1/profiles/demo/cards/aex_rejected_auditing_listings/ack", as: "owner",
                                          body: #"{"note": "\#(String(repeating: "z", count: 17_000))"}"#)
            #expect(ackLarge.status == 413)
            #expect(try HistoryStore(path: h.path("history.sqlite").path).silences(profile: "demo", now: 0, ended: true).isEmpty, "nothing stored")
            #expect(try HistoryStore(path: h.path("history.sqlite").path).acknowledgements(profile: "demo").isEmpty)
        }
    }

    @Test("a role's silences name only the cards it sees, and another role sees only its own of them")
    func silencesKeepToTheRolesCards() async throws {
        let h = try await ServeHarness.make()
        try await h.app.test(.router) { client in
            // Operations silences "every card": every card operations sees, not coverage.
            let ops = try await send(h, client, .post, silences, as: "operations", body: #"{"for": "2h", "reason": "maintenance"}"#)
            #expect(ops.status == 201, "\(ops.body)")
            let cards = try #require(try object(ops.body)["cards"] as? [String])
            #expect(Set(cards) == ["aex_total_listings", "aex_rejected_auditing_listings", "aex_rejected_listings_24h", "aex_xc_listed_but_oos_on_bc"])
            #expect(try await card(h, client, "aex_ship_to_country_coverage", as: "owner")["silenced"] is NSNull)
            // The owner's silence of two cards, one of which operations cannot see.
            let both = try await send(h, client, .post, silences, as: "owner",
                                      body: #"{"cards": ["aex_ship_to_country_coverage", "aex_rejected_auditing_listings"], "for": "3h", "reason": "audit"}"#)
            #expect(both.status == 201)
            let listed = try await h.get(client, silences, as: "operations")
            #expect(!listed.body.contains("aex_ship_to_country_coverage"), "operations never learns of a card it cannot see")
            let items = try #require(try object(listed.body)["silences"] as? [[String: Any]])
            #expect(items.count == 2)
            #expect(items.first?["cards"] as? [String] == ["aex_rejected_auditing_listings"], "newest first, cut to operations' cards")
            // Marketing's coverage card shows the owner's silence, naming only coverage.
            let marketing = try await h.get(client, "/api/v1/profiles/demo/cards/aex_ship_to_country_coverage", as: "marketing")
            let shown = try #require(try object(marketing.body)["card"] as? [String: Any])
            let silence = try #require(shown["silenced"] as? [String: Any])
            #expect(silence["cards"] as? [String] == ["aex_ship_to_country_coverage"] && silence["reason"] as? String == "audit")
            #expect(!marketing.body.contains("aex_rejected_auditing_listings"))
            // A silence of coverage only is not operations' to see or expire.
            let coverage = try await send(h, client, .post, silences, as: "owner",
                                          body: #"{"cards": ["aex_ship_to_country_coverage"], "for": "3h", "reason": "campaign"}"#)
            let id = try #require(try object(coverage.body)["id"] as? Int)
            #expect(try await send(h, client, .delete, "\(silences)/\(id)", as: "operations").status == 404)
            #expect(!(try await h.get(client, silences, as: "operations").body.contains("campaign")))
            #expect(try await send(h, client, .delete, "\(silences)/\(id)", as: "owner").status == 200)
        }
    }

    @Test("the served cards document is eval's, plus silenced and acknowledged on each card")
    func servedCardsAreEvalsPlusTheLifecycle() async throws {
        let h = try await ServeHarness.make()
        let options = try EvalRunner.Options.parse([
            "--cards", h.path("cards").path, "--profiles", h.path("profiles").path, "--profile", "demo",
            "--snapshot", h.path("snapshots/demo/2026-03-17").path, "--format", "json", "--role", "operations", "--max-rows", "50",
            "--db", h.path("history.sqlite").path, "--now", "2026-03-17T08:00:00Z",
        ])
        let expected = await EvalRunner.run(options).allStdout
        try await h.app.test(.router) { client in
            _ = try await send(h, client, .post, silences, as: "owner", body: #"{"cards": ["aex_total_listings"], "for": "4h", "reason": "r"}"#)
            _ = try await send(h, client, .post, "/api/v1/profiles/demo/cards/aex_rejected_auditing_listings/ack", as: "owner")
            for _ in 0..<2 {   // the second answer comes from the document cache
                let got = try await h.get(client, "/api/v1/profiles/demo/cards", as: "operations")
                let lines = got.body.split(separator: "\n", omittingEmptySubsequences: false)
                let lifecycle = lines.filter { $0.hasPrefix("      \"silenced\": ") || $0.hasPrefix("      \"acknowledged\": ") }
                #expect(lifecycle.count == 8, "two members on each of operations' four cards")
                #expect(lifecycle.filter { !$0.hasSuffix(": null,") }.count == 2, "one silenced, one acknowledged")
                let rest = lines.filter { !($0.hasPrefix("      \"silenced\": ") || $0.hasPrefix("      \"acknowledged\": ")) }.joined(separator: "\n")
                #expect(rest == expected, "the rest is eval's document")
            }
        }
    }

    @Test("the dashboard's session may change silences only with the header its script sends")
    func sessionChangesNeedTheDashboardsHeader() async throws {
        let h = try await ServeHarness.make()
        try await h.app.test(.router) { client in
            let token = try #require(h.tokens["operations"])
            let cookie = try await client.execute(uri: "/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                                                  body: ByteBuffer(string: "token=" + token)) { response in
                response.headers[.setCookie]?.split(separator: ";").first.map(String.init)
            }
            let session = try #require(cookie)
            #expect(session.hasPrefix(SessionBook.cookieName + "="))
            let listed = try await send(h, client, .get, silences, as: nil, headers: [.cookie: session])
            #expect(listed.status == 200, "reading needs no header")
            let body = #"{"cards": ["aex_total_listings"], "for": "1h", "reason": "checking"}"#
            let plain = try await send(h, client, .post, silences, as: nil, body: body, headers: [.cookie: session])
            #expect(plain.status == 403 && plain.body.contains("X-Requested-With"), "\(plain.body)")
            var headers: HTTPFields = [.cookie: session]
            if let name = HTTPField.Name("X-Requested-With") { headers[name] = "pulse-dashboard" }
            let made = try await send(h, client, .post, silences, as: nil, body: body, headers: headers)
            #expect(made.status == 201, "\(made.body)")
            #expect(try object(made.body)["by"] as? String == "operations", "by: the session's token name")
        }
    }
}
