import Dispatch
import Foundation
import NIOConcurrencyHelpers
import PulseCLI
import PulseConnectors
@testable import PulseFakeVendors
import Testing

/// Issue 24, items 2, 14 and 15: vendors that lie about their page counts, ask for waits of
/// hours, or cannot be reached at all. Through the fake vendors (hostile modes) or a profile
/// pointing at a port where nothing listens; the injected clock, never a sleep.
@Suite("pulse pull against hostile or unreachable vendors")
struct HostileVendorTests {
    /// What `pulse pull` wrote to standard error as it ran (the progress line and wait notices).
    final class Terminal: Sendable {
        private let box = NIOLockedValueBox("")
        var text: String { box.withLockedValue { $0 } }
        func write(_ s: String) { box.withLockedValue { $0 += s } }
    }

    /// `pulse pull --profile PROFILE ARGS` in the harness's folder, as on a terminal when `terminal` is given.
    static func pull(_ h: PullHarness, _ arguments: [String], profile: String = "shop", terminal: Terminal? = nil) async throws -> CommandOutput {
        let options = try PullRunner.Options.parse(["--profiles", h.path("profiles"), "--profile", profile] + arguments)
        return await PullRunner.run(options, environment: h.environment, clock: h.clock,
                                    backoff: Backoff(base: 0.5, cap: 4, tries: 5, rateLimitedTries: 10),
                                    terminal: terminal != nil, progressOutput: { terminal?.write($0) })
    }

    // MARK: Item 14: page counts

    @Test("total_pages 1e12 with an honest total: paged lazily, capped by total / per_page, no crash (was: a 8 TB allocation, exit 134)")
    func hugeTotalPagesHonestTotal() async throws {
        let h = try await PullHarness.start(.simple(listings: 2, products: 600))
        defer { Task { await h.stop() } }
        h.server.state.withLockedValue { $0.claimedCounts = ["total_pages": "1000000000000"] }
        let out = try await Self.pull(h, ["--out", h.path("snap")])
        #expect(out.exitCode == 0, "\(out.stderr)")
        #expect(try h.lines("snap/stock.jsonl").count == 600)
        #expect(h.server.calls("GET /catalog/products") == 3, "pages 1-3 only: 600 products / 250 a page")
    }

    @Test("a page count past the hard limit fails at once, naming the endpoint and the page; the previous snapshot is kept")
    func pageCountPastLimit() async throws {
        let h = try await PullHarness.start(.simple(listings: 2, products: 600))
        defer { Task { await h.stop() } }
        let first = try await Self.pull(h, ["--out", h.path("snapshots/shop/a")])
        #expect(first.exitCode == 0, "\(first.stderr)")
        let before = try h.read("snapshots/shop/a/stock.jsonl")
        // A million full pages (every page past the end answered as the first): a connector that
        // believed the count would make a million calls.
        h.server.state.withLockedValue {
            $0.claimedCounts = ["total_pages": "1000000", "total": "250000000"]
            $0.endlessPages = true
        }
        let calls = h.server.calls("GET /catalog/products")
        let out = try await Self.pull(h, ["--out", h.path("snapshots/shop/b")])
        #expect(out.exitCode == 1)
        #expect(out.stderr.contains("bigcommerce: GET /v3/catalog/products (page 1): the list claims 1000000 pages (total pages 1000000, total 250000000), more than the 10000 pages a pull reads of one list"), "\(out.stderr)")
        #expect(h.server.calls("GET /catalog/products") == calls + 1, "no page past the first is asked for")
        #expect(h.entries("snapshots/shop") == ["a"], "no partial snapshot, no temporary folder")
        #expect(try h.read("snapshots/shop/a/stock.jsonl") == before)
    }

    @Test("a short page ends the catalogue even when total_pages says more, and no page past it is asked for in sequence")
    func shortPageEnds() async throws {
        let h = try await PullHarness.start(.simple(listings: 1, products: 300))
        defer { Task { await h.stop() } }
        h.server.state.withLockedValue { $0.claimedCounts = ["total_pages": "40", "total": "10000"] }
        let out = try await Self.pull(h, ["--out", h.path("snap")])
        #expect(out.exitCode == 0, "\(out.stderr)")
        #expect(try h.lines("snap/stock.jsonl").count == 300)
        // Page 2 (50 products) is short: at most the pages already in flight (4 at once) were asked.
        #expect(h.server.calls("GET /catalog/products") <= 5, "\(h.server.calls("GET /catalog/products")) calls")
    }

    @Test("AliExpress: total_page 1e12 with endless full pages is capped by product_count; a product_count past the limit fails at once")
    func aliExpressCounts() async throws {
        let h = try await PullHarness.start(.simple(listings: 3, products: 1))
        defer { Task { await h.stop() } }
        h.server.state.withLockedValue {
            $0.claimedCounts = ["total_page": "1000000000000"]
            $0.endlessPages = true
        }
        var out = try await Self.pull(h, ["--out", h.path("s1")])
        #expect(out.exitCode == 0, "\(out.stderr)")
        #expect(try h.lines("s1/listings.jsonl").count == 3)
        #expect(h.server.calls("aliexpress.solution.product.list.get") == 4, "one page per status (3 listings, 99 a page)")

        h.server.state.withLockedValue { $0.claimedCounts = ["total_page": "1000000000000", "product_count": "99000000000000"] }
        out = try await Self.pull(h, ["--out", h.path("s2")])
        #expect(out.exitCode == 1)
        #expect(out.stderr.contains("aliexpress: aliexpress.solution.product.list.get (status onSelling, page 1): the list claims 1000000000000 pages"), "\(out.stderr)")
        #expect(!FileManager.default.fileExists(atPath: h.path("s2")))
    }

    // MARK: Item 15: rate-limit waits

    @Test("a 429 asking for 1,000,000 s fails at once with \"the store asked to wait\" (was: an hour's sleep a try)")
    func hugeRateLimitWait() async throws {
        let h = try await PullHarness.start(.simple(listings: 1, products: 3))
        defer { Task { await h.stop() } }
        h.server.script("GET /catalog/products", .http(429, headers: [("X-Rate-Limit-Time-Reset-Ms", "1000000000")], body: "", contentType: "application/json"))
        let out = try await Self.pull(h, ["--out", h.path("snap")])
        #expect(out.exitCode == 1)
        #expect(out.stderr.contains("bigcommerce: GET /v3/catalog/products (page 1): HTTP 429: the store asked to wait 1000000 s (X-Rate-Limit-Time-Reset-Ms: 1000000000), longer than the 60 s a pull waits"), "\(out.stderr)")
        #expect(h.clock.recorded.isEmpty, "no wait at all (\(h.clock.recorded))")
        #expect(h.server.calls("GET /catalog/products") == 1)

        // Past 64 bits, and X-Retry-After: the same.
        h.server.script("GET /catalog/products", .http(429, headers: [("X-Retry-After", "99999999999999999999999")], body: "", contentType: "application/json"))
        let again = try await Self.pull(h, ["--out", h.path("snap")])
        #expect(again.stderr.contains("the store asked to wait 1e+23 s (X-Retry-After: 99999999999999999999999)"), "\(again.stderr)")
    }

    @Test("the quota window resetting in an hour fails at once; AliExpress's day-long ban too")
    func hugeQuotaAndBan() async throws {
        let h = try await PullHarness.start(.simple(listings: 1, products: 600))
        defer { Task { await h.stop() } }
        // A full first page whose headers say the window is spent and resets in an hour.
        let products = (0..<250).map { #"{"id":\#($0 + 1),"inventory_tracking":"none","variants":[{"id":\#($0 + 1),"sku":"Q-\#($0)"}]}"# }
        let page = #"{"data":["# + products.joined(separator: ",") + #"],"meta":{"pagination":{"total_pages":3,"total":600}}}"#
        h.server.script("GET /catalog/products", .bytes(200, headers: [("X-Rate-Limit-Requests-Left", "0"), ("X-Rate-Limit-Time-Reset-Ms", "3600000")],
                                                        body: Array(page.utf8)))
        var out = try await Self.pull(h, ["--out", h.path("s1")])
        #expect(out.exitCode == 1)
        #expect(out.stderr.contains("bigcommerce: GET /v3/catalog/products (page 2): the store asked to wait 3600 s (X-Rate-Limit-Time-Reset-Ms with 4 requests or fewer left in the window)"), "\(out.stderr)")
        #expect(h.clock.recorded.isEmpty, "\(h.clock.recorded)")

        h.server.script("aliexpress.solution.product.list.get", .aliExpressError(code: "ApiCallLimit", msg: "Api access frequency exceeds the limit. this ban will last 86400 seconds"))
        out = try await Self.pull(h, ["--out", h.path("s2")])
        #expect(out.exitCode == 1)
        #expect(out.stderr.contains("aliexpress: aliexpress.solution.product.list.get (status onSelling, page 1): HTTP 200: error ApiCallLimit: the store asked to wait 86400 s"), "\(out.stderr)")
        #expect(h.clock.recorded.isEmpty, "\(h.clock.recorded)")
    }

    @Test("a wait over 5 s is announced on a terminal, a shorter one is not, and --quiet says nothing")
    func longWaitAnnounced() async throws {
        let h = try await PullHarness.start(.simple(listings: 1, products: 3))
        defer { Task { await h.stop() } }
        h.server.script("GET /catalog/products", .http(429, headers: [("X-Rate-Limit-Time-Reset-Ms", "7000")], body: "", contentType: "application/json"))
        h.server.script("GET /catalog/products", .http(429, headers: [("X-Rate-Limit-Time-Reset-Ms", "3000")], body: "", contentType: "application/json"))
        let terminal = Terminal()
        let out = try await Self.pull(h, ["--out", h.path("s1")], terminal: terminal)
        #expect(out.exitCode == 0, "\(out.stderr)")
        #expect(h.clock.recorded == [7, 3])
        #expect(terminal.text.contains("pulse pull: bigcommerce: rate limited (HTTP 429): waiting 7 s\n"), "\(terminal.text)")
        #expect(!terminal.text.contains("waiting 3 s"), "\(terminal.text)")

        h.server.script("GET /catalog/products", .http(429, headers: [("X-Rate-Limit-Time-Reset-Ms", "7000")], body: "", contentType: "application/json"))
        let quiet = Terminal()
        let q = try await Self.pull(h, ["--out", h.path("s2"), "--quiet"], terminal: quiet)
        #expect(q.exitCode == 0, "\(q.stderr)")
        #expect(quiet.text.isEmpty && q.stderr.isEmpty, "\(quiet.text)\(q.stderr)")
    }

    // MARK: Item 2: unreachable hosts and progress

    @Test("a refused connection is retried once, at once (was: five tries of ~10 s of silent connect retries each)")
    func refusedConnection() async throws {
        let h = try await PullHarness.start(.simple(listings: 1))
        defer { Task { await h.stop() } }
        let profile = """
        profile: dead
        priority_markets: [US]
        sources:
          bigcommerce:
            store_hash: \(FakeVendorServer.storeHash)
            access_token: ${TEST_BC_TOKEN}
            api_base: http://127.0.0.1:1

        """
        try Data(profile.utf8).write(to: URL(fileURLWithPath: h.path("profiles/dead.yaml")))
        let started = DispatchTime.now().uptimeNanoseconds
        let out = try await Self.pull(h, ["--out", h.path("snap")], profile: "dead")
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        #expect(out.exitCode == 1)
        #expect(out.stderr.contains("bigcommerce: GET /v3/catalog/products (page 1): connection refused (nothing listens at http://127.0.0.1:1), 2 tries"), "\(out.stderr)")
        #expect(h.clock.recorded.count == 1, "one retry (\(h.clock.recorded))")
        #expect(seconds < 5, "took \(seconds) s")
    }

    @Test("on a terminal: one updating progress line with pages of expected, calls and retries; --quiet prints none")
    func progressLine() async throws {
        let h = try await PullHarness.start(.simple(listings: 2, products: 600))
        defer { Task { await h.stop() } }
        h.server.script("GET /catalog/products", .http(500, headers: [], body: "oops", contentType: "text/plain"))
        let terminal = Terminal()
        let out = try await Self.pull(h, ["--out", h.path("s1")], terminal: terminal)
        #expect(out.exitCode == 0, "\(out.stderr)")
        let text = terminal.text
        #expect(text.contains("\r\u{1B}[Kpulse pull: bigcommerce: 1 of 3 pages, 2 calls, 1 retry"), "\(text.debugDescription)")
        #expect(text.contains("pulse pull: aliexpress: 4 of 4 pages, 8 calls, 0 retries; bigcommerce: 3 of 3 pages, 4 calls, 1 retry\n"), "\(text.debugDescription)")
        #expect(out.stderr.contains("pulse pull: bigcommerce: 4 calls (1 retries)"), "the summary still follows")

        let quiet = Terminal()
        let q = try await Self.pull(h, ["--out", h.path("s2"), "--quiet"], terminal: quiet)
        #expect(q.exitCode == 0, "\(q.stderr)")
        #expect(quiet.text.isEmpty && q.stderr.isEmpty)

        let piped = Terminal()
        let options = try PullRunner.Options.parse(["--profiles", h.path("profiles"), "--profile", "shop", "--out", h.path("s3")])
        let p = await PullRunner.run(options, environment: h.environment, clock: h.clock, terminal: false, progressOutput: { piped.write($0) })
        #expect(p.exitCode == 0 && piped.text.isEmpty && p.stderr.isEmpty, "not a terminal: nothing on standard error")
    }
}
