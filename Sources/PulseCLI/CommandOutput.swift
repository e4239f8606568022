import PulseReport
import PulseDiagnostics

/// What a command prints and how it exits, so that commands run the same from the CLI and tests.
public struct CommandOutput: Sendable, Equatable {
    /// Text for standard output.
    public var stdout: String
    /// Bytes for standard output after `stdout`, produced as they are written (a JSON report
    /// whose worklists are encoded row by row, never held whole).
    public var stdoutStream: StreamedOutput?
    /// Text for standard error.
    public var stderr: String
    /// The process exit status.
    public var exitCode: Int32
    /// The located findings behind a failure (config or snapshot errors), for `--format json`.
    public var diagnostics: [Diagnostic] = []

    /// Creates an output.
    public init(stdout: String = "", stdoutStream: StreamedOutput? = nil, stderr: String = "", exitCode: Int32 = 0) {
        self.stdout = stdout
        self.stdoutStream = stdoutStream
        self.stderr = stderr
        self.exitCode = exitCode
    }
}

extension CommandOutput {
    /// The output as a program reading `--format json` wants it: a failure (exit 1 or 2 with
    /// nothing on standard output) also writes `{"error": {"message", "exit_status",
    /// "diagnostics": [...]}}` on standard output; standard error keeps the text for people.
    public func jsonErrors(_ enabled: Bool) -> CommandOutput {
        guard enabled, exitCode == ExitStatus.failure || exitCode == ExitStatus.cannotRun, stdout.isEmpty, stdoutStream == nil else { return self }
        var copy = self
        let message = stderr.split(separator: "\n", omittingEmptySubsequences: true).first.map(String.init) ?? "failed"
        copy.stdout = "{\"error\": {\"message\": \(JSONText.quote(message)), \"exit_status\": \(exitCode), \"diagnostics\": ["
            + diagnostics.map(DiagnosticRenderer.jsonObject).joined(separator: ", ") + "]}}\n"
        return copy
    }

    /// Everything for standard output as one string (for tests).
    public var allStdout: String {
        stdout + (stdoutStream.map { String(decoding: $0.bytes, as: UTF8.self) } ?? "")
    }
}

/// Exit statuses shared by every command.
public enum ExitStatus {
    /// Success.
    public static let ok: Int32 = 0
    /// Bad config or data (the input is at fault).
    public static let failure: Int32 = 1
    /// The command could not run (bad usage, missing path, unreadable file).
    public static let cannotRun: Int32 = 2
}
