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

    /// Ends the process for an error that parsing, validation or a command threw. A parse or
    /// validation error (an unknown option, a value a transform refused, a rule a `validate()`
    /// broke) is reported in Pulse's form, `pulse <command>: <message>` and the usage, exit 2
    /// (not ArgumentParser's `Error: ...`, exit 64); under `--format json` a command that reports
    /// failures in JSON (``JSONErrorReporting``) also writes its `{"error": ...}` on standard
    /// output. Help, `--version` and other errors go to ArgumentParser as they are.
    public static func reportAndExit(_ error: any Error, arguments: [String] = Array(CommandLine.arguments.dropFirst())) -> Never {
        if let output = usageOutput(for: error, arguments: arguments) { try? emit(output) }
        exit(withError: error)
    }

    /// Pulse's report of a parse or validation error, or nil for any other error.
    static func usageOutput(for error: any Error, arguments: [String]) -> CommandOutput? {
        guard exitCode(for: error) == .validationFailure else { return nil }
        // ArgumentParser keeps the command the error belongs to, and the error a transform threw,
        // inside an error type it does not make public: they are looked for by type.
        let stack = ErrorContents.first(in: error) { ($0 as? [any ParsableCommand.Type]).flatMap { $0.isEmpty ? nil : $0 } } ?? [Pulse.self]
        let command = stack.map { $0._commandName }.joined(separator: " ")
        let problem = ErrorContents.first(in: error) { $0 as? ArgumentProblem }
        let message = message(for: error)
        // The usage and the pointer to --help that ArgumentParser prints after its message.
        let full = fullMessage(for: error)
        let usage = full.range(of: message).map { String(full[$0.upperBound...]) } ?? ""
        var text = "\(command): \(problem?.description ?? message)"
        if !usage.isEmpty { text += usage.hasPrefix("\n") ? usage : "\n" + usage }
        let output = CommandOutput(stderr: text.hasSuffix("\n") ? text : text + "\n", exitCode: ExitStatus.cannotRun)
        return output.jsonErrors(stack.last is any JSONErrorReporting.Type && CommandOutput.asksForJSON(arguments))
    }
}

/// A command whose `--format json` reports failures as JSON on standard output
/// (``CommandOutput/jsonErrors(_:)``), usage errors the parser finds included.
protocol JSONErrorReporting: ParsableCommand {}

extension CommandOutput {
    /// Whether `arguments` ask for JSON (`--format json` or `--format=json`). A usage error comes
    /// before the command's options are whole, so the words themselves are read.
    static func asksForJSON(_ arguments: [String]) -> Bool {
        arguments.contains("--format=json") || zip(arguments, arguments.dropFirst()).contains { $0 == "--format" && $1 == "json" }
    }
}

/// Looks inside an error ArgumentParser threw for a value of a given type.
enum ErrorContents {
    /// The first value inside `value` (itself, its fields, their fields, ...) that `match` takes.
    static func first<T>(in value: Any, depth: Int = 8, _ match: (Any) -> T?) -> T? {
        if let found = match(value) { return found }
        guard depth > 0 else { return nil }
        for child in Mirror(reflecting: value).children {
            if let found = first(in: child.value, depth: depth - 1, match) { return found }
        }
        return nil
    }
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
