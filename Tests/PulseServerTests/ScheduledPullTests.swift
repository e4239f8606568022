import Foundation
import PulseConnectors
@testable import PulseFakeVendors
@testable import PulseServer
import Testing

/// `--pull-every`: the server runs a profile's connectors itself (here against the loopback fake
/// of both vendors), serves what they pull, and reports a pull that fails.
@Suite struct ScheduledPullTests {
    private func store(listings: Int) -> FakeStore {
        var store = FakeStore()
        store.templates = [FakeStore.Template(id: 1, name: "Standard", countries: ["US", "GB"])]
        for i in 0..<listings {
            store.listings.append(FakeStore.Listing(id: 1_005_006_000_000_000 + Int64(i), status: "onSelling", subject: "Item \(i)", templateID: 1,
                                                    skus: [FakeStore.SKU(code: "SKU-\(i)", stock: 3)]))
            store.products.append(FakeStore.Product(id: Int64(100 + i), variants: [FakeStore.Variant(id: Int64(1000 + i), sku: "SKU-\(i)", level: i == 0 ? 0 : 5)]))
        }
        return store
    }

    /// Loads the config, starts the due pulls, waits for them, and serves what they wrote.
    private func pullAndServe(_ engine: ServeEngine) async {
        await engine.loadConfig()
        await engine.tick()
        await engine.waitForPulls()
        await engine.tick()
    }

    @Test func aScheduledPullIsServedAndAFailedOneIsReported() async throws {
        let server = FakeVendorServer(store: store(listings: 12))
        try await server.start()
        let h = try await ServeHarness.make()
        try ServeHarness.write("profile: shop\nextends: base\npriority_markets: [US]\n" + server.profileSources(), to: h.path("profiles/shop.yaml"))
        var settings = ServeHarness.settings(h.root, clock: h.clock)
        settings.pullEvery = .init(seconds: 3600)
        settings.environment = FakeVendorServer.credentials
        let engine = try ServeEngine(settings: settings, logger: ServeHarness.logger)
        await pullAndServe(engine)
        let view = try #require(engine.state.current.profiles["shop"])
        #expect(view.pullProblem == nil)
        let served = try #require(view.served, "the pulled snapshot is served")
        #expect(served.folder.hasPrefix(h.path("snapshots/shop").path))
        #expect(served.result("aex_total_listings")?.value == 12)
        #expect(served.result("aex_xc_listed_but_oos_on_bc")?.value == 1)
        // Not due again for an hour: a second tick pulls nothing.
        let calls = server.state.withLockedValue { $0.calls.values.reduce(0, +) }
        await engine.tick()
        await engine.waitForPulls()
        #expect(server.state.withLockedValue { $0.calls.values.reduce(0, +) } == calls)

        // The vendors go away: the next due pull fails, is reported and counted, and the last
        // snapshot stays served.
        await server.stop()
        // (A second service, over a copy of the pulled snapshot: pull folders are named by the second.)
        try FileManager.default.createDirectory(at: h.path("snapshots-b/shop"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: served.folder, toPath: h.path("snapshots-b/shop/previous").path)
        var failing = settings
        failing.snapshotsDir = h.path("snapshots-b").path
        failing.pullEvery = .init(seconds: 60)
        failing.pullBackoff = Backoff(base: 0.01, cap: 0.02, tries: 2, rateLimitedTries: 2)
        let again = try ServeEngine(settings: failing, logger: ServeHarness.logger)
        await pullAndServe(again)
        let after = try #require(again.state.current.profiles["shop"])
        #expect(after.pullProblem?.message.contains("connection refused") == true, "\(String(describing: after.pullProblem))")
        #expect(after.served?.folder == h.path("snapshots-b/shop/previous").path, "the last good snapshot stays served")
        let metrics = String(decoding: again.metrics.exposition(profile: "shop"), as: UTF8.self)
        #expect(metrics.contains("pulse_pull_errors_total{profile=\"shop\",source=\"bigcommerce\"} 1"))
    }
}
