import ArgumentParser
import Foundation
import Logging
import PulseConfig
import PulseDiagnostics
import PulseServer

/// `pulse serve` and `pulse token new`.
public enum ServeRunner {
    /// The flags of `pulse serve`; each may also be set in `--config FILE` under the flag's name,
    /// and each is described by its ``ServeKey`` (the shared groups --cards, --profiles, --db and
    /// --notify-webhook keep the words every command shows).
    public struct Options: ParsableArguments, Sendable {
        @Option(help: ArgumentHelp("A serve.yaml whose keys are these flags' names (a flag given here wins).", valueName: "file")) var config: String?
        @Option(help: ServeKey.listen.help) var listen: String?
        @Option(help: ServeKey.snapshots.help) var snapshots: String?
        @Option(help: ServeKey.pullEvery.help) var pullEvery: String?
        @Option(help: ServeKey.tokens.help) var tokens: String?
        @Option(help: ServeKey.headerTimeout.help) var headerTimeout: String?
        @Option(help: ServeKey.idleTimeout.help) var idleTimeout: String?
        @Option(help: ServeKey.maxConnections.help) var maxConnections: String?
        @Option(help: ServeKey.keep.help) var keep: String?
        @OptionGroup var folders: ConfigFolders
        @OptionGroup var store: HistoryStoreOption
        @OptionGroup var webhook: WebhookTarget

        public init() {}
    }

    /// The settings the flags and the config file give, or why they are not usable (exit 2).
    static func settings(_ options: Options, environment: [String: String] = ProcessInfo.processInfo.environment)
        -> Result<ServeSettings, CommandFailure> {
        var file: [ServeKey: Located<String>] = [:]
        if let path = options.config {
            guard FileManager.default.fileExists(atPath: path) else { return .failure(.usage("pulse serve: no config file at \(path)")) }
            switch ServeFile.load(path: path) {
            case .success(let f): file = f.values
            case .failure(let list):
                let report = DiagnosticRenderer().render(list.diagnostics, format: .text, files: 1)
                return .failure(CommandFailure(message: "pulse serve: \(path) is not a valid serve config\n" + report, exitCode: ExitStatus.cannotRun,
                                               diagnostics: list.diagnostics))
            }
        }
        /// The flag, else the file's value (with where it was written, for messages).
        func value(_ flag: String?, _ key: ServeKey) -> (text: String, origin: String)? {
            if let flag { return (flag, "--\(key.rawValue)") }
            return file[key].map { ($0.value, "\($0.location): \(key.rawValue)") }
        }
        var s = ServeSettings()
        if let (text, origin) = value(options.listen, .listen) {
            guard let (host, port) = ServeSettings.address(text) else {
                return .failure(.usage("pulse serve: \(origin) \(text) is not HOST:PORT (e.g. 127.0.0.1:8080)"))
            }
            (s.host, s.port) = (host, port)
        }
        if let v = value(options.folders.given.cards, .cards) { s.cardsDir = v.text }
        if let v = value(options.folders.given.profiles, .profiles) { s.profilesDir = v.text }
        if let v = value(options.snapshots, .snapshots) { s.snapshotsDir = v.text }
        if let v = value(options.store.db, .db) { s.db = v.text } else if let env = environment["PULSE_DB"], !env.isEmpty { s.db = env }
        if let v = value(options.tokens, .tokens) { s.tokensPath = v.text }
        if let (text, origin) = value(options.pullEvery, .pullEvery) {
            guard let d = ConfigDuration(parsing: text), d.seconds >= 60 else {
                return .failure(.usage("pulse serve: \(origin) \(text) is not a duration of a minute or more (15m, 1h, 1d)"))
            }
            s.pullEvery = d
        }
        if let (text, origin) = value(options.webhook.notifyWebhook, .notifyWebhook) {
            guard let url = URL(string: text), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
                return .failure(.usage("pulse serve: \(origin) is not an http(s) URL"))
            }
            s.notifyWebhook = url
        }
        for key in [ServeKey.headerTimeout, .idleTimeout] {
            guard let (text, origin) = value(key == .headerTimeout ? options.headerTimeout : options.idleTimeout, key) else { continue }
            guard let d = ConfigDuration(parsing: text), d.seconds >= 1, d.seconds <= 86_400 else {
                return .failure(.usage("pulse serve: \(origin) \(text) is not a duration from 1s to 1d (10s, 2m)"))
            }
            if key == .headerTimeout { s.headerTimeout = Double(d.seconds) } else { s.idleTimeout = Double(d.seconds) }
        }
        if let (text, origin) = value(options.maxConnections, .maxConnections) {
            guard let n = Int(text), n >= 1 else { return .failure(.usage("pulse serve: \(origin) \(text) is not a number of connections, 1 or more")) }
            s.maxConnections = n
        }
        if let (text, origin) = value(options.keep, .keep) {
            guard let n = Int(text), n >= 1 else { return .failure(.usage("pulse serve: \(origin) \(text) is not a number of snapshots, 1 or more")) }
            s.keep = n
        }
        for (dir, flag) in [(s.cardsDir, "--cards"), (s.profilesDir, "--profiles")] where !FileManager.default.fileExists(atPath: dir) {
            return .failure(.usage("pulse serve: no folder at \(dir) (\(flag))"))
        }
        if s.tokensPath.isEmpty {
            return .failure(.usage("pulse serve: --tokens FILE is required; pulse token new --profile P --role R --name N makes a token and its line"))
        }
        guard FileManager.default.fileExists(atPath: s.tokensPath) else { return .failure(.usage("pulse serve: no tokens file at \(s.tokensPath)")) }
        return .success(s)
    }

    /// Starts the server and runs until SIGTERM or SIGINT; returns only on a start-up failure or
    /// after shutting down.
    public static func run(_ options: Options) async -> CommandOutput {
        let settings: ServeSettings
        switch Self.settings(options) {
        case .failure(let f): return f.output
        case .success(let s): settings = s
        }
        var logger = Logger(label: "pulse")
        logger.logLevel = .info
        let prepared: PulseServer.Prepared
        do { prepared = try await PulseServer.prepare(settings, logger: logger) } catch {
            return CommandOutput(stderr: "pulse serve: \(error)\n", exitCode: ExitStatus.failure)
        }
        do { try await PulseServer.run(prepared, logger: logger) } catch {
            let text = "\(error)"
            let why = text.contains("Address already in use") ? "something else already listens there"
                : text.contains("Permission denied") ? "permission denied (ports below 1024 need privileges)" : text
            return CommandOutput(stderr: "pulse serve: cannot listen on \(settings.host):\(settings.port): \(why)\n", exitCode: ExitStatus.failure)
        }
        return CommandOutput()
    }

    /// `pulse token new`: a fresh token, printed once, and the tokens-file line that admits it.
    /// The profile must be one in `profilesDir` whose config validates, and the role one it has
    /// (the token `pulse serve` would refuse is not made).
    public static func newToken(profile: String, role: String, name: String, cardsDir: String = "cards", profilesDir: String = "profiles") -> CommandOutput {
        for (flag, value) in [("--profile", profile), ("--role", role), ("--name", name)]
        where value.isEmpty || value.contains(where: { $0.isNewline || $0 == "\"" || $0 == "\\" }) {
            return CommandFailure.usage("pulse token new: \(flag) must be a plain, non-empty name").output
        }
        for (dir, flag) in [(cardsDir, "--cards"), (profilesDir, "--profiles")] where !FileManager.default.fileExists(atPath: dir) {
            return CommandFailure.usage("pulse token new: no folder at \(dir) (\(flag)); the token's profile and role are checked against the config").output
        }
        let config = PulseServer.roles(cardsDir: cardsDir, profilesDir: profilesDir)
        if let why = config.failure { return CommandOutput(stderr: "pulse token new: the config cannot be read: \(why)\n", exitCode: ExitStatus.cannotRun) }
        do {
            let profiles = config.profiles
            guard let outcome = profiles[profile] else {
                return CommandFailure.usage("pulse token new: no profile '\(profile)' in \(profilesDir)"
                                            + Suggestion.didYouMean(profile, in: Array(profiles.keys))
                                            + (profiles.isEmpty ? "" : " (the profiles are \(profiles.keys.sorted().joined(separator: ", ")))")).output
            }
            switch outcome {
            case .failure(let list):
                let report = DiagnosticRenderer().render(list.diagnostics, format: .text, files: 1)
                return CommandOutput(stderr: "pulse token new: profile '\(profile)' has config errors (pulse serve would refuse its tokens):\n" + report,
                                     exitCode: ExitStatus.cannotRun)
            case .success(let roles) where !roles.contains(role):
                return CommandFailure.usage("pulse token new: profile '\(profile)' has no role '\(role)'" + Suggestion.didYouMean(role, in: roles)
                                            + " (its roles are \(roles.joined(separator: ", ")))").output
            case .success: break
            }
        }
        let (token, digest) = TokenMaker.make()
        return CommandOutput(stdout: """
            token: \(token)
            Give the token to its holder now: Pulse keeps only its SHA-256 and cannot show it again.
            Add this line under `tokens:` in the tokens file:
              - {name: "\(name)", sha256: "\(digest)", profile: "\(profile)", role: "\(role)"}

            """)
    }

    /// `pulse token list --tokens FILE`: each token's name, profile and role (never a token or a
    /// digest).
    public static func listTokens(path: String) -> CommandOutput {
        guard FileManager.default.fileExists(atPath: path) else { return CommandFailure.usage("pulse token list: no tokens file at \(path)").output }
        switch PulseServer.listTokens(path: path) {
        case .failure(let list):
            let report = DiagnosticRenderer().render(list.diagnostics, format: .text, files: 1)
            return CommandOutput(stderr: "pulse token list: \(path) is not a valid tokens file\n" + report, exitCode: ExitStatus.cannotRun)
        case .success(let entries):
            let header = ("NAME", "PROFILE", "ROLE")
            let width0 = max(header.0.count, entries.map(\.name.count).max() ?? 0)
            let width1 = max(header.1.count, entries.map(\.profile.count).max() ?? 0)
            func pad(_ text: String, _ width: Int) -> String { text + String(repeating: " ", count: max(0, width - text.count)) }
            var lines = ["\(pad(header.0, width0))  \(pad(header.1, width1))  \(header.2)"]
            for e in entries { lines.append("\(pad(e.name, width0))  \(pad(e.profile, width1))  \(e.role)") }
            if entries.isEmpty { lines = ["no tokens in \(path)"] }
            return CommandOutput(stdout: lines.joined(separator: "\n") + "\n")
        }
    }
}
