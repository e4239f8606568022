import ArgumentParser
import Dispatch
import NIOConcurrencyHelpers
import PulseConnectors

extension Pulse {
    /// `pulse pull --profile P`.
    struct Pull: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Pull a snapshot from the profile's BigCommerce and AliExpress sources.",
            discussion: """
            Writes snapshots/<profile>/<taken_at>/ (-2, -3, ... when that name is taken; or --out) all or nothing, and prints its path.
            --keep N then removes all but the newest N complete snapshots; --stock FILE.csv takes BigCommerce's stock from an export.
            Exit 0: written; 1: a source failed after retries (nothing written); 2: usage or config error.
            """)

        @OptionGroup var options: PullRunner.Options

        func run() throws {
            try emit(Self.wait { [options] in await PullRunner.run(options) })
        }

        /// Runs `work` on the concurrency pool and waits for it on this (the main) thread, which
        /// is not one of the pool's, so nothing waits on itself.
        static func wait(_ work: @escaping @Sendable () async -> CommandOutput) -> CommandOutput {
            let box = NIOLockedValueBox<CommandOutput?>(nil)
            let done = DispatchSemaphore(value: 0)
            Task {
                let output = await work()
                box.withLockedValue { $0 = output }
                done.signal()
            }
            done.wait()
            return box.withLockedValue { $0 } ?? CommandOutput(stderr: "pulse pull: no result\n", exitCode: ExitStatus.cannotRun)
        }
    }
}
