import ArgumentParser

/// The `pulse` command line.
public struct Pulse: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "pulse",
        abstract: "KPI cards over AliExpress listings and BigCommerce stock.",
        subcommands: [Validate.self, Eval.self, Test.self, Explain.self, History.self, Alerts.self, Cards.self, Expr.self, Generate.self, Bench.self]
    )

    public init() {}
}

/// Prints a command's output and exits with its status.
func emit(_ output: CommandOutput) throws {
    if !output.stdout.isEmpty { print(output.stdout, terminator: "") }
    if !output.stderr.isEmpty { FileHandleOutput.standardError(output.stderr) }
    if output.exitCode != 0 { throw ExitCode(output.exitCode) }
}
