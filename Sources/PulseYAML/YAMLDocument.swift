import PulseDiagnostics

/// The result of reading one YAML file: its root node, if any, and every problem found.
public struct YAMLDocument: Sendable {
    /// The file path as given.
    public let file: String
    /// The file's text (for quoting lines in diagnostics).
    public let text: String
    /// The document's root, or nil when the file is empty or could not be read.
    public let root: YAMLNode?
    /// Syntax and safety problems, each located.
    public let diagnostics: [Diagnostic]
}
