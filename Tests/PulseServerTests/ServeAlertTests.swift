import Foundation
import Hummingbird
import HummingbirdTesting
import PulseConfig
import PulseHistory
@testable import PulseServer
import Testing

/// What `pulse serve` tells about alerts: a trigger changed while serving is judged at once (the
/// dashboard, /alerts and the history agree), data turns stale as the clock moves, and states
/// and severities reach the metrics.
@Suite struct ServeAlertTests {
    @Test("a trigger changed while serving resolves the alert within one reload, in /alerts, the cards and the history")
    func aChangedTriggerResolvesAtOnce() async throws {
        let h = try await ServeHarness.make()
        let firing = try HistoryStore(path: h.path("history.sqlite").path).activeAlerts(profile: "demo")
        #expect(firing.contains { $0.card == "aex_ship_to_country_coverage" && $0.severity == .critical }, "79.2% is under critical's 90")
        // The merchant lowers the coverage thresholds: 79.2% is fine now.
        let profile = h.path("profiles/demo.yaml")
        let text = try String(contentsOf: profile, encoding: .utf8)
        try ServeHarness.write(text.replacingOccurrences(of: #"alert: {warn: "< 95", critical: "< 90"}"#, with: #"alert: {warn: "< 70", critical: "< 50"}"#), to: profile)
        h.engine.requestReload()
        await h.engine.tickNow()
        #expect(h.engine.state.current.profiles["demo"]?.served?.result("aex_ship_to_country_coverage")?.state == .ok)
        let store = try HistoryStore(path: h.path("history.sqlite").path)
        #expect(!(try store.activeAlerts(profile: "demo")).contains { $0.card == "aex_ship_to_country_coverage" })
        let latest = try #require(try store.transitions(profile: "demo", since: nil).first)
        #expect(latest.card == "aex_ship_to_country_coverage" && latest.to == "resolved" && latest.severity == .critical)
        #expect(latest.reason.hasPrefix("re-evaluated with the current config"))
        #expect(try store.series(profile: "demo", card: "aex_ship_to_country_coverage", since: nil).count == 1, "one value per snapshot")
        try await h.app.test(.router) { client in
            let alerts = try await h.get(client, "/api/v1/profiles/demo/alerts", as: "owner")
            #expect(!alerts.body.contains("\"card\": \"aex_ship_to_country_coverage\", \"title\": \"AliExpress Ship-to Country Coverage\", \"state\": \"firing\""))
            #expect(alerts.body.contains("\"to\": \"resolved\", \"severity\": \"critical\""), "\(alerts.body)")
            let cards = try await h.get(client, "/api/v1/profiles/demo/cards/aex_ship_to_country_coverage", as: "owner")
            #expect(cards.body.contains("\"state\": \"ok\""))
        }
        // Back to the first thresholds: critical again, from the same snapshot.
        try ServeHarness.write(text, to: profile)
        h.engine.requestReload()
        await h.engine.tickNow()
        let again = try #require(try store.transitions(profile: "demo", since: nil).first)
        #expect(again.to == "firing" && again.severity == .critical)
    }

    @Test("served data turns stale as the clock moves, without a new snapshot; nothing is recorded; the page says how old")
    func staleByItself() async throws {
        let h = try await ServeHarness.make()
        let before = try #require(h.engine.state.current.profiles["demo"])
        #expect(before.served?.results.contains { $0.state == .stale } == false)
        h.clock.set("2026-03-18T09:00:01Z")   // 25h and a second after taken_at; base.yaml says 25h
        await h.engine.tickNow()
        let after = try #require(h.engine.state.current.profiles["demo"])
        #expect(after.version > before.version, "a new version: an open dashboard reloads")
        let coverage = try #require(after.served?.result("aex_ship_to_country_coverage"))
        #expect(coverage.state == .stale && coverage.alertState == .firing && coverage.severity == .critical)
        let store = try HistoryStore(path: h.path("history.sqlite").path)
        #expect(try store.evaluationCount() == 2, "only the first evaluation of each profile: staleness records nothing")
        #expect(try store.activeAlerts(profile: "demo").contains { $0.card == "aex_ship_to_country_coverage" }, "the alert state is unchanged")
        try await h.app.test(.router) { client in
            let page = try await h.get(client, "/", as: "owner")
            #expect(page.body.contains("◌ Stale"))
            #expect(page.body.contains("Stale: the aliexpress data is older than its stale_after of 25h."))
            #expect(page.body.contains("data from 08:00 yesterday, 25 hours ago"), "Europe/London, the demo's zone")
            #expect(page.body.contains("The alert is not judged on stale data; it stays firing (critical)."))
            let metrics = try await h.get(client, "/metrics", as: "owner")
            #expect(metrics.body.contains("pulse_card_stale{profile=\"demo\",card=\"aex_ship_to_country_coverage\"} 1.0"), "\(metrics.body)")
        }
        // Judging again without a change does not bump the version.
        let version = h.engine.state.current.profiles["demo"]?.version
        await h.engine.tickNow()
        #expect(h.engine.state.current.profiles["demo"]?.version == version)
    }

    @Test("the page and metrics tell warn from critical and a card without an alert from ok, in words")
    func levelsOnThePageAndInMetrics() async throws {
        let h = try await ServeHarness.make(snapshots: ["demo", "demo-next"])
        try await h.app.test(.router) { client in
            let page = try await h.get(client, "/", as: "owner")
            #expect(page.body.contains("△ Warning"), "coverage 93.1% is under warn's 95")
            #expect(page.body.contains("▲ Critical"))
            #expect(page.body.contains("– No alert set"))
            #expect(page.body.contains("warn when &lt; 95, critical when &lt; 90"))
            #expect(page.body.contains("1 of 526 listing SKUs (0.2%) has no BigCommerce stock record, e.g. LAMP-022-GRN"))
            let metrics = try await h.get(client, "/metrics", as: "owner")
            #expect(metrics.body.contains("pulse_card_severity{profile=\"demo\",card=\"aex_ship_to_country_coverage\"} 1.0"), "\(metrics.body)")
            #expect(metrics.body.contains("pulse_card_severity{profile=\"demo\",card=\"aex_rejected_auditing_listings\"} 2.0"))
            #expect(metrics.body.contains("pulse_card_unmatched_skus{profile=\"demo\",card=\"aex_xc_listed_but_oos_on_bc\"} 1.0"))
            #expect(metrics.body.contains("pulse_card_data_age_seconds{profile=\"demo\",card=\"aex_total_listings\"}"))
        }
    }
}
