import Foundation
import PulseConfig
import PulseDiagnostics
import PulseExpressions
import PulseSnapshot

/// The result of one test case.
public struct TestOutcome: Sendable {
    /// The test file.
    public let file: String
    /// The case's name.
    public let name: String
    /// Every expectation that did not hold, as `card: what: expected …, got …`.
    public let failures: [String]
    /// How long it took, in seconds.
    public let seconds: Double

    /// Whether every expectation held.
    public var passed: Bool { failures.isEmpty }
}

/// Runs the cases of a test file against the cards: builds each case's snapshot and profile,
/// evaluates the cards it expects things of, and compares.
public struct TestRunner {
    /// The cards folder used when a test file names none.
    public var defaultCards: String
    /// The profiles folder used when a test file names none.
    public var defaultProfiles: String

    /// A runner with default folders.
    public init(defaultCards: String = "cards", defaultProfiles: String = "profiles") {
        self.defaultCards = defaultCards
        self.defaultProfiles = defaultProfiles
    }

    /// The default `now` of inline fixtures without one.
    public static let defaultNow = "2026-01-01T00:00:00Z"

    /// Runs the cases of `file` whose names `select` accepts.
    ///
    /// - Returns: the outcomes, or the diagnostics that make the file (or what it refers to)
    ///   unusable: the caller reports them and exits 2.
    public func run(_ file: TestFile, select: (String) -> Bool = { _ in true }) -> Result<[TestOutcome], DiagnosticList> {
        let folder = (file.file as NSString).deletingLastPathComponent
        func resolve(_ path: String) -> String { path.hasPrefix("/") || folder.isEmpty ? path : folder + "/" + path }
        let cardsDir = file.cards.map { resolve($0.value) } ?? defaultCards
        let profilesDir = file.profiles.map { resolve($0.value) } ?? defaultProfiles

        var paths = [cardsDir]
        if FileManager.default.fileExists(atPath: profilesDir) { paths.append(profilesDir) }
        var profilePath: String?
        if case .reference(let ref) = file.profile, ref.value.hasSuffix(".yaml") || ref.value.hasSuffix(".yml") || ref.value.contains("/") {
            profilePath = resolve(ref.value)
            paths.append(resolve(ref.value))
        }
        guard FileManager.default.fileExists(atPath: cardsDir) else {
            return .failure(DiagnosticList([.error(.testSetup, "no cards folder at \(cardsDir)", at: file.cards?.location ?? .startOf(file.file))]))
        }
        let workspace: Workspace
        do { workspace = try Workspace.load(paths: paths) } catch {
            return .failure(DiagnosticList([.error(.testSetup, "\(error)", at: .startOf(file.file))]))
        }
        let configErrors = workspace.errors
        if !configErrors.isEmpty { return .failure(DiagnosticList(configErrors)) }
        var profiles = workspace.set.profiles

        // The base profile.
        let base: Profile
        switch file.profile {
        case .inline(let p):
            base = p
            profiles.append(p)
        case .reference(let ref):
            let found = profilePath.flatMap { path in profiles.first { URL(fileURLWithPath: $0.file).standardizedFileURL == URL(fileURLWithPath: path).standardizedFileURL } }
                ?? workspace.set.profile(ref.value)
            guard let found else {
                return .failure(DiagnosticList([.error(.testSetup, "no profile '\(ref.value)' in \(profilesDir)"
                    + Suggestion.didYouMean(ref.value, in: profiles.map(\.name.value)), at: ref.location)]))
            }
            base = found
        }
        var outcomes: [TestOutcome] = []
        var diagnostics: [Diagnostic] = []
        for testCase in file.cases where select(testCase.name.value) {
            let started = Date()
            switch runCase(testCase, file: file, base: base, workspace: workspace, profiles: profiles, resolve: resolve) {
            case .failure(let list): diagnostics += list.diagnostics
            case .success(let failures):
                outcomes.append(TestOutcome(file: file.file, name: testCase.name.value, failures: failures,
                                            seconds: Date().timeIntervalSince(started)))
            }
        }
        guard diagnostics.isEmpty else { return .failure(DiagnosticList(diagnostics.sortedForReport())) }
        return .success(outcomes)
    }

    private func runCase(_ testCase: TestCase, file: TestFile, base: Profile, workspace: Workspace, profiles: [Profile],
                         resolve: (String) -> String) -> Result<[String], DiagnosticList> {
        // The profile: the base, or the case's overrides extending it.
        let set = workspace.set
        var profiles = profiles
        var profile = base
        if var overrides = testCase.profile {
            overrides.extends = Located(base.name.value, at: overrides.name.location)
            profiles.append(overrides)
            profile = overrides
        }
        var problems: [Diagnostic] = []
        let cardKeys = set.cards.map(\.key.value)
        for override in profile.cards where set.card(override.key.value) == nil {
            problems.append(.error(.unknownCard, "no card has the key '\(override.key.value)'" + Suggestion.didYouMean(override.key.value, in: cardKeys),
                                   at: override.key.location))
        }
        for e in testCase.expectations where set.card(e.card.value) == nil {
            problems.append(.error(.unknownCard, "no card has the key '\(e.card.value)'" + Suggestion.didYouMean(e.card.value, in: cardKeys),
                                   at: e.card.location))
        }
        let plan: ProfilePlan
        switch workspace.resolve(profile, among: profiles) {
        case .failure(let list): return .failure(DiagnosticList(problems + list.diagnostics))
        case .success(let p): plan = p
        }
        // now and the snapshot.
        let nowText = testCase.now ?? file.now
        var now: CELTimestamp?
        if let nowText {
            guard let t = CELTimestamp(parsing: nowText.value) else {
                return .failure(DiagnosticList(problems + [.error(.testNow, "now must be an RFC 3339 timestamp such as 2026-03-17T08:00:00Z, not '\(nowText.value)'", at: nowText.location)]))
            }
            now = t
        }
        let snapshot: Snapshot
        if let path = testCase.snapshot {
            do { snapshot = try SnapshotLoader.load(folder: resolve(path.value)) } catch {
                return .failure(DiagnosticList(problems + [.error(.testFixture, "snapshot \(path.value): \(error)", at: path.location)]))
            }
        } else {
            let takenAt = now ?? CELTimestamp(parsing: TestRunner.defaultNow)
            guard let takenAt else { return .failure(DiagnosticList(problems)) }
            switch FixtureSnapshot.build(tables: testCase.tables, takenAt: takenAt, file: file.file) {
            case .failure(let list): return .failure(DiagnosticList(problems + list.diagnostics))
            case .success(let s): snapshot = s
            }
        }
        guard problems.isEmpty else { return .failure(DiagnosticList(problems)) }
        let keys = testCase.expectations.map(\.card.value)
        let results: [CardResult]
        switch Evaluation.run(plan, snapshot: snapshot, now: now ?? snapshot.takenAt,
                              selection: Evaluation.Selection(keys: keys)) {
        case .failure(let list): return .failure(list)
        case .success(let r): results = r
        }
        var failures: [String] = []
        for e in testCase.expectations {
            guard let result = results.first(where: { $0.card.key.value == e.card.value }) else {
                failures.append("\(e.card.value): the card did not run (the profile disables it)")
                continue
            }
            failures += Self.compare(e, result)
        }
        return .success(failures)
    }

    static func number(_ d: Double?) -> String { Explainer.format(d) }

    static func compare(_ e: CardExpectation, _ r: CardResult) -> [String] {
        var out: [String] = []
        let card = e.card.value
        if let expected = e.value, !same(expected.value, r.value, tolerance: e.valueTolerance) {
            out.append("\(card): value: expected \(number(expected.value)), got \(number(r.value))")
        }
        if let expected = e.state, expected.value != r.state {
            out.append("\(card): state: expected \(expected.value.rawValue), got \(r.state.rawValue)" + (r.stateNote.map { " (\($0))" } ?? ""))
        }
        if let expected = e.severity, expected.value != (r.state == .firing ? r.severity : nil) {
            let got = r.state == .firing ? (r.severity?.rawValue ?? "none") : "none (state \(r.state.rawValue))"
            out.append("\(card): severity: expected \(expected.value?.rawValue ?? "none"), got \(got)" + (r.settings.alert.map { " (alert \($0), value \(number(r.value)))" } ?? ""))
        }
        if let expected = e.firing, expected.value != r.conditionHolds {
            out.append("\(card): firing: expected \(expected.value), got \(r.conditionHolds)" + (r.settings.alert.map { " (alert \($0), value \(number(r.value)))" } ?? " (the card has no alert)"))
        }
        let actual = Dictionary((r.breakdown ?? []).map { ($0.label, $0.value) }, uniquingKeysWith: { a, _ in a })
        if let expected = e.breakdown {
            if r.breakdown == nil { out.append("\(card): breakdown: expected one, but the card has no group_by") }
            for (label, value) in expected.value.sorted(by: { $0.key < $1.key }) where !same(value, actual[label] ?? nil) {
                out.append("\(card): breakdown[\(label)]: expected \(number(value)), got \(actual[label].map { number($0) } ?? "none")")
            }
            for (label, value) in actual.sorted(by: { $0.key < $1.key }) where expected.value[label] == nil {
                out.append("\(card): breakdown[\(label)]: got \(number(value)), not expected")
            }
        }
        if let expected = e.breakdownIncludes {
            for (label, value) in expected.value.sorted(by: { $0.key < $1.key }) where !same(value, actual[label] ?? nil) {
                out.append("\(card): breakdown[\(label)]: expected \(number(value)), got \(actual[label].map { number($0) } ?? "none")")
            }
        }
        func texts(_ value: Value) -> [String] {
            switch value {
            case .string(let s): return [s]
            case .int(let i): return [String(i)]
            case .list(let items): return items.flatMap(texts)
            default: return []
            }
        }
        let ids = Set(r.rows.flatMap { $0.flatMap { texts($0.value) } })
        for id in e.rowsInclude where !ids.contains(id.value) {
            out.append("\(card): rows: \(id.value) is not in the worklist")
        }
        for id in e.rowsExclude where ids.contains(id.value) {
            out.append("\(card): rows: \(id.value) is in the worklist")
        }
        if let expected = e.rowCount, expected.value != r.rows.count {
            out.append("\(card): row_count: expected \(expected.value), got \(r.rows.count)")
        }
        if let expected = e.errors, expected.value != r.errorCount {
            out.append("\(card): errors: expected \(expected.value), got \(r.errorCount)" + (r.errorExamples.first.map { " (first: \($0))" } ?? ""))
        }
        return out
    }

    private static func same(_ a: Double?, _ b: Double?, tolerance: Double = 0) -> Bool {
        switch (a, b) {
        case (nil, nil): return true
        case (let x?, let y?): return abs(x - y) <= max(tolerance, 1e-9 * max(1, abs(x)))
        default: return false
        }
    }
}
