import Foundation
import PulseConfig
import PulseEngine
import PulseExpressions
import PulseSnapshot
import Testing

/// The card states beyond firing and ok: stale data (by profile and by source), a stock join that
/// matched too little (no data), a card with no alert (none), and warn/critical levels.
@Suite struct AlertStateTests {
    /// Four listings, each with a SKU out of stock on BigCommerce, and `unmatched` more whose SKUs
    /// have no stock record.
    func oosFolder(unmatched: Int, matched: Int = 100, header: String? = nil) throws -> String {
        var listings: [[String: Any]] = (0..<4).map { Harness.listing("L\($0)", skus: [("OOS\($0)", 5)]) }
        listings += (0..<matched).map { Harness.listing("M\($0)", skus: [("OK\($0)", 5)]) }
        listings += (0..<unmatched).map { Harness.listing("U\($0)", skus: [("NOPE\($0)", 5)]) }
        let stock = (0..<4).map { Harness.stock("OOS\($0)", 0) } + (0..<matched).map { Harness.stock("OK\($0)", 9) }
        let folder = try Harness.snapshot(["listings.jsonl": listings, "stock.jsonl": stock])
        if let header { try Data(header.utf8).write(to: URL(fileURLWithPath: folder + "/snapshot.json")) }
        return folder
    }

    @Test("100% unmatched SKUs: the stock cards have no data, with the counts; the others keep their value")
    func everySKUUnmatchedIsNoData() throws {
        let listings = (0..<6).map { Harness.listing("L\($0)", skus: [("BC-\($0)", 5)]) }
        let stock = (0..<6).map { Harness.stock("bc_\($0)", 0) }   // spelled otherwise: nothing matches
        let results = try Harness.evaluate(try Harness.snapshot(["listings.jsonl": listings, "stock.jsonl": stock]))
        let oos = try #require(results["aex_xc_listed_but_oos_on_bc"])
        #expect(oos.state == .noData)
        #expect(oos.value == nil, "missing, never zero")
        guard case .unmatchedSKUs(let u, let max)? = oos.noData else { Issue.record("no unmatched reason: \(String(describing: oos.noData))"); return }
        #expect(u.count == 6 && u.of == 6 && max == 5)
        #expect(oos.stateNote?.contains("6 of 6 listing SKUs (100%) have no BigCommerce stock record") == true)
        #expect(results["aex_total_listings"]?.state == CardState.none && results["aex_total_listings"]?.value == 6)
    }

    @Test("3% unmatched: a normal value, with the unmatched count on the result")
    func aFewUnmatchedIsAValue() throws {
        let results = try Harness.evaluate(try oosFolder(unmatched: 3, matched: 93))
        let oos = try #require(results["aex_xc_listed_but_oos_on_bc"])
        #expect(oos.noData == nil && oos.value == 4)
        #expect(oos.unmatchedSKUs?.count == 3 && oos.unmatchedSKUs?.of == 100)
    }

    @Test("max_unmatched_skus is the profile's: 2% makes 3% no data, 100% accepts everything")
    func theLimitIsTheProfiles() throws {
        let folder = try oosFolder(unmatched: 3, matched: 93)
        let strict = try Harness.evaluate(folder, profile: "test", extraProfile: "profile: test\nextends: demo\ndata_quality: {max_unmatched_skus: 2%}\n")
        #expect(strict["aex_xc_listed_but_oos_on_bc"]?.state == .noData)
        let lax = try Harness.evaluate(try oosFolder(unmatched: 50, matched: 0), profile: "test",
                                       extraProfile: "profile: test\nextends: demo\ndata_quality: {max_unmatched_skus: 100%}\n")
        #expect(lax["aex_xc_listed_but_oos_on_bc"]?.value == 4)
    }

    @Test("stale by the profile's stale_after: the value is shown, marked stale; fresh under it")
    func staleByProfile() throws {
        let folder = try oosFolder(unmatched: 0)
        // base.yaml: stale_after 25h; the snapshot is from 2026-03-17T08:00:00Z.
        let fresh = try Harness.evaluate(folder, checkedAt: "2026-03-18T08:00:00Z")
        #expect(fresh["aex_xc_listed_but_oos_on_bc"]?.state == .pending)
        #expect(fresh["aex_xc_listed_but_oos_on_bc"]?.freshness.ageSeconds == 86_400)
        let stale = try Harness.evaluate(folder, checkedAt: "2026-03-18T09:00:01Z")
        let oos = try #require(stale["aex_xc_listed_but_oos_on_bc"])
        #expect(oos.state == .stale && oos.value == 4 && !oos.firing && !oos.judgesAlert)
        #expect(oos.stateNote?.contains("stale after 25h") == true, "\(oos.stateNote ?? "")")
        #expect(stale.values.allSatisfy { $0.state == .stale || $0.state == .noData }, "no data (no audit events here) wins over stale")
        #expect(stale.values.filter { $0.state == .stale }.count == 3)
    }

    @Test("stale by source: a per-source stale_after and per-source taken_at judge only the cards that read it")
    func staleBySource() throws {
        let header = """
            {"format": 1, "taken_at": "2026-03-17T08:00:00Z", "sources": {"bigcommerce": {"taken_at": "2026-03-17T05:00:00Z"}, "aliexpress": {"taken_at": "2026-03-17T08:00:00Z"}}}
            """
        let folder = try oosFolder(unmatched: 0, header: header)
        let profile = "profile: test\nextends: demo\nsources:\n  bigcommerce: {store_hash: abc, access_token: \"${T}\", stale_after: 2h}\n"
        let results = try Harness.evaluate(folder, profile: "test", extraProfile: profile, checkedAt: "2026-03-17T08:00:00Z")
        let oos = try #require(results["aex_xc_listed_but_oos_on_bc"])
        #expect(oos.state == .stale, "the stock is 3 hours old, past its 2h")
        #expect(oos.freshness.ageSeconds == 3 * 3600, "the age is that of the oldest source the card reads")
        #expect(oos.freshness.staleSources.map(\.source) == [.bigcommerce])
        let total = try #require(results["aex_total_listings"])
        #expect(total.state == CardState.none, "a card that reads no stock is not judged by the stock's age")
        #expect(total.freshness.ageSeconds == 0)
    }

    @Test("a card without a trigger is none (no alert set), never ok; alert: null in a profile too")
    func noTriggerIsNone() throws {
        let folder = try oosFolder(unmatched: 0)
        let results = try Harness.evaluate(folder, profile: "test",
                                           extraProfile: "profile: test\nextends: demo\ncards:\n  aex_xc_listed_but_oos_on_bc: {alert: null}\n")
        #expect(results["aex_xc_listed_but_oos_on_bc"]?.state == CardState.none)
        #expect(results["aex_total_listings"]?.state == CardState.none)
        #expect(CardState.none.words == "no alert set")
    }

    @Test("base.yaml's coverage levels: 66% coverage is critical, 90% is a warning")
    func baseCoverageLevels() throws {
        func coverage(_ covered: Int) throws -> CardResult? {
            let listings = (0..<100).map { i in Harness.listing("L\(i)", shipTo: i < covered ? ["US", "GB", "DE", "FR"] : ["US"]) }
            return try Harness.evaluate(try Harness.snapshot(["listings.jsonl": listings, "category_restrictions.jsonl": [], "freight_templates.jsonl": []]), profile: "base")["aex_ship_to_country_coverage"]
        }
        let new = try #require(try coverage(66))
        #expect(new.state == .firing && new.severity == .critical)
        let nearly = try #require(try coverage(90))
        #expect(nearly.state == .firing && nearly.severity == .warn)
        #expect(try coverage(100)?.state == .ok)
    }
}
