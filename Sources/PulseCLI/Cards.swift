import ArgumentParser
import PulseConfig
import PulseEngine

extension Pulse {
    /// `pulse cards`.
    struct Cards: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the cards, their metadata and which roles see them."
        )

        @Option(help: "Only the cards this role sees.")
        var role: String?

        @Option(help: "Apply this profile's settings (roles, alerts, enabled).")
        var profile: String?

        @Option(help: "The folder of profiles.")
        var profiles = "profiles"

        @Option(help: "The folder of cards.")
        var cards = "cards"

        func run() throws {
            try emit(CardsRunner.run(cardsDir: cards, profilesDir: profiles, profile: profile, role: role))
        }
    }
}
