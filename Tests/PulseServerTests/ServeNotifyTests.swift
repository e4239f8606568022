import Foundation
import PulseConfig
import PulseConnectors
import PulseFakeVendors
import PulseHistory
@testable import PulseServer
import Testing

/// `pulse serve` delivers what its evaluations queue: a snapshot's arrival reaches Slack once,
/// a failing receiver is retried by a later tick, and a scheduled pull that fails is notified.
@Suite struct ServeNotifyTests {
    static let notifications = """

        notifications:
          channels:
            ops: {type: slack, url: "${SLACK_URL}"}
          routes:
            - to: [ops]

        """

    @Test("a new snapshot reaches the Slack receiver once per evaluation; a failing receiver is retried by a later tick")
    func snapshotToSlack() async throws {
        let r = try await Receiver.start()
        let h = try await ServeHarness.make(demoExtra: Self.notifications, environment: ["SLACK_URL": r.url("slack")])
        await h.engine.tick()
        await h.engine.waitForDeliveries()
        #expect(r.requests("slack").count == 1)
        let day1 = try #require(r.requests("slack").first?.json as? [String: Any])
        #expect((day1["text"] as? String)?.contains("Pulse demo") == true, "\(day1)")
        // Nothing new: nothing sent.
        await h.engine.tick()
        await h.engine.waitForDeliveries()
        #expect(r.requests("slack").count == 1)
        // Day 2 arrives while Slack is down: queued, failed, retried once it is back.
        r.set("slack", .status(500, body: "internal_error"))
        try FileManager.default.copyItem(at: Repo.root.appendingPathComponent("examples/demo-next"),
                                         to: h.path("snapshots/demo/2026-03-18"))
        h.clock.set("2026-03-18T08:00:00Z")
        await h.engine.tick()
        await h.engine.waitForDeliveries()
        let failed = r.requests("slack").count
        #expect(failed > 1)
        let store = try HistoryStore(path: h.path("history.sqlite").path)
        let status = try #require(try store.channelStatuses(profile: "demo").first)
        #expect(status.pending > 0 && status.lastError?.contains("internal_error") == true, "\(status)")
        r.set("slack", .status(200))
        h.clock.set("2026-03-18T08:10:00Z")   // past the retry time
        await h.engine.tick()
        await h.engine.waitForDeliveries()
        #expect(r.requests("slack").count == failed + 1)
        #expect(try store.channelStatuses(profile: "demo").first?.pending == 0)
        await r.stop()
    }

    @Test("a scheduled pull that fails is a pull_failed notification")
    func pullFailedIsNotified() async throws {
        let r = try await Receiver.start()
        let h = try await ServeHarness.make()
        let dead = "http://127.0.0.1:1"
        try ServeHarness.write("""
            profile: shop
            extends: base
            sources:
              bigcommerce: {store_hash: abc123, access_token: "${TEST_BC_TOKEN}", api_base: "\(dead)"}
            notifications:
              channels:
                ops: {type: webhook, url: "${HOOK_URL}"}
              routes:
                - match: {events: [pull_failed]}
                  to: [ops]

            """, to: h.path("profiles/shop.yaml"))
        var settings = ServeHarness.settings(h.root, clock: h.clock)
        settings.pullEvery = .init(seconds: 3600)
        settings.environment = ["TEST_BC_TOKEN": "t0ken", "HOOK_URL": r.url("hook")]
        settings.pullBackoff = Backoff(base: 0.01, cap: 0.02, tries: 2, rateLimitedTries: 2)
        let engine = try ServeEngine(settings: settings, logger: ServeHarness.logger)
        await engine.loadConfig()
        await engine.tick()
        await engine.waitForPulls()
        await engine.tick()
        await engine.waitForDeliveries()
        let body = try #require(r.requests("hook").first?.json as? [String: Any])
        let event = try #require((body["events"] as? [[String: Any]])?.first)
        #expect(event["event"] as? String == "pull_failed")
        #expect((event["title"] as? String)?.contains("Scheduled pull failed") == true)
        #expect((event["reason"] as? String)?.contains("connection refused") == true, "\(event)")
        #expect(!(r.requests("hook").first?.body.contains("t0ken") ?? true), "no secret in a notification")
        await r.stop()
    }
}
