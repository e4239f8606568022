import ArgumentParser

extension Pulse {
    /// `pulse explain CARD`.
    struct Explain: JSONErrorReporting {
        static let configuration = CommandConfiguration(
            abstract: "Explain why a listing counts in a card, or how the card's where clauses narrow its rows.",
            discussion: """
                With --row ID: every row of that listing (its SKUs for a skus card, its events for an \
                audit_events card), each sub-expression of where with the values it read, and what the \
                row gave the measure, breakdown and worklist. Without --row: the funnel of where's \
                top-level && clauses, ending at the card's value.
                """
        )

        @OptionGroup var options: ExplainRunner.Options

        func run() throws {
            try emit(ExplainRunner.run(options).jsonErrors(options.format == .json))
        }
    }
}
