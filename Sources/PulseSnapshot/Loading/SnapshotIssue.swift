import PulseDiagnostics
/// A row or file that breaks the snapshot contract: the file, the line, and what is wrong.
public struct SnapshotIssue: Sendable, Equatable, CustomStringConvertible {
    /// The file's path.
    public var file: String
    /// The 1-based line (0 for the file as a whole).
    public var line: Int
    /// What is wrong.
    public var message: String

    /// `file:line: message`.
    public var description: String { line > 0 ? "\(file):\(line): \(message)" : "\(file): \(message)" }
}

/// Why a snapshot could not be loaded: every bad row found (the first ``shownLimit`` kept in
/// full, the rest counted).
public struct SnapshotLoadError: Error, Sendable, CustomStringConvertible {
    /// How many issues are kept in full.
    public static let shownLimit = 20
    /// The first issues found, in file order.
    public var issues: [SnapshotIssue]
    /// How many issues there were in all.
    public var total: Int

    /// The report: one issue a line, then a count of the rest.
    public var description: String {
        var lines = issues.map(\.description)
        if total > issues.count { lines.append("… and \(total - issues.count) more problems (\(total) in all)") }
        return lines.joined(separator: "\n")
    }
}

extension SnapshotLoadError {
    /// The issues as located findings (rule `snapshot-format`; column 1, line 0 for a whole file).
    public var diagnostics: [Diagnostic] {
        issues.map { .error(.snapshotFormat, $0.message, at: SourceLocation(file: $0.file, line: $0.line, column: 1)) }
    }
}
