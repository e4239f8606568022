/// Reads RFC 4180 CSV with a header row, one record a line (quoted fields may not span lines),
/// turning each record into the same field list a JSON object gives: an empty cell is a
/// missing value; `available` becomes an integer and `purchasable` a boolean when they parse.
enum CSVReader {
    static func forEachRecord(path: String, _ body: (Int, [(String, JSONValue)]) -> Void,
                              onError: (Int, String) -> Void) throws {
        var header: [String]?
        try LineReader.forEachLine(path: path) { line, bytes in
            let text = String(decoding: bytes, as: UTF8.self)
            if text.trimmingCharacters(in: [" ", "\t"]).isEmpty { return }
            guard let cells = split(text) else {
                onError(line, "unterminated quoted field")
                return
            }
            guard let names = header else {
                header = cells.map { $0.trimmingCharacters(in: [" ", "\t"]) }
                if !(header ?? []).contains("sku") { onError(line, "the header row must name the columns (sku,available,tracking,purchasable,updated_at)") }
                return
            }
            guard cells.count == names.count else {
                onError(line, "\(cells.count) cells; the header has \(names.count)")
                return
            }
            var fields: [(String, JSONValue)] = []
            for (name, cell) in zip(names, cells) where !cell.isEmpty {
                switch name {
                case "available":
                    fields.append((name, Int64(cell).map(JSONValue.int) ?? .string(cell)))
                case "purchasable":
                    fields.append((name, cell == "true" ? .bool(true) : cell == "false" ? .bool(false) : .string(cell)))
                default:
                    fields.append((name, .string(cell)))
                }
            }
            body(line, fields)
        }
    }

    static func split(_ line: String) -> [String]? {
        var cells: [String] = []
        var cell = ""
        var quoted = false
        var iterator = line.makeIterator()
        var pendingQuote = false
        while let c = iterator.next() {
            if quoted {
                if c == "\"" {
                    if pendingQuote { cell.append("\""); pendingQuote = false } else { pendingQuote = true }
                    continue
                }
                if pendingQuote { quoted = false; pendingQuote = false } else { cell.append(c); continue }
            }
            switch c {
            case "\"" where cell.isEmpty: quoted = true
            case ",": cells.append(cell); cell = ""
            default: cell.append(c)
            }
        }
        if quoted && !pendingQuote { return nil }
        cells.append(cell)
        return cells
    }
}

private extension String {
    func trimmingCharacters(in set: Set<Character>) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s = s.dropFirst() }
        while let l = s.last, set.contains(l) { s = s.dropLast() }
        return String(s)
    }
}
