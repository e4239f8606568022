import ArgumentParser
import Foundation
import PulseEngine
import PulseExpressions
import PulseSnapshot

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

        @Argument(help: "The CEL expression.")
        var expression: String

        @OptionGroup var options: ExprRunner.Options

        @Option(help: "Output format: text or json.")
        var format: ExprFormat = .text

        func run() throws {
            try emit(ExprRunner.run(expression, format: format, options: options))
        }
    }
}
