import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
@testable import PulseCLI
@testable import PulseServer
import Testing

/// The JSON API and its access rules: a token sees its own profile, and only its role's cards,
/// from every endpoint.
@Suite struct APIAccessTests {
    @Test func healthNeedsNoTokenEverythingElseDoes() async throws {
        let h = try await ServeHarness.make()
        try await h.app.test(.router) { client in
            let health = try await h.get(client, "/healthz", as: nil)
            #expect(health.status == 200)
            #expect(health.body.contains("\"status\":\"ok\""))
            for uri in ["/api/v1/profiles/demo/cards", "/api/v1/profiles/demo/cards/aex_total_listings", "/api/v1/profiles/demo/alerts",
                        "/api/v1/status", "/metrics", "/api/v1/profiles/demo/cards/aex_total_listings/history"] {
                let none = try await h.get(client, uri, as: nil)
                #expect(none.status == 401, "\(uri) without a token")
                #expect(none.body.contains("\"error\""))
                let wrong = try await h.get(client, uri, as: "pulse_not-a-real-token")
                #expect(wrong.status == 401, "\(uri) with a wrong token")
                #expect(!wrong.body.contains("292"), "no value leaks to a wrong token")
            }
        }
    }

    @Test func cardsDocumentIsWhatEvalPrintsForTheRole() async throws {
        let h = try await ServeHarness.make()
        for role in ["owner", "operations", "finance", "marketing"] {
            let options = try EvalRunner.Options.parse([
                "--cards", h.path("cards").path, "--profiles", h.path("profiles").path, "--profile", "demo",
                "--snapshot", h.path("snapshots/demo/2026-03-17").path, "--format", "json", "--role", role, "--max-rows", "50",
                "--db", h.path("history.sqlite").path, "--now", "2026-03-17T08:00:00Z",
            ])
            let expected = await EvalRunner.run(options).allStdout
            try await h.app.test(.router) { client in
                let got = try await h.get(client, "/api/v1/profiles/demo/cards", as: role)
                #expect(got.status == 200)
                #expect(got.headers[.contentType]?.hasPrefix("application/json") == true)
                // The served cards add "silenced" and "acknowledged" (LifecycleRoutes), one line each.
                let served = got.body.split(separator: "\n", omittingEmptySubsequences: false)
                    .filter { !$0.hasPrefix("      \"silenced\": ") && !$0.hasPrefix("      \"acknowledged\": ") }.joined(separator: "\n")
                #expect(served == expected, "the API's document for \(role) is eval's, plus silenced and acknowledged")
                #expect(!got.body.contains("\"recorded\":") && !got.body.contains(h.root.path), "no recording block, no paths")
            }
        }
    }

    @Test func aRoleLearnsNothingOfCardsItMayNotSee() async throws {
        let h = try await ServeHarness.make()
        // A second day, so that the history holds transitions (coverage fires, then resolves).
        try FileManager.default.copyItem(at: Repo.root.appendingPathComponent("examples/demo-next"), to: h.path("snapshots/demo/2026-03-18"))
        await h.engine.tickNow()
        try await h.app.test(.router) { client in
            // marketing sees the coverage card only; finance the out-of-stock card only.
            let hidden = ["aex_total_listings", "aex_rejected_auditing_listings", "aex_rejected_listings_24h", "aex_xc_listed_but_oos_on_bc"]
            let cards = try await h.get(client, "/api/v1/profiles/demo/cards?max_rows=1000", as: "marketing")
            #expect(cards.status == 200)
            #expect(cards.body.contains("aex_ship_to_country_coverage"))
            for key in hidden {
                #expect(!cards.body.contains(key), "the cards document does not name \(key)")
                let missing = try await h.get(client, "/api/v1/profiles/demo/cards/no_such_card", as: "marketing")
                let card = try await h.get(client, "/api/v1/profiles/demo/cards/\(key)", as: "marketing")
                #expect(card.status == 404 && missing.status == 404)
                #expect(card.body.replacingOccurrences(of: key, with: "X") == missing.body.replacingOccurrences(of: "no_such_card", with: "X"),
                        "a hidden card reads exactly like a card that does not exist")
                let csv = try await h.get(client, "/api/v1/profiles/demo/cards/\(key)?format=csv", as: "marketing")
                #expect(csv.status == 404)
                let history = try await h.get(client, "/api/v1/profiles/demo/cards/\(key)/history?since=30d", as: "marketing")
                #expect(history.status == 404)
            }
            let alerts = try await h.get(client, "/api/v1/profiles/demo/alerts?since=30d", as: "marketing")
            #expect(alerts.status == 200)
            for key in hidden { #expect(!alerts.body.contains(key), "alerts do not name \(key)") }
            #expect(alerts.body.contains("aex_ship_to_country_coverage"), "marketing's own card fired and is listed")
            let ownerAlerts = try await h.get(client, "/api/v1/profiles/demo/alerts?since=30d", as: "owner")
            #expect(ownerAlerts.body.contains("aex_rejected_auditing_listings"), "the owner sees the same history whole")
            // Owner-only endpoints refuse other roles without saying anything about the profile's cards.
            for uri in ["/metrics", "/api/v1/status"] {
                let refused = try await h.get(client, uri, as: "marketing")
                #expect(refused.status == 403)
                for key in hidden { #expect(!refused.body.contains(key)) }
            }
            let finance = try await h.get(client, "/api/v1/profiles/demo/cards", as: "finance")
            #expect(finance.body.contains("aex_xc_listed_but_oos_on_bc") && !finance.body.contains("aex_ship_to_country_coverage"))
        }
    }

    @Test func anotherProfileIsNotFoundAndNeverConfirmed() async throws {
        let h = try await ServeHarness.make()
        try await h.app.test(.router) { client in
            for suffix in ["cards", "cards/aex_total_listings", "cards/aex_total_listings/history", "alerts", "served"] {
                let real = try await h.get(client, "/api/v1/profiles/demo/\(suffix)", as: "other-owner")
                let unknown = try await h.get(client, "/api/v1/profiles/zzzz/\(suffix)", as: "other-owner")
                #expect(real.status == 404 && unknown.status == 404, "\(suffix)")
                #expect(real.body.replacingOccurrences(of: "demo", with: "X") == unknown.body.replacingOccurrences(of: "zzzz", with: "X"),
                        "a profile that exists reads exactly like one that does not (\(suffix))")
            }
            let metrics = try await h.get(client, "/metrics", as: "other-owner")
            #expect(metrics.status == 200)
            #expect(metrics.body.contains("profile=\"other\"") && !metrics.body.contains("profile=\"demo\""), "metrics carry the token's profile only")
            let status = try await h.get(client, "/api/v1/status", as: "other-owner")
            #expect(status.body.contains("\"profile\": \"other\"") && !status.body.contains("snapshots/demo"))
        }
    }

    @Test func hostileRequestsAreRefusedPlainly() async throws {
        let h = try await ServeHarness.make()
        try await h.app.test(.router) { client in
            let long = String(repeating: "7", count: 1025)
            for (uri, status) in [
                ("/api/v1/profiles/demo/cards?max_rows=abc", 400), ("/api/v1/profiles/demo/cards?max_rows=100001", 400),
                ("/api/v1/profiles/demo/cards?max_rows=-1", 400), ("/api/v1/profiles/demo/cards?max_rows=99999999999999999999999", 400),
                ("/api/v1/profiles/demo/cards/aex_total_listings?offset=-5", 400), ("/api/v1/profiles/demo/cards/aex_total_listings?limit=1e3", 400),
                ("/api/v1/profiles/demo/cards/aex_total_listings?format=xml", 400), ("/api/v1/profiles/demo/alerts?since=yesterday", 400),
                ("/api/v1/profiles/demo/alerts?since=\(long)", 400), ("/api/v1/profiles/demo/cards?\(long)=1", 400),
                ("/api/v1/profiles/..%2F..%2Fetc/cards", 404), ("/api/v1/profiles/demo/cards/..%2F..%2F..%2Fetc%2Fpasswd", 404),
                ("/api/v1/profiles/demo/cards/%00", 404), ("/api/v1/profiles/../cards", 404), ("/api/v1/profiles/demo/cards/nope", 404),
            ] {
                let got = try await h.get(client, uri, as: "owner")
                #expect(got.status == status, "\(uri.prefix(80))")
                #expect(got.body.hasPrefix("{\"error\": "), "\(uri.prefix(80)) answers JSON {error}")
                #expect(!got.body.contains("root:"), "no file is read")
            }
        }
    }

    @Test func oneCardPagesItsWorklistAndDownloadsItAsCSV() async throws {
        let h = try await ServeHarness.make()
        try await h.app.test(.router) { client in
            let page = try await h.get(client, "/api/v1/profiles/demo/cards/aex_rejected_auditing_listings?offset=5&limit=3", as: "owner")
            #expect(page.status == 200)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(page.body.utf8)) as? [String: Any])
            let card = try #require(json["card"] as? [String: Any])
            #expect(json["offset"] as? Int == 5 && json["limit"] as? Int == 3)
            #expect((card["rows"] as? [Any])?.count == 3)
            #expect(card["row_count"] as? Int == 28)
            let beyond = try await h.get(client, "/api/v1/profiles/demo/cards/aex_rejected_auditing_listings?offset=1000", as: "owner")
            #expect(beyond.status == 200 && beyond.body.contains("\"rows\": []"))
            let csv = try await h.get(client, "/api/v1/profiles/demo/cards/aex_rejected_auditing_listings?format=csv", as: "owner")
            #expect(csv.status == 200)
            #expect(csv.headers[.contentType]?.hasPrefix("text/csv") == true)
            #expect(csv.headers[.contentDisposition]?.contains("demo-aex_rejected_auditing_listings.csv") == true)
            let lines = csv.body.split(separator: "\r\n", omittingEmptySubsequences: true)
            #expect(lines.first == "listing,status,reason")
            #expect(lines.count == 29, "a header and all 28 rows")
        }
    }

    @Test func statusAndEvaluateNeedAnOwner() async throws {
        let h = try await ServeHarness.make()
        try await h.app.test(.router) { client in
            let status = try await h.get(client, "/api/v1/status", as: "owner")
            #expect(status.status == 200)
            #expect(status.body.contains("\"taken_at\": \"2026-03-17T08:00:00Z\"") && status.body.contains("\"ok\": true"))
            let refused = try await client.execute(uri: "/api/v1/profiles/demo/evaluate", method: .post,
                                                   headers: [.authorization: "Bearer " + h.tokens["operations"]!]) { $0.status.code }
            #expect(refused == 403)
            let done = try await client.execute(uri: "/api/v1/profiles/demo/evaluate", method: .post,
                                                headers: [.authorization: "Bearer " + h.tokens["owner"]!]) { String(buffer: $0.body) }
            #expect(done.contains("\"evaluated\": true"))
        }
    }

    @Test func metricsAreValidExpositionForTheOwnersCards() async throws {
        let h = try await ServeHarness.make()
        try await h.app.test(.router) { client in
            let m = try await h.get(client, "/metrics", as: "owner")
            #expect(m.status == 200)
            #expect(m.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
            for metric in ServeMetric.allCases where ![.pullErrors, .notificationsSent, .notificationFailures].contains(metric) {  // counters appear with their first event
                #expect(m.body.contains("# TYPE \(metric.name) "), "\(metric.name) is exposed")
            }
            #expect(m.body.contains("pulse_card_value{profile=\"demo\",card=\"aex_total_listings\"} 292.0"))
            #expect(m.body.contains("pulse_config_reload_success 1.0"))
            // Every sample line: name{labels} value.
            for line in m.body.split(separator: "\n") where !line.hasPrefix("#") {
                #expect(line.range(of: #"^pulse_[a-z_]+(\{[a-z_]+="[^"\n]*"(,[a-z_]+="[^"\n]*")*\})? [-+0-9.eInfNa]+$"#, options: .regularExpression) != nil,
                        "\(line)")
            }
        }
    }

    @Test func tokenNewPrintsAWorkingLine() throws {
        let out = ServeRunner.newToken(profile: "demo", role: "owner", name: "ops laptop")
        let token = try #require(out.stdout.split(separator: "\n").first?.split(separator: " ").last.map(String.init))
        #expect(token.count >= 40)
        #expect(out.stdout.contains("sha256: \"\(TokenMaker.sha256Hex(token))\""))
        let refused = ServeRunner.newToken(profile: "demo", role: "owner", name: "a\"b")
        #expect(refused.exitCode == 2)
    }
}
