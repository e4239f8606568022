import Foundation
import PulseSnapshot
import Testing

@Suite struct LoaderTests {
    private func folder(_ files: [String: String]) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pulse-loader-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var all = files
        if all["snapshot.json"] == nil { all["snapshot.json"] = #"{"format": 1, "taken_at": "2026-03-17T08:00:00Z"}"# }
        if all["listings.jsonl"] == nil { all["listings.jsonl"] = "" }
        for (name, text) in all { try Data(text.utf8).write(to: dir.appendingPathComponent(name)) }
        return dir.path
    }

    /// The issues of a snapshot that must fail, as `name:line: message` with the folder stripped.
    private func issues(_ files: [String: String]) throws -> [String] {
        let dir = try folder(files)
        do {
            _ = try SnapshotLoader.load(folder: dir)
            Issue.record("expected the snapshot to be refused")
            return []
        } catch {
            return error.issues.map { $0.description.replacingOccurrences(of: dir + "/", with: "") }
        }
    }

    @Test func loadsAndJoins() throws {
        let dir = try folder([
            "snapshot.json": #"{"format": 1, "store": "acme", "taken_at": "2026-03-17T08:00:00Z"}"#,
            "listings.jsonl": """
                {"id": "L1", "status": "active", "freight_template_id": "FT", "category_id": "C", "skus": [{"code": "A", "stock": 2, "price": "9.99"}]}

                {"id": "L2", "status": "draft", "ship_to": ["BR"], "freight_template_id": "FT", "skus": []}
                """,
            "stock.csv": "sku,available,tracking,purchasable,updated_at\nA,0,variant,true,2026-03-17T02:40:00Z\n\"B,1\",3,,,\n",
            "audit_events.jsonl": #"{"listing_id": "L1", "at": "2026-03-17T01:00:00+01:00", "to": "rejected"}"# + "\n",
            "freight_templates.jsonl": #"{"id": "FT", "countries": ["US", "GB"]}"# + "\n",
            "category_restrictions.jsonl": #"{"category_id": "C", "countries": ["BR"]}"# + "\n",
        ])
        let snapshot = try SnapshotLoader.load(folder: dir)
        #expect(snapshot.store == "acme")
        #expect(snapshot.takenAt.description == "2026-03-17T08:00:00Z")
        #expect(snapshot.listings.map(\.id) == ["L1", "L2"])
        #expect(snapshot.listings[0].shipTo == ["US", "GB"])
        #expect(snapshot.listings[0].restrictedDestinations == ["BR"])
        #expect(snapshot.listings[0].buyable)
        #expect(snapshot.listings[1].shipTo == ["BR"])  // its own list wins over the template
        #expect(!snapshot.listings[1].buyable)
        #expect(snapshot.listings[1].line == 3)
        #expect(snapshot.listings[0].skus[0].stockRecord?.available == 0)
        #expect(snapshot.stock.map(\.sku) == ["A", "B,1"])
        #expect(snapshot.stock[1].tracking == .variant && snapshot.stock[1].purchasable)
        #expect(snapshot.auditEvents.first?.at.description == "2026-03-17T00:00:00Z")
        #expect(snapshot.auditEvents.first?.listing?.id == "L1")
    }

    @Test func missingRequiredFilesAreNamed() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pulse-empty-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        do {
            _ = try SnapshotLoader.load(folder: dir.path)
            Issue.record("expected a failure")
        } catch {
            #expect(error.issues.map(\.message).allSatisfy { $0.hasPrefix("missing") })
            #expect(error.issues.count == 2)
        }
    }

    @Test(arguments: [
        ("{\"id\": \"L1\", \"status\": \"active\", \"skus\": []\n", "listings.jsonl:1: bad JSON at column 44: unexpected end of JSON inside an object"),
        (#"{"status": "active", "skus": []}"#, #"listings.jsonl:1: missing required field "id""#),
        (#"{"id": 5, "status": "active", "skus": []}"#, #"listings.jsonl:1: "id" must be a string, not an integer"#),
        (#"{"id": "L1", "status": "onSelling", "skus": []}"#, #"listings.jsonl:1: unknown status "onSelling" in "status"; expected one of active, auditing, rejected, expired, offline, draft; AliExpress's onSelling is active"#),
        (#"{"id": "L1", "status": "active"}"#, #"listings.jsonl:1: missing required field "skus" (write [] for none)"#),
        (#"{"id": "L1", "status": "active", "skus": [{"code": "A", "stock": "12"}]}"#, #"listings.jsonl:1: "skus"[0]: "stock" must be an integer, not a string"#),
        (#"{"id": "L1", "status": "active", "skus": [{"code": "A", "stock": -1}]}"#, #"listings.jsonl:1: "skus"[0]: "stock" must be >= 0, not -1"#),
        (#"{"id": "L1", "id": "L2", "status": "active", "skus": []}"#, #"listings.jsonl:1: bad JSON at column 14: duplicate key "id""#),
        (#"{"id": "L1", "status": "active", "skus": [], "updated_at": "yesterday"}"#, #"listings.jsonl:1: "updated_at" is not an RFC 3339 timestamp: "yesterday" (expected e.g. 2026-03-17T08:00:00Z)"#),
        (#"["L1"]"#, "listings.jsonl:1: each line must be a JSON object, not an array"),
        (#"{"id": "L1", "status": "active", "skus": [], "ship_to": "US"}"#, #"listings.jsonl:1: "ship_to" must be an array of strings, not a string"#),
    ])
    func badListingRowIsReportedAtItsLine(_ line: String, _ expected: String) throws {
        #expect(try issues(["listings.jsonl": line + "\n"]) == [expected])
    }

    @Test func duplicateIdsNameBothLines() throws {
        let text = #"{"id": "L1", "status": "active", "skus": []}"# + "\n\n" + #"{"id": "L1", "status": "draft", "skus": []}"# + "\n"
        #expect(try issues(["listings.jsonl": text]) == [#"listings.jsonl:3: duplicate listing id "L1" (first on line 1)"#])
    }

    @Test func stockAndEventErrors() throws {
        let found = try issues([
            "stock.jsonl": #"{"sku": "A", "available": 1.5}"# + "\n" + #"{"sku": "B", "available": 0, "tracking": "always"}"# + "\n" + #"{"sku": "B", "available": 0}"# + "\n",
            "audit_events.jsonl": #"{"listing_id": "L1", "to": "rejected"}"# + "\n" + #"{"listing_id": "L1", "at": "2026-03-17T08:00:00Z", "to": "gone"}"# + "\n",
        ])
        #expect(found == [
            #"stock.jsonl:1: "available" must be an integer, not a number"#,
            #"stock.jsonl:2: unknown tracking "always"; expected none, product or variant"#,
            #"stock.jsonl:3: duplicate sku "B" (first on line 2)"#,
            #"audit_events.jsonl:1: missing required field "at""#,
            #"audit_events.jsonl:2: unknown status "gone" in "to"; expected one of active, auditing, rejected, expired, offline, draft"#,
        ])
    }

    @Test func unknownTemplateIsAContractBreak() throws {
        let found = try issues([
            "listings.jsonl": #"{"id": "L1", "status": "active", "freight_template_id": "NOPE", "skus": []}"# + "\n",
            "freight_templates.jsonl": #"{"id": "FT", "countries": []}"# + "\n",
        ])
        #expect(found == [#"listings.jsonl:1: freight_template_id "NOPE" is not in freight_templates.jsonl"#])
    }

    @Test func csvErrors() throws {
        let found = try issues(["stock.csv": "sku,available\nA,x\nB\n\"C,1\n"])
        #expect(found == [
            #"stock.csv:2: "available" must be an integer, not a string"#,
            "stock.csv:3: 1 cells; the header has 2",
            "stock.csv:4: unterminated quoted field",
        ])
    }

    @Test func badHeader() throws {
        #expect(try issues(["snapshot.json": #"{"format": 2}"#]) == [
            #"snapshot.json:1: "format" is 2; this Pulse reads format 1"#,
            #"snapshot.json:1: missing required field "taken_at""#,
        ])
    }

    @Test func perSourceTimesAreRead() throws {
        let dir = try folder(["snapshot.json": """
            {"format": 1, "taken_at": "2026-03-17T08:00:00Z", "sources": {
              "bigcommerce": {"taken_at": "2026-03-17T07:55:00Z"}, "aliexpress": {"taken_at": "2026-03-16T08:00:00+00:00", "calls": 12}}}
            """])
        let snapshot = try SnapshotLoader.load(folder: dir)
        #expect(snapshot.takenAt.description == "2026-03-17T08:00:00Z")
        #expect(snapshot.takenAt(of: .bigcommerce).description == "2026-03-17T07:55:00Z")
        #expect(snapshot.takenAt(of: .aliexpress).description == "2026-03-16T08:00:00Z")
        #expect(snapshot.sourceTakenAt.count == 2)
    }

    @Test func withoutPerSourceTimesEverySourceHasTheSnapshotsTime() throws {
        let plain = try SnapshotLoader.load(folder: folder([:]))
        #expect(plain.sourceTakenAt.isEmpty)
        #expect(SnapshotSource.allCases.allSatisfy { plain.takenAt(of: $0) == plain.takenAt })
        let one = try SnapshotLoader.load(folder: folder(["snapshot.json": """
            {"format": 1, "taken_at": "2026-03-17T08:00:00Z", "sources": {"bigcommerce": {"taken_at": "2026-03-17T06:00:00Z"}}}
            """]))
        #expect(one.takenAt(of: .bigcommerce).description == "2026-03-17T06:00:00Z")
        #expect(one.takenAt(of: .aliexpress) == one.takenAt, "a source the header leaves out has the snapshot's taken_at")
        #expect(SnapshotSource.of(.stock) == .bigcommerce && SnapshotSource.listings == .aliexpress)
        #expect(SnapshotSource.allCases.sorted() == [.bigcommerce, .aliexpress])
    }

    @Test(arguments: [
        (#""sources": {"aliexpress": {"taken_at": "yesterday"}}"#,
         #"snapshot.json:1: "sources"."aliexpress": "taken_at" is not an RFC 3339 timestamp: "yesterday" (expected e.g. 2026-03-17T08:00:00Z)"#),
        (#""sources": [{"taken_at": "2026-03-17T08:00:00Z"}]"#,
         #"snapshot.json:1: "sources" must be an object of times by source, such as {"bigcommerce": {"taken_at": "2026-03-17T08:00:00Z"}}, not an array"#),
        (#""sources": {"bigcommerce": {"at": "2026-03-17T08:00:00Z"}}"#,
         #"snapshot.json:1: "sources"."bigcommerce": missing required field "taken_at""#),
        (#""sources": {"bigcommerce": "2026-03-17T08:00:00Z"}"#,
         #"snapshot.json:1: "sources"."bigcommerce" must be an object such as {"taken_at": "2026-03-17T08:00:00Z"}, not a string"#),
        (#""sources": {"bigcomerce": {"taken_at": "2026-03-17T08:00:00Z"}}"#,
         #"snapshot.json:1: unknown source "bigcomerce" in "sources"; did you mean 'bigcommerce'?"#),
        (#""sources": {"shopify": {"taken_at": "2026-03-17T08:00:00Z"}}"#,
         #"snapshot.json:1: unknown source "shopify" in "sources"; expected one of bigcommerce, aliexpress"#),
    ])
    func badPerSourceTimeFailsTheLoad(_ sources: String, _ expected: String) throws {
        let header = #"{"format": 1, "taken_at": "2026-03-17T08:00:00Z", "# + sources + "}"
        #expect(try issues(["snapshot.json": header]) == [expected])
    }

    @Test func manyBadRowsAreCappedAndCounted() throws {
        let text = (0..<45).map { _ in "not json" }.joined(separator: "\n")
        let dir = try folder(["listings.jsonl": text])
        do {
            _ = try SnapshotLoader.load(folder: dir)
            Issue.record("expected a failure")
        } catch {
            #expect(error.issues.count == 20)
            #expect(error.total == 45)
            #expect(error.description.hasSuffix("… and 25 more problems (45 in all)"))
        }
    }

    @Test func unknownFieldsAreIgnored() throws {
        let dir = try folder(["listings.jsonl": #"{"id": "L1", "status": "active", "skus": [], "ws_display": "x", "extra": {"a": [1]}}"# + "\n"])
        #expect(try SnapshotLoader.load(folder: dir).listings.count == 1)
    }
}

@Suite struct JSONParserTests {
    @Test(arguments: [
        (#"{"a": [1, -2.5e3, true, null, "x\u00e9\n"]}"#, true),
        (#"{"a": 01}"#, false), (#"{"a": 1,}"#, false), (#"{'a': 1}"#, false), (#"{"a": "\x"}"#, false),
        (#"[1, 2"#, false), (#""\ud83d\ude00""#, true), (#"1 2"#, false),
    ])
    func strictness(_ text: String, _ valid: Bool) {
        let parsed = try? JSONParser.parse(Array(text.utf8))
        #expect((parsed != nil) == valid)
    }

    @Test func valuesKeepTheirKinds() throws {
        let value = try JSONParser.parse(Array(#"{"i": 9007199254740993, "d": 1.5, "s": "\ud83d\ude00"}"#.utf8))
        #expect(value == .object([JSONMember("i", .int(9_007_199_254_740_993)), JSONMember("d", .double(1.5)), JSONMember("s", .string("😀"))]))
    }
}

/// Issue 10: hostile snapshot input ends in a located error or a right value, never a trap or a hang.
@Suite struct HostileSnapshotTests {
    private func folder(_ files: [String: [UInt8]]) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pulse-hostile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var all = files
        if all["snapshot.json"] == nil { all["snapshot.json"] = Array(#"{"format": 1, "taken_at": "2026-03-17T08:00:00Z"}"#.utf8) }
        if all["listings.jsonl"] == nil { all["listings.jsonl"] = [] }
        for (name, bytes) in all { try Data(bytes).write(to: dir.appendingPathComponent(name)) }
        return dir.path
    }

    private func issues(_ dir: String) -> [String] {
        do {
            _ = try SnapshotLoader.load(folder: dir)
            return []
        } catch {
            return error.issues.map { $0.description.replacingOccurrences(of: dir + "/", with: "") }
        }
    }

    /// Regression: duplicate keys were looked for by scanning the members so far, so a row of
    /// 150,000 keys (1.7 MB) took minutes; it now loads at once, and a duplicate is still found.
    @Test func aRowOfManyKeysIsReadInLinearTime() throws {
        let keys = (0..<150_000).map { "\"k\($0)\": 0" }.joined(separator: ", ")
        let row = "{\"id\": \"T1\", \"countries\": [\"US\"], " + keys + "}"
        let snapshot = try SnapshotLoader.load(folder: try folder(["freight_templates.jsonl": Array(row.utf8)]))
        #expect(snapshot.freightTemplates.first?.countries == ["US"])
        let duplicated = "{\"id\": \"T1\", \"countries\": [], " + keys + ", \"k77777\": 1}"
        let found = issues(try folder(["freight_templates.jsonl": Array(duplicated.utf8)]))
        #expect(found.count == 1 && found.first?.contains("duplicate key \"k77777\"") == true, "\(found)")
    }

    @Test func aStockRowWithTenFractionalDigitsLoads() throws {
        let dir = try folder(["stock.jsonl": Array(#"{"sku": "A", "available": 1, "updated_at": "2026-03-13T06:00:00.1234567890Z"}"#.utf8)])
        let snapshot = try SnapshotLoader.load(folder: dir)
        #expect(snapshot.stock.first?.updatedAt?.description == "2026-03-13T06:00:00.123456789Z")
    }

    @Test(arguments: ["nan", "inf", "-inf", "1e400", "0x1p3", "1e3", "Infinity", String(repeating: "9", count: 400), " 1", ""])
    func aPriceThatIsNotAFiniteDecimalIsRefused(_ price: String) throws {
        let listing = #"{"id": "L1", "status": "active", "skus": [{"code": "A", "stock": 1, "price": "\#(price)"}]}"#
        let found = issues(try folder(["listings.jsonl": Array(listing.utf8)]))
        #expect(found.count == 1)
        #expect(found.first?.hasPrefix("listings.jsonl:1: \"skus\"[0]: \"price\" must be a decimal string such as \"49.99\" (a finite number)") == true,
                "\(found)")
    }

    @Test(arguments: ["49.99", "-3", "0.5", "+2", String(repeating: "9", count: 300) + ".5"])
    func finiteDecimalPricesLoad(_ price: String) throws {
        let listing = #"{"id": "L1", "status": "active", "skus": [{"code": "A", "stock": 1, "price": "\#(price)"}]}"#
        let snapshot = try SnapshotLoader.load(folder: try folder(["listings.jsonl": Array(listing.utf8)]))
        #expect(snapshot.listings.first?.skus.first?.price.flatMap(Double.init)?.isFinite == true)
    }

    @Test func aFIFOIsRefusedNotWaitedFor() throws {
        let dir = try folder([:])
        let fifo = dir + "/stock.jsonl"
        #expect(mkfifo(fifo, 0o600) == 0)
        #expect(issues(dir) == ["stock.jsonl: cannot read: not a regular file (a FIFO); a snapshot file must be a plain file"])
    }

    @Test func aSymbolicLinkLoopIsNamedNotCalledMissing() throws {
        let dir = try folder([:])
        #expect(symlink(dir + "/stock.jsonl", dir + "/stock.jsonl") == 0)
        #expect(issues(dir) == ["stock.jsonl: cannot read: a loop of symbolic links"])
    }

    @Test func aByteOrderMarkIsSkippedInJSONLinesAndCSV() throws {
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        let dir = try folder([
            "listings.jsonl": bom + Array(#"{"id": "L1", "status": "active", "skus": [{"code": "A", "stock": 1}]}"#.utf8),
            "stock.csv": bom + Array("sku,available\nA,0\n".utf8),
            "snapshot.json": bom + Array(#"{"format": 1, "taken_at": "2026-03-17T08:00:00Z"}"#.utf8),
        ])
        let snapshot = try SnapshotLoader.load(folder: dir)
        #expect(snapshot.listings.map(\.id) == ["L1"])
        #expect(snapshot.stock.map(\.sku) == ["A"])
    }

    @Test(arguments: [
        (Array("sku,available\nA,1\n".utf8) + [0x42, 0xFF, 0x2C, 0x31, 0x0A], ["stock.csv:3: bytes that are not UTF-8"]),
        (Array("sku,available,sku\nA,1,B\nC,2,D\n".utf8),
         ["stock.csv:1: the header row column \"sku\" appears twice; the columns are sku,available,tracking,purchasable,updated_at (sku and available required); no row was read"]),
        (Array("sku,avail\nA,1\nB,2\n".utf8),
         ["stock.csv:1: the header row unknown column \"avail\", no \"available\" column; the columns are sku,available,tracking,purchasable,updated_at (sku and available required); no row was read"]),
        (Array("sku,available\n\"SKU\"x,1\n".utf8), ["stock.csv:2: text after a closing quote at column 6"]),
        (Array("sku,available\nS\"KU,1\n".utf8), ["stock.csv:2: a quote inside an unquoted cell at column 2; quote the whole cell and double the quote (\"\")"]),
    ])
    func csvIsAsStrictAsJSONLines(_ csv: [UInt8], _ expected: [String]) throws {
        #expect(issues(try folder(["stock.csv": csv])) == expected)
    }

    @Test func anIntegerPastTheSixtyFourBitRangeIsNamedAsSuch() throws {
        let dir = try folder(["stock.jsonl": Array(#"{"sku": "A", "available": 99999999999999999999999}"#.utf8)])
        #expect(issues(dir) == ["stock.jsonl:1: \"available\" must be an integer between -9223372036854775808 and 9223372036854775807; this one is too large"])
    }

    @Test func quotedCSVCellsStillWork() throws {
        let dir = try folder(["stock.csv": Array("sku,available\n\"A,\"\"1\"\"\",3\n".utf8)])
        #expect(try SnapshotLoader.load(folder: dir).stock.map(\.sku) == ["A,\"1\""])
    }
}
