import ArgumentParser

extension Pulse {
    /// `pulse history CARD --profile P`.
    struct History: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a card's recorded values, with a sparkline.")

        @Argument(help: "The card key.")
        var card: String

        @Option(help: "The profile name.")
        var profile: String

        @Option(help: "From this time (RFC 3339), or this long (7d, 24h) before the latest recorded snapshot.")
        var since: String?

        @Option(help: "Output format: table or json.")
        var format: EvalFormat = .table

        @Option(help: "The history store (default: $PULSE_DB, else .pulse/history.sqlite).")
        var db: String?

        func run() throws {
            try emit(HistoryRunner.history(card: card, profile: profile, since: since, format: format == .json ? .json : .text, db: db))
        }
    }

    /// `pulse alerts --profile P`.
    struct Alerts: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the alerts firing now and recent transitions, newest first.")

        @Option(help: "The profile name.")
        var profile: String

        @Option(help: "From this time (RFC 3339), or this long (7d, 24h) before the latest recorded snapshot.")
        var since: String?

        @Option(help: "Output format: table or json.")
        var format: EvalFormat = .table

        @Option(help: "The history store (default: $PULSE_DB, else .pulse/history.sqlite).")
        var db: String?

        func run() throws {
            try emit(HistoryRunner.alerts(profile: profile, since: since, format: format == .json ? .json : .text, db: db))
        }
    }
}
