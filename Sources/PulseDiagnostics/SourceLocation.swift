/// A position in a source file: 1-based line and column, columns counted in Unicode scalars.
public struct SourceLocation: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The file path as the user gave it (relative paths stay relative).
    public var file: String
    /// The 1-based line number.
    public var line: Int
    /// The 1-based column, counted in Unicode scalars.
    public var column: Int

    /// Creates a location.
    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// The start of a file, for findings about the file as a whole.
    public static func startOf(_ file: String) -> SourceLocation {
        SourceLocation(file: file, line: 1, column: 1)
    }

    public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
        (lhs.file, lhs.line, lhs.column) < (rhs.file, rhs.line, rhs.column)
    }

    /// `file:line:column`.
    public var description: String { "\(file):\(line):\(column)" }
}

/// Where each character of a piece of text came from in its file. The YAML layer hands it to
/// the others (as Yams turns libyaml's marks into its own `Mark` at its boundary), so that no
/// YAML type travels past the config.
public struct TextSource: Sendable {
    private let locate: @Sendable (Int) -> SourceLocation

    /// A source whose character at offset `n` (in Unicode scalars) is at `locate(n)`.
    public init(_ locate: @escaping @Sendable (Int) -> SourceLocation) {
        self.locate = locate
    }

    /// The file position of the character at `offset`.
    public func location(ofOffset offset: Int) -> SourceLocation { locate(offset) }
}
