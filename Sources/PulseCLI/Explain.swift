import ArgumentParser

extension Pulse {
    /// `pulse explain CARD`.
    struct Explain: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Explain why a listing counts in a card, or how the card's where clauses narrow its rows.",
            discussion: """
                With --row ID: every row of that listing (its SKUs for a skus card, its events for an \
                audit_events card), each sub-expression of where with the values it read, and what the \
                row gave the measure, breakdown and worklist. Without --row: the funnel of where's \
                top-level && clauses, ending at the card's value.
                """
        )

        @OptionGroup var folders: ConfigFolders

        @Argument(help: "The card key.")
        var card: String

        @Option(help: "The profile: a name looked up in --profiles, or a path.")
        var profile: String


        @Option(help: "The snapshot folder.")
        var snapshot: String


        @Option(help: "A listing id.")
        var row: String?

        @Option(help: "Only this SKU of the listing.")
        var sku: String?

        @Option(help: "The moment to evaluate at (RFC 3339).")
        var now: String?

        @Option(help: "Output format: text or json.")
        var format: ExprFormat = .text

        func run() throws {
            var options = ExplainRunner.Options(card: card, profile: profile, snapshot: snapshot)
            options.profilesDir = folders.profiles
            options.cardsDir = folders.cards
            options.row = row
            options.sku = sku
            options.now = now
            options.format = format
            try emit(ExplainRunner.run(options).jsonErrors(options.format == .json))
        }
    }
}
