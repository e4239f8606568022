import Foundation
import PulseConfig
import PulseDiagnostics
import PulseEngine

/// `pulse validate`: checks cards, profiles and test files and reports every finding.
public enum ValidateRunner {
    /// Validates the YAML files at or under `paths` (default: `cards` and `profiles` in the
    /// current folder, whichever exist), with `linter` (default: with the expression checks).
    ///
    /// - Returns: exit 0 without errors (and, with `strict`, without warnings), 1 with them,
    ///   2 when a path is missing or a file unreadable.
    public static func run(paths: [String], format: DiagnosticFormat, strict: Bool) -> CommandOutput {
        var paths = paths
        if paths.isEmpty {
            paths = ["cards", "profiles"].filter { FileManager.default.fileExists(atPath: $0) }
            if paths.isEmpty {
                return CommandOutput(stderr: "pulse validate: no paths given and no cards/ or profiles/ folder here; name the files or folders to check\n",
                                     exitCode: ExitStatus.cannotRun)
            }
        }
        let set: ConfigSet
        do {
            set = try ConfigSet.load(paths: paths)
        } catch let error as ConfigAccessError {
            return CommandOutput(stderr: "pulse validate: \(error)\n", exitCode: ExitStatus.cannotRun)
        } catch {
            return CommandOutput(stderr: "pulse validate: \(error)\n", exitCode: ExitStatus.cannotRun)
        }
        if set.fileCount == 0 {
            return CommandOutput(stderr: "pulse validate: no .yaml or .yml files under \(paths.joined(separator: ", "))\n",
                                 exitCode: ExitStatus.cannotRun)
        }
        // Every lint rule, expression checks included (each card compiled once).
        var diagnostics = Workspace(set: set).diagnostics
        // Test files are checked as `pulse test` would load them: their cards and profile, every
        // fixture row against the snapshot contract, every expectation's card. (Whether the
        // expectations hold is `pulse test`'s business, not validate's.)
        var sources = set.sources
        for test in set.testFiles {
            if case .failure(let list) = TestRunner(defaultCards: "cards", defaultProfiles: "profiles").run(test) {
                diagnostics += list.diagnostics
                for d in list.diagnostics where sources[d.location.file] == nil {
                    sources[d.location.file] = try? String(contentsOfFile: d.location.file, encoding: .utf8)
                }
            }
        }
        diagnostics = diagnostics.sortedForReport()
        let report = DiagnosticRenderer(sources: sources).render(diagnostics, format: format, files: set.fileCount)
        let fails = diagnostics.hasErrors || (strict && !diagnostics.isEmpty)
        return CommandOutput(stdout: report, exitCode: fails ? ExitStatus.failure : ExitStatus.ok)
    }
}
