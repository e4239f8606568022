import ArgumentParser

extension EvalFormat: ExpressibleByArgument {}

extension Pulse {
    /// `pulse eval`.
    struct Eval: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Evaluate a merchant's KPI cards over a snapshot.",
            discussion: """
                Exit status: 0 on success, 1 for bad config or data (or a history store that cannot be \
                written), 2 for bad usage, 3 when an alert fires and --fail-on-alert is set, 4 when the \
                evaluation was recorded but a webhook delivery failed, 5 when a card has no data (a \
                snapshot file it reads is missing).
                """
        )

        @OptionGroup var folders: ConfigFolders

        @Option(help: "The profile: a name looked up in --profiles, or a path to a profile file.")
        var profile: String


        @Option(help: "The snapshot folder.")
        var snapshot: String


        @Option(help: "Only the cards this role sees.")
        var role: String?

        @Option(name: .customLong("card"), help: "Only this card (repeatable).")
        var cardKeys: [String] = []

        @Option(help: "The moment to evaluate at (RFC 3339); default the snapshot's taken_at.")
        var now: String?

        @Option(help: "Output format: table or json.")
        var format: EvalFormat = .table

        @Option(help: "Worklist rows shown per card (default 20 in table, all in json).")
        var maxRows: Int?

        @Flag(help: "Exit 3 when any alert fires.")
        var failOnAlert = false

        @Flag(help: "Record this evaluation in the history store and print the alert transitions it caused.")
        var record = false

        @Option(help: "The history store (default: $PULSE_DB, else .pulse/history.sqlite).")
        var db: String?

        @Option(help: "POST each alert transition as JSON to this URL (with --record).")
        var notifyWebhook: String?

        func run() throws {
            var options = EvalRunner.Options(profile: profile, snapshot: snapshot)
            options.profilesDir = folders.profiles
            options.cardsDir = folders.cards
            options.role = role
            options.cards = cardKeys
            options.now = now
            options.format = format
            options.maxRows = maxRows
            options.failOnAlert = failOnAlert
            options.record = record
            options.db = db
            options.notifyWebhook = notifyWebhook
            try emit(EvalRunner.run(options).jsonErrors(format == .json))
        }
    }
}
