import ArgumentParser
import PulseDiagnostics

extension DiagnosticFormat: ExpressibleByArgument {}

extension Pulse {
    /// `pulse validate [PATH ...]`.
    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check cards and profiles: syntax, schema and every cross-file reference.",
            discussion: """
                Each PATH is a file or a folder searched recursively for .yaml and .yml files \
                (default: cards and profiles in the current folder). Exit status: 0 without errors, \
                1 with errors (or warnings, with --strict), 2 when it cannot run.
                """
        )

        @Argument(help: "Files or folders to check.")
        var paths: [String] = []

        @Option(help: "Output format: text, json or github.")
        var format: DiagnosticFormat = .text

        @Flag(help: "Treat warnings as errors.")
        var strict = false

        func run() throws {
            try emit(ValidateRunner.run(paths: paths, format: format, strict: strict))
        }
    }
}
