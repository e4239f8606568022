import Foundation
@testable import PulseCLI
import PulseServer
import Testing

/// `pulse serve`'s flags and `--config serve.yaml`: the file's keys are the flags' names, a flag
/// wins over the file, and a mistake is named with its place.
@Suite struct ServeSettingsTests {
    private func folder() throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("pulse-serve-settings-\(UUID().uuidString)")
        for sub in ["cards", "profiles"] { try FileManager.default.createDirectory(at: root.appendingPathComponent(sub), withIntermediateDirectories: true) }
        try Data("tokens: []\n".utf8).write(to: root.appendingPathComponent("tokens.yaml"))
        return root
    }

    @Test func theFileSetsWhatTheFlagsDoNot() throws {
        let root = try folder()
        try Data("""
            listen: 127.0.0.1:9191
            cards: \(root.path)/cards
            profiles: \(root.path)/profiles
            tokens: \(root.path)/tokens.yaml
            pull-every: 30m
            db: \(root.path)/h.sqlite
            """.utf8).write(to: root.appendingPathComponent("serve.yaml"))
        let options = try ServeRunner.Options.parse(["--config", root.appendingPathComponent("serve.yaml").path, "--listen", "127.0.0.1:7000"])
        let settings = try ServeRunner.settings(options, environment: [:]).get()
        #expect(settings.port == 7000, "the flag wins")
        #expect(settings.cardsDir == root.path + "/cards" && settings.pullEvery?.seconds == 1800 && settings.db == root.path + "/h.sqlite")
    }

    @Test func mistakesAreNamedWithTheirPlace() throws {
        let root = try folder()
        let file = root.appendingPathComponent("serve.yaml")
        for (text, expected) in [
            ("listn: 127.0.0.1:1\n", "serve.yaml:1:1: error: unknown key 'listn' in the serve config; did you mean 'listen'?"),
            ("pull-every: often\n", "serve.yaml:1:13: error: pull-every must be a duration"),
            ("listen: [1]\n", "serve.yaml:1:9: error: listen must be a string"),
            ("tokens: \(root.path)/tokens.yaml\nlisten: localhost\ncards: \(root.path)/cards\nprofiles: \(root.path)/profiles\n",
             "serve.yaml:2:9: listen localhost is not HOST:PORT"),
            ("tokens: \(root.path)/tokens.yaml\npull-every: 10s\ncards: \(root.path)/cards\nprofiles: \(root.path)/profiles\n",
             "is not a duration of a minute or more"),
        ] {
            try Data(text.utf8).write(to: file)
            let options = try ServeRunner.Options.parse(["--config", file.path])
            switch ServeRunner.settings(options, environment: [:]) {
            case .success: Issue.record("\(text) was accepted")
            case .failure(let f):
                #expect(f.exitCode == 2)
                #expect(f.message.contains(expected), "\(f.message)")
            }
        }
        let missing = try ServeRunner.Options.parse(["--cards", root.path + "/cards", "--profiles", root.path + "/profiles"])
        if case .failure(let f) = ServeRunner.settings(missing, environment: [:]) { #expect(f.message.contains("--tokens FILE is required")) } else {
            Issue.record("no --tokens was accepted")
        }
    }

    /// The folder, history and webhook flags are the option groups every command shares: the
    /// values arrive, and a repeated folder is refused as it is elsewhere.
    @Test func sharedOptionGroupsArriveAndARepeatedFolderIsRefused() throws {
        let root = try folder()
        let options = try ServeRunner.Options.parse(["--tokens", root.path + "/tokens.yaml", "--cards", root.path + "/cards",
                                                     "--profiles", root.path + "/profiles", "--db", root.path + "/h.sqlite",
                                                     "--notify-webhook", "http://127.0.0.1:9/hook"])
        let settings = try ServeRunner.settings(options, environment: ["PULSE_DB": "/elsewhere.sqlite"]).get()
        #expect(settings.cardsDir == root.path + "/cards" && settings.profilesDir == root.path + "/profiles")
        #expect(settings.db == root.path + "/h.sqlite", "--db wins over $PULSE_DB")
        #expect(settings.notifyWebhook?.absoluteString == "http://127.0.0.1:9/hook")
        #expect(throws: (any Error).self) { try ServeRunner.Options.parse(["--cards", "a", "--cards", "b"]) }
    }
}
