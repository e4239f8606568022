import Foundation
import PulseConfig
import PulseDiagnostics
import PulseEngine

/// Loads and checks the cards and the profile a command needs (one ``Workspace``, the profile's
/// ``ProfilePlan``), turning every problem into the right exit status: 1 for bad config, 2 for
/// bad usage or a missing path.
struct LoadedConfig {
    let workspace: Workspace
    /// The named profile's plan (nil without --profile).
    let plan: ProfilePlan?

    var set: ConfigSet { workspace.set }
    var profile: ResolvedProfile? { plan?.profile }

    /// Reads `cardsDir` and the profiles folder (plus `profile` when it is a path), validates
    /// all of it, and resolves the named profile.
    /// Without `cards` (`pulse pull`), only profiles are read and checked.
    static func load(cardsDir: String, profilesDir: String, profile: String?, command: String, cards: Bool = true) -> Result<LoadedConfig, CommandFailure> {
        let fm = FileManager.default
        var paths: [String] = []
        if cards {
            guard fm.fileExists(atPath: cardsDir) else {
                return .failure(.usage("\(command): no cards folder at \(cardsDir) (use --cards DIR)"))
            }
            paths.append(cardsDir)
        }
        var profileName = profile
        let profileIsPath = profile.map { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") || $0.contains("/") } ?? false
        if fm.fileExists(atPath: profilesDir) { paths.append(profilesDir) }
        if let p = profile, profileIsPath {
            guard fm.fileExists(atPath: p) else { return .failure(.usage("\(command): no profile file at \(p)")) }
            // Only a YAML file is read as a profile: any other file (say /etc/passwd) is refused
            // by name, and none of its content is quoted back.
            guard p.hasSuffix(".yaml") || p.hasSuffix(".yml") else {
                return .failure(.usage("\(command): --profile \(p) is not a profile: give a profile name or a .yaml file"))
            }
            paths.append(p)
        } else if profile != nil, !fm.fileExists(atPath: profilesDir) {
            return .failure(.usage("\(command): no profiles folder at \(profilesDir) (use --profiles DIR or give --profile a path)"))
        }
        let workspace: Workspace
        do { workspace = try Workspace.load(paths: paths) } catch {
            return .failure(.usage("\(command): \(error)"))
        }
        let set = workspace.set
        if let p = profile, profileIsPath {
            profileName = set.profiles.first { URL(fileURLWithPath: $0.file).standardizedFileURL == URL(fileURLWithPath: p).standardizedFileURL }?.name.value
        }
        // Only this command's own config can stop it: the cards, and the profile with its
        // `extends` chain. Another merchant's broken profile is a warning, not a failure.
        let (diagnostics, warnings) = workspace.errors(usedBy: profileName)
        if !diagnostics.isEmpty {
            let report = DiagnosticRenderer(sources: set.sources).render(diagnostics, format: .text, files: set.fileCount)
            return .failure(CommandFailure(message: "\(command): the config has errors; fix them first (pulse validate shows them all)\n" + report,
                                           exitCode: ExitStatus.failure, diagnostics: diagnostics))
        }
        let warning = warnings.isEmpty ? nil
            : "\(command): warning: \(warnings.joined(separator: ", ")) \(warnings.count == 1 ? "has" : "have") errors (pulse validate shows them); "
                + (profileName.map { "profile '\($0)' does not use \(warnings.count == 1 ? "it" : "them"), so it runs" } ?? "not used here")
        var plan: ProfilePlan?
        if let p = profile {
            guard let name = profileName, let found = set.profile(name) else {
                let known = set.profiles.map(\.name.value)
                return .failure(.usage("\(command): no profile '\(p)'" + Suggestion.didYouMean(p, in: known)
                                       + (known.isEmpty ? "" : "; profiles: " + known.sorted().joined(separator: ", "))))
            }
            switch workspace.resolve(found, among: set.profiles) {
            case .success(let r): plan = r
            case .failure(let list): return .failure(CommandFailure(message: "\(command): \(list.diagnostics.map { "\($0)" }.joined(separator: "\n"))\n", exitCode: ExitStatus.failure))
            }
        }
        if let warning { FileHandle.standardError.write(Data((warning + "\n").utf8)) }
        return .success(LoadedConfig(workspace: workspace, plan: plan))
    }
}

/// A command that stops early: what to print on standard error and the exit status.
struct CommandFailure: Error {
    let message: String
    let exitCode: Int32
    /// The located findings behind it, if any.
    var diagnostics: [Diagnostic] = []

    static func usage(_ message: String) -> CommandFailure {
        CommandFailure(message: message, exitCode: ExitStatus.cannotRun)
    }

    var output: CommandOutput {
        var output = CommandOutput(stderr: message.hasSuffix("\n") ? message : message + "\n", exitCode: exitCode)
        output.diagnostics = diagnostics
        return output
    }
}
