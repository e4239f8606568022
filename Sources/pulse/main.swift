import ArgumentParser
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

// Usage errors (unknown options, values refused, broken option rules) are reported as
// `pulse <command>: ...` and exit 2, as every Pulse command documents, rather than
// ArgumentParser's `Error: ...` and 64.
do {
    try await parseAndRun()
} catch {
    Pulse.reportAndExit(error)
}
