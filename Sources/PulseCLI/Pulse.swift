import ArgumentParser
import Foundation

/// The `pulse` command line. Asynchronous, so that the commands that await (pull, serve, eval
/// and the notification commands) run on the concurrency pool without a bridge.
public struct Pulse: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "pulse",
        abstract: "KPI cards over AliExpress listings and BigCommerce stock.",
        version: Pulse.version,
        subcommands: [Validate.self, Eval.self, Test.self, Explain.self, History.self, Alerts.self, Silence.self, Ack.self, Notify.self, Cards.self, Expr.self, Generate.self, Bench.self, Pull.self, Import.self, Serve.self, Token.self]
    )

    /// The release: `pulse --version`.
    public static let version = "0.5.0"

    public init() {}
}

/// Writes all of `bytes` to file descriptor `fd` (a pipe may take them in parts).
func writeAll(_ bytes: [UInt8], to fd: Int32) {
    bytes.withUnsafeBufferPointer { b in
        guard var p = b.baseAddress else { return }
        var left = b.count
        while left > 0 {
            let n = write(fd, p, left)
            if n < 0 {
                if errno == EINTR { continue }
                return  // a closed pipe: nothing more can be written
            }
            p += n
            left -= n
        }
    }
}

/// Prints a command's output and ends the process with its status, there and then: a process
/// about to exit need not free a loaded snapshot and its results piece by piece (the operating
/// system reclaims it all at once).
func emit(_ output: CommandOutput) throws -> Never {
    if !output.stdout.isEmpty { print(output.stdout, terminator: "") }
    if let stream = output.stdoutStream {
        fflush(nil)
        stream.produce { writeAll($0, to: 1) }
    }
    if !output.stderr.isEmpty { FileHandleOutput.standardError(output.stderr) }
    fflush(nil)
    exit(output.exitCode)
}
