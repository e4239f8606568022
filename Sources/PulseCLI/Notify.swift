import ArgumentParser
import PulseConfig
import PulseExpressions

/// What the lifecycle commands read: a profile (checked against the config) and the history store.
struct LifecycleTarget: ParsableArguments {
    @OptionGroup var folders: ConfigFolders

    @Option(help: "The profile: a name looked up in --profiles, or a path to a profile file.")
    var profile: String

    @OptionGroup var store: HistoryStoreOption

    @Option(help: ArgumentHelp("The clock (RFC 3339; default the wall clock).", valueName: "time"), transform: ArgumentKind.timestamp.flag("--now"))
    var now: CELTimestamp?
}

extension Pulse {
    /// `pulse silence add|list|expire`.
    struct Silence: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Suppress a profile's notifications for a while (evaluation, history and the dashboard go on).",
            subcommands: [Add.self, List.self, Expire.self])

        struct Add: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Silence cards (default every card) for a duration or until a time.")

            @OptionGroup var target: LifecycleTarget

            @Option(name: .customLong("card"), help: "A card to silence (repeatable; default every card).")
            var cards: [String] = []

            @Option(help: "Only this level: warn or critical (default both).")
            var severity: AlertSeverity?

            @Option(name: .customLong("for"), help: ArgumentHelp("How long: 4h, 90m, 1d12h.", valueName: "duration"))
            var duration: String?

            @Option(help: ArgumentHelp("Until this time (RFC 3339).", valueName: "time"))
            var until: String?

            @Option(help: "Why (shown wherever the silence is).")
            var reason: String

            @Option(help: "Who silences (default $USER).")
            var by: String?

            func run() throws {
                try emit(NotifyRunner.silenceAdd(target, cards: cards, severity: severity, duration: duration, until: until, reason: reason, by: by))
            }
        }

        struct List: JSONErrorReporting {
            static let configuration = CommandConfiguration(abstract: "List a profile's silences that have not ended.")

            @OptionGroup var target: LifecycleTarget

            @Flag(help: "Also those that have ended.")
            var all = false

            @Option(help: "Output format: table or json.")
            var format: EvalFormat = .table

            func run() throws { try emit(NotifyRunner.silenceList(target, all: all, json: format == .json).jsonErrors(format == .json)) }
        }

        struct Expire: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "End a silence now.")

            @OptionGroup var target: LifecycleTarget

            @Argument(help: "The silence's number (from pulse silence list).")
            var id: Int64

            func run() throws { try emit(NotifyRunner.silenceExpire(target, id: id)) }
        }
    }

    /// `pulse ack CARD`.
    struct Ack: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Acknowledge a firing alert: no reminders until it resolves or escalates.")

        @OptionGroup var target: LifecycleTarget

        @Argument(help: "The card key.")
        var card: String

        @Option(help: "Who acknowledges (default $USER).")
        var by: String?

        @Option(help: "A note for the team.")
        var note: String?

        func run() throws { try emit(NotifyRunner.ack(target, card: card, by: by, note: note)) }
    }

    /// `pulse notify test|status`.
    struct Notify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a profile's notification channels.",
            subcommands: [Test.self, Status.self])

        struct Test: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Send a sample message to each channel (exit 0 when every one took it, 4 when one did not).")

            @OptionGroup var folders: ConfigFolders

            @Option(help: "The profile: a name looked up in --profiles, or a path to a profile file.")
            var profile: String

            @Option(help: "Only this channel.")
            var channel: String?

            func run() async throws { try emit(await NotifyRunner.test(folders: folders, profile: profile, channel: channel)) }
        }

        struct Status: JSONErrorReporting {
            static let configuration = CommandConfiguration(abstract: "Show each channel's delivery state: waiting events, last delivery, last error.")

            @OptionGroup var target: LifecycleTarget

            @Option(help: "Output format: table or json.")
            var format: EvalFormat = .table

            func run() throws { try emit(NotifyRunner.status(target, json: format == .json).jsonErrors(format == .json)) }
        }
    }
}
