import Foundation
import Logging
import PulseHistory
@testable import PulseFakeVendors
@testable import PulseServer
import ServiceLifecycle
import Testing

/// Issue 24, item 8: SIGTERM cancels a scheduled pull in progress instead of waiting for it; a
/// second serve on a busy port fails before it evaluates or records anything.
@Suite struct ServeShutdownTests {
    @Test func aGracefulShutdownCancelsAScheduledPullInProgress() async throws {
        var store = FakeStore()
        store.templates = [FakeStore.Template(id: 1, name: "Standard", countries: ["US"])]
        store.listings = [FakeStore.Listing(id: 1_005_006_000_000_001, status: "onSelling", subject: "Item", templateID: 1,
                                            skus: [FakeStore.SKU(code: "SKU-1", stock: 3)])]
        store.products = [FakeStore.Product(id: 100, variants: [FakeStore.Variant(id: 1000, sku: "SKU-1", level: 5)])]
        let server = FakeVendorServer(store: store)
        try await server.start()
        let (events, event) = AsyncStream<String>.makeStream()
        // The pull's freight call gets no answer until the fake is stopped.
        server.script("aliexpress.freight.redefining.listfreighttemplate", .stall(arrived: { event.yield("arrived") }))
        let h = try await ServeHarness.make()
        try ServeHarness.write("profile: shop\nextends: base\npriority_markets: [US]\n" + server.profileSources(), to: h.path("profiles/shop.yaml"))
        var settings = ServeHarness.settings(h.root, clock: h.clock)
        settings.pullEvery = .init(seconds: 3600)
        settings.environment = FakeVendorServer.credentials
        settings.db = h.path("shutdown.sqlite").path
        let engine = try ServeEngine(settings: settings, logger: ServeHarness.logger)
        await engine.loadConfig()
        let group = ServiceGroup(configuration: .init(services: [EngineService(engine: engine)], logger: ServeHarness.logger))
        let running = Task { try await group.run() }
        let arrived = try await within(seconds: 60) { () -> String? in
            for await e in events { return e }
            return nil
        }
        #expect(arrived == "arrived", "the scheduled pull reached the stalled call")

        await group.triggerGracefulShutdown()
        let stopped = try await within(seconds: 10) { try await running.value; return true }
        #expect(stopped == true, "shutdown does not wait for the stalled pull")
        await server.stop()
        _ = try? await running.value

        let view = engine.state.current.profiles["shop"]
        #expect(view?.pullProblem == nil, "a cancelled pull is not a failed one")
        let written = (try? FileManager.default.contentsOfDirectory(atPath: h.path("snapshots/shop").path)) ?? []
        #expect(written.filter { !$0.hasPrefix(".") }.isEmpty, "no snapshot from the cancelled pull: \(written)")
    }

    @Test func aSecondServeOnABusyPortFailsBeforeRecordingAnything() async throws {
        let h = try await ServeHarness.make()
        let busy = try #require(RawSocket.listener())
        var settings = ServeHarness.settings(h.root, clock: h.clock)
        settings.port = busy.port
        settings.db = h.path("second.sqlite").path
        let prepared = try await PulseServer.prepare(settings, logger: ServeHarness.logger)
        let failed = try await within(seconds: 30) { () -> String in
            do { try await PulseServer.run(prepared, logger: ServeHarness.logger) } catch { return "\(error)" }
            return "ran"
        }
        #expect(failed?.contains("Address already in use") == true, "\(failed ?? "no answer")")
        #expect(try HistoryStore(path: settings.db).evaluationCount() == 0, "nothing evaluated or recorded before the bind")
        busy.socket.close()
    }
}
