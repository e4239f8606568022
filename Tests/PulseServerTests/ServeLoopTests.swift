import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
@testable import PulseConfig
@testable import PulseServer
import Testing

/// The evaluation loop: new snapshots, broken ones, half-written ones, config reloads, and the
/// tokens file checked at start-up.
@Suite struct ServeLoopTests {
    @Test func aNewerSnapshotIsServedAndATemporaryFolderIsNot() async throws {
        let h = try await ServeHarness.make()
        let before = h.engine.state.current.profiles["demo"]?.version ?? 0
        // pull writes into a dot folder and renames it when complete: a dot folder is never read,
        // even with a later taken_at.
        try FileManager.default.copyItem(at: Repo.root.appendingPathComponent("examples/demo-next"), to: h.path("snapshots/demo/.2026-03-18.tmp-42"))
        await h.engine.tickNow()
        #expect(h.engine.state.current.profiles["demo"]?.served?.takenAt.description == "2026-03-17T08:00:00Z")
        try FileManager.default.moveItem(at: h.path("snapshots/demo/.2026-03-18.tmp-42"), to: h.path("snapshots/demo/2026-03-18"))
        await h.engine.tickNow()
        let view = try #require(h.engine.state.current.profiles["demo"])
        #expect(view.served?.takenAt.description == "2026-03-18T08:00:00Z")
        #expect(view.version > before)
        try await h.app.test(.router) { client in
            let cards = try await h.get(client, "/api/v1/profiles/demo/cards", as: "owner")
            #expect(cards.body.contains("\"now\": \"2026-03-18T08:00:00Z\""))
            let history = try await h.get(client, "/api/v1/profiles/demo/cards/aex_total_listings/history?since=7d", as: "owner")
            #expect(history.body.components(separatedBy: "taken_at").count - 1 == 2, "both days are recorded")
        }
        // An older snapshot arriving later does not replace a newer one.
        try FileManager.default.copyItem(at: Repo.root.appendingPathComponent("examples/demo"), to: h.path("snapshots/demo/2026-03-01-late"))
        await h.engine.tickNow()
        #expect(h.engine.state.current.profiles["demo"]?.served?.takenAt.description == "2026-03-18T08:00:00Z")
    }

    @Test func aBrokenSnapshotIsReportedAndTheLastGoodOneStays() async throws {
        let h = try await ServeHarness.make()
        let broken = h.path("snapshots/demo/2026-03-19")
        try FileManager.default.copyItem(at: Repo.root.appendingPathComponent("examples/demo-next"), to: broken)
        try ServeHarness.write("{\"format\": 1, \"taken_at\": \"2026-03-19T08:00:00Z\"}\n", to: broken.appendingPathComponent("snapshot.json"))
        try ServeHarness.write("{\"id\": \"1\", \"status\": \"active\"\nnot json\n", to: broken.appendingPathComponent("listings.jsonl"))
        await h.engine.tickNow()
        let view = try #require(h.engine.state.current.profiles["demo"])
        #expect(view.served?.takenAt.description == "2026-03-17T08:00:00Z", "the last good snapshot stays served")
        #expect(view.snapshotProblem?.subject == broken.path)
        try await h.app.test(.router) { client in
            let status = try await h.get(client, "/api/v1/status", as: "owner")
            #expect(status.body.contains("\"snapshot_error\": {") && status.body.contains("listings.jsonl"))
            let page = try await client.execute(uri: "/", method: .get, headers: [.authorization: "Bearer " + h.tokens["owner"]!]) { String(buffer: $0.body) }
            #expect(page.contains("class=\"banner\" role=\"alert\"") && page.contains("could not be served"))
        }
        // A folder whose snapshot.json has no taken_at is passed over, and said.
        let headless = h.path("snapshots/demo/2026-03-20")
        try FileManager.default.createDirectory(at: headless, withIntermediateDirectories: true)
        try ServeHarness.write("{\"format\": 1}\n", to: headless.appendingPathComponent("snapshot.json"))
        await h.engine.tickNow()
        #expect(h.engine.state.current.profiles["demo"]?.snapshotProblem?.subject == headless.path)
        #expect(h.engine.state.current.profiles["demo"]?.snapshotProblem?.message.contains("taken_at") == true)
        #expect(h.engine.state.current.profiles["demo"]?.served?.takenAt.description == "2026-03-17T08:00:00Z")
        // Once is enough: the same broken folder is not loaded again on every tick.
        let version = h.engine.state.current.profiles["demo"]?.version
        await h.engine.tickNow()
        #expect(h.engine.state.current.profiles["demo"]?.version == version)
    }

    @Test func hotReloadGoodThenBadThenGood() async throws {
        let h = try await ServeHarness.make()
        let profile = h.path("profiles/demo.yaml")
        let good = try String(contentsOf: profile, encoding: .utf8)
        // Good -> bad: a typo in a key and a tab; the last good config keeps serving.
        try ServeHarness.write(good.replacingOccurrences(of: "priority_markets:", with: "priority_marketz:"), to: profile)
        h.engine.requestReload()
        await h.engine.tickNow()
        var view = try #require(h.engine.state.current.profiles["demo"])
        #expect(view.config != nil && view.served != nil, "never a moment with no config")
        #expect(view.configErrors.contains { $0.location.file == profile.path && $0.location.line == 5 && $0.message.contains("priority_markets") })
        try await h.app.test(.router) { client in
            let status = try await h.get(client, "/api/v1/status", as: "owner")
            #expect(status.body.contains("\"ok\": false"))
            #expect(status.body.contains("\"line\": 5, \"column\": 1") && status.body.contains("\"rule\": \"unknown-key\""))
            let metrics = try await h.get(client, "/metrics", as: "owner")
            #expect(metrics.body.contains("pulse_config_reload_success 0.0"))
            let cards = try await h.get(client, "/api/v1/profiles/demo/cards", as: "owner")
            #expect(cards.status == 200, "still served")
            let ownerPage = try await h.get(client, "/", as: "owner")
            #expect(ownerPage.body.contains("unknown key") && ownerPage.body.contains("demo.yaml:5:1"))
            let marketingPage = try await h.get(client, "/", as: "marketing")
            #expect(marketingPage.body.contains("The config has errors") && !marketingPage.body.contains("demo.yaml"),
                    "another role learns that something is wrong, not what")
            let other = try await h.get(client, "/api/v1/status", as: "other-owner")
            #expect(other.body.contains("\"ok\": true"), "another merchant's broken profile is not this one's problem")
        }
        // Bad -> good, with a change that shows: coverage now only counts the US.
        try ServeHarness.write(good.replacingOccurrences(of: "priority_markets: [US, GB, DE, FR, BR]", with: "priority_markets: [US]"), to: profile)
        h.engine.requestReload()
        await h.engine.tickNow()
        view = try #require(h.engine.state.current.profiles["demo"])
        #expect(view.configErrors.isEmpty)
        #expect(view.config?.profile.priorityMarkets == ["US"])
        let coverage = view.served?.result("aex_ship_to_country_coverage")?.value
        #expect(coverage != nil && coverage != 79.2, "the current snapshot was evaluated again with the new config")
        try await h.app.test(.router) { client in
            let metrics = try await h.get(client, "/metrics", as: "owner")
            #expect(metrics.body.contains("pulse_config_reload_success 1.0"))
        }
    }

    @Test func aProfileWithoutSnapshotsSaysWhereItLooks() async throws {
        let h = try await ServeHarness.make()
        try FileManager.default.removeItem(at: h.path("snapshots/other"))
        let settings = ServeHarness.settings(h.root, clock: h.clock)
        let prepared = try await PulseServer.prepare(settings, logger: ServeHarness.logger)
        await prepared.engine.tickNow()
        try await PulseServer.application(prepared, logger: ServeHarness.logger, loop: false).test(.router) { client in
            let page = try await client.execute(uri: "/", method: .get, headers: [.authorization: "Bearer " + h.tokens["other-owner"]!]) {
                String(buffer: $0.body)
            }
            #expect(page.contains("No snapshot has been evaluated yet") && page.contains(h.path("snapshots/other").path))
            let cards = try await client.execute(uri: "/api/v1/profiles/other/cards", method: .get,
                                                 headers: [.authorization: "Bearer " + h.tokens["other-owner"]!]) { ($0.status.code, String(buffer: $0.body)) }
            #expect(cards.0 == 503 && cards.1.contains("no snapshot yet"), "no data is never an empty success")
        }
    }

    @Test func aChangedFileIsNoticedWithoutSIGHUP() async throws {
        let h = try await ServeHarness.make()
        let profile = h.path("profiles/demo.yaml")
        let good = try String(contentsOf: profile, encoding: .utf8)
        try ServeHarness.write(good + "\n# a change\nbogus_key: 1\n", to: profile)
        await h.engine.tickNow()
        #expect(h.engine.state.current.profiles["demo"]?.configErrors.isEmpty == false, "the folder watch saw the change")
    }

    @Test func tokensFileProblemsStopTheStartWithTheirPlace() async throws {
        let h = try await ServeHarness.make()
        let settings = ServeHarness.settings(h.root, clock: h.clock)
        for (text, expected) in [
            ("tokens:\n  - {name: a, sha256: abc, profile: demo, role: owner}\n", "tokens.yaml:2:"),
            ("tokens:\n  - {name: a, sha256: \(String(repeating: "a", count: 64)), profile: demo, role: accountant}\n", "role 'accountant'"),
            ("tokens:\n  - {name: a, sha256: \(String(repeating: "a", count: 64)), profile: dmeo, role: owner}\n", "did you mean 'demo'"),
            ("tokens: [\n", "tokens.yaml:"),
            ("tokenz: []\n", "unknown key 'tokenz'"),
            ("tokens:\n  - {name: a, sha256: \(String(repeating: "a", count: 64)), profile: demo, role: owner}\n"
                + "  - {name: a, sha256: \(String(repeating: "b", count: 64)), profile: demo, role: owner}\n", "used twice"),
        ] {
            try ServeHarness.write(text, to: h.path("tokens.yaml"))
            await #expect(throws: PulseServer.StartError.self, "\(text)") { try await PulseServer.prepare(settings, logger: ServeHarness.logger) }
            do { _ = try await PulseServer.prepare(settings, logger: ServeHarness.logger) } catch {
                #expect(error.description.contains(expected), "\(error.description)")
            }
        }
    }

    @Test func aTokenIsComparedByItsDigestOnly() throws {
        let (token, digest) = TokenMaker.make()
        let entry = TokenEntry(name: Located("a", at: .init(file: "t", line: 1, column: 1)), sha256: try #require(TokenFile.hexDigest(digest)),
                               profile: Located("demo", at: .init(file: "t", line: 1, column: 1)), role: Located("owner", at: .init(file: "t", line: 1, column: 1)))
        let book = try TokenBook(entries: [entry], roles: ["demo": ["owner"]])
        #expect(book.viewer(token: token)?.profile == "demo")
        #expect(book.viewer(token: digest) == nil, "the digest itself is not a token")
        #expect(book.viewer(token: String(token.dropLast())) == nil)
        #expect(book.viewer(token: "") == nil)
    }

    @Test func listenAddressesParse() {
        #expect(ServeSettings.address("127.0.0.1:8080")! == ("127.0.0.1", 8080))
        #expect(ServeSettings.address("[::1]:9000")! == ("::1", 9000))
        for bad in ["8080", "host:", ":80", "h:99999", "h:-1", "[::1]9000", "h:1234567"] { #expect(ServeSettings.address(bad) == nil, "\(bad)") }
    }
}
