import Foundation
import PulseEngine
import PulseExpressions
import Testing

/// The seed cards reproduce the worked examples of the KPI cards they stand for, and handle
/// each card's edge cases.
@Suite struct SeedCardTests {
    // MARK: aex_xc_listed_but_oos_on_bc

    @Test func fourListingsOutOfStockOnBigCommerce() throws {
        let listings = [
            Harness.listing("L1", skus: [("A1", 5), ("A2", 3)]),   // A1 OOS, A2 fine
            Harness.listing("L2", skus: [("B1", 2)]),              // OOS (negative)
            Harness.listing("L3", skus: [("C1", 1)]),              // OOS
            Harness.listing("L4", skus: [("D1", 9)]),              // OOS
            Harness.listing("X1", skus: [("TENT-2P-GRN", 4)]),     // buffer SKU in the demo profile
            Harness.listing("X2", skus: [("STOVE-GAS-DROP", 4)]),  // separate fulfilment
            Harness.listing("X3", skus: [("E1", 4)]),              // untracked in BC
            Harness.listing("X4", skus: [("F1", 4)]),              // no BC record
            Harness.listing("X5", "auditing", skus: [("G1", 4)]),  // not active
            Harness.listing("X6", skus: [("H1", 0)]),              // no AliExpress stock: not buyable
        ]
        let stock = [
            Harness.stock("A1", 0), Harness.stock("A2", 7), Harness.stock("B1", -2), Harness.stock("C1", 0), Harness.stock("D1", 0),
            Harness.stock("TENT-2P-GRN", 0), Harness.stock("STOVE-GAS-DROP", 0), Harness.stock("E1", 0, tracking: "none"),
            Harness.stock("G1", 0), Harness.stock("H1", 0),
        ]
        let folder = try Harness.snapshot(["listings.jsonl": listings, "stock.jsonl": stock])
        // One SKU of eleven (9%) has no stock record: past the default 5%, the card has no data.
        #expect(try Harness.evaluate(folder)["aex_xc_listed_but_oos_on_bc"]?.state == .noData)
        let lenient = "profile: test\nextends: demo\ndata_quality: {max_unmatched_skus: 10%}\n"
        let result = try #require(try Harness.evaluate(folder, profile: "test", extraProfile: lenient)["aex_xc_listed_but_oos_on_bc"])
        #expect(result.value == 4)
        #expect(result.conditionHolds)
        #expect(Harness.column(result, "listing") == ["L1", "L2", "L3", "L4"])
        #expect(Harness.column(result, "sku") == ["A1", "B1", "C1", "D1"])
        #expect(Harness.column(result, "bc_available") == ["int(0)", "int(-2)", "int(0)", "int(0)"])
        #expect(result.errorCount == 0)
    }

    @Test func nothingOutOfStockDoesNotFire() throws {
        let folder = try Harness.snapshot(["listings.jsonl": [Harness.listing("L1", skus: [("A1", 5)])], "stock.jsonl": [Harness.stock("A1", 3)]])
        let result = try #require(try Harness.evaluate(folder)["aex_xc_listed_but_oos_on_bc"])
        #expect(result.value == 0)
        #expect(!result.firing)
    }

    // MARK: aex_total_listings

    private func totals(drafts: Int) throws -> String {
        var listings: [[String: Any]] = []
        for (status, count) in [("active", 4310), ("auditing", 340), ("rejected", 120), ("expired", 50), ("draft", drafts)] {
            for i in 0..<count { listings.append(Harness.listing("\(status)-\(i)", status, skus: [("S", 1)])) }
        }
        return try Harness.snapshot(["listings.jsonl": listings])
    }

    @Test func totalListingsIs4820ByStatus() throws {
        let result = try #require(try Harness.evaluate(try totals(drafts: 7))["aex_total_listings"])
        #expect(result.value == 4820)
        #expect(result.breakdown?.map(\.label) == ["active", "auditing", "rejected", "expired"])
        #expect(result.breakdown?.map(\.value) == [4310, 340, 120, 50])
        #expect(!result.firing)
        #expect(result.settings.alert == nil)
    }

    @Test func draftsCountWhenTheProfileSaysSo() throws {
        let profile = """
            profile: test
            extends: demo
            cards:
              aex_total_listings:
                params: {include_drafts: true}
            """
        let result = try #require(try Harness.evaluate(try totals(drafts: 7), profile: "test", extraProfile: profile)["aex_total_listings"])
        #expect(result.value == 4827)
        #expect(result.breakdown?.first { $0.label == "draft" }?.value == 7)
    }

    @Test func offlineCountsAsAStatus() throws {
        let folder = try Harness.snapshot(["listings.jsonl": [Harness.listing("A", "offline"), Harness.listing("B", "active")]])
        let result = try #require(try Harness.evaluate(folder)["aex_total_listings"])
        #expect(result.value == 2)
        #expect(result.breakdown?.first { $0.label == "offline" }?.value == 1)
    }

    // MARK: aex_rejected_listings_24h

    @Test func rejectionSpikeOf38MostlyMissingBrand() throws {
        var listings: [[String: Any]] = []
        var events: [[String: Any]] = []
        for i in 0..<40 { listings.append(Harness.listing("R\(i)", "rejected")) }
        for i in 0..<36 { events.append(Harness.event("R\(i)", at: "2026-03-17T0\(i % 8):1\(i % 6):00Z", reason: "missing_brand_attribute")) }
        events.append(Harness.event("R36", at: "2026-03-16T09:00:00Z", reason: "image_quality"))
        events.append(Harness.event("R37", at: "2026-03-16T10:00:00Z", reason: "prohibited_keyword"))
        events.append(Harness.event("R0", at: "2026-03-17T07:30:00Z", reason: "missing_brand_attribute"))  // churn: R0 again
        events.append(Harness.event("R38", at: "2026-03-16T07:59:59Z", reason: "image_quality"))           // just outside 24h
        events.append(Harness.event("R39", at: "2026-03-17T08:00:01Z", reason: "image_quality"))           // after now
        events.append(Harness.event("R1", at: "2026-03-17T01:00:00Z", to: "auditing"))                    // not a rejection
        let folder = try Harness.snapshot(["listings.jsonl": listings, "audit_events.jsonl": events])
        let result = try #require(try Harness.evaluate(folder)["aex_rejected_listings_24h"])
        #expect(result.value == 38)
        #expect(result.firing)
        #expect(result.breakdown?.first?.label == "missing_brand_attribute")
        #expect(result.breakdown?.first?.value == 36)
        #expect(result.breakdown?.count == 3)
    }

    @Test func theWindowParamNarrowsTheCount() throws {
        let events = [Harness.event("A", at: "2026-03-17T07:00:00Z", reason: "x"), Harness.event("B", at: "2026-03-16T23:00:00Z", reason: "x")]
        let folder = try Harness.snapshot(["listings.jsonl": [Harness.listing("A"), Harness.listing("B")], "audit_events.jsonl": events])
        let profile = "profile: test\nextends: demo\ncards:\n  aex_rejected_listings_24h:\n    params: {window: 6h}\n    alert: \"> 5\"\n"
        let result = try #require(try Harness.evaluate(folder, profile: "test", extraProfile: profile)["aex_rejected_listings_24h"])
        #expect(result.value == 1)
        #expect(!result.firing)
        #expect(result.settings.alert?.description == "> 5")
    }

    @Test func nowOverridesTakenAt() throws {
        let events = [Harness.event("A", at: "2026-03-10T07:00:00Z", reason: "x")]
        let folder = try Harness.snapshot(["listings.jsonl": [Harness.listing("A")], "audit_events.jsonl": events])
        #expect(try Harness.evaluate(folder)["aex_rejected_listings_24h"]?.value == 0)
        #expect(try Harness.evaluate(folder, now: "2026-03-10T12:00:00Z")["aex_rejected_listings_24h"]?.value == 1)
    }

    @Test func eventForAnUnknownListingStillCounts() throws {
        let folder = try Harness.snapshot(["audit_events.jsonl": [Harness.event("GONE", at: "2026-03-17T07:00:00Z", reason: "x")]])
        #expect(try Harness.evaluate(folder)["aex_rejected_listings_24h"]?.value == 1)
    }

    // MARK: aex_rejected_auditing_listings

    @Test func fiveRejectedOrAuditingWithReasons() throws {
        let listings = [
            Harness.listing("A", "rejected", reason: "image_quality"), Harness.listing("B", "rejected", reason: "image_quality"),
            Harness.listing("C", "rejected", reason: "image_quality"), Harness.listing("D", "auditing", reason: "image_quality"),
            Harness.listing("E", "rejected", reason: "missing_brand_attribute"), Harness.listing("F", "active"),
            Harness.listing("G", "expired"),
        ]
        let folder = try Harness.snapshot(["listings.jsonl": listings])
        let result = try #require(try Harness.evaluate(folder)["aex_rejected_auditing_listings"])
        #expect(result.value == 5)
        #expect(result.firing)
        #expect(Harness.column(result, "listing") == ["A", "B", "C", "D", "E"])
        #expect(Harness.column(result, "reason").filter { $0 == "image_quality" }.count == 4)
        #expect(Harness.column(result, "status") == ["rejected", "rejected", "rejected", "auditing", "rejected"])
    }

    // MARK: aex_ship_to_country_coverage

    private func coverage(missingBrazil: Int) throws -> CardResult {
        var listings: [[String: Any]] = []
        for i in 0..<50 {
            listings.append(Harness.listing("L\(i)", template: i < missingBrazil ? "FT-NOBR" : "FT-STD"))
        }
        // A restricted market is not a gap: category 777 may not ship to Brazil.
        listings.append(Harness.listing("GAS", template: "FT-NOBR", category: "777"))
        // A listing's own ship_to wins over its template.
        listings.append(Harness.listing("OWN", template: "FT-NOBR", shipTo: ["US", "GB", "DE", "FR", "BR"]))
        listings.append(Harness.listing("OFF", "offline", template: "FT-NOBR"))  // not active: not counted
        let templates: [[String: Any]] = [
            ["id": "FT-STD", "countries": ["US", "GB", "DE", "FR", "BR", "ES"]],
            ["id": "FT-NOBR", "countries": ["US", "GB", "DE", "FR", "ES"]],
        ]
        let folder = try Harness.snapshot(["listings.jsonl": listings, "freight_templates.jsonl": templates,
                                           "category_restrictions.jsonl": [["category_id": "777", "countries": ["BR"]]]])
        return try #require(try Harness.evaluate(folder)["aex_ship_to_country_coverage"])
    }

    @Test func coverage82PercentFromABatchMissingBrazil() throws {
        // 52 active listings; 9 missing Brazil -> 43/52 = 82.7%.
        let result = try coverage(missingBrazil: 9)
        #expect(result.numerator == 43)
        #expect(result.denominator == 52)
        #expect(result.value.map { Int($0) } == 82)
        #expect(result.firing)  // the demo profile alerts below 90
        #expect(Harness.column(result, "listing") == (0..<9).map { "L\($0)" })
        #expect(result.rows.first?.last?.value.celList == ["BR"])
    }

    @Test func coverage96PercentAfterTheFix() throws {
        let result = try coverage(missingBrazil: 2)
        #expect(result.value.map { Int($0) } == 96)
        #expect(!result.firing)
        #expect(result.rows.count == 2)
    }

    @Test func emptySnapshotGivesNullPercentAndNoAlert() throws {
        let folder = try Harness.snapshot([:])
        let results = try Harness.evaluate(folder)
        let coverage = try #require(results["aex_ship_to_country_coverage"])
        #expect(coverage.value == nil)
        #expect(!coverage.firing)
        #expect(results["aex_total_listings"]?.value == 0)
    }

    // MARK: profile overrides

    @Test func rolesAndEnabledFilterTheCards() throws {
        let folder = try Harness.snapshot([:])
        let marketing = try Harness.evaluate(folder, selection: .init(role: "marketing"))
        #expect(marketing.keys.sorted() == ["aex_ship_to_country_coverage"])
        let finance = try Harness.evaluate(folder, selection: .init(role: "finance"))
        #expect(finance.keys.sorted() == ["aex_xc_listed_but_oos_on_bc"])
        let profile = "profile: test\nextends: demo\ncards:\n  aex_total_listings: {enabled: false}\n  aex_xc_listed_but_oos_on_bc: {alert: null}\n"
        let tuned = try Harness.evaluate(folder, profile: "test", extraProfile: profile)
        #expect(tuned["aex_total_listings"] == nil)
        #expect(tuned["aex_xc_listed_but_oos_on_bc"]?.settings.alert == nil)
        #expect(tuned.count == 4)
    }
}

extension Value {
    /// The strings of a list value, for assertions.
    var celList: [String]? {
        guard case .list(let items) = self else { return nil }
        return items.compactMap { if case .string(let s) = $0 { return s } else { return nil } }
    }
}
