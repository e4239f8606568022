import ArgumentParser
import Foundation
import PulseSnapshot

extension Pulse {
    /// `pulse generate --listings N --out DIR`.
    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a realistic synthetic snapshot, deterministic for a seed (for demos and benchmarks)."
        )

        @Option(help: "How many listings.")
        var listings: Int

        @Option(help: "The random seed.")
        var seed: UInt64 = 1

        @Option(help: "The folder to write (created if needed).")
        var out: String

        func validate() throws {
            guard listings >= 0 else { throw ValidationError("--listings must be 0 or more") }
        }

        func run() throws {
            let started = Date()
            let summary: SnapshotGenerator.Summary
            do { summary = try SnapshotGenerator(listings: listings, seed: seed).write(to: out) } catch {
                FileHandle.standardError.write(Data("pulse generate: cannot write \(out): \(error.localizedDescription)\n".utf8))
                throw ExitCode(2)
            }
            print("wrote \(out): \(summary.listings) listings, \(summary.skus) SKUs, \(summary.events) audit events, "
                  + "\(summary.bytes / 1_000_000) MB in \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
        }
    }
}
