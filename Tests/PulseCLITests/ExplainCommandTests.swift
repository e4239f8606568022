import Foundation
import Testing

/// `pulse explain` on each seed card: a counted and an excluded row, and funnels that add up.
@Suite struct ExplainCommandTests {
    private func explain(_ card: String, _ extra: [String] = []) throws -> CLI.Result {
        try CLI.run(["explain", card, "--profile", "demo", "--snapshot", "examples/demo"] + extra, in: CLI.packageRoot)
    }

    private func json(_ result: CLI.Result) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    }

    private func outcomes(_ card: String, row: String, sku: String? = nil) throws -> [(String, String)] {
        let result = try explain(card, ["--row", row, "--format", "json"] + (sku.map { ["--sku", $0] } ?? []))
        #expect(result.status == 0, "\(result.stderr)")
        let rows = try #require(try json(result)["rows"] as? [[String: Any]])
        return rows.map { ($0["outcome"] as? String ?? "", $0["summary"] as? String ?? "") }
    }

    @Test func oosCountedExcludedAndBufferRows() throws {
        let rows = try outcomes("aex_xc_listed_but_oos_on_bc", row: "1005006000023757")
        #expect(rows.map(\.0) == ["counted", "excluded"])
        #expect(rows[1].1 == "where is false at bc.available <= 0")
        let buffer = try outcomes("aex_xc_listed_but_oos_on_bc", row: "1005006000007919", sku: "TENT-2P-GRN")
        #expect(buffer.map(\.0) == ["excluded"])
        #expect(buffer.first?.1 == "where is false at !(sku.code in profile.buffer_skus); excluded by the profile's buffer_skus (TENT-2P-GRN is listed there)")
    }

    @Test func textShowsEachClauseWithTheValuesItRead() throws {
        let result = try explain("aex_xc_listed_but_oos_on_bc", ["--row", "1005006000023757", "--sku", "BAG-003-BLU"])
        #expect(result.stdout.contains("      bc.available <= 0  ->  false   (bc.available = 9)\n"))
        #expect(result.stdout.contains("      !(sku.code in profile.buffer_skus)  ->  not evaluated\n"))
        #expect(result.stdout.contains("  EXCLUDED: where is false at bc.available <= 0\n"))
    }

    @Test func rejections24hCountedAndExcludedEvents() throws {
        // Submitted, then rejected twice within the day (churn): the two rejections join one distinct listing.
        let rows = try outcomes("aex_rejected_listings_24h", row: "1005006000213813")
        #expect(rows.map(\.0) == ["excluded", "counted", "counted"])
        #expect(rows[0].1 == "where is false at event.to == \"rejected\"")
        #expect(rows[1].1 == "where is true; event.listing_id = \"1005006000213813\" joins the distinct values")
        let old = try outcomes("aex_rejected_listings_24h", row: "1005006001496691")
        #expect(old.last?.1 == "where is false at event.at > now - params.window")
    }

    @Test func rejectedAuditingAndTotalRows() throws {
        let hidden = try outcomes("aex_rejected_auditing_listings", row: "1005006000031676")
        #expect(hidden.map(\.0) == ["counted"])
        let active = try outcomes("aex_rejected_auditing_listings", row: "1005006000023757")
        #expect(active.map(\.0) == ["excluded"])
        let total = try outcomes("aex_total_listings", row: "1005006000023757")
        #expect(total.map(\.0) == ["counted"])
    }

    @Test func coverageGapAndCoveredListing() throws {
        let gap = try outcomes("aex_ship_to_country_coverage", row: "1005006000087109")
        #expect(gap.first?.1.hasPrefix("where is true; in the denominator only") == true)
        let covered = try outcomes("aex_ship_to_country_coverage", row: "1005006000023757")
        #expect(covered.first?.1.hasPrefix("where is true; in the numerator and the denominator") == true)
    }

    @Test(arguments: ["aex_xc_listed_but_oos_on_bc", "aex_total_listings", "aex_rejected_listings_24h",
                      "aex_rejected_auditing_listings", "aex_ship_to_country_coverage"])
    func funnelAddsUpToTheValue(_ card: String) throws {
        let funnel = try json(try explain(card, ["--format", "json"]))
        let eval = try CLI.run(["eval", "--profile", "demo", "--snapshot", "examples/demo", "--card", card, "--format", "json"], in: CLI.packageRoot)
        let cards = try #require((try JSONSerialization.jsonObject(with: Data(eval.stdout.utf8)) as? [String: Any])?["cards"] as? [[String: Any]])
        let value = cards.first?["value"] as? Double
        #expect(funnel["value"] as? Double == value)
        let rows = try #require(funnel["rows"] as? Int)
        let steps = try #require(funnel["steps"] as? [[String: Any]])
        let removed = steps.compactMap { $0["removed"] as? Int }.reduce(0, +)
        let counted = try #require(funnel["counted"] as? Int)
        #expect(rows - removed - (funnel["errored"] as? Int ?? 0) == counted)
        #expect((steps.last?["left"] as? Int ?? rows) == counted)
        if card == "aex_xc_listed_but_oos_on_bc" || card == "aex_total_listings" || card == "aex_rejected_auditing_listings" {
            #expect(Double(counted) == value)
        }
    }

    @Test func badUsage() throws {
        #expect(try explain("aex_total_listing").status == 2)
        #expect(try explain("aex_total_listings", ["--row", "nope"]).status == 2)
        #expect(try explain("aex_total_listings", ["--sku", "X"]).status == 2)
    }
}
