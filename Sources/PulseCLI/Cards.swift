import ArgumentParser
import PulseConfig
import PulseEngine

extension Pulse {
    /// `pulse cards`.
    struct Cards: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the cards, their metadata and which roles see them."
        )

        @OptionGroup var folders: ConfigFolders

        @Option(help: "Only the cards this role sees.")
        var role: String?

        @Option(help: "Apply this profile's settings (roles, alerts, enabled).")
        var profile: String?



        func run() throws {
            try emit(CardsRunner.run(cardsDir: folders.cards, profilesDir: folders.profiles, profile: profile, role: role))
        }
    }
}
