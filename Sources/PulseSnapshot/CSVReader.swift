/// Reads RFC 4180 CSV with a header row, one record a line (quoted fields may not span lines),
/// turning each record into the same field list a JSON object gives: an empty cell is a
/// missing value; `available` becomes an integer and `purchasable` a boolean when they parse.
struct CSVReader {
    /// What one line turned out to be.
    enum Line {
        case skip
        case record([JSONMember])
        case error(String)
    }

    private var header: [String]?

    /// Reads one line (the first non-blank line is the header).
    mutating func read(_ bytes: UnsafeBufferPointer<UInt8>) -> Line {
        let text = String(decoding: bytes, as: UTF8.self)
        if text.trimmingCharacters(in: [" ", "\t"]).isEmpty { return .skip }
        guard let cells = CSVReader.split(text) else { return .error("unterminated quoted field") }
        guard let names = header else {
            let names = cells.map { $0.trimmingCharacters(in: [" ", "\t"]) }
            header = names
            return names.contains("sku") ? .skip : .error("the header row must name the columns (sku,available,tracking,purchasable,updated_at)")
        }
        guard cells.count == names.count else { return .error("\(cells.count) cells; the header has \(names.count)") }
        var fields: [JSONMember] = []
        for (name, cell) in zip(names, cells) where !cell.isEmpty {
            switch name {
            case "available":
                fields.append(JSONMember(name, Int64(cell).map(JSONValue.int) ?? .string(cell)))
            case "purchasable":
                fields.append(JSONMember(name, cell == "true" ? .bool(true) : cell == "false" ? .bool(false) : .string(cell)))
            default:
                fields.append(JSONMember(name, .string(cell)))
            }
        }
        return .record(fields)
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
