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
        @Option(help: "Refresh one side only; the other side's files are copied from --previous.") var only: PulseConnectors.Pull.Side?
        @Option(help: "The snapshot's taken_at (RFC 3339); default now.", transform: ArgumentKind.timestamp.flag("--now")) var now: CELTimestamp?
        @Option(help: ArgumentHelp("The folder of snapshots: the default --out is <snapshots>/<profile>/<taken_at>.", valueName: "dir"))
        var snapshots: String = "snapshots"
        @Option(help: ArgumentHelp("After writing, remove all but the newest N complete snapshots of the profile (beside the new one).", valueName: "N"))
        var keep: Int?
        @Option(help: ArgumentHelp("Take BigCommerce's stock from this control-panel product export (CSV) instead of the API, into the same snapshot.",
                                   valueName: "file.csv"))
        var stock: String?
        @Flag(help: "No progress line, wait notices or summary on standard error (they show only when it is a terminal); errors still do.") var quiet = false

        public init() {}
    }

    /// Runs a pull with the process's environment and clock.
    public static func run(_ options: Options, environment: [String: String] = ProcessInfo.processInfo.environment,
                           clock: any PullClock = SystemPullClock(), backoff: Backoff = .standard,
                           terminal: Bool = isatty(2) == 1, progressOutput: @escaping @Sendable (String) -> Void = PullProgressLine.standardError) async -> CommandOutput {
        let command = "pulse pull"
        let loaded: LoadedConfig
        switch LoadedConfig.load(cardsDir: "", profilesDir: options.profiles, profile: options.profile, command: command, cards: false) {
        case .failure(let f):
            var output = f.output
            output.exitCode = ExitStatus.cannotRun  // connectors.md: a config error of pull exits 2
            return output
        case .success(let l): loaded = l
        }
        guard let profile = loaded.profile else { return CommandFailure.usage("\(command): no profile").output }
        var pull = PulseConnectors.Pull(profile: profile, out: options.out, previous: options.previous, only: options.only, now: options.now,
                                        environment: environment, clock: clock, backoff: backoff, snapshotsRoot: options.snapshots)
        pull.keep = options.keep
        pull.stockCSV = options.stock
        // Progress on a terminal only (pages of expected, calls, retries, long waits); --quiet silences it.
        let showProgress = terminal && !options.quiet
        let progress = showProgress ? PullProgressLine(write: progressOutput) : nil
        pull.observer = progress
        do throws(PullError) {
            let result: PulseConnectors.Pull.Result
            do throws(PullError) { result = try await pull.run() } catch {
                progress?.finish()
                throw error
            }
            progress?.finish()
            var summary = ""
            for (source, counts) in result.sources.sorted(by: { $0.key < $1.key }) {
                let rows = counts.rows.filter { $0.key.hasSuffix(".jsonl") }.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key.replacingOccurrences(of: ".jsonl", with: ""))" }
                summary += "\(command): \(source): \(counts.calls) calls (\(counts.retries) retries), \(rows.joined(separator: ", "))\n"
            }
            if !result.retention.removed.isEmpty, let keep = options.keep {
                summary += "\(command): --keep \(keep): removed \(result.retention.removed.count) older snapshot\(result.retention.removed.count == 1 ? "" : "s")\n"
            }
            // A snapshot that could not be removed is said even when quiet: the disk keeps filling.
            let problems = result.retention.problems.map { "\(command): \($0)\n" }.joined()
            return CommandOutput(stdout: result.folder + "\n", stderr: (showProgress ? summary : "") + problems, exitCode: ExitStatus.ok)
        } catch {
            return CommandOutput(stderr: "\(command): \(error)\n", exitCode: error.exitStatus)
        }
    }
}
