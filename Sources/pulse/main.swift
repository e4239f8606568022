import ArgumentParser
import Foundation
import PulseCLI

/// Parses the command line and runs the command. The root is an AsyncParsableCommand: a command
/// that awaits (pull, serve, eval, notify test) runs on the concurrency pool as it is, the others
/// as they are. (In an async function, `run()` is the async requirement, not the synchronous one.)
func parseAndRun() async throws {
    var command = try Pulse.parseAsRoot()
    if var asynchronous = command as? any AsyncParsableCommand {
        try await asynchronous.run()
    } else {
        try command.run()
    }
}

// Usage errors (unknown options, missing values) exit 2, as every Pulse command documents,
// rather than ArgumentParser's 64.
do {
    try await parseAndRun()
} catch {
    let code = Pulse.exitCode(for: error)
    if code == .validationFailure {
        FileHandle.standardError.write(Data((Pulse.fullMessage(for: error) + "\n").utf8))
        exit(2)
    }
    Pulse.exit(withError: error)
}
