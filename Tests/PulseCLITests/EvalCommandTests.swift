import Foundation
import Testing

@Suite struct EvalCommandTests {
    private let demo = ["eval", "--profile", "demo", "--snapshot", "examples/demo"]

    @Test func demoTableShowsEveryCardHeroFirst() throws {
        let result = try CLI.run(demo, in: CLI.packageRoot)
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("Pulse · profile demo · store acme-outdoor · now 2026-03-17T08:00:00Z · role all\n5 cards: "))
        let titles = result.stdout.split(separator: "\n").filter { $0.hasPrefix("★") || $0.hasPrefix("·") }
        #expect(titles.count == 5)
        #expect(titles.last?.hasPrefix("· AliExpress Ship-to Country Coverage") == true)
        #expect(result.stdout.contains("▲ FIRING (> 0)"))
    }

    @Test func jsonOutputFollowsTheDocumentedSchema() throws {
        let result = try CLI.run(demo + ["--format", "json"], in: CLI.packageRoot)
        #expect(result.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(Set(object.keys) == ["profile", "store", "now", "role", "cards"])
        #expect(object["profile"] as? String == "demo")
        #expect(object["now"] as? String == "2026-03-17T08:00:00Z")
        #expect(object["role"] is NSNull)
        let cards = try #require(object["cards"] as? [[String: Any]])
        #expect(cards.count == 5)
        let keys: Set<String> = ["key", "title", "class", "category", "unit", "window", "roles", "value", "numerator", "denominator",
                                 "alert", "breakdown", "rows", "row_count", "errors", "state", "state_note", "no_data", "data_quality"]
        for card in cards { #expect(Set(card.keys) == keys) }
        let oos = try #require(cards.first { $0["key"] as? String == "aex_xc_listed_but_oos_on_bc" })
        #expect(oos["value"] as? Int == 7)
        // The demo profile holds this alert `for: 2`: without history the condition holds but the alert is pending.
        #expect((oos["alert"] as? [String: Any])?["condition"] as? Bool == true)
        #expect((oos["alert"] as? [String: Any])?["firing"] as? Bool == false)
        #expect(oos["state"] as? String == "pending")
        #expect(oos["no_data"] is NSNull)
        #expect((oos["data_quality"] as? [String: Any])?["unmatched_skus"] as? Int == 1)
        #expect((oos["rows"] as? [[String: Any]])?.count == 7)
        #expect(oos["row_count"] as? Int == 7)
        #expect(oos["breakdown"] is NSNull)
        #expect((oos["errors"] as? [String: Any])?["count"] as? Int == 0)
        let coverage = try #require(cards.first { $0["key"] as? String == "aex_ship_to_country_coverage" })
        #expect(coverage["unit"] as? String == "percent")
        #expect((coverage["value"] as? Double).map { $0 > 0 && $0 < 100 } == true)
        #expect(coverage["denominator"] as? Int == 250)
        let total = try #require(cards.first { $0["key"] as? String == "aex_total_listings" })
        #expect(total["alert"] is NSNull)
        #expect((total["breakdown"] as? [String: Int])?["active"] == 250)
    }

    @Test func roleAndCardSelect() throws {
        let marketing = try CLI.run(demo + ["--role", "marketing", "--format", "json"], in: CLI.packageRoot)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(marketing.stdout.utf8)) as? [String: Any])
        #expect((object["cards"] as? [[String: Any]])?.compactMap { $0["key"] as? String } == ["aex_ship_to_country_coverage"])
        let one = try CLI.run(demo + ["--card", "aex_total_listings", "--format", "json", "--max-rows", "0"], in: CLI.packageRoot)
        let oneObject = try #require(try JSONSerialization.jsonObject(with: Data(one.stdout.utf8)) as? [String: Any])
        #expect((oneObject["cards"] as? [[String: Any]])?.count == 1)
    }

    @Test func failOnAlertExitsThree() throws {
        #expect(try CLI.run(demo + ["--fail-on-alert"], in: CLI.packageRoot).status == 3)
        #expect(try CLI.run(demo + ["--fail-on-alert", "--card", "aex_total_listings"], in: CLI.packageRoot).status == 0)
    }

    @Test(arguments: [
        (["--role", "ceo"], "pulse eval: profile 'demo' has no role 'ceo'"),
        (["--card", "aex_total_listing"], "pulse eval: no card 'aex_total_listing'; did you mean 'aex_total_listings'?"),
        (["--now", "yesterday"], "pulse eval: --now yesterday is not an RFC 3339 timestamp"),
        (["--max-rows=-1"], "pulse eval: --max-rows must be 0 or more"),
    ])
    func badUsageExitsTwo(_ extra: [String], _ message: String) throws {
        let result = try CLI.run(demo + extra, in: CLI.packageRoot)
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix(message))
    }

    @Test func unknownProfileAndSnapshotExitTwo() throws {
        let profile = try CLI.run(["eval", "--profile", "dmeo", "--snapshot", "examples/demo"], in: CLI.packageRoot)
        #expect(profile.status == 2)
        #expect(profile.stderr.hasPrefix("pulse eval: no profile 'dmeo'; did you mean 'demo'?"))
        let snapshot = try CLI.run(["eval", "--profile", "demo", "--snapshot", "nowhere"], in: CLI.packageRoot)
        #expect(snapshot.status == 2)
    }

    @Test func badSnapshotRowExitsOneWithFileAndLine() throws {
        let dir = try CLI.scratch([
            "snap/snapshot.json": #"{"format": 1, "taken_at": "2026-03-17T08:00:00Z"}"#,
            "snap/listings.jsonl": #"{"id": "L1", "status": "active", "skus": []}"# + "\n" + #"{"id": "L2", "status": "live", "skus": []}"# + "\n",
        ])
        let result = try CLI.run(["eval", "--profile", "demo", "--snapshot", dir.appendingPathComponent("snap").path,
                                  "--cards", CLI.packageRoot.appendingPathComponent("cards").path,
                                  "--profiles", CLI.packageRoot.appendingPathComponent("profiles").path], in: dir)
        #expect(result.status == 1)
        #expect(result.stderr.contains("snap/listings.jsonl:2: unknown status \"live\""))
    }

    @Test func badCardExpressionExitsOneAtItsLine() throws {
        var files = try CLI.shippedConfig()
        files["cards/aliexpress/aex_total_listings.yaml"] = files["cards/aliexpress/aex_total_listings.yaml"]?
            .replacingOccurrences(of: "where: listing.status != \"draft\"", with: "where: listing.stauts != \"draft\"")
        let dir = try CLI.scratch(files)
        let validate = try CLI.run(["validate"], in: dir)
        #expect(validate.status == 1)
        #expect(validate.stdout.hasPrefix("cards/aliexpress/aex_total_listings.yaml:20:16: error: where: listing has no field 'stauts'; did you mean 'status'? [expression-type]"))
        let eval = try CLI.run(["eval", "--profile", "demo", "--snapshot", CLI.packageRoot.appendingPathComponent("examples/demo").path], in: dir)
        #expect(eval.status == 1)
        #expect(eval.stderr.contains("aex_total_listings.yaml:20:16"))
    }

    @Test func blockScalarExpressionErrorIsOnItsOwnLine() throws {
        var files = try CLI.shippedConfig()
        files["cards/aliexpress/aex_xc_listed_but_oos_on_bc.yaml"] = files["cards/aliexpress/aex_xc_listed_but_oos_on_bc.yaml"]?
            .replacingOccurrences(of: "    && bc.available <= 0", with: "    && bc.availble <= 0")
        let dir = try CLI.scratch(files)
        let validate = try CLI.run(["validate"], in: dir)
        #expect(validate.stdout.hasPrefix("cards/aliexpress/aex_xc_listed_but_oos_on_bc.yaml:20:11: error: where: bc has no field 'availble'; did you mean 'available'? [expression-type]"))
    }

    @Test func cardsCommandListsWhoSeesWhat() throws {
        let result = try CLI.run(["cards", "--profile", "demo"], in: CLI.packageRoot)
        #expect(result.status == 0)
        #expect(result.stdout.contains("  marketing: aex_ship_to_country_coverage\n"))
        #expect(result.stdout.contains("param include_drafts: bool = false"))
        let finance = try CLI.run(["cards", "--role", "finance"], in: CLI.packageRoot)
        #expect(finance.stdout.contains("aex_xc_listed_but_oos_on_bc"))
        #expect(!finance.stdout.contains("aex_total_listings"))
    }
}

@Suite struct ExprCommandTests {
    private let row = ["--profile", "demo", "--snapshot", "examples/demo", "--row", "1005006000023757"]

    @Test func evaluatesAgainstASnapshotRow() throws {
        let result = try CLI.run(["expr", "sku.stock > 0 && bc.available <= 0 && !(sku.code in profile.buffer_skus)"] + row, in: CLI.packageRoot)
        #expect(result.status == 0)
        #expect(result.stdout == "true (bool)\n")
        let other = try CLI.run(["expr", "sku.code", "--sku", "BAG-003-BLU", "--format", "json"] + row, in: CLI.packageRoot)
        #expect(other.stdout == "{\"value\": \"BAG-003-BLU\", \"type\": \"string\"}\n")
    }

    @Test func bindsACardsParams() throws {
        let result = try CLI.run(["expr", "now - params.window", "--profile", "demo", "--snapshot", "examples/demo",
                                  "--card", "aex_rejected_listings_24h"], in: CLI.packageRoot)
        #expect(result.stdout == "\"2026-03-16T08:00:00Z\" (timestamp)\n")
    }

    @Test func unknownRowOrSKUIsUsage() throws {
        let missing = try CLI.run(["expr", "listing.id", "--snapshot", "examples/demo", "--row", "nope"], in: CLI.packageRoot)
        #expect(missing.status == 2)
        #expect(missing.stderr == "pulse expr: no listing 'nope' in examples/demo\n")
        let sku = try CLI.run(["expr", "sku.code", "--sku", "X"] + row, in: CLI.packageRoot)
        #expect(sku.status == 2)
        #expect(sku.stderr.hasPrefix("pulse expr: listing '1005006000023757' has no SKU 'X'; it has BAG-003-GRN, BAG-003-BLU"))
    }

    @Test func textErrorsPointAtTheColumn() throws {
        let result = try CLI.run(["expr", "listing.stauts", "--snapshot", "examples/demo", "--row", "1005006000023757"], in: CLI.packageRoot)
        #expect(result.status == 1)
        #expect(result.stderr == "check error: listing has no field 'stauts'; did you mean 'status'?\n    listing.stauts\n            ^\n")
    }
}
