import PulseDiagnostics

/// The text of one file as Unicode scalars with its line starts: the one place where libyaml's
/// 0-based marks and scalar offsets become 1-based lines and columns.
final class SourceText: Sendable {
    let file: String
    let scalars: [Unicode.Scalar]
    /// Scalar index of the first character of each line.
    let lineStarts: [Int]

    init(file: String, text: String) {
        self.file = file
        let scalars = Array(text.unicodeScalars)
        var starts = [0]
        var i = 0
        while i < scalars.count {
            let c = scalars[i]
            if c == "\n" {
                starts.append(i + 1)
            } else if c == "\r" {
                if i + 1 < scalars.count, scalars[i + 1] == "\n" { i += 1 }
                starts.append(i + 1)
            }
            i += 1
        }
        self.scalars = scalars
        self.lineStarts = starts
    }

    /// The location of a libyaml mark (0-based line and column, columns in characters).
    func location(line: Int, column: Int) -> SourceLocation {
        SourceLocation(file: file, line: line + 1, column: column + 1)
    }

    /// The scalar index of a 0-based line and column.
    func index(line: Int, column: Int) -> Int {
        guard line < lineStarts.count else { return scalars.count }
        return min(lineStarts[line] + column, scalars.count)
    }

    /// The location of the scalar at `index`.
    func location(ofIndex index: Int) -> SourceLocation {
        var low = 0, high = lineStarts.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if lineStarts[mid] <= index { low = mid } else { high = mid - 1 }
        }
        return SourceLocation(file: file, line: low + 1, column: index - lineStarts[low] + 1)
    }
}

/// Where a scalar's source text lies, to map offsets in its value back to the file.
struct SourceSpan: Sendable {
    let source: SourceText
    let start: Int
    let end: Int

    func location(ofValueOffset offset: Int, value: String) -> SourceLocation {
        source.location(ofIndex: index(ofValueOffset: offset, value: value))
    }

    /// Aligns the value with the source text greedily: each value character is matched to the
    /// next source character equal to it (a folded space also matches a line break). Characters
    /// that never match (rare escapes such as `\t`) keep the previous position, so one escape
    /// cannot throw off the rest.
    func index(ofValueOffset offset: Int, value: String) -> Int {
        let scalars = source.scalars
        var position = start
        var lastMatch = start
        var valueOffset = 0
        for v in value.unicodeScalars {
            var probe = position
            var found: Int?
            while probe < end {
                let s = scalars[probe]
                if s == v || (v == " " && (s == "\n" || s == "\r")) || (v == "\n" && s == "\r") {
                    found = probe
                    break
                }
                probe += 1
            }
            if let found {
                lastMatch = found
                position = found + 1
            }
            if valueOffset == offset { return found ?? lastMatch }
            valueOffset += 1
        }
        // Past the end: just after the last matched character.
        return value.isEmpty ? start : min(lastMatch + 1, max(end, start))
    }
}
