import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOConcurrencyHelpers
import PulseConfig
import PulseDiagnostics
import ServiceLifecycle
import UnixSignals

/// `pulse serve`: builds the engine, checks the tokens against the config, and runs the HTTP
/// server and the evaluation loop until SIGTERM or SIGINT (which finish in-flight requests and
/// the current recording first, and cancel a scheduled pull in progress).
public enum PulseServer {
    /// Why the server did not start: a message, and the located findings behind it.
    public struct StartError: Error, CustomStringConvertible {
        public var message: String
        public var diagnostics: [Diagnostic] = []
        public var description: String {
            ([message] + diagnostics.map { "\($0.location): \($0.severity.rawValue): \($0.message) [\($0.rule.rawValue)]" }).joined(separator: "\n")
        }
    }

    /// A server ready to run: its application and engine.
    public struct Prepared: Sendable {
        let engine: ServeEngine
        let responder: RouterResponder<ServeContext>
        let settings: ServeSettings
        /// Opened once the server listens: the loop evaluates and records nothing before (a
        /// second serve on a busy port fails having touched nothing).
        let listening = ListeningGate()
    }

    /// Loads the config and the tokens and opens the history store; nothing listens yet.
    public static func prepare(_ settings: ServeSettings, logger: Logger) async throws(StartError) -> Prepared {
        guard !settings.tokensPath.isEmpty else { throw StartError(message: "--tokens FILE is required (pulse token new makes a token and its line)") }
        let entries: [TokenEntry]
        switch TokenFile.load(path: settings.tokensPath) {
        case .success(let e): entries = e
        case .failure(let list): throw StartError(message: "the tokens file \(settings.tokensPath) is not valid:", diagnostics: list.diagnostics)
        }
        let engine: ServeEngine
        do { engine = try ServeEngine(settings: settings, logger: logger) } catch {
            throw StartError(message: "the history store \(settings.db): \(error)")
        }
        await engine.loadConfig()
        let profiles = engine.state.current.profiles
        // A token for a profile whose config is broken cannot be checked: the findings say why.
        let broken = Set(entries.map(\.profile.value)).compactMap { profiles[$0] }.filter { $0.config == nil && !$0.configErrors.isEmpty }
        if !broken.isEmpty {
            throw StartError(message: "the config of \(broken.map { "'\($0.name)'" }.joined(separator: ", ")) has errors (pulse validate shows them):",
                             diagnostics: broken.flatMap(\.configErrors))
        }
        try engine.tokens.load(roles: engine.rolesByProfile)
        for profile in Set(entries.map(\.profile.value)).sorted() where !FileManager.default.fileExists(atPath: settings.snapshotsDir + "/" + profile) {
            logger.warning("no snapshots folder yet; the profile is served once a snapshot appears there",
                           metadata: ["profile": .string(profile), "folder": .string(settings.snapshotsDir + "/" + profile)])
        }
        return Prepared(engine: engine, responder: router(engine: engine).buildResponder(), settings: settings)
    }

    /// Every route, behind the viewer and query-limit middleware.
    static func router(engine: ServeEngine) -> Router<ServeContext> {
        let router = Router(context: ServeContext.self)
        let tokens = engine.tokens.book, sessions = engine.tokens.sessions
        router.add(middleware: QueryLimitMiddleware())
        router.add(middleware: ViewerMiddleware(tokens: tokens, sessions: sessions, state: engine.state))
        APIRoutes(engine: engine).add(to: router)
        MetricsRoute(engine: engine).add(to: router)
        DashboardRoutes(engine: engine, tokens: tokens, sessions: sessions).add(to: router)
        return router
    }

    /// Runs until SIGTERM or SIGINT. `onListening` is told the port (useful with port 0).
    public static func run(_ prepared: Prepared, logger: Logger, onListening: @escaping @Sendable (Int) -> Void = { _ in }) async throws {
        let app = application(prepared, logger: logger, onListening: onListening)
        try await app.runService()
    }

    /// The application: the HTTP server, and (with `loop`) the evaluation loop as its service.
    static func application(_ prepared: Prepared, logger: Logger, loop: Bool = true, onListening: @escaping @Sendable (Int) -> Void = { _ in })
        -> Application<RouterResponder<ServeContext>> {
        let settings = prepared.settings
        let limits = ConnectionLimits(headerTimeout: settings.headerTimeout, idleTimeout: settings.idleTimeout, maxConnections: max(1, settings.maxConnections))
        return Application(responder: prepared.responder, server: limits.server,
                           configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: "pulse",
                                                availableConnectionsDelegate: MaximumAvailableConnections(limits.maxConnections)),
                           services: loop ? [EngineService(engine: prepared.engine, listening: prepared.listening)] : [],
                           onServerRunning: { channel in
                               prepared.listening.open()
                               let port = channel.localAddress?.port ?? prepared.settings.port
                               logger.info("listening", metadata: ["address": .string("http://\(prepared.settings.host):\(port)")])
                               onListening(port)
                           },
                           logger: logger)
    }
}

/// The evaluation loop as a service: once the server listens, a tick every `pollSeconds` (and a
/// reload on SIGHUP) until a graceful shutdown, which lets the tick in progress (and its
/// recording) finish and cancels the scheduled pulls in progress.
struct EngineService: Service {
    let engine: ServeEngine
    var listening: ListeningGate?

    func run() async throws {
        // Bind first: nothing is evaluated or recorded until the server listens.
        if let listening {
            let listens = await withGracefulShutdownHandler { await listening.wait() } onGracefulShutdown: { listening.release() }
            guard listens else { return }
        }
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                group.addTask {
                    for await _ in await UnixSignalsSequence(trapping: .sighup) {
                        engine.logger.info("SIGHUP: reloading the config")
                        engine.requestReload()
                    }
                }
                while !engine.stopping && !Task.isCancelled {
                    await engine.tick()
                    try? await Task.sleep(for: .milliseconds(Int(engine.settings.pollSeconds * 1000)))
                }
                // A pull in progress is cancelled, not waited for (its snapshot is complete or not
                // written at all).
                engine.cancelPulls()
                await engine.waitForPulls()
                group.cancelAll()
            }
        } onGracefulShutdown: {
            engine.stop()
            engine.cancelPulls()
        }
    }
}

/// A one-way gate: ``wait()`` returns once ``open()`` was called (true), or when the waiting
/// task is cancelled first (false).
final class ListeningGate: Sendable {
    private let state = NIOLockedValueBox<(open: Bool, released: Bool, waiters: [CheckedContinuation<Bool, Never>])>((false, false, []))

    func open() { letGo(opened: true) }

    var isOpen: Bool { state.withLockedValue { $0.open } }

    func wait() async -> Bool {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Bool, Never>) in
                let now: Bool? = state.withLockedValue { s in
                    if s.open { return true }
                    if s.released || Task.isCancelled { return false }
                    s.waiters.append(c)
                    return nil
                }
                if let now { c.resume(returning: now) }
            }
        } onCancel: {
            release()
        }
    }

    /// Lets the waiters go without opening (false): a shutdown before the server listened.
    func release() { letGo(opened: false) }

    private func letGo(opened: Bool) {
        let waiters = state.withLockedValue { s -> [CheckedContinuation<Bool, Never>] in
            if opened { s.open = true } else { s.released = true }
            defer { s.waiters = [] }
            return s.waiters
        }
        for w in waiters { w.resume(returning: opened) }
    }
}

/// `GET /metrics`: the Prometheus exposition of the token's profile (an owner token, since
/// Prometheus scrapes with a bearer credential).
struct MetricsRoute: Sendable {
    let engine: ServeEngine

    func add(to router: Router<ServeContext>) {
        router.group().add(middleware: ErrorReplyMiddleware()).get("metrics") { _, context in
            guard let viewer = context.viewer else { throw context.unauthorized }
            try viewer.requireOwner("metrics need a token of role \(Viewer.ownerRole)")
            return Reply.bytes(engine.metrics.exposition(profile: viewer.profile), contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
    }
}
