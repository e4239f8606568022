import ArgumentParser
import Foundation
import PulseConnectors

extension Pulse {
    /// `pulse import bigcommerce-csv FILE --out DIR`.
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Turn an export into snapshot files: bigcommerce-csv FILE writes DIR/stock.jsonl.",
            discussion: "For merchants without API access: BigCommerce's product export (Products > Export, the current layout or the legacy Bulk Edit template) as stock.jsonl; with AliExpress data, pulse pull --stock FILE.csv.")

        @Argument(help: "The kind of export: bigcommerce-csv.")
        var kind: String

        @Argument(help: "The exported file.")
        var file: String

        @Option(help: "The snapshot folder to write stock.jsonl into (created if needed; it must not hold a stock.jsonl).")
        var out: String

        func run() throws {
            try emit(Self.output(kind: kind, file: file, out: out))
        }

        static func output(kind: String, file: String, out: String) -> CommandOutput {
            guard kind == "bigcommerce-csv" else {
                return CommandOutput(stderr: "pulse import: unknown kind '\(kind)'; the kind is bigcommerce-csv\n", exitCode: ExitStatus.cannotRun)
            }
            guard FileManager.default.fileExists(atPath: file) else {
                return CommandOutput(stderr: "pulse import: no file at \(file)\n", exitCode: ExitStatus.cannotRun)
            }
            do throws(PullError) {
                let rows = try BigCommerceCSVImport.run(csv: file, out: out)
                return CommandOutput(stdout: out + "/stock.jsonl\n", stderr: "pulse import: \(rows) stock rows from \(file)\n")
            } catch {
                return CommandOutput(stderr: "pulse import: \(error)\n", exitCode: ExitStatus.failure)
            }
        }
    }
}
