import Foundation
import PulseHistory
import Testing

/// Issue 10, part 3: input that validate or the loader accepts never kills the process, and
/// never gives a silently wrong number.
@Suite struct HostileInputTests {
    /// The shipped config plus `cards` (file name -> YAML) in cards/test/, in a scratch folder.
    private func config(cards: [String: String] = [:], profiles: [String: String] = [:]) throws -> URL {
        var files = try CLI.shippedConfig()
        for (name, text) in cards { files["cards/test/\(name).yaml"] = text }
        for (name, text) in profiles { files["profiles/\(name).yaml"] = text }
        return try CLI.scratch(files)
    }

    /// A snapshot folder with `listings` (JSON Lines) and every optional file present.
    private func snapshot(_ listings: [String], stock: [String] = []) throws -> URL {
        try CLI.scratch([
            "snap/snapshot.json": #"{"format": 1, "store": "s", "taken_at": "2026-03-17T08:00:00Z"}"#,
            "snap/listings.jsonl": listings.joined(separator: "\n") + "\n",
            "snap/stock.jsonl": stock.joined(separator: "\n"),
            "snap/audit_events.jsonl": "", "snap/freight_templates.jsonl": "", "snap/category_restrictions.jsonl": "",
        ]).appendingPathComponent("snap")
    }

    private func card(_ key: String, from: String = "skus", where filter: String = "true", measure: String, extra: String = "") -> String {
        """
        key: \(key)
        title: T \(key)
        connector: test
        from: \(from)
        where: '\(filter)'
        measure: \(measure)
        \(extra)
        """
    }

    private func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    private func firstCard(_ text: String) throws -> [String: Any] {
        try #require((try json(text)["cards"] as? [[String: Any]])?.first)
    }

    @Test func aDurationTooLongForArithmeticIsRefusedByValidate() throws {
        let root = try config(cards: ["long": card("long", measure: "count", extra: "params:\n  window: {type: duration, default: 15251w}")])
        let result = try CLI.run(["validate"], in: root)
        #expect(result.status == 1)
        #expect(result.stdout.contains("must be a duration such as 90m, 24h, 7d or 1d12h, at most 36500d (100 years), not '15251w'"))
    }

    @Test func nowBefore1970WithTheLongestSpikeBaselineEvaluates() throws {
        let root = try config(profiles: ["old": "profile: old\ncards:\n  aex_rejected_listings_24h:\n    alert: {when: \"> 0\", spike: {baseline: 36500d, factor: 5, min: 10}}\n"])
        let db = root.appendingPathComponent("h.sqlite").path
        let recorded = try CLI.run(["eval", "--profile", "old", "--snapshot", CLI.packageRoot.appendingPathComponent("examples/demo").path, "--record", "--db", db], in: root)
        #expect(recorded.status == 0, "the setup recording: \(recorded.stderr)")
        let result = try CLI.run(["eval", "--profile", "old", "--snapshot", CLI.packageRoot.appendingPathComponent("examples/demo").path,
                                  "--db", db, "--now", "0001-01-02T00:00:00.1234567890Z", "--card", "aex_rejected_listings_24h"], in: root)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("now 0001-01-02T00:00:00.123456789Z"))
    }

    @Test func historySinceFarBackCountsEveryPointAndTooFarIsAUsageError() throws {
        let root = try config()
        let db = root.appendingPathComponent("h.sqlite").path
        for day in ["demo", "demo-next"] {
            let recorded = try CLI.run(["eval", "--profile", "demo", "--snapshot", CLI.packageRoot.appendingPathComponent("examples/\(day)").path, "--record", "--db", db], in: root)
            #expect(recorded.status == 0, "the setup recording of \(day): \(recorded.stderr)")
        }
        for since in ["520w", "5200w", "36500d"] {
            let result = try CLI.run(["history", "aex_total_listings", "--profile", "demo", "--db", db, "--since", since, "--format", "json"], in: root)
            #expect((try json(result.stdout)["series"] as? [Any])?.count == 2, "\(since)")
        }
        let tooFar = try CLI.run(["history", "aex_total_listings", "--profile", "demo", "--db", db, "--since", "1000000w"], in: root)
        #expect(tooFar.status == 2)
        let huge = try CLI.run(["history", "aex_total_listings", "--profile", "demo", "--db", db, "--since", "9223372036854775807s"], in: root)
        #expect(huge.status == 2)
    }

    @Test func aCardWithThirtyThousandConditionsIsRefusedNotACrash() throws {
        let chain = Array(repeating: "listing.status == \"active\"", count: 30_000).joined(separator: " && ")
        let root = try config(cards: ["long": card("long", from: "listings", where: chain, measure: "count")], profiles: ["t": "profile: t\n"])
        let validate = try CLI.run(["validate"], in: root)
        #expect(validate.status == 1)
        #expect(validate.stdout.contains("[expression-syntax]"))
        let explain = try CLI.run(["explain", "long", "--profile", "t", "--snapshot", CLI.packageRoot.appendingPathComponent("examples/demo").path], in: root)
        #expect(explain.status == 1)
        let short = Array(repeating: "listing.status == \"active\"", count: 200).joined(separator: " && ")
        let ok = try config(cards: ["long": card("long", from: "listings", where: short, measure: "count")], profiles: ["t": "profile: t\n"])
        let eval = try CLI.run(["eval", "--profile", "t", "--snapshot", CLI.packageRoot.appendingPathComponent("examples/demo").path,
                                "--card", "long", "--format", "json"], in: ok)
        #expect(try firstCard(eval.stdout)["value"] as? Int == 250)
    }

    @Test func historySinceATimestampWithTenFractionalDigits() throws {
        let root = try config()
        let db = root.appendingPathComponent("h.sqlite").path
        let recorded = try CLI.run(["eval", "--profile", "demo", "--snapshot", CLI.packageRoot.appendingPathComponent("examples/demo").path, "--record", "--db", db], in: root)
        #expect(recorded.status == 0, "the setup recording: \(recorded.stderr)")
        let result = try CLI.run(["history", "aex_total_listings", "--profile", "demo", "--db", db, "--since", "2026-03-01T00:00:00.1234567890Z"], in: root)
        #expect(result.status == 0)
        #expect(result.stdout.contains("1 recorded value"))
    }

    @Test func anInfiniteRecordedValueIsAGapInTheSparkline() throws {
        let nines = String(repeating: "9", count: 308)
        let listings = [
            #"{"id": "L1", "status": "active", "skus": [{"code": "A", "stock": 1, "price": "\#(nines)"}, {"code": "B", "stock": 1, "price": "\#(nines)"}]}"#,
        ]
        let root = try config(cards: ["price": card("price", where: "sku.price != null", measure: "sum(sku.price)")], profiles: ["t": "profile: t\n"])
        let db = root.appendingPathComponent("h.sqlite").path
        // Recorded; 5 because the shipped stock card has no data (no listing SKU has a stock record).
        #expect(try CLI.run(["eval", "--profile", "t", "--snapshot", try snapshot(listings).path, "--record", "--db", db], in: root).status == 5)
        let history = try CLI.run(["history", "price", "--profile", "t", "--db", db], in: root)
        #expect(history.status == 0)
        #expect(history.stdout.contains("∞"))
        let json = try CLI.run(["history", "price", "--profile", "t", "--db", db, "--format", "json"], in: root)
        #expect(json.stdout.contains("\"value\": \"Infinity\""))
    }

    @Test func sumsPastTheInt64RangeAndInfinitePrint() throws {
        let nines = String(repeating: "9", count: 308)
        let listings = [
            #"{"id": "L1", "status": "active", "skus": [{"code": "A", "stock": 9000000000000000000, "price": "\#(nines)"}]}"#,
            #"{"id": "L2", "status": "active", "skus": [{"code": "B", "stock": 9000000000000000000, "price": "\#(nines)"}]}"#,
        ]
        let root = try config(cards: [
            "price": card("price", where: "sku.price != null", measure: "sum(sku.price)"),
            "stock": card("stock", measure: "sum(sku.stock)"),
            "big": card("big", measure: "sum(sku.stock / 9)"),
        ], profiles: ["t": "profile: t\n"])
        let snap = try snapshot(listings)
        let table = try CLI.run(["eval", "--profile", "t", "--snapshot", snap.path, "--card", "price"], in: root)
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdout.contains("· T price   ∞  no alert set"))
        // An int sum that leaves Int64 is a row error, never a wrapped or rounded number.
        let stock = try firstCard(try CLI.run(["eval", "--profile", "t", "--snapshot", snap.path, "--card", "stock", "--format", "json"], in: root).stdout)
        #expect(stock["value"] as? Int64 == 9_000_000_000_000_000_000)
        #expect((stock["errors"] as? [String: Any])?["count"] as? Int == 1)
        #expect(((stock["errors"] as? [String: Any])?["examples"] as? [String])?.first?.contains("integer overflow in sum()") == true)
        // Exact integers past 2^53 stay exact.
        let big = try firstCard(try CLI.run(["eval", "--profile", "t", "--snapshot", snap.path, "--card", "big", "--format", "json"], in: root).stdout)
        #expect(big["value"] as? Int64 == 2_000_000_000_000_000_000)
    }

    @Test func anIntSumAboveTwoToThe53IsExact() throws {
        let listings = [
            #"{"id": "L1", "status": "active", "skus": [{"code": "A", "stock": 9007199254740992}]}"#,
            #"{"id": "L2", "status": "active", "skus": [{"code": "B", "stock": 1}]}"#,
        ]
        let root = try config(cards: ["s": card("s", measure: "sum(sku.stock)")], profiles: ["t": "profile: t\n"])
        let result = try CLI.run(["eval", "--profile", "t", "--snapshot", try snapshot(listings).path, "--card", "s", "--format", "json"], in: root)
        #expect(result.stdout.contains("\"value\": 9007199254740993,"))
    }

    @Test func stringsCountAndGroupByCodePoints() throws {
        // "é" as one code point and as e + combining accent: different strings to CEL's ==.
        var listings = [
            #"{"id": "L1", "status": "active", "title": "caf\u00e9", "skus": []}"#,
            #"{"id": "L2", "status": "active", "title": "cafe\u0301", "skus": []}"#,
        ]
        for i in 0..<20 { listings.append(#"{"id": "M\#(i)", "status": "active", "title": "t\#(i)", "skus": []}"#) }
        listings.append(#"{"id": "L3", "status": "active", "title": "cafe\u0301", "skus": []}"#)
        let root = try config(cards: [
            "d": card("d", from: "listings", measure: "count_distinct(listing.title)"),
            "g": card("g", from: "listings", measure: "count", extra: "group_by: listing.title"),
            "e": card("e", from: "listings", where: "listing.title == \"caf\\u00e9\"", measure: "count"),
        ], profiles: ["t": "profile: t\n"])
        let snap = try snapshot(listings)
        func value(_ key: String) throws -> [String: Any] {
            try firstCard(try CLI.run(["eval", "--profile", "t", "--snapshot", snap.path, "--card", key, "--format", "json"], in: root).stdout)
        }
        #expect(try value("d")["value"] as? Int == 22)
        #expect(try value("e")["value"] as? Int == 1)
        // Foundation's dictionaries merge canonically equal keys, so read the JSON's bytes.
        let text = try CLI.run(["eval", "--profile", "t", "--snapshot", snap.path, "--card", "g", "--format", "json"], in: root).stdout
        let bytes = Array(text.utf8)
        func has(_ needle: [UInt8]) -> Bool {
            bytes.count >= needle.count && (0...(bytes.count - needle.count)).contains { Array(bytes[$0..<($0 + needle.count)]) == needle }
        }
        #expect(has(Array("\"caf".utf8) + [0xC3, 0xA9] + Array("\": 1".utf8)))
        #expect(has(Array("\"cafe".utf8) + [0xCC, 0x81] + Array("\": 2".utf8)))
    }

    @Test func nestedComprehensionsPastTheCostLimit() throws {
        let big = "[" + (0..<1000).map { "\"c\($0)\"" }.joined(separator: ", ") + "]"
        // Statically too expensive: refused by validate, at the expression.
        let refused = try config(cards: ["cost": card("cost", from: "listings", where: "params.big.exists(x, params.big.exists(y, x == y + listing.id))",
                                                      measure: "count", extra: "params:\n  big: {type: list<string>, default: \(big)}")])
        let validate = try CLI.run(["validate"], in: refused)
        #expect(validate.status == 1)
        #expect(validate.stdout.contains("[expression-cost]"))
        #expect(validate.stdout.contains("takes at least 1001000 comprehension steps a row"))
        // Not known in advance (a list built per row): stopped at run time, counted as row errors.
        let root = try config(cards: ["run": card("run", from: "listings", where: "params.big.map(x, params.big).exists(l, l.exists(y, y == listing.id))",
                                                  measure: "count", extra: "params:\n  big: {type: list<string>, default: \(big)}")],
                              profiles: ["t": "profile: t\n"])
        let listings = (0..<3).map { #"{"id": "L\#($0)", "status": "active", "skus": []}"# }
        let result = try CLI.run(["eval", "--profile", "t", "--snapshot", try snapshot(listings).path, "--card", "run", "--format", "json"], in: root)
        #expect(result.status == 0, "\(result.stderr)")
        let errors = try #require(try firstCard(result.stdout)["errors"] as? [String: Any])
        #expect(errors["count"] as? Int == 3)
        #expect((errors["examples"] as? [String])?.first?.contains("exceeded its cost limit of 100000 comprehension steps") == true)
    }

    @Test func controlCharactersFromDataAreEscapedInTables() throws {
        let listings = [#"{"id": "L\u001b[2J\r\nFAKE", "status": "active", "title": "x\u0007", "skus": []}"#]
        let root = try config(cards: ["c": card("c", from: "listings", measure: "count", extra: "group_by: listing.title\nrows:\n  id: listing.id")],
                              profiles: ["t": "profile: t\n"])
        let result = try CLI.run(["eval", "--profile", "t", "--snapshot", try snapshot(listings).path, "--card", "c"], in: root)
        #expect(!result.stdout.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 || $0 == "\r" })
        #expect(result.stdout.contains("L\\u{1B}[2J\\r\\nFAKE"))
        #expect(result.stdout.contains("x\\u{7}"))
    }

    @Test func aProfilePathThatIsNotYAMLIsRefusedWithoutQuotingIt() throws {
        let result = try CLI.run(["eval", "--profile", "/etc/passwd", "--snapshot", "examples/demo"], in: CLI.packageRoot)
        #expect(result.status == 2)
        #expect(result.stderr == "pulse eval: --profile /etc/passwd is not a profile: give a profile name or a .yaml file\n")
    }

    @Test(arguments: ["inf", "nan", "1e12", "-1", "abc"])
    func anyBusyTimeoutIsSafe(_ value: String) throws {
        let root = try config()
        let process = Process()
        process.executableURL = try CLI.binary
        process.arguments = CLI.asOfSnapshot(["eval", "--profile", "demo", "--snapshot", CLI.packageRoot.appendingPathComponent("examples/demo").path,
                                              "--record", "--db", root.appendingPathComponent("h.sqlite").path], in: root)
        process.currentDirectoryURL = root
        var environment = ProcessInfo.processInfo.environment
        environment["PULSE_DB_BUSY_TIMEOUT"] = value
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 0)
    }

    @Test func aBrokenHistoryFileDoesNotStopPlainEval() throws {
        let root = try config()
        let store = root.appendingPathComponent(".pulse/history.sqlite")
        try FileManager.default.createDirectory(at: store.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(repeating: 0x41, count: 8192).write(to: store)
        let demo = CLI.packageRoot.appendingPathComponent("examples/demo").path
        let result = try CLI.run(["eval", "--profile", "demo", "--snapshot", demo, "--card", "aex_rejected_listings_24h"], in: root)
        #expect(result.status == 0)
        #expect(result.stdout.contains("spike: the recorded history could not be read"))
        #expect(result.stderr.contains("warning: cannot read the history store"))
        // Recording into it is still an error.
        let record = try CLI.run(["eval", "--profile", "demo", "--snapshot", demo, "--record"], in: root)
        #expect(record.status == 1)
    }

    @Test func aReadOnlyHistoryStoreCanBeRead() throws {
        let root = try config()
        let folder = root.appendingPathComponent("ro")
        let db = folder.appendingPathComponent("h.sqlite").path
        let demo = CLI.packageRoot.appendingPathComponent("examples/demo").path
        #expect(try CLI.run(["eval", "--profile", "demo", "--snapshot", demo, "--record", "--db", db], in: root).status == 0)
        try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: db)
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: folder.path)
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder.path) }
        let history = try CLI.run(["history", "aex_total_listings", "--profile", "demo", "--db", db], in: root)
        #expect(history.status == 0, "\(history.stderr)")
        #expect(history.stdout.contains("1 recorded value"))
        let alerts = try CLI.run(["alerts", "--profile", "demo", "--db", db], in: root)
        #expect(alerts.status == 0, "\(alerts.stderr)")
    }

    @Test func aWrongTypedValueInTheStoreIsAnErrorNotACrash() throws {
        let root = try config()
        let db = root.appendingPathComponent("h.sqlite").path
        let demo = CLI.packageRoot.appendingPathComponent("examples/demo").path
        #expect(try CLI.run(["eval", "--profile", "demo", "--snapshot", demo, "--record", "--db", db], in: root).status == 0)
        let sqlite = Process()
        sqlite.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        sqlite.arguments = ["python3", "-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(\"UPDATE card_value SET row_count='many', value='x'\"); "
                            + "c.execute(\"UPDATE alert_state SET consecutive='lots'\"); c.commit()", db]
        try sqlite.run()
        sqlite.waitUntilExit()
        #expect(sqlite.terminationStatus == 0)
        let history = try CLI.run(["history", "aex_total_listings", "--profile", "demo", "--db", db], in: root)
        #expect(history.status == 1)
        #expect(history.stderr.contains("wrong type"))
        let alerts = try CLI.run(["alerts", "--profile", "demo", "--db", db], in: root)
        #expect(alerts.status == 1)
        let eval = try CLI.run(["eval", "--profile", "demo", "--snapshot", demo, "--db", db], in: root)
        #expect(eval.terminationCrashed == false)
    }
}

private extension CLI.Result {
    /// Whether the process ended by a signal (a trap or a stack overflow) rather than an exit.
    var terminationCrashed: Bool { status > 128 || status < 0 }
}
