import Foundation
@testable import PulseCLI
import PulseConnectors
@testable import PulseServer
import Testing

/// `pulse serve --keep N` (and serve.yaml's `keep`): only the newest N complete snapshots of each
/// profile stay, never the one served (issue 24, item 6).
@Suite struct ServeKeepTests {
    @Test func keepRemovesAllButTheNewestAndNeverTheServedOne() async throws {
        let h = try await ServeHarness.make(snapshots: ["demo"])
        let fm = FileManager.default
        let demo = h.path("snapshots/demo")
        // An older copy (taken a day earlier), the served one (2026-03-17), then a newer one.
        let older = demo.appendingPathComponent("2026-03-16")
        try fm.copyItem(at: demo.appendingPathComponent("2026-03-17"), to: older)
        let header = older.appendingPathComponent("snapshot.json")
        try Data(try String(contentsOf: header, encoding: .utf8).replacingOccurrences(of: "2026-03-17T08:00:00Z", with: "2026-03-16T08:00:00Z").utf8)
            .write(to: header)
        var settings = ServeHarness.settings(h.root)
        settings.db = h.path("keep.sqlite").path
        settings.keep = 1
        let prepared = try await PulseServer.prepare(settings, logger: ServeHarness.logger)
        await prepared.engine.tickNow()
        #expect(prepared.engine.state.current.profiles["demo"]?.served?.takenAt.description == "2026-03-17T08:00:00Z")
        #expect(!fm.fileExists(atPath: older.path), "older than the newest 1: removed")
        #expect(fm.fileExists(atPath: demo.appendingPathComponent("2026-03-17").path), "the served one stays")

        // A newer snapshot arrives: it is served, and the one served before goes.
        try fm.copyItem(at: Repo.root.appendingPathComponent("examples/demo-next"), to: demo.appendingPathComponent("2026-03-18"))
        await prepared.engine.tickNow()
        #expect(prepared.engine.state.current.profiles["demo"]?.served?.takenAt.description == "2026-03-18T08:00:00Z")
        #expect(((try? fm.contentsOfDirectory(atPath: demo.path)) ?? []).sorted() == ["2026-03-18"])

        // What a scheduled pull does: a new snapshot beside the served one, with the served one protected.
        let kept = SnapshotRetention.keepNewest(1, in: demo.path, protected: [demo.appendingPathComponent("2026-03-18").path])
        #expect(kept.removed.isEmpty)
    }

    @Test func keepIsAFlagAndAServeYAMLKey() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("pulse-serve-keep-\(UUID().uuidString)")
        for sub in ["cards", "profiles"] { try FileManager.default.createDirectory(at: root.appendingPathComponent(sub), withIntermediateDirectories: true) }
        try Data("tokens: []\n".utf8).write(to: root.appendingPathComponent("tokens.yaml"))
        let file = root.appendingPathComponent("serve.yaml")
        try Data("tokens: \(root.path)/tokens.yaml\ncards: \(root.path)/cards\nprofiles: \(root.path)/profiles\nkeep: 5\n".utf8).write(to: file)
        #expect(try ServeRunner.settings(try ServeRunner.Options.parse(["--config", file.path]), environment: [:]).get().keep == 5)
        #expect(try ServeRunner.settings(try ServeRunner.Options.parse(["--config", file.path, "--keep", "3"]), environment: [:]).get().keep == 3)
        try Data("tokens: \(root.path)/tokens.yaml\nkeep: 0\n".utf8).write(to: file)
        switch ServeRunner.settings(try ServeRunner.Options.parse(["--config", file.path]), environment: [:]) {
        case .success: Issue.record("keep: 0 was accepted")
        case .failure(let f): #expect(f.message.contains("keep must be 1 or more, not 0"), "\(f.message)")
        }
    }
}

/// A first pull's snapshot (`audit_events_since`): the dashboard and the API say events are
/// counted from the pull, not "no data" (issue 24, item 1).
@Suite struct FirstPullNoteTests {
    @Test func theDashboardAndTheAPISayEventsCountFromTheFirstPull() async throws {
        let h = try await ServeHarness.make(snapshots: [])
        let folder = h.path("snapshots/demo/20260317T080000Z")
        try FileManager.default.copyItem(at: Repo.root.appendingPathComponent("examples/demo"), to: folder)
        try Data("".utf8).write(to: folder.appendingPathComponent("audit_events.jsonl"))
        try Data(#"{"format": 1, "store": "acme-outdoor", "taken_at": "2026-03-17T08:00:00Z", "audit_events_since": "2026-03-17T08:00:00Z"}"#.utf8)
            .write(to: folder.appendingPathComponent("snapshot.json"))
        await h.engine.tickNow()
        let note = "first pull: audit events are counted from 08:00 today, less than the 24h window"
        try await h.app.test(.router) { client in
            let card = try await h.get(client, "/api/v1/profiles/demo/cards/aex_rejected_listings_24h", as: "owner")
            #expect(card.status == 200)
            #expect(card.body.contains(note), "\(card.body.prefix(2000))")
            let page = try await h.get(client, "/", as: "owner")
            #expect(page.body.contains(note), "\(page.status) \(page.body.prefix(500))")
            #expect(!page.body.contains("Missing from the snapshot: audit_events.jsonl"))
        }
    }
}

/// Serve's catalog never takes a staging folder for a snapshot, and orders same-second names by
/// their suffix's number (issue 24, items 4 and 16).
@Suite struct CatalogStagingTests {
    @Test func stagingFoldersAreNeverSnapshotsAndSuffixesCountAsNumbers() throws {
        let parent = FileManager.default.temporaryDirectory.appendingPathComponent("pulse-catalog-\(UUID().uuidString)").path
        func snapshot(_ name: String, _ takenAt: String) throws {
            try FileManager.default.createDirectory(atPath: parent + "/" + name, withIntermediateDirectories: true)
            try Data(#"{"format": 1, "taken_at": "\#(takenAt)"}"#.utf8).write(to: URL(fileURLWithPath: parent + "/" + name + "/snapshot.json"))
        }
        defer { try? FileManager.default.removeItem(atPath: parent) }
        try snapshot("20260317T080000Z-9", "2026-03-17T08:00:00Z")
        try snapshot("20260317T080000Z-10", "2026-03-17T08:00:00Z")
        try snapshot(".20260320T080000Z.tmp-\(getpid())", "2026-03-20T08:00:00Z")
        try snapshot(".20260321T080000Z.tmp-999999", "2026-03-21T08:00:00Z")
        var catalog = SnapshotCatalog()
        #expect(catalog.newest(in: parent)?.folder == parent + "/20260317T080000Z-10")
    }
}
