import Foundation
import Testing

/// Issue 11: the papercuts a new merchant hits in the first hour.
@Suite struct FirstHourTests {
    private let demo = CLI.packageRoot.appendingPathComponent("examples/demo").path

    @Test func aCardHiddenFromTheRoleIsSaidNotZeroCards() throws {
        let result = try CLI.run(["eval", "--profile", "demo", "--snapshot", demo, "--role", "marketing", "--card", "aex_total_listings"],
                                 in: CLI.packageRoot)
        #expect(result.status == 2)
        #expect(result.stderr == "pulse eval: card 'aex_total_listings' is hidden from role 'marketing'; it is shown to owner, operations\n")
    }

    @Test func testRunMatchingNothingIsAUsageError() throws {
        let result = try CLI.run(["test", "--run", "nomatch"], in: CLI.packageRoot)
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("pulse test: no test case matches --run nomatch in "))
    }

    @Test func generateRefusesANonEmptyFolderWithoutForce() throws {
        let root = try CLI.scratch(["out/keep.txt": "mine"])
        let out = root.appendingPathComponent("out").path
        let refused = try CLI.run(["generate", "--listings", "3", "--out", out], in: root)
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("is not empty (1 entry); choose an empty or new folder, or add --force to overwrite"))
        #expect(!FileManager.default.fileExists(atPath: out + "/listings.jsonl"))
        let forced = try CLI.run(["generate", "--listings", "3", "--out", out, "--force"], in: root)
        #expect(forced.status == 0)
        let fresh = try CLI.run(["generate", "--listings", "3", "--out", root.appendingPathComponent("new").path], in: root)
        #expect(fresh.status == 0)
    }

    @Test func aRepeatedCardsFolderIsRefused() throws {
        let result = try CLI.run(["eval", "--profile", "demo", "--snapshot", demo, "--cards", "cards", "--cards", "other"], in: CLI.packageRoot)
        #expect(result.status != 0)
        #expect(result.stderr.contains("--cards is given 2 times (cards, other); Pulse reads one folder"))
    }

    @Test func historyAndAlertsTakeAProfileByPath() throws {
        let root = try CLI.scratch(try CLI.shippedConfig())
        let db = root.appendingPathComponent("h.sqlite").path
        #expect(try CLI.run(["eval", "--profile", "profiles/demo.yaml", "--snapshot", demo, "--record", "--db", db], in: root).status == 0)
        for args in [["history", "aex_total_listings"], ["alerts"]] {
            let byPath = try CLI.run(args + ["--profile", "profiles/demo.yaml", "--db", db], in: root)
            let byName = try CLI.run(args + ["--profile", "demo", "--db", db], in: root)
            #expect(byPath.status == 0, "\(byPath.stderr)")
            #expect(byPath.stdout == byName.stdout)
        }
    }

    @Test(arguments: [
        ("from: listings\nwhere: sku.code == \"x\"", "unknown name 'sku': 'sku' exists only in cards with `from: skus` (this card is `from: listings`)"),
        ("from: listings\nwhere: bc != null", "unknown name 'bc': 'bc' exists only in cards with `from: skus` (this card is `from: listings`)"),
        ("from: skus\nwhere: event.to == \"x\"", "unknown name 'event': 'event' exists only in cards with `from: audit_events` (this card is `from: skus`)"),
        ("from: listings\nwhere: lower(listing.id) == \"a\"", "unknown function 'lower'; did you mean the method listing.id.lowerAscii()?"),
        ("from: listings\nwhere: lowerAscii(listing.id) == \"a\"", "lowerAscii is a method: write it after its string, as s.lowerAscii()"),
        ("from: listings\nwhere: 'true'\nalert: >5", "not ''; a bare > or | starts a YAML block: quote the trigger, as alert: \"> 5\""),
    ])
    func suggestionsPointAtWhatWorks(_ body: String, _ message: String) throws {
        var files = try CLI.shippedConfig()
        files["cards/t/k.yaml"] = "key: k\ntitle: T\nconnector: c\nmeasure: count\n" + body + "\n"
        let result = try CLI.run(["validate"], in: try CLI.scratch(files))
        #expect(result.status == 1)
        #expect(result.stdout.contains(message), "\(result.stdout)")
        #expect(!result.stdout.contains("' sku'"))
    }
}

extension FirstHourTests {
    @Test func validateDotInACleanCloneChecksTestFilesAsTestFiles() throws {
        let result = try CLI.run(["validate", "."], in: CLI.packageRoot)
        #expect(result.status == 0, "\(result.stdout)")
        #expect(result.stdout.hasSuffix("0 errors, 0 warnings in 12 files\n"))
    }

    @Test func aBrokenTestFileIsReportedByValidateAtItsLines() throws {
        var files = try CLI.shippedConfig()
        files["tests/t.yaml"] = """
            profile: demo
            cards: ../cards
            profiles: ../profiles
            tests:
              - name: bad
                listings:
                  - {id: X1, status: activ, skus: []}
                expect:
                  aex_total_listing: {value: 1}
                  aex_total_listings: {value: 1, stat: ok}
            """
        let result = try CLI.run(["validate", "."], in: try CLI.scratch(files))
        #expect(result.status == 1)
        #expect(result.stdout.contains("./tests/t.yaml:7:9: error: listings: unknown status \"activ\""))
        #expect(result.stdout.contains("./tests/t.yaml:9:7: error: no card has the key 'aex_total_listing'; did you mean 'aex_total_listings'? [unknown-card]"))
        #expect(result.stdout.contains("./tests/t.yaml:10:38: error: unknown key 'stat' in the expectations of 'aex_total_listings'; did you mean 'state'?"))
    }

    @Test func profileOverridesShowWithWhereTheyCameFrom() throws {
        var files = try CLI.shippedConfig()
        files["profiles/short.yaml"] = "profile: short\nextends: demo\ncards:\n  aex_rejected_listings_24h:\n    params: {window: 12h}\n"
        let root = try CLI.scratch(files)
        let cards = try CLI.run(["cards", "--profile", "short"], in: root)
        #expect(cards.stdout.contains("window 12h · from audit_events"))
        #expect(cards.stdout.contains("param window: duration = 12h (set in profiles/short.yaml:5; card default 24h)"))
        let plain = try CLI.run(["cards", "--profile", "demo"], in: root)
        #expect(plain.stdout.contains("param window: duration = 24h (set in profiles/base.yaml:20; card default 24h)"))  // the parent profile
        let eval = try CLI.run(["eval", "--profile", "short", "--snapshot", demo, "--card", "aex_rejected_listings_24h", "--format", "json"], in: root)
        #expect(eval.stdout.contains("\"window\": \"12h\""))
    }

    @Test func aWindowNamingNoDurationParamIsAnError() throws {
        var files = try CLI.shippedConfig()
        files["cards/t/k.yaml"] = "key: k\ntitle: T\nconnector: c\nfrom: listings\nmeasure: count\nwindow: params.windw\nparams:\n  window: {type: duration, default: 1h}\n"
        let result = try CLI.run(["validate"], in: try CLI.scratch(files))
        #expect(result.status == 1)
        #expect(result.stdout.contains("window: params.windw names no duration parameter of this card; did you mean 'window'? [bad-duration]"))
    }
}

extension FirstHourTests {
    @Test func anotherMerchantsBrokenProfileIsAWarningNotAFailure() throws {
        var files = try CLI.shippedConfig()
        files["profiles/other.yaml"] = "profile: other\npriority_markets: [UK]\n"
        let root = try CLI.scratch(files)
        let ok = try CLI.run(["eval", "--profile", "demo", "--snapshot", demo, "--card", "aex_total_listings"], in: root)
        #expect(ok.status == 0)
        #expect(ok.stderr == "pulse eval: warning: profiles/other.yaml has errors (pulse validate shows them); profile 'demo' does not use it, so it runs\n")
        let broken = try CLI.run(["eval", "--profile", "other", "--snapshot", demo], in: root)
        #expect(broken.status == 1)
        #expect(broken.stderr.contains("profiles/other.yaml:2:20: error: 'UK' is not an ISO 3166-1 alpha-2 country code"))
        // A broken parent breaks its children.
        files["profiles/child.yaml"] = "profile: child\nextends: other\n"
        let child = try CLI.run(["eval", "--profile", "child", "--snapshot", demo], in: try CLI.scratch(files))
        #expect(child.status == 1)
    }

    @Test func jsonFormatFailuresAreJSONOnStandardOutput() throws {
        var files = try CLI.shippedConfig()
        files["profiles/other.yaml"] = "profile: other\npriority_markets: [UK]\n"
        let root = try CLI.scratch(files)
        let config = try CLI.run(["eval", "--profile", "other", "--snapshot", demo, "--format", "json"], in: root)
        #expect(config.status == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(config.stdout.utf8)) as? [String: Any])
        let error = try #require(object["error"] as? [String: Any])
        #expect(error["exit_status"] as? Int == 1)
        let first = try #require((error["diagnostics"] as? [[String: Any]])?.first)
        #expect(first["file"] as? String == "profiles/other.yaml")
        #expect(first["line"] as? Int == 2 && first["column"] as? Int == 20)
        #expect(first["rule"] as? String == "unknown-country")
        #expect(config.stderr.contains("error: 'UK'"))  // people still get the text
        let usage = try CLI.run(["eval", "--profile", "nobody", "--snapshot", demo, "--format", "json"], in: root)
        #expect(usage.status == 2)
        #expect(usage.stdout.hasPrefix("{\"error\": {\"message\": \"pulse eval: no profile 'nobody'"))
        let snapshot = try CLI.scratch(["s/snapshot.json": "{\"format\": 1, \"taken_at\": \"2026-03-17T08:00:00Z\"}", "s/listings.jsonl": "{\"id\": 1}\n"])
        let data = try CLI.run(["eval", "--profile", "demo", "--snapshot", snapshot.appendingPathComponent("s").path, "--format", "json"], in: root)
        #expect(data.status == 1)
        #expect(data.stdout.contains("\"rule\": \"snapshot-format\""))
        #expect(data.stdout.contains("\"line\": 1"))
        let history = try CLI.run(["alerts", "--profile", "demo", "--db", root.appendingPathComponent("none.sqlite").path, "--format", "json"], in: root)
        #expect(history.status == 2)
        #expect(history.stdout.hasPrefix("{\"error\": "))
    }
}

extension FirstHourTests {
    @Test func accessorsDefaultToTheProfilesTimeZone() throws {
        // demo is Europe/London: GMT in March, BST in July. Without a profile: UTC.
        let march = try CLI.run(["expr", "timestamp('2026-03-17T08:00:00Z').getHours()", "--profile", "demo"], in: CLI.packageRoot)
        let july = try CLI.run(["expr", "timestamp('2026-07-17T08:00:00Z').getHours()", "--profile", "demo"], in: CLI.packageRoot)
        let bare = try CLI.run(["expr", "timestamp('2026-07-17T08:00:00Z').getHours()"], in: CLI.packageRoot)
        #expect(march.stdout == "8 (int)\n")
        #expect(july.stdout == "9 (int)\n")
        #expect(bare.stdout == "8 (int)\n")
        let named = try CLI.run(["expr", "timestamp('2026-07-17T08:00:00Z').getHours('Asia/Kathmandu')", "--profile", "demo"], in: CLI.packageRoot)
        #expect(named.stdout == "13 (int)\n")
        let bad = try CLI.run(["expr", "timestamp('2026-07-17T08:00:00Z').getHours('Mars/Olympus')"], in: CLI.packageRoot)
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("'Mars/Olympus' is not a time zone"))
    }

    @Test func durationInDaysSaysWhatToWrite() throws {
        let result = try CLI.run(["expr", "duration('1d')"], in: CLI.packageRoot)
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("eval error: invalid duration '1d': CEL durations have no days: use '24h'"))
    }

    @Test func durationsInTablesReadAsDaysAndHours() throws {
        var files = try CLI.shippedConfig()
        files["cards/t/age.yaml"] = "key: age\ntitle: Age\nconnector: c\nfrom: listings\nwhere: has(listing.created_at)\nmeasure: count\nrows:\n  id: listing.id\n  age: now - listing.created_at\n"
        let root = try CLI.scratch(files)
        let table = try CLI.run(["eval", "--profile", "demo", "--snapshot", demo, "--card", "age", "--max-rows", "1"], in: root)
        #expect(table.stdout.contains("    1005006000000000  57d\n"), "\(table.stdout)")
        let json = try CLI.run(["eval", "--profile", "demo", "--snapshot", demo, "--card", "age", "--max-rows", "1", "--format", "json"], in: root)
        #expect(json.stdout.range(of: #""age": "\d+s""#, options: .regularExpression) != nil)
    }
}

extension FirstHourTests {
    @Test func versionAndCompletionComeFromTheBinary() throws {
        let version = try CLI.run(["--version"], in: CLI.packageRoot)
        #expect(version.status == 0)
        #expect(version.stdout.range(of: #"^\d+\.\d+\.\d+\n$"#, options: .regularExpression) != nil)
        let completion = try CLI.run(["--generate-completion-script", "bash"], in: CLI.packageRoot)
        #expect(completion.status == 0)
        #expect(completion.stdout.contains("pulse"))
    }

    @Test func theReadmesLinksPointAtFilesInTheRepo() throws {
        let readme = try String(contentsOf: CLI.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let links = readme.matches(of: #/\]\(([A-Za-z][A-Za-z0-9_./-]*\.md)(#[^)]*)?\)/#).map { String($0.1) }
        #expect(links.count >= 5)
        for link in Set(links) {
            #expect(FileManager.default.fileExists(atPath: CLI.packageRoot.appendingPathComponent(link).path), "\(link)")
        }
    }
}
