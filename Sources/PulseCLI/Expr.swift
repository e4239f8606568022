import ArgumentParser

extension ExprFormat: ExpressibleByArgument {}

extension Pulse {
    /// `pulse expr 'EXPR'`.
    struct Expr: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Evaluate one expression and print its value and CEL type.",
            discussion: "Exit status: 0 with a value, 1 with a parse, check or evaluation error."
        )

        @Argument(help: "The CEL expression.")
        var expression: String

        @Option(help: "Output format: text or json.")
        var format: ExprFormat = .text

        func run() throws {
            try emit(ExprRunner.run(expression, format: format))
        }
    }
}
