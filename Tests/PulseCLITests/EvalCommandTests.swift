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
        #expect(result.stdout.contains("▲ FIRING critical (> 0)"))
    }

    @Test("judged by the wall clock, the months-old demo is stale: values shown, exit 6, and --now makes it fresh")
    func staleDataExitsSix() throws {
        let stale = try CLI.run(demo, in: CLI.packageRoot, fresh: false)
        #expect(stale.status == 6, "\(stale.stderr)")
        #expect(stale.stdout.contains(" · checked "))
        #expect(stale.stdout.contains("5 cards: 5 stale\n"))
        #expect(stale.stdout.contains("★ AliExpress Total Listings   292  ◌ STALE (aliexpress data from 2026-03-17T08:00:00Z is "))
        #expect(stale.stdout.contains("(stale after 25h); the alert stays firing critical)"), "\(stale.stdout)")
        #expect(!stale.stdout.contains("FIRING"))
        // Stale data fires nothing, so --fail-on-alert does not page; 6 still tells cron.
        #expect(try CLI.run(demo + ["--fail-on-alert"], in: CLI.packageRoot, fresh: false).status == 6)
        let json = try CLI.run(demo + ["--format", "json"], in: CLI.packageRoot, fresh: false)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let card = try #require((object["cards"] as? [[String: Any]])?.first)
        #expect(card["state"] as? String == "stale")
        #expect((card["data_age_s"] as? Int ?? 0) > 200 * 86_400)
        let aliexpress = try #require(((card["freshness"] as? [String: Any])?["sources"] as? [String: Any])?["aliexpress"] as? [String: Any])
        #expect(aliexpress["stale"] as? Bool == true && aliexpress["stale_after"] as? String == "25h")
        #expect(try CLI.run(demo + ["--now", "2026-03-18T09:00:01Z"], in: CLI.packageRoot).status == 6, "25h and a second: stale")
        #expect(try CLI.run(demo + ["--now", "2026-03-18T09:00:00Z"], in: CLI.packageRoot).status == 0, "25h exactly: fresh")
    }

    @Test("--fail-on warn pages on a warning, the default critical does not; 3 wins over 5")
    func failOnLevels() throws {
        let files = try CLI.shippedConfig().merging([
            "profiles/levels.yaml": """
                profile: levels
                extends: demo
                cards:
                  aex_rejected_auditing_listings: {alert: {warn: "> 0", critical: "> 100"}}
                  aex_rejected_listings_24h: {alert: null}
                  aex_xc_listed_but_oos_on_bc: {alert: null}
                  aex_ship_to_country_coverage: {alert: null}

                """,
        ]) { $1 }
        let root = try CLI.scratch(files)
        let args = ["eval", "--profile", "levels", "--snapshot", CLI.packageRoot.appendingPathComponent("examples/demo").path]
        let plain = try CLI.run(args, in: root)
        #expect(plain.status == 0)
        #expect(plain.stdout.contains("28  △ FIRING warn (warn > 0, critical > 100)"), "\(plain.stdout)")
        #expect(plain.stdout.contains("5 cards: 1 firing (1 warn), 4 no alert set\n"))
        #expect(try CLI.run(args + ["--fail-on-alert"], in: root).status == 0, "a warning does not page by default")
        #expect(try CLI.run(args + ["--fail-on", "warn"], in: root).status == 3)
        #expect(try CLI.run(args + ["--fail-on-alert", "--fail-on", "critical"], in: root).status == 0)
        let bad = try CLI.run(args + ["--fail-on", "page"], in: root)
        #expect(bad.status == 64 || bad.status == 2, "\(bad.status)")
        #expect(bad.stderr.contains("page"))
        // A missing file is exit 5, but a firing alert asked for comes first.
        let broken = try CLI.scratch(["snap/x": ""])
        try FileManager.default.removeItem(at: broken.appendingPathComponent("snap"))
        try FileManager.default.copyItem(at: CLI.packageRoot.appendingPathComponent("examples/demo"), to: broken.appendingPathComponent("snap"))
        try FileManager.default.removeItem(at: broken.appendingPathComponent("snap/stock.jsonl"))
        let missing = ["eval", "--profile", "levels", "--snapshot", broken.appendingPathComponent("snap").path]
        #expect(try CLI.run(missing, in: root).status == 5)
        #expect(try CLI.run(missing + ["--fail-on", "warn"], in: root).status == 3)
    }

    @Test func jsonOutputFollowsTheDocumentedSchema() throws {
        let result = try CLI.run(demo + ["--format", "json"], in: CLI.packageRoot)
        #expect(result.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(Set(object.keys) == ["profile", "store", "now", "checked_at", "role", "cards"])
        #expect(object["checked_at"] as? String == "2026-03-17T08:00:00Z")
        #expect(object["profile"] as? String == "demo")
        #expect(object["now"] as? String == "2026-03-17T08:00:00Z")
        #expect(object["role"] is NSNull)
        let cards = try #require(object["cards"] as? [[String: Any]])
        #expect(cards.count == 5)
        let keys: Set<String> = ["key", "title", "class", "category", "unit", "window", "roles", "value", "numerator", "denominator",
                                 "alert", "breakdown", "rows", "row_count", "errors", "state", "severity", "state_note", "data_age_s", "freshness",
                                 "no_data", "data_quality"]
        for card in cards { #expect(Set(card.keys) == keys) }
        let oos = try #require(cards.first { $0["key"] as? String == "aex_xc_listed_but_oos_on_bc" })
        #expect(oos["value"] as? Int == 7)
        // The demo profile holds this alert `for: 2`: without history the condition holds but the alert is pending.
        #expect((oos["alert"] as? [String: Any])?["condition"] as? Bool == true)
        #expect((oos["alert"] as? [String: Any])?["firing"] as? Bool == false)
        #expect(oos["state"] as? String == "pending")
        #expect(oos["severity"] is NSNull)
        #expect(oos["data_age_s"] as? Int == 0)
        let alert = try #require(oos["alert"] as? [String: Any])
        #expect(alert["state"] as? String == "pending" && alert["level"] as? String == "critical" && alert["warn"] is NSNull)
        #expect(alert["critical"] as? String == "> 0" && alert["trigger"] as? String == "> 0")
        let shipTo = try #require(cards.first { $0["key"] as? String == "aex_ship_to_country_coverage" })
        #expect(shipTo["state"] as? String == "firing" && shipTo["severity"] as? String == "critical")
        #expect((shipTo["alert"] as? [String: Any])?["warn"] as? String == "< 95")
        let listed = try #require(cards.first { $0["key"] as? String == "aex_total_listings" })
        #expect(listed["state"] as? String == "none" && listed["alert"] is NSNull)
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
        // The cards finance sees, by their heading lines (a card's `siblings:` line may name others).
        let headings = finance.stdout.split(separator: "\n").filter { $0.hasPrefix("★ ") || $0.hasPrefix("· ") }
        #expect(headings == ["★ aex_xc_listed_but_oos_on_bc"], "\(finance.stdout)")
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
