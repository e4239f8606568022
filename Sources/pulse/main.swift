import ArgumentParser
import Foundation
import PulseCLI

// Usage errors (unknown options, missing values) exit 2, as every Pulse command documents,
// rather than ArgumentParser's 64.
do {
    var command = try Pulse.parseAsRoot()
    try command.run()
} catch {
    let code = Pulse.exitCode(for: error)
    if code == .validationFailure {
        FileHandle.standardError.write(Data((Pulse.fullMessage(for: error) + "\n").utf8))
        exit(2)
    }
    Pulse.exit(withError: error)
}
