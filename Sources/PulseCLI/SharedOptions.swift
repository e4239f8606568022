import ArgumentParser

/// Where the config lives: `--cards DIR` and `--profiles DIR` (shared by every command that reads it).
struct ConfigFolders: ParsableArguments {
    @Option(help: "The folder of cards.")
    var cards = "cards"

    @Option(help: "The folder of profiles (a --profile NAME is looked up here).")
    var profiles = "profiles"
}

/// What `pulse history` and `pulse alerts` read: a profile's records in a history store.
struct HistoryQuery: ParsableArguments {
    @Option(help: "The profile name.")
    var profile: String

    @Option(help: "From this time (RFC 3339), or this long (7d, 24h) before the latest recorded snapshot.")
    var since: String?

    @Option(help: "Output format: table or json.")
    var format: EvalFormat = .table

    @Option(help: "The history store (default: $PULSE_DB, else .pulse/history.sqlite).")
    var db: String?
}
