import Foundation
import Testing

/// Issue 24, item 12: what the CLI says on the second day reads right (explain's durations as
/// eval writes them, history's no-data marker whole, a first firing with no spike baseline).
@Suite struct SecondDayWordingTests {
    private func scratch() throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("pulse-wording-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        return root
    }

    /// The README's `aex_expiring_soon` (horizon 14d for my-store): explain shows `14d` and `11d`.
    @Test func explainShowsDurationsAsEvalDoes() throws {
        let root = try scratch()
        let fm = FileManager.default
        try fm.copyItem(at: CLI.packageRoot.appendingPathComponent("cards"), to: root.appendingPathComponent("cards"))
        try fm.createDirectory(at: root.appendingPathComponent("profiles"), withIntermediateDirectories: true)
        try fm.copyItem(at: CLI.packageRoot.appendingPathComponent("profiles/base.yaml"), to: root.appendingPathComponent("profiles/base.yaml"))
        try Data("""
            profile: my-store
            extends: base
            cards:
              aex_expiring_soon:
                params: {horizon: 14d}

            """.utf8).write(to: root.appendingPathComponent("profiles/my-store.yaml"))
        try Data("""
            key: aex_expiring_soon
            title: Active listings expiring soon
            connector: aliexpress
            from: listings
            params:
              horizon: {type: duration, default: 7d, description: How far ahead an expiry counts.}
            window: params.horizon
            where: listing.status == "active" && listing.expires_at != null && listing.expires_at < now + params.horizon
            measure: count
            rows:
              listing: listing.id
              left: listing.expires_at - now

            """.utf8).write(to: root.appendingPathComponent("cards/aliexpress/aex_expiring_soon.yaml"))
        let result = try CLI.run(["explain", "aex_expiring_soon", "--cards", root.appendingPathComponent("cards").path,
                                  "--profiles", root.appendingPathComponent("profiles").path, "--profile", "my-store",
                                  "--snapshot", CLI.packageRoot.appendingPathComponent("examples/demo").path,
                                  "--now", "2026-03-17T08:00:00Z", "--row", "1005006000087109"], in: root)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("params.horizon = 14d)"), "\(result.stdout)")
        #expect(result.stdout.contains("worklist row: listing = \"1005006000087109\", left = 11d\n"), "\(result.stdout)")
        #expect(!result.stdout.contains("950400s") && !result.stdout.contains("1209600s"))
    }

    /// A recorded evaluation with no data: `no data (audit_events.jsonl missing)`, not `no data (s`.
    @Test func historyShowsTheWholeNoDataMarker() throws {
        let root = try scratch()
        let snapshot = root.appendingPathComponent("snap")
        try FileManager.default.copyItem(at: CLI.packageRoot.appendingPathComponent("examples/demo"), to: snapshot)
        try FileManager.default.removeItem(at: snapshot.appendingPathComponent("audit_events.jsonl"))
        let db = root.appendingPathComponent("h.sqlite").path
        let eval = try CLI.run(["eval", "--profile", "demo", "--snapshot", snapshot.path, "--record", "--db", db, "--max-rows", "0"], in: CLI.packageRoot)
        #expect(eval.status == 5, "no data: \(eval.stderr)")
        let history = try CLI.run(["history", "aex_rejected_listings_24h", "--profile", "demo", "--db", db], in: CLI.packageRoot)
        #expect(history.stdout.contains("  2026-03-17T08:00:00Z  no data (audit_events.jsonl missing)\n"), "\(history.stdout)")
    }

    /// Day one of the demo: the 24h card fires on its trigger while the spike has no baseline yet.
    @Test func dayOneSaysTheTriggerFiredAndTheSpikeHasNoBaselineYet() throws {
        let db = try scratch().appendingPathComponent("demo.sqlite").path
        let first = try CLI.run(["eval", "--profile", "demo", "--snapshot", "examples/demo", "--record", "--db", db, "--max-rows", "0"], in: CLI.packageRoot)
        #expect(first.stdout.contains("▲ aex_rejected_listings_24h: inactive -> firing critical (value 2) · > 0 or spike ×5 over 7d (min 10); "
            + "the trigger fired; the spike rule has no baseline yet (no values recorded in the last 7d)\n"), "\(first.stdout)")
        #expect(!first.stdout.contains("firing critical (value 2) · > 0 or spike ×5 over 7d (min 10); spike: no baseline yet"))
        let alerts = try CLI.run(["alerts", "--profile", "demo", "--db", db], in: CLI.packageRoot)
        #expect(!alerts.stdout.contains("not firing"), "\(alerts.stdout)")
    }
}
