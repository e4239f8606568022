import ArgumentParser

extension Pulse {
    /// `pulse bench`.
    struct Bench: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Time snapshot load, card compile and each card's evaluation (medians), against a hand-written baseline."
        )

        @OptionGroup var inputs: EvaluationInputs

        @Option(help: "Runs per phase (the median is reported).")
        var runs = 3

        func run() throws {
            try emit(BenchRunner.run(snapshot: inputs.snapshot, profile: inputs.profile, profilesDir: inputs.folders.profiles,
                                          cardsDir: inputs.folders.cards, runs: runs))
        }
    }
}
