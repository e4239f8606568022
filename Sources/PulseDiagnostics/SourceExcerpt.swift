/// The part of a source line a diagnostic quotes: the whole line when it is short, else a
/// window around the column with `…` where it was cut, so that a 100,000-character line does
/// not flood the terminal.
public enum SourceExcerpt {
    /// The widest excerpt, in Unicode scalars.
    public static let width = 120

    /// The excerpt of `line` around `column` (1-based), and the caret's column in it.
    public static func around(_ line: String, column: Int) -> (text: String, column: Int) {
        let scalars = Array(line.unicodeScalars)
        guard scalars.count > width else { return (line, column) }
        let half = width / 2
        let start = max(0, min(column - 1 - half, scalars.count - width))
        let end = min(scalars.count, start + width)
        var text = start > 0 ? "…" : ""
        text.unicodeScalars.append(contentsOf: scalars[start..<end])
        if end < scalars.count { text += "…" }
        return (text, column - start + (start > 0 ? 1 : 0))
    }
}
