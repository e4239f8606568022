import Foundation
import GRDB
import PulseConfig
import PulseEngine
import PulseExpressions
import PulseHistory
import PulseSnapshot
import Testing

/// Warn and critical over recorded evaluations: escalation, de-escalation, `for` with two levels,
/// re-evaluation of a recorded snapshot with a changed trigger, and stores of the earlier schema.
@Suite struct SeverityTests {
    static let levels = "{warn: \"> 0\", critical: \"> 25\"}"

    /// Records `listings` on `day` with `alert`; the transitions as `from->to/severity` and the
    /// settled result of the card.
    func step(_ store: HistoryStore, _ listings: Int, day: Int, alert: String = levels) throws -> (transitions: [String], result: CardResult) {
        let results = try Fixture.results(listings, day: day, alert: alert, store: store)
        let outcome = try store.record(profile: "p", store: nil, takenAt: Fixture.time(day), results: results)
        let transitions: [AlertTransition]
        switch outcome {
        case .recorded(let t, _): transitions = t
        case .reevaluated(let t): transitions = t
        case .alreadyRecorded: transitions = []
        }
        let settled = try store.settle(results, profile: "p", takenAt: Fixture.time(day))
        return (transitions.map { "\($0.from)->\($0.to)/\($0.severity?.rawValue ?? "-")" }, try #require(settled.first))
    }

    @Test("a value between warn and critical fires warn; above critical fires critical")
    func valueBetweenTheLevels() throws {
        let warn = try #require(try Fixture.results(10, day: 0, alert: Self.levels).first)
        #expect(warn.state == .firing && warn.severity == .warn && warn.level == .warn)
        let critical = try #require(try Fixture.results(30, day: 0, alert: Self.levels).first)
        #expect(critical.state == .firing && critical.severity == .critical)
        let ok = try #require(try Fixture.results(0, day: 0, alert: Self.levels).first)
        #expect(ok.state == .ok && ok.severity == nil)
    }

    @Test("escalated and deescalated are recorded with their severity, then resolved")
    func escalationAndDeescalation() throws {
        let store = try HistoryStore(path: Fixture.path())
        #expect(try step(store, 10, day: 0).transitions == ["inactive->firing/warn"])
        #expect(try step(store, 30, day: 1).transitions == ["firing->escalated/critical"])
        #expect(try step(store, 31, day: 2).transitions == [])
        let down = try step(store, 5, day: 3)
        #expect(down.transitions == ["firing->deescalated/warn"])
        #expect(down.result.state == .firing && down.result.severity == .warn)
        #expect(try step(store, 0, day: 4).transitions == ["firing->resolved/warn"])
        let active = try store.activeAlerts(profile: "p")
        #expect(active.isEmpty)
        let all = try store.transitions(profile: "p", since: nil).map { "\($0.to)/\($0.severity?.rawValue ?? "-")" }
        #expect(all == ["resolved/warn", "deescalated/warn", "escalated/critical", "firing/warn"])
        let series = try store.series(profile: "p", card: "c", since: nil)
        #expect(series.map { $0.severity?.rawValue ?? "-" } == ["warn", "critical", "critical", "warn", "-"])
        #expect(series.map { $0.state?.rawValue ?? "-" } == ["firing", "firing", "firing", "firing", "ok"])
    }

    @Test("for: 2 with two levels: each level must hold twice; a critical blip under for stays warn")
    func forWithTwoLevels() throws {
        let store = try HistoryStore(path: Fixture.path())
        let alert = "{warn: \"> 0\", critical: \"> 25\", for: 2}"
        let first = try step(store, 30, day: 0, alert: alert)
        #expect(first.transitions == ["inactive->pending/-"])
        #expect(first.result.state == .pending)
        // Warn has held twice (30 and 10 are both above 0); critical only once.
        let second = try step(store, 10, day: 1, alert: alert)
        #expect(second.transitions == ["pending->firing/warn"])
        let third = try step(store, 30, day: 2, alert: alert)
        #expect(third.transitions == [], "critical held once since: still warn")
        #expect(third.result.severity == .warn)
        #expect(try step(store, 40, day: 3, alert: alert).transitions == ["firing->escalated/critical"])
    }

    @Test("the same snapshot recorded again with a changed trigger records the new judgement, not a second value")
    func reevaluationOfARecordedSnapshot() throws {
        let store = try HistoryStore(path: Fixture.path())
        #expect(try step(store, 10, day: 0, alert: "\"> 0\"").transitions == ["inactive->firing/critical"])
        // The merchant raises the threshold: the recorded snapshot is judged again.
        let again = try step(store, 10, day: 0, alert: "\"> 50\"")
        #expect(again.transitions == ["firing->resolved/critical"])
        #expect(again.result.state == .ok)
        #expect(try store.activeAlerts(profile: "p").isEmpty)
        #expect(try store.series(profile: "p", card: "c", since: nil).count == 1, "one value per snapshot")
        let reason = try #require(try store.transitions(profile: "p", since: nil).first?.reason)
        #expect(reason.hasPrefix("re-evaluated with the current config"))
        // Unchanged config: nothing more.
        #expect(try step(store, 10, day: 0, alert: "\"> 50\"").transitions == [])
        // Back to > 0: firing again, from the state before the snapshot (not counted twice).
        #expect(try step(store, 10, day: 0, alert: "{when: \"> 0\", for: 2}").transitions == ["inactive->pending/-"])
        #expect(try step(store, 10, day: 1, alert: "{when: \"> 0\", for: 2}").transitions == ["pending->firing/critical"])
    }

    @Test("a store written before severities (v2) is migrated: a firing alert is critical, and it goes on")
    func aVersionTwoStoreKeepsWorking() throws {
        let path = Fixture.path()
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        // A v2 store as the previous release wrote it: one firing alert.
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(sql: """
                CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY);
                INSERT INTO grdb_migrations VALUES ('v1'), ('v2');
                CREATE TABLE evaluation (id INTEGER PRIMARY KEY AUTOINCREMENT, profile TEXT NOT NULL, store TEXT, taken_at TEXT NOT NULL,
                    taken_at_seconds INTEGER NOT NULL, evaluated_at TEXT NOT NULL, UNIQUE (profile, taken_at_seconds));
                CREATE TABLE card_value (evaluation_id INTEGER NOT NULL REFERENCES evaluation(id) ON DELETE CASCADE, card TEXT NOT NULL,
                    value REAL, numerator REAL, denominator REAL, breakdown TEXT, firing INTEGER NOT NULL, row_count INTEGER NOT NULL,
                    error_count INTEGER NOT NULL, no_data TEXT, PRIMARY KEY (evaluation_id, card));
                CREATE INDEX card_value_by_card ON card_value(card);
                CREATE TABLE alert_state (profile TEXT NOT NULL, card TEXT NOT NULL, title TEXT NOT NULL, state TEXT NOT NULL,
                    consecutive INTEGER NOT NULL, since TEXT NOT NULL, value REAL, last_taken_at_seconds INTEGER NOT NULL, PRIMARY KEY (profile, card));
                CREATE TABLE alert_transition (id INTEGER PRIMARY KEY AUTOINCREMENT, evaluation_id INTEGER NOT NULL REFERENCES evaluation(id) ON DELETE CASCADE,
                    profile TEXT NOT NULL, card TEXT NOT NULL, title TEXT NOT NULL, from_state TEXT NOT NULL, to_state TEXT NOT NULL, value REAL,
                    at TEXT NOT NULL, roles TEXT NOT NULL, reason TEXT NOT NULL, delivered_at TEXT, claimed_until INTEGER);
                CREATE INDEX alert_transition_by_profile ON alert_transition(profile, id);
                INSERT INTO evaluation VALUES (1, 'p', NULL, '2026-03-17T00:00:00Z', 1773705600, '2026-03-17T00:00:00Z');
                INSERT INTO card_value VALUES (1, 'c', 3, 3, NULL, NULL, 1, 3, 0, NULL);
                INSERT INTO alert_state VALUES ('p', 'c', 'Count', 'firing', 1, '2026-03-17T00:00:00Z', 3, 1773705600);
                INSERT INTO alert_transition VALUES (1, 1, 'p', 'c', 'Count', 'inactive', 'firing', 3, '2026-03-17T00:00:00Z', 'owner', '> 0', NULL, NULL);
                """)
        }
        try queue.close()
        let store = try HistoryStore(path: path)
        #expect(try store.appliedMigrations() == ["v1", "v2", "v3", "v4"])
        #expect(try store.activeAlerts(profile: "p").map(\.severity) == [.critical])
        #expect(try store.transitions(profile: "p", since: nil).map(\.severity) == [.critical])
        // The old series has no recorded state: missing, not guessed.
        #expect(try store.series(profile: "p", card: "c", since: nil).map(\.state) == [nil])
        // Day 1 (2026-03-18) with warn/critical levels and a warn value: critical -> warn.
        #expect(try step(store, 10, day: 1).transitions == ["firing->deescalated/warn"])
    }
}
