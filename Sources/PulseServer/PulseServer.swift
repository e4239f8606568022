import Foundation
import Hummingbird
import Logging
import PulseConfig
import PulseDiagnostics
import ServiceLifecycle
import UnixSignals

/// `pulse serve`: builds the engine, checks the tokens against the config, and runs the HTTP
/// server and the evaluation loop until SIGTERM or SIGINT (which finish in-flight requests and
/// the current recording first).
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
    }

    /// Loads the config and the tokens and opens the history store; nothing listens yet.
    public static func prepare(_ settings: ServeSettings, logger: Logger) throws(StartError) -> Prepared {
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
        engine.loadConfig()
        let profiles = engine.state.current.profiles
        // A token for a profile whose config is broken cannot be checked: the findings say why.
        let broken = Set(entries.map(\.profile.value)).compactMap { profiles[$0] }.filter { $0.config == nil && !$0.configErrors.isEmpty }
        if !broken.isEmpty {
            throw StartError(message: "the config of \(broken.map { "'\($0.name)'" }.joined(separator: ", ")) has errors (pulse validate shows them):",
                             diagnostics: broken.flatMap(\.configErrors))
        }
        let tokens: TokenBook
        do { tokens = try TokenBook(entries: entries, roles: engine.rolesByProfile) } catch {
            throw StartError(message: "the tokens file \(settings.tokensPath) does not match the config:", diagnostics: error.diagnostics)
        }
        for profile in Set(entries.map(\.profile.value)).sorted() where !FileManager.default.fileExists(atPath: settings.snapshotsDir + "/" + profile) {
            logger.warning("no snapshots folder yet; the profile is served once a snapshot appears there",
                           metadata: ["profile": .string(profile), "folder": .string(settings.snapshotsDir + "/" + profile)])
        }
        return Prepared(engine: engine, responder: router(engine: engine, tokens: tokens).buildResponder(), settings: settings)
    }

    /// Every route, behind the viewer and query-limit middleware.
    static func router(engine: ServeEngine, tokens: TokenBook) -> Router<ServeContext> {
        let router = Router(context: ServeContext.self)
        let sessions = SessionBook()
        router.add(middleware: QueryLimitMiddleware())
        router.add(middleware: ViewerMiddleware(tokens: tokens, sessions: sessions))
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
        Application(responder: prepared.responder,
                    configuration: .init(address: .hostname(prepared.settings.host, port: prepared.settings.port), serverName: "pulse"),
                    services: loop ? [EngineService(engine: prepared.engine)] : [],
                    onServerRunning: { channel in
                        let port = channel.localAddress?.port ?? prepared.settings.port
                        logger.info("listening", metadata: ["address": .string("http://\(prepared.settings.host):\(port)")])
                        onListening(port)
                    },
                    logger: logger)
    }
}

/// The evaluation loop as a service: a tick every `pollSeconds` (and a reload on SIGHUP) until a
/// graceful shutdown, which lets the tick in progress (and its recording) finish.
struct EngineService: Service {
    let engine: ServeEngine

    func run() async throws {
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
                // A pull in progress finishes (its snapshot is complete or not written at all).
                await engine.waitForPulls()
                group.cancelAll()
            }
        } onGracefulShutdown: {
            engine.stop()
        }
    }
}

/// `GET /metrics`: the Prometheus exposition of the token's profile (an owner token, since
/// Prometheus scrapes with a bearer credential).
struct MetricsRoute: Sendable {
    let engine: ServeEngine

    func add(to router: Router<ServeContext>) {
        router.get("metrics") { _, context in
            guard let viewer = context.viewer else { return Reply.error(.unauthorized, "a token is needed: Authorization: Bearer <token>") }
            guard viewer.role == "owner" else { return Reply.error(.forbidden, "metrics need a token of role owner") }
            return Reply.bytes(engine.metrics.exposition(profile: viewer.profile), contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
    }
}
