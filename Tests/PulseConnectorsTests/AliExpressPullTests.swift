import Foundation
import PulseCLI
import PulseConnectors
@testable import PulseFakeVendors
import PulseExpressions
import PulseSnapshot
import Testing

/// The AliExpress side of `pulse pull`, and a pull followed by `pulse eval`.
@Suite("pulse pull: AliExpress")
struct AliExpressPullTests {
    @Test("the signature matches one computed independently (Python's hmac; the research's test vector)")
    func signatureVector() {
        // python3 -c "import hmac,hashlib; print(hmac.new(b'helloworld', s.encode(), hashlib.sha256).hexdigest().upper())"
        let parameters = [
            ("aeop_a_e_product_list_query", #"{"current_page":1,"page_size":20,"product_status_type":"onSelling"}"#),
            ("app_key", "12345678"), ("method", "aliexpress.solution.product.list.get"), ("session", "test-token"),
            ("sign_method", "sha256"), ("timestamp", "1517820392000"),
        ]
        #expect(AliExpressSigner.sign(parameters.reversed(), secret: "helloworld") == "CDE8BA75950CE0D3D0867675C20364C708CC0BD46EA22F226D0E36A821D3A047")
        let second = [
            ("method", "aliexpress.solution.product.info.get"), ("app_key", "12345678"), ("session", "tok-ü"), ("timestamp", "1700000000000"),
            ("sign_method", "sha256"), ("v", "2.0"), ("format", "json"), ("simplify", "false"), ("product_id", "1005006012345678"),
            ("sign", "ignored"),
        ]
        #expect(AliExpressSigner.sign(second, secret: "s3cret") == "061957EE2BFC44659715039D7649E5B3BD2CCC2D59FE57A409A4E70408DFC4B8")
    }

    /// The seed cards' worked examples as a store: 50 active listings, 9 of them on a template
    /// without Brazil (coverage 82%); 4 SKUs at zero in BigCommerce (and one untracked, which does
    /// not count); three listings in audit.
    static func workedExampleStore() -> FakeStore {
        var store = FakeStore.simple(listings: 50)
        store.templates.append(.init(id: -1_719_201_133, name: "No Brazil", countries: ["US", "GB", "DE", "FR", "ES"], nested: false))
        for i in 41..<50 { store.listings[i].templateID = -1_719_201_133 }
        for i in 0..<4 { store.products[i].variants[0].level = 0 }
        store.products[4].tracking = "none"
        store.products[4].variants[0].level = 0
        for i in 0..<3 {
            store.listings.append(.init(id: 1_005_006_900_000_000 + Int64(i), status: "auditing", subject: "In audit \(i)", templateID: 1,
                                        skus: [.init(code: "AUD-\(i)", stock: 1)]))
        }
        return store
    }

    @Test("pull, a day passes, pull again: details only for what changed, audit events with reasons, and eval gives the worked examples")
    func pullThenEval() async throws {
        let h = try await PullHarness.start(Self.workedExampleStore())
        defer { Task { await h.stop() } }
        let first = try await h.pull(["--now", "2026-03-16T08:00:00Z", "--out", h.path("snapshots/shop/20260316T080000Z")])
        #expect(first.exitCode == 0, "\(first.stderr)")
        #expect(h.server.calls("aliexpress.solution.product.info.get") == 53)
        #expect(h.server.calls("aliexpress.product.diagnosis.pageQueryProblem") == 0, "no rejected listing: no diagnosis call")
        #expect(try h.read("snapshots/shop/20260316T080000Z/audit_events.jsonl").isEmpty,
                "a first pull has nothing to compare with: an empty audit events file, not an event per listing")
        #expect(try h.read("snapshots/shop/20260316T080000Z/snapshot.json").contains(#""audit_events_since":"2026-03-16T08:00:00Z""#))

        // Two listings fail audit; AliExpress's diagnosis names a problem for one of them.
        h.server.update { store in
            for i in 50..<52 {
                store.listings[i].status = "editingRequired"
                store.listings[i].modified = "2026-03-17 09:30:00"
            }
            store.problems[1_005_006_900_000_000] = "missing_brand_attribute"
        }
        let second = try await h.pull(["--now", "2026-03-17T08:00:00Z", "--out", h.path("snapshots/shop/20260317T080000Z")])
        #expect(second.exitCode == 0, "\(second.stderr)")
        #expect(h.server.calls("aliexpress.solution.product.info.get") == 55, "the second pull fetched the 2 changed listings' details only")
        #expect(h.server.state.withLockedValue { $0.detailCalls[1_005_006_900_000_000] } == 2)
        #expect(h.server.state.withLockedValue { $0.detailCalls[1_005_006_000_000_007] } == 1)

        let snap = "snapshots/shop/20260317T080000Z"
        let events = try h.lines(snap + "/audit_events.jsonl")
        #expect(events.count == 2, "the two rejections: \(events)")
        #expect(events.contains(#"{"listing_id":"1005006900000000","at":"2026-03-17T08:00:00Z","from":"auditing","to":"rejected","reason":"missing_brand_attribute"}"#))
        #expect(events.contains(#"{"listing_id":"1005006900000001","at":"2026-03-17T08:00:00Z","from":"auditing","to":"rejected","reason":null}"#))
        let listings = try h.lines(snap + "/listings.jsonl")
        #expect(listings[0] == #"{"id":"1005006000000000","title":"Item 0","status":"active","category_id":"200000345","freight_template_id":"1","ship_to":null,"created_at":"2026-01-02T10:00:00Z","updated_at":"2026-03-16T12:00:00Z","expires_at":null,"rejection_reason":null,"skus":[{"code":"SKU-0","stock":3,"price":"9.99"}]}"#,
                "ids exact, gmt_* read as China time, an unchanged listing keeps the previous details")
        #expect(try h.read(snap + "/freight_templates.jsonl").contains(#"{"id":"-1719201133","name":"No Brazil","countries":["US","GB","DE","FR","ES"]}"#),
                "a negative template id is kept as an opaque string; the flat settings layout is read too")
        #expect(try h.read(snap + "/category_restrictions.jsonl").isEmpty)

        let options = try EvalRunner.Options.parse([
            "--cards", CLIPaths.cards, "--profiles", h.path("profiles"), "--profile", "shop", "--snapshot", h.path(snap), "--format", "json",
        ])
        // Three audit listings have no BigCommerce product: 3 of 53 listing SKUs (5.7%) are
        // unmatched, past the default 5%, so the stock card has no data rather than a value.
        let strict = await EvalRunner.run(options)
        #expect(strict.exitCode == 5, "\(strict.stderr)")
        #expect(strict.allStdout.contains(#""unmatched_skus": {"count": 3, "of": 53, "max": "5%"}"#))
        let profile = try h.read("profiles/shop.yaml")
        try Data((profile + "data_quality: {max_unmatched_skus: 10%}\n").utf8).write(to: URL(fileURLWithPath: h.path("profiles/shop.yaml")))
        let report = await EvalRunner.run(options)
        #expect(report.exitCode == 0 || report.exitCode == 3, "\(report.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(report.allStdout.utf8)) as? [String: Any])
        let cards = try #require(json["cards"] as? [[String: Any]])
        func value(_ key: String) -> Double? { (cards.first { $0["key"] as? String == key }?["value"] as? NSNumber)?.doubleValue }
        #expect(value("aex_ship_to_country_coverage") == 82)
        #expect(value("aex_xc_listed_but_oos_on_bc") == 4)
        #expect(value("aex_rejected_listings_24h") == 2)
        let rejected = cards.first { $0["key"] as? String == "aex_rejected_listings_24h" }?["breakdown"] as? [String: Any]
        #expect((rejected?["missing_brand_attribute"] as? NSNumber)?.intValue == 1, "\(String(describing: rejected))")
        #expect(value("aex_rejected_auditing_listings") == 3)

        // Later pulls carry the events forward for 7 days, then drop them.
        #expect(try await h.pull(["--now", "2026-03-18T08:00:00Z", "--out", h.path("snapshots/shop/20260318T080000Z")]).exitCode == 0)
        #expect(try h.lines("snapshots/shop/20260318T080000Z/audit_events.jsonl") == events.filter { $0.contains("\"to\":\"rejected\"") })
        #expect(try await h.pull(["--now", "2026-03-24T09:00:00Z", "--out", h.path("snapshots/shop/20260324T090000Z")]).exitCode == 0)
        #expect(try h.read("snapshots/shop/20260324T090000Z/audit_events.jsonl").isEmpty, "older than 7 days: no longer carried")
        #expect(h.server.calls("aliexpress.solution.product.info.get") == 55, "nothing changed: no detail call")
    }

    @Test("a first pull: an empty events file marked audit_events_since; eval has data and says events count from the pull, until a full window passed")
    func firstPullEvents() async throws {
        let h = try await PullHarness.start(.simple(listings: 3))
        defer { Task { await h.stop() } }
        let snap = h.path("snapshots/shop/first")
        let pulled = try await h.pull(["--now", "2026-03-16T09:00:00Z", "--out", snap])
        #expect(pulled.exitCode == 0, "\(pulled.stderr)")
        #expect(try h.read("snapshots/shop/first/audit_events.jsonl").isEmpty)
        let loaded = try SnapshotLoader.load(folder: snap)
        #expect(loaded.auditEventsSince == CELTimestamp(parsing: "2026-03-16T09:00:00Z"))
        #expect(!loaded.missingFiles.contains(.auditEvents))

        func eval(_ format: String, now: String) async throws -> CommandOutput {
            await EvalRunner.run(try EvalRunner.Options.parse([
                "--cards", CLIPaths.cards, "--profiles", h.path("profiles"), "--profile", "shop", "--snapshot", snap, "--format", format,
                "--now", now, "--card", "aex_rejected_listings_24h",
            ]))
        }
        let json = try await eval("json", now: "2026-03-16T10:00:00Z")
        #expect(json.exitCode == 0, "\(json.stderr)\(json.allStdout)")
        #expect(!json.allStdout.contains("audit_events.jsonl missing"))
        #expect(json.allStdout.contains(#""state_note": "first pull: audit events are counted from 09:00 today, less than the 24h window""#), "\(json.allStdout)")
        let table = try await eval("table", now: "2026-03-16T10:00:00Z")
        #expect(table.exitCode == 0, "\(table.stderr)")
        #expect(table.allStdout.contains("ok (alert > 0; first pull: audit events are counted from 09:00 today, less than the 24h window)"), "\(table.allStdout)")

        // A second pull keeps the mark; a full window later the note is gone.
        let second = try await h.pull(["--now", "2026-03-17T10:00:00Z", "--out", h.path("snapshots/shop/second")])
        #expect(second.exitCode == 0, "\(second.stderr)")
        let next = try SnapshotLoader.load(folder: h.path("snapshots/shop/second"))
        #expect(next.auditEventsSince == CELTimestamp(parsing: "2026-03-16T09:00:00Z"))
        let later = await EvalRunner.run(try EvalRunner.Options.parse([
            "--cards", CLIPaths.cards, "--profiles", h.path("profiles"), "--profile", "shop", "--snapshot", h.path("snapshots/shop/second"),
            "--format", "json", "--now", "2026-03-17T10:00:00Z", "--card", "aex_rejected_listings_24h",
        ]))
        #expect(later.allStdout.contains(#""state_note": null"#), "\(later.allStdout)")
    }

    @Test("ApiCallLimit: waits the seconds its message names, re-signs with a new timestamp, and carries on")
    func apiCallLimit() async throws {
        let h = try await PullHarness.start(.simple(listings: 2))
        defer { Task { await h.stop() } }
        h.server.script("aliexpress.solution.product.info.get", .aliExpressError(code: "ApiCallLimit", msg: "Api access frequency exceeds the limit. this ban will last 3 seconds"))
        let out = try await h.pull(["--out", h.path("snap")])
        #expect(out.exitCode == 0, "\(out.stderr)")
        #expect(h.clock.recorded == [3])
        #expect(h.server.calls("aliexpress.solution.product.info.get") == 3)
        #expect(h.server.state.withLockedValue { $0.badSignatures } == 0, "the retry was signed anew")
        #expect(try h.read("snap/snapshot.json").contains(#""aliexpress":{"calls":"#))
    }

    @Test("a wrong app secret: the fake refuses the signature, and the pull fails naming the call and AliExpress's code")
    func badSignature() async throws {
        let h = try await PullHarness.start(.simple(listings: 1))
        defer { Task { await h.stop() } }
        var env = h.environment
        env["TEST_AE_SECRET"] = "wrong-secret"
        let out = try await h.pull(["--out", h.path("snap")], environment: env)
        #expect(out.exitCode == 1)
        #expect(out.stderr.contains("aliexpress: aliexpress.solution.product.list.get (status onSelling, page 1): HTTP 200: error IncompleteSignature: The request signature does not conform to platform standards"), "\(out.stderr)")
        #expect(!out.stderr.contains("wrong-secret"))
        #expect(h.server.state.withLockedValue { $0.badSignatures } == 1)
        #expect(!FileManager.default.fileExists(atPath: h.path("snap")))
    }

    @Test("an error_response fails the pull with its code, sub_code and msg")
    func errorResponse() async throws {
        let h = try await PullHarness.start(.simple(listings: 1))
        defer { Task { await h.stop() } }
        h.server.script("aliexpress.freight.redefining.listfreighttemplate",
                        .raw(#"{"error_response":{"code":15,"msg":"Remote service error","sub_code":"isv.account-migration-check-fail","sub_msg":"The account migration does not conform to platform standards","request_id":"r1"}}"#))
        let out = try await h.pull(["--out", h.path("snap")])
        #expect(out.exitCode == 1)
        #expect(out.stderr.contains("aliexpress.freight.redefining.listfreighttemplate: HTTP 200: error 15: Remote service error (sub_code isv.account-migration-check-fail: The account migration does not conform to platform standards) [request_id r1]"), "\(out.stderr)")
    }

    @Test("a freight template that no longer exists is named with the listing that uses it")
    func deletedTemplate() async throws {
        var store = FakeStore.simple(listings: 2)
        store.listings[1].templateID = 77
        let h = try await PullHarness.start(store)
        defer { Task { await h.stop() } }
        let out = try await h.pull(["--out", h.path("snap")])
        #expect(out.exitCode == 1)
        #expect(out.stderr.contains("freight template 77, used by product 1005006000000001, no longer exists"), "\(out.stderr)")
    }

    @Test("--only bigcommerce refreshes stock and copies the AliExpress files from the previous snapshot")
    func onlyOneSide() async throws {
        let h = try await PullHarness.start(.simple(listings: 2))
        defer { Task { await h.stop() } }
        #expect(try await h.pull(["--out", h.path("snaps/a"), "--now", "2026-03-16T08:00:00Z"]).exitCode == 0)
        let aeCalls = h.server.calls("aliexpress.solution.product.list.get")
        h.server.update { $0.products[0].variants[0].level = 0 }
        let out = try await h.pull(["--out", h.path("snaps/b"), "--only", "bigcommerce"])
        #expect(out.exitCode == 0, "\(out.stderr)")
        #expect(h.server.calls("aliexpress.solution.product.list.get") == aeCalls)
        #expect(try h.read("snaps/b/listings.jsonl") == h.read("snaps/a/listings.jsonl"))
        #expect(try h.lines("snaps/b/stock.jsonl")[0].contains(#""available":0"#))
    }

    @Test("a full pull writes each side's taken_at as the pull's, after previous and before pulled; the loader reads them")
    func perSourceTimes() async throws {
        let h = try await PullHarness.start(.simple(listings: 2))
        defer { Task { await h.stop() } }
        #expect(try await h.pull(["--out", h.path("snaps/a"), "--now", "2026-03-16T08:00:00Z"]).exitCode == 0)
        let out = try await h.pull(["--out", h.path("snaps/b"), "--now", "2026-03-17T08:00:00Z"])
        #expect(out.exitCode == 0, "\(out.stderr)")
        let header = try h.read("snaps/b/snapshot.json")
        #expect(header.hasPrefix(#"{"format":1,"store":"shop","taken_at":"2026-03-17T08:00:00Z","profile":"shop","previous":"a","#
            + #""audit_events_since":"2026-03-16T08:00:00Z","sources":{"bigcommerce":{"taken_at":"2026-03-17T08:00:00Z"},"aliexpress":{"taken_at":"2026-03-17T08:00:00Z"}},"pulled":{"#),
            "\(header)")
        let snapshot = try SnapshotLoader.load(folder: h.path("snaps/b"))
        #expect(snapshot.sourceTakenAt == [.bigcommerce: snapshot.takenAt, .aliexpress: snapshot.takenAt])
        #expect(SnapshotSource.allCases.allSatisfy { snapshot.takenAt(of: $0).description == "2026-03-17T08:00:00Z" })
    }

    @Test("--only keeps the carried-over side's earlier time (its sources time, else its taken_at) and gives the pulled side the new one")
    func onlyKeepsTheOtherSidesTime() async throws {
        let h = try await PullHarness.start(.simple(listings: 2))
        defer { Task { await h.stop() } }
        #expect(try await h.pull(["--out", h.path("snaps/a"), "--now", "2026-03-16T08:00:00Z"]).exitCode == 0)
        let b = try await h.pull(["--out", h.path("snaps/b"), "--now", "2026-03-17T08:00:00Z", "--only", "bigcommerce"])
        #expect(b.exitCode == 0, "\(b.stderr)")
        #expect(try h.read("snaps/b/snapshot.json").contains(
            #""sources":{"bigcommerce":{"taken_at":"2026-03-17T08:00:00Z"},"aliexpress":{"taken_at":"2026-03-16T08:00:00Z"}}"#))
        let loaded = try SnapshotLoader.load(folder: h.path("snaps/b"))
        #expect(loaded.takenAt.description == "2026-03-17T08:00:00Z")
        #expect(loaded.takenAt(of: .bigcommerce).description == "2026-03-17T08:00:00Z")
        #expect(loaded.takenAt(of: .aliexpress).description == "2026-03-16T08:00:00Z")

        // From b (which has per-source times), --only aliexpress carries b's bigcommerce time.
        let c = try await h.pull(["--out", h.path("snaps/c"), "--now", "2026-03-18T08:00:00Z", "--only", "aliexpress"])
        #expect(c.exitCode == 0, "\(c.stderr)")
        let third = try SnapshotLoader.load(folder: h.path("snaps/c"))
        #expect(third.takenAt(of: .bigcommerce).description == "2026-03-17T08:00:00Z")
        #expect(third.takenAt(of: .aliexpress).description == "2026-03-18T08:00:00Z")

        // A previous snapshot without sources (an older pull's): the carried side keeps its taken_at.
        let header = try h.read("snaps/a/snapshot.json")
        let start = try #require(header.range(of: #","sources":"#)), end = try #require(header.range(of: #","pulled":"#))
        try Data((String(header[..<start.lowerBound]) + String(header[end.lowerBound...])).utf8).write(to: URL(fileURLWithPath: h.path("snaps/a/snapshot.json")))
        let d = try await h.pull(["--out", h.path("snaps/d"), "--now", "2026-03-19T08:00:00Z", "--previous", h.path("snaps/a"), "--only", "bigcommerce"])
        #expect(d.exitCode == 0, "\(d.stderr)")
        let fourth = try SnapshotLoader.load(folder: h.path("snaps/d"))
        #expect(fourth.takenAt(of: .aliexpress).description == "2026-03-16T08:00:00Z")
        #expect(fourth.takenAt(of: .bigcommerce).description == "2026-03-19T08:00:00Z")

        // A previous snapshot whose per-source time is unreadable is refused, not guessed at.
        let broken = try h.read("snaps/d/snapshot.json").replacingOccurrences(of: #""aliexpress":{"taken_at":"2026-03-16T08:00:00Z"}"#,
                                                                               with: #""aliexpress":{"taken_at":"soon"}"#)
        try Data(broken.utf8).write(to: URL(fileURLWithPath: h.path("snaps/d/snapshot.json")))
        let e = try await h.pull(["--out", h.path("snaps/e"), "--previous", h.path("snaps/d"), "--only", "bigcommerce"])
        #expect(e.exitCode != 0 && e.stderr.contains("snapshot.json has no RFC 3339 sources.aliexpress.taken_at"), "\(e.stderr)")
        #expect(!FileManager.default.fileExists(atPath: h.path("snaps/e")))
    }

    @Test("killed with SIGKILL mid-pull: no snapshot appears, the previous one is intact, and the next pull clears the leftover")
    func killedMidPull() async throws {
        let h = try await PullHarness.start(.simple(listings: 2))
        defer { Task { await h.stop() } }
        #expect(try await h.pull(["--out", h.path("snapshots/shop/a"), "--now", "2026-03-16T08:00:00Z"]).exitCode == 0)
        // The pull runs as its own process; the fake holds its freight call (listings are written by then) until it is killed.
        let (events, event) = AsyncStream<String>.makeStream()
        h.server.script("aliexpress.freight.redefining.listfreighttemplate", .stall(arrived: { event.yield("arrived") }))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLIPaths.binary)
        process.arguments = ["pull", "--profiles", h.path("profiles"), "--profile", "shop", "--out", h.path("snapshots/shop/b")]
        process.environment = h.environment
        let errors = h.path("pull-stderr.txt")
        _ = FileManager.default.createFile(atPath: errors, contents: nil)
        process.standardError = FileHandle(forWritingAtPath: errors)
        process.standardOutput = FileHandle.nullDevice
        process.terminationHandler = { _ in event.yield("exited") }
        try process.run()
        var first: String?
        for await e in events { first = e; break }
        try #require(first == "arrived", "the pull ended before its freight call: \((try? h.read("pull-stderr.txt")) ?? "")")
        #expect(h.entries("snapshots/shop").contains { $0.hasPrefix(".b.tmp-") }, "\(h.entries("snapshots/shop"))")
        kill(process.processIdentifier, SIGKILL)
        for await e in events where e == "exited" { break }
        h.server.releaseStalls()
        #expect(!FileManager.default.fileExists(atPath: h.path("snapshots/shop/b")))
        #expect(FileManager.default.fileExists(atPath: h.path("snapshots/shop/a/snapshot.json")))
        #expect(try await h.pull(["--out", h.path("snapshots/shop/b")]).exitCode == 0)
        #expect(h.entries("snapshots/shop") == ["a", "b"], "the dead pull's temporary folder was removed")
    }
}

/// Paths of the package under test.
enum CLIPaths {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static var cards: String { root.appendingPathComponent("cards").path }
    static var binary: String {
        let beside = Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("pulse").path
        return FileManager.default.isExecutableFile(atPath: beside) ? beside : root.appendingPathComponent(".build/debug/pulse").path
    }
}
