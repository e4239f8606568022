import PulseEngine
import PulseExpressions

/// A card's worklist as CSV (RFC 4180): a header of the worklist's columns, then one line per row.
/// Nulls are empty cells, lists are joined with "; ", timestamps are RFC 3339, durations are in
/// seconds as CEL writes them. A text cell that a spreadsheet would run as a formula (it starts
/// with =, +, -, @, a tab or a carriage return) is written with a leading apostrophe. Made a
/// chunk of rows at a time, so a long worklist is never held whole as text.
package enum WorklistCSV {
    /// Rows per chunk: a chunk of CSV text is a few megabytes at most.
    package static let rowsPerChunk = 16_384

    /// The header line.
    package static func header(_ rows: Worklist) -> [UInt8] {
        Array((rows.columns.map(quoted).joined(separator: ",") + "\r\n").utf8)
    }

    /// The lines of rows `range`.
    package static func lines(_ rows: Worklist, _ range: Range<Int>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(range.count * 48)
        rows.forEachRow(in: range) { _, cells in
            for (i, cell) in cells.enumerated() {
                if i > 0 { out.append(0x2C) }
                out.append(utf8: quoted(text(cell)))
            }
            out.append(0x0D)
            out.append(0x0A)
        }
        return out
    }

    /// The row ranges of the chunks, in order.
    package static func chunks(_ rows: Worklist) -> [Range<Int>] {
        stride(from: 0, to: rows.count, by: rowsPerChunk).map { $0..<min(rows.count, $0 + rowsPerChunk) }
    }

    /// A value as cell text.
    static func text(_ value: Value) -> String {
        switch value {
        case .null: return ""
        case .string(let s): return formulaSafe(s)
        case .list(let items): return items.map(text).joined(separator: "; ")
        case .timestamp(let t): return t.description
        default: return EvalReport.number(for: value)
        }
    }

    private static func formulaSafe(_ s: String) -> String {
        guard let first = s.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) else { return s }
        return "'" + s
    }

    /// A cell quoted when it holds a comma, a quote or a line break.
    static func quoted(_ s: String) -> String {
        guard s.utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
