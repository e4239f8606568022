import ArgumentParser

extension Pulse {
    /// `pulse bench`.
    struct Bench: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Time snapshot load, card compile and each card's evaluation (medians), against a hand-written baseline."
        )

        @OptionGroup var folders: ConfigFolders

        @Option(help: "The snapshot folder.")
        var snapshot: String

        @Option(help: "The profile: a name looked up in --profiles, or a path.")
        var profile: String



        @Option(help: "Runs per phase (the median is reported).")
        var runs = 3

        func run() throws {
            try emit(BenchRunner.run(snapshot: snapshot, profile: profile, profilesDir: folders.profiles, cardsDir: folders.cards, runs: runs))
        }
    }
}
