import Foundation
import PulseConfig
import PulseEngine
import PulseExpressions
import PulseHistory
import PulseSnapshot
import Testing

/// Builds real card results (a card that counts listings) so the store sees what eval gives it.
enum Fixture {
    static func card(alert: String) -> String {
        """
        key: c
        title: Count
        connector: test
        from: listings
        measure: count
        alert: \(alert)

        """
    }

    static func path() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("pulse-history-\(UUID().uuidString)/h.sqlite").path
    }

    static func time(_ day: Int) -> CELTimestamp {
        CELTimestamp(seconds: 1_773_734_400 + Int64(day) * 86_400)!  // 2026-03-17 + day
    }

    /// The results of evaluating the card (value = `listings`) on `day`, with `store`'s baselines.
    static func results(_ listings: Int, day: Int, alert: String = "\"> 0\"", store: HistoryStore? = nil,
                        baselines: BaselineSource? = nil) throws -> [CardResult] {
        var set = ConfigSet()
        set.add(file: "cards/c.yaml", bytes: Array(card(alert: alert).utf8))
        #expect(set.diagnostics.isEmpty)
        set.add(file: "profiles/p.yaml", bytes: Array("profile: p\n".utf8))
        let profile = try ProfileResolver(profiles: set.profiles).resolve(#require(set.profile("p"))).get()
        let rows = (0..<listings).map { "{\"id\": \"L\($0)\", \"status\": \"active\", \"skus\": []}" }.joined(separator: "\n")
        let snapshot = try SnapshotLoader.load(files: [
            "snapshot.json": Array("{\"format\": 1, \"taken_at\": \"\(time(day))\"}".utf8),
            "listings.jsonl": Array(rows.utf8),
        ], label: "fixture")
        return try Evaluation.run(ProfilePlan(cards: set.cards, profile: profile), snapshot: snapshot, now: time(day),
                                  baselines: baselines ?? store?.baselines(profile: "p")).get()
    }

    static func transitions(_ outcome: RecordOutcome) -> [String] {
        guard case .recorded(let transitions, _) = outcome else { return ["already"] }
        return transitions.map { "\($0.from)->\($0.to)" }
    }
}

@Suite struct HistoryStoreTests {
    @Test func migratesAnEmptyFile() throws {
        let path = Fixture.path()
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: path, contents: Data())
        let store = try HistoryStore(path: path)
        #expect(try store.appliedMigrations() == ["v1", "v2", "v3", "v4"])
        #expect(try store.evaluationCount() == 0)
        // Opening again does not migrate twice.
        #expect(try HistoryStore(path: path).appliedMigrations() == ["v1", "v2", "v3", "v4"])
    }

    @Test func refusesAFileThatIsNotADatabase() throws {
        let path = Fixture.path()
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: path, contents: Data(String(repeating: "not sqlite ", count: 100).utf8))
        #expect(throws: HistoryError.self) { try HistoryStore(path: path) }
    }

    @Test func fireStayResolve() throws {
        let store = try HistoryStore(path: Fixture.path())
        #expect(Fixture.transitions(try store.record(profile: "p", store: nil, takenAt: Fixture.time(0), results: Fixture.results(0, day: 0))) == [])
        #expect(Fixture.transitions(try store.record(profile: "p", store: nil, takenAt: Fixture.time(1), results: Fixture.results(5, day: 1))) == ["inactive->firing"])
        #expect(Fixture.transitions(try store.record(profile: "p", store: nil, takenAt: Fixture.time(2), results: Fixture.results(6, day: 2))) == [])
        #expect(Fixture.transitions(try store.record(profile: "p", store: nil, takenAt: Fixture.time(3), results: Fixture.results(0, day: 3))) == ["firing->resolved"])
        #expect(try store.activeAlerts(profile: "p").isEmpty)
        let all = try store.transitions(profile: "p", since: nil)
        #expect(all.map(\.to) == ["resolved", "firing"])  // newest first
        #expect(all.last?.value == 5)
        #expect(try store.series(profile: "p", card: "c", since: nil).map(\.value) == [0, 5, 6, 0])
    }

    @Test func forHoldsTheAlertPending() throws {
        let store = try HistoryStore(path: Fixture.path())
        let alert = "{when: \"> 0\", for: 3}"
        func record(_ n: Int, _ day: Int) throws -> [String] {
            Fixture.transitions(try store.record(profile: "p", store: nil, takenAt: Fixture.time(day), results: Fixture.results(n, day: day, alert: alert)))
        }
        #expect(try record(2, 0) == ["inactive->pending"])
        #expect(try record(2, 1) == [])
        #expect(try store.activeAlerts(profile: "p").first?.consecutive == 2)
        #expect(try record(0, 2) == ["pending->inactive"])   // sync caught up: never fired
        #expect(try record(2, 3) == ["inactive->pending"])
        #expect(try record(2, 4) == [])
        #expect(try record(2, 5) == ["pending->firing"])
        #expect(try store.activeAlerts(profile: "p").map(\.state) == [.firing])
    }

    @Test func spikeAgainstASeededHistory() throws {
        let store = try HistoryStore(path: Fixture.path())
        let alert = "{spike: {baseline: 7d, factor: 5, min: 10}}"
        // No baseline yet: not firing, and said so.
        let first = try Fixture.results(38, day: 0, alert: alert, store: store)
        #expect(first.first?.spike == .noBaseline)
        #expect(first.first?.firing == false)
        // A week of the usual 1 or 2.
        for (day, n) in [1, 2, 1, 2, 2, 1].enumerated() {
            _ = try store.record(profile: "p", store: nil, takenAt: Fixture.time(day), results: Fixture.results(n, day: day, alert: alert, store: store))
        }
        let jump = try Fixture.results(38, day: 6, alert: alert, store: store)
        #expect(jump.first?.spike == .compared(median: 1.5, count: 6, holds: true))
        #expect(jump.first?.firing == true)
        let small = try Fixture.results(7, day: 6, alert: alert, store: store)  // 7 < min 10
        #expect(small.first?.firing == false)
        // Values older than the baseline window are not in it.
        let later = try Fixture.results(38, day: 20, alert: alert, store: store)
        #expect(later.first?.spike == .noBaseline)
    }

    struct Unreadable: BaselineSource, Error {
        func values(card: String, from: CELTimestamp, before: CELTimestamp) throws -> [Double] { throw self }
    }

    @Test func anUnreadableHistoryIsSaidNotIgnored() throws {
        let results = try Fixture.results(38, day: 0, alert: "{spike: {baseline: 7d, factor: 5, min: 10}}", baselines: Unreadable())
        guard case .unavailable? = results.first?.spike else { Issue.record("expected .unavailable, got \(String(describing: results.first?.spike))"); return }
        #expect(results.first?.firing == false)
    }

    @Test func recordingTheSameSnapshotTwiceIsANoOp() throws {
        let store = try HistoryStore(path: Fixture.path())
        let results = try Fixture.results(3, day: 0)
        #expect(Fixture.transitions(try store.record(profile: "p", store: nil, takenAt: Fixture.time(0), results: results)) == ["inactive->firing"])
        #expect(Fixture.transitions(try store.record(profile: "p", store: nil, takenAt: Fixture.time(0), results: results)) == ["already"])
        #expect(try store.evaluationCount() == 1)
        #expect(try store.transitions(profile: "p", since: nil).count == 1)
    }

    @Test func anOlderSnapshotDoesNotMoveAlerts() throws {
        let store = try HistoryStore(path: Fixture.path())
        _ = try store.record(profile: "p", store: nil, takenAt: Fixture.time(5), results: Fixture.results(0, day: 5))
        let outcome = try store.record(profile: "p", store: nil, takenAt: Fixture.time(1), results: Fixture.results(9, day: 1))
        guard case .recorded(let transitions, let note) = outcome else { Issue.record("should record"); return }
        #expect(transitions.isEmpty)
        #expect(note?.contains("older than the latest") == true)
        #expect(try store.series(profile: "p", card: "c", since: nil).map(\.value) == [9, 0])
    }

    @Test func profilesAreSeparate() throws {
        let store = try HistoryStore(path: Fixture.path())
        _ = try store.record(profile: "a", store: nil, takenAt: Fixture.time(0), results: Fixture.results(3, day: 0))
        _ = try store.record(profile: "b", store: nil, takenAt: Fixture.time(0), results: Fixture.results(0, day: 0))
        #expect(try store.activeAlerts(profile: "a").count == 1)
        #expect(try store.activeAlerts(profile: "b").isEmpty)
    }
}
