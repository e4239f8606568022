/// What a command prints and how it exits, so that commands run the same from the CLI and tests.
public struct CommandOutput: Sendable, Equatable {
    /// Text for standard output.
    public var stdout: String
    /// Text for standard error.
    public var stderr: String
    /// The process exit status.
    public var exitCode: Int32

    /// Creates an output.
    public init(stdout: String = "", stderr: String = "", exitCode: Int32 = 0) {
        self.stdout = stdout
        self.stderr = stderr
        self.exitCode = exitCode
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
