import ArgumentParser
import Foundation
import PulseEngine
import PulseExpressions
import PulseSnapshot

extension ExprFormat: ExpressibleByArgument {}

extension Pulse {
    /// `pulse expr 'EXPR'`.
    struct Expr: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Evaluate one expression and print its value and CEL type.",
            discussion: """
                Alone, an expression sees literals, operators, functions and macros. With --profile it \
                also sees `profile`; with --snapshot, `now`; with --row ID, that listing as `listing`, its \
                first SKU (or --sku) as `sku` and `bc`, and its latest audit event as `event`; with \
                --card, that card's `params`. Exit status: 0 with a value, 1 with a parse, check or \
                evaluation error, 2 for bad usage.
                """
        )

        @OptionGroup var folders: ConfigFolders

        @Argument(help: "The CEL expression.")
        var expression: String

        @Option(help: "A profile name (looked up in --profiles) or path.")
        var profile: String?



        @Option(help: "A snapshot folder.")
        var snapshot: String?

        @Option(help: "A listing id in the snapshot to bind.")
        var row: String?

        @Option(help: "Which of the listing's SKUs to bind as `sku` (default its first).")
        var sku: String?

        @Option(help: "A card whose params to bind (with the profile's overrides).")
        var card: String?

        @Option(help: "`now` (RFC 3339); default the snapshot's taken_at.")
        var now: String?

        @Option(help: "Output format: text or json.")
        var format: ExprFormat = .text

        func run() throws {
            try emit(ExprRunner.run(expression, format: format, options: .init(
                profile: profile, profilesDir: folders.profiles, cardsDir: folders.cards, snapshot: snapshot, row: row, sku: sku,
                card: card, now: now)))
        }
    }
}
