import Foundation
import PulseCLI
import PulseConnectors
@testable import PulseFakeVendors
import Testing

/// `pulse pull` against the loopback fake of BigCommerce and AliExpress.
@Suite("pulse pull against the fake vendors")
struct PullTests {
    @Test("a multi-page catalogue: one call per 250 products, a row per variant SKU, snapshot.json with the counts")
    func multiPageCatalogue() async throws {
        var store = FakeStore.simple(listings: 3, products: 600)
        store.products[0].variants.append(.init(id: 9_999, sku: "", level: 1))  // no SKU: not a stock row
        store.products[1].tracking = "product"
        store.products[1].level = 42
        store.products[2].availability = "disabled"
        let h = try await PullHarness.start(store)
        defer { Task { await h.stop() } }
        let out = try await h.pull(["--out", h.path("snap"), "--now", "2026-03-17T08:00:00Z"])
        #expect(out.exitCode == 0, "\(out.stderr)")
        #expect(out.stdout == h.path("snap") + "\n")
        #expect(h.server.calls("GET /catalog/products") == 3)
        let stock = try h.lines("snap/stock.jsonl")
        #expect(stock.count == 600)
        #expect(stock[1] == #"{"sku":"SKU-1","available":42,"tracking":"product","purchasable":true,"updated_at":"2026-03-16T22:10:00Z"}"#)
        #expect(stock[2].contains(#""purchasable":false"#))
        let header = try h.read("snap/snapshot.json")
        #expect(header.hasPrefix(#"{"format":1,"store":"shop","taken_at":"2026-03-17T08:00:00Z""#))
        #expect(header.contains(#""stock.jsonl":600"#))
        #expect(header.contains(#""GET /v3/catalog/products":3"#))
        #expect(header.contains(#""seconds":"#) && header.contains(#""retries":0"#) && header.contains(#""pages":3"#))
        #expect(h.entries("").filter { $0.hasPrefix(".") }.isEmpty, "no temporary folder is left")
    }

    @Test("the quota running low mid-pull: the next request waits for the window's reset (headers read case-insensitively)")
    func quotaRunsLow() async throws {
        let h = try await PullHarness.start(.simple(listings: 2, products: 600))
        defer { Task { await h.stop() } }
        h.server.state.withLockedValue { $0.requestsLeft = 5 }
        let out = try await h.pull(["--out", h.path("snap")])
        #expect(out.exitCode == 0, "\(out.stderr)")
        #expect(try h.lines("snap/stock.jsonl").count == 600)
        let waits = h.clock.recorded
        #expect(waits.count == 2 && waits.allSatisfy { $0 > 2.4 && $0 <= 2.5 }, "pages 2 and 3 waited for the window (\(waits))")
    }

    @Test("429 with and without headers, then a 500, then success: all retried, and counted")
    func retriesThenSuccess() async throws {
        let h = try await PullHarness.start(.simple(listings: 2, products: 300))
        defer { Task { await h.stop() } }
        h.server.script("GET /catalog/products", .http(429, headers: [("X-Rate-Limit-Time-Reset-Ms", "7000")], body: "", contentType: "application/json"))
        h.server.script("GET /catalog/products", .http(429, headers: [], body: "", contentType: "application/json"))
        h.server.script("GET /catalog/products", .http(500, headers: [], body: #"{"status":500,"title":"Internal Server Error","type":"x"}"#, contentType: "application/json"))
        let out = try await h.pull(["--out", h.path("snap")])
        #expect(out.exitCode == 0, "\(out.stderr)")
        #expect(try h.lines("snap/stock.jsonl").count == 300)
        let waits = h.clock.recorded
        #expect(waits.first == 7.0, "a 429 waits X-Rate-Limit-Time-Reset-Ms (\(waits))")
        #expect(waits.count == 3)
        #expect(waits[1] >= 0.5 && waits[1] <= 1.0, "no headers, second rate-limited try: 0.5 s * 2, with jitter (\(waits))")
        #expect(try h.read("snap/snapshot.json").contains(#""retries":3"#))
        #expect(h.server.calls("GET /catalog/products") == 5)
    }

    @Test("a source that fails for good: exit 1 naming call, page and status; no snapshot; the previous one intact")
    func failsForGood() async throws {
        let h = try await PullHarness.start(.simple(listings: 3))
        defer { Task { await h.stop() } }
        let first = try await h.pull(["--now", "2026-03-16T08:00:00Z", "--out", h.path("snapshots/shop/a")])
        #expect(first.exitCode == 0, "\(first.stderr)")
        let before = try h.read("snapshots/shop/a/listings.jsonl")
        for _ in 0..<5 {
            h.server.script("GET /catalog/products", .http(503, headers: [], body: "Service Unavailable", contentType: "text/plain"))
        }
        let out = try await h.pull(["--out", h.path("snapshots/shop/b")])
        #expect(out.exitCode == 1)
        #expect(out.stderr.contains("bigcommerce: GET /v3/catalog/products (page 1): HTTP 503: Service Unavailable (5 tries)"), "\(out.stderr)")
        #expect(h.entries("snapshots/shop") == ["a"], "no partial snapshot, no temporary folder")
        #expect(try h.read("snapshots/shop/a/listings.jsonl") == before)
    }

    @Test("--out that exists is refused (exit 2) before any call, and left as it was")
    func outExists() async throws {
        let h = try await PullHarness.start(.simple(listings: 1))
        defer { Task { await h.stop() } }
        try FileManager.default.createDirectory(atPath: h.path("snap"), withIntermediateDirectories: true)
        try Data("mine".utf8).write(to: URL(fileURLWithPath: h.path("snap/notes.txt")))
        let out = try await h.pull(["--out", h.path("snap")])
        #expect(out.exitCode == 2)
        #expect(out.stderr.contains("already exists; a pull never overwrites a snapshot"), "\(out.stderr)")
        #expect(h.entries("snap") == ["notes.txt"])
        #expect(h.server.calls("GET /catalog/products") == 0)
    }

    @Test("a wrong token: BigCommerce's 401 text, at once, exit 1; no secret in the message")
    func wrongToken() async throws {
        let h = try await PullHarness.start(.simple(listings: 1))
        defer { Task { await h.stop() } }
        var env = h.environment
        env["TEST_BC_TOKEN"] = "not-the-token"
        let out = try await h.pull(["--out", h.path("snap")], environment: env)
        #expect(out.exitCode == 1)
        #expect(out.stderr.contains("HTTP 401: You are not authorized to access this resource. Check your X-Auth-Token."), "\(out.stderr)")
        #expect(!out.stderr.contains("not-the-token"))
        #expect(h.server.calls("GET /catalog/products") == 1, "401 is not retried")
        #expect(!FileManager.default.fileExists(atPath: h.path("snap")))
    }

    @Test("an unset credential variable is a config error (exit 2) naming it")
    func unsetVariable() async throws {
        let h = try await PullHarness.start(.simple(listings: 1))
        defer { Task { await h.stop() } }
        var env = h.environment
        env["TEST_AE_SESSION"] = nil
        let out = try await h.pull(["--out", h.path("snap")], environment: env)
        #expect(out.exitCode == 2)
        #expect(out.stderr.contains("sources.aliexpress.session reads the environment variable TEST_AE_SESSION, which is not set"), "\(out.stderr)")
        #expect(h.server.calls("GET /catalog/products") == 0, "nothing is called before the config is whole")
    }

    @Test("every unusable variable of the profile in one error: empty is 'empty', unset is 'not set'")
    func allVariablesAtOnce() async throws {
        let h = try await PullHarness.start(.simple(listings: 1))
        defer { Task { await h.stop() } }
        var env = h.environment
        env["TEST_AE_SESSION"] = nil
        env["TEST_AE_SECRET"] = nil
        env["TEST_BC_TOKEN"] = ""
        let out = try await h.pull(["--out", h.path("snap")], environment: env)
        #expect(out.exitCode == 2)
        #expect(out.stderr.contains("3 environment variables the profile reads are not usable"), "\(out.stderr)")
        #expect(out.stderr.contains("sources.bigcommerce.access_token reads the environment variable TEST_BC_TOKEN, which is empty"), "\(out.stderr)")
        #expect(out.stderr.contains("sources.aliexpress.app_secret reads the environment variable TEST_AE_SECRET, which is not set"), "\(out.stderr)")
        #expect(out.stderr.contains("sources.aliexpress.session reads the environment variable TEST_AE_SESSION, which is not set"), "\(out.stderr)")
        #expect(h.server.calls("GET /catalog/products") == 0)
    }

    @Test("responses that break the contract: not JSON, no data, an id past 64 bits, a SKU twice in two letter cases")
    func badResponses() async throws {
        var store = FakeStore.simple(listings: 1, products: 3)
        let h = try await PullHarness.start(store)
        defer { Task { await h.stop() } }
        h.server.script("GET /catalog/products", .notJSON)
        var out = try await h.pull(["--out", h.path("s1")])
        #expect(out.exitCode == 1)
        #expect(out.stderr.contains("GET /v3/catalog/products (page 1): HTTP 200: the response is not JSON"), "\(out.stderr)")

        h.server.script("GET /catalog/products", .raw(#"{"meta":{}}"#))
        out = try await h.pull(["--out", h.path("s2")])
        #expect(out.stderr.contains("(page 1): HTTP 200: the response has no \"data\" array"), "\(out.stderr)")

        h.server.script("GET /catalog/products", .raw(#"{"data":[{"id":123456789012345678901234,"variants":[]}],"meta":{"pagination":{"total_pages":1}}}"#))
        out = try await h.pull(["--out", h.path("s3")])
        #expect(out.stderr.contains("(page 1): product id 1.23456789012345"), "\(out.stderr)")
        #expect(out.stderr.contains("does not fit a 64-bit integer"), "\(out.stderr)")

        store.products[2].variants[0].sku = "sku-0"
        h.server.update { $0 = store }
        out = try await h.pull(["--out", h.path("s4")])
        #expect(out.exitCode == 1)
        #expect(out.stderr.contains("SKU \"sku-0\" of product 102, variant 1002 (SKU \"sku-0\") repeats the SKU of product 100, variant 1000 (SKU \"SKU-0\")"), "\(out.stderr)")
        #expect(h.entries("").filter { $0.hasPrefix("s") || $0.hasPrefix(".") }.isEmpty)
    }

    @Test("stock_from: inventory sums available_to_sell over enabled locations, paging a meta: {} list until a short page")
    func inventoryStock() async throws {
        var store = FakeStore.simple(listings: 1, products: 2)
        store.inventory = [
            .init(sku: "SKU-0", variantID: 1000, locations: [(1, 4, true), (2, 6, true), (3, 100, false)]),
            .init(sku: nil, variantID: 1001, locations: [(1, 0, true)]),
        ]
        let h = try await PullHarness.start(store, stockFrom: "inventory")
        defer { Task { await h.stop() } }
        let out = try await h.pull(["--out", h.path("snap")])
        #expect(out.exitCode == 0, "\(out.stderr)")
        let stock = try h.lines("snap/stock.jsonl")
        #expect(stock[0].contains(#""sku":"SKU-0","available":10"#))
        #expect(stock[1].contains(#""sku":"SKU-1","available":0"#), "matched by variant id when identity has no sku")
        #expect(h.server.calls("GET /inventory/items") == 1)
    }
}

/// Snapshot folder names, `--keep` and the staging folders of pulls that are gone (issue 24, items 4, 6, 16).
@Suite("pulse pull: folders")
struct PullFolderTests {
    @Test("two pulls in the same second: the second gets '-2', the third '-3', each diffing against the one before")
    func sameSecond() async throws {
        let h = try await PullHarness.start(.simple(listings: 2))
        defer { Task { await h.stop() } }
        var folders: [String] = []
        for _ in 0..<3 {
            let out = try await h.pull(["--snapshots", h.path("snapshots"), "--now", "2026-03-17T08:00:00Z"])
            #expect(out.exitCode == 0, "\(out.stderr)")
            folders.append(out.stdout.trimmingCharacters(in: .newlines))
        }
        #expect(folders == ["20260317T080000Z", "20260317T080000Z-2", "20260317T080000Z-3"].map { h.path("snapshots/shop/" + $0) })
        #expect(try h.read("snapshots/shop/20260317T080000Z-3/snapshot.json").contains(#""previous":"20260317T080000Z-2""#))
        #expect(SnapshotName.precedes("20260317T080000Z-9", "20260317T080000Z-10"))
        #expect(SnapshotName.precedes("20260317T080000Z", "20260317T080000Z-2"))
        #expect(SnapshotName.precedes("20260317T080000Z-10", "20260317T080001Z"))
    }

    @Test("--keep 2 removes all but the newest two complete snapshots; other folders and staging folders stay; --keep 0 is refused")
    func keep() async throws {
        let h = try await PullHarness.start(.simple(listings: 2))
        defer { Task { await h.stop() } }
        try FileManager.default.createDirectory(atPath: h.path("snapshots/shop/notes"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: h.path("snapshots/shop/.x.tmp-\(getpid())"), withIntermediateDirectories: true)
        for day in 14...17 {
            let out = try await h.pull(["--snapshots", h.path("snapshots"), "--now", "2026-03-\(day)T08:00:00Z", "--keep", "2"])
            #expect(out.exitCode == 0, "\(out.stderr)")
        }
        #expect(h.entries("snapshots/shop") == [".x.tmp-\(getpid())", "20260316T080000Z", "20260317T080000Z", "notes"])
        let zero = try await h.pull(["--snapshots", h.path("snapshots"), "--keep", "0"])
        #expect(zero.exitCode == 2)
        #expect(zero.stderr.contains("--keep must be at least 1"), "\(zero.stderr)")
        // The one served is never removed, even when it is the oldest.
        let outcome = SnapshotRetention.keepNewest(1, in: h.path("snapshots/shop"), protected: [h.path("snapshots/shop/20260316T080000Z")])
        #expect(outcome.removed.isEmpty && outcome.problems.isEmpty)
        #expect(h.entries("snapshots/shop").contains("20260316T080000Z"))
    }

    @Test("staging folders of dead pulls are removed anywhere in the profile folder; live ones stay; no reader takes one for a snapshot")
    func abandonedStaging() async throws {
        let h = try await PullHarness.start(.simple(listings: 2))
        defer { Task { await h.stop() } }
        let profileFolder = h.path("snapshots/shop")
        #expect(try await h.pull(["--snapshots", h.path("snapshots"), "--now", "2026-03-16T08:00:00Z"]).exitCode == 0)
        // A finished child's pid is gone; pid 1 and this process are alive.
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/bin/true")
        try child.run()
        child.waitUntilExit()
        let dead = child.processIdentifier
        // Staging folders that look complete and newer: a reader that took one would diff against it.
        let header = #"{"format":1,"store":"shop","taken_at":"2026-03-20T08:00:00Z","audit_events_since":"2026-03-20T08:00:00Z"}"#
        for name in [".20260315T080000Z.tmp-\(dead)", ".20260320T080000Z.tmp-1", ".20260321T080000Z.tmp-\(getpid())"] {
            try FileManager.default.createDirectory(atPath: profileFolder + "/" + name, withIntermediateDirectories: true)
            try Data((header + "\n").utf8).write(to: URL(fileURLWithPath: profileFolder + "/" + name + "/snapshot.json"))
            try Data().write(to: URL(fileURLWithPath: profileFolder + "/" + name + "/listings.jsonl"))
        }
        #expect(SnapshotRetention.snapshots(in: profileFolder).map(\.folder) == [profileFolder + "/20260316T080000Z"])
        let out = try await h.pull(["--snapshots", h.path("snapshots"), "--now", "2026-03-17T08:00:00Z", "--keep", "1"])
        #expect(out.exitCode == 0, "\(out.stderr)")
        let header2 = try h.read("snapshots/shop/20260317T080000Z/snapshot.json")
        #expect(header2.contains(#""previous":"20260316T080000Z""#), "the previous snapshot is the complete one, not a staging folder: \(header2)")
        #expect(h.entries("snapshots/shop") == [".20260320T080000Z.tmp-1", ".20260321T080000Z.tmp-\(getpid())", "20260317T080000Z"],
                "the dead pull's staging folder (another name) is gone; --keep never counts or removes staging folders")
    }
}
