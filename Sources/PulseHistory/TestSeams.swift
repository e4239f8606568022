import Foundation

/// The one place where a test of the real `pulse` process may stop it part-way, to kill it there
/// (a crash mid-write, a crash between recording and notifying) or to run a second writer beside
/// it. Product code never turns a seam on: each is off unless its environment variable is `1`,
/// which only the tests set, and nothing else reads these variables.
///
/// | seam | variable | where it pauses |
/// |---|---|---|
/// | ``insideHistoryWrite`` | `PULSE_TEST_PAUSE_IN_WRITE` | inside the recording transaction, before it commits |
/// | ``beforeNotifying`` | `PULSE_TEST_PAUSE_BEFORE_NOTIFY` | after recording and queueing, before delivering |
///
/// A pause announces itself on standard error (`pulse: paused ...`) and waits for a line on
/// standard input.
public struct TestSeams: Sendable {
    /// Called inside the history write, before it commits.
    public var insideHistoryWrite: (@Sendable () -> Void)?
    /// Called after an evaluation is recorded and its notifications queued, before they are delivered.
    public var beforeNotifying: (@Sendable () -> Void)?

    /// No seam: what every product path uses.
    public static let none = TestSeams()

    /// The seams `environment` turns on.
    public static func from(environment: [String: String]) -> TestSeams {
        var seams = TestSeams()
        if environment["PULSE_TEST_PAUSE_IN_WRITE"] == "1" { seams.insideHistoryWrite = pause("paused inside the history write") }
        if environment["PULSE_TEST_PAUSE_BEFORE_NOTIFY"] == "1" { seams.beforeNotifying = pause("paused before notifying") }
        return seams
    }

    /// Announces `what` on standard error, then waits for a line on standard input.
    private static func pause(_ what: String) -> @Sendable () -> Void {
        {
            FileHandle.standardError.write(Data("pulse: \(what)\n".utf8))
            _ = readLine()
        }
    }
}
