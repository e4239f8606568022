import Foundation
import Logging
import Synchronization
import PulseConfig
import PulseConnectors
import PulseDiagnostics
import PulseEngine
import PulseExpressions
import PulseHistory
import PulseNotify
import PulseSnapshot

/// The heart of `pulse serve`: keeps every profile's config and newest snapshot evaluated,
/// recorded and served. An actor: its work (reloading, loading, evaluating, recording) runs one
/// piece at a time, on its own executor (``EngineExecutor``: a queue of its own, so that seconds
/// of evaluation never hold a thread of the cooperative pool that answers requests); what it
/// produces is swapped into ``state`` whole, which request handlers read without waiting.
public actor ServeEngine {
    nonisolated let settings: ServeSettings
    /// What is served.
    nonisolated let state = ServedStateBox()
    nonisolated let metrics = ServeMetrics()
    nonisolated let store: HistoryStore
    nonisolated let logger: Logger
    /// The tokens file and the dashboard's sessions, read again with the config.
    nonisolated let tokens: TokenAccess
    /// Points of history behind a card's sparkline.
    static let sparklinePoints = 30

    private let executor = EngineExecutor()
    /// The engine runs on its own queue.
    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }
    private var memory = Memory()
    // The two requests that come from outside the engine's work (a signal, graceful shutdown).
    private nonisolated let reloadRequested = Atomic<Bool>(false)
    private nonisolated let stopRequested = Atomic<Bool>(false)
    /// The pulls running: shutdown cancels them at once, without waiting for the engine's work.
    private nonisolated let pulls = Mutex<[String: Task<Void, Never>]>([:])

    /// What the engine remembers between ticks.
    private struct Memory {
        var catalog = SnapshotCatalog()
        var fingerprint: FolderFingerprint?
        /// When each profile's next scheduled pull is due, and which are running.
        var nextPull: [String: Date] = [:]
        var pulling: Set<String> = []
        /// The notification deliveries running, one per profile at a time.
        var deliveries: [String: Task<Void, Never>] = [:]
        /// When each profile's next delivery is due (evaluation clock, Unix seconds); an
        /// evaluation makes it due at once.
        var nextDelivery: [String: Int64] = [:]
        var reportedUnreadable: Set<String> = []
        /// Snapshot folders that failed to load or evaluate: tried again only with a new config.
        var failed: Set<String> = []
    }

    /// Opens the history store and reads the config once; a store that cannot be opened is an
    /// error (the service records every evaluation).
    public init(settings: ServeSettings, logger: Logger) throws(HistoryError) {
        self.settings = settings
        self.logger = logger
        tokens = TokenAccess(path: settings.tokensPath)
        let directory = URL(fileURLWithPath: settings.db).deletingLastPathComponent().path
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        store = try HistoryStore(path: settings.db)
    }

    /// The profile names the current config knows (with a good config or not).
    public nonisolated var profileNames: [String] { state.current.profiles.keys.sorted() }

    /// Each profile's roles, for checking a tokens file (profiles with a good config only).
    public nonisolated var rolesByProfile: [String: [String]] {
        state.current.profiles.compactMapValues { $0.config?.profile.roles }
    }

    /// Asks for a config reload at the next tick (SIGHUP; callable from anywhere, at once).
    public nonisolated func requestReload() { reloadRequested.store(true, ordering: .relaxed) }

    /// Stops ticking after the current piece of work (graceful shutdown; callable from anywhere, at once).
    public nonisolated func stop() { stopRequested.store(true, ordering: .relaxed) }

    nonisolated var stopping: Bool { stopRequested.load(ordering: .relaxed) }

    /// One round: reload the config when it changed (or was asked to), then evaluate every
    /// profile whose newest snapshot is not the one served, then start the pulls that are due.
    public func tick() {
        tickNow()
        startDuePulls()
        startDeliveries()
    }

    /// Evaluates `profile`'s newest snapshot now, even when it is the one served.
    /// - Returns: nil when done, else what went wrong.
    func evaluateNow(_ profile: String) -> String? {
        guard let config = state.current.profiles[profile]?.config else { return "profile '\(profile)' has no valid config" }
        guard let entry = newestSnapshot(profile) else { return "no snapshot in \(profileFolder(profile))" }
        evaluate(profile, config: config, entry: entry)
        return state.current.profiles[profile]?.snapshotProblem.map { $0.message }
    }

    /// Reads the config (at start-up, before the tokens are checked against it).
    func loadConfig() {
        memory.fingerprint = FolderFingerprint([settings.cardsDir, settings.profilesDir])
        reloadConfig()
    }

    /// One tick, synchronously (the first evaluation in tests).
    func tickNow() {
        let folders = [settings.cardsDir, settings.profilesDir]
        let fingerprint = FolderFingerprint(folders)
        let reload = reloadRequested.exchange(false, ordering: .relaxed) || memory.fingerprint != fingerprint
        memory.fingerprint = fingerprint
        // Profiles that just got a new config are evaluated again, whatever their snapshot.
        let renewed = reload ? reloadConfig() : []
        // The tokens file is read again when it changed, on SIGHUP and with a new config.
        tokens.reload(force: reload, roles: rolesByProfile, logger: logger)
        for name in state.current.profiles.keys.sorted() {
            guard let view = state.current.profiles[name], let config = view.config, let entry = newestSnapshot(name) else { continue }
            let again = renewed.contains(name)
            if let served = view.served, served.folder == entry.folder, !again { continue }
            if memory.failed.contains(entry.folder), !again { continue }
            evaluate(name, config: config, entry: entry)
        }
        rejudgeFreshness(at: clock())
    }

    /// The evaluation clock: the wall clock, unless the settings fix it (tests).
    private nonisolated func clock() -> CELTimestamp { settings.clock?() ?? CELTimestamp.wallClock }

    /// The cards of `served` an owner sees: the ones the metrics expose.
    static func ownerSees(_ served: ServedEvaluation) -> [String] {
        served.results.filter { $0.settings.roles.contains(Viewer.ownerRole) }.map(\.card.key.value)
    }

    /// Judges every served card's staleness again at `now`: data ages while it is served, so a
    /// dashboard left open turns stale by itself. A profile whose cards changed state gets a new
    /// version (the dashboard reloads); nothing is recorded (stale data changes no alert state).
    func rejudgeFreshness(at now: CELTimestamp) {
        var judged: [(String, ServedEvaluation)] = []
        state.update { world in
            var changed = Set<String>()
            for (name, view) in world.profiles {
                guard let served = view.served else { continue }
                let rejudged = served.results.map { $0.rejudged(at: now) }
                guard zip(rejudged, served.results).contains(where: { $0.state != $1.state }) else { continue }
                let renewed = served.with(results: rejudged)
                world.profiles[name]?.served = renewed
                judged.append((name, renewed))
                changed.insert(name)
            }
            return changed
        }
        for (name, served) in judged { metrics.judged(profile: name, served: served, ownerSees: Self.ownerSees(served)) }
    }

    private nonisolated func profileFolder(_ profile: String) -> String { settings.snapshotsDir + "/" + profile }

    /// The newest snapshot of `profile` whose snapshot.json gives a `taken_at`. A folder whose
    /// header does not is reported once (log, status, banner) and passed over.
    private func newestSnapshot(_ profile: String) -> SnapshotCatalog.Entry? {
        let entry = memory.catalog.newest(in: profileFolder(profile))
        let skipped = memory.catalog.unreadable.filter { memory.reportedUnreadable.insert($0.key).inserted }
        for (folder, why) in skipped.sorted(by: { $0.key < $1.key }) {
            logger.error("snapshot skipped", metadata: ["profile": .string(profile), "folder": .string(folder), "error": .string(why)])
            state.updateProfile(profile) { $0.snapshotProblem = ServeProblem(at: Date(), subject: folder, message: why) }
        }
        return entry
    }

    /// Reads the folders again and swaps in each profile's config where it validates.
    /// - Returns: the profiles that got a new config.
    @discardableResult
    private func reloadConfig() -> Set<String> {
        let reload = ConfigReload.read(cardsDir: settings.cardsDir, profilesDir: settings.profilesDir)
        metrics.configReloaded(ok: reload.ok)
        if let failure = reload.failure {
            logger.error("config reload failed; the last good config stays", metadata: ["error": .string(failure)])
        }
        state.update { world in
            world.configReloadOK = reload.ok
            var changed = Set<String>()
            for (name, outcome) in reload.outcomes {
                var view = world.profiles[name] ?? ProfileView(name: name)
                switch outcome {
                case .success(let config):
                    view.config = config
                    view.configErrors = []
                case .failure(let list):
                    view.configErrors = list.diagnostics
                    for d in list.diagnostics {
                        logger.error("config error; profile keeps its last good config",
                                     metadata: ["profile": .string(name), "at": .string("\(d.location)"), "error": .string(d.message)])
                    }
                }
                world.profiles[name] = view
                changed.insert(name)
            }
            if let failure = reload.failure {
                for name in world.profiles.keys {
                    world.profiles[name]?.configErrors = [.error(.invalidValue, failure, at: SourceLocation(file: settings.profilesDir, line: 1, column: 1))]
                    changed.insert(name)
                }
            }
            return changed
        }
        logger.info("config loaded", metadata: ["ok": .stringConvertible(reload.ok), "profiles": .stringConvertible(reload.outcomes.count)])
        return Set(reload.outcomes.compactMap { name, outcome in if case .success = outcome { name } else { nil } })
    }

    /// Loads `entry`, evaluates and records it, and serves it; a failure is reported and the
    /// last good evaluation stays served.
    private func evaluate(_ profile: String, config: ProfileConfig, entry: SnapshotCatalog.Entry) {
        let started = Date()
        // listing.title too: the dashboard shows a listing's title beside its id.
        let fields = (config.plan.fieldsRead() ?? .all).adding(["listing.title"])
        let snapshot: Snapshot
        do { snapshot = try SnapshotLoader.load(folder: entry.folder, fields: fields) } catch {
            fail(profile, entry, "the snapshot breaks the format: \(error)")
            return
        }
        var history = RecordedEvaluation.History(store: store)
        history.record = true
        history.notify = NotificationPlans.make(profile: config.profile, legacyWebhook: settings.notifyWebhook != nil, clock: clock().seconds)
        let outcome: RecordedEvaluation.Outcome
        switch RecordedEvaluation.run(config.plan, snapshot: snapshot, now: snapshot.takenAt, checkedAt: clock(),
                                      history: history) {
        case .failure(.cannotRun(let list)):
            state.updateProfile(profile) { $0.configErrors = list.diagnostics }
            fail(profile, entry, "the cards cannot run with this profile: " + list.diagnostics.map(\.message).joined(separator: "; "))
            return
        case .failure(.history(let error)):
            fail(profile, entry, "the history store: \(error)")
            return
        case .success(let o): outcome = o
        }
        for warning in outcome.warnings { logger.warning("evaluation", metadata: ["profile": .string(profile), "warning": .string(warning)]) }
        var sparklines: [String: [Double?]] = [:]
        for r in outcome.results {
            let key = r.card.key.value
            sparklines[key] = ((try? store.series(profile: profile, card: key, since: nil)) ?? []).suffix(Self.sparklinePoints).map(\.value)
        }
        let seconds = Date().timeIntervalSince(started)
        let served = ServedEvaluation(folder: entry.folder, takenAt: snapshot.takenAt, store: snapshot.store, results: outcome.results,
                                      evaluatedAt: Date(), seconds: seconds, sparklines: sparklines)
        state.updateProfile(profile) { view in
            view.served = served
            view.snapshotProblem = nil
        }
        metrics.evaluated(profile: profile, served: served, ownerSees: Self.ownerSees(served))
        pruneSnapshots(profile, serving: entry.folder)
        memory.nextDelivery.removeValue(forKey: profile)  // deliver what it queued now
        logger.info("evaluated", metadata: ["profile": .string(profile), "snapshot": .string(entry.folder),
                                            "taken_at": .string("\(snapshot.takenAt)"), "seconds": .string(String(format: "%.3f", seconds))])
    }

    /// `keep`: removes all but the newest N complete snapshots of `profile`, never `serving`.
    private func pruneSnapshots(_ profile: String, serving: String) {
        guard let keep = settings.keep else { return }
        let outcome = SnapshotRetention.keepNewest(keep, in: settings.snapshotsDir + "/" + profile, protected: [serving])
        for folder in outcome.removed { logger.info("removed an old snapshot (keep)", metadata: ["profile": .string(profile), "snapshot": .string(folder)]) }
        for problem in outcome.problems { logger.warning("keep", metadata: ["profile": .string(profile), "error": .string(problem)]) }
    }

    private func fail(_ profile: String, _ entry: SnapshotCatalog.Entry, _ message: String) {
        memory.failed.insert(entry.folder)
        logger.error("snapshot not served; the last good one stays", metadata: ["profile": .string(profile), "snapshot": .string(entry.folder), "error": .string(message)])
        state.updateProfile(profile) { $0.snapshotProblem = ServeProblem(at: Date(), subject: entry.folder, message: message) }
    }

    /// Starts each due pull (`--pull-every`) in the background; its snapshot is picked up by a
    /// later tick like any other.
    private func startDuePulls() {
        guard let every = settings.pullEvery else { return }
        let now = Date()
        guard !stopping else { return }
        var due: [ProfileConfig] = []
        for view in state.current.profiles.values {
            guard let config = view.config, config.profile.sources.bigcommerce != nil || config.profile.sources.aliexpress != nil,
                  !memory.pulling.contains(view.name), memory.nextPull[view.name].map({ $0 <= now }) ?? true else { continue }
            memory.nextPull[view.name] = now.addingTimeInterval(Double(every.seconds))
            memory.pulling.insert(view.name)
            due.append(config)
        }
        for config in due {
            let name = config.profile.name
            let task = Task {
                do throws(PullError) {
                    var pull = Pull(profile: config.profile, environment: settings.environment, backoff: settings.pullBackoff,
                                    snapshotsRoot: settings.snapshotsDir)
                    // Never the one served; the staging folders of dead pulls go as the pull starts.
                    pull.keep = settings.keep
                    pull.protected = state.current.profiles[name]?.served.map { [$0.folder] } ?? []
                    let result = try await pull.run()
                    logger.info("pulled", metadata: ["profile": .string(name), "snapshot": .string(result.folder)])
                    state.updateProfile(name) { $0.pullProblem = nil }
                } catch _ where Task.isCancelled {
                    // Shutdown cancelled it: a pull writes its snapshot whole or not at all, so nothing is lost.
                    logger.notice("pull cancelled by shutdown; no snapshot written", metadata: ["profile": .string(name)])
                } catch {
                    logger.error("pull failed", metadata: ["profile": .string(name), "error": .string(error.description)])
                    queuePullFailed(config.profile, error)
                    metrics.pullFailed(profile: name, source: error.source ?? "config")
                    state.updateProfile(name) { $0.pullProblem = ServeProblem(at: Date(), subject: error.source ?? "pull", message: error.description) }
                }
                memory.pulling.remove(name)
            }
            pulls.withLock { $0[name] = task }
        }
    }

    /// Starts, for each profile with somewhere to send, a delivery of its outbox in the
    /// background (one per profile at a time): what a new evaluation queued, retries whose time
    /// has come, reminders due, and what quiet hours held.
    private func startDeliveries() {
        let now = clock().seconds
        guard !stopping else { return }
        var due: [ProfileConfig] = []
        for view in state.current.profiles.values {
            guard let config = view.config, !config.profile.notifications.isEmpty || settings.notifyWebhook != nil,
                  memory.deliveries[view.name] == nil, (memory.nextDelivery[view.name] ?? Int64.min) <= now else { continue }
            // Retries, reminders and the end of quiet hours are looked at this often.
            memory.nextDelivery[view.name] = now + Self.deliveryInterval
            due.append(config)
        }
        for config in due {
            let name = config.profile.name
            var options = Dispatcher.Options()
            options.legacyWebhook = settings.notifyWebhook
            options.timeout = settings.notifyTimeout
            options.backoff = settings.notifyBackoff
            let dispatcher = Dispatcher(store: store, profile: name, notifications: config.profile.notifications, timezone: config.profile.timezone,
                                        environment: settings.environment, options: options)
            let task = Task {
                let report = await dispatcher.deliver(now: now)
                for line in report.notices { logger.notice("notify", metadata: ["profile": .string(name), "notice": .string(line)]) }
                for line in report.failures { logger.warning("notify", metadata: ["profile": .string(name), "failure": .string(line)]) }
                if report.messages > 0 {
                    logger.info("notified", metadata: ["profile": .string(name), "events": .stringConvertible(report.sent.values.reduce(0, +)),
                                                       "messages": .stringConvertible(report.messages)])
                }
                metrics.notified(profile: name, report: report)
                memory.deliveries.removeValue(forKey: name)
            }
            memory.deliveries[name] = task
        }
    }

    /// Seconds between deliveries of a profile when no evaluation asks for one sooner.
    static let deliveryInterval: Int64 = 5

    /// Queues a `pull_failed` event for the profile's channels.
    private func queuePullFailed(_ profile: ResolvedProfile, _ error: PullError) {
        guard !profile.notifications.isEmpty else { return }
        let now = clock()
        let event = NotificationEvent(profile: profile.name, kind: NotificationEventKind.pullFailed.rawValue, card: nil,
                                      title: "Scheduled pull failed (\(error.source ?? "config"))", state: "none", previous: "none",
                                      reason: error.description, at: now.description, createdAt: now.seconds)
        memory.nextDelivery.removeValue(forKey: profile.name)
        do { try store.queueEvent(event, notifications: profile.notifications) } catch {
            logger.error("notify", metadata: ["profile": .string(profile.name), "error": .string("\(error)")])
        }
    }

    /// Waits for the deliveries that are running.
    func waitForDeliveries() async {
        for task in Array(memory.deliveries.values) { await task.value }
    }

    /// Cancels the pulls that are running (shutdown: a pull is atomic, so a cancelled one leaves
    /// the last snapshot as it was).
    nonisolated func cancelPulls() {
        for task in pulls.withLock({ Array($0.values) }) { task.cancel() }
    }

    /// Waits for the pulls that are running.
    nonisolated func waitForPulls() async {
        for task in pulls.withLock({ Array($0.values) }) { await task.value }
    }
}
