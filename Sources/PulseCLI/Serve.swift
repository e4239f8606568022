import ArgumentParser
import PulseServer

extension Pulse {
    /// `pulse serve`.
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve the dashboard, the JSON API and Prometheus metrics, evaluating each new snapshot as it arrives.",
            discussion: """
            Evaluates each profile's newest snapshot in --snapshots/<profile>/ as it appears (and when a card or \
            profile file changes, or on SIGHUP), records it, and serves it to the tokens in --tokens. \
            SIGTERM or SIGINT finish the requests in flight and the recording in progress (a scheduled pull in \
            progress is cancelled), then exit. The tokens file is read again when it changes and on SIGHUP.
            """)

        @OptionGroup var options: ServeRunner.Options

        func run() async throws {
            try emit(await ServeRunner.run(options))
        }
    }

    /// `pulse token`.
    struct Token: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Make and list access tokens for pulse serve.", subcommands: [New.self, List.self])

        /// `pulse token new --profile P --role R --name N`.
        struct New: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Print a new random token once, and the tokens-file line (its SHA-256) that admits it.")

            @Option(help: "The profile the token sees.") var profile: String
            @Option(help: "The role whose cards it sees (owner also reads /metrics and /api/v1/status).") var role: String
            @Option(help: "A name for the holder, unique in the tokens file.") var name: String
            @OptionGroup var folders: ConfigFolders

            func run() throws {
                try emit(ServeRunner.newToken(profile: profile, role: role, name: name, cardsDir: folders.cards, profilesDir: folders.profiles))
            }
        }

        /// `pulse token list --tokens FILE`.
        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List the tokens of a tokens file: names, profiles and roles (never the tokens or their digests).")

            @Option(help: ArgumentHelp("The tokens file.", valueName: "file")) var tokens: String

            func run() throws {
                try emit(ServeRunner.listTokens(path: tokens))
            }
        }
    }
}
