import ArgumentParser
import Foundation
import PulseExpressions

/// Where the config lives: `--cards DIR` and `--profiles DIR` (shared by every command that reads it).
///
/// Each may be given once: a second `--cards` used to replace the first without a word, so a
/// repetition is refused (one folder, with a subfolder per connector, holds every card).
struct ConfigFolders: ParsableArguments {
    @Option(name: .customLong("cards"), help: ArgumentHelp("The folder of cards (its subfolders too).", valueName: "dir"))
    var cardFolders: [String] = []

    @Option(name: .customLong("profiles"), help: ArgumentHelp("The folder of profiles (a --profile NAME is looked up here).", valueName: "dir"))
    var profileFolders: [String] = []

    /// The cards folder (default `cards`).
    var cards: String { cardFolders.last ?? "cards" }
    /// The profiles folder (default `profiles`).
    var profiles: String { profileFolders.last ?? "profiles" }
    /// The folders as given (nil where not given), for a command with a config file of its own.
    var given: (cards: String?, profiles: String?) { (cardFolders.last, profileFolders.last) }

    func validate() throws {
        for (flag, given) in [("--cards", cardFolders), ("--profiles", profileFolders)] where given.count > 1 {
            throw ValidationError("\(flag) is given \(given.count) times (\(given.joined(separator: ", "))); Pulse reads one folder, "
                                  + "subfolders included: put them under one folder and name that")
        }
    }
}

/// What an evaluation reads: the config folders, a profile and a snapshot (`eval`, `explain`, `bench`).
struct EvaluationInputs: ParsableArguments {
    @OptionGroup var folders: ConfigFolders

    @Option(help: "The profile: a name looked up in --profiles, or a path to a profile file.")
    var profile: String

    @Option(help: "The snapshot folder.")
    var snapshot: String
}

/// When to evaluate: `--now` (`eval`, `explain`, `expr`).
struct Moment: ParsableArguments {
    @Option(help: "The moment to evaluate at (RFC 3339): CEL's now, and the clock data age is judged at; default the snapshot's taken_at for now, the wall clock for age.",
            transform: ArgumentKind.timestamp.flag("--now"))
    var now: CELTimestamp?
}

/// Which row of a snapshot, and when: `--row`, `--sku` and `--now` (`explain`, `expr`).
struct RowAndMoment: ParsableArguments {
    @Option(help: "A listing id in the snapshot.")
    var row: String?

    @Option(help: "Only this SKU of the listing (expr binds the listing's first without it).")
    var sku: String?

    @OptionGroup var moment: Moment

    func validate() throws {
        if sku != nil && row == nil { throw ValidationError("--sku needs --row") }
    }
}

/// Where evaluations are recorded: `--db` (`eval`, `history`, `alerts`, `serve`).
struct HistoryStoreOption: ParsableArguments {
    @Option(help: ArgumentHelp("The history store (default $PULSE_DB, else .pulse/history.sqlite).", valueName: "file"))
    var db: String?
}

/// Where alert transitions are posted: `--notify-webhook` (`eval --record`, `serve`).
struct WebhookTarget: ParsableArguments {
    @Option(help: ArgumentHelp("POST each alert transition as JSON to this URL (in pulse eval, only with --record).", valueName: "url"),
            transform: ArgumentKind.webhook.flag("--notify-webhook"))
    var notifyWebhook: URL?
}

/// What `pulse history` and `pulse alerts` read: a profile's records in a history store.
struct HistoryQuery: ParsableArguments {
    @Option(help: "The profile name.")
    var profile: String

    @Option(help: "From this time (RFC 3339), or this long (7d, 24h) before the latest recorded snapshot.")
    var since: String?

    @Option(help: "Output format: table or json.")
    var format: EvalFormat = .table

    @OptionGroup var store: HistoryStoreOption
    var db: String? { store.db }
}
