@testable import PulseConnectors
import Testing

/// The page walk's limits (issue 24, item 14) where no fake can reach them in a test's time: a
/// list without counts that is still full at the 10,000th page.
@Suite("how far a pull follows a paged list")
struct PagePlanTests {
    let site = CallSite(source: "bigcommerce", call: "GET /v3/inventory/items", scope: nil)

    @Test("no counts: read up to 10,000 pages; a full page there fails naming the page, a short one ends the list")
    func uncountedList() throws {
        let plan = try PagePlan(totalPages: nil, total: nil, pageSize: 250, fullPage: 250, site: site)
        #expect(plan.unbounded && plan.pages == PagePlan.maxPages)
        #expect(!plan.isLast(page: 9_999, count: 250))
        #expect(plan.isLast(page: 10_000, count: 250))
        #expect(plan.isLast(page: 42, count: 17), "a short page ends the list")
        #expect(throws: Never.self) { try plan.checkEnd(page: 10_000, count: 17, site: site) }
        #expect(throws: Never.self) { try plan.checkEnd(page: 42, count: 0, site: site) }
        do {
            try plan.checkEnd(page: 10_000, count: 250, site: site)
            Issue.record("a list still full at page 10,000 must fail")
        } catch {
            #expect("\(error)".contains("GET /v3/inventory/items"), "\(error)")
            #expect("\(error)".contains("the list still has items at page 10000"), "\(error)")
        }
    }

    @Test("counts: the smaller of total_pages and total / per_page, never past 10,000, overflow-safe")
    func countedList() throws {
        #expect(try PagePlan(totalPages: 7, total: 1_000, pageSize: 250, fullPage: 250, site: site).pages == 4)
        #expect(try PagePlan(totalPages: 3, total: 1_000, pageSize: 250, fullPage: 250, site: site).pages == 3)
        #expect(try PagePlan(totalPages: 0, total: nil, pageSize: 250, fullPage: 250, site: site).pages == 1)
        #expect(try PagePlan(totalPages: 10_000, total: nil, pageSize: 250, fullPage: 250, site: site).pages == 10_000)
        #expect(throws: PullError.self) { try PagePlan(totalPages: 10_001, total: nil, pageSize: 250, fullPage: 250, site: site) }
        #expect(throws: PullError.self) { try PagePlan(totalPages: nil, total: Int64.max, pageSize: 250, fullPage: nil, site: site) }
        #expect(throws: PullError.self) { try PagePlan(totalPages: Int64.max, total: Int64.max, pageSize: 1, fullPage: 1, site: site) }
    }
}
