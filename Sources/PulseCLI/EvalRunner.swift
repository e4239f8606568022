import ArgumentParser
import PulseReport
import Foundation
import PulseConfig
import PulseDiagnostics
import PulseEngine
import PulseExpressions
import PulseHistory
import PulseNotify
import PulseSnapshot

/// `pulse eval`: evaluates a merchant's cards over a snapshot.
public enum EvalRunner {
    /// What `pulse eval` was asked: its command-line options, declared once (the `eval` command
    /// takes them as an option group).
    public struct Options: ParsableArguments, Sendable {
        @OptionGroup var inputs: EvaluationInputs

        @Option(help: "Only the cards this role sees.")
        var role: String?

        @Option(name: .customLong("card"), help: "Only this card (repeatable).")
        var cards: [String] = []

        @OptionGroup var moment: Moment

        @Option(help: "Output format: table or json.")
        var format: EvalFormat = .table

        @Option(help: "Worklist rows shown per card (default 20 in table, all in json).")
        var maxRows: Int?

        @Flag(help: "Exit 3 when an alert fires at the --fail-on level or above.")
        var failOnAlert = false

        @Option(help: "The lowest level that makes --fail-on-alert exit 3: warn or critical (default critical; implies --fail-on-alert).")
        var failOn: AlertSeverity?

        @Flag(help: "Record this evaluation in the history store and print the alert transitions it caused.")
        var record = false

        @OptionGroup var store: HistoryStoreOption

        @OptionGroup var webhook: WebhookTarget

        @Flag(help: "Deliver the notifications of the profile's channels (with --record): this run's and any still waiting.")
        var notify = false

        public init() {}

        /// The rules between the options (those that need the profile are the run's).
        public func validate() throws {
            if let maxRows, maxRows < 0 { throw ValidationError("--max-rows must be 0 or more") }
            if record && (role != nil || !cards.isEmpty) {
                throw ValidationError("--record stores every card of the profile, so that the history stays whole; drop --role and --card")
            }
            if notifyWebhook != nil && !record { throw ValidationError("--notify-webhook sends the transitions --record causes; add --record") }
            if notify && !record { throw ValidationError("--notify sends the notifications --record queues; add --record") }
        }

        var now: CELTimestamp? { moment.now }
        var db: String? { store.db }
        var notifyWebhook: URL? { webhook.notifyWebhook }

        var profile: String { inputs.profile }
        var snapshot: String { inputs.snapshot }
        var cardsDir: String { inputs.folders.cards }
        var profilesDir: String { inputs.folders.profiles }
    }

    /// The exit status when `--fail-on-alert` is set and an alert fires.
    public static let alertExitCode: Int32 = 3
    /// The exit status when the evaluation was recorded but a notification failed.
    public static let webhookExitCode: Int32 = 4
    /// The exit status when some card has no data (a snapshot file it reads is missing, or its
    /// stock join matched too little) and nothing more urgent happened: a cron job sees a broken
    /// feed even without `--fail-on-alert`.
    public static let noDataExitCode: Int32 = 5
    /// The exit status when some card's data is older than its `stale_after` and nothing more
    /// urgent happened.
    public static let staleExitCode: Int32 = 6

    /// The exit status of an evaluation: the first of 3 (an alert fires at `failOn` or above, when
    /// asked), 4 (a notification failed), 5 (no data), 6 (stale data) that applies, else 0.
    static func exitStatus(_ results: [CardResult], failOn: AlertSeverity?, notificationFailed: Bool) -> Int32 {
        if let failOn, results.contains(where: { $0.firing && ($0.severity ?? .critical) >= failOn }) { return alertExitCode }
        if notificationFailed { return webhookExitCode }
        if results.contains(where: { $0.state == .noData }) { return noDataExitCode }
        if results.contains(where: { $0.state == .stale }) { return staleExitCode }
        return ExitStatus.ok
    }

    /// The history store path: `--db`, else `PULSE_DB`, else `.pulse/history.sqlite`.
    static func databasePath(_ explicit: String?) -> (path: String, explicit: Bool) {
        if let explicit { return (explicit, true) }
        if let env = ProcessInfo.processInfo.environment["PULSE_DB"], !env.isEmpty { return (env, true) }
        return (HistoryStore.defaultPath, false)
    }

    /// Opens the history store; `readOnly` when the command only reads it.
    static func openStore(_ path: String, readOnly: Bool = false) throws(HistoryError) -> HistoryStore {
        return try HistoryStore(path: path, busyTimeout: busyTimeout(), readOnly: readOnly)
    }

    /// `PULSE_DB_BUSY_TIMEOUT` seconds (finite, 0 to 86400), else 10.
    static func busyTimeout() -> Double {
        guard let text = ProcessInfo.processInfo.environment["PULSE_DB_BUSY_TIMEOUT"], let seconds = Double(text),
              seconds.isFinite, seconds >= 0, seconds <= 86_400 else { return 10 }
        return seconds
    }

    /// Runs an evaluation. Exit 0 on success, 1 for bad config or data, 2 for bad usage, 3 when
    /// an alert fires under `--fail-on-alert`.
    public static func run(_ options: Options) async -> CommandOutput {
        switch prepare(options) {
        case .failure(let failure): return failure.output
        case .success(let (config, plan, snapshot, now, checkedAt)):
            let profile = plan.profile
            if options.notify && profile.notifications.isEmpty && options.notifyWebhook == nil {
                return CommandFailure.usage("pulse eval: --notify: profile '\(profile.name)' has no notifications.channels; "
                                            + "see the README's \"Getting alerts\"").output
            }
            let webhook = options.notifyWebhook
            // The history store: for recording, and for spike baselines whenever one exists.
            let (dbPath, explicit) = databasePath(options.db)
            // Recording needs a writable store; otherwise a store that cannot be read only costs the
            // spike baselines and the alert history, and the rest is evaluated.
            var store: HistoryStore?
            var stderr = ""
            var baselines: BaselineSource?
            if options.record {
                do { store = try openStore(dbPath) } catch {
                    return CommandFailure(message: "pulse eval: \(error)", exitCode: ExitStatus.failure).output
                }
            } else if explicit || FileManager.default.fileExists(atPath: dbPath) {
                do { store = try openStore(dbPath, readOnly: true) } catch {
                    stderr += "pulse eval: warning: \(error); spikes and `for` are evaluated without history\n"
                    baselines = UnreadableHistory(problem: "\(error)")
                }
            }
            let seams = TestSeams.from(environment: ProcessInfo.processInfo.environment)
            var history = RecordedEvaluation.History(store: store)
            history.record = options.record
            if options.record {
                history.notify = NotificationPlans.make(profile: profile, legacyWebhook: webhook != nil, clock: checkedAt.seconds)
            }
            history.fallbackBaselines = baselines
            history.seams = seams
            let outcome: RecordedEvaluation.Outcome
            switch RecordedEvaluation.run(plan, snapshot: snapshot, now: now, checkedAt: checkedAt,
                                          selection: Evaluation.Selection(role: options.role, keys: options.cards), history: history) {
            case .failure(.cannotRun(let list)):
                let report = DiagnosticRenderer(sources: config.set.sources).render(list.diagnostics, format: .text, files: config.set.fileCount)
                var output = CommandOutput(stderr: "pulse eval: the cards cannot run with this profile\n" + report, exitCode: ExitStatus.failure)
                output.diagnostics = list.diagnostics
                return output
            case .failure(.history(let error)):
                return CommandFailure(message: "pulse eval: \(error)", exitCode: ExitStatus.failure).output
            case .success(let o): outcome = o
            }
            let results = outcome.results
            var notificationFailed = false
            if let store, options.record, options.notify || webhook != nil {
                seams.beforeNotifying?()
                var delivery = Dispatcher.Options()
                delivery.legacyWebhook = webhook
                delivery.ignoreBackoff = true
                // --notify-webhook alone keeps its v1 meaning: the profile's channels wait for --notify or pulse serve.
                let notifications = options.notify ? profile.notifications : ResolvedNotifications()
                let dispatcher = Dispatcher(store: store, profile: profile.name, notifications: notifications, timezone: profile.timezone, options: delivery)
                let clock = checkedAt.seconds
                let report = await dispatcher.deliver(now: clock)
                for line in report.notices + report.failures { stderr += (line.hasPrefix("pulse eval:") ? "" : "pulse eval: ") + line + "\n" }
                notificationFailed = report.failed
            }
            let recording = outcome.recorded.map { EvalReport.Recording(db: store?.path ?? dbPath, outcome: $0) }
            for warning in outcome.warnings { stderr += (warning.hasPrefix("pulse eval:") ? "" : "pulse eval: ") + warning + "\n" }
            let context = EvalReport.Context(profile: profile.name, store: snapshot.store, now: now, role: options.role, checkedAt: checkedAt)
            let failOn = options.failOn ?? (options.failOnAlert ? .critical : nil)
            let exitCode = exitStatus(results, failOn: failOn, notificationFailed: notificationFailed)
            switch options.format {
            case .json:
                let report = EvalReport.json(results, context: context, maxRows: options.maxRows, recording: recording)
                return CommandOutput(stdoutStream: report, stderr: stderr, exitCode: exitCode)
            case .table:
                let text = EvalReport.table(results, context: context, maxRows: options.maxRows ?? 20, recording: recording)
                return CommandOutput(stdout: text, stderr: stderr, exitCode: exitCode)
            }
        }
    }

    /// The config, the profile, the snapshot, CEL's `now` and the evaluation clock.
    private static func prepare(_ options: Options) -> Result<(LoadedConfig, ProfilePlan, Snapshot, CELTimestamp, CELTimestamp), CommandFailure> {
        let now = options.now
        let config: LoadedConfig
        switch LoadedConfig.load(cardsDir: options.cardsDir, profilesDir: options.profilesDir, profile: options.profile, command: "pulse eval") {
        case .failure(let f): return .failure(f)
        case .success(let c): config = c
        }
        guard let plan = config.plan else { return .failure(.usage("pulse eval: --profile is required")) }
        let profile = plan.profile
        if let role = options.role, !profile.roles.contains(role) {
            return .failure(.usage("pulse eval: profile '\(profile.name)' has no role '\(role)'" + Suggestion.didYouMean(role, in: profile.roles)
                                   + "; its roles are \(profile.roles.joined(separator: ", "))"))
        }
        let keys = config.set.cards.map(\.key.value)
        for key in options.cards where !keys.contains(key) {
            return .failure(.usage("pulse eval: no card '\(key)'" + Suggestion.didYouMean(key, in: keys)))
        }
        // A card asked for by name that the selection would drop is said, not silently skipped.
        for key in options.cards {
            guard let settings = plan.settings(of: key) else { continue }
            if !settings.enabled {
                return .failure(.usage("pulse eval: card '\(key)' is disabled in profile '\(profile.name)' (enabled: false)"))
            }
            if let role = options.role, !settings.roles.contains(role) {
                return .failure(.usage("pulse eval: card '\(key)' is hidden from role '\(role)'; it is shown to \(settings.roles.joined(separator: ", "))"))
            }
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: options.snapshot, isDirectory: &isDirectory), isDirectory.boolValue else {
            return .failure(.usage("pulse eval: no snapshot folder at \(options.snapshot)"))
        }
        // Store only the fields the cards read (every field is still checked); when the cards
        // cannot run, everything is loaded and the evaluation reports why.
        let fields = plan.fieldsRead(Evaluation.Selection(role: options.role, keys: options.cards)) ?? .all
        let snapshot: Snapshot
        do { snapshot = try SnapshotLoader.load(folder: options.snapshot, fields: fields) } catch {
            return .failure(CommandFailure(message: "pulse eval: the snapshot breaks the format (snapshot-format v1):\n\(error)\n", exitCode: ExitStatus.failure,
                                           diagnostics: error.diagnostics))
        }
        return .success((config, plan, snapshot, now ?? snapshot.takenAt, now ?? CELTimestamp.wallClock))
    }
}

/// Spike baselines from a history store that could not be opened: every spike says why.
struct UnreadableHistory: BaselineSource {
    let problem: String

    func values(card: String, from: CELTimestamp, before: CELTimestamp) throws -> [Double] {
        throw HistoryError(problem)
    }
}
