import ArgumentParser
import Foundation
import PulseConnectors
import PulseExpressions

/// `pulse pull`: resolves the profile, runs the connectors, prints the snapshot's path.
public enum PullRunner {
    /// The command's options.
    public struct Options: ParsableArguments, Sendable {
        @Option(name: .customLong("profiles"), help: ArgumentHelp("The folder of profiles (a --profile NAME is looked up here).", valueName: "dir"))
        var profiles: String = "profiles"
        @Option(help: "The profile: a name looked up in --profiles, or a path to a profile file.") var profile: String
        @Option(help: "The snapshot folder to write (default snapshots/<profile>/<taken_at>); it must not exist.") var out: String?
        @Option(help: "The snapshot to diff against (default the newest beside --out).") var previous: String?
        @Option(help: "Refresh one side only (bigcommerce or aliexpress); the other side's files are copied from --previous.") var only: String?
        @Option(help: "The snapshot's taken_at (RFC 3339); default now.") var now: String?

        public init() {}
    }

    /// Runs a pull with the process's environment and clock.
    public static func run(_ options: Options, environment: [String: String] = ProcessInfo.processInfo.environment,
                           clock: any PullClock = SystemPullClock(), backoff: Backoff = .standard) async -> CommandOutput {
        let command = "pulse pull"
        var only: PulseConnectors.Pull.Side?
        if let given = options.only {
            guard let side = PulseConnectors.Pull.Side(rawValue: given) else {
                return CommandFailure.usage("\(command): --only must be bigcommerce or aliexpress, not '\(given)'").output
            }
            only = side
        }
        var now: CELTimestamp?
        if let given = options.now {
            guard let t = CELTimestamp(parsing: given) else {
                return CommandFailure.usage("\(command): --now must be an RFC 3339 time such as 2026-03-18T08:00:00Z, not '\(given)'").output
            }
            now = t
        }
        let loaded: LoadedConfig
        switch LoadedConfig.load(cardsDir: "", profilesDir: options.profiles, profile: options.profile, command: command, cards: false) {
        case .failure(let f):
            var output = f.output
            output.exitCode = ExitStatus.cannotRun  // connectors.md: a config error of pull exits 2
            return output
        case .success(let l): loaded = l
        }
        guard let profile = loaded.profile else { return CommandFailure.usage("\(command): no profile").output }
        let pull = PulseConnectors.Pull(profile: profile, out: options.out, previous: options.previous, only: only, now: now,
                                        environment: environment, clock: clock, backoff: backoff)
        do throws(PullError) {
            let result = try await pull.run()
            var summary = ""
            for (source, counts) in result.sources.sorted(by: { $0.key < $1.key }) {
                let rows = counts.rows.filter { $0.key.hasSuffix(".jsonl") }.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key.replacingOccurrences(of: ".jsonl", with: ""))" }
                summary += "\(command): \(source): \(counts.calls) calls (\(counts.retries) retries), \(rows.joined(separator: ", "))\n"
            }
            return CommandOutput(stdout: result.folder + "\n", stderr: isatty(2) == 1 ? summary : "", exitCode: ExitStatus.ok)
        } catch {
            return CommandOutput(stderr: "\(command): \(error)\n", exitCode: error.exitStatus)
        }
    }
}
