import Foundation
import PulseConfig
import PulseDiagnostics

/// `pulse validate`: checks cards and profiles and reports every finding.
public enum ValidateRunner {
    /// Validates the YAML files at or under `paths` (default: `cards` and `profiles` in the
    /// current folder, whichever exist).
    ///
    /// - Returns: exit 0 without errors (and, with `strict`, without warnings), 1 with them,
    ///   2 when a path is missing or a file unreadable.
    public static func run(paths: [String], format: DiagnosticFormat, strict: Bool, linter: Linter = Linter()) -> CommandOutput {
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
        let diagnostics = linter.lint(set)
        let report = DiagnosticRenderer(sources: set.sources).render(diagnostics, format: format, files: set.fileCount)
        let fails = diagnostics.hasErrors || (strict && !diagnostics.isEmpty)
        return CommandOutput(stdout: report, exitCode: fails ? ExitStatus.failure : ExitStatus.ok)
    }
}
