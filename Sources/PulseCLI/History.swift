import ArgumentParser

extension Pulse {
    /// `pulse history CARD --profile P`.
    struct History: JSONErrorReporting {
        static let configuration = CommandConfiguration(abstract: "Show a card's recorded values, with a sparkline.")

        @Argument(help: "The card key.")
        var card: String

        @OptionGroup var query: HistoryQuery

        func run() throws {
            try emit(HistoryRunner.history(card: card, profile: query.profile, since: query.since, format: query.format == .json ? .json : .text, db: query.db)
                .jsonErrors(query.format == .json))
        }
    }

    /// `pulse alerts --profile P`.
    struct Alerts: JSONErrorReporting {
        static let configuration = CommandConfiguration(abstract: "Show the alerts firing now and recent transitions, newest first.")

        @OptionGroup var query: HistoryQuery

        func run() throws {
            try emit(HistoryRunner.alerts(profile: query.profile, since: query.since, format: query.format == .json ? .json : .text, db: query.db)
                .jsonErrors(query.format == .json))
        }
    }
}
