import Foundation
import Hummingbird
import HummingbirdTesting
import PulseCLI
import PulseConfig
@testable import PulseServer
import Testing

/// Issue 24, item 7: the tokens file is read again with the config (a change to it, SIGHUP): a
/// removed token stops working and its dashboard sessions end, a new one works, a wrong token is
/// told it is not valid; `pulse token new` refuses what serve would refuse; `pulse token list`.
@Suite struct TokenReloadTests {
    /// The harness's tokens file without `drop`, plus a new entry for `added` (name, profile, role).
    private func rewriteTokens(_ h: ServeHarness, drop: String, add: (String, String, String)) throws -> String {
        let text = try String(contentsOf: h.path("tokens.yaml"), encoding: .utf8)
        var lines = text.split(separator: "\n").map(String.init).filter { !$0.contains("name: \(drop),") }
        let (token, digest) = TokenMaker.make()
        lines.append("  - {name: \(add.0), sha256: \(digest), profile: \(add.1), role: \(add.2)}")
        try ServeHarness.write(lines.joined(separator: "\n") + "\n", to: h.path("tokens.yaml"))
        return token
    }

    private func login(_ client: some TestClientProtocol, _ token: String) async throws -> String {
        let cookie = try await client.execute(uri: "/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                                              body: ByteBuffer(string: "token=" + token)) { response in
            response.headers[.setCookie]?.split(separator: ";").first.map(String.init)
        }
        return try #require(cookie)
    }

    @Test func aRemovedTokenStopsAndANewOneWorksAtTheNextTick() async throws {
        let h = try await ServeHarness.make()
        try await h.app.test(.router) { client in
            let cards = "/api/v1/profiles/demo/cards?max_rows=1"
            #expect(try await h.get(client, cards, as: "marketing").status == 200)
            let session = try await login(client, try #require(h.tokens["marketing"]))
            let keptSession = try await login(client, try #require(h.tokens["finance"]))
            let bySession = try await client.execute(uri: cards, method: .get, headers: [.cookie: session]) { Int($0.status.code) }
            #expect(bySession == 200)

            let fresh = try rewriteTokens(h, drop: "marketing", add: ("ana", "demo", "marketing"))
            #expect(try await h.get(client, cards, as: fresh).status == 401, "not before the tick reads the file")
            await h.engine.tickNow()

            let removed = try await h.get(client, cards, as: "marketing")
            #expect(removed.status == 401)
            #expect(removed.body.contains("this token is not valid"), "\(removed.body)")
            #expect(try await h.get(client, cards, as: fresh).status == 200, "the new token works without a restart")
            let ended = try await client.execute(uri: cards, method: .get, headers: [.cookie: session]) { ($0.status.code, String(buffer: $0.body)) }
            #expect(ended.0 == 401 && ended.1.contains("session has ended"), "the removed token's session ended: \(ended)")
            let kept = try await client.execute(uri: cards, method: .get, headers: [.cookie: keptSession]) { Int($0.status.code) }
            #expect(kept == 200, "other sessions go on")
            #expect(h.engine.tokens.sessions.count == 1)
            #expect(try await h.get(client, cards, as: "finance").status == 200)
        }
    }

    @Test func aTokenWhoseRoleChangedEndsItsSessions() async throws {
        let h = try await ServeHarness.make()
        try await h.app.test(.router) { client in
            let session = try await login(client, try #require(h.tokens["operations"]))
            let text = try String(contentsOf: h.path("tokens.yaml"), encoding: .utf8)
            try ServeHarness.write(text.replacingOccurrences(of: "profile: demo, role: operations", with: "profile: demo, role: finance"),
                                   to: h.path("tokens.yaml"))
            await h.engine.tickNow()
            let status = try await client.execute(uri: "/api/v1/profiles/demo/cards", method: .get, headers: [.cookie: session]) { Int($0.status.code) }
            #expect(status == 401, "a session keeps the role it signed in with only while the file says so")
            let reread = try await h.get(client, "/api/v1/profiles/demo/cards?max_rows=0", as: "operations")
            #expect(reread.status == 200 && reread.body.contains("\"role\": \"finance\""), "\(reread.body.prefix(200))")
        }
    }

    @Test func aBrokenTokensFileKeepsTheLastGoodTokens() async throws {
        let h = try await ServeHarness.make()
        try ServeHarness.write("tokens:\n  - {name: x, sha256: nothex, profile: demo, role: owner}\n", to: h.path("tokens.yaml"))
        await h.engine.tickNow()
        try await h.app.test(.router) { client in
            let status = try await h.get(client, "/api/v1/profiles/demo/cards?max_rows=0", as: "owner").status
            #expect(status == 200)
        }
        // A token naming a role the profile does not have: refused whole, as at start-up.
        _ = try rewriteTokens(h, drop: "owner", add: ("zed", "demo", "ceo"))
        await h.engine.tickNow()
        try await h.app.test(.router) { client in
            let status = try await h.get(client, "/api/v1/profiles/demo/cards?max_rows=0", as: "owner").status
            #expect(status == 200)
        }
    }

    @Test func sighupRereadsTheFileAgainstANewConfig() async throws {
        let h = try await ServeHarness.make()
        h.engine.requestReload()
        await h.engine.tickNow()
        try await h.app.test(.router) { client in
            let status = try await h.get(client, "/api/v1/profiles/demo/cards?max_rows=0", as: "owner").status
            #expect(status == 200, "an unchanged file changes nothing")
        }
    }

    @Test func wrongAndMissingTokensAreToldApart() async throws {
        let h = try await ServeHarness.make()
        try await h.app.test(.router) { client in
            let none = try await h.get(client, "/api/v1/profiles/demo/cards", as: nil)
            #expect(none.status == 401 && none.body.contains("a token is needed"), "\(none.body)")
            let wrong = try await h.get(client, "/api/v1/profiles/demo/cards", as: "pulse_not-a-token")
            #expect(wrong.status == 401 && wrong.body.contains("this token is not valid"), "\(wrong.body)")
            #expect(!wrong.body.contains("a token is needed"))
            let metrics = try await h.get(client, "/metrics", as: "pulse_not-a-token")
            #expect(metrics.status == 401 && metrics.body.contains("this token is not valid"), "\(metrics.body)")
        }
    }

    @Test func tokenNewRefusesAnUnknownProfileOrRole() async throws {
        let h = try await ServeHarness.make()
        let cards = h.path("cards").path, profiles = h.path("profiles").path
        let role = ServeRunner.newToken(profile: "demo", role: "markting", name: "ana", cardsDir: cards, profilesDir: profiles)
        #expect(role.exitCode == 2 && role.stdout.isEmpty)
        #expect(role.stderr.contains("no role 'markting'") && role.stderr.contains("marketing"), "\(role.stderr)")
        let profile = ServeRunner.newToken(profile: "dem", role: "owner", name: "ana", cardsDir: cards, profilesDir: profiles)
        #expect(profile.exitCode == 2 && profile.stdout.isEmpty)
        #expect(profile.stderr.contains("no profile 'dem'") && profile.stderr.contains("demo"), "\(profile.stderr)")
        let good = ServeRunner.newToken(profile: "other", role: "finance", name: "ana", cardsDir: cards, profilesDir: profiles)
        #expect(good.exitCode == 0 && good.stdout.contains("profile: \"other\""), "\(good.stderr)")
        let noFolder = ServeRunner.newToken(profile: "demo", role: "owner", name: "ana", cardsDir: cards, profilesDir: h.path("nowhere").path)
        #expect(noFolder.exitCode == 2 && noFolder.stderr.contains("no folder"))
    }

    @Test func tokenListShowsNamesProfilesAndRolesOnly() async throws {
        let h = try await ServeHarness.make()
        let out = ServeRunner.listTokens(path: h.path("tokens.yaml").path)
        #expect(out.exitCode == 0, "\(out.stderr)")
        let lines = out.stdout.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        #expect(lines.first == ["NAME", "PROFILE", "ROLE"])
        #expect(lines.dropFirst().contains(["other-owner", "other", "owner"]))
        #expect(lines.dropFirst().contains(["marketing", "demo", "marketing"]))
        let text = try String(contentsOf: h.path("tokens.yaml"), encoding: .utf8)
        for digest in text.matches(of: /[0-9a-f]{64}/) { #expect(!out.stdout.contains(String(digest.output))) }
        for token in h.tokens.values { #expect(!out.stdout.contains(token)) }
    }
}
