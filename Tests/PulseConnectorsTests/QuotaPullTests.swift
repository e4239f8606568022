import Foundation
import NIOConcurrencyHelpers
import PulseCLI
import PulseConnectors
@testable import PulseFakeVendors
import Testing

/// A clock whose time passes only when a pull waits: the fake's quotas read it too, so that a
/// pull under an enforced quota is tested without waiting for real windows to reset.
final class VirtualClock: PullClock {
    private let now = NIOLockedValueBox<Int64>(1_773_734_400_000)  // 2026-03-17T08:00:00Z
    private let waits = NIOLockedValueBox<[Double]>([])

    var recorded: [Double] { waits.withLockedValue { $0 } }

    func nowMilliseconds() -> Int64 { now.withLockedValue { $0 } }
    func sleep(seconds: Double) async {
        waits.withLockedValue { $0.append(seconds) }
        now.withLockedValue { $0 += Int64((max(seconds, 0) * 1000).rounded(.up)) }
    }
}

@Suite("the fake vendors' enforced quotas, and pull under them")
struct QuotaPullTests {
    @Test("a window quota: quota requests served with the true left and reset, then refused until the window closes")
    func windowQuota() throws {
        var quota = try #require(FakeQuota("3/30"))
        #expect(quota.take(nowMs: 1_000) == .allowed(left: 2, resetMs: 30_000))
        #expect(quota.take(nowMs: 11_000) == .allowed(left: 1, resetMs: 20_000))
        #expect(quota.take(nowMs: 12_000) == .allowed(left: 0, resetMs: 19_000))
        #expect(quota.take(nowMs: 30_999) == .refused(resetMs: 1))
        #expect(quota.take(nowMs: 31_000) == .allowed(left: 2, resetMs: 30_000), "a new window opens with the next request")
        #expect(quota.refused == 1)
        for text in ["", "3", "0/30", "3/0", "3/-1", "x/30", "3/30/1", "3/100000"] {
            #expect(FakeQuota(text) == nil, "\(text) is refused")
        }
        #expect(FakeQuota("20/0.5")?.windowMs == 500)
    }

    @Test("pull under both vendors' quotas: every row, every refused call retried, calls made = calls needed + refused")
    func pullUnderQuotas() async throws {
        let store = FakeStore.simple(listings: 30, products: 1_500)
        // Unlimited first: the calls a pull needs.
        let free = try await PullHarness.start(store)
        let needed = try await free.pull(["--out", free.path("snap"), "--now", "2026-03-17T08:00:00Z"])
        #expect(needed.exitCode == 0, "\(needed.stderr)")
        let neededCalls = free.server.state.withLockedValue { $0.calls.values.reduce(0, +) }
        let expected = (try free.read("snap/listings.jsonl"), try free.read("snap/stock.jsonl"))
        await free.stop()

        let clock = VirtualClock()
        let h = try await PullHarness.start(store)
        defer { Task { await h.stop() } }
        h.server.state.withLockedValue {
            $0.bigCommerceQuota = FakeQuota(quota: 3, windowMs: 30_000)
            $0.aliExpressQuota = FakeQuota(quota: 5, windowMs: 1_000)
            $0.quotaNow = { clock.nowMilliseconds() }
        }
        let out = try await h.pull(["--out", h.path("snap"), "--now", "2026-03-17T08:00:00Z"], clock: clock)
        #expect(out.exitCode == 0, "\(out.stderr)")
        #expect(try h.read("snap/listings.jsonl") == expected.0)
        #expect(try h.read("snap/stock.jsonl") == expected.1)
        let (made, refusedBC, refusedAE) = h.server.state.withLockedValue {
            ($0.calls.values.reduce(0, +), $0.bigCommerceQuota?.refused ?? -1, $0.aliExpressQuota?.refused ?? -1)
        }
        #expect(refusedAE > 0, "30 detail calls against 5 a second are refused at first")
        #expect(made == neededCalls + refusedBC + refusedAE, "needed \(neededCalls), made \(made), refused \(refusedBC) + \(refusedAE)")
        #expect(clock.recorded.contains { $0 >= 1 }, "AliExpress's ban is waited out (\(clock.recorded.prefix(5)))")
        #expect(clock.recorded.contains { $0 > 20 && $0 <= 30 }, "BigCommerce's window is waited for (\(clock.recorded.filter { $0 > 1 }))")
    }
}
