import Foundation
import PulseHistory
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The history store through the real binary: recording, transitions, a kill in the middle of a
/// write, concurrent writers, webhooks, and the history/alerts commands.
@Suite struct HistoryCommandTests {
    private func db() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("pulse-cli-\(UUID().uuidString)/history.sqlite").path
    }

    private func record(_ snapshot: String, _ db: String, _ extra: [String] = []) throws -> CLI.Result {
        try CLI.run(["eval", "--profile", "demo", "--snapshot", "examples/\(snapshot)", "--record", "--db", db, "--max-rows", "0"] + extra,
                    in: CLI.packageRoot)
    }

    /// Starts `pulse eval --record` paused inside its write transaction; returns once it says so.
    private func startPaused(_ snapshot: String, _ db: String) throws -> (Process, Pipe) {
        let process = Process()
        process.executableURL = try CLI.binary
        process.arguments = CLI.asOfSnapshot(["eval", "--profile", "demo", "--snapshot", "examples/\(snapshot)", "--record", "--db", db, "--max-rows", "0"], in: CLI.packageRoot)
        process.currentDirectoryURL = CLI.packageRoot
        var environment = ProcessInfo.processInfo.environment
        environment["PULSE_TEST_PAUSE_IN_WRITE"] = "1"
        process.environment = environment
        let input = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        var seen = ""
        while !seen.contains("paused inside the history write") {
            let chunk = errors.fileHandleForReading.availableData
            if chunk.isEmpty { throw CLI.CLIError(message: "the paused pulse exited early: \(seen)") }
            seen += String(decoding: chunk, as: UTF8.self)
        }
        return (process, input)
    }

    @Test func recordTwoDaysShowsTransitionsAndIsIdempotent() throws {
        let path = db()
        let first = try record("demo", path)
        #expect(first.status == 0)
        #expect(first.stdout.contains("history: recorded 2026-03-17T08:00:00Z for demo in \(path)\n"))
        #expect(first.stdout.contains("… aex_xc_listed_but_oos_on_bc: inactive -> pending (value 7) · > 0 for 2; held 1 of 2 evaluations"))
        let again = try record("demo", path)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("is already recorded for demo"))
        let second = try record("demo-next", path, ["--format", "json"])
        #expect(second.status == 0, "\(second.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(second.stdout.utf8)) as? [String: Any])
        let recorded = try #require(object["recorded"] as? [String: Any])
        let transitions = try #require(recorded["transitions"] as? [[String: Any]])
        #expect(transitions.map { "\($0["card"] ?? ""):\($0["to"] ?? "")" } == ["aex_xc_listed_but_oos_on_bc:firing", "aex_ship_to_country_coverage:deescalated"])
        #expect(transitions.map { $0["severity"] as? String } == ["critical", "warn"], "93% is under warn's 95, over critical's 90")
        let spike = (object["cards"] as? [[String: Any]])?.first { $0["key"] as? String == "aex_rejected_listings_24h" }
        let note = ((spike?["alert"] as? [String: Any])?["spike"] as? [String: Any])?["note"] as? String
        #expect(note == "spike: 38 is a spike (min 10, 5 × median 2 of 1 recorded value in 7d)")

        let alerts = try CLI.run(["alerts", "--profile", "demo", "--db", path], in: CLI.packageRoot)
        #expect(alerts.stdout.hasPrefix("alerts for demo\n  ▲ FIRING aex_rejected_auditing_listings since 2026-03-17T08:00:00Z"))
        #expect(alerts.stdout.contains("recent transitions, newest first:\n  2026-03-18T08:00:00Z  ▽ aex_ship_to_country_coverage: firing -> deescalated warn"), "\(alerts.stdout)")
        #expect(alerts.stdout.contains("  △ FIRING warn aex_ship_to_country_coverage since 2026-03-18T08:00:00Z"))
        let history = try CLI.run(["history", "aex_rejected_listings_24h", "--profile", "demo", "--db", path], in: CLI.packageRoot)
        #expect(history.stdout == """
            aex_rejected_listings_24h for demo: 2 recorded values
              ▁█
              2026-03-17T08:00:00Z  2           ▲ condition held
              2026-03-18T08:00:00Z  38          ▲ condition held

            """)
        let recent = try CLI.run(["history", "aex_rejected_listings_24h", "--profile", "demo", "--db", path, "--since", "12h", "--format", "json"], in: CLI.packageRoot)
        let series = (try JSONSerialization.jsonObject(with: Data(recent.stdout.utf8)) as? [String: Any])?["series"] as? [[String: Any]]
        #expect(series?.count == 1)
    }

    @Test func killMidWriteLeavesTheStoreAsItWas() throws {
        let path = db()
        #expect(try record("demo", path).status == 0)
        let (process, _) = try startPaused("demo-next", path)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let store = try HistoryStore(path: path)
        #expect(try store.evaluationCount() == 1)
        #expect(try store.activeAlerts(profile: "demo").first { $0.card == "aex_xc_listed_but_oos_on_bc" }?.state == .pending)
        #expect(try store.transitions(profile: "demo", since: nil).count == 4)
        // The next run records normally.
        let again = try record("demo-next", path)
        #expect(again.status == 0)
        #expect(again.stdout.contains("pending -> firing"))
    }

    @Test func aSecondWriterWaitsOrFailsClearly() throws {
        let path = db()
        #expect(try record("demo", path).status == 0)
        let (holder, input) = try startPaused("demo-next", path)
        // Impatient: fails clearly, writes nothing.
        let impatient = Process()
        impatient.executableURL = try CLI.binary
        impatient.arguments = ["eval", "--profile", "demo", "--snapshot", "examples/demo", "--record", "--db", path, "--now", "2026-03-19T08:00:00Z"]
        impatient.currentDirectoryURL = CLI.packageRoot
        var environment = ProcessInfo.processInfo.environment
        environment["PULSE_DB_BUSY_TIMEOUT"] = "0.2"
        impatient.environment = environment
        let errors = Pipe()
        impatient.standardError = errors
        impatient.standardOutput = FileHandle.nullDevice
        try impatient.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        impatient.waitUntilExit()
        #expect(impatient.terminationStatus == 1)
        #expect(message.contains("another pulse is writing"))
        // Release the holder: it commits.
        input.fileHandleForWriting.write(Data("\n".utf8))
        holder.waitUntilExit()
        #expect(holder.terminationStatus == 0)
        // A patient writer (default timeout) then records too.
        let patient = try record("demo", path, ["--now", "2026-03-19T08:00:00Z"])
        #expect(patient.status == 6, "recorded; at 2026-03-19 the data of 2026-03-17 is stale (exit 6)")
        #expect(try HistoryStore(path: path).evaluationCount() == 3)
    }

    @Test func webhookReceivesEachTransition() throws {
        let server = try WebhookServer()
        defer { server.stop() }
        let path = db()
        let result = try record("demo", path, ["--notify-webhook", server.url])
        #expect(result.status == 0, "\(result.stderr)")
        let bodies = server.bodies
        #expect(bodies.count == 4)
        let first = try #require(try JSONSerialization.jsonObject(with: Data((bodies.first ?? "").utf8)) as? [String: Any])
        #expect(Set(first.keys).isSuperset(of: ["profile", "card", "title", "value", "state", "at", "roles"]))
        #expect(first["profile"] as? String == "demo")
        #expect(first["at"] as? String == "2026-03-17T08:00:00Z")
        #expect(try HistoryStore(path: path).undelivered(profile: "demo").isEmpty)
    }

    @Test func webhookDownKeepsTheRecordAndRetriesLater() throws {
        let path = db()
        let down = try record("demo", path, ["--notify-webhook", "http://127.0.0.1:\(try WebhookServer.deadPort())/hook"])
        #expect(down.status == 4)
        #expect(down.stderr.contains("failed for"))
        #expect(down.stderr.contains("the transition is recorded and will be sent again"))
        let store = try HistoryStore(path: path)
        #expect(try store.evaluationCount() == 1)
        #expect(try store.undelivered(profile: "demo").count == 4)
        // Back up: the next run sends the earlier transitions and its own.
        let server = try WebhookServer()
        defer { server.stop() }
        let up = try record("demo-next", path, ["--notify-webhook", server.url])
        #expect(up.status == 0)
        #expect(server.bodies.count == 6)
        #expect(try store.undelivered(profile: "demo").isEmpty)
    }

    @Test(arguments: [301, 302, 307, 308])
    func aRedirectIsAFailedDeliveryNotFollowed(_ status: Int) throws {
        let target = try WebhookServer()
        defer { target.stop() }
        let redirecting = try WebhookServer(status: status, headers: ["Location: \(target.url)?token=hidden"])
        defer { redirecting.stop() }
        let path = db()
        let result = try record("demo", path, ["--notify-webhook", redirecting.url])
        #expect(result.status == 4)
        #expect(result.stderr.contains("redirected (HTTP \(status)) to \(target.url); redirects are not followed"), "\(result.stderr)")
        #expect(!result.stderr.contains("hidden"))
        #expect(redirecting.bodies.count == 1)  // no retries of a redirect, and the first transition only
        #expect(target.bodies.isEmpty)
        #expect(try HistoryStore(path: path).undelivered(profile: "demo").count == 4)
    }

    @Test func credentialsInTheWebhookURLAreNeverPrinted() throws {
        let path = db()
        let port = try WebhookServer.deadPort()
        let result = try record("demo", path, ["--notify-webhook", "http://alice:s3cret@127.0.0.1:\(port)/hook?token=t0ken#frag"])
        #expect(result.status == 4)
        #expect(result.stderr.contains("webhook http://127.0.0.1:\(port)/hook failed for"))
        for secret in ["alice", "s3cret", "t0ken", "frag"] { #expect(!result.stderr.contains(secret) && !result.stdout.contains(secret)) }
    }

    @Test func aHugeAnswerIsNotRead() throws {
        let server = try WebhookServer(bodyBytes: 1 << 30)
        defer { server.stop() }
        let path = db()
        let result = try record("demo", path, ["--notify-webhook", server.url])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(server.bodies.count == 4)
        // The client hung up after a few KB; the kernel buffers a little more, never the gigabyte.
        #expect(server.bodyBytesSent < 64 << 20, "\(server.bodyBytesSent)")
    }

    @Test func overlappingRunsSendEachTransitionOnce() throws {
        let path = db()
        let down = try record("demo", path, ["--notify-webhook", "http://127.0.0.1:\(try WebhookServer.deadPort())/hook"])
        #expect(down.status == 4)
        let server = try WebhookServer(limit: 100)
        defer { server.stop() }
        let runs = try (0..<10).map { _ -> Process in
            let process = Process()
            process.executableURL = try CLI.binary
            process.arguments = CLI.asOfSnapshot(["eval", "--profile", "demo", "--snapshot", "examples/demo", "--record", "--db", path, "--notify-webhook", server.url], in: CLI.packageRoot)
            process.currentDirectoryURL = CLI.packageRoot
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            return process
        }
        for run in runs { run.waitUntilExit() }
        // Whatever a run left (another held the claim), one more run sends.
        let last = try record("demo", path, ["--notify-webhook", server.url])
        #expect(last.status == 0, "\(last.stderr)")
        #expect(server.bodies.count == 4)
        #expect(Set(server.bodies).count == 4)
        #expect(try HistoryStore(path: path).undelivered(profile: "demo").isEmpty)
    }

    @Test func usageErrors() throws {
        let noRecord = try CLI.run(["eval", "--profile", "demo", "--snapshot", "examples/demo", "--notify-webhook", "http://127.0.0.1:1/"], in: CLI.packageRoot)
        #expect(noRecord.status == 2)
        let partial = try CLI.run(["eval", "--profile", "demo", "--snapshot", "examples/demo", "--record", "--db", db(), "--card", "aex_total_listings"], in: CLI.packageRoot)
        #expect(partial.status == 2)
        #expect(partial.stderr.hasPrefix("pulse eval: --record stores every card of the profile"))
        let missing = try CLI.run(["alerts", "--profile", "demo", "--db", "/nonexistent/h.sqlite"], in: CLI.packageRoot)
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("no history store at /nonexistent/h.sqlite"))
    }
}
