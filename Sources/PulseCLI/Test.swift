import ArgumentParser

extension Pulse {
    /// `pulse test [PATH ...]`.
    struct Test: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run unit tests for cards and profiles (test files under card-tests/ by default, or tests/ when there is no card-tests/).",
            discussion: "Exit status: 0 when every case passes, 1 when one fails, 2 when a test file is invalid or --run matches no case."
        )

        @Argument(help: "Test files or folders (default: tests).")
        var paths: [String] = []

        @Option(name: .customLong("run"), help: "Only the cases whose name matches this regular expression.")
        var pattern: String?

        @Option(help: "Output format: text, json or junit.")
        var format: TestFormat = .text

        @OptionGroup(title: "Folders for test files that name none") var folders: ConfigFolders

        func run() throws {
            try emit(TestCommandRunner.run(paths: paths, run: pattern, format: format, cards: folders.cards, profiles: folders.profiles)
                .jsonErrors(format != .text))
        }
    }
}
