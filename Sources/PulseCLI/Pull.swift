import ArgumentParser
import PulseConnectors

extension Pulse {
    /// `pulse pull --profile P`.
    struct Pull: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Pull a snapshot from the profile's BigCommerce and AliExpress sources.",
            discussion: """
            Writes snapshots/<profile>/<taken_at>/ (-2, -3, ... when that name is taken; or --out) all or nothing, and prints its path.
            --keep N then removes all but the newest N complete snapshots; --stock FILE.csv takes BigCommerce's stock from an export.
            Exit 0: written; 1: a source failed after retries (nothing written); 2: usage or config error.
            """)

        @OptionGroup var options: PullRunner.Options

        func run() async throws {
            try emit(await PullRunner.run(options))
        }
    }
}
