import Foundation
import PulseConfig
import PulseDiagnostics
import PulseEngine
import PulseExpressions
import PulseSnapshot

/// Output formats of `pulse eval`.
public enum EvalFormat: String, Sendable, CaseIterable {
    case table, json
}

/// `pulse eval`: evaluates a merchant's cards over a snapshot.
public enum EvalRunner {
    /// What `pulse eval` was asked.
    public struct Options: Sendable {
        public var profile: String
        public var profilesDir = "profiles"
        public var snapshot: String
        public var cardsDir = "cards"
        public var role: String?
        public var cards: [String] = []
        public var now: String?
        public var format: EvalFormat = .table
        public var maxRows: Int?
        public var failOnAlert = false

        /// Options for `profile` over `snapshot`, the rest at their defaults.
        public init(profile: String, snapshot: String) {
            self.profile = profile
            self.snapshot = snapshot
        }
    }

    /// The exit status when `--fail-on-alert` is set and an alert fires.
    public static let alertExitCode: Int32 = 3

    /// Runs an evaluation. Exit 0 on success, 1 for bad config or data, 2 for bad usage, 3 when
    /// an alert fires under `--fail-on-alert`.
    public static func run(_ options: Options) -> CommandOutput {
        switch prepare(options) {
        case .failure(let failure): return failure.output
        case .success(let (config, profile, snapshot, now)):
            let selection = Evaluation.Selection(role: options.role, keys: options.cards)
            switch Evaluation.run(cards: config.set.cards, profile: profile, snapshot: snapshot, now: now, selection: selection) {
            case .failure(let list):
                let report = DiagnosticRenderer(sources: config.set.sources).render(list.diagnostics, format: .text, files: config.set.fileCount)
                return CommandOutput(stderr: "pulse eval: the cards cannot run with this profile\n" + report, exitCode: ExitStatus.failure)
            case .success(let results):
                let context = EvalReport.Context(profile: profile.name, store: snapshot.store, now: now, role: options.role)
                let text: String
                switch options.format {
                case .json: text = EvalReport.json(results, context: context, maxRows: options.maxRows)
                case .table: text = EvalReport.table(results, context: context, maxRows: options.maxRows ?? 20)
                }
                let firing = results.contains { $0.firing }
                return CommandOutput(stdout: text, exitCode: options.failOnAlert && firing ? alertExitCode : ExitStatus.ok)
            }
        }
    }

    private static func prepare(_ options: Options) -> Result<(LoadedConfig, ResolvedProfile, Snapshot, CELTimestamp), CommandFailure> {
        if let max = options.maxRows, max < 0 { return .failure(.usage("pulse eval: --max-rows must be 0 or more")) }
        var now: CELTimestamp?
        if let text = options.now {
            guard let parsed = CELTimestamp(parsing: text) else {
                return .failure(.usage("pulse eval: --now \(text) is not an RFC 3339 timestamp (e.g. 2026-03-17T08:00:00Z)"))
            }
            now = parsed
        }
        let config: LoadedConfig
        switch LoadedConfig.load(cardsDir: options.cardsDir, profilesDir: options.profilesDir, profile: options.profile, command: "pulse eval") {
        case .failure(let f): return .failure(f)
        case .success(let c): config = c
        }
        guard let profile = config.profile else { return .failure(.usage("pulse eval: --profile is required")) }
        if let role = options.role, !profile.roles.contains(role) {
            return .failure(.usage("pulse eval: profile '\(profile.name)' has no role '\(role)'" + Suggestion.didYouMean(role, in: profile.roles)
                                   + "; its roles are \(profile.roles.joined(separator: ", "))"))
        }
        let keys = config.set.cards.map(\.key.value)
        for key in options.cards where !keys.contains(key) {
            return .failure(.usage("pulse eval: no card '\(key)'" + Suggestion.didYouMean(key, in: keys)))
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: options.snapshot, isDirectory: &isDirectory), isDirectory.boolValue else {
            return .failure(.usage("pulse eval: no snapshot folder at \(options.snapshot)"))
        }
        let snapshot: Snapshot
        do { snapshot = try SnapshotLoader.load(folder: options.snapshot) } catch {
            return .failure(CommandFailure(message: "pulse eval: the snapshot breaks the format (snapshot-format v1):\n\(error)\n", exitCode: ExitStatus.failure))
        }
        return .success((config, profile, snapshot, now ?? snapshot.takenAt))
    }
}
