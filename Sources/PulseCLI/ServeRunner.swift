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
        @Option(help: ServeKey.listen.help, transform: ListenAddress.kind.flag("--listen")) var listen: ListenAddress?
        @Option(help: ServeKey.snapshots.help) var snapshots: String?
        @Option(help: ServeKey.pullEvery.help, transform: ArgumentKind.pullInterval.flag("--pull-every")) var pullEvery: ConfigDuration?
        @Option(help: ServeKey.tokens.help) var tokens: String?
        @Option(help: ServeKey.headerTimeout.help, transform: ArgumentKind.timeout.flag("--header-timeout")) var headerTimeout: ConfigDuration?
        @Option(help: ServeKey.idleTimeout.help, transform: ArgumentKind.timeout.flag("--idle-timeout")) var idleTimeout: ConfigDuration?
        @Option(help: ServeKey.maxConnections.help, transform: ArgumentKind.count(of: "connections").flag("--max-connections")) var maxConnections: Int?
        @Option(help: ServeKey.keep.help, transform: ArgumentKind.count(of: "snapshots").flag("--keep")) var keep: Int?
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
        /// The flag (parsed as it was given), else the file's value parsed by the flag's own kind.
        func value<T>(_ flag: T?, _ key: ServeKey, _ kind: ArgumentKind<T>) throws(CommandFailure) -> T? {
            if let flag { return flag }
            guard let written = file[key] else { return nil }
            guard let parsed = kind.parse(written.value) else { throw .usage("pulse serve: " + kind.problem("\(written.location): \(key.rawValue)", written.value)) }
            return parsed
        }
        /// The flag, else the file's text.
        func text(_ flag: String?, _ key: ServeKey) -> String? { flag ?? file[key]?.value }
        var s = ServeSettings()
        do throws(CommandFailure) {
            if let address = try value(options.listen, .listen, ListenAddress.kind) { (s.host, s.port) = (address.host, address.port) }
            if let d = try value(options.pullEvery, .pullEvery, .pullInterval) { s.pullEvery = d }
            if let url = try value(options.webhook.notifyWebhook, .notifyWebhook, .webhook) { s.notifyWebhook = url }
            if let d = try value(options.headerTimeout, .headerTimeout, .timeout) { s.headerTimeout = Double(d.seconds) }
            if let d = try value(options.idleTimeout, .idleTimeout, .timeout) { s.idleTimeout = Double(d.seconds) }
            if let n = try value(options.maxConnections, .maxConnections, .count(of: "connections")) { s.maxConnections = n }
            if let n = try value(options.keep, .keep, .count(of: "snapshots")) { s.keep = n }
        } catch {
            return .failure(error)
        }
        if let v = text(options.folders.given.cards, .cards) { s.cardsDir = v }
        if let v = text(options.folders.given.profiles, .profiles) { s.profilesDir = v }
        if let v = text(options.snapshots, .snapshots) { s.snapshotsDir = v }
        if let v = text(options.store.db, .db) { s.db = v } else if let env = environment["PULSE_DB"], !env.isEmpty { s.db = env }
        if let v = text(options.tokens, .tokens) { s.tokensPath = v }
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
