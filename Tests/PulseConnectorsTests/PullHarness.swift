import Foundation
import NIOConcurrencyHelpers
import PulseCLI
import PulseConnectors
@testable import PulseFakeVendors
import Testing

/// A clock that never waits: it records the waits asked for, so that tests check the backoff
/// and rate-limit waits without sleeping.
final class RecordingClock: PullClock {
    private let waits = NIOLockedValueBox<[Double]>([])
    private let now = NIOLockedValueBox<Int64>(1_773_734_400_000)  // 2026-03-17T08:00:00Z

    var recorded: [Double] { waits.withLockedValue { $0 } }

    func nowMilliseconds() -> Int64 { now.withLockedValue { $0 += 1; return $0 } }
    func sleep(seconds: Double) async { waits.withLockedValue { $0.append(seconds) } }
}

/// A fake server, a scratch folder with a profile pointing at it, and `pulse pull` run in-process.
struct PullHarness {
    let server: FakeVendorServer
    let root: URL
    let clock = RecordingClock()

    /// Starts the fake with `store` and writes `profiles/shop.yaml`, which pulls from it.
    static func start(_ store: FakeStore, stockFrom: String = "catalog") async throws -> PullHarness {
        let server = FakeVendorServer(store: store)
        try await server.start()
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("pulse-pull-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("profiles"), withIntermediateDirectories: true)
        let profile = "profile: shop\npriority_markets: [US, GB, DE, FR, BR]\n" + server.profileSources(stockFrom: stockFrom)
        try Data(profile.utf8).write(to: root.appendingPathComponent("profiles/shop.yaml"))
        return PullHarness(server: server, root: root)
    }

    var environment: [String: String] { FakeVendorServer.credentials }

    /// `pulse pull --profile shop ARGS` (paths relative to the scratch folder).
    /// `clock` is the harness's recording one unless a test passes its own.
    func pull(_ arguments: [String] = [], environment: [String: String]? = nil, clock: (any PullClock)? = nil) async throws -> CommandOutput {
        let options = try PullRunner.Options.parse(["--profiles", root.appendingPathComponent("profiles").path, "--profile", "shop"] + arguments)
        return await PullRunner.run(options, environment: environment ?? self.environment, clock: clock ?? self.clock,
                                    backoff: Backoff(base: 0.5, cap: 4, tries: 5, rateLimitedTries: 10))
    }

    func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

    func read(_ relative: String) throws -> String { try String(contentsOfFile: path(relative), encoding: .utf8) }

    func lines(_ relative: String) throws -> [String] { try read(relative).split(separator: "\n").map(String.init) }

    /// The entries of a folder, dot entries included.
    func entries(_ relative: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path(relative))) ?? []).sorted()
    }

    func stop() async {
        await server.stop()
        try? FileManager.default.removeItem(at: root)
    }
}

extension FakeStore {
    /// A store of `listings` listings with one SKU each, every one on template 1 (ships to the
    /// demo's five markets), and the BigCommerce products that hold those SKUs (stock 5).
    static func simple(listings: Int, products: Int? = nil) -> FakeStore {
        var store = FakeStore()
        store.templates = [Template(id: 1, name: "Standard", countries: ["US", "GB", "DE", "FR", "BR", "ES"])]
        for i in 0..<listings {
            store.listings.append(Listing(id: 1_005_006_000_000_000 + Int64(i), status: "onSelling", subject: "Item \(i)", templateID: 1,
                                          skus: [SKU(code: "SKU-\(i)", stock: 3)]))
        }
        for i in 0..<(products ?? listings) {
            store.products.append(Product(id: Int64(100 + i), variants: [Variant(id: Int64(1000 + i), sku: "SKU-\(i)", level: 5)]))
        }
        return store
    }
}
