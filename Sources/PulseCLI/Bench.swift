import ArgumentParser

extension Pulse {
    /// `pulse bench`: the evaluation's phases (the default), or `pulse bench notify`.
    struct Bench: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Time snapshot load, card compile and each card's evaluation (medians), against a hand-written baseline.",
            discussion: "`pulse bench --snapshot S --profile P` times the evaluation's phases; `pulse bench notify` times notification delivery.",
            subcommands: [Phases.self, Notify.self],
            defaultSubcommand: Phases.self
        )

        /// `pulse bench [phases] --snapshot S --profile P`.
        struct Phases: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Time snapshot load, card compile and each card's evaluation (medians), against a hand-written baseline (the default)."
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
}
