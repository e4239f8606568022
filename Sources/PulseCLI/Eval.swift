import ArgumentParser

extension Pulse {
    /// `pulse eval`.
    struct Eval: AsyncParsableCommand, JSONErrorReporting {
        static let configuration = CommandConfiguration(
            abstract: "Evaluate a merchant's KPI cards over a snapshot.",
            discussion: """
                Exit status: 0 on success, 1 for bad config or data (or a history store that cannot be \
                written), 2 for bad usage, 3 when an alert fires and --fail-on-alert is set, 4 when the \
                evaluation was recorded but a webhook delivery failed, 5 when a card has no data (a \
                snapshot file it reads is missing).
                """
        )

        @OptionGroup var options: EvalRunner.Options

        func run() async throws {
            try emit(await EvalRunner.run(options).jsonErrors(options.format == .json))
        }
    }
}
