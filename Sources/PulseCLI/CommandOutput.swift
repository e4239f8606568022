/// What a command prints and how it exits, so that commands run the same from the CLI and tests.
public struct CommandOutput: Sendable, Equatable {
    /// Text for standard output.
    public var stdout: String
    /// Bytes for standard output after `stdout`, in pieces (large reports, written without
    /// being joined into one string first).
    public var stdoutPieces: [[UInt8]] = []
    /// Text for standard error.
    public var stderr: String
    /// The process exit status.
    public var exitCode: Int32

    /// Creates an output.
    public init(stdout: String = "", stdoutPieces: [[UInt8]] = [], stderr: String = "", exitCode: Int32 = 0) {
        self.stdout = stdout
        self.stdoutPieces = stdoutPieces
        self.stderr = stderr
        self.exitCode = exitCode
    }
}

extension CommandOutput {
    /// Everything for standard output as one string (for tests).
    public var allStdout: String {
        stdoutPieces.isEmpty ? stdout : stdout + stdoutPieces.map { String(decoding: $0, as: UTF8.self) }.joined()
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
