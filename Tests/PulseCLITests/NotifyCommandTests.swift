import Foundation
import Testing

/// `pulse eval --record --notify`, `pulse notify test|status`, `pulse silence` and `pulse ack`
/// through the real binary, into receivers on 127.0.0.1.
@Suite struct NotifyCommandTests {
    /// The shipped cards, and a profile `shop` extending the demo with `channels` routed to all.
    func workspace(_ channels: String, routes: String = "    - to: [ops, hook]\n") throws -> URL {
        var files = try CLI.shippedConfig()
        files["profiles/shop.yaml"] = """
            profile: shop
            extends: demo
            notifications:
              channels:
            \(channels)
              routes:
            \(routes)
            """
        return try CLI.scratch(files)
    }

    static let channels = """
            ops: {type: slack, url: "${SLACK_URL}"}
            hook: {type: webhook, url: "${HOOK_URL}"}
        """

    func demo(_ name: String = "demo") -> String { CLI.packageRoot.appendingPathComponent("examples/\(name)").path }

    func eval(_ dir: URL, db: String, snapshot: String = "demo", _ extra: [String] = [], env: [String: String]) throws -> CLI.Result {
        try CLI.run(["eval", "--profile", "shop", "--snapshot", demo(snapshot), "--record", "--db", db] + extra, in: dir, environment: env)
    }

    @Test func evalNotifySendsOneSlackMessageAndOneWebhookBody() throws {
        let slack = try WebhookServer(), hook = try WebhookServer()
        defer { slack.stop(); hook.stop() }
        let dir = try workspace(Self.channels)
        let db = dir.appendingPathComponent("h.sqlite").path
        let result = try eval(dir, db: db, ["--notify"], env: ["SLACK_URL": slack.url, "HOOK_URL": hook.url])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(slack.bodies.count == 1)
        let body = try #require(try JSONSerialization.jsonObject(with: Data((slack.bodies.first ?? "").utf8)) as? [String: Any])
        #expect((body["text"] as? String)?.contains("shop") == true)
        let blocks = try #require(body["blocks"] as? [[String: Any]])
        #expect(blocks.count <= 50 && blocks.count >= 3)
        let events = try #require((try JSONSerialization.jsonObject(with: Data((hook.bodies.first ?? "").utf8)) as? [String: Any])?["events"] as? [[String: Any]])
        #expect(events.count == 3, "three cards fire on day 1; the fourth is pending under its for: 2")
        #expect(events.allSatisfy { $0["event"] as? String == "firing" })
        // Recorded again: nothing new, nothing sent twice.
        let again = try eval(dir, db: db, ["--notify"], env: ["SLACK_URL": slack.url, "HOOK_URL": hook.url])
        #expect(again.status == 0)
        #expect(slack.bodies.count == 1 && hook.bodies.count == 1)
    }

    @Test func recordingWithoutNotifyQueuesAndTheNextNotifySends() throws {
        let hook = try WebhookServer()
        defer { hook.stop() }
        let dir = try workspace("        hook: {type: webhook, url: \"${HOOK_URL}\"}", routes: "    - to: [hook]\n")
        let db = dir.appendingPathComponent("h.sqlite").path
        let quiet = try eval(dir, db: db, env: ["HOOK_URL": hook.url])
        #expect(quiet.status == 0 && hook.bodies.isEmpty)
        let next = try eval(dir, db: db, snapshot: "demo-next", ["--notify"], env: ["HOOK_URL": hook.url])
        #expect(next.status == 0, "\(next.stderr)")
        // Day 1's message, then day 2's: one per evaluation, in order.
        #expect(hook.bodies.count == 2)
        let ats = hook.bodies.compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["at"] as? String }
        #expect(ats == ["2026-03-17T08:00:00Z", "2026-03-18T08:00:00Z"])
    }

    @Test func killedBetweenRecordingAndDeliveringLosesNothing() throws {
        let hook = try WebhookServer()
        defer { hook.stop() }
        let dir = try workspace("        hook: {type: webhook, url: \"${HOOK_URL}\"}", routes: "    - to: [hook]\n")
        let db = dir.appendingPathComponent("h.sqlite").path
        let process = Process()
        process.executableURL = try CLI.binary
        process.arguments = CLI.asOfSnapshot(["eval", "--profile", "shop", "--snapshot", demo(), "--record", "--notify", "--db", db], in: dir)
        process.currentDirectoryURL = dir
        process.environment = ProcessInfo.processInfo.environment.merging(["HOOK_URL": hook.url, "PULSE_TEST_PAUSE_BEFORE_NOTIFY": "1"]) { _, b in b }
        let err = Pipe(), input = Pipe()
        process.standardError = err
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        // Wait for the pause (the evaluation is recorded, the notifications queued), then kill -9.
        var seen = ""
        while !seen.contains("paused before notifying") {
            let chunk = err.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            seen += String(decoding: chunk, as: UTF8.self)
        }
        #expect(seen.contains("paused before notifying"))
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)
        #expect(hook.bodies.isEmpty)
        let next = try eval(dir, db: db, ["--notify"], env: ["HOOK_URL": hook.url])
        #expect(next.status == 0, "\(next.stderr)")
        #expect(next.stdout.contains("already recorded"))
        #expect(hook.bodies.count == 1)
    }

    @Test func aFailingChannelExitsFourNamingItAndTheOtherStillDelivers() throws {
        let hook = try WebhookServer()
        defer { hook.stop() }
        let dead = "http://127.0.0.1:\(try WebhookServer.deadPort())/services/T0/B0/SECRETPART"
        let dir = try workspace(Self.channels)
        let db = dir.appendingPathComponent("h.sqlite").path
        let result = try eval(dir, db: db, ["--notify"], env: ["SLACK_URL": dead, "HOOK_URL": hook.url])
        #expect(result.status == 4)
        #expect(result.stderr.contains("channel 'ops' (slack)"), "\(result.stderr)")
        #expect(!result.stderr.contains("SECRETPART") && !result.stdout.contains("SECRETPART"))
        #expect(hook.bodies.count == 1)
        let status = try CLI.run(["notify", "status", "--profile", "shop", "--db", db], in: dir)
        #expect(status.status == 0)
        #expect(status.stdout.contains("ops (slack): 3 waiting"), "\(status.stdout)")
        #expect(status.stdout.contains("hook (webhook): 0 waiting"))
        #expect(!status.stdout.contains("SECRETPART"))
    }

    @Test func notifyWebhookTurnedOnLaterSendsNoBacklog() throws {
        let server = try WebhookServer()
        defer { server.stop() }
        let dir = try workspace(Self.channels)
        let db = dir.appendingPathComponent("h.sqlite").path
        _ = try eval(dir, db: db, env: [:])
        let later = try eval(dir, db: db, snapshot: "demo-next", ["--notify-webhook", server.url], env: [:])
        #expect(later.status == 0, "\(later.stderr)")
        // Only day 2's own transitions: the first day's were before this webhook existed.
        let ats = Set(server.bodies.compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["at"] as? String })
        #expect(!server.bodies.isEmpty && ats == ["2026-03-18T08:00:00Z"])
    }

    @Test func notifyTestSendsASampleToEachChannel() throws {
        let slack = try WebhookServer(), hook = try WebhookServer()
        defer { slack.stop(); hook.stop() }
        let dir = try workspace(Self.channels)
        let ok = try CLI.run(["notify", "test", "--profile", "shop"], in: dir, environment: ["SLACK_URL": slack.url, "HOOK_URL": hook.url])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout.contains("channel 'ops' (slack) to http://127.0.0.1:\(slack.port)/…: sent"), "\(ok.stdout)")
        #expect(slack.bodies.first?.contains("Pulse test message") == true)
        #expect(hook.bodies.count == 1)
        let one = try CLI.run(["notify", "test", "--profile", "shop", "--channel", "hook"], in: dir, environment: ["SLACK_URL": slack.url, "HOOK_URL": hook.url])
        #expect(one.status == 0 && slack.bodies.count == 1 && hook.bodies.count == 2)
        let unset = try CLI.run(["notify", "test", "--profile", "shop"], in: dir, environment: ["HOOK_URL": hook.url, "SLACK_URL": ""])
        #expect(unset.status == 4)
        #expect(unset.stderr.contains("channel 'ops' (slack) to -: its url reads ${SLACK_URL}, which is empty"), "\(unset.stderr)")
        let typo = try CLI.run(["notify", "test", "--profile", "shop", "--channel", "opps"], in: dir)
        #expect(typo.status == 2 && typo.stderr.contains("did you mean 'ops'?"), "\(typo.stderr)")
    }

    @Test func silenceAndAckFromTheCommandLine() throws {
        let dir = try workspace(Self.channels)
        let db = dir.appendingPathComponent("h.sqlite").path
        _ = try eval(dir, db: db, env: [:])
        let now = ["--now", "2026-03-17T09:00:00Z"]
        let add = try CLI.run(["silence", "add", "--profile", "shop", "--db", db, "--card", "aex_total_listings", "--for", "4h",
                               "--reason", "re-listing the catalogue tonight", "--by", "ana"] + now, in: dir)
        #expect(add.status == 0, "\(add.stderr)")
        #expect(add.stdout == "silence #1 added: aex_total_listings until 2026-03-17T13:00:00Z (in 4h) by ana: re-listing the catalogue tonight\n")
        let list = try CLI.run(["silence", "list", "--profile", "shop", "--db", db, "--format", "json"] + now, in: dir)
        let silences = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        #expect(silences.count == 1 && silences.first?["active"] as? Bool == true && silences.first?["by"] as? String == "ana")
        let expire = try CLI.run(["silence", "expire", "--profile", "shop", "--db", db, "1"] + now, in: dir)
        #expect(expire.status == 0 && expire.stdout.hasPrefix("silence #1 expired"))
        let twice = try CLI.run(["silence", "expire", "--profile", "shop", "--db", db, "1"] + now, in: dir)
        #expect(twice.status == 1 && twice.stderr.contains("silence #1 has already ended"))
        let empty = try CLI.run(["silence", "list", "--profile", "shop", "--db", db] + now, in: dir)
        #expect(empty.stdout == "no silences for shop now\n")
        // Bad input.
        for (args, message) in [
            (["--for", "0s", "--reason", "x"], "--for must be a duration longer than 0s"),
            (["--for", "4h", "--reason", "  "], "--reason is empty"),
            (["--for", "4h", "--until", "2026-03-18T00:00:00Z", "--reason", "x"], "give one of --for or --until, not both"),
            (["--reason", "x"], "give one of --for (a duration such as 4h) or --until"),
            (["--for", "100d", "--reason", "x"], "longer than 90 days"),
            (["--until", "2026-03-17T08:00:00Z", "--reason", "x"], "is not in the future"),
            (["--card", "aex_total_listing", "--for", "1h", "--reason", "x"], "did you mean 'aex_total_listings'?"),
        ] {
            let bad = try CLI.run(["silence", "add", "--profile", "shop", "--db", db] + args + now, in: dir)
            #expect(bad.status == 2, "\(args)")
            #expect(bad.stderr.contains(message), "\(args): \(bad.stderr)")
        }
        let firing = try CLI.run(["ack", "--profile", "shop", "--db", db, "aex_rejected_auditing_listings", "--by", "ana", "--note", "on it"] + now, in: dir)
        #expect(firing.status == 0, "\(firing.stderr)")
        #expect(firing.stdout.contains("aex_rejected_auditing_listings acknowledged by ana"))
        let notFiring = try CLI.run(["ack", "--profile", "shop", "--db", db, "aex_total_listings"] + now, in: dir)
        #expect(notFiring.status == 1 && notFiring.stderr.contains("is not firing"), "\(notFiring.stderr)")
    }
}
