/// How serious a finding is.
public enum Severity: String, Sendable, Hashable, Codable {
    case error
    case warning
}

/// One finding about a file: where, how serious, what, and which rule found it.
///
/// Diagnostics are values: code that checks something collects them and carries on, so that a
/// run reports every problem at once rather than stopping at the first.
public struct Diagnostic: Sendable, Hashable, Error, CustomStringConvertible {
    /// Where the problem is.
    public var location: SourceLocation
    /// Error or warning.
    public var severity: Severity
    /// A sentence saying what is wrong and, where possible, how to fix it.
    public var message: String
    /// The rule that found it (its id, e.g. `unknown-key`, is what output shows).
    public var rule: Rule
    /// Whether output may quote the source line: false for findings in a profile's `sources`,
    /// whose lines may hold a credential pasted where a `${NAME}` belongs.
    public var quotesSource = true

    /// Creates a diagnostic.
    public init(_ severity: Severity, _ rule: Rule, _ message: String, at location: SourceLocation) {
        self.severity = severity
        self.rule = rule
        self.message = message
        self.location = location
    }

    /// An error found by `rule` at `location`.
    public static func error(_ rule: Rule, _ message: String, at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, rule, message, at: location)
    }

    /// A warning found by `rule` at `location`.
    public static func warning(_ rule: Rule, _ message: String, at location: SourceLocation) -> Diagnostic {
        Diagnostic(.warning, rule, message, at: location)
    }

    /// `path:line:col: severity: message [rule]`.
    public var description: String {
        "\(location): \(severity.rawValue): \(message) [\(rule.rawValue)]"
    }
}

extension Array where Element == Diagnostic {
    /// Sorted by file, then position, then severity (errors first), then message; duplicates removed.
    public func sortedForReport() -> [Diagnostic] {
        var seen = Set<Diagnostic>()
        return filter { seen.insert($0).inserted }.sorted { a, b in
            if a.location != b.location { return a.location < b.location }
            if a.severity != b.severity { return a.severity == .error }
            return (a.rule.rawValue, a.message) < (b.rule.rawValue, b.message)
        }
    }

    /// Whether any element is an error.
    public var hasErrors: Bool { contains { $0.severity == .error } }
}

/// Several diagnostics thrown or returned together.
public struct DiagnosticList: Error, Sendable {
    /// The findings.
    public var diagnostics: [Diagnostic]

    /// Wraps findings.
    public init(_ diagnostics: [Diagnostic]) {
        self.diagnostics = diagnostics
    }
}
