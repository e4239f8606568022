import Foundation
import Testing

/// Issue 10, parts 1 and 2: a missing feed is never green, and `for:` holds everywhere.
@Suite struct TrustTests {
    /// A copy of a demo snapshot without (or with emptied) files.
    func demoCopy(_ name: String = "demo", remove: [String] = [], empty: [String] = []) throws -> URL {
        let source = CLI.packageRoot.appendingPathComponent("examples/\(name)")
        let target = try CLI.scratch([:]).appendingPathComponent(name)
        try FileManager.default.copyItem(at: source, to: target)
        for file in remove { try FileManager.default.removeItem(at: target.appendingPathComponent(file)) }
        for file in empty { try Data().write(to: target.appendingPathComponent(file)) }
        return target
    }

    private func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    private func card(_ object: [String: Any], _ key: String) throws -> [String: Any] {
        try #require((object["cards"] as? [[String: Any]])?.first { $0["key"] as? String == key })
    }

    @Test func aMissingStockFileIsNoDataNeverOk() throws {
        let snapshot = try demoCopy(remove: ["stock.jsonl"])
        let args = ["eval", "--profile", "demo", "--snapshot", snapshot.path]
        let table = try CLI.run(args, in: CLI.packageRoot)
        #expect(table.status == 5)
        #expect(table.stdout.contains("★ Listed on AliExpress but Out of Stock on BigCommerce  no data (stock.jsonl missing)\n"))
        #expect(table.stdout.contains("1 no data"))
        let result = try CLI.run(args + ["--format", "json"], in: CLI.packageRoot)
        #expect(result.status == 5)
        let oos = try card(try json(result.stdout), "aex_xc_listed_but_oos_on_bc")
        #expect(oos["value"] is NSNull)
        #expect(oos["state"] as? String == "no_data")
        #expect((oos["no_data"] as? [String: Any])?["missing"] as? [String] == ["stock.jsonl"])
        #expect((oos["alert"] as? [String: Any])?["firing"] as? Bool == false)
        // Cards that do not read stock are evaluated as usual.
        let total = try card(try json(result.stdout), "aex_total_listings")
        #expect(total["state"] as? String == "none", "no trigger: never shown as ok")
        #expect(total["value"] as? Int == 292)
    }

    @Test func missingAuditEventsAndTemplatesAreNoDataForTheCardsThatReadThem() throws {
        let snapshot = try demoCopy(remove: ["audit_events.jsonl", "freight_templates.jsonl"])
        let result = try CLI.run(["eval", "--profile", "demo", "--snapshot", snapshot.path, "--format", "json"], in: CLI.packageRoot)
        #expect(result.status == 5)
        let object = try json(result.stdout)
        let rejected = try card(object, "aex_rejected_listings_24h")
        #expect(rejected["state"] as? String == "no_data")
        #expect((rejected["no_data"] as? [String: Any])?["missing"] as? [String] == ["audit_events.jsonl"])
        let coverage = try card(object, "aex_ship_to_country_coverage")
        #expect((coverage["no_data"] as? [String: Any])?["missing"] as? [String] == ["freight_templates.jsonl"])
    }

    /// The first example: BigCommerce SKUs that match none of AliExpress's gave
    /// "0 ✓ OK". A join that matched nothing is no data, in the table and the JSON.
    @Test func anEmptyStockFileIsNoDataWithTheUnmatchedCountNotZeroOK() throws {
        let snapshot = try demoCopy(empty: ["stock.jsonl"])
        let args = ["eval", "--profile", "demo", "--snapshot", snapshot.path, "--card", "aex_xc_listed_but_oos_on_bc"]
        let result = try CLI.run(args + ["--format", "json"], in: CLI.packageRoot)
        #expect(result.status == 5)
        let oos = try card(try json(result.stdout), "aex_xc_listed_but_oos_on_bc")
        #expect(oos["state"] as? String == "no_data")
        #expect(oos["value"] is NSNull, "missing, never zero")
        let noData = try #require(oos["no_data"] as? [String: Any])
        #expect(noData["missing"] as? [String] == [])
        let unmatched = try #require(noData["unmatched_skus"] as? [String: Any])
        #expect(unmatched["count"] as? Int == 526 && unmatched["of"] as? Int == 526 && unmatched["max"] as? String == "5%")
        let quality = try #require(oos["data_quality"] as? [String: Any])
        #expect(quality["unmatched_skus"] as? Int == 526)
        #expect((quality["examples"] as? [String])?.count == 5)
        let table = try CLI.run(args, in: CLI.packageRoot)
        #expect(table.status == 5)
        #expect(table.stdout.contains("★ Listed on AliExpress but Out of Stock on BigCommerce  no data (526 of 526 listing SKUs (100%) have no BigCommerce stock record; at most 5% may (data_quality.max_unmatched_skus))\n"), "\(table.stdout)")
        #expect(table.stdout.contains("  ! 526 of 526 listing SKUs (100%) have no BigCommerce stock record (unmatched), e.g. PACK-000-GRN,"))
        #expect(!table.stdout.contains("OK") && !table.stdout.contains("ok ("))
        // A card that does not join stock says nothing about it.
        let total = try CLI.run(["eval", "--profile", "demo", "--snapshot", snapshot.path, "--card", "aex_total_listings", "--format", "json"],
                                in: CLI.packageRoot)
        #expect(try card(try json(total.stdout), "aex_total_listings")["data_quality"] is NSNull)
    }

    /// A profile whose only alert is the out-of-stock card's, held `for: 2`.
    private func forTwoConfig() throws -> URL {
        var files = try CLI.shippedConfig()
        files["profiles/hold.yaml"] = """
            profile: hold
            extends: demo
            cards:
              aex_rejected_listings_24h: {alert: null}
              aex_rejected_auditing_listings: {alert: null}
              aex_ship_to_country_coverage: {alert: null}
            """
        return try CLI.scratch(files)
    }

    @Test func forTwoIsPendingUntilItHeldTwiceInTableJsonSummaryAndExitStatus() throws {
        let root = try forTwoConfig()
        let demo = CLI.packageRoot.appendingPathComponent("examples/demo").path
        let next = CLI.packageRoot.appendingPathComponent("examples/demo-next").path
        let db = root.appendingPathComponent("h.sqlite").path
        // No history: the condition holds, but it cannot have held twice.
        let bare = try CLI.run(["eval", "--profile", "hold", "--snapshot", demo, "--fail-on-alert", "--db", root.appendingPathComponent("none.sqlite").path],
                               in: root)
        #expect(bare.status == 0)
        #expect(bare.stdout.contains("5 cards: 1 pending, 4 no alert set\n"))
        #expect(bare.stdout.contains("7  … pending (> 0 for 2; needs history: for 2 evaluations in a row)"))
        #expect(!bare.stdout.contains("FIRING"))
        // The first recorded evaluation: pending, and --fail-on-alert does not page.
        let first = try CLI.run(["eval", "--profile", "hold", "--snapshot", demo, "--record", "--db", db, "--fail-on-alert", "--format", "json"], in: root)
        #expect(first.status == 0)
        let oos1 = try card(try json(first.stdout), "aex_xc_listed_but_oos_on_bc")
        #expect(oos1["state"] as? String == "pending")
        #expect(oos1["state_note"] as? String == "held 1 of 2 evaluations")
        // The next day, not recorded: the history says it would be the second in a row.
        let preview = try CLI.run(["eval", "--profile", "hold", "--snapshot", next, "--db", db, "--fail-on-alert"], in: root)
        #expect(preview.status == 3)
        #expect(preview.stdout.contains("5 cards: 1 firing (1 critical), 4 no alert set\n"))
        // Recorded: firing, and --fail-on-alert exits 3.
        let second = try CLI.run(["eval", "--profile", "hold", "--snapshot", next, "--record", "--db", db, "--fail-on-alert"], in: root)
        #expect(second.status == 3)
        #expect(second.stdout.contains("▲ FIRING critical (> 0 for 2)"))
        #expect(second.stdout.contains("pending -> firing"))
        // Re-evaluating the recorded snapshot reads its stored state.
        let again = try CLI.run(["eval", "--profile", "hold", "--snapshot", next, "--db", db, "--format", "json"], in: root)
        #expect(try card(try json(again.stdout), "aex_xc_listed_but_oos_on_bc")["state"] as? String == "firing")
    }

    @Test func noDataLeavesTheAlertStateAloneAndIsRecordedAsSuch() throws {
        let root = try forTwoConfig()
        let db = root.appendingPathComponent("h.sqlite").path
        let demo = CLI.packageRoot.appendingPathComponent("examples/demo").path
        let first = try CLI.run(["eval", "--profile", "hold", "--snapshot", demo, "--record", "--db", db], in: root)
        #expect(first.status == 0)
        let broken = try demoCopy("demo-next", remove: ["stock.jsonl"])
        let second = try CLI.run(["eval", "--profile", "hold", "--snapshot", broken.path, "--record", "--db", db], in: root)
        #expect(second.status == 5)
        #expect(second.stdout.contains("no alert changed state"))
        let alerts = try CLI.run(["alerts", "--profile", "hold", "--db", db], in: root)
        #expect(alerts.stdout.contains("… pending aex_xc_listed_but_oos_on_bc"))
        let history = try CLI.run(["history", "aex_xc_listed_but_oos_on_bc", "--profile", "hold", "--db", db, "--format", "json"], in: root)
        let series = try #require(try json(history.stdout)["series"] as? [[String: Any]])
        #expect(series.count == 2)
        #expect(series.last?["value"] is NSNull)
        #expect((series.last?["no_data"] as? [String: Any])?["missing"] as? [String] == ["stock.jsonl"])
    }
}

extension TrustTests {
    @Test func explainOfACardWithNoDataNamesTheMissingFile() throws {
        let snapshot = try demoCopy(remove: ["stock.jsonl"])
        let result = try CLI.run(["explain", "aex_xc_listed_but_oos_on_bc", "--profile", "demo", "--snapshot", snapshot.path], in: CLI.packageRoot)
        #expect(result.status == 5)
        #expect(result.stdout.contains("no data: stock.jsonl is missing from"))
        let json = try CLI.run(["explain", "aex_xc_listed_but_oos_on_bc", "--profile", "demo", "--snapshot", snapshot.path, "--format", "json"],
                               in: CLI.packageRoot)
        #expect(json.stdout.contains("\"state\": \"no_data\""))
    }
}
