import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PulseEngine
@testable import PulseServer
import Testing

/// Issue 24, items 9-12 through the router: a card's page, listing links, the header's store
/// name and local times, and the pull-failure banner.
@Suite struct CardPageTests {
    /// The demo's second day (62 rows in the rejected & auditing worklist: two pages).
    private func secondDay(extra: String = "", environment: [String: String] = [:]) async throws -> ServeHarness {
        try await ServeHarness.make(snapshots: ["demo-next"], clock: TestClock("2026-03-18T11:00:00Z"), demoExtra: extra, environment: environment)
    }

    private func rows(_ body: String) -> [String] {
        guard let tbody = body.components(separatedBy: "<table class=\"worklist full\">").dropFirst().first?
            .components(separatedBy: "<tbody>").dropFirst().first?.components(separatedBy: "</tbody>").first else { return [] }
        return tbody.components(separatedBy: "<tr>").dropFirst().map { $0 }
    }

    @Test func aCardPageHasItsWholeWorklistPagedAndSortableAndItsDefinition() async throws {
        let h = try await secondDay()
        try await h.app.test(.router) { client in
            let page = try await h.get(client, "/cards/aex_rejected_auditing_listings", as: "owner")
            #expect(page.status == 200)
            #expect(page.headers[.cacheControl] == "no-store")
            #expect(page.headers[.contentSecurityPolicy]?.contains("script-src 'self'") == true)
            #expect(!page.body.contains("<script>"), "no inline script")
            #expect(page.body.contains("62 rows; rows 1–50 shown (page 1 of 2)"), "\(page.body)")
            #expect(rows(page.body).count == 50)
            #expect(page.body.contains("href=\"/cards/aex_rejected_auditing_listings?page=2#worklist\""))
            let second = try await h.get(client, "/cards/aex_rejected_auditing_listings?page=2", as: "owner")
            #expect(second.body.contains("rows 51–62 shown (page 2 of 2)"))
            #expect(rows(second.body).count == 12)
            // Sorted by listing, both ways: the first row of one is the last of the other.
            let up = try await h.get(client, "/cards/aex_rejected_auditing_listings?sort=listing&dir=asc", as: "owner")
            let down = try await h.get(client, "/cards/aex_rejected_auditing_listings?sort=listing&dir=desc&page=2", as: "owner")
            #expect(up.body.contains("aria-sort=\"ascending\""))
            let firstUp = rows(up.body).first, lastDown = rows(down.body).last
            #expect(firstUp != nil && firstUp == lastDown)
            let ids = rows(up.body).compactMap { $0.components(separatedBy: "\">").dropFirst().first?.components(separatedBy: "</a>").first }
            #expect(ids.count == 50 && ids == ids.sorted(), "\(ids.prefix(5))")
            // The definition, and the alert's transitions and history.
            for text in ["<dt>Where</dt>", "<dt>Measure</dt><dd>count</dd>", "<dt>Trigger</dt><dd>alert when &gt; 0</dd>",
                         "<dt>Who sees it</dt><dd>owner, operations</dd>", "<dt>From</dt><dd>listings</dd>"] {
                #expect(page.body.contains(text), "\(text)")
            }
            #expect(page.body.contains("<svg class=\"history-chart\""))
            #expect(page.body.contains("class=\"trigger-line\"") && page.body.contains("alert &gt; 0"))
            #expect(page.body.contains("inactive → firing critical (value 62)"))
            #expect(page.body.contains("18 Mar 2026"), "dates on the chart")
        }
    }

    @Test func aCardPageIsForItsRolesAndSignedInViewersOnly() async throws {
        let h = try await secondDay()
        try await h.app.test(.router) { client in
            let hidden = try await h.get(client, "/cards/aex_rejected_auditing_listings", as: "marketing")
            let missing = try await h.get(client, "/cards/no_such_card", as: "marketing")
            #expect(hidden.status == 404 && missing.status == 404)
            #expect(!hidden.body.contains("1005006") && !hidden.body.contains("Rejected"))
            let anonymous = try await h.get(client, "/cards/aex_rejected_auditing_listings", as: nil)
            #expect(anonymous.body.contains("id=\"login\"") && !anonymous.body.contains("1005006"))
            let escaped = try await h.get(client, "/cards/%3Cscript%3E", as: "owner")
            #expect(escaped.status == 404 && !escaped.body.contains("<script>"))
        }
    }

    @Test func theMainPageShowsFewColumnsLinksCardsAndListingsAndTheStoreName() async throws {
        let h = try await secondDay(extra: "store_name: Acme <Outdoor>\nsources:\n  bigcommerce: {store_hash: abc123, access_token: \"${BC_TOKEN}\"}\n",
                              environment: ["BC_TOKEN": "x"])
        try await h.app.test(.router) { client in
            let page = try await h.get(client, "/", as: "owner")
            #expect(page.status == 200)
            #expect(page.body.contains("<span class=\"profile\" id=\"store-name\">Acme &lt;Outdoor&gt;</span>"), "store_name, escaped")
            #expect(page.body.contains("<title>Acme &lt;Outdoor&gt; · Pulse</title>"))
            // Times in Europe/London (GMT in March) with their age.
            #expect(page.body.contains("datetime=\"2026-03-18T08:00:00Z\">08:00 today (3 hours ago)</time>"), "\(page.body.prefix(1500))")
            #expect(page.body.contains("times in Europe/London"))
            // Four worklist columns, three shown.
            #expect(page.body.contains("(3 of 4 columns shown)"))
            #expect(!page.body.contains("<th scope=\"col\">bc_updated_at</th>"))
            #expect(page.body.contains("<a class=\"card-link\" href=\"/cards/aex_xc_listed_but_oos_on_bc\">"))
            #expect(page.body.contains("<p class=\"hero-mark\"><span aria-hidden=\"true\">★</span> Hero card</p>"))
            // A listing id links to AliExpress with its title; a SKU to the BigCommerce product list.
            #expect(page.body.contains("href=\"https://www.aliexpress.com/item/1005006"))
            #expect(page.body.contains("<span class=\"listing-title\">"))
            #expect(page.body.contains("href=\"https://store-abc123.mybigcommerce.com/manage/products?keywords="))
            // The spike rule, in words with what it found.
            #expect(page.body.contains("Spike rule: critical when the value is at least 5 × the median of the values recorded in the last 7d, and at least 10."))
        }
    }

    @Test func thePullFailureBannerSaysTheSourceOnce() {
        let p = ServeProblem(at: Date(), subject: "bigcommerce", message: "bigcommerce: GET /catalog/products: HTTP 401: bad token")
        #expect(DashboardRoutes.problemLine(p) == "bigcommerce: GET /catalog/products: HTTP 401: bad token")
        let folder = ServeProblem(at: Date(), subject: "snapshots/demo/x", message: "no snapshot.json")
        #expect(DashboardRoutes.problemLine(folder) == "snapshots/demo/x: no snapshot.json")
    }

    @Test func aSparklineWithOnePointIsADotWithItsValue() {
        let one = Sparkline.svg([28], latest: "28")
        #expect(one.contains("<circle") && one.contains("<text x=\"16\" y=\"21\">28</text>") && !one.contains("polyline"))
        #expect(Sparkline.svg([1, 2], latest: "2").contains("<polyline"))
    }

    @Test func worklistSortKeysOrderNumbersTimesAndMissingValues() {
        let keys: [CardPage.SortKey] = [.init(.int(10)), .init(.double(2.5)), .init(.null), .init(.string("b"))]
        #expect(keys[1] < keys[0] && keys[2].isNone && !keys[3].isNone)
        #expect(WorklistCells.aliExpressItem("1005006000023757") == "https://www.aliexpress.com/item/1005006000023757.html")
        #expect(WorklistCells.aliExpressItem("x\"><script>") == nil)
        #expect(WorklistCells.bigCommerceProducts(storeHash: "abc", sku: "A&B C") == "https://store-abc.mybigcommerce.com/manage/products?keywords=A%26B%20C")
    }
}
