import PulseBench
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

        @Option(help: ArgumentHelp("The percent (0-100) of listings that keep their template's destinations; the rest ship to their own list, missing a priority market (a store unlike the default one).", valueName: "percent"))
        var coverage: Int?

        @Option(help: "The folder to write (created if needed; it must be empty unless --force).")
        var out: String

        @Flag(help: "Write into a folder that already holds files (they are overwritten).")
        var force = false

        func validate() throws {
            guard listings >= 0 else { throw ValidationError("--listings must be 0 or more") }
            if let coverage, !(0...100).contains(coverage) { throw ValidationError("--coverage must be a percent from 0 to 100, not \(coverage)") }
            // The shipped demo was once overwritten by a generate run: a folder with files in it is
            // left alone unless asked.
            if !force, let entries = try? FileManager.default.contentsOfDirectory(atPath: out), !entries.isEmpty {
                throw ValidationError("\(out) is not empty (\(entries.count) entr\(entries.count == 1 ? "y" : "ies")); choose an empty or new folder, or add --force to overwrite")
            }
        }

        func run() throws {
            let started = Date()
            let summary: SnapshotGenerator.Summary
            do {
                var generator = SnapshotGenerator(listings: listings, seed: seed)
                generator.coverage = coverage
                summary = try generator.write(to: out)
            } catch {
                FileHandle.standardError.write(Data("pulse generate: cannot write \(out): \(error.localizedDescription)\n".utf8))
                throw ExitCode(2)
            }
            print("wrote \(out): \(summary.listings) listings, \(summary.skus) SKUs, \(summary.events) audit events, "
                  + "\(summary.bytes / 1_000_000) MB in \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
        }
    }
}
